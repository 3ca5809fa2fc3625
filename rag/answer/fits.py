"""Does a span fit the kind of answer a question asks for (rag/answer/span.py `question_type`)?

`reading.verdict` shows the reader's span only when it is of the asked kind where that is easy to
tell (a date or time word for 什么时候, a figure for 多少). Rules only: the patterns of span.py.
"""
from __future__ import annotations

import re

from rag.answer.span import DATE_RE

_CN_NUM = "零〇一二两三四五六七八九十百千万亿半"
_HAS_NUM = re.compile(rf"\d|[{_CN_NUM}]")
# what else answers "when": an era, a season, a part of the day, before/after something
_TIME_WORD = re.compile(r"世纪|年代|时期|时代|朝|[春夏秋冬]|初|末|期间|以前|以后|之前|之后|前后|早上|上午|中午|下午|"
                        r"晚上|傍晚|凌晨|夜|今天|昨天|明天|今年|去年|明年|当年|同年|次年|翌年")


def fits(kind: str | None, text: str) -> bool:
    """False when the span plainly is not what the question asks for: no date or time word for a
    "when", no figure for a "how many". Other kinds: True."""
    if kind == "date":
        return bool(DATE_RE.search(text) or _HAS_NUM.search(text) or _TIME_WORD.search(text))
    if kind == "number":
        return bool(_HAS_NUM.search(text))
    return True  # 第几 is also answered 二期 or 冠军; names and places take many shapes

