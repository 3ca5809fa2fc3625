"""The question's vector is computed in a worker thread while BM25 searches
(rag.retrieve.search.soon_embedded): the same hits and answers, the work overlapped."""
from __future__ import annotations

import threading

import pytest

from tests.helpers import ROAD, TEA


class _WaitsForBM25:
    """The fake embedder's vectors, but a question's only once BM25 has searched: with the search
    done one after the other (vector first), it would wait in vain."""

    def __init__(self, inner, bm25_done: threading.Event):
        self.inner, self.bm25_done, self.name, self.dim = inner, bm25_done, inner.name, inner.dim
        self.threads: set[str] = set()

    def embed_queries(self, texts):
        self.threads.add(threading.current_thread().name)
        if not self.bm25_done.wait(10):
            raise TimeoutError("BM25 did not search while the question's vector was computed")
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts, progress=None):
        return self.inner.embed_passages(texts, progress)


def test_bm25_searches_while_the_question_is_embedded(fake_built, monkeypatch):
    from rag.index.bm25 import BM25

    monkeypatch.setattr("rag.retrieve.search.core_free", lambda: True)
    pipe = fake_built({"tea.txt": TEA, "road.txt": ROAD})
    before = pipe.ask("西湖村茶叶收入多少？")
    done = threading.Event()
    search = BM25.search_batch

    def searched(self, *args, **kwargs):
        out = search(self, *args, **kwargs)
        done.set()
        return out

    monkeypatch.setattr(BM25, "search_batch", searched)
    slow = _WaitsForBM25(pipe.embedder, done)
    pipe._embedder = slow
    after = pipe.ask("西湖村茶叶收入多少？")
    assert done.is_set() and slow.threads and threading.current_thread().name not in slow.threads
    assert (after.answer, after.short_answer, [c.quote for c in after.citations]) == \
        (before.answer, before.short_answer, [c.quote for c in before.citations])


def test_without_a_free_core_the_question_is_embedded_in_the_asking_thread(fake_built, monkeypatch):
    pipe = fake_built({"tea.txt": TEA, "road.txt": ROAD})
    before = pipe.ask("西湖村茶叶收入多少？")
    monkeypatch.setattr("rag.retrieve.search.core_free", lambda: False)
    where = _WaitsForBM25(pipe.embedder, threading.Event())
    where.bm25_done.set()
    pipe._embedder = where
    after = pipe.ask("西湖村茶叶收入多少？")
    assert where.threads == {threading.current_thread().name}
    assert (after.answer, after.short_answer) == (before.answer, before.short_answer)


def test_a_pending_vector_is_awaited_by_the_store_and_its_error_raised(fake_built, monkeypatch):
    from rag.retrieve.search import search_batch, soon_embedded

    monkeypatch.setattr("rag.retrieve.search.core_free", lambda: True)
    pipe = fake_built({"tea.txt": TEA, "road.txt": ROAD})
    q = "青石村绿道多长？"
    given = search_batch(pipe.store, pipe.index, pipe.embedder, [q], 2, "dense",
                         query_vectors=pipe.embedder.embed_queries([q]))
    pending = search_batch(pipe.store, pipe.index, pipe.embedder, [q], 2, "dense",
                           query_vectors=soon_embedded(pipe.embedder, [q]))
    assert [(h.chunk.text, h.score) for h in pending[0]] == [(h.chunk.text, h.score) for h in given[0]]

    class Broken:
        def embed_queries(self, texts):
            raise RuntimeError("the model is gone")

    with pytest.raises(RuntimeError, match="the model is gone"):
        search_batch(pipe.store, pipe.index, pipe.embedder, [q], 2, "hybrid",
                     query_vectors=soon_embedded(Broken(), [q]))
