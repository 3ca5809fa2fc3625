"""Step 4 of an answer: which sentences make the answer, and its short answer.

A second sentence joins the best one when the reader does not point into it alone (a high-scoring
neighbour, a short sentence's next one, the cause told before an effect). The short answer is the
labelled facts a question fits, else the reader's span when it is sure, else (without a reader,
or with rule_fallback) the rules' span; every sentence is then cut around it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.ambiguity import labelled_facts
from rag.answer.bands import band_amount
from rag.answer.candidates import Candidate, Surroundings, adjacent_runner_up, next_in_document
from rag.answer.cut import trim
from rag.answer.dating import said_right
from rag.answer.focus import STILL_Q, not_needed
from rag.answer.policy import AnswerPolicy
from rag.answer.reading import Verdict
from rag.answer.scoring import WHY, Question
from rag.answer.span import ASKS_FORMER, appointee, asks_change, clause_start, extract_short, gives_up, net_change
from rag.types import ShortPart


@dataclass(frozen=True)
class Short:
    """The short answer chosen: its text (the parts joined by "；"), its parts, the reader's
    probability when the reader gave it, and the sentences, cut around it."""

    text: str | None
    parts: tuple[ShortPart, ...]
    score: float | None
    chosen: list[Candidate]


def join(best: Candidate, held_before: Candidate | None, cands: list[Candidate], q: Question, v: Verdict,
         has_reader: bool, around: Surroundings, policy: AnswerPolicy) -> list[Candidate]:
    """The sentences of the answer, in document order: the best one, with the sentence before
    when the reader's span lies there, or with a neighbour that completes it. An English sentence
    its passage cut (the passage begins "… was appointed director of …") is read from its start."""
    p = policy
    best = whole(best)
    if held_before is not None:
        return [held_before, best]
    if v.sure and not v.listed or (has_reader and not p.join_when_read):
        return [best]  # the reader points into this sentence: the answer is as short as the fact
    # (a list is no short fact: its sentence keeps the neighbours that complete it)
    partner = adjacent_runner_up(best, cands, p)
    if partner is not None:
        # the answer runs over two sentences when the one beside the best also scores high
        return sorted([best, partner], key=lambda c: c.start)
    neighbour = next_in_document(best, cands)
    if neighbour is not None and (best.end - best.start) < p.short_sentence \
            and neighbour.end - best.start <= p.max_answer_chars:
        return sorted([best, neighbour], key=lambda c: c.start)
    if WHY.search(q.query):
        # a cause is usually told just before its effect ("……，因此得名")
        before = around.previous(best)
        if before is not None and best.end - before.start <= p.max_answer_chars:
            return [before, best]
    return [best]


def whole(c: Candidate) -> Candidate:
    """`c` from the start of its sentence, when its passage began inside an English sentence (chunks
    overlap by characters, and English has no mark a Chinese sentence split would cut at): "Zhang San
    (张三), 52, was appointed" is quoted with its subject, not from "was appointed". At most _BACK
    characters back; `c` itself when it begins a sentence or is Chinese."""
    text = c.doc.text
    if c.start == 0 or not _MID.match(c.text) or re.search(r"[\u4e00-\u9fff]{4}", c.text[:40]):
        return c
    head = text[max(0, c.start - _BACK):c.start]
    ends = list(_SENTENCE_END.finditer(head))
    if not ends and c.start > _BACK:
        return c
    start = c.start - len(head) + (ends[-1].end() if ends else 0)
    return c.span(start, c.end) if start < c.start else c


_BACK = 200
# a passage cut inside a sentence: a lower-case word, or a figure its comma goes on from ("44, was appointed",
# "2025, at a session": the age or the year after the name or the day)
_MID = re.compile(r"[a-z]|\d+,\s")
_SENTENCE_END = re.compile(r"(?:(?<![A-Z])[.!?]\s+|[。！？]|\n)\s*")


def _covers(c: Candidate, other: Candidate | None) -> bool:
    """`c` is `other`, or the same sentence read from its start (whole)."""
    return other is not None and (c is other or c.doc.id == other.doc.id and c.start <= other.start < other.end <= c.end)


def choose(q: Question, best: Candidate, held_before: Candidate | None, chosen: list[Candidate], v: Verdict,
           has_reader: bool, policy: AnswerPolicy) -> Short:
    """The short answer, and the chosen sentences cut around it."""
    p = policy
    band = band_amount(q.query, best.text) if q.kind == "number" else None
    if band is not None:  # a standard set by band, the question naming one: that band's amount alone
        s, e = best.start + band[0], best.start + band[1]
        chosen = [trim(c, (s, e) if _covers(c, best) else None, q.terms, p) for c in chosen]
        part = _part(best, s, e)
        return Short(part.text, (part,), None, chosen)
    if q.zh and q.kind == "number" and STILL_Q.search(q.query) and not_needed(q.terms, best.text):
        return Short(None, (), None, chosen)  # 还要在几个窗口来回跑吗, 不用再在3个窗口之间来回跑: no count answers it
    named = _predecessor(q, chosen, p) or _appointee(q, chosen, p) or _post(q, chosen, p) or _corrected(q, best, chosen, p)
    if named is not None:
        return named
    facts = labelled_facts(q.query, best.text, q.kind) if q.zh else []
    if facts:
        # the question fits two facts of the sentence: name each with its label
        parts = tuple(_part(best, best.start + s, best.start + e) for s, e in facts)
        both = (best.start + facts[0][0], best.start + facts[-1][1])  # a cut keeps every fact
        chosen = [trim(c, both if _covers(c, best) else None, q.terms, p) for c in chosen]
        return Short("；".join(part.text for part in parts), parts, None, chosen)
    if (v.shown or v.score is not None and v.score >= p.agree_threshold) and v.guess is not None \
            and misread(q, best.doc.text, *v.guess):
        return _rules(q, chosen, p)  # the reader marked the change beside the level, or the other bound (fairly
        # sure of it: 提高20元、达到238元 splits its belief between the two figures)
    if v.sure or has_reader and not p.rule_fallback:
        holder = held_before or best  # a long sentence is cut around the reader's best guess, shown or not
        limit = p.sure_answer_chars if v.sure and not v.listed else None
        chosen = [trim(c, v.guess if _covers(c, holder) else None, q.terms, p, limit) for c in chosen]
        if not v.shown:
            return Short(None, (), None, chosen)
        part = _part(best, *v.guess)
        return Short(part.text, (part,), v.score, chosen)
    return _rules(q, chosen, p)


def _appointee(q: Question, chosen: list[Candidate], policy: AnswerPolicy) -> Short | None:
    """A who-question answered by an English sentence that opens with the person it appoints, their
    Chinese in brackets ("Zhang San (张三), 52, was appointed director (局长) of …"): that person, not
    the predecessor the sentence goes on to name ("He succeeds Li Si (李四)"); the Chinese name for a
    Chinese question, the name as written for another."""
    if q.kind != "person":
        return None
    for i, c in enumerate(chosen):
        found = appointee(c.doc.text, c.start, c.end)
        if found is None:
            continue
        s, e = found[1] if q.zh else found[0]
        part = _part(c, s, e)
        chosen = chosen[:i] + [trim(c, (s, e), q.terms, policy)] + chosen[i + 1:]
        return Short(part.text, (part,), None, chosen)
    return None


def _predecessor(q: Question, chosen: list[Candidate], policy: AnswerPolicy) -> Short | None:
    """A question for the holder before the current one (上一任站长是谁) answered by the line that appoints
    the current one and names whom they succeed ("She succeeds Li Si (李四), who…", 接替李四任…): that
    predecessor, not the appointee; the Chinese name for a Chinese question, the name as written for another."""
    if q.kind != "person" or not ASKS_FORMER.search(q.query):
        return None
    for i, c in enumerate(chosen):
        m = _SUCCEEDS.search(c.text)
        if m is None:
            continue
        s, e = m.span("cn" if m.group("cn") else "zh" if q.zh else "en")
        s, e = c.start + s, c.start + e
        part = _part(c, s, e)
        chosen = chosen[:i] + [trim(c, (s, e), q.terms, policy)] + chosen[i + 1:]
        return Short(part.text, (part,), None, chosen)
    return None


_SUCCEEDS = re.compile(r"\b(?:succeeds|succeeded|replaces|replaced|took over from)\s+(?:(?P<en>[A-Z][a-z]+ [A-Z][a-z]+)\s*"
                       r"[(（](?P<zh>[\u4e00-\u9fff]{2,4})[)）])|接替(?P<cn>[\u4e00-\u9fff]{2,3}?)(?:同志)?(?:任|担任|出任|，|,)")


def _corrected(q: Question, best: Candidate, chosen: list[Candidate], policy: AnswerPolicy) -> Short | None:
    """A figure asked of a correction's sentence (《…支出91.9亿元》一文中，“91.9亿元”有误，…应为92.3亿元): the
    right value after 应为, not the one it withdraws, which it names first and twice."""
    at = said_right(best.text) if q.kind == "number" else None
    found = extract_short(q.span_q, best.text[at:], q.kind) if at is not None else None
    if not found:
        return None
    s, e = best.start + at + found[0], best.start + at + found[1]
    part = _part(best, s, e)
    chosen = [trim(c, (s, e) if _covers(c, best) else None, q.terms, policy) for c in chosen]
    return Short(part.text, (part,), None, chosen)


def _post(q: Question, chosen: list[Candidate], policy: AnswerPolicy) -> Short | None:
    """A question for the post a named person holds (张三现在担任什么职务): the post the first chosen
    sentence gives them (…，张三调任县林业局局长: 县林业局局长; posts.gives_post), the sentence cut around it."""
    from rag.answer.posts import asked_person, post_given

    names = asked_person(q)
    for i, c in enumerate(chosen):
        found = next((at for n in names if (at := post_given(n, c.text))), None)
        if found is None:
            continue
        s, e = c.start + found[0], c.start + found[1]
        part = _part(c, s, e)
        chosen = chosen[:i] + [trim(c, (s, e), q.terms, policy)] + chosen[i + 1:]
        return Short(part.text, (part,), None, chosen)
    return None


_BOUNDS = (("下限", "上限"), ("最低", "最高"), ("最少", "最多"))


def misread(q: Question, text: str, start: int, end: int) -> bool:
    """Is text[start:end], the reader's pick, one the question does not ask: a person whose clause gives up
    the post asked (不再兼任居委会主任); for a figure, a net change where a level is asked (净增企业37家，总数
    达到590家: 一共有多少家), or the other bound of a range (上限28800元，下限2150元: 最低按多少算 / 下限)?"""
    if q.kind == "person":  # 张三继续任书记，不再兼任主任: not the 主任 asked for
        return gives_up(q.query, text, (start, end))
    if q.kind != "number":
        return False
    if net_change(text, start) and not asks_change(q.query):
        return True
    clause = text[clause_start(text, start, "，,；;。") : start]
    return any(asked in q.query and other in clause and asked not in clause
               for pair in _BOUNDS for asked, other in (pair, pair[::-1]))


def _rules(q: Question, chosen: list[Candidate], policy: AnswerPolicy) -> Short:
    """The rules' short answer (rag/answer/span.py) in the first sentence where they find one."""
    for i, c in enumerate(chosen):
        sp = extract_short(q.span_q, c.text, q.kind)
        if sp:
            raw = c.text[sp[0] : sp[1]]
            text = raw.strip()
            lo = c.start + sp[0] + len(raw) - len(raw.lstrip())
            chosen = chosen[:i] + [trim(c, (c.start + sp[0], c.start + sp[1]), q.terms, policy)] + chosen[i + 1 :]
            return Short(text, (ShortPart(text, c.doc.id, lo, lo + len(text)),) if text else (), None, chosen)
    return Short(None, (), None, [trim(c, None, q.terms, policy) for c in chosen])


def _part(c: Candidate, start: int, end: int) -> ShortPart:
    return ShortPart(c.doc.text[start:end], c.doc.id, start, end)
