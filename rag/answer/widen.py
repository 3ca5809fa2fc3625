"""Widen a span to the whole unit the text gives it: "40个" -> "40个月", "八个" -> "八个方面",
"国栋" -> "李国栋", "2024年1月" -> "2024年1月5日", "长安十二时辰" -> "《长安十二时辰》",
"1800个" -> "超过1800个", "100米" -> "100米至2,800米" (a range, unless one end is asked); and cut
to the unit where the reader ran past it: "于西太平洋区" -> "西太平洋区", "张明远说" -> "张明远" (for a
question asking who).

A learned reader marks tokens, and tokens do not always end where a word or a quantity does. The
widened span is still a substring of the same text: its ends move outwards to finish a unit, never
past a sentence or clause mark, and inwards only to drop a preposition, particle or verb that is
not part of the answer.
"""
from __future__ import annotations

import re

from rag.answer.evidence import HOUSE_NUMBER
from rag.answer.span import NUMBER_RE, DATE_RE

_STRIP = " \t\r\n\u3000，。、；：！？,.;:!?…·"
_OPEN_CLOSE = {"《": "》", "“": "”", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】"}
_CLOSERS = set(_OPEN_CLOSE.values())
_CLASSIFIER = "个项种类条家位名批所座件台辆次届期场篇部本只张大头匹株棵艘架套间册枚栋幢处首幅份支根颗起"
_NUMERAL = r"[\d零一二两三四五六七八九十百千万亿]"
_MAX_GROW = 6  # characters an end may move to finish a word


_YEAR_ONLY = re.compile(r"哪一?年|几年|何年|什么年份?|哪个年份|(?:which|what) year", re.I)
_WHO = re.compile(r"谁|哪位|哪一位|什么人|何人|\bwho\b", re.I)
# a number's hedge changes the fact: "超过1800个" is not "1800个"
_HEDGE_BEFORE = re.compile(r"(?:大约|将近|接近|超过|不到|不足|至少|最多|多达|(?<![签节制契公合预])约|近|逾|超)$")  # not 签约…
_HEDGE_AFTER = re.compile(r"^(?:左右|以上|以下|以内|上下)")
_NAME_FLAGS = ("nr", "nrt", "nrfg")
_LOOSE_EDGE = ("p", "uj", "ul", "uz", "ug", "y", "c")  # prepositions, particles, conjunctions
_SAID = {"说", "表示", "指出", "认为", "称", "介绍", "强调"}


def widen(text: str, start: int, end: int, question: str = "") -> tuple[int, int]:
    """The span text[start:end] grown to whole words, quantities with their units, dates with
    their day (unless the question asks for the year) and titles with their marks; trimmed of
    surrounding punctuation."""
    start, end = _trim(text, start, end)
    if end <= start:
        return start, end
    if not re.search(r"\d", text[start:end]):  # numbers get their unit below, not jieba's next word
        start, end = _whole_words(text, start, end)
    start, end = _quantity(text, start, end)
    if not _YEAR_ONLY.search(question):
        start, end = _date(text, start, end)
    start, end = _marks(text, start, end)
    start, end = _trim(text, start, end)
    start, end = _edges(text, start, end, bool(_WHO.search(question)))
    end = _name_then_verb(text, start, end)
    if _WHO.search(question):
        start = _surname_before(text, start, end)
    if _ORDINAL_Q.search(question):
        return _ordinal(text, start, end)
    start, end = _hedge(text, start, end)
    while end < len(text) and text[end] in "°′″'\"" and text[end - 1].isdigit():
        end += 1  # 23°26′31″: the last mark belongs to the figure
    number = HOUSE_NUMBER.match(text, end) if text[end - 1:end] in _ROAD_ENDS else None
    if number:
        end = number.end()  # 岙前路 + 73号: a road's house number belongs to its address
    return (start, end) if _ONE_END_Q.search(question) else _range(text, start, end)


_ROAD_ENDS = frozenset("路街道巷弄")


# a question asking for one end of a range: the start, the first, the highest, the year
_ONE_END_Q = re.compile(r"开始|起始|始于|最早|最晚|最迟|最高|最低|最多|最少|至少|截止|结束|哪一?年|几月|哪个月|哪一?天")
_RANGE_TO = re.compile(r"\s*起?\s*(?:至|到|~|～|－|—|-)\s*(?:翌年|次年|隔年|次日)?")


def _range(text: str, start: int, end: int) -> tuple[int, int]:
    """A quantity or date that opens a range gets its other end: "100米" before "至2,800米",
    "10月" before "起至翌年5~6月"."""
    if not (NUMBER_RE.fullmatch(text, start, end) or DATE_RE.fullmatch(text, start, end)):
        return start, end  # only a quantity or a date opens a range ("第一阶段到2025年" is no range)
    to = _RANGE_TO.match(text, end)
    if to is None or to.end() == end or not re.search(r"[至到~～－—-]", to.group()):
        return start, end
    other = NUMBER_RE.match(text, to.end()) or DATE_RE.match(text, to.end())
    return (start, other.end()) if other and other.end() > to.end() else (start, end)


_ORDINAL_Q = re.compile(r"第几|第多少")
_ORDINAL = re.compile(r"第\s*[\d零一二三四五六七八九十百千]+\s*[\u4e00-\u9fff]?")


def _ordinal(text: str, start: int, end: int) -> tuple[int, int]:
    """Asked "第几张", "20张原创" is "第20张": the ordinal with its 第 and its classifier only."""
    lo = start - 1 if start > 0 and text[start - 1] == "第" else start
    m = _ORDINAL.match(text, lo)
    return m.span() if m and m.end() > start else (start, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Without punctuation at either end, an opening mark at the end or a closing one at the start."""
    while start < end and (text[start] in _STRIP or text[start] in _CLOSERS):
        start += 1
    while end > start and (text[end - 1] in _STRIP or text[end - 1] in _OPEN_CLOSE):
        end -= 1
    return start, end


def _word_bounds(text: str, lo: int, hi: int) -> set[int]:
    """Offsets (absolute) where jieba puts a word boundary in text[lo:hi]."""
    from rag.jieba_load import install

    jieba = install()

    bounds, pos = {lo}, lo
    for w in jieba.cut(text[lo:hi], HMM=True):
        pos += len(w)
        bounds.add(pos)
    return bounds


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Move each end outwards to the nearest word boundary (at most _MAX_GROW characters)."""
    lo, hi = _clause(text, start, end)
    bounds = _word_bounds(text, lo, hi)
    s = next((b for b in range(start, max(lo, start - _MAX_GROW) - 1, -1) if b in bounds), start)
    e = next((b for b in range(end, min(hi, end + _MAX_GROW) + 1) if b in bounds), end)
    return s, e


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch around the span bounded by sentence and clause marks."""
    marks = "。！？；，、：\n!?;,"
    lo = max(text.rfind(m, 0, start) for m in marks) + 1
    his = [i for i in (text.find(m, end) for m in marks) if i >= 0]
    return lo, min(his) if his else len(text)


def _quantity(text: str, start: int, end: int) -> tuple[int, int]:
    """A number whose unit was cut off gets it back; a numeral and classifier get their noun."""
    for m in NUMBER_RE.finditer(text, max(0, start - 4), min(len(text), end + 8)):
        if m.start() <= start < m.end() < end + 8 and m.end() > end and re.search(r"\d|" + _NUMERAL, text[start:end]):
            end = m.end()
            break
    span = text[start:end]
    if re.search(_NUMERAL + "\\s*[" + _CLASSIFIER + "]$", span):
        from rag.jieba_load import posseg

        pseg = posseg()

        lo, hi = _clause(text, start, end)
        unit = re.match(r"月|小时|星期|礼拜|钟头|工作日|百分点", text[end:hi])
        if unit:
            return start, end + unit.end()
        pos = end
        for w in pseg.cut(text[end:hi]):
            if w.flag.startswith("n") and len(w.word) <= 4:
                end = pos + len(w.word)
            break
    return start, end


def _date(text: str, start: int, end: int) -> tuple[int, int]:
    """"2024年1月" followed by "5日" is "2024年1月5日"."""
    if not re.search(r"[年月]$", text[start:end]):
        return start, end
    for m in DATE_RE.finditer(text, max(0, start - 2), min(len(text), end + 12)):
        if m.start() <= start < m.end() and m.end() > end:
            return start, m.end()
    return start, end


def _marks(text: str, start: int, end: int) -> tuple[int, int]:
    """A title or quotation is given with both its marks, or neither."""
    inner = text[start:end]
    for o, c in _OPEN_CLOSE.items():
        if start > 0 and text[start - 1] == o and text.find(c, end, end + 2) == end and o not in inner:
            return start - 1, end + 1
        if inner.startswith(o) and c not in inner:
            j = text.find(c, end, end + 40)
            if j >= 0 and "\n" not in text[end:j]:
                return start, j + 1
            return start + 1, end
        if inner.endswith(c) and o not in inner:
            i = text.rfind(o, max(0, start - 40), start)
            if i >= 0 and "\n" not in text[i:start]:
                return i, end
            return start, end - 1
    return start, end


def _edges(text: str, start: int, end: int, who: bool) -> tuple[int, int]:
    """Drop a leading preposition ("于西太平洋区"), a trailing particle or "说" ("张明远说"), and,
    when the question asks who, the words after a person's name ("李国栋连连点头")."""
    from rag.jieba_load import posseg

    pseg = posseg()

    span = text[start:end]
    if not re.search(r"[\u4e00-\u9fff]", span) or span[0] in _OPEN_CLOSE:
        return start, end
    words = [(w.word, w.flag) for w in pseg.cut(span)]
    lo, hi = 0, len(words)
    while hi - lo > 1 and words[lo][1] in _LOOSE_EDGE:
        lo += 1
    while hi - lo > 1 and (words[hi - 1][1] in _LOOSE_EDGE or words[hi - 1][0] in _SAID):
        hi -= 1
    if who:
        names = [i for i in range(lo, hi) if words[i][1] in _NAME_FLAGS]
        if names:
            last = names[0]  # the first name and what is glued to it ("贝尔·默里")
            while last + 1 < hi and (words[last + 1][1] in _NAME_FLAGS or words[last + 1][0] in "·•"):
                last += 1
            if last + 1 < hi and words[last + 1][1][:1] in ("v", "d", "a") and not _name_end(text, end, words[last + 1 :]):
                hi = last + 1
    new_start = start + sum(len(w) for w, _ in words[:lo])
    new_end = start + sum(len(w) for w, _ in words[:hi])
    return (new_start, new_end) if new_end > new_start else (start, end)


def _hedge(text: str, start: int, end: int) -> tuple[int, int]:
    """A number keeps the hedge the text gives it: "约", "超过", "近" before it, "左右", "以上"
    after it (not a date: "2024年以上" is not a quantity)."""
    if not re.match(r"[\d零一二两三四五六七八九十百千]", text[start:end]):
        return start, end
    lo, hi = _clause(text, start, end)
    before = _HEDGE_BEFORE.search(text[max(lo, start - 2) : start])
    after = None if re.search(r"[年月日号]$", text[start:end]) else _HEDGE_AFTER.match(text[end:hi])
    return start - (len(before.group()) if before else 0), end + (len(after.group()) if after else 0)


def _name_end(text: str, end: int, after: list[tuple[str, str]]) -> bool:
    """The one character after a name ends the clause ("熊谷元" + "直" before "，"): the name's
    last character that jieba cut off, not a word after it."""
    return len(after) == 1 and len(after[0][0]) == 1 and (end >= len(text) or text[end] in _STRIP)


_NAME_VERB = "为是在于将"


def _name_then_verb(text: str, start: int, end: int) -> int:
    """A three-character name with the verb after it ("郑丽华为该村书记" read as "郑丽华为", which jieba
    cuts 郑丽 + 华为): the end moves back before the verb."""
    from rag.answer.span import SURNAMES, looks_like_name

    span = text[start:end]
    if not (len(span) == 4 and span[-1] in _NAME_VERB and span[0] in SURNAMES and span[:2] not in SURNAMES
            and re.fullmatch(r"[\u4e00-\u9fff]{4}", span) and end < len(text) and re.match(r"[\u4e00-\u9fff]", text[end])):
        return end
    return end - 1 if looks_like_name(span[:3]) or _tagged_name(span[:3]) else end


def _surname_before(text: str, start: int, end: int) -> int:
    """A given name read without its rare surname ("市长 禤明远" read as 明远): the start moves back over
    the surname when a title or a mark stands before it."""
    from rag.answer.span import SURNAMES, TITLE_BEFORE, looks_like_name

    if not (start >= 1 and 2 <= end - start <= 3 and text[start - 1] in SURNAMES
            and re.fullmatch(r"[\u4e00-\u9fff]+", text[start:end])):
        return start
    before = text[:start - 1]
    if before and re.match(r"[\u4e00-\u9fff]", before[-1]) and not TITLE_BEFORE.search(before):
        return start
    return start - 1 if looks_like_name(text[start - 1:end]) else start


def _tagged_name(word: str) -> bool:
    """jieba reads `word` alone as one person's name."""
    from rag.jieba_load import posseg

    words = list(posseg().cut(word))
    return len(words) == 1 and words[0].flag in _NAME_FLAGS
