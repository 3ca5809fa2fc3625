"""Small text helpers shared by the stages: sentence spans and search-side normalisation."""
from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache
from typing import Callable

# A sentence ends after one of these, plus any closing quotes/brackets that follow.
_END = "。！？!?…⋯"  # not ；: a list joined by semicolons stays one sentence
_CLOSE = "”’」』）)】》\"'"
_SENT_RE = re.compile(rf"[^{_END}\n]*(?:[{_END}]+[{_CLOSE}]*|\n|$)")
_TITLE_RE = re.compile(r"《[^《》\n]{1,40}》")
_END_CHAR = re.compile(rf"[{_END}]")

# the characters Chinese numerals are written with (二百六十七, 十三, 一千二百, 〇), for a character class
CN_NUMERALS = "零〇一二两三四五六七八九十百千万亿半"


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


_CLAUSE_MARK = re.compile(r"[，：、]|[,:](?=\s)(?!\s*\d{4}\b)|[,:](?=[^\s\d])")


def clause_mark_at(text: str, i: int) -> bool:
    """Is the ASCII , ; or : at text[i] a clause's end: not inside a figure (11,000), a time (9:00)
    or an English date (March 1, 2024)? (A ; always is.)"""
    return text[i] == ";" or _CLAUSE_MARK.match(text, i) is not None


def clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at commas and colons (kept with the left part); not inside a
    figure (11,000), a time (9:00) or an English date (March 1, 2024)."""
    spans, s = [], start
    for m in _CLAUSE_MARK.finditer(text[start:end]):
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
    """opencc's t2s, exactly, with less work: a text none of whose characters or phrases t2s changes
    is returned as it is, and the rest is converted a piece between separators at a time, each
    piece remembered (opencc splits a text at its separators and converts each piece alone); the
    clauses of a sentence come back in its neighbours' windows and lead-ins."""
    try:
        cc = _t2s()
    except ImportError:  # opencc missing: search still works for simplified text
        return text
    split, changes = getattr(cc, "split_chars_re", None), _t2s_changes()
    if split is None or changes is None:  # another opencc: the whole text at once
        return cc.convert(text)
    if not changes(text):
        return text
    parts = split.split(text)
    parts[0::2] = [_simplified_piece(piece) if piece else piece for piece in parts[0::2]]
    return "".join(parts)


@lru_cache(maxsize=1)
def _t2s_changes() -> Callable[[str], bool] | None:
    """Whether a text holds a key of t2s's dictionaries whose value (its first one, as opencc takes
    it) differs from it. opencc's result is made of the text's unmatched parts and the values of
    the keys it matched, in order: a text holding none of these keys is its own result. The
    test: a character that changes, or one of the few phrases that change though none of their
    characters does ("瞭解"). None when the opencc installed keeps its dictionaries another way."""
    cc = _t2s()
    keys: set[str] = set()

    def walk(chain) -> None:
        for item in chain:
            if isinstance(item, list):
                walk(item)
            else:
                keys.update(k for k, v in item[2].items() if v.split(" ")[0] != k)

    try:
        walk(cc._dict_chain_data)
        cc._convert  # noqa: B018 - _simplified_piece's entry point
    except (AttributeError, IndexError, TypeError):
        return None
    chars = frozenset(k for k in keys if len(k) == 1)
    phrases = sorted((k for k in keys if len(k) > 1 and chars.isdisjoint(k)), key=len, reverse=True)
    phrase = re.compile("|".join(map(re.escape, phrases)) or r"(?!)")
    return lambda text: not chars.isdisjoint(text) or phrase.search(text) is not None


@lru_cache(maxsize=65536)
def _simplified_piece(piece: str) -> str:
    """One piece between opencc's separators, converted as opencc's convert converts it."""
    if not _t2s_changes()(piece):
        return piece
    cc = _t2s()
    return cc._convert(piece, cc._dict_chain_data)


@lru_cache(maxsize=16384)
def normalize_for_search(text: str) -> str:
    """NFKC (full-width forms to half-width), lower case, traditional to simplified. Remembered:
    opencc converts in Python (about 1 ms a sentence) and answering asks for the same sentences often."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def is_cjk_char(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x2FFFF
    )


ZH_SHARE = 0.3  # CJK share of letters from which a text counts as Chinese


def language(text: str) -> str:
    """The one language detector: "zh" or "en" from the share of CJK characters among letters.

    share = CJK characters / (CJK characters + other alphabetic characters, after NFKC); "zh" when
    share >= 0.3, else "en". Digits, punctuation and spaces are ignored; a text with no letters at
    all (e.g. "2024") is "zh", the corpus language. An English question may carry a Chinese name
    ("How many tourists did 青石村 receive?": 3 / 28) and a Chinese one Latin ("S316省道是什么项目").
    Used by answering, the page's labels and evaluation reports alike."""
    cjk = other = 0
    for ch in unicodedata.normalize("NFKC", text or ""):
        if is_cjk_char(ch):
            cjk += 1
        elif ch.isalpha():
            other += 1
    if cjk + other == 0:
        return "zh"
    return "zh" if cjk / (cjk + other) >= ZH_SHARE else "en"


def is_chinese(text: str) -> bool:
    return language(text) == "zh"


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
