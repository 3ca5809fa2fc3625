"""Step 3 of an answer: does the best sentence answer the question? The numbers, names and unit
the question states must stand near it, it must hold the kind of thing asked for, and enough of
the question's words must be found around it; otherwise the answer declines, saying why."""
from __future__ import annotations

import re

from rag.answer.candidates import Candidate, Surroundings, topic
from rag.answer.evidence import (ASKS_POST, ASKS_ROAD, CLOCK, ROAD, asks_clock, asks_duration, duration_in, is_named_unit, key_entities, mentions, other_numbered, first_figure_at, rate_unasked, duration_unasked, rival_entity, rival_named, role_words,
                                 unit_matches)
from rag.answer.bands import in_band, other_band
from rag.answer.focus import STILL_Q, asking_only, measure_fits, not_needed
from rag.answer.places import about_neighbour, as_named, neighbours, outer_places, own_part
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, coverage
from rag.answer.span import extract_short, person_spans, template_span
from functools import lru_cache

from rag.text import normalize_for_search as _normalize_for_search

# the same windows and articles are checked again and again for one question (the timeline's
# versions, then the answer's checks): their normal forms are kept
normalize_for_search = lru_cache(maxsize=512)(_normalize_for_search)


@lru_cache(maxsize=64)
def _key_entities(query: str) -> tuple[str, ...]:
    return tuple(key_entities(query))  # one question's names, checked against many sentences


def first_supported(q: Question, ranked: list[Candidate], around: Surroundings,
                    policy: AnswerPolicy) -> tuple[Candidate | None, str | None]:
    """The best of the top `supported_from` sentences that the checks accept, or None and why the
    first of them was not accepted."""
    first_reason = None
    for best in ranked[: policy.supported_from]:
        reason = unsupported(q, best, around, policy)
        if reason is None:
            return best, None
        first_reason = first_reason or reason
    return None, first_reason


def lead_supported(q: Question, checked: Question, lead: Candidate | None, best: Candidate | None,
                   around: Surroundings, policy: AnswerPolicy) -> Candidate | None:
    """The timeline's lead, a version of the time asked, when `first_supported` passed it over only
    for the few words it shares with the question less its time words (`checked`: 县里有多少对新人领证
    of "2023年5月20日那天…"), while the whole question, its date included, finds it supported; else
    `best`."""
    if lead is None or best is lead or checked is q:
        return best
    why = unsupported(checked, lead, around, policy)
    if not (why and why.startswith("low coverage")) or not q.terms:
        return best
    timeless = lead.context  # the timeline read it for the question less its time words
    lead.context = coverage(q.terms, q.bigrams, around.window(lead), policy)
    if unsupported(q, lead, around, policy) is None:
        return lead
    lead.context = timeless
    return best


def unsupported(q: Question, best: Candidate, around: Surroundings, policy: AnswerPolicy) -> str | None:
    """Why the best sentence does not answer the question, or None when it does."""
    window = normalize_for_search(around.window(best))
    reason = _numbers_missing(q, best, window, around, policy)
    if reason is None and q.zh:
        reason = _entities_missing(q, best, window, policy)
    if reason is None and q.kind == "number" and other_band(q.query, best.text):
        reason = "another age band"  # 百岁老人 asked, 80至89周岁老人每人每月80元 said
    if reason is None and q.zh and _the_others(q.query, best.text):
        reason = "the others of the group asked"  # 居民 asked, 非居民供暖价格…36元 said
    if reason is None and q.zh and (about_neighbour(best.text, q.query) or q.kind == "number" and neighbours(
            best.text, q.query) and not _FIGURE.search(own_part(best.text, q.query))):
        reason = "a neighbouring place's"  # 相邻的某县去年接待游客…, asked 全县's; 全市…有所减少，邻近的某市…5.06万人
    return reason or _target_only(q, best) or _kind_missing(q, best, policy, around)


def _the_others(query: str, sentence: str) -> bool:
    """Does the sentence speak of a group asked only as its complement (非居民 of 居民, 非户籍 of 户籍),
    the question not asking for the complement?"""
    for m in _NON.finditer(sentence):
        group = m.group(1)
        if group in query and "非" + group not in query and sentence.count(group) == sentence.count("非" + group):
            return True
    return False


_NON = re.compile(r"非([\u4e00-\u9fff]{2})")


# a figure set as a goal or forecast, not reached: 预期目标是…增长5.5%左右, 力争…突破120万元
_TARGET = re.compile(r"预期目标|主要目标|目标(?:是|为)[：:]?[^，。；,;]{0,20}\d|力争|\b(?:target|goal)s?\b", re.I)
_ASKS_TARGET = re.compile(r"目标|计划|预计|预期|力争|打算|争取|target|goal|plan|expect|forecast", re.I)


