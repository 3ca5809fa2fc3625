"""Character classes and line patterns shared by the cleaner and the article splitter.

Nothing here is specific to one newspaper: the patterns describe how Chinese news pages mark
the start of an article (datelines), its end (bylines) and its headline (short lines without
sentence punctuation, `——` subtitles).
"""
from __future__ import annotations

import re
import unicodedata

# Han ideographs (BMP blocks, compatibility block, supplementary planes) and the ideographic zero.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0003134f"
# Chinese punctuation that never takes a space before it / after it.
CLOSING = "，。、；：！？）」』】》〉〕"
OPENING = "（「『【《〈〔"
# Marks that sit between Chinese words without spaces: ellipses, dashes, middle dot.
NEUTRAL = "…⋯—～·"

# A line or paragraph that ends a sentence: final mark, then any closing quotes or brackets.
FINAL_RE = re.compile(r"[。！？!?…⋯；;：:][”’」』）)》〉\]]*$")
# Ends with a mark after which a Chinese sentence necessarily continues.
OPEN_END_RE = re.compile(r"[，、,（(“‘《「『【〈]$")

_NAME = r"[" + HAN + r"·]{2,5}"
_ROLE = r"(?:融媒|本报|本刊|特约|见习|实习|首席)?(?:记者|通讯员|评论员|摄影记者|摄影|撰稿|编辑|责任编辑|实习生)"
# A whole line that is a byline or end matter: `融媒记者 王小明`, `融媒评论员`, `记者 王明 通讯员 李红`,
# `（完）`, `（来源：新华社）`, `责任编辑：王明`, `来源：新华社`.
BYLINE_RE = re.compile(
    r"^(?:[（(]?" + _ROLE + r"[\s：:]*(?:" + _NAME + r"[\s、，,]*){0,6}[）)]?"
    r"|(?:[（(][^（）()]{1,30}[）)])+"
    r"|(?:来源|稿源|责任编辑|责编|编辑|校对|审核|审校|监制)[：:].{0,30})$"
)
# A byline in brackets closing the last paragraph: `……。（记者 王明 通讯员 李红）`.
TRAILING_BYLINE_RE = re.compile(r"[（(]" + _ROLE + r"[^（）()]{0,30}[）)]$")
# The start of an article: `本报讯（融媒记者 王小明）`, `本报1月3日讯`, `新华社北京1月3日电`.
DATELINE_RE = re.compile(
    r"^(?:本(?:报|刊|台|网)[^，。\s]{0,12}?讯"
    r"|(?:新华社|中新社|中新网|人民网|央视网|新华网|央视新闻|人民日报)[^，。]{0,20}?(?:电|讯)[（(\s]"
    r"|[^，。\s（(]{2,8}讯[（(])"
)
# A line that always starts a new paragraph.
STRONG_START_RE = re.compile(r"^(?:【|[■□●○◆◇▲△★☆▶►])")
# A line that starts a new paragraph when the previous one ended a sentence: list markers, and
# the `——` of a subtitle (a dash can also start a line inside a sentence).
LIST_START_RE = re.compile(
    r"^(?:——|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.、．]\D"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款部分])"
)

_WIDE = frozenset("WFA")


def display_width(text: str) -> float:
    """Printed width in full-width cells: Chinese characters and punctuation 1, ASCII 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in _WIDE else 0.5 for ch in text)


def is_byline(line: str) -> bool:
    return len(line) <= 40 and bool(BYLINE_RE.match(line))


def is_dateline(line: str) -> bool:
    return bool(DATELINE_RE.match(line))
