"""A citizen's words for what official articles name otherwise: "县里农民一年人均能挣多少钱" is asked
of reports that write 农村居民人均可支配收入, "经济总量" of 地区生产总值, "镇里的一把手" of 镇党委书记.
Neither BM25 nor the answer steps' word matching sees one in the other, so the question is searched
and answered as the articles word it (shown as what was searched); the question as asked is
searched by BM25 too, for an article that uses the citizen's words.

Only the wording of national statistics and of posts that local news follows is here: a phrase is
rewritten when the question holds it, whatever the archive."""
from __future__ import annotations

import re

# (a citizen's phrase, the articles' words); the first that matches a stretch wins
_PHRASES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), w) for p, w in (
    (r"农民(?:一年)?(?:的)?人均(?:能|可以)?(?:挣|赚|收入)(?:多少钱?)?|农民(?:一年)?(?:能|可以)?(?:挣|赚)(?:多少钱?)?|农民(?:的)?人均收入",
     "农村居民人均可支配收入多少"),
    (r"(?:县城|城区|城里)(?:的)?(?:居民|人)(?=[^，。？?]{0,8}收入)", "城镇居民"),
    (r"经济总量|(?<![A-Za-z])GDP(?![A-Za-z])", "地区生产总值"),
    (r"财政收入", "一般公共预算收入"),
    (r"(?<=[镇乡])(?:的)?一把手", "党委书记"),
    (r"(?<=[县市区])(?:的)?一把手", "委书记"),
    (r"村支书|(?<=村)(?:的)?支书|村书记", "村党支部书记"),
    (r"老人卡|老年卡|敬老卡", "老年人优待证"),
    (r"村里(?:一年)?(?:的)?(?:收入|挣)", "村集体经济收入"),
))


def officialese(question: str) -> str | None:
    """The Chinese question in the articles' words, or None when it holds none of the citizen's
    phrases (or is not in Chinese: its keywords come from a dictionary, rag/retrieve/crosslingual.py)."""
    from rag.text import is_chinese

    if not is_chinese(question):
        return None
    out = question
    for pattern, words in _PHRASES:
        out = pattern.sub(words, out)
    return out if out != question else None
