"""Cross-process locks beside an index directory (fcntl.flock), so that the command line, the app
and any number of other processes can change and read one index safely.

    writing(directory, wait_s, on_wait=None)   exclusive lock on `.<index>.lock`, held for a whole change
                                                (read the index, build, save); raises IndexBusy after wait_s
    swapping(directory, exclusive)             `.<index>.swap.lock`: exclusive for the renames that swap a
                                                saved index in, shared while a reader loads one, so a load
                                                never sees a half-swapped index
    busy(directory) -> bool                    another process holds the write lock now

The lock files are created on first use and never removed (removing a lock file races with its
users). flock locks belong to an open file, so they also exclude other threads and other Pipeline
objects of the same process, and the kernel releases them when a process dies, even by SIGKILL.
"""
from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import IndexBusy

POLL_S = 0.05


def write_lock_path(directory: Path) -> Path:
    directory = Path(directory)
    return directory.parent / f".{directory.name}.lock"


def swap_lock_path(directory: Path) -> Path:
    directory = Path(directory)
    return directory.parent / f".{directory.name}.swap.lock"


def _open(path: Path, create: bool) -> int | None:
    """A descriptor on the lock file; None when it cannot be opened (and `create` is False)."""
    try:
        if create:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        if create:
            raise
        return None


def _try(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise


@contextmanager
def writing(directory: Path, wait_s: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the exclusive write lock of the index at `directory`; wait up to `wait_s` seconds for it."""
    path = write_lock_path(directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open(path, create=True)
    except OSError as err:
        raise IndexBusy(f"Cannot lock the index at {directory}: {path} cannot be created ({err.strerror}); "
                        "check that its folder is writable.") from None
    try:
        if not _try(fd, fcntl.LOCK_EX):
            if on_wait:
                on_wait()
            deadline = time.monotonic() + wait_s
            while not _try(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"Another process has been changing the index at {directory} for over "
                                    f"{wait_s:g} s; try again when it has finished (`rag doctor` shows it), "
                                    "or raise RAG_LOCK_WAIT_S.")
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


@contextmanager
def swapping(directory: Path, exclusive: bool) -> Iterator[None]:
    """Exclusive: the swap of a saved index. Shared: a reader loading it. A reader that cannot
    open the lock file (a read-only folder, where nobody can swap either) reads unlocked."""
    path = swap_lock_path(directory)
    try:
        fd = _open(path, create=True)
    except OSError:
        if exclusive:
            raise
        fd = _open(path, create=False)
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        if fd is not None:
            os.close(fd)


@contextmanager
def write_lock_if_free(directory: Path) -> Iterator[bool]:
    """The write lock if no one holds it now (True), else nothing (False); never waits."""
    try:
        fd = _open(write_lock_path(directory), create=True)
    except OSError:
        yield False
        return
    try:
        yield _try(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)


def busy(directory: Path) -> bool:
    """True when some process holds the write lock of the index at `directory` now."""
    fd = _open(write_lock_path(directory), create=False)
    if fd is None:
        return False
    try:
        return not _try(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)
