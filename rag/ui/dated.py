"""Dates on the page (issue #19): the tag with the date of the fact an answer leads with, the
marks of source cards whose statement is earlier or superseded, and the knowledge base's note on a
document a later one replaced. Every piece of text is escaped; pure functions, used by render.py.
"""
from __future__ import annotations

import re
from html import escape

from rag.dates import as_date
from rag.dates.versions import Replacement, spoken_date
from rag.types import Answer, Citation

STATUSES = ("current", "earlier", "superseded")  # Citation.status when other versions were retrieved
_MARKER = re.compile(r"\[(\d{1,3})\]")

LABELS = {
    "zh": {"when": "（{date}）", "current": "最新", "earlier": "较早", "superseded": "已被取代",
           "superseded_on": "已被取代（{date}起）", "speaks_of": "所述时间", "unknown": "日期未知",
           "replaced": "已被取代（{date}，见《{title}》）"},
    "en": {"when": "(as of {date})", "current": "latest", "earlier": "earlier", "superseded": "superseded",
           "superseded_on": "superseded (from {date})", "speaks_of": "Refers to", "unknown": "date unknown",
           "replaced": "superseded ({date}, see “{title}”)"},
}


def _lab(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def leading_citation(answer: Answer) -> Citation | None:
    """The citation the answer leads with: that of its first [n] marker, else the first one."""
    by_n = {c.n: c for c in answer.citations}
    for m in _MARKER.finditer(answer.answer or ""):
        if int(m.group(1)) in by_n:
            return by_n[int(m.group(1))]
    return answer.citations[0] if answer.citations else None


def fact_date(answer: Answer) -> str | None:
    """The date of the fact the answer leads with: the time its quote speaks of (Citation.when),
    else its document's date; None when neither is a readable date."""
    c = leading_citation(answer)
    value = c and (c.when or c.date)
    return value if value and as_date(value) is not None else None


def render_when(answer: Answer, lang: str) -> str:
    """A small tag with the date of the leading fact ("（2024年）", "(as of Jan 2025)"); "" when unknown."""
    value = fact_date(answer)
    if value is None:
        return ""
    label = _lab(lang)["when"].format(date=spoken_date(value, lang))
    return f' <span class="rag-when" data-when="{escape(value)}">{escape(label)}</span>'


def status_of(citation: Citation) -> str | None:
    """The citation's status when it is one this page knows, else None (shown as before)."""
    return citation.status if citation.status in STATUSES else None


def render_badge(citation: Citation, lang: str) -> str:
    """最新 / 较早 / 已被取代（2025年3月1日起） beside a source's title; "" when no other version was retrieved."""
    status = status_of(citation)
    if status is None:
        return ""
    text = _lab(lang)[status]
    if status == "superseded" and citation.changed_on:
        text = _lab(lang)["superseded_on"].format(date=spoken_date(citation.changed_on, lang))
    return f' <span class="rag-badge rag-badge-{status}">{escape(text)}</span>'


def render_speaks_of(citation: Citation, lang: str) -> str:
    """The time a versioned quote speaks of, when it is not its document's date ("" otherwise)."""
    if status_of(citation) is None or not citation.when or citation.when == citation.date:
        return ""
    lab = _lab(lang)
    return f'<span class="rag-source-when">{lab["speaks_of"]}: {escape(spoken_date(citation.when, lang))}</span>'


def replaced_text(r: Replacement, lang: str = "zh") -> str:
    """已被取代（2025-03-01，见《…》）: when, and by which document (plain text, not escaped)."""
    lab = _lab(lang)
    return lab["replaced"].format(date=r.changed_on or lab["unknown"], title=r.by_title or r.by_doc_id)
