"""What a version of a fact says, for rag/answer/timeline.py: the value a sentence gives for the
kind of thing asked (a figure in the unit asked, its measure word written with it), and how far
a sentence speaks of the question once the dates written in it are set aside and the places its
headline names are counted."""
from __future__ import annotations

import re
from functools import lru_cache

from rag.answer.ambiguity import class_part
from rag.answer.candidates import Candidate, Surroundings, list_subject
from rag.answer.changes import changes_standard
from rag.answer.change_values import changed_from, changed_to
from rag.answer.dating import only_wrong, said_right
from rag.answer.focus import AREA_Q, AREA_UNIT
from rag.answer.evidence import ADDRESS, ASKS_CLOCK, ASKS_POST, ASKS_WHERE, CLOCK, asks_clock, asks_duration, duration_in, other_numbered, unit_matches
from rag.answer.places import as_named, outer_places, own_part
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, coverage
from rag.answer.span import NUMBER_RE, SAME_MEASURE, asks_change, changed_by, extract_short, in_doc_number
from rag.dates import find_dates
from rag.text import CN_NUMERALS, to_simplified

VALUE_KINDS = ("number", "date")  # kinds whose value must hold a digit or a Chinese numeral
_NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]")


def value_of(q: Question, c: Candidate) -> str | None:
    """The kind of thing asked for in the sentence (None when it holds none, or when it is told of
    another numbered line than the one asked: 2号线首班车6:10 for 1号线), else the sentence."""
    value = _value_of(q, c)
    if value and q.kind is not None or value and asks_clock(q.query):
        first = re.split(r"[、；]", value)[0]
        at = c.text.find(first)
        if at > 0 and other_numbered(q.span_q, c.text, at):
            return None
    return value


def _the_place_asked(query: str, text: str, start: int, end: int) -> bool:
    """Is text[start:end] (a place span) the place a where-question asks about, or part of it: the
    question's words before 在哪 (镇便民服务中心) written over the span?"""
    where = ASKS_WHERE.search(query)
    asked = re.sub(r"(?:现在|目前|如今|以前|原来|当时|还)$", "", query[: where.start()]) if where else ""
    if len(asked) < 3:
        return False
    at = text.find(asked)
    while at >= 0:
        if at < end and start < at + len(asked):
            return True
        at = text.find(asked, at + 1)
    return False


def _value_of(q: Question, c: Candidate) -> str | None:
    if only_wrong(c.text):
        return None  # 《…》一文中的“187万元”有误: the value withdrawn, no version of the fact
    right = said_right(c.text)  # …“由15分钟延长至30分钟”有误，应为“…延长至20分钟”: the value after 应为
    text = c.text[right:] if right is not None else c.text
    text = own_part(text, q.query)  # …24600万元；相邻的石渠镇…1.52亿元: the place's own figure
    if ASKS_CLOCK.search(q.query):  # 下午几点到几点看病: the hours a sentence gives, none when it gives none
        hours = CLOCK.findall(text)
        return "、".join(hours) if hours else None
    if not q.kind:
        return re.sub(r"\s+", "", text)
    if q.kind == "person" and appointed(text):
        return appointed(text)  # 任命张三为…局长: 张三 (a removal line is read as written: removes())
    if q.kind == "number" and asks_duration(q.query):
        return duration_in(text)  # 要等多久: 3个工作日, 当场; not the hall's floor (一楼) nor a date's day
    if q.kind == "number" and asks_items(q.query):
        return items_counted(text)  # 要交几样材料: 精简为2件, not the 5个工作日 of the same notice
    if q.kind == "number" and _COUNTED_Q.search(q.query):
        return counted_figure(q.query, text)  # 多少个综合窗口: 设综合窗口86个, not the hall's 1.2万平方米
    if q.kind == "place" and q.zh and ASKS_WHERE.search(q.query):  # 在哪儿: the address, not the office's name again
        address = ADDRESS.search(text)
        if address:
            return address.group()
    if q.kind == "number":  # 一类…由每台195元提高至285元；二类…由每件35元提高至55元, asked the second class
        text = text[slice(*class_part(q.query, text))]
    span = extract_short(q.span_q, text, q.kind)
    if span and q.kind == "place" and q.zh and _the_place_asked(q.query, text, *span):
        return None  # 镇便民服务中心在哪儿: 我们建成镇(便民服务中心) names it, and says not where it is
    if span and changed_from(text, *span):  # 由80元提高至110元: the value now is 110元
        span = changed_to(text, *span)
    dated = bool(span) and q.kind == "number" and (any(d.start < span[1] and span[0] < d.end for d in find_dates(text))
                                                   or any(m.start() < span[1] and span[0] < m.end() for m in _MONTH_DAY.finditer(text)))
    if not span and q.kind != "number":
        return None
    if q.kind in VALUE_KINDS and (dated or not (span and _fits(q, text, *span))):  # 9月1日's 1日 is no figure
        look = q.kind == "number" and (span is not None or _asks_unit(q))  # a span that is no figure (同时废止)
        value = _figure_in_unit(q, text) if look else None
        return re.sub(r"\s+", "", value) if value else None  # "多少吨" asked: 1座 is another figure
    return re.sub(r"\s+", "", text[span[0]:span[1]])


