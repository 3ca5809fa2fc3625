"""Putting uploaded files into the corpus folder, and taking deleted ones out. No Gradio here;
the app's knowledge-base tab and the HTTP API (rag.api) both use it.

An uploaded name is reduced to a plain base name (no folders, no '..', no hidden or reserved
names, a known extension) and the file is created exclusively, so nothing is written outside the
corpus folder and no existing file is overwritten.

`add_uploads` copies files in and indexes them with `pipeline.add_files`; a copy stays exactly
when some of its documents were indexed, and all copies go when indexing fails. `delete_document`
takes a document out of the index and, when the file it was read from (Document.file, never its
`source`) lies inside the corpus folder, holds no other indexed document and is writable, that
file too (otherwise a rebuild would bring it back); never any other file. Both hold the index's
write lock (`pipeline.writing`, rag/locks.py) for the whole change, so the page, the API and other
processes (`rag index`) never interleave their changes.
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from rag.errors import BadInput, RagError
from rag.types import BuildReport, DocInfo, Problem

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


def upload_folder() -> Path:
    """Gradio's temp folder for uploads (GRADIO_TEMP_DIR, else <tmp>/gradio), as gradio.utils finds it."""
    import tempfile

    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()


def discard_upload(path: Path) -> bool:
    """Delete Gradio's temp copy of an upload (and its then empty per-upload folder); True if deleted.

    Only a regular file strictly inside Gradio's upload folder is touched; any other path (a corpus
    file, a file a caller passed from elsewhere, a link out of the folder) is left alone."""
    try:
        root = upload_folder()
        path = Path(path)
        if path.is_symlink() or not path.is_file():
            return False
        resolved = path.resolve()
        if root not in resolved.parents:
            return False
        resolved.unlink()
        parent = resolved.parent
        if parent != root and root in parent.parents and not any(parent.iterdir()):
            parent.rmdir()
        return True
    except OSError:
        return False


def short_paths(message: str, paths: Sequence[Path]) -> str:
    """The message with these (corpus) paths cut to their file names: no server path leaks out."""
    for p in sorted(paths, key=lambda p: -len(str(p))):
        message = message.replace(str(p), p.name)
    return message


@dataclass(frozen=True)
class Added:
    report: BuildReport  # its problems with corpus paths cut to file names
    stored: tuple[tuple[str, Path], ...]  # (uploaded name, file in the corpus folder): some documents indexed
    skipped: tuple[tuple[str, str], ...]  # (uploaded name, why) for files nothing was indexed from; removed
    documents: tuple[tuple[str, ...], ...] = ()  # the ids indexed from each stored file, in `stored` order


def add_uploads(pipeline, files: Sequence[tuple[Path, str]], corpus_dir: Path, progress=None) -> Added:
    """Copy (file, uploaded name) pairs into the corpus folder and index them with `pipeline.add_files`.

    All under the index's write lock (`pipeline.writing`), so no other writer, in this process or
    another, sees a copy before it is indexed. A copy stays exactly when at least one of its
    documents was indexed (a JSONL file with a few bad lines stays); the others are removed and
    listed. Documents of other files are never replaced (see Pipeline.add_files). On any error the
    copies are removed and the index is unchanged; a RagError is raised again with corpus paths cut
    to file names.
    """
    from rag.ingest import file_key

    corpus_dir = Path(corpus_dir)
    copied: list[tuple[str, Path]] = []
    with pipeline.writing(progress):
        try:
            for source, name in files:
                copied.append((name, copy_into_corpus(Path(source), name, corpus_dir)))
            report = pipeline.add_files([p for _, p in copied], progress=progress)
        except BaseException as err:
            for _, p in copied:
                remove_quietly(p)
            if isinstance(err, RagError):
                raise type(err)(short_paths(str(err), [p for _, p in copied])) from None
            raise
        paths = [p for _, p in copied]
        indexed = dict(report.added)
        why: dict[str, list[str]] = {}
        for problem in report.problems:
            why.setdefault(Path(problem.path).name, []).append(short_paths(problem.message, paths))
        stored, skipped = [], []
        for name, p in copied:
            if indexed.get(str(p)):
                stored.append((name, p))
            else:
                remove_quietly(p)
                skipped.append((name, "; ".join(why.get(p.name, [])) or "no document could be read from it"))
        owners = {file_key(p, pipeline.settings.corpus_dir): i for i, (_, p) in enumerate(stored)}
        ids: list[list[str]] = [[] for _ in stored]
        for d in pipeline.documents():
            if d.file in owners:
                ids[owners[d.file]].append(d.id)
    problems = tuple(Problem(short_paths(q.path, paths), short_paths(q.message, paths)) for q in report.problems)
    return Added(replace(report, problems=problems), tuple(stored), tuple(skipped), tuple(tuple(i) for i in ids))


@dataclass(frozen=True)
class Deleted:
    report: BuildReport
    info: DocInfo  # the document as it was listed
    file: Path | None  # the file it was read from, when that lies inside the corpus folder
    file_kept: str | None  # None (removed, or no such file in the corpus folder), "shared" (holds other
    # documents), "read-only", or "unrecorded" (an index built before documents recorded their file)


def delete_document(pipeline, doc_id: str, corpus_dir: Path) -> Deleted | None:
    """Delete one document from the index and, when nothing else indexed came from it, the file it was
    read from (its `file`, never what its `source` says); never any other file. The listing, the
    delete and the removal are one change under the index's write lock. None when no such document
    is indexed."""
    corpus_dir = Path(corpus_dir)
    with pipeline.writing():
        docs = pipeline.documents()
        info = next((d for d in docs if d.id == doc_id), None)
        if info is None:
            return None
        path = corpus_file(corpus_dir, info.file)
        shared = path is not None and any(d.id != doc_id and d.file == info.file for d in docs)
        report = pipeline.delete_documents([doc_id])
        kept = None
        if info.file is None:
            kept = "unrecorded"
        elif path is None:
            pass
        elif shared:
            kept = "shared"
        elif not os.access(path, os.W_OK):
            kept = "read-only"
        else:
            remove_quietly(path)
    return Deleted(report, info, path, kept)
