"""Putting uploaded files into the corpus folder, and taking deleted ones out. No Gradio here;
the app's knowledge-base tab and the HTTP API (rag.api) both use it.

An uploaded name is reduced to a plain base name (no folders, no '..', no hidden or reserved
names, a known extension) and the file is created exclusively, so nothing is written outside the
corpus folder and no existing file is overwritten.

`add_uploads` copies files in and indexes them with `pipeline.add_files`, undoing the copies when
that fails; `delete_document` takes a document out of the index and, when its file lies inside
the corpus folder, holds no other indexed document and is writable, the file too (otherwise a
rebuild would bring it back). Both hold one process-wide lock, so the page and the API never
interleave their changes.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rag.errors import BadInput, RagError
from rag.types import BuildReport, DocInfo

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl")
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
    """`folder/name`, or `folder/stem-2.ext`, `-3`... when the name is taken."""
    stem, suffix = name[: -len(Path(name).suffix) or None], Path(name).suffix
    candidate = folder / name
    i = 2
    while candidate.exists() or candidate.is_symlink():
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


def corpus_file(corpus_dir: Path, source: str | None) -> Path | None:
    """The file inside `corpus_dir` that a document's `source` names, or None if it is elsewhere."""
    if not source:
        return None
    root = corpus_dir.resolve()
    path = Path(source)
    path = (path if path.is_absolute() else root / path).resolve()
    if path.parent == root or root in path.parents:
        return path if path.is_file() else None
    return None


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


WRITE_LOCK = threading.Lock()  # one upload or delete at a time, from the page or the API


def short_paths(message: str, paths: Sequence[Path]) -> str:
    """The message with these (corpus) paths cut to their file names: no server path leaks out."""
    for p in sorted(paths, key=lambda p: -len(str(p))):
        message = message.replace(str(p), p.name)
    return message


@dataclass(frozen=True)
class Added:
    report: BuildReport
    stored: tuple[tuple[str, Path], ...]  # (uploaded name, file in the corpus folder) that were indexed
    skipped: tuple[tuple[str, str], ...]  # (uploaded name, why) for files that could not be read; removed


def add_uploads(pipeline, files: Sequence[tuple[Path, str]], corpus_dir: Path, progress=None) -> Added:
    """Copy (file, uploaded name) pairs into the corpus folder and index them, keeping the rest.

    On a RagError the copies are removed, the index is unchanged and the error is raised again
    with corpus paths cut to file names. Files the index could not read are removed and listed.
    """
    corpus_dir = Path(corpus_dir)
    copied: list[tuple[str, Path]] = []
    with WRITE_LOCK:
        try:
            for source, name in files:
                copied.append((name, copy_into_corpus(Path(source), name, corpus_dir)))
            report = pipeline.add_files([p for _, p in copied], progress=progress)
        except RagError as err:
            for _, p in copied:
                remove_quietly(p)
            raise type(err)(short_paths(str(err), [p for _, p in copied])) from None
        failed = {Path(p.path).name: p.message for p in report.problems}
        stored, skipped = [], []
        for name, p in copied:
            if p.name in failed:
                remove_quietly(p)
                skipped.append((name, short_paths(failed[p.name], [p])))
            else:
                stored.append((name, p))
    return Added(report, tuple(stored), tuple(skipped))


@dataclass(frozen=True)
class Deleted:
    report: BuildReport
    info: DocInfo  # the document as it was listed
    file: Path | None  # its file, when that lies inside the corpus folder
    file_kept: str | None  # None (removed or none), "shared" (holds other documents) or "read-only"


def delete_document(pipeline, doc_id: str, corpus_dir: Path) -> Deleted | None:
    """Delete one document from the index (and its own file); None when no such document is indexed."""
    corpus_dir = Path(corpus_dir)
    with WRITE_LOCK:
        docs = pipeline.documents()
        info = next((d for d in docs if d.id == doc_id), None)
        if info is None:
            return None
        path = corpus_file(corpus_dir, info.source)
        shared = path is not None and any(
            d.id != doc_id and corpus_file(corpus_dir, d.source) == path for d in docs
        )
        report = pipeline.delete_documents([doc_id])
        kept = None
        if path is not None and shared:
            kept = "shared"
        elif path is not None and not os.access(path, os.W_OK):
            kept = "read-only"
        elif path is not None:
            remove_quietly(path)
    return Deleted(report, info, path, kept)
