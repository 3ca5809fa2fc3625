"""Which documents a later one replaces, and how a date reads on the page.

    replaced(docs) -> {doc_id: Replacement(by_doc_id, changed_on, by_title)}
    spoken_date(value, lang="zh") -> str      '2025-03-01' -> 2025年3月1日 (zh) / Mar 1, 2025 (en)

A document replaces an older one when one of its sentences changes a standard (rag.dates.supersession:
abolishes; or replaces / adjusts a standard, fee, subsidy, timetable... or from a stated date) and the
older document speaks of the same thing: it holds the head of the changed standard (育儿补贴 of
杉木镇育儿补贴标准提高至…, so a 养老补贴 notice is not touched), and the words of the changed clauses
(or, for an abolition such as 原有标准同时废止, of the clause before too), weighted by how rare they
are across the documents given, are found in it (at least COVER of their weight). Growth figures
(收入提高到…) change no standard and mark nothing. Documents without a readable date are never
ordered, so never marked. Lexical, so a guess: it reads no meaning beyond shared words. Pure
functions over objects with id, title, date and text (rag.types.Document); standard library only.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

from rag.dates.meaning import supersession
from rag.dates.parse import Date, as_date, find_dates
from rag.dates.words import ABOLISH, ADJUST, REPLACE, TAKES_EFFECT, marker_in

COVER = 0.7  # share of the change's word weight an older document must hold
MIN_WORDS = 6  # change clauses with fewer words borrow the clause before them
# what a standard is about: an adjusted figure counts as a change of a standard only with one of
# these in its sentence (or a date it applies from); 收入提高到… is growth, not a new standard
STANDARD_WORDS = (
    "标准", "补贴", "补助", "津贴", "补偿", "奖励", "奖补", "费", "价", "租金", "工资", "养老金", "低保", "时间", "时段",
    "班次", "发车", "首班", "末班", "线路", "营业", "开放", "政策", "办法", "规定", "条件", "额度", "上限", "下限",
    "限额", "门槛", "利率", "比例", "年龄", "期限", "流程", "手续", "材料",
    "standard", "subsidy", "subsidies", "allowance", "benefit", "fee", "fees", "fare", "fares", "price", "prices",
    "rate", "rates", "charge", "charges", "rent", "wage", "pension", "hours", "schedule", "timetable", "policy",
    "rule", "rules", "limit", "threshold", "deadline", "procedure",
)
# the generic ones, which say what a standard is only with the words before them (育儿补贴, 末班车时间)
HEAD_WORDS = tuple(w for w in STANDARD_WORDS if w not in {
    "首班", "末班", "班次", "发车", "线路", "营业", "开放", "低保", "工资", "养老金", "租金", "wage", "pension", "rent"})
_MARKERS = ABOLISH + REPLACE + ADJUST + TAKES_EFFECT
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_CLAUSE_RE = re.compile(r"[，；;：]|,(?!\d)")
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]+")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_EN_STOP = frozenset("the and for from with that this which are was were has have had its into per will been "
                     "shall all any new old also than then".split())
_ZH_STOP = frozenset("的了和与及或由为对在将把被从至到于以其之等是有个年月日元每各该本此这那已并也就都而原现新旧")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class Replacement:
    """The document that replaced another, and when: the date its change applies from, else its date (ISO)."""

    by_doc_id: str
    changed_on: str | None
    by_title: str | None = None


def spoken_date(value: str | None, lang: str = "zh") -> str:
    """A stored date as people write it: 2025年3月1日 / 2025年3月 / 2025年 (zh), Mar 1, 2025 /
    Mar 2025 / 2025 (en); a value that is not a date comes back as given ('' for None)."""
    d = as_date(value) if value else None
    if d is None:
        return value or ""
    if lang == "zh":
        return f"{d.year}年" + (f"{d.month}月" if d.month else "") + (f"{d.day}日" if d.day else "")
    if d.day:
        return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"
    return f"{_MONTHS[d.month - 1]} {d.year}" if d.month else str(d.year)


def _sentences(text: str) -> list[str]:
    return [m.group().strip() for m in _SENTENCE_RE.finditer(text or "") if m.group().strip()]


def words_of(sentence: str) -> set[str]:
    """The sentence's content: the character bigrams of its Chinese runs and its English words
    (lower case), leaving out dates, numbers, punctuation and the change markers themselves."""
    text = sentence
    for f in reversed(find_dates(text)):
        text = text[:f.start] + " " + text[f.end:]
    for marker in sorted(set(marker_in(text, _MARKERS)), key=len, reverse=True):
        text = text.replace(marker, " ")
    runs = _CJK_RUN_RE.findall(text)
    out = {run[i:i + 2] for run in runs for i in range(len(run) - 1)}
    out |= {w.lower() for w in _WORD_RE.findall(text) if w.lower() not in _EN_STOP}
    return out


def _is_standard_change(sentence: str, doc_date: Date | None):
    """The Change when the sentence changes a standard (see the module docstring), else None."""
    change = supersession(sentence, doc_date)
    if change is None or change.kind == "takes_effect":
        return None
    if change.kind == "abolishes" or change.effective is not None or marker_in(sentence, STANDARD_WORDS):
        return change
    return None


def head_of(clause: str) -> str | None:
    """What the clause's standard is of: its first generic standard word (HEAD_WORDS) with the (up to two) characters
    or the English word before it (杉木镇育儿补贴标准… -> 育儿补贴; the childcare subsidy -> childcare
    subsidy); None when nothing qualifies it (低保标准…: 低保 stands first)."""
    hits = marker_in(clause, HEAD_WORDS)
    if not hits:
        return None
    word = hits[0]
    at = clause.lower().find(word.lower())
    if word.isascii():
        before = re.findall(r"[A-Za-z][A-Za-z'-]*", clause[:at])
        return f"{before[-1]} {word}".lower() if before and before[-1].lower() not in _EN_STOP else None
    i = at
    while i > 0 and at - i < 2 and _CJK_RUN_RE.match(clause[i - 1]) and clause[i - 1] not in _ZH_STOP:
        i -= 1
    return clause[i:at + len(word)] if i < at else None


@dataclass(frozen=True)
class Subject:
    """What one sentence that changes a standard speaks of: the words of its clauses (and of the one
    before, for an abolition or a short clause), the heads of their standards, the date it applies from."""

    words: frozenset[str]
    heads: frozenset[str]
    effective: Date | None


def changes_in(text: str, doc_date: Date | None) -> list[Subject]:
    """The Subject of each sentence of `text` that changes a standard: its clauses that hold a
    change marker; for an abolition (原有标准同时废止 speaks of what came before) or while they hold
    fewer than MIN_WORDS words, the clause before them too."""
    if not marker_in(text, ABOLISH + REPLACE + ADJUST):  # most articles: no sentence to read
        return []
    sentences = _sentences(text)
    clauses = [(i, c) for i, s in enumerate(sentences) for c in _CLAUSE_RE.split(s) if c.strip()]
    out = []
    for i, sentence in enumerate(sentences):
        change = _is_standard_change(sentence, doc_date)
        if change is None:
            continue
        at = [k for k, (j, c) in enumerate(clauses) if j == i and marker_in(c, _MARKERS)]
        words = set().union(*(words_of(clauses[k][1]) for k in at))
        if at and at[0] > 0 and (change.kind == "abolishes" or len(words) < MIN_WORDS):
            at.insert(0, at[0] - 1)
            words |= words_of(clauses[at[0]][1])
        heads = {h for k in at if (h := head_of(clauses[k][1]))}
        out.append(Subject(frozenset(words), frozenset(heads), change.effective))
    return out


def _has(haystack: str, word: str) -> bool:
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", haystack) is not None
    return word in haystack


def _speaks_of(subject: Subject, haystack: str, weight: dict[str, float]) -> bool:
    """Does a (lower-cased) document speak of the subject: one of its heads, and COVER of its words' weight?"""
    if subject.heads and not any(_has(haystack, h) for h in subject.heads):
        return False
    total = sum(weight.get(w, 0.0) for w in subject.words)
    found = [w for w in subject.words if weight.get(w) and _has(haystack, w)]
    return total > 0 and len(found) >= 2 and sum(weight[w] for w in found) >= COVER * total


