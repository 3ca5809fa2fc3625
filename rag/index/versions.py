"""Atomic versions of an index directory.

Every change writes a temporary sibling `.<index>.tmp-*`: files that stay the same are hard links
to the current version's (so a version costs what changed, not the archive), new files are written
and synced, then the folder is swapped in with two renames (the old one becomes `.<index>.old-*`
and is removed), so readers never see a half-written index and a killed change leaves the previous
one. Files are never modified after they are written, so sharing them between versions is safe,
and a reader that has them open keeps reading its version after a swap. The renames happen under
the exclusive swap lock and a load under the shared one (rag/locks.py). Whoever changes an index
holds `locks.writing` around its whole change and calls `tidy` first: it puts back an index lost
between the two renames and removes what killed changes left behind. `stamp` says cheaply whether
the index on disk has changed since a load.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from rag import locks
from rag.files import fsync_path


class Version:
    """A version being written: `folder` is its temporary directory."""

    def __init__(self, directory: Path, folder: Path):
        self.directory, self.folder = directory, folder

    def link(self, src: Path, name: str, skip: Callable[[str], bool] = lambda f: False) -> None:
        """Share the files of subfolder `src` (of the current version) as `name` in this one."""
        dst = self.folder / name
        dst.mkdir()
        for f in src.iterdir():
            if f.is_file() and not skip(f.name):
                link_or_copy(f, dst / f.name)

    def write_json(self, name: str, data: dict) -> None:
        (self.folder / name).write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


@contextmanager
def new_version(directory: Path) -> Iterator[Version]:
    """Write a new version of the index at `directory` (the caller holds the write lock); swapped in
    when the block ends normally, thrown away when it raises."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield Version(directory, tmp)
        _sync(tmp)
        with locks.swapping(directory, exclusive=True):
            old = _swap_in(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)  # if this is cut short, the next change's tidy() ends it


def _sync(folder: Path) -> None:
    """Flush what this version wrote (files not shared with another version), and its folders."""
    for root, _dirs, files in os.walk(folder):
        for f in files:
            path = Path(root) / f
            if path.stat().st_nlink == 1:
                fsync_path(path)
        fsync_path(Path(root))


def _swap_in(tmp: Path, directory: Path) -> Path | None:
    """Rename `tmp` to `directory`; the previous `directory` becomes `.<name>.old-*`, returned."""
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    if directory.exists():
        os.rename(directory, old)
    try:
        os.rename(tmp, directory)
    except BaseException:
        if old.exists():
            os.rename(old, directory)
        raise
    fsync_path(directory.parent)
    return old if old.exists() else None


def stamp(directory: Path) -> tuple | None:
    """What changes whenever a version is swapped in at `directory` (one stat of its manifest)."""
    try:
        st = os.stat(Path(directory) / "manifest.json")
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def leftovers(directory: Path) -> list[Path]:
    """Folders that changes cut short left beside the index: `.<name>.tmp-*` and `.<name>.old-*`."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        return []
    found = [*directory.parent.glob(f".{directory.name}.tmp-*"), *directory.parent.glob(f".{directory.name}.old-*")]
    return sorted(p for p in found if p.is_dir() and not p.is_symlink())


def complete(folder: Path) -> bool:
    """`folder` holds a manifest that parses and every file it names."""
    from rag.index.segment import missing_files

    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        return not missing_files(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def restorable(directory: Path) -> Path | None:
    """When `directory` is gone but a change was killed between its two renames, the previous
    version it had moved aside (the newest complete `.<name>.old-*`); else None."""
    directory = Path(directory)
    if os.path.lexists(directory):
        return None
    olds = [p for p in leftovers(directory) if ".old-" in p.name and complete(p)]
    return max(olds, key=lambda p: (p / "manifest.json").stat().st_mtime_ns, default=None)


def tidy(directory: Path) -> list[Path]:
    """Put back an index lost between the two renames of a killed change and remove what killed
    changes left behind. Only for a holder of `locks.writing`. Returns the folders removed."""
    directory = Path(directory)
    if restorable(directory) is not None:
        with locks.swapping(directory, exclusive=True):
            _recover(directory)
    removed = []
    for p in leftovers(directory):
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _recover(directory: Path) -> None:
    old = restorable(directory)
    if old is not None:
        os.rename(old, directory)


def recover_if_free(directory: Path) -> None:
    """A reader's recovery: only when no process is changing the index (else that process does it)."""
    if restorable(directory) is None:
        return
    with locks.write_lock_if_free(directory) as free:
        if free:
            _recover(directory)


def present(directory: Path) -> bool:
    """Under the swap lock: the index is there (put back first if a killed change left it aside)."""
    if not (directory / "manifest.json").is_file():
        recover_if_free(directory)
    return (directory / "manifest.json").is_file()
