"""Ingest: files and folders -> Documents with cleaned text.

    load_paths(paths, root=None, progress=None, limits=None, owners=None, read_as=None) -> (documents, problems)
    keep_owners(read, owners) -> (documents, problems)                 one document per id (see load_paths)
    skip_claimed(docs, owners) -> (documents, replaced ids, problems)  adding files: others' ids are skipped
    file_key(path, root=None) -> str                                  the Document.file of a file's documents
    list_files(paths, root=None) -> list[Path]                        the files load_paths would read
    read_file(path, source, limits=None) -> list[Document]           raises BadInput
    clean_text(raw) -> str
    Limits.from_settings(settings=None)                               size caps (RAG_MAX_FILE_MB, RAG_MAX_JSONL_MB)

Ingest is a guarded boundary: only regular files are read (no pipes, devices or sockets), links
inside a folder are followed only while they stay inside it, sizes are capped, and every file that
is refused or fails becomes a one-line Problem while the rest is read.
Only the standard library is imported here; parsers load when a file needs them.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag.errors import BadInput
from rag.ingest.clean import clean_text
from rag.ingest.guards import Limits, link_outside
from rag.ingest.readers import JSONL_SUFFIXES, SUFFIXES, file_type, read_file, read_file_lenient
from rag.types import Document, Problem

__all__ = ["SUFFIXES", "Limits", "clean_text", "file_key", "keep_owners", "list_files", "load_paths", "read_file",
           "skip_claimed"]

Progress = Callable[[str, int, int], None]


def load_paths(
    paths: Sequence[Path | str], root: Path | None = None, progress: Progress | None = None,
    limits: Limits | None = None, owners: Mapping[str, str | None] | None = None,
    read_as: Mapping[str, Path | str] | None = None,
) -> tuple[list[Document], list[Problem]]:
    """Read files and folders into Documents; what cannot be read becomes a Problem.

    Folders are walked recursively in sorted order, skipping hidden files and folders and files
    of unsupported types; a file named explicitly with an unsupported type is a Problem.
    `source` (and the id of a one-article file) is the path relative to `root` when the file is
    under it, else relative to the folder that was given, else the file name.
    Every document's `file` is the file it was read from (`file_key`), whatever `source` a JSONL
    record gives: that file owns it. When several files give one id, one keeps it and the others'
    documents of that id are skipped with a Problem (ids stay stable; nothing is renamed behind the
    user's back), whatever the order the files are read in (`keep_owners`): the file `owners` (id ->
    file, the index as it is) says it was first indexed from, else a file whose own name gives the
    id over a JSONL record that claims it, else the first in reading order.
    `read_as` ({path as given: path}) reads a file as if it stood at another path (its source, id,
    owner and file-name date): an upload staged under a temporary name is read under its final one.
    Inside a folder, a symbolic link is read only when its real path is inside that folder; a
    file named on its own may be a link to anywhere. Either way only regular files are read.
    `limits` default to the settings in the environment.
    """
    limits = limits or Limits.from_settings()
    files, problems = _collect(paths, root)
    read: list[Read] = []
    total = len(files)
    if progress:
        progress("read", 0, total)
    read_as = {str(k): Path(v) for k, v in (read_as or {}).items()}
    for done, (path, source) in enumerate(files, 1):
        named = read_as.get(str(path))
        owner = file_key(named or path, root)
        if named is not None:
            source = _source(Path(os.path.realpath(named)), Path(os.path.realpath(root)) if root else None, None)
        try:
            found, bad_lines = read_file_lenient(path, source, limits, name=(named or path).name)
        except BadInput as err:
            problems.append(Problem(str(path), str(err)))
            found, bad_lines = [], []
        except Exception as err:  # a parser bug must not stop the build; report it like a bad file
            problems.append(Problem(str(path), f"could not be read ({type(err).__name__}: {err}); "
                                               "check the file or remove it"))
            found, bad_lines = [], []
        problems.extend(bad_lines)
        named_by_file = file_type(path) not in JSONL_SUFFIXES  # its ids come from its own path
        read.extend(Read(replace(doc, file=owner), str(path), named_by_file) for doc in found)
        if progress:
            progress("read", done, total)
    documents, clashes = keep_owners(read, owners or {})
    return documents, problems + clashes


@dataclass(frozen=True)
class Read:
    doc: Document  # its `file` set
    path: str  # the file as given, for messages
    named_by_file: bool  # its id comes from its file's own path (not a JSONL record's claim)


def keep_owners(read: Sequence[Read], owners: Mapping[str, str | None]) -> tuple[list[Document], list[Problem]]:
    """One document per id, in reading order, and a Problem for each one skipped. Of the documents
    giving one id, the one kept is the first that comes from (1) the file `owners` names for it (the
    file it is indexed from now), else (2) a file whose own path gives the id (`a.txt` gives `a.txt`
    and `a.txt#2`; a JSONL record only claims one), else (3) the first file read."""
    by_id: dict[str, list[int]] = {}
    for i, r in enumerate(read):
        by_id.setdefault(r.doc.id, []).append(i)
    skipped: dict[int, str] = {}
    for doc_id, rows in by_id.items():
        if len(rows) > 1:
            keeper, why = _keeper(rows, read, owners.get(doc_id))
            skipped.update((i, why) for i in rows if i != keeper)
    documents = [r.doc for i, r in enumerate(read) if i not in skipped]
    problems = [Problem(read[i].path, f"duplicate document id '{read[i].doc.id}' ({why}); skipped (a file never "
                                      "takes another file's documents), give it a unique id")
                for i, why in sorted(skipped.items())]
    return documents, problems


def skip_claimed(docs: Sequence[Document], owners: Mapping[str, str | None]) -> tuple[
        list[Document], set[str], list[Problem]]:
    """Adding files: (the documents to add, the ids they replace, Problems for the skipped). The
    files read replace what they gave before; a document whose id another file owns (`owners`:
    id -> file, the index as it is) is skipped: an added file never takes another file's documents."""
    replaced = {d.file for d in docs}
    dropped = {i for i, f in owners.items() if f in replaced}
    new, problems = [], []
    for d in docs:
        if d.id in owners and d.id not in dropped:
            problems.append(Problem(d.file or str(d.id), (
                f"document id '{d.id}' is already indexed from {owners[d.id] or 'another file'}; skipped "
                "(an added file never replaces another file's documents), give it a unique id")))
        else:
            new.append(d)
    return new, dropped, problems


