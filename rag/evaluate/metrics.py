"""Evaluation metrics as small pure functions (plain Python, no numpy).

Three families:

- our answer check for the product's QA sets: `normalize_answer_text`, `is_correct`;
- the CMRC 2018 reading-comprehension convention: `cmrc_normalize`, `exact_match`, `char_f1`;
- retrieval and statistics: `hit_at_k`, `reciprocal_rank`, `wilson_interval`, `percentile`,
  `refusal_precision_recall`, plus `detect_lang` for splitting reports by question language.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

from rag.text import is_cjk_char

__all__ = [
    "char_f1",
    "cmrc_normalize",
    "detect_lang",
    "exact_match",
    "hit_at_k",
    "is_correct",
    "normalize_answer_text",
    "percentile",
    "reciprocal_rank",
    "refusal_precision_recall",
    "wilson_interval",
]

_WHITESPACE = re.compile(r"\s+")


# --- our answer check --------------------------------------------------------------------


def normalize_answer_text(s: str) -> str:
    """Normalise text for the substring answer check.

    Convention: Unicode NFKC (full-width digits, letters and signs become half-width:
    `２５１` -> `251`, `％` -> `%`, `Ａ` -> `A`, `（` -> `(`), then every whitespace
    character is removed (so `86 万元` == `86万元` and letter-spaced `态 势` == `态势`),
    then Latin letters are lower-cased. Chinese punctuation such as `，`  becomes `,` under
    NFKC; curly quotes `“”` and `、` are left as they are.
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", s)).lower()


def is_correct(answer: str, answers: Sequence[str], must_include: Sequence[str] = ()) -> bool:
    """The QA-set scoring rule.

    Convention: after `normalize_answer_text` on both sides, `answer` is correct when it
    contains ANY string of `answers` (vacuously true when `answers` is empty) and ALL
    strings of `must_include`. An answer that is empty after normalisation is never correct.
    """
    got = normalize_answer_text(answer or "")
    if not got:
        return False
    if answers and not any(normalize_answer_text(a) in got for a in answers):
        return False
    return all(normalize_answer_text(m) in got for m in must_include)


# --- CMRC 2018 ---------------------------------------------------------------------------
#
# Follows the official script ymcui/cmrc2018 `squad-style-data/cmrc2018_evaluate.py` (v5;
# scoring identical to `eval/cmrc2018_evaluate.py` v4): lower-case and strip; EM compares
# the strings with punctuation removed; F1 segments Chinese character by character and
# English into words, takes the longest common *contiguous* run of tokens between prediction
# and gold (`find_lcs`), precision = lcs / len(pred tokens), recall = lcs / len(gold tokens),
# and the maximum over the golds. Deliberate deviations, all small:
#   * punctuation removed = every Unicode punctuation character (category P*) plus the
#     symbols the official list removes (+ = ^ ` ~ ～), except percent signs (% ％ ‰) and a
#     `.`/`,`/`．` between two digits (so `3.5%` keeps its meaning). The official list is a
#     fixed set of 33 characters and misses English `, . ! ? ( ) ;` and `…`;
#   * EM also removes inner whitespace (the official only strips the ends);
#   * English is split with a regex instead of nltk.word_tokenize: a token is a run of
#     letters, digits and `_` (with in-number separators); removed punctuation separates
#     tokens; any other symbol (`%`, `$`) is a token of its own, as nltk would give;
#   * CJK means the unified ideographs blocks incl. extension A and compatibility
#     ideographs, not only U+4E00-U+9FA5.
# No NFKC here, as in the official script; use `normalize_answer_text` for that.

_KEEP_SIGNS = frozenset("%％‰")
_EXTRA_REMOVED = frozenset("+=^`~～")
_NUMBER_SEPARATORS = frozenset(".,．")


_is_cjk = is_cjk_char


def _is_removed_punct(ch: str) -> bool:
    if ch in _KEEP_SIGNS:
        return False
    return ch in _EXTRA_REMOVED or unicodedata.category(ch).startswith("P")


def _blank_punctuation(s: str) -> str:
    """Lower-case, strip, and replace removable punctuation by a space (a token separator)."""
    s = s.lower().strip()
    out = []
    for i, ch in enumerate(s):
        if _is_removed_punct(ch):
            between_digits = (
                ch in _NUMBER_SEPARATORS
                and 0 < i < len(s) - 1
                and s[i - 1].isdigit()
                and s[i + 1].isdigit()
            )
            out.append(ch if between_digits else " ")
        else:
            out.append(ch)
    return "".join(out)


def cmrc_normalize(s: str) -> str:
    """Normalise for CMRC exact match.

    Convention: lower-case; remove punctuation, Chinese and English (Unicode category P*,
    plus `+ = ^ ` ~ ～` as the official script does), keeping `% ％ ‰` and a `.`/`,`
    between two digits; remove all whitespace. `“永康，”` -> `永康`; `3.5%` stays `3.5%`.
    """
    return _WHITESPACE.sub("", _blank_punctuation(s))


