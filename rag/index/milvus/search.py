"""Search in a Milvus store's engine (rag.index.backend.SearchRequest over a MilvusIndex): dense
(inner product of normalised vectors), BM25 (jieba analyzer) or both fused by the engine's ranker
of the request's fusion strategy (RRF; weighted for convex). Filters become an expression of
escaped literals (rag/index/milvus/expr.py). Equal scores are ordered as the local index orders
them: by the order passages were added.
"""
from __future__ import annotations

import numpy as np

from rag.index.backend import SearchRequest
from rag.index.milvus.expr import filter_expr
from rag.types import Chunk, Hit

TIE_DEPTH = 8  # hits fetched past k, so that a tie at the k-th place is broken as locally
FIELDS = ["doc_id", "ordinal", "start", "end", "text", "added"]


def _ranker(request: SearchRequest):
    from pymilvus import RRFRanker, WeightedRanker

    rankers = {"rrf": lambda: RRFRanker(request.rrf_k), "convex": lambda: WeightedRanker(0.5, 0.5)}
    return rankers[request.fusion]()


def search(view, request: SearchRequest) -> list[list[Hit]]:
    from rag.text import normalize_for_search

    questions, k, mode = request.questions, request.k, request.mode
    expr = filter_expr(request.where, view.sources)
    cand = min(max(request.candidates, k), 16384)
    qv = None
    if mode in ("hybrid", "dense"):
        qv = request.embed_queries(list(questions)) if request.query_vectors is None else request.query_vectors
        qv = np.asarray(qv, np.float32)
    texts = [normalize_for_search(t) for t in request.sparse_queries]
    dense_params = {"metric_type": "IP",
                    "params": {"ef": max(64, cand)} if view.description.get("index") == "HNSW" else {}}
    out = []
    for i in range(len(questions)):
        found = _one(view, mode, qv[i] if qv is not None else None, texts[i], k + TIE_DEPTH, cand, expr,
                     dense_params, request)
        # best first; ties by the order passages were added, as the local index's rows
        found.sort(key=lambda f: (-f[1], int(_field(f[0], "added")), int(_field(f[0], "ordinal"))))
        out.append([_hit(*f) for f in found[:k]])
    return out


def _one(view, mode: str, qv, text: str, deep: int, cand: int, expr: str, dense_params: dict, request):
    """(engine hit, score, dense score, sparse score) of one question, `deep` of them at most."""
    from pymilvus import AnnSearchRequest

    s = view.store
    has_terms = bool(text.strip())
    if mode == "dense" or (mode == "hybrid" and not has_terms):
        res = s.call("searching", "search", s.name, data=[qv.tolist()], anns_field="vector",
                     limit=deep, filter=expr, output_fields=FIELDS, search_params=dense_params)
        return [(h, _dist(h), _dist(h), None) for h in res[0]]
    if mode == "bm25" and not has_terms:  # nothing for BM25 to look for (e.g. only punctuation)
        return []
    if mode == "bm25":
        res = s.call("searching", "search", s.name, data=[text], anns_field="sparse", limit=deep,
                     filter=expr, output_fields=FIELDS, search_params={"metric_type": "BM25"})
        return [(h, _dist(h), None, _dist(h)) for h in res[0] if _dist(h) > 0]
    reqs = [AnnSearchRequest(data=[qv.tolist()], anns_field="vector", param=dense_params,
                             limit=cand, expr=expr or None),
            AnnSearchRequest(data=[text], anns_field="sparse", param={"metric_type": "BM25"},
                             limit=cand, expr=expr or None)]
    res = s.call("searching", "hybrid_search", s.name, reqs, _ranker(request), limit=deep,
                 output_fields=FIELDS + ["vector"])
    return [(h, _dist(h), float(np.dot(qv, np.asarray(_field(h, "vector"), np.float32))), None) for h in res[0]]


def _dist(h) -> float:
    d = getattr(h, "distance", None)
    return float(h["distance"] if d is None else d)


def _field(h, name: str):
    e = h.get("entity") or h
    return e[name]


def _hit(h, score: float, dense: float | None, sparse: float | None) -> Hit:
    e = h.get("entity") or h
    chunk = Chunk(e["doc_id"], int(e["ordinal"]), int(e["start"]), int(e["end"]), e["text"])
    return Hit(chunk, score, dense, sparse)
