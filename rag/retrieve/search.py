"""Question -> Hits over any Store (rag.index.backend): the mode checked, the fusion chosen, the
filters handed on; the store searches (the local index: rag/index/local_search.py; Milvus in its
engine: rag/index/milvus/search.py).

    search_batch(store, view, embedder, questions, k, mode, candidates, fusion, rrf_k,
                 query_vectors=None, sparse_queries=None, filters=None) -> list[list[Hit]]
    soon_embedded(embedder, questions) -> Future of the question vectors, for query_vectors
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from dataclasses import replace
from functools import partial
from typing import Sequence

from rag.index.backend import SearchRequest
from rag.modes import RETRIEVAL_MODES
from rag.retrieve.fusion import STRATEGIES, strategy
from rag.types import Hit

MODES = RETRIEVAL_MODES


def search_batch(store, view, embedder, questions: Sequence[str], k: int, mode: str = "hybrid",
                 candidates: int = 50, fusion: str = "rrf", rrf_k: int = 60, query_vectors=None,
                 sparse_queries: Sequence[str] | None = None, filters=None) -> list[list[Hit]]:
    """Top-k hits per question. Dense scores are cosines, sparse scores BM25 (zero-score dropped).
    `sparse_queries` replaces the text BM25 sees (e.g. Chinese keywords for an English question).
    `filters` (rag.retrieve.filters.Filters or None): only passages of documents that pass are returned.
    `fusion`: a rag.modes.FUSION_STRATEGIES name; any other is reciprocal-rank fusion."""
    if mode not in RETRIEVAL_MODES:
        from rag.errors import RagError

        raise RagError(f"Unknown retrieval mode {mode!r}; choose one of {', '.join(RETRIEVAL_MODES)}.")
    fusion = strategy(fusion)
    asked_k, k = k, k + (_MORE if mode == "hybrid" and fusion == "rrf" else 0)  # room for another language's
    embed_queries = embedder.embed_queries
    if isinstance(query_vectors, Future):  # being computed (soon_embedded): awaited when the store needs them
        embed_queries, query_vectors = (lambda _questions, pending=query_vectors: pending.result()), None
    request = SearchRequest(
        questions=questions, k=k, mode=mode, candidates=candidates, fusion=fusion, rrf_k=rrf_k,
        fuse=partial(STRATEGIES[fusion], rrf_k=rrf_k), sparse_queries=sparse_queries if sparse_queries is not None else questions,
        embed_queries=embed_queries, query_vectors=query_vectors, where=filters)
    found = store.search(view, request)
    if k == asked_k:
        return found
    return [other_language(q, hits, rrf_k)[:asked_k] for q, hits in zip(questions, found)]


_MORE = 10  # hits fused past the k asked for, among which a page in another language may rise


def other_language(question: str, hits: Sequence[Hit], rrf_k: int = 60) -> list[Hit]:
    """The hits with the pages in the language the question is not asked in fused by their BM25
    rank where it is better than their dense one: a multilingual embedder puts a question's own
    language first, so such a page's cosine rank says less than its words. Only where the hits mix
    the two languages, and for
    - a Chinese question for a post's holder: the English pages of a Chinese archive ("Zhang San
      (张三) was appointed director…"), first by BM25 through their bracketed Chinese and the pinyin
      of their places, came 23rd by cosine;
    - a question in another language for a figure of a report: the Chinese passages that hold the
      figure's Chinese (rag.retrieve.crosslingual.figures_asked: "Qingshi town's GDP" -> 生产总值),
      which the English pages that name its place many times led by cosine.
    Others keep their fused score."""
    from rag.text import is_chinese

    zh = is_chinese(question)
    if zh:
        from rag.retrieve.romanized import TITLES

        if not any(t in question for t in TITLES):
            return list(hits)  # only a question for a post's holder: such pages name new officials
        lifted = lambda h: not is_chinese(h.chunk.text)  # noqa: E731
    else:
        from rag.retrieve.crosslingual import figures_asked, holds_topic

        titles = titles_written(question)  # a Chinese title the question writes says more than its English
        topic = [] if titles else figures_asked(question)
        if titles:  # the holder of a post whose Chinese title the question writes: only a passage that holds
            held = [h for h in hits if holds_topic(titles, h.chunk.text)]  # it names its holder, first
            return held + [h for h in hits if h not in held] if held else list(hits)
        if not topic:  # only a question for a report's figure: beds or tourists are words of many passages
            return list(hits)
        lifted = lambda h: is_chinese(h.chunk.text) and holds_topic(topic, h.chunk.text)  # noqa: E731
    if len({is_chinese(h.chunk.text) for h in hits}) < 2:
        return list(hits)  # one language: the cosines compare like with like
    out = []
    for h in hits:
        if h.sparse_rank is not None and lifted(h) and (h.dense_rank is None or h.sparse_rank < h.dense_rank):
            h = replace(h, score=2.0 / (rrf_k + h.sparse_rank))
        out.append(h)
    return sorted(out, key=lambda h: -h.score)  # stable: equal scores keep the store's order


def titles_written(question: str) -> list[str]:
    """The Chinese titles of a head's post that a question in another language writes ("Who is the county
    head (县长) of … now?" -> 县长): the Chinese passages that hold one may name the holder, where English
    pages on another post of the place lead by cosine."""
    import re

    return [w for w in re.findall(r"[\u4e00-\u9fff]{2,}", question) if w.endswith(_HEADS)]


_HEADS = ("长", "书记", "主任", "主席")


_WORKERS: list = []


def soon_embedded(embedder, questions: Sequence[str]) -> Future:
    """embedder.embed_queries(questions) in a worker thread when a core is free for it (core_free):
    onnxruntime computes the vectors without the GIL while this thread searches BM25 (the local
    store searches it first). Pass the Future as search_batch's query_vectors; its result() is the
    vectors, or the embedder's error. On a saturated machine the vectors are computed here and
    now: there the worker's start and the caller's wake-up each waited for a time slice, and
    questions took 7-20 ms longer at load 5-9 on 2 cores (bench/bench_warm.py)."""
    if not core_free():
        now: Future = Future()
        now.set_result(embedder.embed_queries(list(questions)))
        return now
    if not _WORKERS:
        from concurrent.futures import ThreadPoolExecutor

        _WORKERS.append(ThreadPoolExecutor(4, thread_name_prefix="rag-embed-question"))
    started = threading.Event()

    def run(questions=list(questions)):
        started.set()
        return embedder.embed_queries(questions)

    pending = _WORKERS[0].submit(run)
    # The worker needs the GIL to start the model; the caller, searching BM25 in Python, would hold
    # it until the interpreter's switch interval (5 ms) ran out. Waiting here hands it over at once.
    started.wait(0.005)
    return pending


def core_free() -> bool:
    """Whether a second thread of this process would likely run at once: the machine's 1-minute
    load average below its cores (a single user's questions add about one)."""
    try:
        return os.getloadavg()[0] < (os.cpu_count() or 1)
    except OSError:  # no load average on this system
        return False
