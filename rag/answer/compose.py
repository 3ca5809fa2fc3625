"""Step 5 of an answer: the chosen sentences as cited quotes, with the short answer; or the
sentence that says the articles do not answer the question."""
from __future__ import annotations

from typing import Sequence

from rag.answer.candidates import Candidate, adjacent
from rag.answer.short import Short
from rag.text import is_chinese
from rag.types import Answer, Citation, Hit

NOT_FOUND_ZH = "抱歉，现有文章中没有找到这个问题的答案。"
NOT_FOUND_EN = "The articles do not contain an answer to this question."


def compose(question: str, short: Short, zh: bool, searched: str | None, hits: Sequence[Hit]) -> Answer:
    """Each chosen sentence (neighbours merged) quoted verbatim with its [n] marker; an English
    question gets the short answer, or "According to the articles:", before the quotes."""
    citations, parts = [], []
    for n, c in enumerate(merge_adjacent(short.chosen), start=1):
        citations.append(
            Citation(n, c.doc.id, c.doc.title, c.doc.date, c.doc.source, c.text, c.start, c.end,
                     min(c.hit.chunk.start, c.start), max(c.hit.chunk.end, c.end), file=c.doc.file,
                     page=c.doc.page_at(c.start), ocr=c.doc.ocr_at(c.start, c.end))
        )
        parts.append(f"{c.text}[{n}]")
    body = "".join(parts) if zh else " ".join(parts)
    if not zh:
        body = f"{short.text} — {body}" if short.text else f"According to the articles: {body}"
    return Answer(question, body, short.text, True, tuple(citations), searched_question=searched, hits=tuple(hits),
                  short_answer_score=short.score, short_parts=short.parts)


def decline(question: str, searched: str | None, hits: Sequence[Hit] = (), reason: str | None = None,
            note: str = "") -> Answer:
    """The articles do not answer the question: say so, in its language, citing nothing (a note may
    say what they do cover, e.g. the latest year)."""
    text = (NOT_FOUND_ZH if is_chinese(question) else NOT_FOUND_EN) + note
    return Answer(question, text, None, False, (), searched_question=searched, hits=tuple(hits),
                  decline_reason=reason)


def merge_adjacent(chosen: list[Candidate]) -> list[Candidate]:
    """Neighbouring sentences of one document become one quote: one citation, and an answer
    that runs across the sentence boundary stays one unbroken string."""
    out: list[Candidate] = []
    for c in chosen:
        prev = out[-1] if out else None
        if prev and adjacent(prev, c):
            out[-1] = prev.span(prev.start, c.end, max(prev.score, c.score))
        else:
            out.append(c)
    return out