# a question for the hours of the day something is open (几点开门, 几点到几点, 开放时间), and a time of day
# 多少个综合窗口 / 几个停车位: the thing counted, whose last two characters name it (窗口, 车位)
_COUNTED_Q = re.compile(r"(?:多少|几)个(?!工作日|小时|月|星期|礼拜|年|天|钟头|季度|百分点|人)([\u4e00-\u9fff]{2,8}?)(?:[？?吗呢了]|$)")


def asks_items(query: str) -> bool:
    """Does the question ask how many papers or steps something takes (要交几样材料, 上小学报名要带啥材料？
    一共几样？, 几项手续)?"""
    return bool(_ITEMS_Q.search(query) and _ITEMS.search(query))


def items_counted(sentence: str) -> str | None:
    """The count of papers a sentence gives, in 项 / 件 / 样 / 份 / 种, after the word for them in its
    clause (材料精简为2件, 办理材料：身份证、户口簿，共5项) or before it (需提交3项材料); not the count a
    change started from (由原来的5项减为2项: 2项); None when it gives none."""
    for noun in _ITEMS.finditer(sentence):
        stop = re.search(r"[。；;！？!?\n]", sentence[noun.end():])
        clause = noun.end() + stop.start() if stop else len(sentence)
        found = [m for m in _ITEM_COUNT.finditer(sentence, noun.end(), clause)
                 if m.start() - noun.end() <= 60 and not changed_from(sentence, m.start(), m.end())]
        if found:
            return re.sub(r"\s+", "", found[0].group())
        before = re.search(rf"({_COUNT}\s*{_ITEM_WORD})[\u4e00-\u9fff]{{0,4}}$", sentence[max(0, noun.start() - 12) : noun.start()])
        if before is not None:
            return re.sub(r"\s+", "", before.group(1))
    return None


_ITEMS_Q = re.compile(r"(?:几|多少)(?:样|项|份|件|种)")
_ITEMS = re.compile(r"材料|资料|证件|证明|手续")
_ITEM_WORD = "[项件样份种]"
_COUNT_WORD = "[个名位人家所座处]"
_COUNT = rf"(?:\d+(?:\.\d+)?|[{CN_NUMERALS}]+)"  # 86, 二百六十七
_ITEM_COUNT = re.compile(rf"{_COUNT}\s*{_ITEM_WORD}")


def counted_figure(query: str, sentence: str) -> str | None:
    """The figure a sentence gives of the thing a 多少个 / 几个 question counts, written next to it
    (设综合窗口86个, 86个综合窗口, 综合受理窗口42个); None when the question counts no named thing or the
    sentence gives no figure beside it. A thing asked with a qualifier (综合窗口) must be written
    with it: 18个窗口试行午间服务 counts some windows, not the 综合 ones."""
    for noun, qualifier in _counted_nouns(query):
        figure = _count_beside(sentence, noun, qualifier)
        if figure is not None:
            return figure
    return None


