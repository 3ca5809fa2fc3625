"""Question -> Hits: dense (FAISS) and sparse (BM25) search, fused."""
from __future__ import annotations

from typing import Sequence

from rag.fusion import convex, rrf
from rag.index import Index
from rag.types import Hit

MODES = ("hybrid", "dense", "bm25")


def search_batch(
    index: Index,
    embedder,
    questions: Sequence[str],
    k: int,
    mode: str = "hybrid",
    candidates: int = 50,
    fusion: str = "rrf",
    rrf_k: int = 60,
    query_vectors=None,
    sparse_queries: Sequence[str] | None = None,
) -> list[list[Hit]]:
    """Top-k hits per question. Dense scores are cosines, sparse scores BM25 (zero-score dropped).
    `sparse_queries` replaces the text BM25 sees (e.g. Chinese keywords for an English question)."""
    from rag.tokenize import tokenize

    if mode not in MODES:
        from rag.errors import RagError

        raise RagError(f"Unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}.")
    n = len(index.chunks)
    cand = min(max(candidates, k), n)
    dense_lists: list[list[tuple[int, float]]] = [[] for _ in questions]
    sparse_lists: list[list[tuple[int, float]]] = [[] for _ in questions]
    if n and mode in ("hybrid", "dense"):
        qv = embedder.embed_queries(list(questions)) if query_vectors is None else query_vectors
        scores, rows = index.dense.search(qv, cand)
        dense_lists = [[(int(r), float(s)) for r, s in zip(rr, ss) if r >= 0] for rr, ss in zip(rows, scores)]
    if n and mode in ("hybrid", "bm25"):
        texts = sparse_queries if sparse_queries is not None else questions
        sparse_lists = index.bm25.search_batch([tokenize(q) for q in texts], cand)

    out = []
    for dl, sl in zip(dense_lists, sparse_lists):
        if mode == "dense":
            fused = dl
        elif mode == "bm25":
            fused = sl
        elif fusion == "convex":
            fused = convex([dl, sl])
        else:
            fused = rrf([dl, sl], k=rrf_k)
        dmap = {r: (i + 1, s) for i, (r, s) in enumerate(dl)}
        smap = {r: (i + 1, s) for i, (r, s) in enumerate(sl)}
        hits = []
        for row, score in fused[:k]:
            dr, ds = dmap.get(row, (None, None))
            sr, ss = smap.get(row, (None, None))
            hits.append(Hit(index.chunks[row], score, ds, ss, dr, sr))
        out.append(hits)
    return out
