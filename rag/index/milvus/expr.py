"""Filters (a rag.index.backend.Where, e.g. rag.retrieve.filters.Filters) as Milvus boolean
expressions, built from escaped literals only.

Milvus Lite 2.5 does not take expression templates (`filter_params`), so every value a user gives
goes through `literal()`: a double-quoted string with backslashes and quotes escaped and control
characters refused, so no input can end the literal and add a clause. `like_pattern()` escapes
LIKE's own wildcards (% and _) in the parts of a pattern that are meant literally.

Dates: each passage stores the period its document's date covers, `date_lo` and `date_hi`
("2025" -> 2025-01-01 .. 2025-12-31; "" when undated). Filters compare the two dates cut to the
shorter of them; for dates that are whole periods this is the same as "the document's period ends
on or after the since period starts" and "starts on or before the until period ends", which is
what the expression asks (tests/test_milvus_store.py checks the two agree).

Sources: the passage stores `source_key`, the source case-folded with / for \\. A substring is
`like "%...%"`, a glob of * and ? is a LIKE pattern; a glob with [ ] has no LIKE form and is
matched in Python against the distinct sources, which are then listed (`source_key in [...]`).
"""
from __future__ import annotations

import calendar
from typing import Callable, Iterable

from rag.errors import BadFilter
from rag.index.backend import Where
from rag.text import document_date


def literal(value: str) -> str:
    """`value` as a Milvus string literal; BadFilter for control characters (which no literal holds)."""
    text = str(value)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise BadFilter(f"The filter value {text!r} holds control characters; remove them.")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def like_pattern(pattern: str) -> str:
    """A rag source pattern (case-folded) as a LIKE pattern: a glob's * and ? become % and _,
    a plain pattern is a substring; % _ and \\ meant literally are escaped."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    if "*" in pattern or "?" in pattern:
        return "".join("%" if ch == "*" else "_" if ch == "?" else esc(ch) for ch in pattern)
    return "%" + esc(pattern) + "%"


def source_key(source: str | None) -> str:
    return source.replace("\\", "/").casefold() if source else ""


def period(iso: str | None) -> tuple[str, str]:
    """('yyyy-mm-dd' first day, last day) of a 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd' period; ('', '') for None."""
    if not iso:
        return "", ""
    parts = iso.split("-")
    if len(parts) == 3:
        return iso, iso
    if len(parts) == 2:
        y, m = int(parts[0]), int(parts[1])
        return f"{iso}-01", f"{iso}-{calendar.monthrange(y, m)[1]:02d}"
    return f"{iso}-01-01", f"{iso}-12-31"


def date_bounds(date: str | None) -> tuple[str, str]:
    """(date_lo, date_hi) stored for a document's date as written ('', '' when undated)."""
    return period(document_date(date))


def filter_expr(filters: Where | None, sources: Callable[[], Iterable[str]] | None = None) -> str:
    """The Milvus expression keeping passages of documents that pass `filters` ("" keeps all).
    `sources()` gives the distinct source_keys, needed only for a glob with [ ]."""
    if filters is None or not filters.active:
        return ""
    clauses = []
    ranges = []
    if filters.since:
        ranges.append(f"date_hi >= {literal(period(filters.since)[0])}")
    if filters.until:
        ranges.append(f"date_lo <= {literal(period(filters.until)[1])}")
    dated = " and ".join(['date_lo != ""'] + ranges)
    if filters.undated == "drop":
        clauses.append(f"({dated})")
    elif ranges:
        clauses.append(f'(date_lo == "" or ({dated}))')
    if filters.source:
        pattern = filters.source.casefold()
        if "[" in pattern:
            keys = sorted({k for k in (sources() if sources else ()) if k and filters.source_matches(k)})
            # no source matches: a clause no passage passes (ordinals start at 0)
            clauses.append(f"source_key in [{', '.join(literal(k) for k in keys)}]" if keys else "ordinal < 0")
        else:
            clauses.append(f'(source_key != "" and source_key like {literal(like_pattern(pattern))})')
    return " and ".join(clauses)


def doc_ids_expr(field: str, ids: Iterable[str]) -> str:
    """`field in ["a", "b"]` with every id escaped."""
    return f"{field} in [{', '.join(literal(i) for i in ids)}]"


__all__ = ["date_bounds", "doc_ids_expr", "filter_expr", "like_pattern", "literal", "period",
           "source_key"]
