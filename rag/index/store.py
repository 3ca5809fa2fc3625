"""An index is a directory: manifest.json and segment folders (rag/index/segment.py).

    manifest.json   format_version 2, embedding model and dimension, tokenizer and chunker settings,
                    counts (documents, passages, embedded), corpus hash, and the segments in order
    s000001/ ...    one folder per segment: documents in SQLite, passages and BM25 postings and
                    vectors as .npy (memory-mapped), deleted documents

Every change is a new version of the directory, swapped in atomically (rag/index/versions.py); files
that stay the same are shared between versions by hard links, so adding a few documents or a block
of vectors costs what changed. No pickle anywhere.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from rag import locks
from rag.errors import IndexCorrupt, IndexMissing
from rag.index.backend import content_hash
from rag.index.versions import complete, leftovers, new_version, present, restorable, stamp, tidy
from rag.index.view import Index

__all__ = ["FORMAT_VERSION", "Index", "complete", "content_hash", "exists", "leftovers", "load",
           "make_manifest", "restorable", "save", "stamp", "tidy"]

FORMAT_VERSION = 2


def make_manifest(settings, model: str, dim: int, tokenizer: str, segments: list[dict], next_segment: int,
                  counts: dict, corpus_hash: str, embedding_runtime: str | None = None) -> dict:
    """embedding_runtime: how the vectors were computed (rag.models.embed.describe), once any were."""
    runtime = {"embedding_runtime": embedding_runtime} if embedding_runtime else {}
    return {
        "format_version": FORMAT_VERSION,
        "model": model,
        **runtime,
        "dim": int(dim),
        "normalized": True,
        "metric": "inner_product",
        "tokenizer": tokenizer,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "documents": counts["documents"],
        "chunks": counts["passages"],
        "embedded": counts["embedded"],
        "corpus_hash": corpus_hash,
        "next_segment": next_segment,
        "segments": segments,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def save(index: Index, directory: Path) -> None:
    """Write `index` (loaded from another directory) at `directory` as a new version; sets `index.stamp`."""
    directory = Path(directory)
    with new_version(directory) as v:
        for info in index.manifest["segments"]:
            v.link(Path(index.folder) / info["name"], info["name"])
        v.write_json("manifest.json", index.manifest)
    index.folder, index.stamp = directory, stamp(directory)


def exists(directory: Path) -> bool:
    directory = Path(directory)
    if not directory.parent.is_dir():
        return False
    with locks.swapping(directory, exclusive=False):
        return present(directory)


def _missing(directory: Path) -> IndexMissing:
    return IndexMissing(f"No index at {directory}. Build one with `rag index [PATH ...] --index {directory}`.")


def load(directory: Path) -> Index:
    """The index at `directory`, opened under the shared swap lock; raises IndexMissing / IndexCorrupt.
    Every file is opened here, so the Index keeps reading this version after another is swapped in."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        raise _missing(directory)
    with locks.swapping(directory, exclusive=False):
        if not present(directory):
            raise _missing(directory)
        index = _load(directory)
        index.stamp = stamp(directory)
    return index


def _corrupt(directory: Path, what: str) -> IndexCorrupt:
    return IndexCorrupt(f"Index at {directory} {what}. Rebuild it with `rag index --index {directory}`.")


def _load(directory: Path) -> Index:
    from rag.index.segment import Segment, missing_files

    try:
        manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise _corrupt(directory, f"cannot be read ({type(err).__name__})") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorrupt(
            f"Index at {directory} has format {manifest.get('format_version')!r}; this version reads "
            f"{FORMAT_VERSION}. Rebuild it with `rag index --index {directory}`."
        )
    try:
        missing = missing_files(directory, manifest)
    except (KeyError, TypeError):
        raise _corrupt(directory, "has a manifest without its segments") from None
    if missing:
        raise _corrupt(directory, f"is incomplete (missing {', '.join(missing[:3])})")
    try:
        segments = [Segment(directory / info["name"], info, int(manifest["dim"])) for info in manifest["segments"]]
        index = Index(manifest, segments, directory)
    except Exception as err:
        raise _corrupt(directory, f"cannot be read ({type(err).__name__})") from None
    st = index.status()
    if st["passages"] != manifest.get("chunks"):
        raise _corrupt(directory, "is inconsistent (passage counts differ)")
    return index