def _target_only(q: Question, best: Candidate) -> str | None:
    """A question for a figure is not answered by a goal or a forecast: the sentence (read from its
    start, which a colon may have cut off: "主要预期目标是：工业产值增长6%左右") sets one,
    and the question asks for no goal."""
    if q.kind != "number" or _ASKS_TARGET.search(q.query):
        return None
    text = best.doc.text
    lo = max(text.rfind(m, 0, best.start) for m in "。！？\n") + 1
    return "a goal, not a figure reached" if _TARGET.search(text[lo : best.end]) else None


def _numbers_missing(q: Question, best: Candidate, window: str, around: Surroundings,
                     policy: AnswerPolicy) -> str | None:
    """Numbers the question states (years, amounts) must stand near the answer; "同年" and its
    kin point back to a year anywhere earlier in the paragraph."""
    seen = window
    if _SAME_YEAR.search(best.text):
        seen += normalize_for_search(around.lead_in(best, count=policy.year_lookback))
    query = normalize_for_search(q.query)
    for num in re.findall(r"\d+(?:\.\d+)?", query):
        if num not in seen and not _says_year(best, num) and not in_band(num, seen) \
                and not _edition_of_subject(query, num, best, policy):
            return f"number {num} not near the answer"
    return None


_EDITION = r"第{}(?:届|次|期|批|轮)"


def _edition_of_subject(query: str, num: str, best: Candidate, policy: AnswerPolicy) -> bool:
    """The question names an event by its edition (第31届广州博览会) that its article is about (says it
    `subject_mentions` times): a sentence of that article need not repeat the number, as it need not
    repeat the subject's name."""
    edition = re.search(_EDITION.format(re.escape(num)), query)
    return edition is not None and normalize_for_search(best.doc.text).count(edition.group()) >= policy.subject_mentions




_RELATIVE_YEAR = re.compile(r"今年|去年|前年|本年|上年"
                            r"|(?<![\d年])(?:1[0-2]|0?[1-9])月(?:[0-3]?\d[日号])?")  # 5月31日 of a 2023 article: 2023年


def _says_year(c: Candidate, num: str) -> bool:
    """A year the question names is said by the sentence in another way: "今年", or a month and day
    without a year (5月31日，…出任…), in an article of that year (rag.dates.sentence_time reads it
    against the article's date)."""
    if len(num) != 4 or not c.doc.date or not _RELATIVE_YEAR.search(c.text):
        return False
    from rag.dates import as_date, sentence_time

    when = sentence_time(c.text, as_date(c.doc.date))
    return when is not None and str(when.year) == num


def _entities_missing(q: Question, best: Candidate, window: str, policy: AnswerPolicy) -> str | None:
    """A place, person or organisation the question names must be in the source, and the answer
    must not sit beside another one of the same kind ("芝英镇" asked, "前仓镇" found)."""
    named = lambda text: as_named(text, q.query, q.renamed)  # noqa: E731  (a renamed place by its name asked)
    doc = normalize_for_search(named((best.doc.title or "") + best.doc.text))
    window, sentence = named(window), named(best.text)
    outer = [normalize_for_search(o) for o in outer_places(q.query)]
    for ent in map(normalize_for_search, _key_entities(q.query)):
        if _TIME_WORD.match(ent):  # "去年村" is jieba's glue of 去年 and 村…, not a name
            continue
        if any(ent in o for o in outer):  # 东矶岛 of 东矶岛石湾镇: the town's articles name the town alone
            continue
        if not mentions(doc, ent):
            trimmed = missegmented(ent, doc)  # the name less a character jieba glued to it
            if not trimmed:
                return f"{ent} not in the source"
            if not is_named_unit(ent):  # "永康市" is not "永康" glued to 市: it stays as asked
                ent = trimmed
        if not mentions(sentence, ent) and rival_named(ent, sentence):
            return f"{ent} asked, the sentence names another"  # 蓼水镇党委书记… for 枫林镇's, in its article
        if mentions(window, ent) or ent in doc[: policy.subject_chars] or ent in _opening(best.doc, policy):
            continue  # near the answer, or the subject the whole document is about
        if mentions(doc, ent, count=True) < policy.subject_mentions or rival_entity(ent, window):
            return f"{ent} not near the answer"
    return None


