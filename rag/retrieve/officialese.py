"""A citizen's words for what official articles name otherwise: "县里农民一年能挣多少钱" is asked
of reports that write the rural residents' disposable income per head, "经济总量" of the regional
gross product, "镇里的一把手" of the town's Party secretary (rag/data/officialese.tsv).
Neither BM25 nor the answer steps' word matching sees one in the other, so the question is searched
and answered as the articles word it (shown as what was searched); the question as asked is
searched by BM25 too, for an article that uses the citizen's words.

Only the wording of national statistics and of posts that local news follows is here: a phrase is
rewritten when the question holds it, whatever the archive."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# (a citizen's phrase, the articles' words), one per line of rag/data/officialese.tsv: the pattern, a
# tab, what it becomes; the first that matches a stretch wins. The vocabulary is data, kept apart.
_TABLE = Path(__file__).resolve().parents[1] / "data" / "officialese.tsv"


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[re.Pattern, str], ...]:
    rows = [line.split("\t") for line in _TABLE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return tuple((re.compile(pattern), words) for pattern, words in rows)


def officialese(question: str) -> str | None:
    """The Chinese question in the articles' words, or None when it holds none of the citizen's
    phrases (or is not in Chinese: its keywords come from a dictionary, rag/retrieve/crosslingual.py)."""
    from rag.text import is_chinese

    if not is_chinese(question):
        return None
    out = question
    for pattern, words in _phrases():
        out = pattern.sub(words, out)
    return out if out != question else None
