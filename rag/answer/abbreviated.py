"""A question's abbreviation spelled out as the articles read write it: 保租房 -> 保障性租赁住房.
Citizens shorten a long official name by keeping one character of each of its words; an article
writes the name in full, so none of the question's words for it would be found there.

    spelled_out("保租房一年筹集多少套", ["…筹集保障性租赁住房6130套。"]) -> "保障性租赁住房一年筹集多少套"

Only a stretch of three or four characters made of adjacent words of the question, one of them a
single character (jieba cuts an unknown abbreviation apart: 保 / 租房), and only where the texts
write a longer form with those characters in order, something left out between every two of them
(at most three characters each), more often than they write the stretch itself. A form with a
character left out in one place only is another name, not this one spelled out (县医院 and
县人民医院 may both be said of the county's hospital; 新引进 is no 科技创新引进).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

_LEFT_OUT = "([^\\n]{1,3}?)"  # Chinese characters only (_CJK), checked after: a class of them compiles slowly
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_LIGHT = set("的了是在有和与及或吗呢吧啊么什哪谁几多少怎样如何为何其此该这那个些一中上下之也都就而被把对从到以于能要想去还"
             "年月日号天时点次元名位家所项条座件台辆种样份")  # and the time and measure words that follow a figure


def spelled_out(query: str, texts: Iterable[str]) -> str:
    """`query` with each abbreviation the `texts` write in full replaced by the full form (the form
    they write most often); the query as it was where there is none."""
    from rag.index.tokenize import words as cut

    text = "\n".join(texts)
    words = cut(query)
    out, i = [], 0
    while i < len(words):
        found = None
        for n in (3, 2):  # the longest stretch first
            part = words[i : i + n]
            short = "".join(part)
            after_figure = i > 0 and words[i - 1][-1:].isdigit()  # 2019年 / 街道: 年 is the figure's
            if len(part) == n and not after_figure and _candidate(part, short):
                found = _full_form(short, text)
                if found:
                    out.append(found)
                    i += n
                    break
        if not found:
            out.append(words[i])
            i += 1
    return "".join(out)


def _candidate(part: list[str], short: str) -> bool:
    return (3 <= len(short) <= 4 and any(len(w) == 1 for w in part)
            and all(_CJK.fullmatch(w) for w in part)
            and not any(ch in _LIGHT for ch in short))


def _full_form(short: str, text: str) -> str | None:
    if not all(ch in text for ch in short):
        return None  # (most stretches: no search needed)
    spelled = re.compile(_LEFT_OUT.join(map(re.escape, short)))
    # (not where a piece left out holds the character after it: 县人民医院院长 spells no 县医院)
    forms = Counter(m.group() for m in spelled.finditer(text)
                    if all(_CJK.fullmatch(piece) for piece in m.groups())
                    and not any(short[k + 1] in piece for k, piece in enumerate(m.groups())))
    if not forms:
        return None
    full, n = forms.most_common(1)[0]
    return full if n > text.count(short) else None
