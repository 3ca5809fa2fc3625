"""What an answer says of time (issue #19): the date of the fact that leads, the earlier version as
its own cited quote (marked superseded, with the date of the change), no changed-from value in
bold, what a decline says when the articles stop before the time asked, and what the relative
times of a quote (去年, 今年, 年底前) mean, read against its article's date (no such word alone in
bold; nor, for a when-question, a time whose sentence is not of the event asked). The decisions
are rag/answer/timeline.py's; this module only words them."""
from __future__ import annotations

import re
from dataclasses import replace
from rag.dates import Date, as_date, find_dates, sentence_time, spoken
from rag.answer.change_values import FIGURE, changed_from, changed_to, with_unit
from rag.dates.words import RELATIVE
from rag.types import Answer, Citation, ShortPart


def annotate(answer: Answer, tl, zh: bool, led: bool) -> Answer:  # tl: timeline.Timeline
    """The answer with its time: each citation's `when`; and when the timeline chose the answer
    (`led`), their status, the leading fact's date, and the earlier version as its own cited quote;
    led by a newer article that changes its own figure, where one was retrieved (rag/answer/newer.py)."""
    from rag.answer.newer import told_newer

    return told_newer(_annotate(answer, tl, zh, led), tl.newer, zh)


def _annotate(answer: Answer, tl, zh: bool, led: bool) -> Answer:
    cites = [replace(c, when=_iso(sentence_time(c.quote, as_date(c.date)))) for c in answer.citations]
    answer = _of_the_event(_not_postponed(_still_in_force(answer, tl, led), tl), tl.event)
    if not led or tl.lead is None or not answer.answerable:
        return _relative_read(replace(answer, citations=tuple(cites)), zh)
    lead_doc = tl.lead.doc.id
    superseded = _iso(tl.changed_on) if tl.lead_status == "superseded" else None
    cites = [replace(c, status=tl.lead_status, changed_on=superseded) if c.doc_id == lead_doc else c for c in cites]
    text = answer.answer
    reported = as_date(tl.lead.doc.date)
    if tl.earlier is not None:
        e = tl.earlier.cand
        n = len(cites) + 1
        cites.append(Citation(n, e.doc.id, e.doc.title, e.doc.date, e.doc.source, e.text, e.start, e.end,
                              min(e.hit.chunk.start, e.start), max(e.hit.chunk.end, e.end),
                              when=_iso(tl.earlier.when), status=tl.earlier_status,
                              changed_on=_iso(tl.changed_on) if tl.earlier_status == "superseded" else None,
                              page=e.doc.page_at(e.start), ocr=e.doc.ocr_at(e.start, e.end)))
        text = text + _earlier_note(e.text, n, tl, zh)
    elif tl.lead_status == "superseded" and tl.changed_on is not None:  # a past standard, asked for
        since = spoken(tl.changed_on, zh)
        text += f"（该标准已自{since}起调整。）" if zh else f" (Changed on {since}.)"
    in_force = tl.asked.kind == "year" and tl.lead_when is not None and not tl.asked.covers(tl.lead_when)
    if reported is not None and (tl.earlier is not None or tl.asked.kind == "current" or in_force):
        text = f"据{spoken(reported, True)}报道：{text}" if zh else _reported_en(text, spoken(reported, False))
    return _relative_read(replace(answer, answer=text, citations=tuple(cites)), zh)


def _not_postponed(answer: Answer, tl) -> Answer:
    """No bold figure of a sentence that postpones a change (原定…起执行的新标准（每次8元），现推迟至…) while
    the standard in force leads: the leading version's value instead, where its sentence writes it."""
    from rag.answer.in_force import postponed_at

    lead = tl.lead
    if lead is None or not answer.short_parts or tl.asked.kind == "year":
        return answer
    keep = [p for p in answer.short_parts if not (p.doc_id == lead.doc.id and postponed_at(lead.doc, p.start))]
    if len(keep) == len(answer.short_parts):
        return answer
    at = lead.doc.text.find(tl.lead_value, lead.start, lead.end) if not keep and tl.lead_value else -1
    if at >= 0:
        keep = [ShortPart(tl.lead_value, lead.doc.id, at, at + len(tl.lead_value))]
    short = "；".join(p.text for p in keep) or None
    shown = answer.answer
    if shown.startswith(f"{answer.short_answer} — "):
        shown = (f"{short} — " if short else "") + shown[len(answer.short_answer) + 3:]
    return replace(answer, answer=shown, short_answer=short, short_parts=tuple(keep), short_answer_score=None)


