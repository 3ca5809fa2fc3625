"""MilvusIndex: what the pipeline reads from a Milvus store, with the surface of rag.index.view.Index
that the rest of the product uses (document, documents, doc_infos, doc_keys, doc_files, status,
manifest, check_model, bm25.idf_of / max_idf) and a `search_batch` that runs in the engine.

Every read goes to Milvus (strong consistency), so a document another process added is seen at
once; only the passage count behind the answerer's idf weights is kept a few seconds.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Iterator, Sequence

import numpy as np

from rag.errors import ModelMismatch, RagError
from rag.index.milvus.expr import doc_ids_expr, filter_expr
from rag.types import Chunk, DocInfo, Document, Hit

COUNT_TTL_S = 5.0
TIE_DEPTH = 8  # hits fetched past k, so that a tie at the k-th place is broken as locally
DOC_META = ["doc_id", "title", "date", "source", "file", "hash", "chars", "passages", "added"]


class _Idf:
    """Idf weights of question terms (the answerer's bm25.idf_of / max_idf) from the engine's BM25
    index: a term's document frequency is the number of passages a BM25 search for it finds
    (counted up to IDF_DEPTH), over the passages in the collection; the formula is rag.index.bm25's."""

    def __init__(self, view: "MilvusIndex"):
        self.view = view
        self._cache: dict[str, float | None] = {}

    @property
    def n(self) -> int:
        return self.view.passage_count()

    def _idf(self, df: int) -> float:
        return math.log1p((self.n - df + 0.5) / (df + 0.5))

    def idf_of(self, term: str) -> float | None:
        if term not in self._cache:
            if len(self._cache) > 20000:
                self._cache.clear()
            df = self.view.term_counts([term])[0]
            self._cache[term] = self._idf(df) if df else None
        return self._cache[term]

    @property
    def max_idf(self) -> float:
        return self._idf(1) if self.n else 1.0


class MilvusIndex:
    folder = None
    segments: list = []  # nothing to merge (rag/index/merge.py)

    def __init__(self, store, description: dict):
        self.store, self.description = store, description  # what the collection was built with
        self.stamp = ("milvus", store.uri, store.name)
        self.bm25 = _Idf(self)
        self._count: tuple[float, int] | None = None
        self._lock = threading.Lock()

    @property
    def manifest(self) -> dict:
        """The description with the counts, as a local index's manifest has them."""
        st = self.status()
        return {**self.description, "documents": st["documents"], "chunks": st["passages"],
                "embedded": st["embedded"], "store": f"milvus:{self.store.uri}", "collection": self.store.name}

    def changed(self) -> None:
        self._count = None
        self.bm25._cache.clear()

    def check_model(self, model_name: str) -> None:
        built = self.description.get("model")
        if built != model_name:
            raise ModelMismatch(
                f"Milvus collection {self.store.name!r} holds vectors of {built!r}, but {model_name!r} is "
                f"selected. Select {built!r} (RAG_MODEL) or use another collection (RAG_MILVUS_COLLECTION).")

    # -- counts -------------------------------------------------------------------------------
    def passage_count(self) -> int:
        now = time.monotonic()
        cached = self._count
        if cached is None or now - cached[0] > COUNT_TTL_S:
            rows = self.store.call("counting passages", "query", self.store.name, filter="",
                                   output_fields=["count(*)"])
            cached = self._count = (now, int(rows[0]["count(*)"]) if rows else 0)
        return cached[1]

    def status(self) -> dict:
        s = self.store
        docs = s.call("counting documents", "query", s.docs_name, filter="part == 0", output_fields=["count(*)"])
        self._count = None
        n = self.passage_count()
        return {"documents": int(docs[0]["count(*)"]) if docs else 0, "passages": n, "embedded": n, "segments": 1}

    def term_counts(self, terms: Sequence[str]) -> list[int]:
        """Passages holding each term (by the engine's analyzer): exact up to IDF_DEPTH; for a more
        common term, counted in a fraction of the passages (by their hash bucket) and scaled up."""
        from rag.index.milvus.store import BUCKETS, IDF_DEPTH
        from rag.text import normalize_for_search

        texts = [normalize_for_search(t) for t in terms]
        counts = self._count_in(texts, "")
        need = [i for i, c in enumerate(counts) if c >= IDF_DEPTH]
        width = BUCKETS
        while need and width > 1:
            width //= 8
            found = self._count_in([texts[i] for i in need], f"bucket < {width}")
            for i, c in zip(need, found):
                counts[i] = c * (BUCKETS // width)
            need = [i for i, c in zip(need, found) if c >= IDF_DEPTH]
        return counts

    def _count_in(self, texts: list[str], expr: str) -> list[int]:
        if not texts:
            return []
        from rag.index.milvus.store import IDF_DEPTH

        res = self.store.call("weighing question terms", "search", self.store.name, data=texts, filter=expr,
                              anns_field="sparse", limit=IDF_DEPTH, output_fields=[],
                              search_params={"metric_type": "BM25"})
        return [len(r) for r in res]

    # -- documents ----------------------------------------------------------------------------
    def _meta(self, expr: str = "part == 0") -> Iterator[dict]:
        return self.store.rows(self.store.docs_name, expr, DOC_META, "listing documents")

    def _rows(self) -> list[dict]:
        return sorted(self._meta(), key=lambda r: (r["added"], r["doc_id"]))

    def doc_infos(self) -> list[DocInfo]:
        return [DocInfo(r["doc_id"], r["title"] or None, r["date"] or None, r["source"] or None, int(r["chars"]),
                        int(r["passages"]), r["file"] or None) for r in self._rows()]

    def doc_keys(self) -> dict[str, tuple[str, str | None]]:
        return {r["doc_id"]: (r["hash"], r["file"] or None) for r in self._rows()}

    @property
    def doc_hashes(self) -> dict[str, str]:
        return {i: h for i, (h, _) in self.doc_keys().items()}

    def doc_files(self) -> dict[str, str | None]:
        return {i: f for i, (_, f) in self.doc_keys().items()}

    def sources(self) -> list[str]:
        """Distinct source keys (for a source glob that LIKE cannot express)."""
        rows = self._meta()
        from rag.index.milvus.expr import source_key

        return sorted({source_key(r["source"]) for r in rows if r["source"]})

    def document(self, doc_id: str) -> Document | None:
        s = self.store
        try:
            expr = doc_ids_expr("doc_id", [doc_id])
        except RagError:  # an id no document can have (control characters)
            return None
        rows = s.call("reading a document", "query", s.docs_name, filter=expr,
                      output_fields=DOC_META + ["part", "parts", "text"])
        if not rows:
            return None
        rows.sort(key=lambda r: r["part"])
        if len(rows) != rows[0]["parts"]:  # being replaced by another process right now: read it again
            time.sleep(0.05)
            rows = sorted(s.call("reading a document", "query", s.docs_name, filter=expr,
                                 output_fields=DOC_META + ["part", "parts", "text"]), key=lambda r: r["part"])
        r = rows[0]
        return Document(r["doc_id"], "".join(x["text"] for x in rows), r["title"] or None, r["date"] or None,
                        r["source"] or None, r["file"] or None)

    @property
    def documents(self) -> list[Document]:
        out = []
        for r in self._rows():
            doc = self.document(r["doc_id"])
            if doc is not None:
                out.append(doc)
        return out

    # -- search -----------------------------------------------------------------------------------
    def search_batch(self, embedder, questions: Sequence[str], k: int, mode: str = "hybrid", candidates: int = 50,
                     fusion: str = "rrf", rrf_k: int = 60, query_vectors=None, sparse_queries=None,
                     filters=None) -> list[list[Hit]]:
        """As rag.retrieve.search.search_batch, in the engine: dense (inner product of normalised
        vectors), BM25 (jieba analyzer) or both fused by RRF (or weighted, for fusion="convex")."""
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        from rag.retrieve.search import MODES
        from rag.text import normalize_for_search

        if mode not in MODES:
            raise RagError(f"Unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}.")
        expr = filter_expr(filters, self.sources)
        s = self.store
        cand = min(max(candidates, k), 16384)
        qv = None
        if mode in ("hybrid", "dense"):
            qv = embedder.embed_queries(list(questions)) if query_vectors is None else query_vectors
            qv = np.asarray(qv, np.float32)
        texts = [normalize_for_search(t) for t in (sparse_queries if sparse_queries is not None else questions)]
        dense_params = {"metric_type": "IP", "params": {"ef": max(64, cand)} if self.description.get("index") == "HNSW" else {}}
        fields = ["doc_id", "ordinal", "start", "end", "text", "added"]
        deep = k + TIE_DEPTH  # equal scores are ordered as the local index orders them, then cut to k
        out = []
        for i, q in enumerate(questions):
            has_terms = bool(texts[i].strip())
            if mode == "dense" or (mode == "hybrid" and not has_terms):
                res = s.call("searching", "search", s.name, data=[qv[i].tolist()], anns_field="vector",
                             limit=deep, filter=expr, output_fields=fields, search_params=dense_params)
                found = [(h, _dist(h), _dist(h), None) for h in res[0]]
            elif mode == "bm25" and not has_terms:  # nothing for BM25 to look for (e.g. only punctuation)
                found = []
            elif mode == "bm25":
                res = s.call("searching", "search", s.name, data=[texts[i]], anns_field="sparse", limit=deep,
                             filter=expr, output_fields=fields, search_params={"metric_type": "BM25"})
                found = [(h, _dist(h), None, _dist(h)) for h in res[0] if _dist(h) > 0]
            else:
                reqs = [AnnSearchRequest(data=[qv[i].tolist()], anns_field="vector", param=dense_params,
                                         limit=cand, expr=expr or None),
                        AnnSearchRequest(data=[texts[i]], anns_field="sparse", param={"metric_type": "BM25"},
                                         limit=cand, expr=expr or None)]
                ranker = RRFRanker(rrf_k) if fusion != "convex" else WeightedRanker(0.5, 0.5)
                res = s.call("searching", "hybrid_search", s.name, reqs, ranker, limit=deep,
                             output_fields=fields + ["vector"])
                found = [(h, _dist(h), float(np.dot(qv[i], np.asarray(_field(h, "vector"), np.float32))), None)
                         for h in res[0]]
            # best first; ties by the order passages were added, as the local index's rows
            found.sort(key=lambda f: (-f[1], int(_field(f[0], "added")), int(_field(f[0], "ordinal"))))
            out.append([_hit(*f) for f in found[:k]])
        return out


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