def _counted_nouns(query: str) -> list[tuple[str, str]]:
    """The thing a 多少个 / 几个 question counts, as (its last two characters, the rest before them):
    the words after 个 (多少个综合窗口); failing those, the words before a verb after them (几个窗口办事:
    窗口); the subject the count is asked of (村卫生室现在有多少个…: 卫生室) when a clause on it follows
    个 (多少个能用医保看病)."""
    m = _COUNTED_Q.search(query)
    if m is None:
        return []
    thing = m.group(1)
    before = _ASKING_COUNT.sub("", query[: m.start()])
    subject = [(before[-2:], "")] if re.search(r"[\u4e00-\u9fff]{2}$", before) else []
    if _RELATIVE.match(thing):  # 多少个能用医保看病: a clause on the subject, which is the thing counted
        return subject
    nouns = [(thing[-2:], thing[:-2])]
    verb = _DOING.search(thing, 2)  # 几个窗口办事: the windows
    if verb is not None:
        nouns.append((thing[verb.start() - 2 : verb.start()], thing[: verb.start() - 2]))
    return nouns


# the words between the subject a count is asked of and its 多少个 (村卫生室现在有多少个, 窗口一共几个), and
# a clause on that subject after 个 (多少个能用医保看病)
_ASKING_COUNT = re.compile(r"(?:现在|目前|如今|一共|总共|共|还)*(?:有|是)?$")
_RELATIVE = re.compile(r"(?:能|可以?|会|要|需要?|已经?|正在|还|被)")
# what the counted thing is asked to do, after it (几个窗口办事)
_DOING = re.compile(r"(?:办事|办理|办业务|看病|就诊|开放|营业|运营|运行|工作|上班|值班|接待|受理|使用|可用|能用)$")


def _count_beside(sentence: str, noun: str, qualifier: str) -> str | None:
    noun = re.escape(noun)
    # (个 is the measure word a citizen asks with; a count of people or bodies is written in its own:
    # 多少个专职网格员 of 网格员67名; and the work done may stand between: 完成老旧小区改造6个)
    # (a figure the count came to counts too, 乘车学生增至231名, and one in Chinese numerals, 学生二百六十七名)
    for found in (*re.finditer(rf"{noun}(?:改造|建设|新建|建成|完成)?(?:数量?|总数)?(?:(?:增|增加|增长|减|减少|下降)(?:至|到)|达到?|为|共|有)?"
                               rf"\s*(?:\|\s*)?({_COUNT}\s*(?:万|余|多)?{_COUNT_WORD})", sentence),
                  *re.finditer(rf"({_COUNT}\s*(?:万|余|多)?{_COUNT_WORD})[\u4e00-\u9fff]{{0,6}}?{noun}", sentence)):
        named = sentence[max(0, found.start() - 8):found.end()]
        if not qualifier or qualifier in named:
            return re.sub(r"\s+", "", found.group(1))
    return None


def _fits(q: Question, text: str, start: int, end: int) -> bool:
    """A figure in the unit asked: 多少亿元 (unit_matches), and 多少头 / 几家 by the measure word
    written in or right after it (1850头, not 1座)."""
    value = text[start:end]
    if not (_NUMERAL.search(value) and unit_matches(q.query, value)):
        return False
    if AREA_Q.search(q.query) and not AREA_UNIT.match(text, end) and not AREA_UNIT.search(value):
        return False  # 面积多大: 1800平方米, not 一座
    m = _MEASURE.search(q.query)
    if m is None:
        return True
    words = SAME_MEASURE.get(m.group(1), (m.group(1),))  # 几本书: 12册
    return any(re.search(w, value) or re.match(w, text[end:]) for w in words)




