"""Cutting a long sentence to the clauses that answer."""
from __future__ import annotations

from rag.answer.candidates import Candidate
from rag.answer.policy import AnswerPolicy
from rag.text import clause_mark_at, is_chinese


def trim(c: Candidate, short: tuple[int, int] | None, terms: dict[str, float], policy: AnswerPolicy,
         limit: int | None = None) -> Candidate:
    """A sentence longer than `limit` (default: policy.max_answer_chars) is cut to the clauses
    that answer: the one holding the short answer (offsets in doc.text) and the question's words
    before it, or the best-matching clause and what follows."""
    limit = limit or policy.max_answer_chars
    if not is_chinese(c.text):  # an English sentence says as much in more characters
        limit = int(limit * policy.latin_chars)
    if c.end - c.start <= limit:
        return c
    from rag.index.tokenize import tokenize

    spans = clauses(c.doc.text, c.start, c.end)
    if len(spans) < 2:
        return c

    def cov(span):
        toks = set(tokenize(c.doc.text[span[0] : span[1]]))
        return sum(w for t, w in terms.items() if t in toks)

    if short:
        last = next((i for i, (s, e) in enumerate(spans) if s <= short[0] < e), len(spans) - 1)
        end_i = next((i for i, (s, e) in enumerate(spans) if s < short[1] <= e), last)
        first = max(range(max(0, last - policy.lead_clauses), last + 1), key=lambda i: (cov(spans[i]), i))
        first = min(first, last)
    else:
        first = max(range(len(spans)), key=lambda i: (cov(spans[i]), -i))
        end_i = first
    while end_i + 1 < len(spans) and spans[end_i + 1][1] - spans[first][0] <= limit:
        end_i += 1
    start, end = spans[first][0], spans[end_i][1]
    while start < end and c.doc.text[start].isspace():  # an English clause after its comma's space
        start += 1
    end = c.end if end >= c.end - 1 else end
    return c.span(start, end)


_OPENERS, _CLOSERS = "“‘《「『（(【", "”’》」』）)】"


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of text[start:end], split after ，；：, each keeping its punctuation. A mark
    inside quotation marks or brackets does not split ("“以……为牵引，着力……”让……"), unless
    the marks do not pair up (a quotation cut by a page break): then every mark splits. Nor does
    a mark inside a figure (11,000), a time (9:00) or an English date (March 1, 2024)."""
    piece = text[start:end]
    marks, depth, quoted = [], 0, []
    for i, ch in enumerate(piece):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif ch in "，；：" or ch in ",;:" and clause_mark_at(piece, i):
            marks.append(i)
            quoted.append(depth > 0)
    balanced = depth == 0 and piece.count("“") == piece.count("”")
    out, s = [], start
    for i, q in zip(marks, quoted):
        if q and balanced:
            continue
        out.append((s, start + i + 1))
        s = start + i + 1
    if s < end:
        out.append((s, end))
    return out
