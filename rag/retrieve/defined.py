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
_DEFINES = re.compile(r"((?:第?[一二三四五六七八九十]|[甲乙丙丁])(?:类|档)[\u4e00-\u9fff]{0,6}?|[\u4e00-\u9fff]{1,5}类)"
                      r"[，,]?(?:是指|指的是|系指|包括|包含)([^。；;！？!?，,]{2,60})")
# (a class by its number, 一类节水器具 / 第二档; or a name that ends in 类, 住宅类: not 类似名词, 高档商务楼, 人类)
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


def as_defined(question: str, terms: Iterable[str], texts: Iterable[str]) -> str | None:
    """The question with the name of the category its words fall in written after them, or None:
    where a text defines a category (not named in the question) whose definition holds the most of
    the question's words of two characters or more (at least one)."""
    words = [t for t in terms if len(t) >= 2 and t in question]
    best, held = None, 0
    for name, body in definitions(texts):
        if name in question:
            return None  # the question names a category itself
        n = sum(1 for t in words if t in body)
        if n > held:
            best, held = (name, [t for t in words if t in body]), n
    if best is None:
        return None
    name, found = best
    at = max(question.find(t) + len(t) for t in found)
    while at < len(question) and "\u4e00" <= question[at] <= "\u9fff" and not question[at] in "现能要可还的":
        at += 1  # after the word the matched piece belongs to (节水龙头 of 龙头)
    return question[:at] + f"（{name}）" + question[at:]
