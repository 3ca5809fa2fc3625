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
    facts = _nested(question, sentence, _fitted_facts(question, sentence, kind))
    if not facts:
        return []
    best = max(f for *_, f in facts)
    tied = [(lo, end) for lo, _, end, f in facts if f == best]
    return tied if len(tied) >= 2 else []


def singled_out_fact(question: str, sentence: str, kind: str | None) -> tuple[int, int, int] | None:
    """(label start, value start, value end) of the one fact among several whose label the
    question's words single out ("利润增长多少" against "产值增长5%、利润增长3.2%、
    出口额增长12%"); None when no fact, one fact, or a tie."""
    facts = _nested(question, sentence, _fitted_facts(question, sentence, kind) or _clause_facts(question, sentence, kind)
                    or _one_labelled(question, sentence, kind))
    if not facts:
        return None
    fits = sorted((f for *_, f in facts), reverse=True)
    if fits[0] <= (0, 2, 0) or fits[0] == fits[1]:
        return None
    lo, start, end, _ = max(facts, key=lambda x: x[3])
    return lo, start, end


def _fitted_facts(question: str, sentence: str, kind: str | None) -> list[tuple[int, int, int, int]]:
    """(label start, value start, value end, fit) of each fact whose label holds the asked-about
    word, when there are two or more; fit counts the question's other words in the label."""
    target = _target(question, kind)
    if not target:
        return []
    facts = [f for f in _labelled(question, sentence, kind) if target in f[3]]
    if len(facts) < 2:
        return []
    words = _content_words(question, target)
    return [(lo, s, e, _fit(question, label, words)) for lo, s, e, label in facts]


def _clause_facts(question: str, sentence: str, kind: str | None) -> list[tuple[int, int, int, tuple[int, int]]]:
    """As _fitted_facts, for a question whose asked-about word no label holds: figures in clauses
    of one shape ("居民用水每立方米2.8元，非居民用水每立方米4.1元", labels ending alike), the
    question's words and longest shared run telling them apart ("非居民用水价格是多少")."""
    if kind != "number" or not _template(question):  # a date's label often follows it ("1994年入选")
        return []
    facts = [f for f in _labelled(question, sentence, kind)
             if re.search(r"\d", sentence[f[1] : f[2]]) and not re.search(r"[年月日号]$", sentence[f[1] : f[2]])
             and len(f[3]) >= 3]
    words = _content_words(question, "")
    fits = [(lo, s, e, _fit(question, label, words)) for lo, s, e, label in facts]
    if len(fits) < 2:
        return []
    top = max(fits, key=lambda x: x[3][1])
    end = sentence[top[0] : top[1]][-2:]  # its label's last words: the clauses of one shape
    alike = [f for f in fits if sentence[f[0] : f[1]].endswith(end)]
    return alike if len(alike) >= 2 and top[3][1] >= 3 else []


def _nested(question: str, sentence: str, facts: list) -> list:
    """Each fact's fit with one more part: 1 for a label another label holds at its end
    ("居民用水每立方米" inside "非居民用水每立方米") when the question does not say what the
    longer one adds (非): the question then asks for the plain one."""
    labels = [sentence[lo:s] for lo, s, _, _ in facts]
    out = []
    for (lo, s, e, fit), label in zip(facts, labels):
        plain = any(o != label and o.endswith(label) and o[: len(o) - len(label)] not in question for o in labels)
        out.append((lo, s, e, (*fit, int(plain and label in question))))
    return out


def _one_labelled(question: str, sentence: str, kind: str | None) -> list[tuple[int, int, int, tuple[int, int]]]:
    """Among the figures of a sentence, the one whose label alone holds the noun the question asks
    a number of ("有多少运动员" against "全队共计40人，其中运动员23人，官员17人"), with the fit
    that singles it out; else []."""
    t = _template(question) if kind == "number" else None
    noun = re.match(r"[\u4e00-\u9fff]{2,4}", t[1]) if t else None
    if noun is None:
        return []
    facts = [f for f in _labelled(question, sentence, kind)
             if re.search(r"\d", sentence[f[1] : f[2]]) and not re.search(r"[年月日号]$", sentence[f[1] : f[2]])]
    holding = [f for f in facts if noun.group() in f[3]]
    if len(holding) != 1:
        return []
    unit = sentence[holding[0][2] - 1]  # figures of one measure compete ("40人", "23人")
    facts = [f for f in facts if sentence[f[2] - 1] == unit]
    if len(facts) < 2 or not re.match(r"[\u4e00-\u9fff]", unit):
        return []
    return [(lo, s, e, (1, 3) if (lo, s, e, label) in holding else (0, 0)) for lo, s, e, label in facts]


