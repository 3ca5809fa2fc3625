"""The time a version of a fact speaks of, for rag/answer/timeline.py (issue #19): a sentence's own
time, the date its article puts a change in force, or the year the sentence before it names (not
for a sentence of its article's present: 目前…); and what a question's time words say (a year said,
relative words alone). Also what is no version at all: a target or a plan."""
from __future__ import annotations

import re

from rag.answer.candidates import LIST_ITEM, Candidate, Surroundings, list_opening
from rag.answer.changes import document_change
from rag.answer.version_value import NOW_SAID
from rag.dates import Asked, Date, as_date, find_dates, sentence_time, supersession
from rag.dates.words import RELATIVE


def when_of(c: Candidate, around: Surroundings | None = None) -> Date | None:
    """The time a version speaks of (rag.dates.sentence_time). A sentence that says no date of its
    own speaks of the date its article puts a change in force, when it changes a standard
    (自2024年7月1日起执行, often in another sentence); else of the date the sentence before it in
    its paragraph writes ("2023年，全村粮食产量1850吨。村里新建烘干中心1座…": 2023, not the report's date)."""
    doc_date = as_date(c.doc.date)
    when = sentence_time(c.text, doc_date)
    if when is None or when != doc_date:
        return when
    head = _sentence_head(c)  # a clause read on its own (…城镇登记失业率2.94%，…) speaks of the time its
    said = sentence_time(head, doc_date) if head else None  # sentence's head says (过去一年，…；就业…稳步提升，)
    if said is not None and said < when:
        return said
    if supersession(c.text, doc_date) is not None or _ANNOUNCED.search(c.text):
        change = document_change(c)
        effective = change.effective if change is not None else None
        if effective is not None or change is not None and change.kind != "adjusts" or not _GREW.search(c.text):
            return effective if effective is not None and effective > when else when
        # a figure that grew (海岛民宿增加到352家) with no date it applies from: dated as the report's others
    if NOW_SAID.search(c.text):
        return when  # 目前医院核定床位650张: the article's present, not the year the sentence before names
    when = _title_year(c.doc.title, when) or when  # 某县2023年…统计公报 of 2024-03: its 全年… is 2023's
    before = around.lead_in(c, count=1) if around is not None else ""
    if not before and LIST_ITEM.match(c.text):  # 二、茶叶产量2150吨；: the list's opening line says its year
        before = list_opening(c.doc.text, c.start)
    said = sentence_time(before, doc_date) if before else None
    return said if said is not None and said < when else when


def _sentence_head(c: Candidate) -> str:
    """The part of its sentence before a candidate that starts inside one ("" at a sentence's start)."""
    text = c.doc.text
    lo = max(text.rfind(m, 0, c.start) for m in "。！？!?\n") + 1
    return text[lo:c.start]


_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?:度)?")


def _title_year(title: str | None, when: Date) -> Date | None:
    """The one year a report's or a bulletin's title names (某县2023年国民经济和社会发展统计公报), when it
    is before the article's date: the year its undated sentences speak of; else None."""
    years = {int(y) for y in _TITLE_YEAR.findall(title or "")}
    if len(years) != 1 or when is None or when.year is None:
        return None
    year = years.pop()
    return Date(year=year) if year < when.year else None


# what a yearly figure did over the year, not a standard set (增加到352家, 增至1135艘)
_GREW = re.compile(r"(?:增加|增长|减少)(?:到|至|为)|增至")
# a sentence that tells a new standard (收费标准将作如下调整：…5元) whose article puts it in force later
_ANNOUNCED = re.compile(r"调整|新标准|将")
# a target or a plan is no value of the fact (力争年接待游客突破20万人次, 主要预期目标是：…增长5.5%左右)
TARGET = re.compile(r"力争|争取|目标(?!价格|任务(?!是|为))|(?<!好于)(?<!高于)(?<!超出)(?<!符合)(?<!低于)(?<!不及)(?<!超)预期|预计|计划|"
                    r"将(?:再)?(?:新建|建设|扩建|扩大|打造|推进|实施|开工)|"
                    r"\b(?:target|aims? to|plans? to|expected to)\b", re.I)  # (主要指标好于预期: figures reached; 稻谷目标价格补贴 names a subsidy)


def relative_only(asked: Asked) -> bool:
    """A time asked with relative words alone (去年, 上个月, 今年7月起), no date written in full."""
    return asked.kind == "year" and bool(asked.words) and not find_dates(asked.words)


def year_said(asked: Asked) -> bool:
    """Did the question say the year it asks about (2022年, 去年, "in 2021"), not only a month and day (1月3日)?"""
    return bool(asked.words) and (bool(find_dates(asked.words)) or any(w in asked.words for w in RELATIVE)
                                  or re.fullmatch(r"(?:19|20)\d\d", asked.words.strip()) is not None)
