"""Small file-system helpers shared by the stages (ground floor: the standard library only)."""
from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or folder; quietly nothing where the file system cannot (e.g. a folder)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a file system that cannot sync a folder
        pass
    finally:
        os.close(fd)


def write_blob_index(out: Path, head: bytes, blobs: list[bytes]) -> None:
    """Write `out` whole or not at all: the head's length (8 bytes, little-endian), the head, then
    the blobs it indexes (the layout of jieba_load's and lazy_tokenizer's files)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(len(head).to_bytes(8, "little") + head)
        for blob in blobs:
            fh.write(blob)
    os.replace(tmp, out)
