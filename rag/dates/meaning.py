"""What time a sentence, a change of a standard or a question speaks of (see rag/dates/__init__.py)."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from rag.dates.parse import Date, find_dates
from rag.dates.words import (ABOLISH, ADJUST, CURRENT_WORDS, PAST_WORDS, RELATIVE, REPLACE, TAKES_EFFECT,
                             TODAY_WORDS, marker_in)


# ---------------------------------------------------------------- relative words and markers

def relative_date(word: str, today: _dt.date) -> Date | None:
    """今年/去年/前年/明年/本月/上个月/今天/昨天 (and English: this year, last year, ...) against `today`."""
    shift = RELATIVE.get((word or "").strip().lower())
    if shift is None:
        return None
    unit, n = shift
    if unit == "year":
        return Date(today.year + n)
    if unit == "month":
        months = today.year * 12 + today.month - 1 + n
        return Date(months // 12, months % 12 + 1)
    return Date.of(today + _dt.timedelta(days=n))


def _relative_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the relative time words in a text, longest first at each place."""
    lowered = text.lower()
    out: list[tuple[int, int, str]] = []
    for word in sorted(RELATIVE, key=len, reverse=True):
        pattern = rf"\b{re.escape(word)}\b" if word.isascii() else re.escape(word)
        for m in re.finditer(pattern, lowered):
            if not any(s <= m.start() < e for s, e, _ in out):
                out.append((m.start(), m.end(), word))
    return sorted(out)


def time_marker(text: str) -> str | None:
    """"past" when the text says 原来/以前/此前/调整前/当时/过去/前任 (formerly, previously, ...),
    else "current" for 现在/目前/现任/当前/最近/最新 (now, currently, ...), else None."""
    if marker_in(text, PAST_WORDS):
        return "past"
    if marker_in(text, CURRENT_WORDS):
        return "current"
    return None


def tells_before(sentence: str) -> bool:
    """The sentence opens by telling how things were (以前补办要到…窗口排队…, 过去办这个证要跑三趟,
    Previously, applicants had to…) and says nothing of now (现在, 目前) nor of a change (改为, 不再…):
    the old way a feature recalls, not what holds today."""
    head = sentence.lstrip(" \t“\"'‘「『（(")
    said = _HEAD_DATELINE.match(head)  # 某某融媒讯（记者 某某）以前…: what the article opens with
    head = head[said.end():] if said else head
    said = _HEAD_SAYER.match(head)  # 服务中心主任某某介绍，过去办…: what someone recalls
    head = head[said.end():] if said else head
    opening = _OPENING_PAST.match(head)
    if opening is None or marker_in(head, CURRENT_WORDS):
        return False
    return not any(w in head for w in ADJUST + REPLACE + ABOLISH if not w.isascii())


_OPENING_PAST = re.compile(r"(?:以前|以往|过去|从前|此前|之前|原来|原先|先前|早先|previously|formerly|in the past|"
                           r"it used to|people used to)(?![一两二三四五六七八九十几半\d])", re.I)
_HEAD_DATELINE = re.compile(r"[^，。！？,\n]{0,30}?(?:讯|电)\s*(?:[（(][^）)]{0,24}[）)])?\s*")
_HEAD_SAYER = re.compile(r"[^，。！？,\n]{0,30}?(?:介绍|说|表示|回忆|坦言|告诉记者)[，：:,]\s*")
_DATELINE_RE = re.compile(r"\s*(?:讯|电)")  # 本报2025年1月3日讯, 新华社北京1月3日电: when it was reported
_PERIOD_RE = re.compile(r"度|\s*(?:fiscal|contribution|tax) year", re.I)  # 2024年度: the year a standard is for
_COMPARED_RE = re.compile(r"(?:较|比|同比|相比|与|对比|compared (?:to|with)|than|from)\s*$", re.I)


# a five-year plan's period, told when it is over (“十四五”时期 = 2021-2025: the 11th to the 19th)
_PLAN_PERIOD = re.compile(r"十([一二三四五六七八九])五[”\"’」]?\s*(?:规划)?\s*(?:时期|期间|以来|末|的五年)")
_ONES = "一二三四五六七八九"

# a person's birth (生于1972年, 1970年3月出生, 1968年生，): when someone was born, not the time a sentence
# speaks of (生于1972年的王海鹏履新后…)
_BORN_BEFORE_RE = re.compile(r"(?:生于|出生于)\s*$")
_BORN_AFTER_RE = re.compile(r"\s*(?:出生|生人|生(?=[，,。；;、）)\s]|$))")
_DEADLINE_RE = re.compile(r"\s*(?:前|以前|之前|止|为止)(?![\u4e00-\u9fff]{0,2}(?:标准|价格|政策))")


