"""The values a sentence says were changed, and what they became (由80元、70元提高至110元和100元): the
old value of a change is never a current answer, the new one is. Read by the short answer's rules
(span.py), the version's value (version_value.py) and the announced change (dating.py)."""
from __future__ import annotations

import re

from rag.dates.words import ADJUST

CHANGED_FROM = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in sorted(ADJUST, key=len, reverse=True)
                                                if not w.isascii()) + ")")
_MARKER = re.compile("|".join(re.escape(w) for w in sorted(ADJUST, key=len, reverse=True) if not w.isascii()))
_FROM = re.compile(r"由|从|原来|原先|原")
_CLAUSE_END = re.compile(r"[。；;！？!?\n]")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
_UNIT = re.compile(r"[^\d，。；,;、\s]{0,6}")


def with_unit(text: str, old: str, to: tuple[int, int]) -> tuple[int, int]:
    """The span `to` of a new figure grown by the unit the old value `old` is written with, where the
    text writes it after the new one too (由30个工作日缩短为15个工作日: 15 -> 15个工作日)."""
    m = FIGURE.match(old)
    if m is None:
        return to
    rest = old[m.end():]
    marker = _MARKER.search(rest)  # 30个工作日压缩至…: the unit stops at the change's word
    unit = _UNIT.match(rest[: marker.start()] if marker else rest).group()
    return (to[0], to[1] + len(unit)) if unit and text.startswith(unit, to[1]) else to


def _change_around(text: str, start: int, end: int) -> tuple[int, re.Match] | None:
    """(where the changed-from part begins, the change marker) when text[start:end] stands between
    由 / 从 / 原 and a change marker of its clause (由原来的每月80元、70元提高至…), or right before
    the marker (100元调整为…); else None."""
    lo = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    said = list(_FROM.finditer(text, lo, start))
    begin = said[-1].start() if said and not _MARKER.search(text, said[-1].end(), start) else None
    if CHANGED_FROM.match(text, end):
        return (start if begin is None else begin), _MARKER.search(text, end)
    stop = _CLAUSE_END.search(text, end)
    m = _MARKER.search(text, end, stop.start() if stop else len(text))
    if begin is None or m is None or m.start() - end > 24 or re.search(r"[，,]", text[end:m.start()]):
        return None  # no 由 before it, a change made before it (…提高至110元、100元), or too far
    return begin, m


def changes_a_figure(text: str) -> bool:
    """Does the text change a figure to another, both written (每证借阅册数由6册提高至12册)?"""
    return any(changed_to(text, f.start(), f.end()) for f in FIGURE.finditer(text))


def is_new_value(text: str, start: int, end: int) -> bool:
    """Is text[start:end] the value a figure of its sentence was changed to (15个工作日 of
    由30个工作日缩短为15个工作日)?"""
    lo = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    return any((to := changed_to(text, f.start(), f.end())) is not None and to[0] <= start < to[1]
               for f in FIGURE.finditer(text, lo, start))


def changed_from(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a value its sentence says was changed (the value after 由 / 从 / 原, before
    调整为 / 提高至 / 增加至 …)? Then it is superseded, never a current answer."""
    return _change_around(text, start, end) is not None


def changed_to(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the value text[start:end] was changed to: the figure after the change marker in
    the same place of its list as this one in the list before it (由80元、70元提高至110元和100元:
    80元 -> 110元), with the unit written after it (由5册增加至10册 -> 10册); None when not found."""
    found = _change_around(text, start, end)
    value = FIGURE.search(text, start, end)
    if found is None or value is None:
        return None
    begin, marker = found
    olds = [f.start() for f in FIGURE.finditer(text, begin, marker.start())]
    stop = re.search(r"[，,。；;！？!?\n]", text[marker.end():])
    hi = marker.end() + stop.start() if stop else len(text)
    news = list(FIGURE.finditer(text, marker.end(), hi))
    if value.start() not in olds or len(olds) != len(news) and len(news) != 1:
        return None
    new = news[olds.index(value.start())] if len(olds) == len(news) else news[0]
    unit = text[value.end():end]
    tail = unit if text.startswith(unit, new.end()) else ""
    return new.start(), new.end() + len(tail)