def _figure_in_unit(q: Question, sentence: str) -> str | None:
    """The first figure of the sentence in the unit asked ("几家" of "总产值达18.6亿元，新增企业5家":
    5家), when the span step found none or one in another unit; a date (2005年), a value the
    sentence says was changed (由100元调整为…) and one the question states are passed over. None
    when none fits."""
    found = [(f.start(), f.end()) for f in NUMBER_RE.finditer(sentence)  # its units hold the measure words
             if (re.search(r"\d", f.group()) or len(f.group().strip()) > 1)  # not the 一 of a name (王一鸣)
             and not in_doc_number(sentence, f.start(), f.end())]  # nor a notice's number (〔2019〕8号)
    dates = [(f.start, f.end) for f in find_dates(sentence)] + [m.span() for m in _MONTH_DAY.finditer(sentence)]
    fits = sorted((s, e) for s, e in found if _fits(q, sentence, s, e) and sentence[s:e] not in q.query
                  and not changed_from(sentence, s, e) and not any(a < e and s < b for a, b in dates)
                  and (asks_change(q.query) or not changed_by(sentence, s)))  # 上调3.9元 is no price
    return sentence[fits[0][0]:fits[0][1]] if fits else None


# a month or a day with no year (1月6日, 6日): a date, which find_dates leaves to the article's year
_MONTH_DAY = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|(?<![\d.])\d{1,2}\s*[日号](?!元)")


def _asks_unit(q: Question) -> bool:
    """Does the question ask its figure in a unit (多少吨, 几家, how much … in yuan)? Without one,
    any figure would do, and none is looked for beyond the span step's."""
    return _MEASURE.search(q.query) is not None or AREA_Q.search(q.query) is not None or not unit_matches(q.query, "")


_MEASURE = re.compile(r"(?:多少|几)([头只匹条艘辆座所家户株棵册本张份台套])")  # the measure word a question counts by


_DATELINE = re.compile(r"[\u4e00-\u9fff]{2,10}\s*(?:\d{4}年)?\d{1,2}月\d{1,2}日\s*(?:讯|电)")
NOW_SAID = re.compile(r"目前|现在|现有|当前|截至目前|如今|\b(?:currently|now|at present)\b", re.I)


def lead_in(c: Candidate, around: Surroundings) -> str:
    """The sentences before c in its paragraph, which name its subject ("2022年，医院门急诊量达…。
    床位…"), unless c speaks of its article's present (目前医院核定床位650张): then its subject is
    its own, and the sentence before it, of another time and figure, is not read with it."""
    if NOW_SAID.search(c.text):
        return ""
    # a numbered item ("一、白天…首小时3元") is of what the sentence that opens its list names (…公告如下：)
    # (a paragraph's 该项目共624套 is of what the paragraph before named: 青溪苑保障性租赁住房项目)
    return around.lead_in(c) or list_subject(c) or around.referred(c)


def titled(q: Question, c: Candidate, around: Surroundings, floor: float, policy: AnswerPolicy) -> bool:
    """Does the sentence reach the floor with the places its headline names (an article names the
    county it is about, 澄川县, once in its headline and says 县民政局 below)? The floor itself is
    set without headlines, and no other headline word counts (a headline is no fact). The bodies it
    names (区人民医院) count too where the sentence speaks of the question half as fully on its own
    ("医院门急诊量达91.2万人次", not "吴建明表示…")."""
    title = c.doc.title or ""
    if not title or c.text.strip() == title.strip():
        return False
    title = as_named(to_simplified(title), q.query, q.renamed)  # 叠溪村… of 下岙村 asked, renamed; 柘塘鄉 as 柘塘乡
    asked = q.query if q.zh else q.query + " " + " ".join(q.terms)  # in English: the Chinese it names (鹤汀县)
    places = [p for m in _PLACE.finditer(title) if (p := _asked_end(m.group(), asked))
              or not q.zh and (p := m.group())[:-1] in q.terms]  # Heting County: 鹤汀 found, 鹤汀县 in the headline
    bodies = [p for m in _BODY_NAME.finditer(title) if (p := _asked_end(m.group(), asked)) and p not in places]
    text = lead_in(c, around) + c.text
    if places and cover(q, "、".join(places) + "。" + text, policy) >= floor:
        return True
    return bool(bodies) and cover(q, text, policy) >= floor / 2 and cover(q, "、".join(places + bodies) + "。" + text,
                                                                            policy) >= floor


_PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}?[省市县区镇乡村岛]")  # 岚山县, 苇塘乡, 云岙村, 鸥礁岛
# a body named after its place (区人民医院, 县图书馆, 某某街道)
_BODY_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:中心|医院|学校|小学|中学|幼儿园|图书馆|文化馆|博物馆|卫生院|街道|社区|局)")


def _asked_end(name: str, query: str) -> str | None:
    """The longest end of a name in the headline that the question writes (鹤汀区人民医院 in the
    headline, 区人民医院 asked), of three characters or more; None when the question writes none."""
    return next((name[i:] for i in range(len(name) - 2) if name[i:] in query), None)


def read_with(c: Candidate, around: Surroundings) -> str:
    """The sentence with its article's opening sentence, when it stands in a later paragraph of an
    article that changes a standard (a notice names what it changes once: "自5月1日起，…建房审批改由
    乡镇负责。" then, below, "申请材料也进一步精简，只需提交…"); else with the sentences before it
    in its paragraph only. The floor of _versions is set without openings, as it is without headlines."""
    text = lead_in(c, around) + c.text
    spans = around.sentences(c.doc)
    if not spans or c.start < spans[0][1] or "\n" not in c.doc.text[spans[0][1]:c.start] or not changes_standard(c):
        return text
    first = next((sp for sp in spans if c.doc.text[sp[0]:sp[1]].strip() != (c.doc.title or "").strip()), None)
    if first is None or first[1] > c.start or "\n" not in c.doc.text[first[1]:c.start]:
        return text
    return c.doc.text[first[0]:first[1]] + text


def undated(text: str) -> str:
    """The text with the dates written in it blanked out, and a dateline (鹤汀融媒2025年6月24日讯: the
    outlet's name is no word of the subject)."""
    text = _DATELINE.sub(" ", text)
    for f in reversed(find_dates(text)):
        text = text[:f.start] + " " + text[f.end:]
    return text


# names of one office of one body (a village's party organisation is a 党支部, a 党总支 once it grows,
# a 党委 when larger: its 书记 is the same post; 村委会 is short for 村民委员会); 副书记 stays 副书记
# and two names of one kind of figure (a village's collective 经济 income or assets are reported as
# its 经营性 ones too), and the short name citizens and news use for a standard or a bureau and the full
# one a notice writes (低保 / 最低生活保障, 医保局 / 医疗保障局, 人社局 / 人力资源和社会保障局, 规上 / 规模以上)
_SAME_OFFICE = (("党支部", "党总支", "党委"), ("村民委员会", "村委会"), ("居民委员会", "居委会"),
                ("集体经济", "集体经营性"), ("低保", "最低生活保障"), ("医保", "医疗保障"), ("人社", "人力资源和社会保障"),
                ("社保", "社会保障"), ("规上", "规模以上"))
_FORMAL_BRANCH = re.compile(r"([村居区])(支部|总支)(?:部)?委员会书记")  # the party branch's name in a 任免 notice
_BODY = "村居社区"  # the bodies whose party organisation changes its name as it grows