def _cmrc_tokens(s: str) -> list[str]:
    """Mixed segmentation: each CJK character is a token; English words and numbers are tokens."""
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            tokens.append("".join(run))
            run.clear()

    for ch in _blank_punctuation(s):
        if ch.isspace():
            flush()
        elif _is_cjk(ch):
            flush()
            tokens.append(ch)
        elif ch.isalnum() or ch == "_" or ch in _NUMBER_SEPARATORS:
            run.append(ch)  # a surviving separator sits between digits
        else:
            flush()
            tokens.append(ch)  # a kept symbol such as % is a token of its own
    flush()
    return tokens


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common contiguous subsequence (official `find_lcs`)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                cur[j + 1] = prev[j] + 1
                if cur[j + 1] > best:
                    best = cur[j + 1]
        prev = cur
    return best


def _require_golds(golds: Sequence[str]) -> None:
    if isinstance(golds, str):
        raise TypeError("golds must be a list of strings, not a single string; wrap it in a list")
    if not golds:
        raise ValueError("golds is empty; score unanswerable questions with refusal_precision_recall")


def exact_match(pred: str, golds: Sequence[str]) -> float:
    """CMRC exact match: 1.0 if `cmrc_normalize(pred)` equals `cmrc_normalize` of any gold, else 0.0.

    A prediction that is empty after normalisation scores 0.0. `golds` must be non-empty.
    """
    _require_golds(golds)
    p = cmrc_normalize(pred or "")
    if not p:
        return 0.0
    return 1.0 if any(p == cmrc_normalize(g) for g in golds) else 0.0


def char_f1(pred: str, golds: Sequence[str]) -> float:
    """CMRC F1 (official `calc_f1_score`), the maximum over `golds`.

    Tokens: each CJK character, each English word or number (see the module notes).
    lcs = longest common contiguous run of tokens; precision = lcs / len(pred tokens),
    recall = lcs / len(gold tokens), F1 = 2PR / (P + R); 0.0 when lcs is 0 (so also for an
    empty prediction). `golds` must be non-empty.
    """
    _require_golds(golds)
    p_tokens = _cmrc_tokens(pred or "")
    best = 0.0
    for gold in golds:
        g_tokens = _cmrc_tokens(gold)
        lcs = _longest_common_run(g_tokens, p_tokens)
        if lcs == 0:
            continue
        precision = lcs / len(p_tokens)
        recall = lcs / len(g_tokens)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


# --- retrieval ---------------------------------------------------------------------------


def _gold_set(gold: str | Iterable[str]) -> frozenset[str]:
    return frozenset([gold]) if isinstance(gold, str) else frozenset(gold)


def _dedupe(ranked_doc_ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for d in ranked_doc_ids:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def hit_at_k(ranked_doc_ids: Sequence[str], gold: str | Iterable[str], k: int) -> float:
    """1.0 if a gold document is among the first `k` distinct ids, else 0.0.

    Convention: `ranked_doc_ids` is best first and may repeat (several chunks of one
    document); repeats are dropped keeping the first occurrence before ranking. `gold` is
    one id or a collection of ids (any of them counts). `k` must be >= 1.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    golds = _gold_set(gold)
    return 1.0 if any(d in golds for d in _dedupe(ranked_doc_ids)[:k]) else 0.0


def reciprocal_rank(ranked_doc_ids: Sequence[str], gold: str | Iterable[str]) -> float:
    """1 / rank of the first gold document among distinct ids (rank 1 = best); 0.0 if absent.

    Same conventions as `hit_at_k`: repeats dropped keeping the first occurrence; `gold` is
    one id or a collection. Average over questions to get MRR.
    """
    golds = _gold_set(gold)
    for rank, d in enumerate(_dedupe(ranked_doc_ids), start=1):
        if d in golds:
            return 1.0 / rank
    return 0.0


# --- statistics --------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion successes / n (z = 1.96 is 95 %).

    With p = successes / n:
        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
    returns (centre - half, centre + half) clipped to [0, 1]. For n == 0 there is no
    information and the interval is (0.0, 1.0).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0 <= p <= 100) with linear interpolation, as numpy's default.

    Sort the values; rank = (n - 1) * p / 100; interpolate between the values at
    floor(rank) and ceil(rank). Raises ValueError on an empty sequence.
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be between 0 and 100, got {p}")
    xs = sorted(values)
    rank = (len(xs) - 1) * p / 100
    lo = math.floor(rank)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo)


def refusal_precision_recall(
    pred_refused: Sequence[bool], truly_unanswerable: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Precision and recall of refusing, treating "unanswerable" as the positive class.

    precision = refused and truly unanswerable / refused;
    recall    = refused and truly unanswerable / truly unanswerable.
    Either is None when its denominator is 0 (nothing refused; no unanswerable question).
    """
    if len(pred_refused) != len(truly_unanswerable):
        raise ValueError(
            f"length mismatch: {len(pred_refused)} predictions, {len(truly_unanswerable)} labels"
        )
    both = sum(1 for r, u in zip(pred_refused, truly_unanswerable) if r and u)
    refused = sum(1 for r in pred_refused if r)
    unanswerable = sum(1 for u in truly_unanswerable if u)
    precision = both / refused if refused else None
    recall = both / unanswerable if unanswerable else None
    return (precision, recall)


# --- language ----------------------------------------------------------------------------

from rag.text import language as detect_lang  # noqa: E402,F401 - the one detector (rag/text.py)
