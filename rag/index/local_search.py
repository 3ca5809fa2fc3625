"""Search in the local index (rag.index.view.Index): dense (FAISS) and sparse (BM25), fused.

Passages without vectors yet (an index still being embedded) are found by BM25 alone; deleted
documents' passages are masked out (`Index.live`). With filters both retrievers search only the
passages of documents that pass: BM25 zeroes the other rows before taking its top candidates,
FAISS searches with an ID selector over the allowed rows (or, for an index type without
selectors, searches deeper until enough allowed rows are found). Either way the candidates are
the best allowed ones, however many better-scoring passages were filtered out.
"""
from __future__ import annotations

from rag.index.backend import SearchRequest
from rag.types import Hit


def search(index, request: SearchRequest) -> list[list[Hit]]:
    """Top-k hits per question. Dense scores are cosines, sparse scores BM25 (zero-score dropped);
    hybrid fuses the two lists with `request.fuse`."""
    from rag.index.tokenize import tokenize

    questions, k, mode, where = request.questions, request.k, request.mode, request.where
    mask = index.chunk_mask(where) if where is not None and where.active else index.live
    n = len(index.chunks) if mask is None else int(mask.sum())  # passages that may be returned
    cand = min(max(request.candidates, k), n)
    dense_lists: list[list[tuple[int, float]]] = [[] for _ in questions]
    sparse_lists: list[list[tuple[int, float]]] = [[] for _ in questions]
    if n and mode in ("hybrid", "bm25"):  # first: a question's vector may be on its way in another thread
        sparse_lists = index.bm25.search_batch([tokenize(q) for q in request.sparse_queries], cand, mask)
    if n and mode in ("hybrid", "dense"):
        qv = request.embed_queries(list(questions)) if request.query_vectors is None else request.query_vectors
        dense_lists = dense_search(index.dense, qv, cand, mask)

    out = []
    for dl, sl in zip(dense_lists, sparse_lists):
        fused = dl if mode == "dense" else sl if mode == "bm25" else request.fuse([dl, sl])
        dmap = {r: (i + 1, s) for i, (r, s) in enumerate(dl)}
        smap = {r: (i + 1, s) for i, (r, s) in enumerate(sl)}
        hits = []
        for row, score in fused[:k]:
            dr, ds = dmap.get(row, (None, None))
            sr, ss = smap.get(row, (None, None))
            hits.append(Hit(index.chunks[row], score, ds, ss, dr, sr))
        out.append(hits)
    return out


def dense_search(dense, query_vectors, k: int, mask=None) -> list[list[tuple[int, float]]]:
    """Top-k (row, cosine) per query vector from the FAISS index; with `mask` (bool per row) the
    top k among its True rows."""
    if hasattr(dense, "search_masked"):  # rag.index.dense.Dense: rows of the index, masked in place
        scores, rows = dense.search_masked(query_vectors, k, mask)
    elif mask is None:
        scores, rows = dense.search(query_vectors, k)
    else:
        scores, rows = _masked_search(dense, query_vectors, k, mask)
    return [[(int(r), float(s)) for r, s in zip(rr, ss) if r >= 0] for rr, ss in zip(rows, scores)]


def _masked_search(dense, query_vectors, k: int, mask):
    import faiss
    import numpy as np

    bits = np.packbits(mask, bitorder="little")  # kept alive for the search: FAISS reads it in place
    try:
        selector = faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits))
        return dense.search(query_vectors, k, params=faiss.SearchParameters(sel=selector))
    except (TypeError, RuntimeError):  # an index without ID selectors: search deeper, then filter
        pass
    total = len(mask)
    depth = min(total, 4 * k)
    while True:
        scores, rows = dense.search(query_vectors, depth)
        allowed = (rows >= 0) & mask[np.clip(rows, 0, None)]
        if depth >= total or (allowed.sum(axis=1) >= k).all():
            break
        depth = min(total, 4 * depth)
    out_scores = np.full((len(rows), k), -np.inf, np.float32)
    out_rows = np.full((len(rows), k), -1, np.int64)
    for i, (ok, ss, rr) in enumerate(zip(allowed, scores, rows)):
        keep = np.flatnonzero(ok)[:k]
        out_scores[i, : len(keep)], out_rows[i, : len(keep)] = ss[keep], rr[keep]
    return out_scores, out_rows