def _of_the_event(answer: Answer, event: tuple[str, ...]) -> Answer:
    """No bold time for a when-question whose own sentence does not state the event asked (…什么时候
    完工: 4月11日 of 4月11日…带队检查…进度 is the inspection's date, not the finishing's)."""
    for part in answer.short_parts if answer.short_answer and event else ():
        cite = next((c for c in answer.citations if c.doc_id == part.doc_id and c.start <= part.start < c.end), None)
        at = part.start - cite.start if cite is not None else -1
        sentence = next((m.group() for m in _SENTENCE.finditer(cite.quote) if m.start() <= at < m.end()), "") \
            if cite is not None else ""
        if not any(w in sentence for w in event):
            return replace(answer, short_answer=None, short_parts=(), short_answer_score=None)
    return answer


_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]*")
_PERIODS = ("年底", "年末", "年初", "年内", "年中", "上半年", "下半年")
_YEAR_WORDS = tuple(w for w, (unit, _) in RELATIVE.items() if unit == "year" and not w.isascii())
_RELATIVE_SAID = re.compile("|".join(sorted(_YEAR_WORDS + _PERIODS, key=len, reverse=True)))
_MONTH_DAY = re.compile(r"\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]\s*")
_COMPARED = re.compile(r"(?:较|比|同比|与|相比|对比)$")
_WITH_YEAR = "0123456789０１２３４５６７８９年今明去前本来"  # 2022年底, 明年年底, 今年上半年: the year is said


def relative_note(quote: str, doc_date: Date | None) -> str:
    """What the relative times of a quote mean, read against its article's date (an article of
    2023: 去年 -> 2022年, 年底前 -> 2022... its own year's end): 文中“去年”指2022年; "" when none."""
    if doc_date is None:
        return ""
    notes: list[str] = []
    for m in _RELATIVE_SAID.finditer(quote):
        word = m.group()
        if _COMPARED.search(quote[max(0, m.start() - 3): m.start()]):
            continue  # 较上年增加39万元: what the figure is compared with, not its time
        if word in _PERIODS:
            if m.start() > 0 and quote[m.start() - 1] in _WITH_YEAR:
                continue
            year = doc_date.year
            if word in ("年末", "年底") and (doc_date.month or 12) <= 3 and not quote.startswith("前", m.end()):
                year -= 1  # a January report's 年末全区常住人口…: the year it looks back on (年底前完工: this one's)
            meaning = f"{year}{word}" if word.startswith("年") else f"{year}年{word}"
        else:
            meaning = f"{doc_date.year + RELATIVE[word][1]}年"
        note = f"“{word}”指{meaning}"
        if note not in notes:
            notes.append(note)
    return "文中" + "，".join(notes) if notes else ""


def _relative_read(answer: Answer, zh: bool) -> Answer:
    """A Chinese answer whose first quote says 去年 / 今年 / 年底前 is read against its article's date:
    the answer says when that article was written and what the words mean (据2023年2月3日报道（文中
    “去年”指2022年）：…), and a short answer that is such a word alone is no answer out of its
    article: dropped. A bold month and day the quote gives no year for (7月1日) is told with the
    article's date too."""
    if not zh or not answer.answerable or not answer.citations:
        return answer
    first = answer.citations[0]
    reported = as_date(first.date)
    note = relative_note(first.quote, reported)
    yearless = bool(answer.short_answer and _MONTH_DAY.fullmatch(answer.short_answer)) and not find_dates(first.quote)
    if reported is None or not (note or yearless):
        return answer
    said = f"据{spoken(reported, True)}报道"
    text = answer.answer
    head = f"{said}（{note}）：" if note else f"{said}："
    text = head + (text[len(said) + 1:] if text.startswith(said + "：") else text)
    short = answer.short_answer
    if short and _RELATIVE_SAID.search(short) and not re.search(r"\d{4}|[〇○零一二三四五六七八九]{4}", short):
        return replace(answer, answer=text, short_answer=None, short_parts=(), short_answer_score=None)
    return replace(answer, answer=text)


_EN_LEAD = "According to the articles: "


