"""The offline bundle, end to end: build it (scripts/bundle.py), unpack it, run its install.sh
into a fresh virtual environment with no package index reachable, then `rag index` and `rag ask`
from the installed copy, checking that nothing was exported or downloaded at first use.

Slow (minutes: the bundle holds about 2 GB of wheels and weights). RAG_TEST_BUNDLE=PATH uses a
bundle already built instead of building one.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ARTICLE = ("白鹭湾新建码头\n2024年8月，白鹭湾渔港新建的客运码头投入使用，可同时停靠9艘渡船，"
           "每年可接待旅客约35万人次。\n港口管理处说，码头建成后渡船班次增加了一倍。\n")


def clean_env(home: Path) -> dict[str, str]:
    """No index, no find-links, no pip configuration, no shared model cache, not this checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "RAG_", "PYTHON", "XDG_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL="http://127.0.0.1:9/simple",
               PIP_NO_CACHE_DIR="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def model_state(cache: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(cache)): (p.stat().st_size, p.stat().st_mtime_ns) for p in cache.rglob("*")}


def test_bundle_installs_and_answers_offline(tmp_path):
    timings = {}
    t0 = time.monotonic()
    bundle = os.environ.get("RAG_TEST_BUNDLE")
    if not bundle:
        env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
        subprocess.run([sys.executable, str(REPO / "scripts" / "bundle.py"), "--out", str(tmp_path / "dist")],
                       check=True, env=env, timeout=3600)
        bundle = str(next((tmp_path / "dist").glob("rag-bundle-*.tar.gz")))
    timings["build"] = time.monotonic() - t0
    with tarfile.open(bundle) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    root = next((tmp_path / "unpacked").iterdir())
    timings["unpack"] = time.monotonic() - t0 - timings["build"]

    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    prefix = tmp_path / "venv"
    python = getattr(sys, "_base_executable", sys.executable)
    t1 = time.monotonic()
    done = subprocess.run([str(root / "install.sh"), "--prefix", str(prefix), "--python", python],
                          capture_output=True, text=True, env=env, timeout=3600, cwd=tmp_path)
    timings["install"] = time.monotonic() - t1
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "All good." in done.stdout

    cache = home / ".cache" / "rag"
    before = model_state(cache)
    assert any(name.endswith(".onnx") for name in before), sorted(before)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bailu.txt").write_text(ARTICLE, encoding="utf-8")
    rag = str(prefix / "bin" / "rag")
    t2 = time.monotonic()
    index = subprocess.run([rag, "index", str(corpus), "--index", str(tmp_path / "index")],
                           capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    assert index.returncode == 0, index.stderr[-3000:]
    ask = subprocess.run([rag, "ask", "白鹭湾的客运码头可以同时停靠多少艘渡船？", "--index", str(tmp_path / "index")],
                         capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    timings["index+ask"] = time.monotonic() - t2
    assert ask.returncode == 0, ask.stderr[-3000:]
    assert "9艘" in ask.stdout, ask.stdout
    for out in (index.stderr, ask.stderr):
        assert "export" not in out.lower() and "download" not in out.lower(), out
    assert model_state(cache) == before  # nothing exported, assembled or replaced at first use
    where = subprocess.run([str(prefix / "bin" / "python"), "-c", "import rag; print(rag.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.stdout.startswith(str(prefix)), where.stdout  # the installed copy, not this checkout
    print("bundle:", Path(bundle).stat().st_size // 10**6, "MB;", {k: round(v) for k, v in timings.items()})
