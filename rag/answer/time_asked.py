"""A second look for a question about a given year.

The passages a question finds rank by its words, and an archive says the same words every year: asked
"2020年县卫生健康局局长是谁", the top passages may all be of 2021 and later, and the answer would decline
("the articles stop before 2020") though an article of 2020 names the head. When an answer declines
and the question asks about one year or a few (2020年, 去年, 2019至2021年), the articles of those years
and of the year after (a year's report is published in January of the next) are searched again on
their own, and the question is answered from them. Their answer is kept only when it finds the fact
itself: a short answer, from a sentence of the years asked (a figure's sentence states its year: 2020年…,
去年 in an article of 2021; an article of 2020 that names the head speaks of 2020). Else the first
answer's decline stands: the articles of a year hold many sentences that answer nothing asked.
"""
from __future__ import annotations

import datetime as _dt
from typing import Callable

from rag.answer.span import question_type
from rag.retrieve.filters import Filters

# how many years a question may span and still be searched again year by year (2019至2021年: 3)
MAX_YEARS = 3


def years_asked(question: str, today: _dt.date) -> tuple[int, int] | None:
    """The first and last year `question` asks about (2020年, 去年, 2019至2021年), or None (no year, or
    more than MAX_YEARS of them)."""
    from rag.dates import asked_time

    asked = asked_time(question, today)
    if asked.kind != "year" or asked.start is None or asked.end is None:
        return None
    first, last = asked.start.year, asked.end.year
    return (first, last) if last - first + 1 <= MAX_YEARS else None


def filters_for(question: str, today: _dt.date, base: Filters | None) -> Filters | None:
    """The filters of the years `question` asks about and the year after, within `base`'s own (a
    date range a user set is kept as it is: None); None when it asks about no year."""
    return _filters(years_asked(question, today), today, base)


def _filters(years: tuple[int, int] | None, today: _dt.date, base: Filters | None) -> Filters | None:
    if years is None or (base is not None and (base.since or base.until)):
        return None
    first, last = years
    return Filters(since=str(first), until=str(min(last + 1, max(today.year, last))),
                   source=base.source if base else None, undated="drop")


def within_time_asked(answerer, question: str, searched: str | None, today: _dt.date, vector, k: int,
                      base: Filters | None, search: Callable[[Filters, int], list]):
    """The answer from the articles of the time asked, or None (no year asked, nothing found, or
    those articles do not answer either). `search(filters, n)`: the top n hits within filters."""
    asked = searched or question
    years = years_asked(asked, today)
    f = _filters(years, today, base)
    if f is None:
        return None
    found = search(f, k + max(answerer.policy.further_from, answerer.policy.newer_from))
    if not found:
        return None
    again = answerer.answer(question, found[:k], vector, searched, today, found[k:])
    if again.decline_reason is not None or again.short_answer is None or not again.citations:
        return None
    figure = question_type(asked) == "number"
    return again if _of_years(again.citations[0].when, years, figure) else None


def _of_years(when: str | None, years: tuple[int, int], figure: bool) -> bool:
    """Does the time a quote speaks of (Citation.when: "2020", or a date "2020-05-19") fall in the years
    asked? A figure's must be a year its sentence states (a date is its article's or an event's: a
    2022 notice's loan ceiling is no 2022 total)."""
    if not when or not when[:4].isdigit() or (figure and len(when) != 4):
        return False
    return years[0] <= int(when[:4]) <= years[1]
