"""A question as it is searched, and the earlier questions of a conversation that can be used.

    checked_question(question, limit) -> str       BadQuestion when it cannot be searched
    usable_history(history, limit) -> list[str]    the last MAX_HISTORY that pass, the rest left out
    bounded_history(history) -> list[str]          the last MAX_HISTORY strings, unchecked
    sparse_text(question) -> str                   what BM25 looks for
"""
from __future__ import annotations

import re

from rag.errors import BadQuestion

MAX_HISTORY = 8  # earlier questions of a conversation that are looked at; older ones are ignored

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0/C1 controls (tab and newlines are whitespace anyway) and Unicode non-characters
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
                       + "".join(f"{chr(p)}{chr(p + 1)}" for p in range(0x1FFFE, 0x110000, 0x10000)) + "]")


def bounded_history(history) -> list[str]:
    """The last MAX_HISTORY strings of `history` (non-strings left out), without reading the rest."""
    if not history:
        return []
    if not isinstance(history, (list, tuple)):
        history = list(history)
    return [h for h in history[-MAX_HISTORY:] if isinstance(h, str)]


def checked_question(question, limit: int) -> str:
    """The question as searched: whitespace collapsed, control characters and non-characters
    dropped. Refused (BadQuestion) when empty, longer than `limit`, or holding something that is
    not text (a lone surrogate: a broken \\u escape, or bytes that are not UTF-8 on the command line)."""
    if not isinstance(question, str) or not question.strip():
        raise BadQuestion("The question is empty. Type a question, e.g. 去年全市接待了多少游客？")
    broken = len(_SURROGATE.findall(question))
    if broken:
        raise BadQuestion(f"The question holds {broken} character(s) that are not text (a lone surrogate, or "
                          "bytes that are not UTF-8); retype it, or send it as UTF-8 text.")
    q = " ".join(_NOT_TEXT.sub(" ", question).split())
    if not q:
        raise BadQuestion("The question holds no visible characters. Type a question, e.g. 去年全市接待了多少游客？")
    if len(q) > limit:
        raise BadQuestion(f"The question is {len(q)} characters long; the limit is {limit}. Ask a shorter question.")
    return q


def usable_history(history, limit: int) -> list[str]:
    """Earlier questions that can be used: only the last MAX_HISTORY; one that would be refused
    (not text, empty, longer than `limit`) is left out, not an error. A string far over the limit
    is dropped before it is scanned at all, so a huge history costs nothing."""
    out = []
    raw_limit = 2 * limit  # room for whitespace that collapses
    for h in bounded_history(history):
        if len(h) > raw_limit:
            continue
        try:
            out.append(checked_question(h, limit))
        except BadQuestion:
            continue
    return out


def sparse_text(question: str) -> str:
    """What BM25 searches for: the question, with the English words an English page of the archive
    writes for a Chinese one's places and posts (rag.retrieve.romanized), or a non-Chinese one's
    Chinese keywords."""
    from rag.text import is_chinese

    if is_chinese(question):
        from rag.retrieve.romanized import english_keywords

        try:
            extra = english_keywords(question)
        except Exception:  # no segmenter: BM25 sees the question as it is
            extra = []
        return question + (" " + " ".join(extra) if extra else "")
    from rag.retrieve.crosslingual import chinese_keywords

    try:
        return question + " " + " ".join(chinese_keywords(question))
    except Exception:  # no dictionary: BM25 sees the English words only
        return question
