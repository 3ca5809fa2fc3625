"""Dense search over the passages that have vectors, which may be only some of them.

Vectors live in `.npy` blocks per segment, memory-mapped. Search is exact (numpy inner product)
except for segments that carry an approximate index (`ann.faiss`, HNSW): those are built once a
segment is fully embedded and the index holds at least ANN_MIN_ROWS passages, because exact search
over the whole archive costs ~75-150 ms a question on this machine (bench/bench_archive.py).

`Dense` answers like a FAISS index over *global* rows: `search(q, k) -> (scores, rows)`, rows -1
where fewer than k exist; `search_masked(q, k, mask)` keeps only rows whose mask is True.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

ANN_MIN_ROWS = 60_000  # passages in the index from which fully embedded segments get an HNSW index
ANN_M, ANN_EF_CONSTRUCTION, ANN_EF_SEARCH = 32, 80, 256  # recall@10 0.99 on tests/test_archive_index.py data
QUERY_BATCH = 64  # questions scored at once in exact search (bounds the score matrix)


class Dense:
    """parts: (global row of the part's first vector, vectors (m, dim)) with consecutive rows, and
    anns: (global row of the segment's first row, its vector count, faiss index over them)."""

    def __init__(self, dim: int, total_rows: int, parts: Sequence[tuple[int, np.ndarray]] = (),
                 anns: Sequence[tuple[int, int, object]] = ()):
        self.dim, self.total_rows = int(dim), int(total_rows)
        self.parts = [(int(s), v) for s, v in parts if len(v)]
        self.anns = list(anns)
        self.ntotal = sum(len(v) for _, v in self.parts) + sum(n for _, n, _ in self.anns)

    def covered(self) -> np.ndarray:
        """bool per global row: does it have a vector?"""
        out = np.zeros(self.total_rows, bool)
        for s, v in self.parts:
            out[s : s + len(v)] = True
        for s, n, _ in self.anns:
            out[s : s + n] = True
        return out

    def reconstruct_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(global rows, vectors) of every embedded passage, in row order (for tests and merging)."""
        pieces = [(s, np.asarray(v)) for s, v in self.parts]
        pieces += [(s, ann.reconstruct_n(0, n)) for s, n, ann in self.anns]
        pieces.sort(key=lambda p: p[0])
        if not pieces:
            return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
        rows = np.concatenate([np.arange(s, s + len(v)) for s, v in pieces])
        return rows, np.concatenate([v for _, v in pieces]).astype(np.float32, copy=False)

    def search(self, query_vectors, k: int):
        return self.search_masked(query_vectors, k, None)

    def search_masked(self, query_vectors, k: int, mask=None):
        q = np.ascontiguousarray(query_vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(q) > QUERY_BATCH:
            done = [self.search_masked(q[i : i + QUERY_BATCH], k, mask) for i in range(0, len(q), QUERY_BATCH)]
            return np.concatenate([d[0] for d in done]), np.concatenate([d[1] for d in done])
        found_s, found_r = [], []
        for start, vecs in self.parts:
            sc = q @ np.asarray(vecs).T  # (nq, m)
            if mask is not None:
                sc[:, ~mask[start : start + len(vecs)]] = -np.inf
            kk = min(k, sc.shape[1])
            top = np.argpartition(-sc, kk - 1, axis=1)[:, :kk]
            found_s.append(np.take_along_axis(sc, top, axis=1))
            found_r.append(top + start)
        for start, n, ann in self.anns:
            sc, rr = _ann_search(ann, q, k, None if mask is None else mask[start : start + n])
            found_s.append(sc)
            found_r.append(np.where(rr >= 0, rr + start, -1))
        out_s = np.full((len(q), k), -np.inf, np.float32)
        out_r = np.full((len(q), k), -1, np.int64)
        if not found_s:
            return out_s, out_r
        scores = np.concatenate(found_s, axis=1)
        rows = np.concatenate(found_r, axis=1)
        for i in range(len(q)):
            ok = (rows[i] >= 0) & np.isfinite(scores[i])
            r, sc = rows[i, ok], scores[i, ok]
            order = np.lexsort((r, -sc))[:k]  # best first; ties by row
            out_s[i, : len(order)], out_r[i, : len(order)] = sc[order], r[order]
        return out_s, out_r


def _ann_search(ann, q, k: int, mask):
    """Top-k of one HNSW index (local rows); with a mask, an ID selector, and exact search over the
    allowed vectors when the graph walk finds fewer than it could."""
    import faiss

    params = faiss.SearchParametersHNSW()
    params.efSearch = max(ANN_EF_SEARCH, k)
    if mask is not None:
        bits = np.packbits(mask, bitorder="little")
        params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        allowed = int(mask.sum())
    else:
        allowed = ann.ntotal
    scores, rows = ann.search(q, min(k, max(allowed, 1)), params=params)
    if mask is not None and ((rows >= 0).sum(axis=1) < min(k, allowed)).any():
        vecs = ann.reconstruct_n(0, ann.ntotal)
        sc = q @ vecs.T
        sc[:, ~mask] = -np.inf
        kk = min(k, allowed)
        rows = np.argsort(-sc, axis=1, kind="stable")[:, :kk]
        scores = np.take_along_axis(sc, rows, axis=1)
        rows = np.where(np.isfinite(scores), rows, -1)
    return scores.astype(np.float32), rows.astype(np.int64)


def build_ann(vectors: np.ndarray):
    import faiss

    ann = faiss.IndexHNSWFlat(vectors.shape[1], ANN_M, faiss.METRIC_INNER_PRODUCT)
    ann.hnsw.efConstruction = ANN_EF_CONSTRUCTION
    ann.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return ann


def write_ann(ann, path: Path) -> None:
    import faiss

    faiss.write_index(ann, str(path))


def read_ann(path: Path):
    import faiss

    try:  # the stored vectors memory-mapped rather than read into memory
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))
