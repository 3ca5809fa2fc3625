"""One answer from the answers of several knowledge bases to the same question.

The answers that found something lead, strongest first (the reader's probability for its short
answer, else the cosine of its best passage; ties keep the order the knowledge bases were named
in); each one's sentences follow the one before, its [n] markers and citations renumbered after
the previous ones, every citation naming its knowledge base. When none found anything, the first
decline is given. The retrieved passages are interleaved by rank (for evaluation)."""
from __future__ import annotations

import re
from dataclasses import replace
from itertools import chain, zip_longest
from typing import Sequence

from rag.types import Answer

MARK = re.compile(r"\[(\d+)\]")


def tagged(answer: Answer, kb: str, offset: int = 0) -> Answer:
    """`answer` with every citation naming `kb`, and its numbers (citations, [n] markers, checks)
    moved up by `offset`."""
    if offset == 0:
        return replace(answer, citations=tuple(replace(c, kb=kb) for c in answer.citations))
    known = {c.n for c in answer.citations}

    def move(m: re.Match) -> str:
        n = int(m.group(1))
        return f"[{n + offset}]" if n in known else m.group(0)

    return replace(answer, answer=MARK.sub(move, answer.answer),
                   citations=tuple(replace(c, kb=kb, n=c.n + offset) for c in answer.citations),
                   checks=tuple(replace(k, citations=tuple(n + offset for n in k.citations)) for k in answer.checks))


def strength(answer: Answer) -> float:
    if answer.short_answer_score is not None:
        return float(answer.short_answer_score)
    dense = [h.dense_score for h in answer.hits if h.dense_score is not None]
    return max(dense, default=0.0)


def fuse(answers: Sequence[tuple[str, Answer]]) -> Answer:
    """The answer to a question asked of several knowledge bases: (name, its answer), in the order named."""
    hits = tuple(h for h in chain.from_iterable(zip_longest(*(a.hits for _, a in answers))) if h is not None)
    found = sorted((pair for pair in answers if pair[1].answerable), key=lambda pair: -strength(pair[1]))
    if not found:
        name, first = answers[0]
        return replace(tagged(first, name), hits=hits)
    parts, offset = [], 0
    for name, answer in found:
        parts.append(tagged(answer, name, offset))
        offset += max((c.n for c in answer.citations), default=0)
    lead = parts[0]
    notes = [a.note for a in parts if a.note]
    return replace(lead, answer="\n\n".join(a.answer for a in parts if a.answer),
                   citations=tuple(c for a in parts for c in a.citations),
                   checks=tuple(k for a in parts for k in a.checks), hits=hits,
                   note="；".join(notes) if notes else None)
