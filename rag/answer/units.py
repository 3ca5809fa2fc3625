"""Whole units or nothing: a short answer is never a surname cut from its name ("赵" for 赵立新),
a bare category word the question itself says ("车站", "球队" asked "哪支球队"), nor a piece of a
word (a span still starting or ending inside a word after widening).

`whole_unit` returns the span grown to the whole unit, or None when no whole unit can be found:
the answerer then shows no short answer; nor when the span `crosses` a sentence end or a colon
(outside a title or quotation).
"""
from __future__ import annotations

import re

from rag.answer.span import DATE_RE, NUMBER_RE, SURNAMES, looks_like_name

# words that name a kind of thing, not one thing: shown alone they answer no "which one"
CATEGORY_WORDS = frozenset(
    "车站 站 球队 队 公司 企业 集团 学校 学院 大学 医院 银行 港口 港 码头 机场 城市 地区 地方 村 镇 县 市 省 国家 "
    "部门 单位 机构 组织 协会 项目 工程 产业 行业 产品 品牌 活动 比赛 赛事 会议 节目 作品 电影 歌曲 书 球员 选手 "
    "人物 人员 官员 领导 干部 街道 社区 道路 公路 铁路 河流 山 湖 园区 平台 中心 基地 景区 公园 展区 专业 科室".split())
_WHICH = re.compile(r"哪|什么|which|what", re.I)
_PERSON_Q = re.compile(r"谁|哪位|什么人|何人|叫什么名字|姓名|\bwho\b|\bwhom\b", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def whole_unit(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """text[start:end] as a whole unit: a surname grown to its name, a category word grown to the
    name before it ("东屿" + "港"); None when the span stays a fragment."""
    span = text[start:end]
    if not _CJK.search(span) or NUMBER_RE.fullmatch(span) or DATE_RE.fullmatch(span):
        return start, end  # a quantity or date was widened to its unit already (widen.py)
    quoted = _in_quotes(text, start, end)
    if quoted is not None:  # "鹤汀" of “鹤汀办事”: a piece of a quoted name is no name; the whole one is
        return quoted
    if _lone_surname(span) or _PERSON_Q.search(question) and len(span) == 1:
        return _grow_name(text, start, end)
    head = _bare_first_item(text, start, end)
    if head is not None:
        return head, end
    if span in CATEGORY_WORDS or _said_by_question(span, question):
        return _grow_category(text, start, end, question)
    named = (span[0] in SURNAMES or span[:2] in SURNAMES) and looks_like_name(span)  # jieba cuts names badly
    if not named and _inside_word(text, start, end):
        return None
    return start, end


_TITLED = re.compile(r"《[^《》]*》|“[^“”]*”|「[^「」]*」|『[^『』]*』|（[^（）]*）|\([^()]*\)")
# a sentence ends inside the span, or a colon opens what follows it ("3座塔楼：凯撒塔")
_CROSSING = re.compile(r"[。！？!?\n]|[：:](?=\D)")


def crosses(span: str) -> bool:
    """The span runs over a sentence end or a colon (outside a title or quotation: 《……！》 is one
    unit): it holds two things, not one."""
    return bool(_CROSSING.search(_TITLED.sub("", span)))


_PARALLEL = re.compile(r"([\u4e00-\u9fff]{2})([\u4e00-\u9fff]{2,4})\1")


def _bare_first_item(text: str, start: int, end: int) -> int | None:
    """Items written without a separator ("生态强镇文旅强镇") and a span that starts at the first
    item's last word ("强镇文旅强镇"): the start of that item ("生态", as long as the second item's
    modifier "文旅"), or None."""
    m = _PARALLEL.fullmatch(text, start, end)
    if m is None:
        return None
    lo = start - len(m.group(2))
    return lo if lo >= 0 and re.fullmatch(r"[\u4e00-\u9fff]+", text[lo:start]) else None


def _in_quotes(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The whole quoted name (inside “” or 「」, at most 12 characters) that text[start:end] is a
    strict part of, or None."""
    for op, cl in (("“", "”"), ("「", "」")):
        lo, hi = text.rfind(op, 0, start + 1), text.find(cl, max(end - 1, 0))
        if lo < 0 or hi < 0 or (lo + 1, hi) == (start, end) or hi - lo - 1 > 12:
            continue
        inner = text[lo + 1 : hi]
        if lo + 1 <= start and end <= hi and not re.search(r"[，。；！？、“”「」\n]", inner):
            return lo + 1, hi
    return None


def _lone_surname(span: str) -> bool:
    """A surname alone ("赵", "欧阳"): no name."""
    return span in SURNAMES


def _grow_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name that begins with the surname at text[start:end] ("赵" -> "赵立新"), or None."""
    for n in (3, 2, 4):
        cand = text[start : start + n]
        if len(cand) == n and all(_CJK.match(ch) for ch in cand) and looks_like_name(cand) \
                and _name_word(text, start, n):
            return start, start + n
    return None


def _name_word(text: str, start: int, n: int) -> bool:
    """jieba reads text[start:start+n] as one name, or as a surname and given name that end
    where a word ends."""
    from rag.jieba_load import posseg

    pseg = posseg()

    hi = min(len(text), start + n + 6)
    pos, cuts, names = start, {start}, False
    for w in pseg.cut(text[start:hi]):
        if pos == start and w.flag.startswith("nr") and len(w.word) >= 2:
            names = True
        pos += len(w.word)
        cuts.add(pos)
    return (start + n) in cuts and (names or n >= 2)


def _said_by_question(span: str, question: str) -> bool:
    """A short span the question already says ("中超球队" asked "哪支中超球队") when it asks which one."""
    q = re.sub(r"\s+", "", question)
    return bool(_WHICH.search(q)) and len(span) <= 6 and span in q


def _grow_category(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """The proper name before a category word ("东屿" + "港"), when the text gives one the
    question does not say; None otherwise."""
    from rag.jieba_load import posseg

    pseg = posseg()

    lo = max(text.rfind(m, 0, start) for m in "，。；：！？、,;:!?\n （(“《") + 1
    words = [(w.word, w.flag) for w in pseg.cut(text[lo:start])]
    take = 0
    for word, flag in reversed(words):
        if not (flag.startswith(("ns", "nr", "nz", "nt", "j", "eng")) or len(word) == 1 and flag[:1] in "nzkg"):
            break
        take += len(word)
        if take >= 8:
            break
    if take == 0:
        return None
    new = (start - take, end)
    q = re.sub(r"\s+", "", question)
    return None if text[new[0] : new[1]] in q else new


def _inside_word(text: str, start: int, end: int) -> bool:
    """A span (no digits) whose start or end still lies inside a word of jieba's dictionary."""
    if re.search(r"\d", text[start:end]):
        return False
    from rag.jieba_load import install

    jieba = install()

    lo = max(text.rfind(m, 0, start) for m in "，。；：！？、,;:!?\n") + 1
    his = [i for i in (text.find(m, end) for m in "，。；：！？、,;:!?\n") if i >= 0]
    hi = min(his) if his else len(text)
    bounds, pos = {lo}, lo
    for w in jieba.cut(text[lo:hi], HMM=False):
        pos += len(w)
        bounds.add(pos)
    return start not in bounds or end not in bounds
