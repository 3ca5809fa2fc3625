"""Questions that fit two facts of one sentence: "青石村去年收入多少" against "全村旅游收入
86万元，农户平均收入4万元". Picking one would be a guess; the answer names each with its label.

A fact here is a quantity (or a date) with the words before it in its clause, its label. The
question's asked-about word (the last word before 多少/几/何时…) must be in each label; when the
other words of the question single out one label, the question is not ambiguous.
"""
from __future__ import annotations

import re

from rag.answer.span import DATE_RE, NUMBER_RE, _template

_LABEL_STOP = re.compile(r"[，。；：、！？,;:\n（(]")


def labelled_facts(question: str, sentence: str, kind: str | None) -> list[tuple[int, int]]:
    """Spans "label value" of the facts the question fits equally well, when there are two or
    more; else []. Each span is a substring of `sentence`."""
    facts = _fitted_facts(question, sentence, kind)
    if not facts:
        return []
    best = max(f for *_, f in facts)
    tied = [(lo, end) for lo, _, end, f in facts if f == best]
    return tied if len(tied) >= 2 else []


def singled_out_fact(question: str, sentence: str, kind: str | None) -> tuple[int, int, int] | None:
    """(label start, value start, value end) of the one fact among several whose label the
    question's words single out ("利润增长多少" against "产值增长5%、利润增长3.2%、
    出口额增长12%"); None when no fact, one fact, or a tie."""
    facts = _fitted_facts(question, sentence, kind)
    if not facts:
        return None
    fits = sorted((f for *_, f in facts), reverse=True)
    if fits[0] == 0 or fits[0] == fits[1]:
        return None
    lo, start, end, _ = max(facts, key=lambda x: x[3])
    return lo, start, end


def _fitted_facts(question: str, sentence: str, kind: str | None) -> list[tuple[int, int, int, int]]:
    """(label start, value start, value end, fit) of each fact whose label holds the asked-about
    word, when there are two or more; fit counts the question's other words in the label."""
    if kind not in ("number", "date"):
        return []
    t = _template(question)
    if not t or not t[0]:
        return []
    left = re.sub(r"(?:百分之|第)$", "", t[0])  # "增长百分之几" asks about 增长
    target = _asked_word(left)[-2:]  # "年收入" (one jieba word) asks about 收入
    if not target:
        return []
    pattern = NUMBER_RE if kind == "number" else DATE_RE
    facts = []
    prev_end = 0
    for m in pattern.finditer(sentence):
        if not re.search(r"\d|[一二三四五六七八九十百千万亿两半]", m.group()):
            continue
        stops = [x.end() for x in _LABEL_STOP.finditer(sentence, prev_end, m.start())]
        lo = max([prev_end] + stops)
        prev_end = m.end()
        label = sentence[lo : m.start()]
        if target in label and m.group().strip() not in question:
            facts.append((lo, m.start(), m.end(), label))
    if len(facts) < 2:
        return []
    words = _content_words(question, target)
    return [(lo, s, e, sum(w in label for w in words)) for lo, s, e, label in facts]


def _asked_word(left: str) -> str:
    """The last word (2+ characters) before the question word: "青石村去年收入" -> "收入"."""
    from rag.jieba_load import install

    jieba = install()

    words = [w for w in jieba.cut(left) if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)]
    return words[-1] if words else ""


def _content_words(question: str, target: str) -> list[str]:
    """The question's other words that could tell labels apart (not names of the subject, which
    the sentence states once for all its facts)."""
    from rag.jieba_load import install

    jieba = install()

    return [w for w in jieba.cut(question) if len(w) >= 2 and w != target and re.search(r"[\u4e00-\u9fff]", w)
            and not re.search(r"多少|几|什么|哪|何时|是否", w)]