def as_asked(query: str, text: str) -> str:
    """`text` with another name of the office the question names written as the question writes it
    (asked a community's 党支部书记, its 党总支书记 said: read as 党支部书记), so that a later article's name
    for the same post does not make its sentence speak less of the question. Only the same body's post
    (社区党总支 for 社区党支部, not 镇党委): the character before it must match the question's."""
    text = _FORMAL_BRANCH.sub(r"\1党\2书记", text)  # 中共某乡某村支部委员会书记: the village's 党支部书记
    for names in _SAME_OFFICE:
        asked = next(((m.start(), name) for name in names for m in re.finditer(name, query)), None)
        if asked is None:
            continue
        at, name = asked
        body = query[at - 1:at] if at > 0 and names[0] == "党支部" else ""
        if names[0] == "党支部" and (not body or body not in _BODY):
            continue  # only a village's or a community's party organisation
        for other in names:
            if other != name:
                text = text.replace(body + other, body + name)
    return text


@lru_cache(maxsize=256)
def other_name_words(query: str) -> frozenset[str]:
    """The words of the other names of what the question names (最低, 生活, 保障 of 最低生活保障 when it
    asks 低保), less the asked name's own: as_asked writes those names as asked, so no text holds them
    (an English question's keywords may hold both names)."""
    from rag.index.tokenize import answer_tokens

    out: set[str] = set()
    for names in _SAME_OFFICE:
        asked = next((name for name in names if name in query), None)
        if asked is not None:
            own = set(answer_tokens(asked)) | {asked}
            out |= {t for other in names if other != asked for t in (*answer_tokens(other), other)} - own
    return frozenset(out)


def cover(q: Question, text: str, policy: AnswerPolicy) -> float:
    """How much of the question (less the period it counts over and the other names of what it names)
    text holds, its dates set aside and other names of what it names written as asked."""
    others = other_name_words(q.query) | _counted_in(q.query)
    outer = outer_places(q.query)  # 东矶岛 of 东矶岛石湾镇: a later article names the town alone
    terms = {t: w for t, w in q.terms.items() if t not in _PERIOD and t not in others
             and not any(t in o for o in outer) and not _counting(q.query, t)} or q.terms
    text = as_named(as_asked(q.query, undated(_PER_UNIT.sub(r"每\1\2", text))), q.query, q.renamed)
    # nor their bigrams (过去一年 is no sign of a version)
    unsaid = [p for p in _PERIOD if p in q.query] + outer
    bigrams = {b for b in q.bigrams if not any(b in p for p in unsaid) and not _counting(q.query, b)} or q.bigrams
    return coverage(terms, bigrams, text, policy) if q.terms else 1.0


def _counted_in(query: str) -> frozenset[str]:
    """The measure word a question counts in (头 of 出栏多少头): the value's own check, not a word a
    version must hold (13.2万头 is written 万头, one word)."""
    return frozenset(m.group(1) for m in _COUNTED_IN.finditer(query))


# a price per unit written with a slash (25.8元/平方米) is the price 每平方米 a question asks
_PER_UNIT = re.compile(r"(?<=元)\s*/\s*(平方米|立方米|公里|千米|吨|小时|人|户|月|年)()")


def _counting(query: str, word: str) -> bool:
    """Is `word` written across the question's count in a measure that sources may write in another
    (几本 of 一次能借几本书: 几本书, 本书; SAME_MEASURE)? A source counting in 册 (12册) holds none of
    those words, so they are no sign of a version."""
    counts = [m.span() for m in _COUNTED_IN.finditer(query) if m.group(1) in SAME_MEASURE]
    at = [i for i in range(len(query)) if query.startswith(word, i)] if counts else []
    return any(i < hi and i + len(word) > lo for i in at for lo, hi in counts)


_COUNTED_IN = re.compile(r"(?:多少|几)([头只匹条艘辆座所家户株棵册本张份台套吨亩人个元起])")


# the period a figure is counted over, as a citizen asks it (现在一年的财政收入): reports write 全年, 年, or
# the year itself, and a report's "过去的一年" is no sign that its figure is the one asked
_PERIOD = frozenset({"一年", "每年", "全年", "一个月", "每月", "每个月", "一天", "每天"})


NAMED = re.compile(r"[\u4e00-\u9fff]{2}|[A-Z][a-z]+ [A-Z][a-z]+")  # a name, in Chinese or in pinyin


