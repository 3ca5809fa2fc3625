"""Follow-up questions: carry the topic of the previous question into an elliptical one.

"青石村2023年接待了多少游客？" then "那村民收入呢？" is searched as
"青石村 2023 那村民收入呢？". Only the topic words (names, places, organisations,
times) are carried, and only when the new question looks like a follow-up.
"""
from __future__ import annotations

import re
from typing import Sequence

_FOLLOWUP_START = re.compile(r"^(?:那|那么|那它|它|他|她|他们|它们|其|该|这|此|还有|另外|再|又|同时|and\b|what about|how about)", re.I)
_FOLLOWUP_END = re.compile(r"(?:呢|呢？|呢\?)\s*$")
_PRONOUN = re.compile(r"该[村镇市县区局校院公司集团企业]|这个|那个|他们|它们|\b(?:it|its|they|their|there|he|she|his|her)\b", re.I)
_TOPIC_FLAGS = ("nr", "ns", "nt", "nz", "t", "m", "eng")


def looks_like_followup(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOWUP_START.search(q) or _FOLLOWUP_END.search(q) or _PRONOUN.search(q)) and len(q) <= 40


def topic_words(question: str) -> list[str]:
    from rag.jieba_load import posseg

    pseg = posseg()

    words = []
    for w in pseg.cut(question):
        word = w.word.strip()
        if len(word) < 2 and not word.isdigit():
            continue
        if w.flag == "eng" and not word[:1].isupper():
            continue
        if w.flag.startswith(_TOPIC_FLAGS) or re.search(r"[村镇市县区局省]$", word):
            words.append(word)
    # jieba splits some names ("东陈村" -> "东", "陈村"); recover the full span from the text
    out = []
    for word in words:
        m = re.search(rf"[\u4e00-\u9fff]?{re.escape(word)}", question)
        span = m.group() if m and word[-1] in "村镇市县区" and len(word) == 2 else word
        if span not in out:
            out.append(span)
    return [w for w in out if not re.fullmatch(r"多少|几|哪些?|什么", w)]


def rewrite(question: str, history: Sequence[str]) -> str | None:
    """The question to search with, or None when it stands on its own."""
    if not history or not looks_like_followup(question):
        return None
    for previous in reversed(history):
        missing = [w for w in topic_words(previous) if w not in question]
        if missing:
            return " ".join(missing) + " " + question.strip()
    return None
