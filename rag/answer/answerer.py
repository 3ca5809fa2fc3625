"""Hits -> Answer: pick the sentence that answers, cut the short answer, cite it verbatim.

Extractive on purpose: every word of an answer comes from a stored document, so every claim
can be checked against its source sentence. When the evidence is too weak or the question
names something the sources do not mention, the answer says so instead of guessing.

The steps, each in its own module:
    candidates.py  the sentences of the retrieved passages, and what surrounds one
    scoring.py     what the question asks, and how well each sentence answers it
    reading.py     the trained reader: reading the chosen sentence, its verdict
    support.py     the checks the best sentence must pass, or why the answer declines
    short.py       the sentences that make the answer and its short answer (cut.py cuts them)
    compose.py     the quotes with their citations, or the decline
Every weight and threshold is in policy.py (AnswerPolicy).
"""
from __future__ import annotations

import datetime as _dt
import weakref
from dataclasses import replace
from typing import Sequence

from rag.answer import candidates, compose, reading, scoring, short, support, timeline
from rag.answer.candidates import Candidate, Surroundings
from rag.answer.compose import NOT_FOUND_EN, NOT_FOUND_ZH
from rag.answer.enumeration import listed_first
from rag.answer.focus import measured_first
from rag.answer.places import names_place, renamings
from rag.answer.posts import post_first, removed_last
from rag.answer.version_value import post_now
from rag.answer.policy import AnswerPolicy
from rag.text import is_chinese
from rag.types import Answer, Hit

__all__ = ["Answerer", "AnswerPolicy", "Candidate", "NOT_FOUND_EN", "NOT_FOUND_ZH"]


class Answerer:
    def __init__(self, index, embedder, policy: AnswerPolicy | None = None, reader=None):
        self.index = index
        self.embedder = embedder
        self.policy = policy or AnswerPolicy()
        self.reader = reader
        self.around = Surroundings(self.policy)

    def idf(self, term: str) -> float:
        bm = self.index.bm25
        known = _idf_table(bm)
        if known is not None and term in known:
            return known[term]
        idf = bm.idf_of(term)
        value = float(idf) if idf is not None else float(bm.max_idf)
        if known is not None:
            if len(known) >= _IDF_TERMS:
                known.clear()
            known[term] = value
        return value

    def answer(self, question: str, hits: Sequence[Hit], query_vector=None, searched: str | None = None,
               today: _dt.date | None = None, further: Sequence[Hit] = ()) -> Answer:
        """`hits`: the top passages; `further`: the next ones, read only where they go on with a
        version's article (candidates.continued)."""
        p, around = self.policy, self.around
        cands = candidates.from_hits(hits, self.index.document, p, further, _years_asked(searched or question, today),
                                     zh=is_chinese(question))
        if not cands:
            return compose.decline(question, searched, reason="no sentence in the passages")
        q = scoring.analyse(question, searched, hits, self.idf, p)
        if names_place(q.query):  # a renamed place is read by the name asked (叠溪村（原下岙村）); none asked, none read
            q = replace(q, renamed=renamings({c.doc.id: c.doc.text for c in cands}.values()))
        dense = scoring.dense_scores(q, cands, self.embedder, query_vector, p)
        scoring.score_all(q, cands, dense, around, p)
        ranked = measured_first(q.query, self.ranked(q, cands), p.time_window, p.measure_margin)
        ranked = listed_first(q.query, ranked, p.time_window, p.list_margin)  # 哪几个县: the sentence that lists them
        ranked, when = timeline.order(q, ranked, around, today, p, rare=self.rare)
        ranked, when = post_first(q, ranked, when, around, p)  # 张三现在担任什么职务: the newest post given him
        ranked, when = removed_last(q, ranked, when, p)  # 局长是谁: not one the article removes from the post
        if when.latest is not None:  # a time was asked for that the dated articles do not reach
            return compose.decline(question, searched, hits, "no version of the time asked",
                                   note=timeline.no_data_note(when, q.zh))
        best, reason = support.first_supported(when.question or q, ranked, around, p)
        best = support.lead_supported(q, when.question or q, when.lead, best, around, p)
        if best is None:
            return compose.decline(question, searched, hits, reason)
        held_before = None  # the sentence before the chosen one, when the reader's span lies in it
        if best.read is None and self.reader is not None:
            # the reader marks the answer in the chosen sentence; a question in another language
            # comes with the Chinese words the dictionary found for it, as the rules get it
            held_before = reading.read_chosen(self.reader, q.query if q.zh else q.span_q, best, around, p)
        v = reading.verdict(self.reader, q, best, p)
        has_reader = self.reader is not None
        chosen = short.join(best, held_before, cands, q, v, has_reader, around, p)
        answer = compose.compose(question, short.choose(q, best, held_before, chosen, v, has_reader, p),
                                 q.zh, searched, hits)
        if v.guess is not None:
            answer = replace(answer, reader_guess=(v.text(best), v.score, v.agree))
        answer = post_now(timeline.without_stale_short(answer, self.index.document), question)
        return timeline.annotate(answer, when, q.zh, led=best is when.lead)

    def rare(self, name: str) -> bool | None:
        """Is a place's name rare in the archive: its words each in under `rare_share` of the
        passages (a neighbouring county that a few articles name, not the archive's own place,
        which many of its articles name)? From BM25's idf, which counts passages. None for an
        archive of fewer than `rare_from` passages, too few to tell."""
        from rag.index.tokenize import tokenize

        words = [t for t in tokenize(name) if len(t) >= 2]  # 澄川市 as the articles write it, or 澄川 + 市
        n = len(self.index.bm25) if hasattr(self.index.bm25, "__len__") else 0
        if not words or n < self.policy.rare_from:
            return None
        return max(_share(self.idf(t), n) for t in words) < self.policy.rare_share

    def ranked(self, q: scoring.Question, cands: list[Candidate]) -> list[Candidate]:
        """The sentences best first (the reader's probability counts with w_reader > 0); for a
        who-wrote-it question, the article's byline, which no sentence of its body repeats, first."""
        ranked = reading.read_top(self.reader, q.query, sorted(cands, key=lambda c: -c.score), self.policy)
        if candidates.asks_author(q.query):
            byline = candidates.byline(ranked[0])
            if byline is not None:
                ranked.insert(0, byline)
        return ranked


def _share(idf: float, n: int) -> float:
    """The share of the n passages that hold a term of this idf (BM25's idf = ln(1 + (n - df + 0.5) /
    (df + 0.5)), solved for df)."""
    import math

    r = math.expm1(idf)
    return max(0.0, (n + 0.5 - 0.5 * r) / (1 + r)) / n


_IDF_TERMS = 50_000  # terms remembered per index (a few MB at most)
_IDF_TABLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _idf_table(bm) -> dict[str, float] | None:
    """The idf already looked up in a local index's BM25, which never changes once built (a new
    segment makes a new Index and BM25): looking a term up searches every segment's postings.
    None for another kind (the Milvus view keeps its own table, cleared when the collection changes)."""
    from rag.index.bm25 import BM25

    if type(bm) is not BM25:
        return None
    return _IDF_TABLES.setdefault(bm, {})


def _years_asked(question: str, today: _dt.date | None) -> tuple[int, int] | None:
    """The first and last year a Chinese question asks about (2019年…, 去年…), or None (an English
    question's keywords come from a dictionary: an article of the year would be read for words it
    only shares with other topics)."""
    from rag.dates import asked_time

    if not is_chinese(question):
        return None
    asked = asked_time(question, today)
    if asked.kind != "year" or asked.start is None or asked.end is None:
        return None
    return asked.start.year, asked.end.year