def _reported_en(text: str, when: str) -> str:
    """"According to the articles, as reported on 18 Jun 2024: …" (not the date before that lead-in)."""
    if text.startswith(_EN_LEAD):
        return f"According to the articles, as reported on {when}: {text[len(_EN_LEAD):]}"
    return f"As reported on {when}: {text}"


def _earlier_note(quote: str, n: int, tl, zh: bool) -> str:
    when = spoken(tl.earlier.when, zh)
    if tl.earlier_status == "superseded":
        since = spoken(tl.changed_on, zh)
        if zh:
            return f"（此前（{when}）为：{quote}[{n}]，已{('自' + since + '起') if since else ''}被新标准取代。）"
        return f" (Earlier ({when}): {quote} [{n}]; replaced{(' from ' + since) if since else ''}.)"
    return f"（此前（{when}）：{quote}[{n}]）" if zh else f" (Earlier ({when}): {quote} [{n}])"


_ENDED = re.compile(r"\s*(?:的)?(?:标准|规定|政策)?\s*(?:同时|予以|已|即行)?(?:废止|作废|不再执行|停止执行|失效)")


def _ended(text: str, end: int) -> bool:
    """Does the value at text[:end] end the line that abolishes it (…起执行的每人每月735元标准同时废止)?"""
    return _ENDED.match(text, end) is not None


def _neighbours_part(text: str, part, question: str) -> bool:
    """Does a bold value stand in its sentence's clause about a neighbour the question does not name?"""
    from rag.answer.places import neighbours

    lo = max(text.rfind(m, 0, part.start) for m in "。！？\n") + 1
    return neighbours(text[lo:part.start], question)


def _still_in_force(answer: Answer, tl, led: bool) -> Answer:
    """Led by a figure that a change announced ahead will replace (由每人36元下调为30元, from a later day):
    the bold value is the one in force (36元), not the coming one; none when the sentence does not write it.
    The past asked, led by the value a change replaced (timeline._replaced), shows it even where no span was."""
    if not (led and tl.pending and tl.lead is not None and tl.lead_value
            and (answer.short_answer or tl.lead_status == "superseded")) or answer.short_answer == tl.lead_value:
        return answer
    c = tl.lead
    at = c.doc.text.find(tl.lead_value, c.start, c.end)
    if at < 0:
        return replace(answer, short_answer=None, short_parts=(), short_answer_score=None)
    part = ShortPart(tl.lead_value, c.doc.id, at, at + len(tl.lead_value))
    shown = answer.answer
    if answer.short_answer and shown.startswith(answer.short_answer + " — "):  # an English answer leads with it
        shown = tl.lead_value + shown[len(answer.short_answer):]
    return replace(answer, answer=shown, short_answer=tl.lead_value, short_parts=(part,))


def without_stale_short(answer: Answer, document) -> Answer:
    """No bold value that its own sentence says was changed ("由原来的每月80元、70元提高至110元和100元":
    80元 and 70元 are the old standards): such a short answer becomes the value it was changed to,
    in the same place of the list (110元), else it is dropped and the quote stands alone. A question
    about the past (调整前, 原来) asks for the old value: kept. `document(doc_id)`."""
    if not answer.short_answer or not answer.short_parts or _asks_past(answer.question):
        return answer
    parts, changed = [], False
    for part in answer.short_parts:
        text = document(part.doc_id).text
        if erroneous(text, part.start, part.end) or _ended(text, part.end) or _neighbours_part(text, part, answer.question):
            changed = True  # 更正：“…980元”有误 / …940元标准同时废止 / …；相邻的石渠镇…1.52亿元
            continue
        if _CORRECTED.search(part.text):
            start = part.start + _CORRECTED.search(part.text).end()
            part, changed = ShortPart(text[start:part.end], part.doc_id, start, part.end), True
        within = _change_within(text, part)
        if within is not None:  # "30个工作日压缩至10个工作日" in bold: the old value and the new one
            part, changed = within, True
        if not changed_from(text, part.start, part.end):
            parts.append(part)
            continue
        to = changed_to(text, part.start, part.end)
        if to is None:
            return replace(answer, short_answer=None, short_parts=(), short_answer_score=None)
        to = with_unit(text, part.text, to)
        parts.append(ShortPart(text[to[0]:to[1]], part.doc_id, to[0], to[1]))
        changed = True
    if not changed:
        return answer
    if not parts:
        return replace(answer, short_answer=None, short_parts=(), short_answer_score=None)
    short = "；".join(p.text for p in parts)
    shown = answer.answer
    if answer.short_answer and shown.startswith(answer.short_answer + " — "):  # an English answer leads with it
        shown = short + shown[len(answer.short_answer):]
    return replace(answer, answer=shown, short_answer=short, short_parts=tuple(parts), short_answer_score=None)