def named_before(q: Question, c: Candidate, around: Surroundings, policy: AnswerPolicy) -> Candidate:
    """A who-question's newest version that names nobody ("…, took over as head of the station (站长).",
    its subject named in the clause or sentence before): told from the nearest clause before it in
    its paragraph that names someone, as far as one answer holds; else as it was."""
    text = c.doc.text
    para = text.rfind("\n", 0, c.start) + 1
    cuts = [para] + [m.end() for m in _CLAUSE.finditer(text, para, c.start)]
    for lo, hi in reversed(list(zip(cuts, cuts[1:] + [c.start]))):
        if c.end - lo > policy.max_answer_chars:
            break
        if hi > lo and (NAMED.search(value_of(q, c.span(lo, hi)) or "") or _PINYIN_NAME.search(text, lo, hi)):
            return c.span(lo, c.end)
    return c


_CLAUSE = re.compile(r"[，,；;。.!?！？]\s*")
_PINYIN_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\s*[(（][\u4e00-\u9fff]{2,4}[)）]")  # Zhang San (张三)


_APPOINTED = re.compile(r"(?:任命|聘任|提名|补选|选举|推选|决定由)([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:为|担任)|"
                        r"由(?:[\u4e00-\u9fff]{0,6}?(?:长|书记|主任))?([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:主持|代理|代行)")
# …决定，卢振华任苇塘乡文化站站长 (a name right after a clause's start, then 任 / 接任 / 出任)
_TAKES_POST = re.compile(r"(?:^|[，,。；：:、]|决定|宣布)(?![不再曾已未拟将])([\u4e00-\u9fff]{2,3}?)(?:同志)?(?:任(?![命用职期务])|接任|出任|当选)")  # not 另有任用
_REMOVED = re.compile(r"免去[\u4e00-\u9fff]{2,4}(?:同志)?的?\S*?职务|不再担任|不再参选|卸任|免职|到龄退休|"
                      r"(?<![\u4e00-\u9fff])原(?:任)?[\u4e00-\u9fff]{0,10}?(?:书记|主任|[局院校站所镇乡县市区馆队]长|主席|经理)")
# (原村委会主任张三…: the line names who held the post, as 前任 does)


def removes(q: Question, c: Candidate) -> bool:
    """Does a who-question's sentence only remove someone from a post (免去李四的…职务, …不再担任…), or
    from the post asked while it gives them another (任命张三为市医保局局长，免去其市人社局局长职务, asked the
    人社局's head)? It tells who held the post before, never who holds it now."""
    return q.kind == "person" and (appointed(c.text) == "" or left_asked_post(q.query, c.text))


def left_asked_post(query: str, sentence: str) -> bool:
    """Does an appointment line move its appointee away from the office the question asks about (任命
    张三为A局局长，免去其B局局长职务, asked B局's head)? Offices are compared as the question names them
    (as_asked: 人社局 for 人力资源和社会保障局)."""
    office = _ASKED_OFFICE.search(query)
    gone = _REMOVED_FROM.search(sentence)
    if office is None or gone is None or not appointed(sentence):
        return False
    text = as_asked(query, sentence)
    gone = _REMOVED_FROM.search(text)
    given = _APPOINTED_TO.search(text)
    core = office.group(1)[-3:]  # 人社局 of 市人社局
    return gone is not None and core in gone.group(1) and not (given is not None and core in given.group(1))


_ASKED_OFFICE = re.compile(r"([\u4e00-\u9fff]{2,10}?(?:局|委员会|委|办公室|办|中心|院|所|站|馆))(?:的)?(?:局长|主任|书记|院长|所长|站长|馆长|负责人|一把手)?")
_REMOVED_FROM = re.compile(r"免去(?:其|[\u4e00-\u9fff]{2,4}(?:同志)?的)([^，。；;]*?)职务")
_APPOINTED_TO = re.compile(r"(?:任命|聘任)[\u4e00-\u9fff]{2,4}?(?:同志)?为([^，。；;]*)")


