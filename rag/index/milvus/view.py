"""MilvusIndex: what the pipeline reads from a Milvus store, the View of rag.index.backend (as
rag.index.view.Index: document, documents, doc_infos, doc_keys, doc_files, status, manifest,
check_model, bm25.idf_of / max_idf); searching is rag/index/milvus/search.py's.

Every read goes to Milvus (strong consistency), so a document another process added is seen at
once; only the passage count behind the answerer's idf weights is kept a few seconds.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Iterator, Sequence

from rag.errors import ModelMismatch, RagError
from rag.index.milvus import schema
from rag.index.milvus.expr import doc_ids_expr, source_key
from rag.types import DocInfo, Document

COUNT_TTL_S = 5.0
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
        from rag.text import normalize_for_search

        texts = [normalize_for_search(t) for t in terms]
        counts = self._count_in(texts, "")
        need = [i for i, c in enumerate(counts) if c >= schema.IDF_DEPTH]
        width = schema.BUCKETS
        while need and width > 1:
            width //= 8
            found = self._count_in([texts[i] for i in need], f"bucket < {width}")
            for i, c in zip(need, found):
                counts[i] = c * (schema.BUCKETS // width)
            need = [i for i, c in zip(need, found) if c >= schema.IDF_DEPTH]
        return counts

    def _count_in(self, texts: list[str], expr: str) -> list[int]:
        if not texts:
            return []
        res = self.store.call("weighing question terms", "search", self.store.name, data=texts, filter=expr,
                              anns_field="sparse", limit=schema.IDF_DEPTH, output_fields=[],
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
