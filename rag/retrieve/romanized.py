"""Chinese question -> the English words an English page of a Chinese archive writes for it, offline.

A Chinese archive holds some pages in English (a city's English news): "Zhang San (张三) was
appointed director of the Heting Town (鹤汀镇) water station". A Chinese question finds such a page
by BM25 only through the Chinese it writes in brackets, and the dense retriever ranks a page of
another language low; so what BM25 looks for gets the words such a page writes for the question's
names and posts as well:

    english_keywords("鹤汀镇党委书记是谁？") -> ['heting', 'party', 'secretary']   (pinyin, glosses)

- a place named before 镇 / 乡 / 村 / 县 / 市 / 区 is written in pinyin, one word, toneless (鹤汀镇:
  "Heting Town", whose BM25 word is "heting");
- the posts and bodies of a who-holds-it question in the words English news gives them (院长 ->
  president, 医院 -> hospital).
English words match no Chinese passage: an archive without English pages ranks as before.
"""
from __future__ import annotations

import re
from functools import lru_cache

_SUFFIXES = "镇乡村县市区"
# a post or a body, and the words English news writes for it (the title of the head, the body)
GLOSSES = {
    "党委书记": ("party", "secretary"), "党委": ("party",), "书记": ("secretary",), "院长": ("president",),
    "校长": ("principal",), "局长": ("director",), "主任": ("director",), "镇长": ("mayor",), "市长": ("mayor",),
    "乡长": ("head",), "县长": ("magistrate",), "区长": ("head",), "馆长": ("curator",), "站长": ("head",),
    "所长": ("director",), "村支书": ("party", "secretary"), "董事长": ("chairman",), "主席": ("chairman",),
    "医院": ("hospital",), "学校": ("school",), "中学": ("school",), "小学": ("school",), "大学": ("university",),
    "图书馆": ("library",), "博物馆": ("museum",), "法院": ("court",),
}
TITLES = tuple(t for t in GLOSSES if t.endswith(("长", "书记", "主任", "主席", "村支书")))  # the heads' titles
_GLOSS_RE = re.compile("|".join(sorted(GLOSSES, key=len, reverse=True)))
# words before a place's suffix that are no name of it (本镇, 全市, 该县, 各村)
_NOT_NAMES = frozenset("本 全 该 各 此 我 外 城 乡 农 山 省 市 县 镇 区 村 人民 城市 农村 乡村 城乡 社区 市区 城区 "
                       "郊区 地区 山区 景区 园区 街道 全省 全市 全县 全镇 全区".split())


def english_keywords(question: str) -> list[str]:
    """The pinyin of the places the Chinese `question` names and the English words of the posts and
    bodies it asks of, lower case, no duplicates; [] for a question without them."""
    if not isinstance(question, str) or not re.search(r"[\u4e00-\u9fff]", question):
        return []
    out: list[str] = []
    for stem in place_stems(question):
        word = _pinyin(stem)
        if word and word not in out:
            out.append(word)
    for m in _GLOSS_RE.finditer(question):
        for w in GLOSSES[m.group()]:
            if w not in out:
                out.append(w)
    return out


def place_stems(question: str) -> list[str]:
    """The names of the places the question names before their kind (鹤汀镇 -> 鹤汀, 青禾县 -> 青禾), read
    from jieba's words: a word that ends in the kind (青禾县), or the nouns just before a kind
    written alone (鹤 + 汀 + 镇); 2 or 3 characters, not a word such as 全市 or 人民."""
    from rag.jieba_load import posseg

    words = [(w.word, w.flag) for w in posseg().cut(question)]
    out: list[str] = []
    for i, (word, flag) in enumerate(words):
        stem = ""
        if len(word) >= 3 and word[-1] in _SUFFIXES and flag.startswith("n"):
            stem = word[:-1]
        elif word in _SUFFIXES or (len(word) == 2 and word[0] in _SUFFIXES and word[1] in "长"):
            j, stem = i, ""
            while j > 0 and words[j - 1][1].startswith("n") and len(stem) + len(words[j - 1][0]) <= 3 \
                    and not re.search(r"[^\u4e00-\u9fff]", words[j - 1][0]):
                stem = words[j - 1][0] + stem
                j -= 1
        if 2 <= len(stem) <= 3 and stem not in _NOT_NAMES and stem[-1] not in _SUFFIXES and stem not in out:
            out.append(stem)
    return out


@lru_cache(maxsize=4096)
def _pinyin(stem: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # no pinyin table: the glosses only
        return ""
    return "".join(lazy_pinyin(stem)).replace("ü", "u").replace("v", "u").lower()
