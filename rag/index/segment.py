"""One segment of an index: a batch of documents written once, read lazily, never changed in place.

    <segment>/docs.sqlite          documents (metadata and full text), rag/index/textstore.py
    <segment>/chunks.npy           int32 (passages, 4): document row, ordinal, start, end
    <segment>/bm25_*.npy           postings, rag/index/bm25.py
    <segment>/vec-<start>.npy      float32 vectors of passages start.. (added as embedding goes on)
    <segment>/ann.faiss            optional HNSW over all its vectors (rag/index/dense.py)
    <segment>/deleted.npy          int32 rows of deleted documents (a new file whenever it changes)

The manifest's entry for a segment says which of these exist: {"name", "documents", "passages",
"vectors": [[start, count], ...], "deleted": n, "ann": bool}. Arrays are memory-mapped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from rag.index.bm25 import FILES as BM25_FILES, Postings
from rag.index.textstore import DocStore, write_docs
from rag.types import Chunk, Document

BASE_FILES = ("docs.sqlite", "chunks.npy", *BM25_FILES)


def vec_file(start: int) -> str:
    return f"vec-{start:09d}.npy"


def files_of(info: dict) -> list[str]:
    names = list(BASE_FILES) + [vec_file(s) for s, _ in info.get("vectors", [])]
    if info.get("deleted"):
        names.append("deleted.npy")
    if info.get("ann"):
        names.append("ann.faiss")
    return names


def missing_files(folder: Path, manifest: dict) -> list[str]:
    return [f"{s['name']}/{f}" for s in manifest["segments"] for f in files_of(s)
            if not (folder / s["name"] / f).is_file()]


def write_segment(folder: Path, docs: Sequence[Document], hashes: Sequence[str],
                  chunks: Sequence[Sequence[Chunk]], tokens: Sequence[Sequence[str]]) -> dict:
    """Write documents, their chunks (per document) and the chunks' tokens; returns the manifest entry."""
    folder.mkdir()
    write_docs(folder / "docs.sqlite", docs, hashes)
    rows = [(d, c.ordinal, c.start, c.end) for d, cs in enumerate(chunks) for c in cs]
    np.save(folder / "chunks.npy", np.asarray(rows, np.int32).reshape(-1, 4))
    Postings.from_tokens(tokens).save(folder)
    return {"name": folder.name, "documents": len(docs), "passages": len(rows), "vectors": [], "deleted": 0,
            "ann": False}


class Segment:
    def __init__(self, folder: Path, info: dict, dim: int):
        from rag.index.dense import read_ann

        self.info, self.name = info, info["name"]
        self.docs = DocStore(folder / "docs.sqlite")
        self.chunks = np.asarray(np.load(folder / "chunks.npy", mmap_mode="r", allow_pickle=False))
        self.postings = Postings.load(folder)
        self.n_docs, self.n_rows = int(info["documents"]), int(info["passages"])
        self.blocks = []
        embedded = 0
        for start, count in info.get("vectors", []):
            v = np.asarray(np.load(folder / vec_file(start), mmap_mode="r", allow_pickle=False))
            if start != embedded or v.shape != (count, dim):
                raise ValueError(f"vectors of {self.name} do not follow on")
            self.blocks.append((start, v))
            embedded += count
        self.embedded = embedded
        self.ann = read_ann(folder / "ann.faiss") if info.get("ann") else None
        if info.get("deleted"):
            self.deleted = np.load(folder / "deleted.npy", allow_pickle=False)
        else:
            self.deleted = np.zeros(0, np.int32)
        if (self.chunks.shape != (self.n_rows, 4) or len(self.postings) != self.n_rows
                or embedded > self.n_rows or (self.ann is not None and self.ann.ntotal != embedded)):
            raise ValueError(f"segment {self.name} is inconsistent")

    def dead_docs(self) -> np.ndarray:
        """bool per document row: deleted?"""
        out = np.zeros(self.n_docs, bool)
        out[self.deleted] = True
        return out

    def dead_rows(self) -> np.ndarray:
        """bool per passage row: its document is deleted?"""
        return self.dead_docs()[np.asarray(self.chunks[:, 0])] if self.n_rows else np.zeros(0, bool)

    def live_docs(self) -> int:
        return self.n_docs - len(self.deleted)

    def live_rows(self) -> int:
        return int(self.n_rows - self.dead_rows().sum()) if len(self.deleted) else self.n_rows
