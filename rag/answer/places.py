"""Which place a version of a fact speaks of (issue #19). An archive of one county holds, beside its
own notices ("我市…补贴标准由100元调整为120元"), a neighbouring county's news in the same words
("邻川县…补贴标准提高至每人每月125元"): the neighbour's newer standard is no newer version of the
county's own, and must neither lead an answer nor mark the county's standard as replaced.

A version is taken to speak of another place when its article's headline starts with a place's
name (X县, X市, X区, X镇, X乡, X街道) that its sentence names again, that the question does not name
and that no other retrieved article mentions: a place the archive speaks of only there. The archive's own place is named by
many of its articles (or by none, as 我市), and a place the question names is the one asked."""
from __future__ import annotations

import re
from typing import Callable

_HEADLINE_PLACE = re.compile(r"^\s*(?![我全本该各])([\u4e00-\u9fff]{2,3}?(?:县|市|区|镇|乡|街道))")


def headline_place(title: str | None) -> str | None:
    """The place a headline starts with (邻川县提高… -> 邻川县), None when it starts with none."""
    m = _HEADLINE_PLACE.match(title or "")
    return m.group(1) if m else None


def elsewhere(doc, sentence: str, query: str, docs, rare: Callable[[str], bool | None] | None = None) -> bool:
    """Does `sentence` of `doc` speak of a place the question does not name and no other of `docs`
    mentions: the place its headline starts with, named again in the sentence itself (a county
    government's notice of appointments names its county in the headline only)? With `rare` (is a
    name rare in the archive: rag.answer.answerer) the archive's counts decide instead of the
    other retrieved articles: a place it names often is its own, whatever those say (a 2021 guide
    names the city, later notices say 我市)."""
    place = headline_place(doc.title) if getattr(doc, "date", None) else None  # news, not an encyclopedia's entry
    if place is None or place in query or place[:-1] in query or place not in sentence:
        return False
    said = rare(place) if rare is not None else None
    if said is not None:  # the archive's counts decide, where it is large enough to tell
        return said
    others = [d for d in docs if d.id != doc.id]
    return len(others) >= 2 and not any(place in d.text or place in (d.title or "") for d in others)
