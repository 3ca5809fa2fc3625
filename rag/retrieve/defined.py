"""A category an article defines, asked by what it holds: "一类节水器具，是指达到一级水效的坐便器" (2020)
and "一类节水器具每台补贴285元" (2024), asked "换个一级水效的马桶能补多少钱"; "住宅类包括住宅及其附属的
车库、车位", asked of a parking space's fee. The newer article names the category alone, so neither
BM25 nor the answer steps' word matching finds the question's thing in it. Where a passage found
for the question defines a category whose definition holds the question's words, the question is
searched and answered again with the category's name written after them (换节水龙头（二类节水器具）…).
Only categories by class, tier or kind (…类, …档) are read: a definition of any word ("本办法所称
低保对象是指…") would rewrite questions that only share its words."""
from __future__ import annotations

import re
from typing import Iterable

# (the category, what it holds): 一类节水器具，是指…; 住宅类包括…; 第一档是指…
_DEFINES = re.compile(r"((?:第?[一二三四五六七八九十]|[甲乙丙丁])(?:类|档|阶梯)[\u4e00-\u9fff]{0,6}?|[\u4e00-\u9fff]{1,5}类)"
                      r"(?:[，,]?(?:是指|指的是|系指|包括|包含)|[：:](?=[^。；;，,]{0,20}?\d))([^。；;！？!?，,]{2,60})")
# (a class by its number, 一类节水器具 / 第二档 / 第一阶梯 (with a colon: 第一阶梯：年用水量192立方米（含）以内); or a name that ends in 类, 住宅类: not 类似名词, 高档商务楼, 人类)
_NO_CLASS = re.compile(r"(?:人|种|分|门|品|之|这|此|各|该|等|大|同|归|另|败|鸟|鱼|藻|菌|肉|豆|谷|薯)类$")
_OPENING = re.compile(r"^(?:其中|这里|此处|本通知所称|本办法所称|所称|上述|以上)")


def definitions(texts: Iterable[str]) -> list[tuple[str, str]]:
    """The (category, definition) pairs the texts write, in order, each category once."""
    out, seen = [], set()
    for text in texts:
        for m in _DEFINES.finditer(text):
            name = _OPENING.sub("", m.group(1))
            if len(name) >= 2 and name not in seen and not _NO_CLASS.search(name):
                seen.add(name)
                out.append((name, m.group(2)))
    return out


def as_defined(question: str, texts: Iterable[str]) -> str | None:
    """The question with the name of the class its words fall in written after them, or None: where a
    text defines a class (not named in the question) whose definition holds the most of the question's
    words of two characters or more (at least one); of classes tied on them, the one whose range
    holds the quantity asked (不超过192立方米: 第一阶梯, 年用水量192立方米（含）以内; 超过276立方米:
    第三阶梯, 276立方米以上), or none where that does not tell one."""
    defined = definitions(texts)
    if not defined:
        return None  # (most questions: no class defined in their passages, and the question is not cut in words)
    from rag.index.tokenize import tokenize

    words = [t for t in tokenize(question) if len(t) >= 2 and t in question]
    scored = []
    for name, body in defined:
        if name in question:
            return None  # the question names a class itself
        found = [t for t in words if t in body]
        if found:
            scored.append((len(found), name, body, found))
    if not scored:
        return None
    asked = _asked_range(question)
    if asked is not None and any(_range(body) for _, _, body, _ in scored):  # a quantity asked, classes by range
        best = [x for x in scored if _within(asked, _range(x[2]))]
    else:
        best = [x for x in scored if x[0] == max(n for n, *_ in scored)]
    if len(best) != 1:
        return None
    _, name, _, found = best[0]
    at = max(question.find(t) + len(t) for t in found)
    while at < len(question) and "\u4e00" <= question[at] <= "\u9fff" and not question[at] in "现能要可还的":
        at += 1  # after the word the matched piece belongs to (节水龙头 of 龙头)
    return question[:at] + f"（{name}）" + question[at:]


_NUMBER = r"(\d+(?:\.\d+)?)"
_UP_TO = re.compile(r"(?:不超过|不超出|不到|不足|少于|以内|以下|及以下)")
_OVER = re.compile(r"(?:超过|超出|多于|大于|以上)")


def _asked_range(question: str) -> tuple[float, float] | None:
    """The quantity a question asks about as a range: 不超过192 -> (0, 192), 超过276 -> (276, inf)."""
    m = re.search(_NUMBER, question)
    if m is None:
        return None
    x = float(m.group(1))
    around = question[max(0, m.start() - 4) : m.end() + 8]
    if _UP_TO.search(around):
        return 0.0, x
    if _OVER.search(around):
        return x, float("inf")
    return None


def _range(body: str) -> tuple[float, float] | None:
    """A class's range: 192至276立方米 -> (192, 276), 192立方米（含）以内 -> (0, 192), 276立方米以上 -> (276, inf)."""
    between = re.search(_NUMBER + r"\s*(?:[^\d\s]{0,4}?)(?:至|到|-|~|～)\s*" + _NUMBER, body)
    if between:
        return float(between.group(1)), float(between.group(2))
    m = re.search(_NUMBER, body)
    if m is None:
        return None
    rest = body[m.end() :]
    if _UP_TO.search(rest):
        return 0.0, float(m.group(1))
    if _OVER.search(rest):
        return float(m.group(1)), float("inf")
    return None


def _within(asked: tuple[float, float], tier: tuple[float, float] | None) -> bool:
    return tier is not None and tier[0] <= asked[0] and asked[1] <= tier[1]
