"""Small text helpers shared by the stages: sentence spans and search-side normalisation."""
from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

# A sentence ends after one of these, plus any closing quotes/brackets that follow.
_END = "。！？!?…⋯"  # not ；: a list joined by semicolons stays one sentence
_CLOSE = "”’」』）)】》\"'"
_SENT_RE = re.compile(rf"[^{_END}\n]*(?:[{_END}]+[{_CLOSE}]*|\n|$)")
_TITLE_RE = re.compile(r"《[^《》\n]{1,40}》")
_END_CHAR = re.compile(rf"[{_END}]")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in text[start:end], whitespace trimmed, none empty.
    A title in 《》 is never cut, though it may hold a "！" or "？" (《CDTV×Sacas！》)."""
    end = len(text) if end is None else end
    titles = [m.span() for m in _TITLE_RE.finditer(text, start, end) if _END_CHAR.search(m.group())]
    pieces: list[list[int]] = []
    for m in _SENT_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        if pieces and titles and _ends_in_title(text, *pieces[-1], titles):
            pieces[-1][1] = e
        else:
            pieces.append([s, e])
    spans = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _ends_in_title(text: str, s: int, e: int, titles: list[tuple[int, int]]) -> bool:
    """Whether the mark that ended text[s:e] lies inside one of the titles."""
    last = max((m.start() for m in _END_CHAR.finditer(text, s, e)), default=-1)
    return last >= 0 and any(ts < last < te - 1 for ts, te in titles)


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at commas and colons (kept with the left part)."""
    spans, s = [], start
    for m in re.finditer(r"[，,：:、]", text[start:end]):
        e = start + m.end()
        if e - s >= 8:
            spans.append((s, e))
            s = e
    if s < end:
        spans.append((s, end))
    return spans


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    try:
        return _t2s().convert(text)
    except ImportError:  # opencc missing: search still works for simplified text
        return text


def normalize_for_search(text: str) -> str:
    """NFKC (full-width forms to half-width), lower case, traditional to simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def cjk_ratio(text: str) -> float:
    letters = [c for c in text if c.isalnum()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _CJK_RE.match(c)) / len(letters)


def is_chinese(text: str) -> bool:
    return cjk_ratio(text) >= 0.3


# a document's date as found (rag.retrieve.filters and the Milvus store read dates the same way): read from the start, as far as it is a date
_DOC_DATE_RE = re.compile(r"\s*(\d{4})(?!\d)(?:\s*[-/.年]\s*(\d{1,2})(?!\d)(?:\s*[-/.月]\s*(\d{1,2})(?!\d))?)?")


def iso_date(year: str, month: str | None, day: str | None) -> str | None:
    """'yyyy', 'yyyy-mm' or 'yyyy-mm-dd' when the parts make a real date (as far as they go)."""
    y = int(year)
    if not 1 <= y <= 9999:
        return None
    if month is None:
        return f"{y:04d}"
    m = int(month)
    if not 1 <= m <= 12:
        return None
    if day is None:
        return f"{y:04d}-{m:02d}"
    d = int(day)
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


@lru_cache(maxsize=65536)
def document_date(value: str | None) -> str | None:
    """A document's date as 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd' (as precise as it is written and
    valid), or None when it has none or it does not start with a year."""
    if not value:
        return None
    m = _DOC_DATE_RE.match(value)
    if not m:
        return None
    year, month, day = m.groups()
    return iso_date(year, month, day) or iso_date(year, month, None) or iso_date(year, None, None)
