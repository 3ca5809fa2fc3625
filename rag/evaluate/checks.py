"""Per-answer checks for evaluation reports, as small pure functions (plain Python).

- citations: `quote_is_verbatim`, `answer_in_quotes`;
- answers: `answer_length`, `scored_span` (the string EM/F1 score), `unify_span` and
  `short_answer_scores` (CMRC EM/F1 after unifying full-width forms and spaced digits);
- diagnosis: `covered_share` and `failure_reason`, one label per failed question, so a report
  can group failures by what went wrong (retrieval, refusal, choice of sentence, span cut, a
  stale value: `holds_stale`).

Tested with hand-computed values in tests/test_eval_metrics_more.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rag.evaluate.metrics import char_f1, exact_match, normalize_answer_text

__all__ = ["FAILURE_REASONS", "answer_in_quotes", "answer_length", "covered_share", "failure_reason",
           "holds_stale", "quote_is_verbatim", "scored_span", "short_answer_scores", "unify_span"]

_MARKER = re.compile(r"\[\d+\]")
_WHITESPACE = re.compile(r"\s+")
_DIGIT_GAP = re.compile(r"(?<=\d)\s+(?=\d)")

# label -> what it means, in the order reports list them. "context" = the passages the answerer read
# (Answer.hits); "contains the expected answer" is tested as in `answer_in_quotes`.
FAILURE_REASONS = {
    "error": "the question raised an error (see the given answer)",
    "stale_answer": "answered with an older value that a newer document replaced (a `stale_answers` string), "
                    "not the current one",
    "answered_unanswerable": "answered a question the documents cannot answer",
    "refused_answer_in_context": "refused although a passage it read contains the expected answer",
    "refused_answer_not_in_context": "refused; no passage it read contains the expected answer",
    "partial_answer": "the answer holds at least half of the expected answer but not all of it "
                      "(cut at a sentence boundary, or worded differently)",
    "wrong_sentence": "a passage it read contains the expected answer, but the answer quotes another sentence",
    "answer_not_in_context": "answered, but no passage it read contains the expected answer (retrieval miss)",
}


def quote_is_verbatim(doc_text: str | None, start: int, end: int, quote: str) -> bool:
    """True when `quote` is non-empty and `doc_text[start:end] == quote` exactly.

    Convention: no normalisation at all (a quote that differs only by a space or by
    full-width forms is not verbatim); offsets must lie inside the text (0 <= start <= end
    <= len); a missing document (None) fails.
    """
    if doc_text is None or not quote:
        return False
    if not 0 <= start <= end <= len(doc_text):
        return False
    return doc_text[start:end] == quote


def answer_in_quotes(quotes: Sequence[str], answers: Sequence[str], must_include: Sequence[str] = ()) -> bool:
    """Is the expected answer inside the cited quotes?

    Convention: after `normalize_answer_text` (NFKC, no whitespace, lower case), ANY string of
    `answers` must occur inside ONE quote (not across the join of two quotes), and EVERY
    string of `must_include` must occur inside some quote (they may be spread over quotes).
    An empty `answers` list puts no condition, like `is_correct`. No non-empty quote -> False.
    """
    qs = [normalize_answer_text(q) for q in quotes]
    qs = [q for q in qs if q]
    if not qs:
        return False
    if answers and not any(normalize_answer_text(a) in q for a in answers for q in qs):
        return False
    return all(any(normalize_answer_text(m) in q for q in qs) for m in must_include)


def answer_length(text: str) -> int:
    """Characters of an answer text without citation markers (`[1]`) and whitespace."""
    return len(_WHITESPACE.sub("", _MARKER.sub("", text or "")))


def scored_span(answerable: bool, short_answer: str | None, quotes: Sequence[str] = ()) -> str:
    """The string scored by CMRC exact match and F1: the short answer; "" (scores 0) when none is
    shown or the question was refused. A whole sentence is not a short answer: scoring the quote
    in its place would reward answers that show nothing in bold."""
    if not answerable or not short_answer or not short_answer.strip():
        return ""
    return short_answer


def unify_span(text: str) -> str:
    """What EM/F1 see of a span: NFKC (`２５１` -> `251`, `％` -> `%`, `．` -> `.`), then the
    whitespace between two digits removed (`1 000` -> `1000`, letter-spaced `2 0 2 4` -> `2024`).
    Other whitespace is left to the CMRC functions (EM drops it; F1 treats it as a separator)."""
    return _DIGIT_GAP.sub("", unicodedata.normalize("NFKC", text or ""))


def short_answer_scores(pred: str, golds: Sequence[str]) -> tuple[float, float]:
    """(exact match, F1) of a predicted span by the CMRC 2018 convention (`metrics.exact_match`,
    `metrics.char_f1`: the maximum over `golds`), after `unify_span` on both sides. The official
    script has no such step and scores `８６万元` against `86万元` as a miss."""
    p, g = unify_span(pred), [unify_span(x) for x in golds]
    return exact_match(p, g), char_f1(p, g)


def covered_share(text: str, golds: Sequence[str]) -> float:
    """How much of the best-matching gold string `text` holds: the longest common substring of the
    two, after `normalize_answer_text`, divided by the gold's length; the maximum over `golds`.
    1.0 means a gold is contained in `text`; empty golds are skipped; 0.0 when nothing matches."""
    t = normalize_answer_text(text or "")
    best = 0.0
    for gold in golds:
        g = normalize_answer_text(gold)
        if not g or not t:
            continue
        longest, prev = 0, [0] * (len(t) + 1)
        for x in g:
            cur = [0] * (len(t) + 1)
            for j, y in enumerate(t):
                if x == y:
                    cur[j + 1] = prev[j] + 1
                    longest = max(longest, cur[j + 1])
            prev = cur
        best = max(best, longest / len(g))
    return best


def holds_stale(text: str | None, stale: Sequence[str], current: Sequence[str] = ()) -> bool:
    """Does `text` hold an older value (ANY string of `stale`) and none of the `current` ones?

    Convention: after `normalize_answer_text` on all sides; an empty `stale` list or text -> False.
    A text holding a current value is not stale: the answer may add the earlier value as such, and
    the old `150元` is not read inside the current `1150元`."""
    got = normalize_answer_text(text or "")
    olds = [normalize_answer_text(s) for s in stale if s and s.strip()]
    if not got or not olds:
        return False
    news = [normalize_answer_text(c) for c in current if c and c.strip()]
    if any(c in got for c in news):
        return False
    return any(old in got for old in olds)


def failure_reason(
    *,
    correct: bool,
    unanswerable: bool,
    refused: bool,
    answer_in_context: bool,
    covered: float = 0.0,
    error: str | None = None,
    stale: bool = False,
) -> str | None:
    """One label from FAILURE_REASONS for a failed question; None when `correct`.

    `answer_in_context`: a passage the answerer read contains the expected answer;
    `covered`: `covered_share(answer text, expected answers)`; `stale`: the answer holds an older
    value and not the current one (`holds_stale`).
    Order of the tests: error; a stale answer (not refused); an unanswerable question answered; a
    refusal, split by `answer_in_context`; a wrong answer: covered >= 0.5 -> partial_answer, else
    wrong_sentence when the answer was in context, else answer_not_in_context.
    """
    if correct:
        return None
    if error:
        return "error"
    if stale and not refused:
        return "stale_answer"
    if unanswerable:
        return "answered_unanswerable"
    if refused:
        return "refused_answer_in_context" if answer_in_context else "refused_answer_not_in_context"
    if covered >= 0.5:
        return "partial_answer"
    return "wrong_sentence" if answer_in_context else "answer_not_in_context"
