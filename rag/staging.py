"""Uploads staged in the corpus folder, so that each is committed whole or not at all.

    stage_upload(source, name, corpus_dir) -> Staged     copied in as `.uploading-<name>`, locked
    finish_uploads(corpus_dir, indexed) -> (finished, removed)
    staged_uploads(corpus_dir) -> names                  uploads not yet committed (rag doctor)
    remove_receiving(max_age_s) -> folders               old <tmp>/rag-upload-* folders, removed

An upload is copied under a hidden name (walking the corpus skips it; it also reserves the final
name) and flock-ed while its upload is in flight; rag.documents.add_uploads renames it into place
under the index's write lock right after the index commit. A process killed before the commit
leaves a copy that no document names, after it one whose documents the index holds:
`finish_uploads` removes the first kind and renames the second, and never touches a locked
(in flight) copy. Staging takes a shared flock on the corpus folder while it creates and locks a
copy, finishing an exclusive one, so a copy is never seen unlocked.
"""
from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Collection

from rag.corpus_files import STAGED, remove_quietly, safe_filename, taken, unique_target
from rag.errors import BadInput

RECEIVING = "rag-upload-"  # temporary folders of uploads being received (earlier versions of the API)
RECEIVING_AGE_S = 600  # such a folder untouched this long belongs to no upload in flight


@dataclass
class Staged:
    """An upload copied into the corpus folder under its hidden name, locked while in flight."""

    name: str  # as uploaded
    temp: Path  # corpus/.uploading-<final name>
    final: Path  # corpus/<final name>
    handle: BinaryIO | None = field(default=None, repr=False)  # open and flock-ed until done
    kept: bool = False  # renamed to `final`: its documents are committed

    def done(self) -> None:
        """Close it; a copy that was not kept is removed."""
        if not self.kept:
            remove_quietly(self.temp)
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def stage_upload(source: Path | BinaryIO, original_name: str, corpus_dir: Path) -> Staged:
    """Copy an upload (a file, or a readable binary stream) into `corpus_dir` as `.uploading-<name>`,
    where <name> is a safe name free in the folder; the hidden copy reserves it."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    root = corpus_dir.resolve()
    name = safe_filename(original_name)
    staged = None
    with _folder_lock(root, exclusive=False):  # finish_uploads never sees a copy before it is locked
        for _ in range(100):
            final = unique_target(root, name)
            temp = root / (STAGED + final.name)
            if final.resolve().parent != root:  # cannot happen with a safe name; refuse anyway
                raise BadInput(f"Cannot add {original_name!r}: the name points outside the corpus folder.")
            try:
                handle = open(temp, "xb")  # "x": never overwrite
            except FileExistsError:  # another upload took the name meanwhile
                continue
            _lock(handle.fileno(), wait=True)
            staged = Staged(original_name, temp, final, handle)
            break
    if staged is None:
        raise BadInput(f"Cannot add {original_name!r}: no free file name in {corpus_dir}.")
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as src:
                shutil.copyfileobj(src, staged.handle)
        else:
            shutil.copyfileobj(source, staged.handle)
        staged.handle.flush()
    except BaseException:
        staged.done()
        raise
    return staged


def finish_uploads(corpus_dir: Path, indexed: Collection[str]) -> tuple[list[str], list[str]]:
    """Uploads that a killed process left in the corpus folder: a copy whose documents the index
    holds (`indexed`: the files documents were read from, Document.file) is renamed into place,
    any other is removed; copies of uploads in flight (locked) are left alone. Returns the names
    finished and removed."""
    from rag.ingest import file_key

    root = Path(corpus_dir)
    finished: list[str] = []
    removed: list[str] = []
    if not root.is_dir():
        return finished, removed
    root = root.resolve()
    with _folder_lock(root, exclusive=True):
        for temp in sorted(root.glob(STAGED + "*")):
            fd = _open_unfollowed(temp)
            if fd is None or not _lock(fd, wait=False):
                if fd is not None:
                    os.close(fd)
                continue  # in flight, or not a plain file: not ours to touch
            try:
                final = root / temp.name[len(STAGED):]
                if file_key(final, root) in indexed and not taken(final):
                    os.replace(temp, final)
                    finished.append(final.name)
                else:
                    remove_quietly(temp)
                    removed.append(final.name)
            except OSError:  # a folder that cannot be written: `rag doctor` keeps naming the copy
                pass
            finally:
                os.close(fd)
    return finished, removed


def staged_uploads(corpus_dir: Path) -> list[str]:
    """The names of uploads not yet committed in the corpus folder (in flight, or left by a kill)."""
    root = Path(corpus_dir)
    return sorted(p.name[len(STAGED):] for p in root.glob(STAGED + "*")) if root.is_dir() else []


def remove_receiving(max_age_s: float = RECEIVING_AGE_S) -> list[Path]:
    """Remove this user's temporary upload folders (<tmp>/rag-upload-*) left by a killed server
    of an earlier version (they held whole uploads for ever); ones touched within `max_age_s` may
    belong to a server still receiving and stay. Returns those removed."""
    import tempfile

    gone = []
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(RECEIVING + "*"):
        try:
            info = folder.lstat()
            if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid() \
                    or now - info.st_mtime < max_age_s:
                continue
            shutil.rmtree(folder)
            gone.append(folder)
        except OSError:
            continue
    return gone


@contextmanager
def _folder_lock(folder: Path, exclusive: bool):
    """flock on the folder itself: staging takes it shared, finishing exclusive."""
    try:
        import fcntl
    except ImportError:  # no flock: nothing to coordinate with
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _lock(fd: int, wait: bool) -> bool:
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except BlockingIOError:
        return False


def _open_unfollowed(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
