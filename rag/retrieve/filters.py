"""Which documents a question may be answered from: a date range, a source pattern, undated ones.

    f = Filters(since="2025", until="2025-06", source="daily", undated="drop")   # raises BadFilter
    f.matches(document) -> bool

Dates are compared as prefix-normalised ISO strings ("2025", "2025-01", "2025-01-31"), each side
cut to the shorter of the two: `since="2025"` keeps everything from 2025-01-01 on, `until="2025-01"`
keeps January 2025 whole, and a document dated only "2025" passes `since="2025-06"` (it may be
from June). A document whose date is missing or cannot be read as a date is undated: kept or
dropped by `undated` ("keep", the default, or "drop"), whether or not a range is given.

`source` matches the document's source path (relative to the corpus folder), ignoring case: a
glob when it holds `*`, `?` or `[` (matched against the whole path; `*` also crosses `/`), else a
substring. A document without a source never matches a source filter.

The filter is applied before answering: retrieval only returns passages of documents that pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from rag.errors import BadFilter
from rag.text import document_date, iso_date

UNDATED = ("keep", "drop")
DATE_FORMS = "yyyy, yyyy-mm or yyyy-mm-dd (e.g. 2025, 2025-01, 2025-01-31)"
GLOB_CHARS = frozenset("*?[")

# a filter date: the whole string; separators - / . or 年 月 (日 at the end)
_FILTER_DATE_RE = re.compile(r"(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月)?|\s*年)?")


def parse_date(value: str, name: str = "date") -> str:
    """A filter date as 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd'; BadFilter naming `name` otherwise."""
    text = str(value).strip()
    m = _FILTER_DATE_RE.fullmatch(text)
    iso = iso_date(*m.groups()) if m else None
    if iso is None:
        raise BadFilter(f"Cannot read the {name} date {text!r}; write {DATE_FORMS}.")
    return iso


def _cut(a: str, b: str) -> tuple[str, str]:
    n = min(len(a), len(b))
    return a[:n], b[:n]


@dataclass(frozen=True)
class Filters:
    """A date range (inclusive, partial dates allowed), a source pattern and what to do with
    undated documents. Values are checked and normalised on construction (BadFilter)."""

    since: str | None = None
    until: str | None = None
    source: str | None = None
    undated: str = "keep"

    def __post_init__(self):
        since = parse_date(self.since, "since") if _given(self.since) else None
        until = parse_date(self.until, "until") if _given(self.until) else None
        if since and until:
            a, b = _cut(since, until)
            if a > b:
                raise BadFilter(f"The since date {since} is after the until date {until}; swap them.")
        source = str(self.source).strip() if _given(self.source) else None
        undated = str(self.undated or "keep").strip().lower()  # not a string (from JSON): refused below
        if undated not in UNDATED:
            raise BadFilter(f"undated must be 'keep' or 'drop', not {self.undated!r}.")
        object.__setattr__(self, "since", since)
        object.__setattr__(self, "until", until)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "undated", undated)

    @property
    def active(self) -> bool:
        """False when every document passes (nothing to filter)."""
        return bool(self.since or self.until or self.source or self.undated == "drop")

    def matches(self, doc) -> bool:
        """Does this Document (anything with .date and .source) pass?"""
        return self.date_matches(doc.date) and self.source_matches(doc.source)

    def date_matches(self, date: str | None) -> bool:
        d = document_date(date)
        if d is None:
            return self.undated == "keep"
        if self.since:
            day, since = _cut(d, self.since)
            if day < since:
                return False
        if self.until:
            day, until = _cut(d, self.until)
            if day > until:
                return False
        return True

    def source_matches(self, source: str | None) -> bool:
        if not self.source:
            return True
        if not source:
            return False
        path, pattern = source.replace("\\", "/").casefold(), self.source.casefold()
        if GLOB_CHARS & set(pattern):
            return fnmatchcase(path, pattern)
        return pattern in path

    def describe(self) -> str:
        """One line for reports and logs, e.g. 'since 2025, until 2025-06, source *daily*, undated dropped'."""
        parts = [f"since {self.since}" if self.since else "", f"until {self.until}" if self.until else "",
                 f"source {self.source}" if self.source else "",
                 "undated dropped" if self.undated == "drop" else ""]
        return ", ".join(p for p in parts if p) or "none"


def _given(value) -> bool:
    return value is not None and str(value).strip() != ""


def make_filters(since=None, until=None, source=None, undated=None) -> Filters | None:
    """Filters from shell inputs (empty strings are 'not given'), or None when nothing filters."""
    f = Filters(since, until, source, undated or "keep")
    return f if f.active else None