def sentence_time(sentence: str, doc_date: Date | None = None) -> Date | None:
    """The time a sentence speaks of: the latest date written in it ("2024年全村…" -> 2024; a month
    and day take the document's year), or a relative word read against the document's date (去年
    in a 2025 article -> 2024); dates it compares with (较2023年…), a dateline's date (…2月10日讯), a birth (生于1972年)
    and dates after the document's year (targets, plans; not a 年度 set in advance: 2024年度…) are passed over;
    a 年度 written wins over the day it was told (1月18日，…公布2024年度… -> 2024); a five-year plan's period
    over by the document's date speaks of its last year (“十四五”时期 in 2026 -> 2025). Else the document's date
    (None when unknown)."""
    year = doc_date.year if doc_date else None
    times, annual, told = [], [], []
    for f in find_dates(sentence, year):
        if _COMPARED_RE.search(sentence[max(0, f.start - 14): f.start]):
            continue
        if _BORN_BEFORE_RE.search(sentence[max(0, f.start - 4): f.start]) or _BORN_AFTER_RE.match(sentence, f.end):
            continue
        if f.date.month is None and sentence.startswith("度", f.end):
            annual.append(f.date)  # 1月18日，村里贴出2024年度村务公开表: the figures are 2024's, posted in 2025
        if f.date.day and _DATELINE_RE.match(sentence, f.end):
            continue
        if f.date.day and _DEADLINE_RE.match(sentence, f.end):
            continue  # …标准为每亩112.3元，6月20日前发放到户: a deadline, not the time the standard is of
        if doc_date is not None and f.date.year > doc_date.year and not _PERIOD_RE.match(sentence, f.end):
            continue  # a target or a plan (力争2025年…); not the year a standard is set for (2024年度…380元)
        if f.date.day and (_HELD_RE.match(sentence, f.end) or not (_FROM_BEFORE_RE.search(sentence[max(0, f.start - 6):f.start])
                                                                   or _FROM_AFTER_RE.match(sentence, f.end))):
            told.append(f.date)  # 记者1月9日从县统计局获悉: the day it was told, not one a change is made from
        times.append(f.date)
    if doc_date is not None:
        today = doc_date.last_day()
        for start, _, word in _relative_in(sentence):
            d = relative_date(word, today)
            if d and d.year <= year and not _COMPARED_RE.search(sentence[max(0, start - 14): start]):
                times.append(d)
    for m in _PLAN_PERIOD.finditer(sentence):  # “十四五”时期，…从322元逐年提高到422元: up to 2025
        last = 1955 + 5 * (10 + _ONES.index(m.group(1)) + 1)
        if doc_date is not None and last < doc_date.year and not _COMPARED_RE.search(sentence[max(0, m.start() - 14): m.start()]):
            times.append(Date(last))
    if annual:
        return max(annual)
    years = [t for t in times if t.month is None]
    if years and told and max(years).year < min(t.year for t in told):  # 1月9日获悉，去年全县…: last year's
        times = [t for t in times if t not in told]
    return max(times) if times else doc_date


# ---------------------------------------------------------------- changes of a standard

@dataclass(frozen=True)
class Change:
    """A sentence that changes a standard: `kind` is the strongest of its markers (abolishes >
    replaces > adjusts > takes_effect); `effective` the date the change applies from, when stated."""

    kind: str
    markers: tuple[str, ...]
    effective: Date | None = None


_KINDS = (("abolishes", ABOLISH), ("replaces", REPLACE), ("adjusts", ADJUST), ("takes_effect", TAKES_EFFECT))
_FROM_BEFORE_RE = re.compile(r"(?:自|从|于|(?:takes?|took) effect (?:on|from|as of)|effective (?:on|from|as of)?)\s*$",
                             re.I)
# 记者从1月11日召开的…会议上获悉: a meeting's day the news was told at, not a day a change runs from
_HELD_RE = re.compile(r"\s*(?:召开|举行|举办)的")
_FROM_AFTER_RE = re.compile(r"\s*(?:起|开始|以后|之后)?\s*(?:正式|起)?\s*(?:执行|施行|实施|实行|生效|启用)|\s*起")


def supersession(sentence: str, doc_date: Date | None = None) -> Change | None:
    """Does the sentence adjust (调整为 提高至 上调至 改为, raised to), replace (取代, replaces),
    abolish (废止 不再执行 停止执行, is abolished, no longer applies) a standard, or put one in
    force (自…起执行, 起施行, takes effect from)? The Change, with the date it applies from when
    the sentence says (自2025年3月1日起执行 -> 2025-03-01; a month and day take the document's
    year); None when it has no such marker."""
    markers: list[str] = []
    kind = None
    for name, words in _KINDS:
        hits = marker_in(sentence, words)
        if hits:
            kind = kind or name
            markers.extend(hits)
    effective = None
    for f in find_dates(sentence, doc_date.year if doc_date else None):
        before, after = sentence[max(0, f.start - 24): f.start], sentence[f.end: f.end + 12]
        if _FROM_BEFORE_RE.search(before) or _FROM_AFTER_RE.match(after):
            effective = _coming(f, doc_date)
            if kind is None:
                kind, markers = "takes_effect", [sentence[f.start - 1: f.end + 1].strip() or f.text]
            break
    return Change(kind, tuple(markers), effective) if kind else None


