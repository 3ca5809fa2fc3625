"""Does a span fit the kind of answer a question asks for (rag/answer/span.py `question_type`)?

`reading.verdict` shows the reader's span only when it is of the asked kind where that is easy to
tell (a date or time word for 什么时候, a figure for 多少). Rules only: the patterns of span.py.
"""
from __future__ import annotations

import re

from rag.answer.span import DATE_RE
from rag.text import CN_NUMERALS

_HAS_NUM = re.compile(rf"\d|[{CN_NUMERALS}]")
# what else answers "when": an era, a season, a part of the day, before/after something
_TIME_WORD = re.compile(r"世纪|年代|时期|时代|朝|[春夏秋冬]|初|末|期间|以前|以后|之前|之后|前后|早上|上午|中午|下午|"
                        r"晚上|傍晚|凌晨|夜|今天|昨天|明天|今年|去年|明年|当年|同年|次年|翌年")


_ORG_END = re.compile(r"[局厅部委办院校所会社司团厂店馆站台行队组处科室]$|中心$")  # 春天集团 is no name, though unknown


def fits(kind: str | None, text: str) -> bool:
    """False when the span plainly is not what the question asks for: no date or time word for a
    "when", no figure for a "how many", a person's name for "which organisation". Other kinds: True."""
    if kind == "date":
        return bool(DATE_RE.search(text) or _HAS_NUM.search(text) or _TIME_WORD.search(text))
    if kind == "number":
        return bool(_HAS_NUM.search(text))
    if kind == "org":  # 承建单位是哪家: not a person's name (邬焰峰 of a photo credit, 邬焰峰 摄)
        from rag.answer.span import looks_like_name

        span = text.strip()
        return not looks_like_name(span) or _ORG_END.search(span) is not None
    return True  # 第几 is also answered 二期 or 冠军; names and places take many shapes


# a question asking two quantities at once: "多少国家和运动员", "几个村和社区", "男子和女子……分别是多少",
# "经纬度", "身高体重"
_TWO_Q = re.compile(r"(?:多少|几)[个名位家所项座条]?[\u4e00-\u9fff]{1,5}(?:和|及|与|以及)(?:多少|几)?[个名位家所项座条]?[\u4e00-\u9fff]{1,5}"
                    r"|(?:和|及|与)[^，。？?]{0,12}(?:分别|各)(?:是|为|有)?(?:多少|几)|经纬度|身高(?:和|与)?体重|长宽")
_FIGURE = re.compile(r"\d")
_MAX_BETWEEN = 20  # characters between the two figures of one answer


def asks_two(question: str) -> bool:
    """The question asks for two quantities at once (both or none are shown)."""
    return bool(_TWO_Q.search(question))


def second_figure(text: str, start: int, end: int, lo: int, hi: int, question: str = "") -> tuple[int, int] | None:
    """text[start:end] holding one figure grown to the nearest other figure of its sentence
    text[lo:hi] ("64个国家" -> "64个国家及地区的84名"), when it is at most a short clause away; the
    span as it is when it holds two figures already; None when no second figure is near."""
    from rag.answer.span import NUMBER_RE

    asides = [m.span() for m in re.finditer(r"（[^（）]*）|\([^()]*\)", text[lo:hi])]
    figures = [m.span() for m in NUMBER_RE.finditer(text, lo, hi) if _FIGURE.search(m.group())
               and not re.search(r"[年月日号]$", m.group())
               and not any(a <= m.start() - lo < b for a, b in asides)]  # "(6呎11吋)" restates a figure
    figures = _joined(text, figures)
    inside = [f for f in figures if f[0] < end and f[1] > start]
    if len(inside) >= 2:
        return start, end
    others = [f for f in figures if f not in inside and (f[0] >= end and f[0] - end <= _MAX_BETWEEN
                                                          or f[1] <= start and start - f[1] <= _MAX_BETWEEN)]
    if not inside or not others:
        return None
    near = min(others, key=lambda f: f[0] - end if f[0] >= end else start - f[1])
    a, b = min(start, near[0]), max(end, near[1])
    return (a, b) if _same_fact(text[a:b], question) else None


def _same_fact(span: str, question: str) -> bool:
    """Two figures of one fact: in one clause ("31个国家及地区的276名"), or the later clause's
    label says a word of the question ("，体重102公斤" asked 身高体重; "，东经" asked 经纬度)."""
    parts = re.split(r"[，；,;]", re.sub(r"（[^（）]*）|\([^()]*\)", "", span))
    if len(parts) == 1:
        return True
    label = re.sub(r"[\d.°′″'\"\s]", "", parts[-1])
    words = {question[i : i + 2] for i in range(len(question) - 1)} | set(re.findall(r"[经纬]", question))
    return any(w in label for w in words)


def _joined(text: str, figures: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Figures written together are one: "2米" + "11", "23°" + "26′" + "31″"."""
    out: list[tuple[int, int]] = []
    for a, b in figures:
        if out and re.fullmatch(r"[°′″'\"\s]*", text[out[-1][1] : a]):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def one_figure(text: str, start: int, end: int, question: str) -> tuple[int, int] | None:
    """A span for a one-quantity question that holds two figures across a clause mark ("3100吨，
    销售额1860万元" for 卖了多少钱): the one figure of the measure asked, else None (not shown).
    A span with one figure, or none across a clause mark, is returned as it is."""
    from rag.answer.focus import measure_fits
    from rag.answer.span import NUMBER_RE

    span = text[start:end]
    figures = [m for m in NUMBER_RE.finditer(span) if _FIGURE.search(m.group())]
    if len(figures) < 2 or not re.search(r"[，；;]|,(?!\d)", span):
        return start, end
    fitting = [m for m in figures if measure_fits(question, m.group())]
    if len(fitting) != 1:
        return None
    return start + fitting[0].start(), start + fitting[0].end()
