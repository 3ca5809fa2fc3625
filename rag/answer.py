"""Hits -> Answer: pick the sentence that answers, cut the short answer, cite it verbatim.

Extractive on purpose: every word of an answer comes from a stored document, so every claim
can be checked against its source sentence. When the evidence is too weak or the question
names something the sources do not mention, the answer says so instead of guessing.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from rag.span import extract_short, question_type
from rag.text import is_chinese, normalize_for_search, sentence_spans
from rag.types import Answer, Citation, Document, Hit

NOT_FOUND_ZH = "抱歉，现有文章中没有找到这个问题的答案。"
NOT_FOUND_EN = "The articles do not contain an answer to this question."


@dataclass
class Candidate:
    hit_rank: int
    hit: Hit
    doc: Document
    start: int
    end: int
    lexical: float = 0.0
    context: float = 0.0
    dense: float = 0.0
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


@dataclass(frozen=True)
class AnswerPolicy:
    """Weights and thresholds of the extractive answerer (tuned on dev data, see eval/README.md)."""

    sentences_from: int = 5  # top hits whose sentences are considered
    w_lexical: float = 0.55
    w_context: float = 0.15
    w_dense: float = 0.45
    w_rank: float = 0.10
    w_type: float = 0.10
    min_coverage: float = 0.45  # idf-weighted share of question terms found near the answer
    min_dense: float = 0.80  # cosine below which a question with no lexical support is declined
    short_sentence: int = 18  # a best sentence shorter than this gets its neighbour added


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u3400-\u9fffA-Za-z0-9]", "", normalize_for_search(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


class Answerer:
    def __init__(self, index, embedder, policy: AnswerPolicy | None = None):
        self.index = index
        self.embedder = embedder
        self.policy = policy or AnswerPolicy()

    def _idf(self, term: str) -> float:
        bm = self.index.bm25
        tid = bm.term_id.get(term)
        return float(bm.idf[tid]) if tid is not None else float(bm.idf.max() if len(bm.idf) else 1.0)

    def _candidates(self, hits: Sequence[Hit]) -> list[Candidate]:
        seen, out = set(), []
        for rank, hit in enumerate(hits[: self.policy.sentences_from]):
            doc = self.index.document(hit.chunk.doc_id)
            for s, e in sentence_spans(doc.text, hit.chunk.start, hit.chunk.end):
                if (doc.id, s) in seen or e - s < 4:
                    continue
                seen.add((doc.id, s))
                out.append(Candidate(rank, hit, doc, s, e))
        return out

    def _coverage(self, q_terms: dict[str, float], q_bigrams: set[str], text: str) -> float:
        from rag.tokenize import tokenize

        total = sum(q_terms.values())
        toks = set(tokenize(text))
        tok_cov = sum(w for t, w in q_terms.items() if t in toks) / total if total else 0.0
        big_cov = len(q_bigrams & _bigrams(text)) / len(q_bigrams) if q_bigrams else tok_cov
        return 0.5 * tok_cov + 0.5 * big_cov

    def _window(self, c: Candidate) -> str:
        """The sentence with its neighbours and the title: where a subject named earlier lives."""
        spans = sentence_spans(c.doc.text, c.hit.chunk.start, c.hit.chunk.end)
        i = next((k for k, sp in enumerate(spans) if sp[0] == c.start), 0)
        lo = spans[max(0, i - 2)][0]
        hi = spans[min(len(spans) - 1, i + 1)][1]
        return (c.doc.title or "") + "\n" + c.doc.text[lo:hi]

    def answer(self, question: str, hits: Sequence[Hit], query_vector=None, searched: str | None = None) -> Answer:
        from rag.tokenize import tokenize

        p = self.policy
        zh = is_chinese(question)
        query = searched or question
        cands = self._candidates(hits)
        if not cands:
            return self._decline(question, searched)

        q_terms = {t: self._idf(t) for t in set(tokenize(query))}
        q_bigrams = _bigrams(re.sub(r"[吗呢吧啊？?]", "", query))
        kind = question_type(query)
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        sent_vecs = self.embedder.embed_passages([c.text for c in cands])
        dense = sent_vecs @ query_vector
        for c, d in zip(cands, dense.tolist()):
            c.dense = d
            c.lexical = self._coverage(q_terms, q_bigrams, c.text) if q_terms else 0.0
            c.context = self._coverage(q_terms, q_bigrams, self._window(c)) if q_terms else 0.0
            typed = 1.0 if kind and extract_short(query, c.text, kind) else 0.0
            d_norm = min(max((d - 0.70) / 0.20, 0.0), 1.0)
            c.score = (
                p.w_lexical * c.lexical
                + p.w_context * c.context
                + p.w_dense * d_norm
                + p.w_rank / (1 + c.hit_rank)
                + p.w_type * typed
            )
        best = max(cands, key=lambda c: c.score)
        if not self._supported(query, best, zh, q_terms):
            return self._decline(question, searched, hits)

        chosen = [best]
        neighbour = self._neighbour(best, cands)
        if neighbour is not None and (best.end - best.start) < p.short_sentence:
            chosen = sorted([best, neighbour], key=lambda c: c.start)

        short = None
        for c in chosen:
            sp = extract_short(query, c.text, kind)
            if sp:
                short = c.text[sp[0] : sp[1]].strip()
                break
        return self._compose(question, chosen, short, zh, searched, hits)

    def _neighbour(self, best: Candidate, cands: list[Candidate]) -> Candidate | None:
        after = [c for c in cands if c.doc.id == best.doc.id and c.start > best.end]
        return min(after, key=lambda c: c.start) if after else None

    def _supported(self, query: str, best: Candidate, zh: bool, q_terms: dict[str, float]) -> bool:
        p = self.policy
        doc_norm = normalize_for_search(best.doc.text + (best.doc.title or ""))
        # numbers the question states (years, amounts) must appear in the source document
        for num in re.findall(r"\d+(?:\.\d+)?", normalize_for_search(query)):
            if num not in doc_norm:
                return False
        if zh and q_terms:
            return best.context >= p.min_coverage or (best.lexical >= p.min_coverage * 0.8)
        return best.dense >= p.min_dense

    def _compose(self, question, chosen, short, zh, searched, hits) -> Answer:
        citations, parts = [], []
        for n, c in enumerate(chosen, start=1):
            citations.append(
                Citation(n, c.doc.id, c.doc.title, c.doc.date, c.doc.source, c.text, c.start, c.end,
                         c.hit.chunk.start, c.hit.chunk.end)
            )
            parts.append(f"{c.text}[{n}]")
        body = "".join(parts) if zh else " ".join(parts)
        if not zh:
            body = f"{short} — {body}" if short else f"According to the articles: {body}"
        return Answer(question, body, short, True, tuple(citations), searched_question=searched, hits=tuple(hits))

    def _decline(self, question, searched, hits=()) -> Answer:
        text = NOT_FOUND_ZH if is_chinese(question) else NOT_FOUND_EN
        return Answer(question, text, None, False, (), searched_question=searched, hits=tuple(hits))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))