def _coming(found, doc_date: Date | None) -> Date:
    """The day a change applies from, a month and day written without a year read as the coming one: a
    December notice's 自1月1日起 is next year's first day, not this year's, gone by."""
    d = found.date
    if doc_date is None or not doc_date.month or not d.month or "年" in found.text or d.year != doc_date.year:
        return d
    return Date(d.year + 1, d.month, d.day) if doc_date.month - d.month >= 6 else d


# ---------------------------------------------------------------- what a question asks

@dataclass(frozen=True)
class Asked:
    """The time a question asks about. kind: "year" (a given time: start..end, inclusive, either
    open when None), "past" (an earlier state: 原来, 以前, 调整前), "current" (现在, 目前, 现任)
    or "none" (no time said; answer with the current fact)."""

    kind: str
    start: Date | None = None
    end: Date | None = None
    words: str | None = None  # what in the question decided it

    def covers(self, date: Date | None) -> bool:
        """For kind "year": does `date` fall in the time asked (an unknown date does not)?
        Any other kind covers every date."""
        if self.kind != "year":
            return True
        return date is not None and date.overlaps(self.start, self.end)


_BEFORE_RE = re.compile(r"\s*(?:以前|之前|before)")
_SINCE_RE = re.compile(r"\s*(?:以来|以后|之后|起|since|after)")


def _shift(date: Date, n: int) -> Date:
    """The period next to `date` (n = -1 before, +1 after), at the same precision."""
    if date.day:
        return Date.of((date.first_day() if n < 0 else date.last_day()) + _dt.timedelta(days=n))
    if date.month:
        months = date.year * 12 + date.month - 1 + n
        return Date(months // 12, months % 12 + 1)
    return Date(date.year + n)


def _with_month(question: str, start: int, end: int, date: Date) -> tuple[int, int, Date]:
    """A relative year and the month (and day) written after it: 今年7月 -> that year's July."""
    if date.month is not None:
        return start, end, date
    rest = question[end:end + 12]
    found = find_dates(f"{date.year}年{rest}", date.year)
    prefix = len(f"{date.year}年")
    if found and found[0].start == 0 and found[0].date.month and found[0].end > prefix:
        return start, end + found[0].end - prefix, found[0].date
    return start, end, date


_AGE_AFTER = re.compile(r"\s*(?:已经|已|刚|就|都)?满?\s*[\d一二三四五六七八九十两]+\s*(?:周)?岁(?!\s*(?:及|或)?(?:以上|以下|至|到))")
# (一个人的年龄, 今年85岁; not a band, 今年80岁以上老人…补多少: this year's standard for it)


def asked_time(question: str, today: _dt.date | None = None) -> Asked:
    """What time `question` asks about, relative words read against `today` (default: the real
    date). An explicit date or year wins ("2022年接待游客多少" -> year 2022; "2022年以前" -> up to
    2021; "2023年以来" -> from 2023; two dates -> the range between); then 今年/去年/前年/上个月...;
    then past markers (原来, 以前, 调整前: "past"); then current ones (现在, 现任, and 今天 / today:
    what holds on the day asked is the current fact: "current")."""
    today = today or _dt.date.today()
    found = [(f.start, f.end, f.date) for f in find_dates(question, today.year)]
    # (not a relative word that tells an age: 我家老人今年85岁 asks what holds now, not this year's figure)
    said = [(s, e, w) for s, e, w in _relative_in(question) if not _AGE_AFTER.match(question, e)]
    relative = [_with_month(question, s, e, d) for s, e, w in said
                if w not in TODAY_WORDS and (d := relative_date(w, today))]
    for dates in (found, relative):
        if not dates:
            continue
        words = "、".join(question[s:e] for s, e, _ in dates)
        if len(dates) >= 2:
            return Asked("year", min(d for *_, d in dates), max(d for *_, d in dates), words)
        start, end, date = dates[0]
        after = question[end: end + 8]
        if _BEFORE_RE.match(after):
            return Asked("year", None, _shift(date, -1), words + _BEFORE_RE.match(after).group().strip())
        if _SINCE_RE.match(after):
            end = Date.of(today) if date.first_day() <= today else date  # 今年7月起 asked in June: July
            return Asked("year", date, end, words + _SINCE_RE.match(after).group().strip())
        return Asked("year", date, date, words)
    past, now = marker_in(question, PAST_WORDS), marker_in(question, CURRENT_WORDS)
    if past and now and question.rfind(now[-1]) > question.rfind(past[-1]):
        return Asked("current", words=now[-1])  # 原来的支书现在干什么: who was, asked what is now
    for kind, hit in (("past", past), ("current", now)):
        if hit:
            return Asked(kind, words=hit[0])
    on_today = [question[s:e] for s, e, w in said if w in TODAY_WORDS]
    return Asked("current", words=on_today[0]) if on_today else Asked("none")