def _change_within(text: str, part: ShortPart) -> ShortPart | None:
    """The value a bold span's first figure was changed to, when the span runs on to it (由30个工作日压缩至
    10个工作日 shown whole: 10个工作日); else None."""
    first = FIGURE.search(text, part.start, part.end)
    if first is None or not changed_from(text, first.start(), first.end()):
        return None
    to = changed_to(text, first.start(), first.end())
    if to is None or not (part.start <= to[0] and to[1] <= part.end):
        return None
    to = with_unit(text, text[first.start():part.end], to)
    return ShortPart(text[to[0]:to[1]], part.doc_id, to[0], to[1])


_WRONG = re.compile(r"\s*[”\"’」』]?\s*(?:一文中?)?(?:有误|错误|系笔误|不准确|有错)")
_CORRECTED = re.compile(r"^.*?(?:应为|应是|更正为|改正为)\s*[“\"‘「『]?")


def erroneous(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a value that a correction says was wrong (“提高至每人每月980元”有误，应为…)?"""
    return _WRONG.match(text, end) is not None


_SAID_WRONG = re.compile(r"[”\"’」』]\s*(?:一文中?)?(?:有误|错误|系笔误|不准确|有错)")
_SAID_RIGHT = re.compile(r"应为|应是|更正为|改正为")


def said_right(sentence: str) -> int | None:
    """Where a correction's right value begins (…“由15分钟延长至30分钟”有误，应为“…20分钟”: at 应为),
    None for any other sentence (申请人应为本市户籍居民 corrects nothing)."""
    wrong = _SAID_WRONG.search(sentence)
    right = _SAID_RIGHT.search(sentence, wrong.end()) if wrong else None
    return right.start() if right else None


def only_wrong(sentence: str) -> bool:
    """Does a sentence only say that a value printed was wrong (本网…刊发的《…》一文标题中的“980元”有误。),
    without the right one (应为…), which a correction gives in its next sentence? Such a sentence
    states no version of the fact: its figure is the one withdrawn."""
    return _SAID_WRONG.search(sentence) is not None and _SAID_RIGHT.search(sentence) is None


def withdrawn(value: str, sentence: str, docs) -> bool:
    """Does one of `docs` quote the value as printed wrong (文中“2023年全村接待游客5.37万人次”有误，应为…)?
    Such a value is no version of the fact, whatever the time it speaks of; the correction's own
    sentence, which gives the right one (应为…), is. `sentence`: the version's."""
    if not value or len(value) < 2 or _SAID_RIGHT.search(sentence):
        return False
    said = re.compile("[“\"]" + "[^“”\"]*" + re.escape(value) + "[^“”\"]*" + "[”\"]\s*(?:一文中?)?(?:有误|错误|系笔误|不准确|有错)")
    return any(said.search(d.text) for d in docs)


def _asks_past(question: str) -> bool:
    from rag.dates import asked_time

    return asked_time(question).kind == "past"


def replaced_value(text: str, value: str) -> str | None:
    """The figure a change replaces with `value` (由每人36元下调为30元, 30元: 36元), which holds until the
    change applies; None when the sentence changes no figure into it."""
    number = FIGURE.match(value)
    if number is None:
        return None
    for m in FIGURE.finditer(text):
        s, e = m.span()
        to = changed_to(text, s, e) if changed_from(text, s, e) else None
        if to is not None and FIGURE.match(text, to[0]) and FIGURE.match(text, to[0]).group() == number.group():
            return m.group() + value[number.end():]  # in the unit of the new value (由36下调为30元)
    return None


def no_data_note(tl, zh: bool) -> str:
    """What a decline adds when the articles stop before the time asked."""
    if tl.latest is None:
        return ""
    latest = spoken(tl.latest, zh)
    return f"现有文章中最新的是{latest}的情况。" if zh else f" The latest the articles cover is {latest}."


def _iso(date: Date | None) -> str | None:
    return date.iso() if date is not None else None
