"""Ingest: files and folders -> Documents with cleaned text.

    load_paths(paths, root=None, progress=None) -> (documents, problems)
    read_file(path, source) -> list[Document]            raises BadInput
    clean_text(raw) -> str

Only the standard library is imported here; parsers load when a file needs them.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.errors import BadInput
from rag.ingest.clean import clean_text
from rag.ingest.readers import SUFFIXES, file_type, read_file, read_file_lenient
from rag.types import Document, Problem

__all__ = ["SUFFIXES", "clean_text", "load_paths", "read_file"]

Progress = Callable[[str, int, int], None]


def load_paths(
    paths: Sequence[Path | str], root: Path | None = None, progress: Progress | None = None
) -> tuple[list[Document], list[Problem]]:
    """Read files and folders into Documents; what cannot be read becomes a Problem.

    Folders are walked recursively in sorted order, skipping hidden files and folders and files
    of unsupported types; a file named explicitly with an unsupported type is a Problem.
    `source` (and the id of a one-article file) is the path relative to `root` when the file is
    under it, else relative to the folder that was given, else the file name.
    A document whose id was already seen is skipped with a Problem (ids stay stable; nothing is
    renamed behind the user's back).
    """
    files, problems = _collect(paths, root)
    documents: list[Document] = []
    seen: dict[str, str] = {}
    total = len(files)
    if progress:
        progress("read", 0, total)
    for done, (path, source) in enumerate(files, 1):
        try:
            found, bad_lines = read_file_lenient(path, source)
        except BadInput as err:
            problems.append(Problem(str(path), str(err)))
            found, bad_lines = [], []
        except Exception as err:  # a parser bug must not stop the build; report it like a bad file
            problems.append(Problem(str(path), f"could not be read ({type(err).__name__}: {err}); "
                                               "check the file or remove it"))
            found, bad_lines = [], []
        problems.extend(bad_lines)
        for doc in found:
            if doc.id in seen:
                problems.append(Problem(str(path), f"duplicate document id '{doc.id}' (already read from "
                                                   f"{seen[doc.id]}); skipped, give it a unique id"))
                continue
            seen[doc.id] = source
            documents.append(doc)
        if progress:
            progress("read", done, total)
    return documents, problems


def _collect(paths: Sequence[Path | str], root: Path | None) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """(file, source) pairs in reading order, and Problems for paths that cannot be used."""
    root_abs = Path(root).resolve() if root is not None else None
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    taken: set[Path] = set()

    def add(path: Path, base: Path | None) -> None:
        resolved = path.resolve()
        if resolved in taken:
            return
        taken.add(resolved)
        files.append((path, _source(resolved, root_abs, base)))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            base = path.resolve()
            for file in _walk(path):
                add(file, base)
        elif path.is_file():
            if file_type(path):
                add(path, None)
            else:
                problems.append(Problem(str(path), f"unsupported file type '{path.suffix or path.name}'; "
                                                   f"supported: {' '.join(SUFFIXES)}"))
        else:
            problems.append(Problem(str(path), "no such file or folder; check the path"))
    return files, problems


def _walk(folder: Path) -> list[Path]:
    """Supported files under `folder`, sorted by relative path, hidden ones and Office lock files skipped."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith((".", "~$")) or not file_type(Path(name)):
                continue
            found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _source(resolved: Path, root: Path | None, base: Path | None) -> str:
    for anchor in (root, base):
        if anchor is not None:
            try:
                return resolved.relative_to(anchor).as_posix()
            except ValueError:
                pass
    return resolved.name
