"""File names in the corpus folder: which uploads are readable, a harmless unused name for one,
the staged copy of an upload in flight, and removing a file quietly. No pipeline here; rag/documents.py
(uploads and deletes) and rag/staging.py (crash-safe uploads) both use it."""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from rag.errors import BadInput

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv", ".jsonl",
                    ".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
STAGED = ".uploading-"  # an upload's copy in the corpus folder until its documents are committed (rag/staging.py)
MAX_STEM = 80
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_filename(name: str) -> str:
    """A harmless base name for an uploaded file, keeping its (allowed) extension.

    Raises BadInput when the extension is not one the index can read.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("_", base).strip()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    suffix = "." + ext.lower() if ext else ""
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "(none)"
        raise BadInput(
            f"Cannot add {name!r}: files ending in {shown} are not supported. "
            f"Upload one of: {', '.join(ALLOWED_SUFFIXES)}."
        )
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:MAX_STEM].strip(" .")
    stem = stem.lstrip(".-") or "upload"
    if stem.lower() in _RESERVED:
        stem = "upload-" + stem
    return stem + suffix


def unique_target(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.ext`, `-3`... when the name is taken (or reserved by an
    upload in flight)."""
    stem, suffix = name[: -len(Path(name).suffix) or None], Path(name).suffix
    candidate = folder / name
    i = 2
    while taken(candidate) or taken(folder / (STAGED + candidate.name)):
        candidate = folder / f"{stem}-{i}{suffix}"
        i += 1
    return candidate


def copy_into_corpus(source: Path, original_name: str, corpus_dir: Path) -> Path:
    """Copy an uploaded file into `corpus_dir` under a safe, unused name; return the new path."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    root = corpus_dir.resolve()
    name = safe_filename(original_name)
    for _ in range(100):
        target = unique_target(root, name)
        if target.resolve().parent != root:  # cannot happen with a safe name; refuse anyway
            raise BadInput(f"Cannot add {original_name!r}: the name points outside the corpus folder.")
        try:
            with open(source, "rb") as src, open(target, "xb") as dst:  # "x": never overwrite
                shutil.copyfileobj(src, dst)
            return target
        except FileExistsError:  # another upload took the name meanwhile
            continue
    raise BadInput(f"Cannot add {original_name!r}: no free file name in {corpus_dir}.")


def taken(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def corpus_file(corpus_dir: Path, file: str | None) -> Path | None:
    """The file inside `corpus_dir` that a document was read from (its `file`, never its `source`:
    a record may claim any source), or None if it is elsewhere or gone."""
    if not file:
        return None
    root = corpus_dir.resolve()
    path = Path(file)
    path = (path if path.is_absolute() else root / path).resolve()
    if path.parent == root or root in path.parents:
        return path if path.is_file() else None
    return None


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
