"""Step 2b of an answer: when the retrieved passages state the same fact at different times, which
one leads, and what is said of the others (issue #19: "the current fact, with its date").

A *version* is a candidate sentence that answers the question as well as the best one does (it
passes the support checks, holds the kind of thing asked for, and has nearly the best share of the
question's words) at a known time: the time the sentence speaks of (a year written in it, else its
document's date; rag.dates.sentence_time). When versions of more than one time are retrieved:

- a question with no time, or asking what holds now (现在, 目前, 现任), is answered from the newest
  version; an older one with a different value is added as earlier, with its own citation and
  date, and marked superseded when the newer version's document changes the standard (调整为,
  废止, …; rag.dates.supersession), with the date of that change;
- a question about a given time (2022年, 去年 read against `today`) is answered from a version of
  that time; when the dated documents hold none, the answer declines and says which is the latest
  time they have, instead of passing another year's figure off as the one asked for;
- a question about the past (原来, 以前, 调整前) is answered from the newest version before the
  current one.

A procedure or a policy has no value to compare ("需要带哪些材料", "到哪里办理"): when the best
answer comes from an article older than another retrieved one that answers as well and changes
the standard (改为, 不再需要, 原办理流程同时废止), the newer article leads, told with its paragraph,
and the older answer is shown as superseded.

Versions must come from at least two articles (dated ones, when the question says no time): one
article that gives 2024's result and 2025's target is not two versions of a fact. Nothing here reads the corpus at
large: only the sentences already retrieved for the question.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, replace

from rag.answer.candidates import Candidate, Surroundings, asked_line
from rag.answer.change_values import changes_a_figure
from rag.answer.changes import (CHANGE_WORDS, CHANGES, abolishes_only, changes_standard, document_change, not_spoken_of,
                                stops_charge)
from rag.answer.dating import annotate, no_data_note, replaced_value, spoken, withdrawn, without_stale_short  # noqa: F401 (the wording)
from rag.answer.evidence import ADDRESS, ASKS_WHERE, asks_clock
from rag.answer.events import asked_event, event_first
from rag.answer.focus import STILL_Q, counted_in, measure_fits, not_needed
from rag.answer.in_force import moved, not_yet, postponements
from rag.answer.newer import Newer, newer_change
from rag.answer.places import about_neighbour, elsewhere
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, coverage
from rag.answer.support import unsupported
from rag.answer.version_time import TARGET, relative_only, when_of, year_said
from rag.answer.version_value import (NAMED, VALUE_KINDS, appointed, as_asked, lead_in, named_before, newest_held,
                                      cover, read_with, removes, titled, undated, value_of)
from rag.dates import Asked, Date, as_date, asked_time, tells_before, time_marker
from rag.dates.words import RELATIVE

_WORDY_KINDS = ("list",)  # kinds whose value a changed procedure may state without their form ("只需身份证")


@dataclass(frozen=True)
class Version:
    cand: Candidate
    when: Date
    value: str  # what it says: the kind of thing asked for, else the sentence
    pending: bool = False  # the value a change announced ahead replaces, still in force (in_force)


@dataclass(frozen=True)
class Timeline:
    """What the timeline step decided; `lead` None leaves the ranking as it was."""

    asked: Asked
    lead: Candidate | None = None
    lead_when: Date | None = None
    lead_status: str | None = None  # "current", or "earlier"/"superseded" when the past was asked for
    earlier: Version | None = None  # an older version with another value, to add as earlier
    earlier_status: str = "earlier"  # or "superseded"
    changed_on: Date | None = None  # when the change that superseded it was made or took effect
    latest: Date | None = None  # a time was asked for and no version is of it: the latest there is
    question: Question | None = None  # the question less its time words, for the support checks, where
    # the time is this step's to judge: a 现在 / 原来 question, or a lead of the time asked
    event: tuple[str, ...] = ()  # what a when-question asks the time of (…什么时候完工: 完工)
    lead_value: str | None = None  # what the leading version says (the kind of thing asked for)
    newer: Newer | None = None  # a newer article that changes the answer's own figure (rag/answer/newer.py)
    pending: bool = False  # the lead's value is the one a change announced ahead will replace


def order(q: Question, ranked: list[Candidate], around: Surroundings, today: _dt.date | None,
          policy: AnswerPolicy, rare=None) -> tuple[list[Candidate], Timeline]:
    """`ranked` with the version that should answer first, and what was decided. `rare`: whether a
    place's name is rare in the archive (another place's news, rag/answer/places.py), or None."""
    asked = asked_time(q.query, today)
    if today is not None:  # asked as of an earlier day, an article written after it does not exist yet
        ranked = [c for c in ranked if _not_after(c.doc.date, today)]
    timeless = _without_time(q, asked)
    # 现在 / 以前 / 上个月 among dated articles: the time is this step's to judge, not a word the answer
    # must hold (a year written in digits stays one for the support checks until a version of it leads)
    judged = timeless is not q and (asked.kind in ("current", "past") or relative_only(asked)) and any(
        c.doc.date for c in ranked[: policy.time_window])
    if judged:
        _rescore(timeless, ranked[: policy.time_window], around, policy)
    ranked = _home_first(q, ranked, policy, rare)
    if asked.kind in ("none", "current"):
        ranked = _holder_first(timeless, _now_first(ranked, policy), policy)
    ranked, tl = _order(q, timeless, asked, ranked, around, policy, today, rare)
    if tl.lead is None and asked.kind in ("none", "current", "past") and q.kind not in VALUE_KINDS:
        ranked, tl = _replacing(timeless, asked, ranked, around, policy) or (ranked, tl)
    if q.kind == "date" and (event := asked_event(q.query)):
        ranked = ranked if tl.lead is not None else event_first(q, event, ranked, around, policy)
        tl = replace(tl, event=event)
    if tl.lead is not None and timeless is not q and not judged:
        _rescore(timeless, [tl.lead], around, policy)  # a version of the year asked: checked less its year
    if judged or tl.lead is not None:
        tl = replace(tl, question=timeless)
    if asked.kind in ("none", "current") and ranked and tl.latest is None:
        tl = replace(tl, newer=newer_change(q, tl.lead or ranked[0], ranked, today))
    return ranked, tl


def _here(q: Question, versions: list[Version], ranked: list[Candidate], rare=None) -> list[Version]:
    """The versions less those of an article about another place (places.elsewhere: a neighbouring
    county's newer standard), as long as versions of other articles remain. Without `rare` only the
    newest are looked at: an older article may name the archive's own place, which its later
    notices call 我市, and only the archive's counts tell the two apart."""
    versions = [v for v in versions if not about_neighbour(v.cand.text, q.query)] or versions  # 相邻的邻川县…
    docs = list({c.doc.id: c.doc for c in ranked}.values())
    if rare is not None:
        kept = [v for v in versions if not elsewhere(v.cand.doc, v.cand.text, q.query, docs, rare)]
        return kept if {v.cand.doc.id for v in kept} else versions
    kept = list(versions)
    while kept:
        newest = max(kept, key=lambda v: v.when)
        rest = [v for v in kept if v.cand.doc.id != newest.cand.doc.id]
        if not rest or not elsewhere(newest.cand.doc, newest.cand.text, q.query, docs):
            break
        kept = rest
    return kept


def _home_first(q: Question, ranked: list[Candidate], policy: AnswerPolicy, rare=None) -> list[Candidate]:
    """When the best sentence speaks of a place the question does not name and no other retrieved
    article mentions (places.elsewhere: 邻川县民政局局长… for 县民政局), the best one of the first
    `time_window` that does not leads instead: a neighbour's news is not the archive's own."""
    if not ranked:
        return ranked
    docs = list({c.doc.id: c.doc for c in ranked}.values())
    if not elsewhere(ranked[0].doc, ranked[0].text, q.query, docs, rare):
        return ranked
    for i, c in enumerate(ranked[1 : policy.time_window], start=1):
        if not elsewhere(c.doc, c.text, q.query, docs, rare):
            return [c] + ranked[:i] + ranked[i + 1:]
    return ranked


def _on_focus(q: Question, versions: list[Version]) -> list[Version]:
    """The versions whose sentence holds the word the question asks about (照片 of 还要带照片吗), when
    some do: an article's opening that names the subject (记者近日走访了镇便民服务中心) is no
    version of whether a photo is still needed, however newer."""
    focus = [t for t in q.focus if len(t) >= 2]
    # (a Q&A's answer with the question it answers: 问：还要带房产证吗？ 答：…无需上传不动产权证书)
    kept = [v for v in versions if any(t in v.cand.text for t in focus)
            or any(t in asked_line(v.cand.doc.text, v.cand.start) for t in focus)]
    return kept if kept else versions


def _precise(versions: list[Version]) -> list[Version]:
    """Of one year's versions of a figure, those that give it (收入126万元) before those that only say
    a mark it passed (收入首次突破百万元, 超过100万元), which stay where no other of their year does."""
    def crossed(v: Version) -> bool:
        at = v.cand.text.find(v.value)
        return _CROSSED.search(v.value) is not None or (at > 0 and _CROSSED_BEFORE.search(v.cand.text[:at]) is not None)

    given = {v.when.year for v in versions if not crossed(v)}
    return [v for v in versions if not (crossed(v) and v.when.year in given)]


_AFTER_CHANGE = re.compile(r"\s*(?:调整后|变更后|合并后|调整以后|分设后|划分后|此后|至此)")


def _final(versions: list[Version]) -> list[Version]:
    """Of one year's versions of a figure, the final one (经最终核实，2024年…为774.1亿元) over the preliminary
    ones (初步核算，2024年…768.5亿元; 比初步核算数768.5亿元增加…), where a final one is given."""
    def final(v: Version) -> bool:
        at = v.cand.text.find(v.value)
        return bool(_FINAL.search(v.cand.text)) and at >= 0 and not _PRELIM_BEFORE.search(v.cand.text[max(0, at - 8):at])

    given = {v.when.year for v in versions if final(v)}
    return [v for v in versions if v.when.year not in given or final(v)]


_FINAL = re.compile(r"最终核实|核实数|核实为|经[^，,。；;]{0,24}核实|最终核算|修订为|修正为")  # 经区住建局竣工验收核实，…
_PRELIM_BEFORE = re.compile(r"初步(?:核算|统计|测算)数?\s*$")


_CROSSED = re.compile(r"(?:突破|超过|超|逾|接近|近)\s*(?=[\d零〇一二两三四五六七八九十百千万亿])")  # in the value
_CROSSED_BEFORE = re.compile(r"(?:突破|超过|超|逾|接近|近)\s*$")  # or just before it


def _on_topic(q: Question, versions: list[Version]) -> list[Version]:
    """A question in English (What is the county's GDP now?): the versions whose sentence says what it
    asks about (生产总值, GDP), where some do; a report's next sentence, read with its opening, says
    another figure (孤儿基本生活保障标准两次提高)."""
    if q.zh or not q.topic:
        return versions
    from rag.retrieve.crosslingual import holds_topic

    return [v for v in versions if holds_topic(q.topic, v.cand.text)] or versions


def _answers_asked(q: Question, c: Candidate, around: Surroundings, floor: float, policy: AnswerPolicy) -> bool:
    """Does a Q&A's answer (答：不再需要提交照片) reach the floor read with the question it answers (问：要交
    哪些材料？) and the Q&A's title? The floor itself is set without them: a 问 line repeats the question's words, and would
    hold every other article's sentence below it."""
    asked = asked_line(c.doc.text, c.start)
    # (and with the Q&A's title, which names what all its questions are about: 公积金…答疑 over 问：贷款审批要多长时间？)
    return bool(asked) and cover(q, (c.doc.title or "") + "。" + asked + lead_in(c, around) + c.text, policy) >= floor


def _labelled(q: Question, c: Candidate, floor: float, policy: AnswerPolicy) -> bool:
    """Does a guide's labelled line (兑付时限：补贴资金自申请之日起45个工作日内兑付) reach the floor read with the
    guide's title (农机购置补贴申请办事指南), which names what all its lines are about? The floor is set
    without titles."""
    return bool(_LABEL.match(c.text)) and bool(c.doc.title) and cover(q, c.doc.title + "。" + c.text, policy) >= floor


def _changed_under(q: Question, c: Candidate, around: Surroundings, floor: float, policy: AnswerPolicy) -> bool:
    """Does a sentence that changes a figure to another (一、每证借阅册数由6册提高至12册) reach the floor read
    with its article's headline (…图书馆关于调整图书借阅规则的公告), which names what the change is of? The
    floor is set without headlines. Where the change is in the measure the question counts in (几本: 册),
    fewer of the question's words will do, as for hours: the value itself must be of that measure."""
    if not c.doc.title or not changes_a_figure(c.text):
        return False
    text = c.doc.title + "。" + lead_in(c, around) + c.text
    thing = _COUNTED_THING.search(q.query)  # the thing counted must be named (书 of 图书; 藏书 is no 借阅册数)
    if thing is not None and thing.group(1) not in text:
        return False
    if counted_in(q.query) and measure_fits(q.query, c.text):
        floor *= policy.clock_cover
    return cover(q, text, policy) >= floor


# the thing a question counts, after its measure word (书 of 能借几本书, 藏书 of 有多少本藏书)
_COUNTED_THING = re.compile(r"(?:多少|几)[\u4e00-\u9fff]([\u4e00-\u9fff]{1,3}?)(?=[？?，,。吗呢]|$)")


_LABEL = re.compile(r"\s*(?:[一二三四五六七八九十\d]+[、.．]\s*)?[\u4e00-\u9fff]{2,8}[：:]")  # 办理时限：, 三、所需材料：


def _now_first(ranked: list[Candidate], policy: AnswerPolicy) -> list[Candidate]:
    """For what holds now: when the best sentence tells how things were (以前补办要排队，再等半个月…;
    rag.dates.tells_before), the sentences of the first `time_window` that do not come before those
    that do, each group in its order: a feature's recollection of the old way is no answer for today."""
    window = ranked[: policy.time_window]
    if not window or not tells_before(window[0].text):
        return ranked
    before = [c for c in window if tells_before(c.text)]
    return [c for c in window if not tells_before(c.text)] + before + ranked[len(window):]


def _said(versions: list[Version]) -> list[Version]:
    """Of one article's versions of a figure, those whose sentence writes the time it speaks of (2025年，全县
    粮食总产量…) before those that only have the article's date (a report's "我们持续办好民生实事…"):
    the article's date is when it was written, not a newer time of the fact, so such a sentence is
    no newer version than its article's own dated figure. Other articles' versions stay."""
    written = {v.cand.doc.id for v in versions if v.when != as_date(v.cand.doc.date)}
    return [v for v in versions if v.cand.doc.id not in written or v.when != as_date(v.cand.doc.date)]


def _holder_first(q: Question, ranked: list[Candidate], policy: AnswerPolicy) -> list[Candidate]:
    """For who holds a post now: when the best sentence only removes someone from it (免去李四的…职务),
    the best one that names an appointee of the same notice or any article among the first
    `time_window` leads instead (任命张三为…): a removal says who held the post, not who holds it.
    Whether the appointee's post is the one asked is left to the checks after, as for any sentence."""
    if not ranked or not removes(q, ranked[0]):
        return ranked
    for i, c in enumerate(ranked[1 : policy.time_window], start=1):
        if appointed(c.text) and _same_post(ranked[0].text, c.text):
            return [c] + ranked[:i] + ranked[i + 1:]
    return ranked


_POST = re.compile(r"[\u4e00-\u9fff]{2,12}?(?:局长|书记|主任|院长|校长|站长|所长|镇长|乡长|县长|市长|区长|主席|馆长|队长|经理)")


def _same_post(removal: str, appointment: str) -> bool:
    """Does the appointment name the post the removal line names (免去李四的县水利局局长职务 / 任命张三为县水利局
    局长)? By the post's last words: the office and its title (水利局局长)."""
    posts = {m.group()[-5:] for m in _POST.finditer(removal)}
    return any(p in appointment for p in posts)


def _order(q: Question, timeless: Question, asked: Asked, ranked: list[Candidate], around: Surroundings,
           policy: AnswerPolicy, today: _dt.date | None = None, rare=None) -> tuple[list[Candidate], Timeline]:
    versions = _here(q, in_force(_versions(timeless, ranked, around, policy), asked, today), ranked, rare)
    versions = _final(_precise(_said(versions))) if q.kind == "number" else versions
    read = list({c.doc.id: c.doc for c in ranked[: policy.time_window]}.values())
    wrong = [v for v in versions if withdrawn(v.value, v.cand.text, read)]  # a figure a correction withdrew
    if wrong and len(wrong) < len(versions):
        versions = [v for v in versions if v not in wrong]
        ranked = [c for c in ranked if all(c is not v.cand for v in wrong)] + [v.cand for v in wrong]
    versions = _on_focus(q, versions) if q.kind is None else versions  # a value's kind is checked by its own
    versions = _on_topic(q, versions)
    if asked.kind in ("none", "current"):  # 以前要等半个月: how it was, no version of now
        versions = [v for v in versions if not tells_before(v.cand.text)] or versions
    times = {v.when for v in versions}
    docs = {v.cand.doc.id for v in versions}
    dated_docs = {v.cand.doc.id for v in versions if v.cand.doc.date}
    ended = _ended(q, timeless, asked, versions, ranked, around, policy)
    if ended is not None:
        return ended
    lone = _lone_change(q, asked, versions, ranked) or _only_value(q, asked, versions, ranked)
    if lone is not None:  # 由每月1100元提高至1300元 of 2021, over a 2019 guide's 1100元 that reaches no floor
        return _first(ranked, lone.cand), Timeline(asked, lone.cand, lone.when, "current", lead_value=lone.value)
    pending = [v for v in versions if v.pending] if asked.kind in ("none", "current") else []
    if pending and (len(times) < 2 or len(docs) < 2):  # one notice that announces a change ahead: what holds till then
        lead = pending[0]
        return _first(ranked, lead.cand), Timeline(asked, lead.cand, lead.when, "current", lead_value=lead.value,
                                                   pending=True)
    if len(times) < 2 or len(docs) < 2 or (asked.kind == "none" and len(dated_docs) < 2):
        gone = _no_longer(q, asked, versions, ranked, around, policy)
        if gone is not None:  # 还要交照片吗: 答：…不再需要提交照片 of 2026, over a 2019 guide's 一寸照片2张
            lead, was = gone
            return _first(ranked, lead.cand), Timeline(asked, lead.cand, lead.when, "current", was,
                                                       lead_value=lead.value)
        if asked.kind == "year" and versions and year_said(asked) and all(_not_of(q, v, asked) for v in versions):
            return ranked, Timeline(asked, latest=max(v.when for v in versions))  # one article, another year
        if asked.kind == "year" and q.zh and any(asked.covers(v.when) and v.cand.doc.date
                                                 and v.when != as_date(v.cand.doc.date) for v in versions):
            return _asked_time(q, ranked, versions, asked)  # the one version of the time asked leads, over a
            # better-ranked sentence that is none (a preliminary figure its correction's floor left out), where
            # its sentence says the time (2023年…), not only its article's date; not for an English question,
            # whose versions, read through a dictionary, are less often the fact's
        return ranked, Timeline(asked)
    if asked.kind == "none" and not ranked[0].doc.date and unsupported(q, ranked[0], around, policy) is None:
        return ranked, Timeline(asked)  # the best answer is undated: nothing says the dated ones are newer
    if asked.kind == "year":
        return _asked_time(q, ranked, versions, asked)
    # max keeps the first of equals: the best-ranked; a removal line (免去…职务) never names the holder now
    # (of one day's, the one that says what holds after the change: 调整后，青石街道辖8个社区)
    holding = [v for v in versions if not removes(timeless, v.cand)] or versions
    newest = max(holding, key=lambda v: (v.when, _AFTER_CHANGE.match(v.cand.text) is not None))
    newest = _best_of_article(newest, holding)
    if asked.kind == "past":
        older = _older(versions, newest)
        if not older:
            return _replaced(asked, versions, ranked, policy, timeless)
        lead = newest_held(timeless, older, versions)
        status, changed = _status(newest, lead)
        return _first(ranked, lead.cand), Timeline(asked, lead.cand, lead.when, status, changed_on=changed,
                                                   lead_value=lead.value)
    earlier = newest_held(timeless, _older(versions, newest), versions)
    status, changed = _status(newest, earlier) if earlier else ("earlier", None)
    if q.kind == "person" and not NAMED.search(newest.value):
        newest = replace(newest, cand=named_before(timeless, newest.cand, around, policy))
    return _first(ranked, newest.cand), Timeline(asked, newest.cand, newest.when, "current", earlier, status, changed,
                                                 lead_value=newest.value, pending=newest.pending)


def _ended(q: Question, timeless: Question, asked: Asked, versions: list[Version], ranked: list[Candidate],
           around: Surroundings, policy: AnswerPolicy) -> tuple[list[Candidate], Timeline] | None:
    """For what holds now, asked for a figure (现在交多少服务费): a sentence read of an article newer than
    every version that ends the charge or the payment (一律不再收取服务费; 早稻种植补贴…不再执行) leads, and
    the newest figure is shown as superseded on the day it ended. It must name every word of the
    question that the figure's sentence names (of two characters or more: 每亩 is the figure's measure)."""
    if asked.kind not in ("none", "current") or q.kind != "number" or not versions:
        return None
    from rag.index.tokenize import tokens_among

    newest = max(versions, key=lambda v: v.when)
    terms = frozenset(t for t in timeless.terms if len(t) > 1)
    held = tokens_among(newest.cand.text, terms)  # what it names of the question (早稻, 补贴), not its measure (每亩)
    for c in ranked[: policy.time_window]:
        said = as_date(c.doc.date)
        if said is None or not said > newest.when or not held or not stops_charge(c):
            continue
        if not held <= tokens_among(lead_in(c, around) + c.text, terms):
            continue
        change = document_change(c)
        when = change.effective or said
        return _first(ranked, c), Timeline(asked, c, when, "current", newest, "superseded", when)
    return None


def _best_of_article(newest: Version, versions: list[Version]) -> Version:
    """The best-ranked version of the newest one's article, where it is still newer than every other
    article's: one article's sentences are one version of the fact, and the one that writes the day its
    change applies (Since January 1, 2025, …can borrow up to 610,000 yuan) is no older than its
    neighbour dated by the article (Loan applications are handled at…)."""
    first = next(v for v in versions if v.cand.doc.id == newest.cand.doc.id)
    if first is newest or not first.when.precision == newest.when.precision == "day" \
            or _AFTER_CHANGE.match(newest.cand.text):  # 调整后，青石街道辖8个社区 says what holds after it
        return newest
    others = [v.when for v in versions if v.cand.doc.id != newest.cand.doc.id]
    return first if all(w < first.when for w in others) else newest


def _replaced(asked: Asked, versions: list[Version], ranked: list[Candidate],
              policy: AnswerPolicy, q: Question | None = None) -> tuple[list[Candidate], Timeline]:
    """For the past (以前要几个工作日), where every version gives today's value: the one whose sentence
    writes the value it replaced (办理时限由5个工作日缩短为1个工作日: 5个工作日) leads with that value,
    superseded on its date; else a line of a version's article that says the old value no longer
    holds (原周一至周五8:30-17:30的办公时间不再执行) leads, with that value; else nothing is decided.
    Not where a newer article read tells the version's own value as the old one (…实行免费乘坐。此前每生
    每学期220元: 220元 is what came before)."""
    told = next(((v, old) for v in versions if (old := replaced_value(v.cand.text, v.value))), None)
    if told is None and q is not None:
        ended = _ended_line(versions, ranked[: policy.time_window], q)
        if ended is not None:
            v, c, old = ended
            return _first(ranked, c), Timeline(asked, c, v.when, "superseded", changed_on=v.when, lead_value=old)
    if told is None or _said_since(told[0], ranked[: policy.time_window]):
        return ranked, Timeline(asked)
    v, old = told
    return _first(ranked, v.cand), Timeline(asked, v.cand, v.when, "superseded", changed_on=v.when, lead_value=old,
                                            pending=True)


def _ended_line(versions: list[Version], read: list[Candidate], q: Question) -> tuple[Version, Candidate, str] | None:
    """(the version, the line, its value) of a line read in a version's article that only says the old
    value no longer holds (原…8:30-17:30的办公时间不再执行), giving a value of the kind asked other than the
    version's; None where none does."""
    for c in read:
        v = next((v for v in versions if v.cand.doc.id == c.doc.id and v.cand is not c), None)
        if v is None or not abolishes_only(c):
            continue
        old = value_of(q, c)
        if old and old != v.value and old not in v.value and len(old) < len(c.text.strip()):
            return v, c, old
    return None


def _said_since(v: Version, read: list[Candidate]) -> bool:
    """Does a sentence read of an article newer than `v`'s tell `v`'s value as the old way (此前…220元)?"""
    said = as_date(v.cand.doc.date)
    return said is not None and any((d := as_date(c.doc.date)) is not None and d > said and v.value in c.text
                                    and tells_before(c.text) for c in read)


def _lone_change(q: Question, asked: Asked, versions: list[Version], ranked: list[Candidate]) -> Version | None:
    """For what holds now: the one article's version (one that changes a standard, 由…提高至…, 调整为, or
    a newer report's figure), when the best sentence is an older article's value of the same kind that
    reaches no version floor (a guide's figure before the change): the newer leads. None otherwise."""
    if asked.kind not in ("none", "current") or q.kind != "number" or not versions or not ranked:
        return None
    if len({v.cand.doc.id for v in versions}) != 1:
        return None
    lone = max(versions, key=lambda v: v.when)
    best = ranked[0]
    newer, older = as_date(lone.cand.doc.date), as_date(best.doc.date)
    if (best.doc.id == lone.cand.doc.id or newer is None or older is None or not older < newer
            or value_of(q, best) is None):
        return None
    # (a newer article's figure that is no change, 高龄津贴标准提高，80至89周岁老人每人每月80元 of a report,
    # over a notice's older one: the newer leads too, where it is the only version; another of its time
    # would have been one)
    return lone


def _only_value(q: Question, asked: Asked, versions: list[Version], ranked: list[Candidate]) -> Version | None:
    """For what holds now, asked in Chinese for a figure (多久, 多少钱, 几个): one dated article's version,
    when the best sentence gives no value of that kind (a newer article's opening, another county's
    news): the one sentence that answers leads. None otherwise."""
    if asked.kind not in ("none", "current") or not q.zh or q.kind != "number" or not versions or not ranked:
        return None
    if len({v.cand.doc.id for v in versions}) != 1 or any(ranked[0] is v.cand for v in versions) \
            or not versions[0].cand.doc.date or not ranked[0].doc.date:
        return None  # (an encyclopedia's undated entry: its sentences' years are no versions of a fact)
    return max(versions, key=lambda v: v.when) if value_of(q, ranked[0]) is None else None


def _replacing(q: Question, asked: Asked, ranked: list[Candidate], around: Surroundings,
               policy: AnswerPolicy) -> tuple[list[Candidate], Timeline] | None:
    """A procedure or a policy has no value to compare: among the retrieved articles that speak of
    the question nearly as fully as the best one (the question's words around their best sentence),
    or that hold every word of the question that the best one's title holds, when the newest
    changes a standard (改为, 不再需要, 原办理流程同时废止) and an older one exists, the newest leads,
    told with its paragraph, and the older one's answer is shown as superseded (for 以前…, the
    older one leads, marked replaced)."""
    top = [c for c in ranked[: policy.time_window] if not abolishes_only(c)]  # 原…的做法不再执行 tells the old way
    docs = list({c.doc.id: c.doc for c in top if as_date(c.doc.date) is not None}.values())
    if len(docs) < 2:
        return None
    cover = {d.id: max(c.context for c in top if c.doc.id == d.id) for d in docs}  # its best window's
    floor = policy.version_cover * max(cover.values())
    subject = _title_words(q, max(docs, key=lambda d: cover[d.id]))
    speaking = sorted((d for d in docs if cover[d.id] >= floor or _holds(d, subject)), key=lambda d: as_date(d.date))
    if len(speaking) < 2 or as_date(speaking[-2].date) >= as_date(speaking[-1].date):
        return None
    newest, older = speaking[-1], speaking[-2]
    if not CHANGE_WORDS.search(newest.text):
        return None
    changer = next((c for c in top if c.doc.id == newest.id and changes_standard(c)), None)
    # the older article's own words rather than its headline, where another of its sentences was retrieved
    old = [c for c in top if c.doc.id == older.id]
    old = next((c for c in old if not _is_title(c)), old[0])
    if not_spoken_of(q, old.text, newest):
        return None  # the newer notice changes the fare; the first boat's time is the older one's alone
    lead = _told(changer if asked.kind != "past" else old, q, around, policy) if changer is not None else None
    if lead is None:
        return None
    if asked.kind == "past":  # 以前在哪里办理: the older article's way, marked as replaced
        new = Version(changer, when_of(changer, around), re.sub(r"\s+", "", changer.text))
        was = Version(lead, when_of(lead, around) or as_date(older.date), re.sub(r"\s+", "", lead.text))
        status, changed = _status(new, was)
        return _first(ranked, lead), Timeline(asked, lead, was.when, status, changed_on=changed)
    new = Version(lead, when_of(lead, around), re.sub(r"\s+", "", lead.text))
    earlier = Version(old, when_of(old, around) or as_date(older.date), re.sub(r"\s+", "", old.text))
    status, changed = _status(new, earlier)
    return _first(ranked, lead), Timeline(asked, lead, new.when, "current", earlier, status, changed)


def _told(c: Candidate, q: Question, around: Surroundings, policy: AnswerPolicy) -> Candidate | None:
    """The candidate told with its paragraph (_told_with), when that still answers the question."""
    told = _told_with(c, around, policy)
    told.context = coverage(q.terms, q.bigrams, around.window(told) + told.text, policy) if q.terms else 1.0
    return told if unsupported(q, told, around, policy) is None else None


def _title_words(q: Question, doc) -> set[str]:
    """The question's words in an article's title: what the question and the article are about
    (渔船证, 办理 of 渔船证办理须知), without the words that ask (需要带什么材料)."""
    from rag.index.tokenize import answer_tokens as tokenize

    return set(q.terms) & set(tokenize(doc.title or ""))


def _holds(doc, words: set[str]) -> bool:
    """An article that says every one of `words` (in its title or text) speaks of the same thing."""
    text = f"{doc.title or ''}\n{doc.text}"
    return bool(words) and all(w in text for w in words)


def _told_with(c: Candidate, around: Surroundings, policy: AnswerPolicy) -> Candidate:
    """A new procedure is often told over several sentences (where to apply, then what to bring):
    its whole paragraph when that fits one answer, else the lead with the sentences after it that fit."""
    text = c.doc.text
    para_start = text.rfind("\n", 0, c.start) + 1
    para_end = text.find("\n", c.end)
    para_end = len(text) if para_end < 0 else para_end
    spans = [(s, e) for s, e in around.sentences(c.doc) if s >= para_start and e <= para_end]
    if spans and spans[-1][1] - spans[0][0] <= policy.max_answer_chars:
        return c.span(spans[0][0], spans[-1][1])
    end = c.end
    for s, e in spans:
        if s < end:
            continue
        if e - c.start > policy.max_answer_chars or text[end:s].strip():
            break
        end = e
    return c if end == c.end else c.span(c.start, end)


def _without_time(q: Question, asked: Asked) -> Question:
    """The question less the words that say its time: a version of another year is still a version
    (whether it is of the year asked is decided here, not by the support checks)."""
    if not asked.words or asked.words not in q.query:
        return q
    from rag.answer.scoring import bigrams_of
    from rag.index.tokenize import answer_tokens as tokenize

    query = q.query.replace(asked.words, "")
    said = set(tokenize(asked.words))
    if not q.zh:  # its Chinese keywords hold the time words' translations too (now -> 现在, 如今, 此时)
        from rag.retrieve.crosslingual import chinese_keywords

        said |= {t for t in q.terms if t.lower() in RELATIVE or time_marker(t)} | set(chinese_keywords(asked.words))
    terms = {t: w for t, w in q.terms.items() if t not in said} or q.terms
    bigrams = frozenset(bigrams_of(query)) if q.zh else frozenset(b for b in q.bigrams if b not in said)
    return replace(q, query=query, span_q=q.span_q.replace(asked.words, ""), terms=terms,
                   bigrams=bigrams or q.bigrams)


def _rescore(q: Question, ranked: list[Candidate], around: Surroundings, policy: AnswerPolicy) -> None:
    """The context coverage of the best sentences for the question less its time words (the
    support checks read it): 现在 or 2022年 is for this step to judge, not a word the answer must hold."""
    if q.terms:
        for c in ranked:
            c.context = coverage(q.terms, q.bigrams, around.window(c), policy)



def _versions(q: Question, ranked: list[Candidate], around: Surroundings, policy: AnswerPolicy) -> list[Version]:
    # the best sentences, less the targets and plans (主要预期目标是：…增长5%左右) for a figure reached: they
    # are no versions, and would crowd a newer bulletin's figure out of the window
    asks_plan = _PLAN_ASKED.search(q.query) is not None  # 今年计划招几个班 asks the plan (预计增幅 an estimate)
    planned = q.kind != "number" or asks_plan
    kept = [c for c in ranked if planned or not TARGET.search(c.text)]
    top = kept[: policy.time_window]
    if not top:
        return []
    # an article read in the window with no version there is read further: its sentence that gives the
    # figure may rank below older articles' (一、线路由8条增至13条 under a notice's 作如下调整：); such
    # sentences set no floor
    further = kept[policy.time_window : 2 * policy.time_window]
    in_top = {id(c) for c in top}
    more = [c for c in further if any(t.doc.id == c.doc.id for t in top)]
    # the question's words in the sentence and the ones before it in its paragraph (a later article
    # names its subject once: "残疾人证改为…受理。…办理时限压缩至10个工作日"), headline words not
    # included (a short headline is no reason to pass over a later article's figure), nor the dates
    # written in them (the 月 of 自2022年7月1日起 is no answer to "monthly": the time is judged here)
    # (and another name of the office asked, 党总支书记 for 党支部书记, read as the question's: as_asked)
    covered = {id(c): cover(q, lead_in(c, around) + c.text, policy) for c in top + more}
    # the floor is set by the articles' sentences, not their headlines (中心城区路边停车明年起调价 白天首小时5元
    # names every word of the question, and would hold the bodies' sentences below it)
    # (and by those in the measure counted in, where some are: the opening that repeats the canteen's
    # name and its hours sets no floor for "每天供应多少份")
    why = {id(c): unsupported(q, c, around, policy) for c in top + more}
    bodies = [c for c in top if not _is_title(c) and not abolishes_only(c) and not about_neighbour(c.text, q.query)
              and why[id(c)] is None] or [c for c in top if not _is_title(c)]
    # (nor by a line that only abolishes an old notice, 原《…标准的通知》同时废止, which names the standard in
    # full and states no value of it, nor by a neighbour's figure, 相邻的某区…低于本区, which names both places,
    # nor by one that cannot answer: 一张联票可乘四条线路 of another article, none of the places asked)
    measured = [c for c in bodies if measure_fits(q.query, c.text)] if counted_in(q.query) else []
    floor = policy.version_cover * max([covered[id(c)] for c in (measured or bodies)] or covered.values())
    if asks_clock(q.query):  # a version must give hours (value_of), so fewer of the question's words will do
        floor *= policy.clock_cover
    still = STILL_Q.search(q.query) is not None  # 还要另交…吗: 不再单独收取 is the answer, not only what ended
    out = []
    for c in top + more:
        if id(c) not in in_top and c.doc.id in {v.cand.doc.id for v in out if id(v.cand) in in_top}:
            continue  # its article gave a version in the window
        needed = floor * policy.clock_cover if still and not_needed(q.terms, c.text) else floor  # (无需再提交…证明)
        reaches = (covered[id(c)] >= needed or titled(q, c, around, floor, policy) or _opened(q, c, around, floor, policy)
                   or _answers_asked(q, c, around, floor, policy) or _labelled(q, c, floor, policy)
                   or _changed_under(q, c, around, floor, policy))
        if (not reaches or (abolishes_only(c) and not still)
                or (TARGET.search(c.text) and q.kind != "person" and not asks_plan) or why[id(c)] is not None):
            continue  # 原在县…受理的做法不再执行 says what no longer holds: no version of the fact (a plan is
            # none of a figure, unless the plan is asked; 局长张三介绍，预计每年… still names the holder)
        value = value_of(q, c)
        if value is None and q.kind in _WORDY_KINDS and changes_standard(c):
            value = re.sub(r"\s+", "", c.text)  # a new procedure need not list what the old one listed
        when = when_of(c, around)
        if value is not None and when is not None:
            out.append(Version(c, when, value))
    # a headline sums up its article ("收入突破3亿元"): its body's sentence, when one is a version, is the fact
    bodies = {v.cand.doc.id for v in out if not _is_title(v.cand) and not about_neighbour(v.cand.text, q.query)}
    out = [v for v in out if not (_is_title(v.cand) and v.cand.doc.id in bodies)]
    if q.kind == "place" and q.zh and ASKS_WHERE.search(q.query) and any(ADDRESS.fullmatch(v.value) for v in out):
        out = [v for v in out if ADDRESS.fullmatch(v.value)]  # 在哪儿: where one gives an address, those that only
        # name the place (…窗口继续保留线下受理) are no versions of where it is
    return out


_PLAN_ASKED = re.compile(r"计划|目标|打算|力争|争取|\bplan(?:s|ned)?\b|\btarget", re.I)


def _no_longer(q: Question, asked: Asked, versions: list[Version], ranked: list[Candidate], around: Surroundings,
               policy: AnswerPolicy) -> tuple[Version, Version | None] | None:
    """A question whether something is still needed (还要交照片吗), asked of now: the newest version that
    says it is needed no more (不再需要提交照片, 只需提供身份证) leads, when it is newer than the best-ranked
    sentence (an older guide's list of materials, which names the thing but may set no version's floor)
    and no newer version says otherwise; with it, as earlier, the best-ranked older sentence that names
    the thing (一寸照片2张), where one does."""
    if asked.kind not in ("none", "current") or not q.zh or STILL_Q.search(q.query) is None:
        return None
    said = [v for v in versions if not_needed(q.terms, v.cand.text)]
    if not said:
        return None
    lead = max(said, key=lambda v: v.when)
    top = when_of(ranked[0], around)
    if ranked[0] is lead.cand or top is None or not top < lead.when or any(v.when > lead.when for v in versions):
        return None
    focus = [t for t in q.focus if len(t) >= 2]
    for c in ranked[: policy.time_window]:
        when = when_of(c, around)
        if when is not None and when < lead.when and any(t in c.text for t in focus) and not not_needed(q.terms, c.text):
            return lead, Version(c, when, re.sub(r"\s+", "", c.text))
    return lead, None


def in_force(versions: list[Version], asked: Asked, today: _dt.date | None) -> list[Version]:
    """The versions with the dates they apply from once postponements are read (in_force.moved); for
    a question of no given time, less those that apply only after the day asked (announced in advance)."""
    found = postponements({id(v.cand.doc): v.cand.doc for v in versions}.values())
    out = [replace(v, when=moved(v.when, as_date(v.cand.doc.date), found)) for v in versions] if found else versions
    if asked.kind == "year":
        return out
    kept = []
    for v in out:
        if not not_yet(v.when, today):
            kept.append(v)
        elif (old := replaced_value(v.cand.text, v.value)) and (said := as_date(v.cand.doc.date)) and not not_yet(said, today):
            kept.append(replace(v, when=said, value=old, pending=True))  # 下月起由36元下调为30元, asked before: 36元
    return kept


def _opened(q: Question, c: Candidate, around: Surroundings, floor: float, policy: AnswerPolicy) -> bool:
    """Does a changing notice's later paragraph reach the floor read with its opening sentence
    (version_value.read_with)? The floor itself is set without openings."""
    plain = lead_in(c, around) + c.text
    opened = read_with(c, around)
    return opened != plain and cover(q, opened, policy) >= floor


def _is_title(c: Candidate) -> bool:
    return c.text.strip() == (c.doc.title or "").strip()


def _asked_time(q: Question, ranked, versions, asked) -> tuple[list[Candidate], Timeline]:
    of_time = [v for v in versions if asked.covers(v.when)] or _in_force(q, versions, asked)
    if of_time:
        lead = of_time[0]  # the best-ranked version of the time asked
        newest = max(versions, key=lambda v: v.when)
        # the change that ended it: the first newer article's, not the newest's (880元 of 2022 was
        # changed on 2024-07-01, then again on 2025-07-01)
        after = [v for v in versions if v.when > lead.when and v.cand.doc.id != lead.cand.doc.id]
        status, changed = ("current", None) if lead.when == newest.when else _status(
            min(after, key=lambda v: v.when) if after else newest, lead)
        return _first(ranked, lead.cand), Timeline(asked, lead.cand, lead.when, status, changed_on=changed,
                                                   lead_value=lead.value)
    if all(v.cand.doc.date for v in versions):  # dated articles that do not reach the time asked
        return ranked, Timeline(asked, latest=max(v.when for v in versions))
    return ranked, Timeline(asked)


def _in_force(q: Question, versions: list[Version], asked: Asked) -> list[Version]:
    """The standard or office in force at the time asked, when no version is of that time: the
    newest one that lasts (_lasts) stated before the time asked ends (a water price of 2021-11,
    raised 2024-01-01, is 2023's too); [] when none."""
    before = [v for v in versions if _lasts(q, v) and asked.end is not None
              and v.when.first_day() <= asked.end.last_day()]
    if before:
        return [max(before, key=lambda v: v.when)]
    # who held a post in a year no article of it names: the holder named first after it, in the first
    # quarter of the next year (the January report that looks back on that year, its byline the mayor)
    first = min(versions, key=lambda v: v.when, default=None)
    if (q.kind == "person" and first is not None and asked.end is not None and first.when.month is not None
            and first.when.year == asked.end.year + 1 and first.when.month <= 3 and not removes(q, first.cand)):
        return [first]
    return []


def _lasts(q: Question, v: Version) -> bool:
    """A standard, price or office-holder stated on a date holds until changed; a year's figure
    (2022年，…收入达58万元) is that year's only, and so is a calendar date (报名时间为6月15日至6月22日:
    that year's registration, not a standing rule as an opening hour is)."""
    if q.kind == "date" and _CALENDAR.search(v.value or ""):
        return False
    return v.when.precision != "year" and (q.kind == "person" or _STANDARD_SAID.search(v.cand.text) is not None)


_CALENDAR = re.compile(r"\d+\s*[月日号]|[一二三四五六七八九十]+月|\d{4}\s*年")


_STANDARD_SAID = re.compile(r"标准|补贴|津贴|补助|费|(?<!可比)价|办法|政策|规定|时间|流程|条件|方式|"
                            r"standard|fee|fare|rate|price|subsidy|allowance|rule|polic", re.I)


def _not_of(q: Question, v: Version, asked: Asked) -> bool:
    """Does a dated article's version speak of another time than the one asked? A time written in
    its sentence (or the one before: 2023年…, 去年 read against the article's date) that is not
    the time asked; else, with no time written, an article dated before the time asked begins (a
    report of January 2025 may tell 2024 without naming it, one of 2022 cannot); not a standard
    or office stated before the time asked (it holds until changed)."""
    doc_date = as_date(v.cand.doc.date)
    if doc_date is None or asked.covers(v.when) or _in_force(q, [v], asked):
        return False
    return v.when != doc_date or (asked.start is not None and doc_date < asked.start)


def _earlier(versions: list[Version], newest: Version) -> Version | None:
    """The newest version older than `newest` that says something else."""
    older = _older(versions, newest)
    return max(older, key=lambda v: v.when) if older else None


def _older(versions: list[Version], newest: Version) -> list[Version]:
    """Versions of other, older articles that say something else than `newest`."""
    return [v for v in versions if v.when < newest.when and not _same_value(v.value, newest.value)
            and v.cand.doc.id != newest.cand.doc.id]


def _same_value(a: str, b: str) -> bool:
    """The same value, or a closing time and hours that end at it (18:30 of 8:30-18:30、9:00-12:00: a report's
    "延时至18:30" says no other hours than the notice)."""
    if a == b:
        return True
    one, hours = (a, b) if len(a) < len(b) else (b, a)
    return bool(_TIME_OF_DAY.fullmatch(one)) and re.search(rf"[-—–~～至到]\s*{re.escape(one)}(?!\d)", hours) is not None


_TIME_OF_DAY = re.compile(r"\d{1,2}[:：]\d{2}")


def _status(newer: Version, older: Version) -> tuple[str, Date | None]:
    """"superseded" (and when) when the newer version's article changes the standard, else "earlier"."""
    if older.when.precision == "year" and not _STANDARD_SAID.search(older.cand.text):
        return "earlier", None  # a year's figure (2024年，全县粮食总产量达到…) is that year's: never replaced
    change = document_change(newer.cand)
    if change is None or change.kind not in CHANGES or postponements([newer.cand.doc]):
        return "earlier", None  # a notice that postpones a change keeps the standard before it
    return "superseded", change.effective or as_date(newer.cand.doc.date)


def _not_after(doc_date: str | None, today: _dt.date) -> bool:
    d = as_date(doc_date)
    return d is None or d.first_day() <= today


def _first(ranked: list[Candidate], lead: Candidate) -> list[Candidate]:
    return [lead] + [c for c in ranked if c is not lead]