def _opening(doc, policy: AnswerPolicy) -> str:
    """The first `subject_chars` characters of an article's body after its title (a text file's
    first line is its title: "县图书馆延长开放时间\n\n为满足…，溱阳县图书馆决定…")."""
    body = doc.text.lstrip()
    title = (doc.title or "").strip()
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    return normalize_for_search(body[: policy.subject_chars])


_TIME_WORD = re.compile(r"(?:今年|去年|前年|明年|本年|上年|现在|目前|现任|当前|原来|以前|此前|当时|过去)")


def _a_date(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a date (2025年1月1日, 1月1日) or within one?"""
    from rag.dates import find_dates

    return any(d.start <= start and end <= d.end for d in find_dates(text, 2000))


def _is_headline(c: Candidate) -> bool:
    """c is its article's title as a line of the text, or a clause of it (蓝莓怎么种？某镇镇长答网友问)."""
    title, text = normalize_for_search(c.doc.title or ""), normalize_for_search(c.text.strip())
    return bool(title) and bool(text) and text in title


_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:余|多)?[万亿]?[人元个家户名位吨亩册本]")  # a figure, in digits or words
_ASKS_HOUR = re.compile(r"几点|\bwhat time\b", re.I)  # the hour itself, not 开放时间 (周一闭馆 tells that)
_ALL_DAY = re.compile(r"24\s*小时|二十四小时|全天|通宵|昼夜|around the clock|24 hours|all day", re.I)
_HOUR = re.compile(r"[\d一二三四五六七八九十]{1,3}\s*[点时](?!钟头)")  # 晚上开到9点, 二十一时
_EN_NOW = re.compile(r"\b(?:now|currently|current|today|at present)\b", re.I)
_EN_FORMER = re.compile(r"\b(?:former|previous|ex-)\s*(?:[\w-]+\s+){0,3}(head|secretary|director|mayor|chief|chairman|governor)\b", re.I)


def _kind_missing(q: Question, best: Candidate, policy: AnswerPolicy, around: Surroundings) -> str | None:
    """The unit and kind of thing asked for, and enough of the question's words near the answer."""
    query, zh, kind = q.query, q.zh, q.kind
    if not unit_matches(query, best.text):
        return "unit asked for not in the answer"
    typed = extract_short(q.span_q, best.text, kind) if kind else None
    former = _EN_FORMER.search(best.text) if kind == "person" and not zh and _EN_NOW.search(q.asked) else None
    if former and re.search(rf"\b{former.group(1)}\b", q.asked, re.I):  # the post asked, held before
        return "a former holder, where the holder now is asked"  # "The former township head, X, is now…"
    if kind == "number" and not typed and not (asks_duration(query) and duration_in(best.text)):
        return "no number in the answer"  # 要等多久: 当场办结 is a duration without one
    if kind == "number" and typed and asks_duration(query) and _a_date(best.text, *typed) and not duration_in(best.text):
        return "a date, where a duration is asked"  # 多久能批下来: 自2025年1月1日起 is no duration
    if kind == "number" and typed and rate_unasked(query, best.text, *typed):
        return "a rate, where a level is asked"
    if kind == "number" and typed and duration_unasked(query, best.text):
        return "a length of time, where an amount is asked"  # 还有多少沙化土地: not 用5到7年时间
    at = typed[0] if typed else first_figure_at(best.text)
    if other_numbered(q.span_q, best.text, at):
        return "another numbered line's figure"  # 1号线 asked: 2号线全长19.6公里, 2号线首班车6:10
    if kind == "number" and not zh and measure_fits(query, best.text) is False:
        return "no quantity of the measure asked"  # "how big": a date is no size (an English question
        # gets no Chinese measure word from its question word, which a Chinese one's 多少吨 states)
    if kind == "date" and not typed and _is_headline(best):  # a notice's title says what, not when
        return "no date in the headline"
    if asks_clock(query) and _is_headline(best) and not (CLOCK.search(best.text) or _HOUR.search(best.text)):
        return "no hours in the headline"  # 卫生院下月起调整门诊时间: its body gives them
    if zh and ASKS_ROAD.search(query) and not ROAD.search(best.text):
        return "no road in the answer"  # 在哪条路: not 关于区政务服务中心…窗口…的公告
    if _ASKS_HOUR.search(query) and not (CLOCK.search(best.text) or _HOUR.search(best.text) or _ALL_DAY.search(best.text)):
        return "no hours in the answer"  # 几点开门: not 原址…下班后停止对外办公
    if kind == "person" and _is_headline(best) and not person_spans(best.text):
        return "no person in the headline"  # 某镇镇长答网友问 names the post, not who holds it
    if kind == "person" and not typed and not (zh and (template_span(query, best.text) or any(
            normalize_for_search(w) in normalize_for_search(best.text) for w in role_words(query)))) \
            and not (not zh and _names_holder(q, best.text)):
        return "no person in the answer"
    title = topic(best.doc, policy)
    named = bool(title) and normalize_for_search(title) in normalize_for_search(query)
    typed = typed or (_ASKS_POST.search(query) is not None and _POST.search(best.text) is not None)
    # (还要交照片吗: a sentence that says what is needed no more, or that only other things are, is of the kind asked)
    typed = typed or (zh and STILL_Q.search(query) is not None and not_needed(q.terms, best.text))
    # the question names the entry this sentence belongs to: fewer of its other words need match
    need = policy.min_coverage_typed if typed or named else policy.min_coverage
    if _band_holds(query, best):  # "老人85岁" against "80至89周岁…": the age is said, as a band
        need -= policy.w_numbers
    if zh:
        low = q.terms and best.context < need and best.context + _asked_less(q, best, around, policy) < need
        return f"low coverage {best.context:.2f}" if low else None
    if best.dense < policy.min_dense and best.context < need:
        return f"weak match (cosine {best.dense:.2f})"
    return None


