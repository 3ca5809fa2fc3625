"""Generated sentences against time: passages newest first, and no superseded value stated as current.

The prompt lists the passages newest first (`newest_first`). After rag/answer/verify.py has checked
each sentence against the passages it cites, `check_times` rejects a verified sentence that states
as current a value a newer passage contradicts:
  - a value of the sentence (a number with its unit, dates left out) comes from a cited passage
    sentence (A, its time: the year written in it, else its document's date);
  - a clause of another passage sentence (B, any passage of the prompt, the same one too) is newer,
    speaks of the same kind of fact (its wording, values, dates and change or time words left out,
    shares most of the sentence clause's, both ways; one way is enough when B changes a standard:
    调整为, 废止, raised to...), names what the sentence names, and states a different value of
    the same unit as its current one (a value after 调整为/提高至 in B, not one after 原/此前);
  - and the sentence does not itself mark the value as earlier (此前, 原, 曾, 调整前, formerly,
    previously, was ... before) nor date it before B's time ("2023年为3000元").
B must not be later than `today`; a question about the past (以前, 原来) is not checked, and for a
question about a given time only passages of that time count as newer.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Sequence

from rag.answer.verify import Checked, Source, _name_found, _norm, _number_found, _pairs, names_in, numbers_in
from rag.dates import Date, as_date, asked_time, find_dates, sentence_time, supersession
from rag.dates.words import ABOLISH, ADJUST, CURRENT_WORDS, PAST_WORDS, REPLACE, TAKES_EFFECT, marker_in
from rag.text import sentence_spans

SAME_KIND = 0.6  # share of a clause's wording found in the other clause, both ways
SAME_KIND_CHANGED = 0.5  # one way (the sentence's in B's), when B changes a standard

_CLAUSE = re.compile(r"[，；;]|,(?!\d{3})")
_EARLIER = PAST_WORDS + ("曾", "原为", "原是", "原标准", "原定", "调整前", "before", "until")
_NEWER = CURRENT_WORDS + ("现为", "现已", "现调整", "now")
_FILLER = re.compile(r"[的是为达约了共计有至到由从将已在其及和与于按]"
                     r"|\b(?:the|was|were|is|are|of|to|from|by|at)\b", re.I)
_CHANGE_WORDS = ADJUST + REPLACE + ABOLISH + TAKES_EFFECT + PAST_WORDS + CURRENT_WORDS


def source_date(src: Source) -> Date | None:
    return as_date(src.doc.date)


def newest_first(sources: Sequence[Source]) -> list[Source]:
    """The passages newest first by their document's date (undated last, the given order among
    equals), renumbered [1]..[k] in that order: the numbers the prompt shows and verify reads."""
    dated = sorted((s for s in sources if source_date(s)), key=source_date, reverse=True)  # stable
    undated = [s for s in sources if not source_date(s)]
    return [replace(s, n=i) for i, s in enumerate(dated + undated, 1)]


# -- clauses and their values ------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    value: float
    unit: str
    written: str
    earlier: bool  # marked as an earlier one (此前为3000元, 由3000元提高至…)


@dataclass(frozen=True)
class Clause:
    text: str
    values: tuple[Value, ...]
    time: Date | None  # its own date, or one carried from a leading clause (2025年，…), or the document's
    earlier: bool  # the clause as a whole is marked as earlier (此前，…)
    pairs: frozenset  # its wording: values, dates, change and time words, fillers left out


def _blank(text: str, spans) -> str:
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + " " * (e - s) + text[e:]
    return text


def _events(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the words that mark what follows as "earlier" (此前, 原) or "new"
    (现行, now), or "change" (提高至, 调整为: what precedes is earlier, what follows new)."""
    out = []
    for words, kind in ((_EARLIER, "earlier"), (_NEWER, "new"), (ADJUST + REPLACE, "change")):
        pos = 0
        for w in marker_in(text, words):
            at = text.find(w, pos)
            if at >= 0:
                out.append((at, at + len(w), kind))
                pos = at + len(w)
    return sorted(out)


def _earlier(start: int, events, default: bool, next_value: int | None) -> bool:
    """Is the value at `start` marked as earlier: after 此前/原 (the last mark before it); before a
    提高至/调整为 with no mark between (由3000元提高至5000元); or followed by an earlier-mark that
    no other value follows ("was 30 yuan before", "3000元为调整前标准")?"""
    before = [k for _, end, k in events if end <= start]
    after = [(s, k) for s, _, k in events if s >= start]
    if after and after[0][1] == "change" and (not before or before[-1] != "change"):
        return True
    if before:
        return before[-1] == "earlier"
    if after and after[0][1] == "earlier" and (next_value is None or next_value < after[0][0]):
        return True
    return default