def newest_held(q: Question, older: list, versions: list):
    """The newest of a fact's `older` versions (None when there are none). For a who-question, of one
    day's versions the appointment before the removal: a notice's 任命张三为…局长 and 免去李四的…局长职务
    are both dated its day, but 李四 held the post until then and 张三 from then on, so 张三 is the
    newer holder (the one before the current one, asked 上一任); and not the appointment of someone a
    newer version (of `versions`) names as still holding the post (任命张三为… of 2023, then 局长张三说… of
    2026): that is the current holder's own start, not an earlier holder."""
    if q.kind == "person":
        older = [v for v in older if not any(w.when > v.when and _still_holds(v.value, w.cand.text)
                                             for w in versions)] or older
    if not older:
        return None
    return max(older, key=lambda v: (v.when, not removes(q, v.cand)))  # max keeps the first of equals


def _still_holds(name: str, text: str) -> bool:
    """Does a sentence name `name` as holding a post, not as leaving one (免去张三的…, 原局长张三, 张三不再担任…)?"""
    if not name or not NAMED.fullmatch(name[:2]) or len(name) > 4 or name not in text:
        return False
    n = re.escape(name)
    return not re.search(rf"(?:免去|接替|接任|原(?:任)?[\u4e00-\u9fff]{{0,12}}?){n}|{n}(?:同志)?(?:因[^，。；]{{0,12}})?"
                         rf"(?:不再担任|辞去|卸任|退休|调任|已调)|\b(?:succeed|replace|took over from)\w*\b[^.;]{{0,40}}{n}",
                         text, re.I)  # an English page: "She succeeds Li Si (李四), who…"


def appointed(sentence: str) -> str | None:
    """Whom a 任免 line makes the holder of a post: the name after 任命 / 补选 (任命张三为县交通运输局局长 ->
    张三); "" when the line only removes someone (免去李四的…职务, …不再担任…): it names no holder;
    None when it is neither (the span step reads it)."""
    m = _APPOINTED.search(sentence) or _TAKES_POST.search(sentence)
    if m is not None:
        return next(g for g in m.groups() if g)  # 由副院长王五同志主持医院全面工作: the acting head
    return "" if _REMOVED.search(sentence) else None


_LEFT = re.compile(r"(?:不再担任|辞去|卸任|免去[\u4e00-\u9fff]{0,4}(?:同志)?的?|原任)\s*$")
_NEW_POST = re.compile(r"(?:调任|改任|转任|出任|另任|任)([\u4e00-\u9fff]{2,20}?(?:局长|处长|科长|院长|校长|所长|部长|主任|书记|"
                       r"主席|县长|市长|镇长|乡长|区长|经理|董事长|会长|馆长|站长|队长|社长|行长))")


def post_now(answer, query: str):
    """For the post someone holds now: a bold post that its quote says the person left (不再担任A职务，
    调任B) is replaced by the post the quote says they moved to (B), or dropped when it names none."""
    from dataclasses import replace as _replace

    from rag.types import ShortPart

    if not answer.short_answer or not answer.citations or not ASKS_POST.search(query):
        return answer
    c = answer.citations[0]
    i = c.quote.find(answer.short_answer)
    if i < 0 or not _LEFT.search(c.quote[max(0, i - 12):i]):
        return answer
    m = _NEW_POST.search(c.quote, i + len(answer.short_answer))
    lead = f"{answer.short_answer} — "  # an English answer leads with its short answer
    text = answer.answer[len(lead):] if answer.answer.startswith(lead) else answer.answer
    if m is None:
        return _replace(answer, answer=text, short_answer=None, short_parts=(), short_answer_score=None)
    at, post = c.start + m.start(1), m.group(1)
    return _replace(answer, answer=f"{post} — {text}" if text != answer.answer else text, short_answer=post,
                    short_parts=(ShortPart(post, c.doc_id, at, at + len(post)),), short_answer_score=None)

