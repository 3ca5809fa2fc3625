"""Whether a version of a fact is in force on the day asked (issue #19), for rag/answer/timeline.py.

A standard announced to apply from a date after the day asked is not yet the current fact (a
notice of October: 新标准自明年1月1日起执行), and a later notice may postpone it (原定于2026年1月1日起
执行的新收费标准，现推迟至2026年7月1日起执行): until the new date, the standard before it still holds.
Only the retrieved articles are read."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from rag.dates import Date, as_date, find_dates
from rag.text import sentence_spans

_POSTPONE = re.compile(r"推迟|延期|延后|暂缓|顺延|\bpostpone[sd]?\b|\bdelay(?:ed|s)?\b", re.I)
_PLANNED = re.compile(r"原定|原计划|原拟|originally|was (?:due|scheduled|set) to|were (?:due|scheduled|set) to", re.I)


@dataclass(frozen=True)
class Postponement:
    """A notice (dated `said`) that moves a start from `planned` to `moved`."""

    planned: Date
    moved: Date
    said: Date


def postponements(docs) -> list[Postponement]:
    """The postponements the articles state: a sentence that says 原定 (originally) before a date and
    推迟 / postponed before a later one."""
    out = []
    for doc in docs:
        said = as_date(doc.date)
        if said is None or not _POSTPONE.search(doc.text):
            continue
        for s, e in sentence_spans(doc.text):
            found = _postponed(doc.text[s:e], said)
            if found is not None:
                out.append(found)
    return out


def _postponed(sentence: str, said: Date) -> Postponement | None:
    m = _POSTPONE.search(sentence)
    plan = _PLANNED.search(sentence)
    if m is None or plan is None or plan.start() > m.start():
        return None
    dates = find_dates(sentence, said.year)
    before = [f.date for f in dates if plan.end() <= f.start < m.start()]
    after = [f.date for f in dates if f.start >= m.end()]
    if not before or not after or not before[0] < after[0]:
        return None
    return Postponement(before[0], after[0], said)


def moved(when: Date, doc_date: Date | None, found: list[Postponement]) -> Date:
    """The date a version applies from once postponements are read: a start that a notice of the
    same day or later moved (its planned date) becomes the new one."""
    for p in found:
        if when == p.planned and (doc_date is None or doc_date <= p.said):
            return p.moved
    return when


def not_yet(when: Date, today: _dt.date | None) -> bool:
    """Does a version apply only from after the day asked (a standard announced in advance)?"""
    return today is not None and when.first_day() > today


def postponed_at(doc, offset: int) -> bool:
    """Does the sentence of `doc` at `offset` postpone a change (原定…，现推迟至…)? Its figures are the
    planned standard's, not the one in force."""
    said = as_date(doc.date)
    span = next(((s, e) for s, e in sentence_spans(doc.text) if s <= offset < e), None)
    return said is not None and span is not None and _postponed(doc.text[span[0]:span[1]], said) is not None