def _target(question: str, kind: str | None) -> str:
    """The asked-about word ("收入" of "青石村去年收入多少"), or "" for a question of another kind."""
    if kind not in ("number", "date"):
        return ""
    t = _template(question)
    if not t or not t[0]:
        return ""
    left = re.sub(r"(?:百分之|第)$", "", t[0])  # "增长百分之几" asks about 增长
    return _asked_word(left)[-2:]  # "年收入" (one jieba word) asks about 收入


CLASS = re.compile(r"第?[一二三四五六七八九十]{1,2}(?:[类档]|阶梯)")


def class_part(question: str, sentence: str) -> tuple[int, int]:
    """Of a sentence whose parts (；) give the figures of several classes, the bounds of the part of the class
    the question names (二类节水器具, written in by rag/retrieve/defined.py), where one part alone names it;
    else the whole sentence's."""
    asked = CLASS.search(question)
    whole = (0, len(sentence))
    if asked is None:
        return whole
    bounds, lo = [], 0
    for m in re.finditer(r"[；;]", sentence):
        bounds.append((lo, m.end()))
        lo = m.end()
    bounds.append((lo, len(sentence)))
    own = [b for b in bounds if asked.group() in sentence[b[0] : b[1]]]
    return own[0] if len(own) == 1 and len(bounds) > 1 else whole


def _labelled(question: str, sentence: str, kind: str | None) -> list[tuple[int, int, int, str]]:
    """(label start, value start, value end, label) of each quantity (or date) of the sentence
    the question does not itself say; its label is the words before it in its clause."""
    if kind not in ("number", "date"):
        return []
    pattern = NUMBER_RE if kind == "number" else DATE_RE
    facts, prev_end = [], 0
    for m in pattern.finditer(sentence):
        if not re.search(r"\d|[一二三四五六七八九十百千万亿两半]", m.group()) or CLASS.fullmatch(m.group().strip()):
            continue  # (一类节水器具: a class's name, part of the label, no quantity)
        stops = [x.end() for x in _LABEL_STOP.finditer(sentence, prev_end, m.start())]
        lo = max([prev_end] + stops)
        prev_end = m.end()
        if m.group().strip() not in question:
            facts.append((lo, m.start(), m.end(), sentence[lo : m.start()]))
    return facts


def _fit(question: str, label: str, words: list[str]) -> tuple[int, int]:
    """How well a label fits the question: its count of the question's other words, then the
    longest run of characters it shares with the question ("非居民用水" beats "居民用水")."""
    return sum(w in label for w in words), _longest_shared(question, label)


def _longest_shared(a: str, b: str) -> int:
    """The length of the longest run of characters both strings hold."""
    best, prev = 0, [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if ch == other:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


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


_PART_STOP = re.compile(r"[；;]")


def singled_out_part(question: str, sentence: str, at: int) -> tuple[int, int] | None:
    """In a sentence of parallel parts ("如果以第一种方式电离，则该物质呈碱性；如果以第二种方式
    电离，则该物质呈酸性"), the part the question's words single out, when the reader's span (at
    offset `at`) lies in another: (start, end) of that part, else None. Singled out: it shares a
    run of 4+ characters with the question, 3+ longer than the reader's part does, and the two
    parts are of one shape (a run of 6+ characters in common)."""
    bounds, lo = [], 0
    for m in _PART_STOP.finditer(sentence):
        before = sentence[: m.start()]
        if before.count("（") + before.count("(") > before.count("）") + before.count(")"):
            continue  # inside brackets: no part ends there
        bounds.append((lo, m.start()))
        lo = m.end()
    bounds.append((lo, len(sentence)))
    bounds = [(a, b) for a, b in bounds if b - a >= 6]
    if len(bounds) < 2:
        return None
    runs = [_longest_shared(question, sentence[a:b]) for a, b in bounds]
    mine = next((k for k, (a, b) in enumerate(bounds) if a <= at < b), None)
    top = max(range(len(bounds)), key=lambda k: runs[k])
    if mine is None or top == mine or runs[top] < 4 or runs[top] - runs[mine] < 3:
        return None
    (a, b), (c, d) = bounds[top], bounds[mine]
    if _longest_shared(sentence[a:b], sentence[c:d]) < 6:  # parts of one shape, not a name and its aside
        return None
    return bounds[top]