def replaced(docs: Iterable) -> dict[str, Replacement]:
    """{id of a replaced document: Replacement} over `docs` (objects with id, title, date, text).
    Each older document gets the earliest later one that changed a standard it speaks of."""
    docs = list(docs)
    dated = [(d, as_date(d.date)) for d in docs]
    dated = [(d, when) for d, when in dated if when is not None]
    found = [(d, when, changes_in(d.text, when)) for d, when in dated]
    changing = sorted(((d, when, ch) for d, when, ch in found if ch), key=lambda t: t[1])
    if not changing:
        return {}
    texts = {d.id: f"{d.title or ''}\n{d.text or ''}".lower() for d, _ in dated}
    every = set().union(*(s.words for _, _, subjects in changing for s in subjects))
    df = {w: sum(1 for t in texts.values() if _has(t, w)) for w in every}
    n = len(texts)
    # a bigram only the changing document has may be two words' edges (镇育 of 杉木镇育儿): left out
    # (what is distinctive about the subject is checked by its head); an English word counts anyway
    weight = {w: math.log(1 + n / c) for w, c in df.items() if c >= 2 or w.isascii()}
    out: dict[str, Replacement] = {}
    for new, new_date, changes in changing:
        on = min((s.effective for s in changes if s.effective is not None), default=new_date)
        for old, old_date in dated:
            if old.id == new.id or old.id in out or not old_date < new_date:
                continue
            if any(_speaks_of(s, texts[old.id], weight) for s in changes):
                out[old.id] = Replacement(new.id, on.iso(), new.title)
    return out