def _asked_less(q: Question, best: Candidate, around: Surroundings, policy: AnswerPolicy) -> float:
    """How much more of the question the sentence holds when the words that only say how or when it
    is asked (现在, 几天, 能办下来: focus.asking_only) are left out: a citizen's question is mostly such
    words, which no article writes. Not in the sentences' scores: their order stays as it was."""
    kept = {t: w for t, w in q.terms.items() if not asking_only(t)}
    if not kept or len(kept) == len(q.terms):
        return 0.0
    window = around.window(best)
    return coverage(kept, q.bigrams, window, policy) - coverage(q.terms, q.bigrams, window, policy)


# a Chinese name where a line appoints, elects or names someone to a post: 任命张三为…局长, 张三同志任…,
# 选举张三为…主任, 张三当选…; jieba often cuts such a name (张 + 三) and tags no person
_APPOINTED = re.compile(r"(?:任命|聘任|聘请|提名|选举|推选|决定|同意|由)([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:为|任|担任|出任|兼任|当选)"
                        r"|(?:^|[，,；;：:、。\s])([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:任|担任|出任|兼任|当选为?)")


def appointed_names(text: str) -> list[str]:
    """The Chinese names a line appoints or elects to a post ("任命张三为县交通局局长" -> 张三). Not a
    name after its post ("局长李四说"): an old article's holder would answer who holds it now, where
    the timeline finds no version in an appointment line whose name the rules cannot cut."""
    from rag.answer.span import looks_like_name

    out = []
    for m in _APPOINTED.finditer(text):
        name = m.group(1) or m.group(2)
        if looks_like_name(name) and name not in out:
            out.append(name)
    return out


def _names_holder(q: Question, text: str) -> bool:
    """An English who-question is answered by a Chinese line that names a person to the post the
    question's Chinese keywords name (局长 for "the head of the … bureau"): a person counts though
    the rules of span.py find no name (a name jieba cuts in two)."""
    posts = [t for t in q.terms if _POST.fullmatch(t) or t.endswith(("长", "主任", "书记"))]
    return any(p in text for p in posts) and bool(appointed_names(text))


def _band_holds(query: str, best: Candidate) -> bool:
    numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", normalize_for_search(query)) if len(n) != 4]
    return bool(numbers) and all(n in best.text or in_band(n, best.text) for n in numbers) \
        and any(n not in best.text for n in numbers)


def missegmented(entity: str, doc: str) -> str:
    """jieba sometimes glues a neighbouring character to a name ("魏舒史" from 魏舒史称):
    a name of 3+ characters counts as present when it is, less its first or last character;
    returns the form found, or "". Place names with a suffix (村, 镇) are exempt: "红山村" is
    not "山村"."""
    if len(entity) < 3 or entity[-1] in "村镇县乡":
        return ""
    return next((e for e in (entity[:-1], entity[1:]) if e in doc), "")


_SAME_YEAR = re.compile(r"同年|当年|是年|该年|同月|当月")  # not 次年 / 翌年: those name the next year
# a question for the post someone holds, and the posts a sentence that answers it names
_ASKS_POST = ASKS_POST
_POST = re.compile(r"(?:局长|处长|科长|院长|校长|所长|厅长|部长|主任|书记|主席|县长|市长|镇长|乡长|区长|村长|经理|"
                   r"董事长|会长|秘书长|委员|馆长|站长|队长|社长|行长|总监|(?<![a-z])(?:director|chairman|chair|mayor|"
                   r"head|secretary|principal|manager|president))", re.I)
