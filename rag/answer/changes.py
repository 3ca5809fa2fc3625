"""Which retrieved sentences change a standard (issue #19), for rag/answer/timeline.py: the strongest
change an article makes (调整为, 废止, 自…起执行), whether a candidate's article changes one,
whether a sentence only says what no longer applies or ends a charge or payment (不再收取), and whether a
newer article speaks of what an older answer says at all."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from rag.answer.candidates import Candidate
from rag.answer.scoring import Question
from rag.dates import Change, Date, as_date, supersession
from rag.dates.words import ABOLISH, ADJUST, REPLACE, STOPS
from rag.text import sentence_spans

CHANGES = ("abolishes", "replaces", "adjusts")  # what makes an older statement superseded
CHANGE_WORDS = re.compile("|".join(re.escape(w) for w in ABOLISH + REPLACE + ADJUST if not w.isascii())
                          + r"|\b(?:abolished|repealed|replaced|raised to|changed to|adjusted to)\b", re.I)
_CHANGES_ORDER = ("abolishes", "replaces", "adjusts", "takes_effect")
_STANDARD = re.compile(r"标准|补贴|津贴|补助|费|价|办法|政策|规定|时间|流程|材料|条件|方式|受理|办理|审批|"
                       r"standard|fee|rate|price|subsidy|allowance|rule|polic", re.I)


def abolishes_only(c: Candidate) -> bool:
    """The sentence only says what no longer applies (原在县…受理的做法不再执行), not what replaced it
    ("调整为每户每年90元，…原标准不再执行" states the new value: it is no such sentence)."""
    change = supersession(c.text)
    return change is not None and change.kind == "abolishes" and not any(
        m in ADJUST or m in REPLACE for m in change.markers)


_CHANGED_TO = re.compile("|".join(re.escape(w) for w in ADJUST + REPLACE if not w.isascii()))
_STOPS = re.compile("|".join(re.escape(w) for w in STOPS + ABOLISH), re.I)


def stops_charge(c: Candidate) -> bool:
    """Does the sentence end a charge or a payment, in an article that ends a standard or puts one in
    force (自2022年7月1日起…一律不再收取服务费; 早稻种植补贴自2024年1月1日起不再执行)? Then the figure
    asked of it is none now."""
    if not _STOPS.search(c.text) or _CHANGED_TO.search(c.text):  # 调整为…，原投放时间不再执行 replaces it
        return False
    change = document_change(c)
    return change is not None and change.kind in ("abolishes", "takes_effect") and not _only_a_rule(c)


def _only_a_rule(c: Candidate) -> bool:
    """原《…办法》同时废止 alone, naming no charge or payment outside the rule's title: the notice's
    other sentence says what ended."""
    named = re.sub(r"《[^》]*》|（[^）]*）|\([^)]*\)", "", c.text)
    return abolishes_only(c) and not any(w in c.text for w in STOPS) and not _CHARGE.search(named)


_CHARGE = re.compile(r"补贴|补助|津贴|费|价格|票价|charge|fee|subsid|allowance", re.I)


def changes_standard(c: Candidate) -> bool:
    change = document_change(c)
    return change is not None and change.kind in CHANGES


def document_change(c: Candidate) -> Change | None:
    """The strongest change of a standard the candidate's article makes, in its own sentence or any
    other (原有标准同时废止 often stands alone), with the date it takes effect when one is stated.
    An adjustment counts only where a standard is named (提高到 alone may be a growth figure)."""
    own = _change(c.text, as_date(c.doc.date))
    changes = ([own] if own is not None else []) + list(_changes_in(c.doc))
    if not changes:
        return None
    strongest = min(changes, key=lambda ch: _CHANGES_ORDER.index(ch.kind))
    effective = strongest.effective or next((ch.effective for ch in changes if ch.effective), None)
    return replace(strongest, effective=effective or _effective_in(c.doc))


@lru_cache(maxsize=256)
def _changes_in(doc) -> tuple[Change, ...]:
    """The changes of a standard an article's sentences make (read once per article)."""
    doc_date = as_date(doc.date)
    found = (_change(doc.text[s:e], doc_date) for s, e in sentence_spans(doc.text))
    return tuple(ch for ch in found if ch is not None)


@lru_cache(maxsize=256)
def _effective_in(doc) -> Date | None:
    """The first date an article's sentences put something in force from (自2025年7月1日起，首班船由7:00
    提前至6:30: the notice's changes apply from 7月1日, not from its date), whatever it changes."""
    doc_date = as_date(doc.date)
    found = (supersession(doc.text[s:e], doc_date) for s, e in sentence_spans(doc.text))
    return next((ch.effective for ch in found if ch is not None and ch.effective is not None), None)


def _change(text: str, doc_date: Date | None) -> Change | None:
    change = supersession(text, doc_date)
    if change is not None and change.kind == "adjusts" and not _STANDARD.search(text):
        return None
    return change


def not_spoken_of(q: Question, answer: str, newer) -> bool:
    """Does the older answer hold words of the question (首班船, 开航) that the newer article nowhere
    says, a fifth of the question's weight or more? Then the newer one changed something else."""
    text = f"{newer.title or ''}\n{newer.text}"
    total = sum(q.terms.values())
    said = [u for u in q.terms if len(u) >= 2 and u in text]
    short = {t for t in q.terms if any(abbreviates(u, t) for u in said)}  # 医疗保险, said 医保
    missing = sum(w for t, w in q.terms.items() if len(t) >= 2 and t in answer and t not in text
                  and not any(t in long for long in short))  # nor its parts (医疗, 保险)
    return total > 0 and missing >= 0.2 * total


def abbreviates(short: str, word: str) -> bool:
    """Is `short` the characters of `word` in order, fewer of them (医保 of 医疗保险, 村委会 of 村民委员会)?"""
    rest = iter(word)
    return len(short) < len(word) and short[0] == word[0] and all(ch in rest for ch in short)