def _keeper(rows: list[int], read: Sequence[Read], owner: str | None) -> tuple[int, str]:
    """Which of `rows` (documents of one id) keeps the id, and why the others are skipped."""
    for i in rows:
        if owner is not None and read[i].doc.file == owner:
            return i, f"it is indexed from {owner}, which keeps it"
    for i in rows:
        if read[i].named_by_file:
            return i, f"it is the name of {read[i].doc.file}, which keeps it"
    return rows[0], f"already read from {read[rows[0]].doc.file}"


def file_key(path: Path | str, root: Path | str | None = None) -> str:
    """Who owns the documents read from `path`: its real path relative to `root` (the corpus folder)
    when inside it, else its absolute real path. Unique per file, unlike a document's `source`."""
    real = Path(os.path.realpath(path))
    if root is not None:
        try:
            return real.relative_to(os.path.realpath(root)).as_posix()
        except ValueError:
            pass
    return real.as_posix()


def list_files(paths: Sequence[Path | str], root: Path | None = None) -> list[Path]:
    """The files `load_paths` would read, without reading them."""
    return [path for path, _ in _collect(paths, root)[0]]


def _collect(paths: Sequence[Path | str], root: Path | None) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """(file, source) pairs in reading order, and Problems for paths that cannot be used."""
    root_abs = Path(os.path.realpath(root)) if root is not None else None
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    taken: set[Path] = set()

    def add(path: Path, base: Path | None) -> None:
        real = Path(os.path.realpath(path))  # never raises, even for a link loop
        if real in taken:
            return
        taken.add(real)
        if not _is_text(str(path)) or not _is_text(str(real)):
            problems.append(Problem(_printable(path), "its name is not valid UTF-8 text, so it cannot be named in "
                                                      "the index; rename the file"))
            return
        files.append((path, _source(real, root_abs, base)))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            base = Path(os.path.realpath(path))
            found, unreadable = _walk(path)
            problems.extend(unreadable)
            for file in found:
                outside = link_outside(file, base)
                if outside is None:
                    add(file, base)
                else:
                    problems.append(Problem(str(file), f"is a link to {outside}, outside the folder being read "
                                                       f"({path}); links are followed only inside it, "
                                                       "copy the file in instead"))
        elif os.path.lexists(path):  # a file, or a pipe, device or broken link the reader reports
            if file_type(path):
                add(path, None)
            else:
                problems.append(Problem(str(path), f"unsupported file type '{path.suffix or path.name}'; "
                                                   f"supported: {' '.join(SUFFIXES)}"))
        else:
            problems.append(Problem(str(path), "no such file or folder; check the path"))
    return files, problems


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
        return False
    return True


def _printable(path: Path) -> str:
    """The path with the bytes that are not UTF-8 written as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _walk(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Supported files under `folder`, sorted by relative path, hidden ones and Office lock files
    skipped; links to folders are not followed. Folders that cannot be listed become Problems."""
    found: list[Path] = []
    problems: list[Problem] = []

    def unreadable(err: OSError) -> None:
        problems.append(Problem(str(err.filename or folder), f"cannot list the folder ({err.strerror or err}); "
                                                             "check its permissions"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith((".", "~$")) or not file_type(Path(name)):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix()), problems


def _source(resolved: Path, root: Path | None, base: Path | None) -> str:
    for anchor in (root, base):
        if anchor is not None:
            try:
                return resolved.relative_to(anchor).as_posix()
            except ValueError:
                pass
    return resolved.name
