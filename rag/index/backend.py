"""The Store protocol: what the pipeline and evaluation ask of wherever an index lives.

Two stores implement it: rag.index.local.LocalStore (the index folder: segments, build, backfill,
merge) and rag.index.milvus.store.MilvusStore (a Milvus collection). rag.index.stores.open_store
picks one from Settings.store; nothing above index/ knows which it got. ARCHITECTURE.md ("Stores")
says what a third one would implement.

A store hands out Views: one readable version of the index (documents, passages, counts, the
BM25 idf the answerer weighs question terms with). Searching is the store's, over a View, from a
SearchRequest that rag.retrieve.search fills in (the mode checked, the fusion function chosen,
the filters as they are).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, ContextManager, Iterable, Protocol, Sequence

from rag.types import DocInfo, Document, Hit

Progress = Callable[[str, int, int], None]
Ranked = Sequence[tuple[int, float]]  # (row, score), best first


def content_hash(doc: Document) -> str:
    """What says a document is unchanged: a hash of its id, title, date, source and text."""
    h = hashlib.sha256()
    for part in (doc.id, doc.title or "", doc.date or "", doc.source or "", doc.text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Change:
    """What an update did."""

    documents: int  # live documents after the change
    chunks: int  # live passages after it
    tokenised: int  # passages chunked and tokenised by this change
    reused: int  # live passages kept from before
    removed: int  # documents removed (not counting replaced ones)
    segments: int
    new_segments: tuple[str, ...] = ()  # the segments this change wrote
    embedded: int = 0  # passages embedded by the change itself (a store that embeds as it stores)


class Where(Protocol):
    """Which documents a search may return (rag.retrieve.filters.Filters is one): checked values."""

    since: str | None  # 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd'
    until: str | None
    source: str | None  # a substring, or a glob when it holds * ? [
    undated: str  # keep | drop

    @property
    def active(self) -> bool: ...
    def matches(self, doc) -> bool: ...  # anything with .date and .source
    def source_matches(self, source: str | None) -> bool: ...


@dataclass(frozen=True)
class SearchRequest:
    """One batch of questions, searched as rag.retrieve.search.search_batch asks."""

    questions: Sequence[str]
    k: int
    mode: str  # a rag.modes.RETRIEVAL_MODES value, checked
    candidates: int  # per retriever, before fusion
    fusion: str  # a rag.modes.FUSION_STRATEGIES name: an engine that fuses itself uses its ranker of that name
    rrf_k: int  # the constant of reciprocal-rank fusion
    fuse: Callable[[Sequence[Ranked]], list[tuple[int, float]]]  # the fusion function (rag.retrieve.fusion)
    sparse_queries: Sequence[str]  # what BM25 looks for, one per question
    embed_queries: Callable[[list[str]], object]  # question vectors, asked only when needed
    query_vectors: object = None  # given: used instead of embed_queries
    where: Where | None = None  # None: every live document


class View(Protocol):
    """One readable version of an index (rag.index.view.Index, rag.index.milvus.view.MilvusIndex)."""

    manifest: dict  # model, dim, tokenizer, chunk_size, chunk_overlap, counts
    bm25: object  # .idf_of(term) -> float | None, .max_idf

    def status(self) -> dict: ...  # documents, passages, embedded, segments
    def document(self, doc_id: str) -> Document | None: ...
    def doc_infos(self) -> list[DocInfo]: ...
    def doc_keys(self) -> dict[str, tuple[str, str | None]]: ...  # id -> (content hash, file)
    def doc_files(self) -> dict[str, str | None]: ...
    def check_model(self, model_name: str) -> None: ...  # ModelMismatch when built with another
    @property
    def documents(self) -> Sequence[Document]: ...  # the live documents, in the order added


class Store(Protocol):
    """Where an index lives. `lock` arguments are the caller's write lock (re-entrant), taken only
    to commit; `embedder` arguments of update are called when the vectors are needed."""

    kind: str  # "local", "milvus": for messages (rag doctor)

    def exists(self) -> bool: ...
    def view(self, model: str | None = None) -> View: ...  # IndexMissing / IndexCorrupt / ModelMismatch
    def writing(self, progress: Progress | None = None) -> ContextManager: ...  # between processes
    def compatible(self, view: View, settings, model: str) -> bool: ...  # can an update keep its passages
    def update(self, settings, model: str, embedder: Callable[[], object], previous: View | None,
               add: Sequence[Document], remove: Iterable[str], progress: Progress | None = None) -> Change: ...
    def embed(self, model: str, embedder, lock: Callable[[], ContextManager], progress: Progress | None = None,
              limit: int | None = None, only=None) -> int: ...  # vectors for passages that have none
    def compact(self, model: str, lock: Callable[[], ContextManager]) -> bool: ...  # merge small parts
    def search(self, view: View, request: SearchRequest) -> list[list[Hit]]: ...
    def embed_precision(self, wanted: str) -> str: ...  # the ONNX precision its question vectors need
    def fill(self, settings, documents: Sequence[Document], embedder, progress: Progress | None = None) -> None: ...
    def discard(self) -> None: ...  # a scratch store (evaluation) is done with
    def close(self) -> None: ...


__all__ = ["Change", "Progress", "Ranked", "SearchRequest", "Store", "View", "Where", "content_hash"]