def clauses(text: str, doc_date: Date | None) -> list[Clause]:
    """A sentence's clauses with their values and times; a clause with no value (2025年，/ 此前，)
    passes its date and its earlier mark on to the clauses after it."""
    text = unicodedata.normalize("NFKC", text)
    out: list[Clause] = []
    carried_time, carried_earlier = None, False
    for piece in _CLAUSE.split(text):
        if not piece.strip():
            continue
        dates = find_dates(piece, doc_date.year if doc_date else None)
        bare = _blank(piece, [(f.start, f.end) for f in dates])
        events = _events(bare)
        own = sentence_time(piece, doc_date)
        time = own if (dates or own != doc_date) else (carried_time or doc_date)
        default = carried_earlier
        found, at = [], 0
        for value, unit, written in numbers_in(bare):
            start = bare.find(written, at)
            at = start + len(written) if start >= 0 else at
            found.append((value, unit, written, start))
        values, cuts = [], []
        for i, (value, unit, written, start) in enumerate(found):
            following = found[i + 1][3] if i + 1 < len(found) else None
            values.append(Value(value, unit, written, _earlier(start, events, default, following)))
            cuts.append((start, start + len(written)))
        if not values:
            carried_time = time if dates or own != doc_date else carried_time
            carried_earlier = carried_earlier or any(k == "earlier" for *_, k in events)
        words = _blank(bare, [c for c in cuts if c[0] >= 0])
        for w in set(marker_in(words, _CHANGE_WORDS)):
            words = re.sub(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w), " ", words, flags=re.I)
        out.append(Clause(piece, tuple(values), time, default, frozenset(_pairs(_FILLER.sub(" ", words)))))
    return out


# -- the check -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Newer:
    """A clause of a passage sentence, with the time and the change of its sentence."""

    source: Source
    start: int
    end: int
    clause: Clause
    changed: str | None  # the change marker of its sentence (提高至, 废止...), if any


def _statements(sources: Sequence[Source], today: _dt.date | None) -> list[Newer]:
    out = []
    for src in sources:
        doc_date = source_date(src)
        for s, e in sentence_spans(src.doc.text, src.start, src.end):
            sentence = src.doc.text[s:e]
            change = supersession(sentence, doc_date)
            for c in clauses(sentence, doc_date):
                if not c.values or c.time is None or (today and c.time.first_day() > today):
                    continue
                out.append(Newer(src, s, e, c, change.markers[0] if change and change.markers else None))
    return out


def _similar(mine: frozenset, theirs: frozenset, changed: bool) -> bool:
    if not mine or not theirs:
        return False
    shared = len(mine & theirs)
    if changed and shared / len(mine) >= SAME_KIND_CHANGED:
        return True
    return shared / len(mine) >= SAME_KIND and shared / len(theirs) >= SAME_KIND


def _quote_time(c: Checked, v: Value) -> tuple[Date | None, tuple]:
    """The time of the cited sentence that holds the value, and that sentence's place."""
    for q in c.quotes:
        text = q.source.doc.text[q.start:q.end]
        if _number_found((v.value, v.unit, v.written), numbers_in(text)):
            return sentence_time(text, source_date(q.source)), (q.source.doc.id, q.start)
    return None, ()


def _stale(c: Checked, statements: Sequence[Newer], asked) -> str | None:
    """Why the sentence states an out-of-date value as current, or None."""
    names = None
    for mine in clauses(c.check.text, None):
        for v in mine.values:
            if v.earlier or mine.earlier:
                continue
            then, place = _quote_time(c, v)
            if then is None:
                continue
            for b in statements:
                t = b.clause.time
                if (b.source.doc.id, b.start) == place:  # the cited sentence itself: only where it says "earlier"
                    if not any(x.earlier and _number_found((v.value, v.unit, v.written), [(x.value, x.unit, x.written)])
                               for x in b.clause.values):
                        continue
                elif not t > then or not asked.covers(t):
                    continue
                if mine.time is not None and mine.time.last_day() < t.first_day():
                    continue  # the sentence dates the value itself, before B's time
                current = [x for x in b.clause.values if not x.earlier and x.unit == v.unit]
                if not current or _number_found((v.value, v.unit, v.written),
                                                [(x.value, x.unit, x.written) for x in current]):
                    continue
                if not _similar(mine.pairs, b.clause.pairs, b.changed is not None):
                    continue
                if names is None:
                    names = names_in(c.check.text)
                where = (b.source.doc.title or "") + " " + b.source.text
                if not all(_name_found(n, _norm(where), where) for n in names):
                    continue
                how = f"; it changes the standard: {b.changed}" if b.changed else ""
                return (f"stale: a newer passage [{b.source.n}] ({t.iso()}) says {current[-1].written}"
                        f" where the sentence says {v.written} as current{how}")
    return None


def check_times(checked: Sequence[Checked], sources: Sequence[Source], question: str = "",
                today: _dt.date | None = None) -> list[Checked]:
    """`checked` with every verified sentence that states a superseded value as current turned
    into a failed check ("stale: ..."). `today`: the asking date (None: the real date)."""
    asked = asked_time(question, today)
    if asked.kind == "past" or not any(c.check.verified for c in checked):
        return list(checked)
    statements = _statements(sources, today or _dt.date.today())
    out = []
    for c in checked:
        why = _stale(c, statements, asked) if c.check.verified else None
        out.append(Checked(replace(c.check, verified=False, reason=why)) if why else c)
    return out


def is_stale(reason: str | None) -> bool:
    return bool(reason) and reason.startswith("stale:")
