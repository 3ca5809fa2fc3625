"""Putting uploaded files into the corpus folder, and taking deleted ones out. No Gradio here;
the app's knowledge-base tab and the HTTP API (rag.api) both use it.

An uploaded name is reduced to a plain base name (no folders, no '..', no hidden or reserved
names, a known extension) and the file is created exclusively, so nothing is written outside the
corpus folder and no existing file is overwritten.

`add_uploads` copies files in and indexes them with `pipeline.add_files`; a copy stays exactly
when some of its documents were indexed, and all copies go when indexing fails. An upload is
committed whole or not at all: it is copied under a hidden name (`.uploading-<name>`, which also
reserves <name>), read and embedded outside the index's write lock, and renamed to <name> under
the lock right after the index commit, so a folder listing never shows an upload that is not
indexed. The copy is locked (flock) while its upload is in flight; `finish_uploads` (at start:
`recover`, and at every `rag index`) renames what a killed process had committed and removes the
rest. `delete_document` takes a document out of the index and, when the file it was read from
(Document.file, never its `source`) lies inside the corpus folder, holds no other indexed document
and is writable, that file too (otherwise a rebuild would bring it back); never any other file,
all under the index's write lock (`pipeline.writing`, rag/locks.py), so the page, the API and
other processes (`rag index`) never interleave their changes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Sequence

from rag.corpus_files import (  # noqa: F401 - re-exported: the page and the API import them from here
    ALLOWED_SUFFIXES, STAGED, MAX_STEM, safe_filename, unique_target, copy_into_corpus, taken, corpus_file, remove_quietly,
)
from rag.errors import RagError
from rag.types import BuildReport, DocInfo, Problem



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


def add_uploads(pipeline, files: Sequence[tuple[Path | BinaryIO, str]], corpus_dir: Path, progress=None) -> Added:
    """Copy (file or binary stream, uploaded name) pairs into the corpus folder and index them with
    `pipeline.add_files`.

    Each is copied under its hidden name (rag/staging.py) and read and embedded outside the write
    lock; under it, right after the index commit, the copies that gave documents are renamed into
    place, so no other writer, in this process or another, sees a copy that is not indexed, and a
    killed server leaves nothing half done (`recover`). A copy stays exactly when at least one of its
    documents was indexed (a JSONL file with a few bad lines stays); the others are removed and
    listed. Documents of other files are never replaced (see Pipeline.add_files). On an error before
    the commit the copies are removed and the index is unchanged; a RagError is raised again with
    corpus paths cut to file names.
    """
    from rag.ingest import file_key
    from rag.staging import stage_upload

    corpus_dir = Path(corpus_dir)
    staged = []

    def commit(added: dict[str, int]) -> None:  # under the write lock, right after the index commit
        for s in staged:
            if added.get(str(s.temp)):
                os.replace(s.temp, s.final)
                s.kept = True

    try:
        for source, name in files:
            staged.append(stage_upload(source, name, corpus_dir))
        report = pipeline.add_files([s.temp for s in staged], progress=progress,
                                    read_as={str(s.temp): s.final for s in staged}, on_commit=commit)
    except RagError as err:
        if any(s.kept for s in staged):
            raise
        raise type(err)(_shown(str(err), staged)) from None
    finally:
        for s in staged:
            s.done()
    why: dict[str, list[str]] = {}
    for problem in report.problems:
        why.setdefault(Path(_shown(problem.path, staged)).name, []).append(_shown(problem.message, staged))
    stored = [(s.name, s.final) for s in staged if s.kept]
    skipped = [(s.name, "; ".join(why.get(s.final.name, [])) or "no document could be read from it")
               for s in staged if not s.kept]
    owners = {file_key(p, pipeline.settings.corpus_dir): i for i, (_, p) in enumerate(stored)}
    ids: list[list[str]] = [[] for _ in stored]
    for d in pipeline.documents():
        if d.file in owners:
            ids[owners[d.file]].append(d.id)
    problems = tuple(Problem(_shown(q.path, staged), _shown(q.message, staged)) for q in report.problems)
    return Added(replace(report, problems=problems), tuple(stored), tuple(skipped), tuple(tuple(i) for i in ids))


def _shown(text: str, staged) -> str:
    """Corpus paths of these uploads (staged or in place) cut to their final file names."""
    for s in sorted(staged, key=lambda s: -len(str(s.temp))):
        text = text.replace(str(s.temp), s.final.name).replace(str(s.final), s.final.name)
        text = text.replace(s.temp.name, s.final.name)
    return text


def recover(pipeline, log=None) -> int:
    """Put right what a killed server left, at the start of the next (in its background thread,
    after it is ready: answers go on meanwhile): uploads cut short are finished or removed
    (rag.staging.finish_uploads), old temporary upload folders removed, and passages left without
    vectors embedded (resumable, a block at a time; until then BM25 finds them). `log(line)` hears
    what was done. Returns the passages embedded."""
    from rag.staging import finish_uploads, remove_receiving

    say = log or (lambda line: None)
    with pipeline.writing():
        indexed = indexed_files(pipeline)
        if indexed is not None:
            finished, removed = finish_uploads(pipeline.settings.corpus_dir, indexed)
            if finished:
                say(f"Finished {len(finished)} upload(s) committed before a stop: {', '.join(finished)}")
            if removed:
                say(f"Removed {len(removed)} upload(s) cut short before their commit: {', '.join(removed)}")
    if remove_receiving():
        say("Removed temporary upload folders left by a stopped server.")
    try:
        st = pipeline.status() if pipeline.has_index() else None
        if st is None or st["embedded"] >= st["passages"]:
            return 0
        say(f"Embedding {st['passages'] - st['embedded']} passage(s) left without vectors ...")
        n = pipeline.embed()
        say(f"Embedded {n} passage(s).")
        return n
    except RagError as err:
        say(f"error: passages without vectors stay found by BM25 alone: {err}")
        return 0


def indexed_files(pipeline) -> set[str] | None:
    """The files indexed documents were read from; empty without an index, None when it cannot be read."""
    from rag.errors import IndexMissing

    try:
        return {d.file for d in pipeline.documents() if d.file}
    except IndexMissing:
        return set()
    except RagError:
        return None


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
