"""The trained span reader's part in an answer (rag/answer/reader.py does the reading itself):
which sentences it reads, reading again with the sentence before or the one fact a question
singles out, and its verdict on the chosen sentence (its widened guess, whether the rules agree,
whether it is sure enough to show: probable enough, and of the asked kind: fits.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.ambiguity import singled_out_fact, singled_out_part
from rag.answer.candidates import Candidate, Surroundings
from rag.answer.change_values import changed_from, is_new_value
from rag.answer.enumeration import (asks_several, asks_what, is_list, list_around, names_an_item,
                                    tidy_list, whole_list)
from rag.answer.fits import asks_two, fits, one_figure, second_figure
from rag.answer.focus import measure_fits
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question
from rag.answer.span import asks_before, extract_short
from rag.answer.units import crosses, whole_unit
from rag.answer.widen import widen


@dataclass(frozen=True)
class Verdict:
    """What the reader says about the chosen sentence."""

    guess: tuple[int, int] | None = None  # its span widened to a whole unit (offsets in doc.text), shown or not
    score: float | None = None  # its probability
    agree: bool = False  # the rules (or the singled-out fact) mark the same words
    sure: bool = False  # probable enough to be shown
    listed: bool = False  # the guess is the whole list a question asking for several things wants
    dropped: bool = False  # sure, but the span is no whole unit (over a sentence end or colon) or no list
    # of like things: not shown; the answer's sentences stay as for a sure reading

    @property
    def shown(self) -> bool:
        return self.sure and not self.dropped

    def text(self, best: Candidate) -> str | None:
        return None if self.guess is None else best.doc.text[self.guess[0] : self.guess[1]]


def read_top(reader, question: str, ranked: list[Candidate], policy: AnswerPolicy,
             top: int | None = None) -> list[Candidate]:
    """The reader reads the best few sentences; its span probability joins their scores
    (with w_reader 0 it does not help choose, and reads only the chosen sentence later)."""
    p = policy
    n = p.read_top if top is None else top
    if top is None and p.w_reader == 0:
        n = 0
    top = ranked[:n]
    if reader is None or not top:
        return ranked
    spans = reader.read(question, [c.text for c in top])
    for c, sp in zip(top, spans):
        if sp is not None:
            c.read = (c.start + sp.start, c.start + sp.end, sp.score)
            c.score += p.w_reader * sp.score
    return sorted(top, key=lambda c: -c.score) + ranked[n:]


def read_chosen(reader, question: str, best: Candidate, around: Surroundings,
                policy: AnswerPolicy) -> Candidate | None:
    """The reader marks the answer in the chosen sentence. With read_before, when it is not
    sure there, it reads again with the sentence before (which names what "该村" or "他"
    stands for, or holds the answer itself); the more probable reading wins. Returns that
    previous sentence when the winning span lies in it: it then joins the answer, so that
    the quote holds the span."""
    p = policy
    read_top(reader, question, [best], p, top=1)
    if not p.read_before or best.read is not None and best.read[2] >= p.reader_threshold:
        return None
    before = around.previous(best)
    if before is None or best.start - before.start > p.max_answer_chars:
        return None
    sp = reader.read(question, [best.doc.text[before.start : best.end]])[0]
    if sp is None or best.read is not None and sp.score <= best.read[2]:
        return None
    best.read = (before.start + sp.start, before.start + sp.end, sp.score)
    return before if best.read[0] < best.start else None


def reread_singled_out(reader, question: str, best: Candidate, kind: str | None) -> tuple[int, int] | None:
    """In a sentence listing several facts of the asked kind ("产值增长5%、利润增长3.2%、出口额
    增长12%"), when the question's words single out one label and the reader marked
    another fact, the reader reads that label's clause alone; its span and probability
    replace the first reading (no span: nothing is shown). Returns the singled-out value's
    offsets, or None."""
    fact = singled_out_fact(question, best.text, kind)
    if fact is None:
        reread_part(reader, question, best)
        return None
    lo, s, e = (best.start + x for x in fact)
    if overlap((s, e), best.read[:2]) > 0:
        return s, e
    stop = re.search(r"[，、。；！？,;!?\n]", best.doc.text[e : best.end])
    hi = e + stop.start() if stop else best.end
    sp = reader.read(question, [best.doc.text[lo:hi]])[0]
    best.read = (lo + sp.start, lo + sp.end, sp.score) if sp is not None else (s, e, 0.0)
    return s, e


def reread_part(reader, question: str, best: Candidate) -> None:
    """In a sentence of parallel parts, when the question's words single out another part than
    the one the reader marked, the reader reads that part alone; its span replaces the first
    reading (no span there: nothing is shown)."""
    part = singled_out_part(question, best.text, best.read[0] - best.start)
    if part is None:
        return
    lo, hi = best.start + part[0], best.start + part[1]
    sp = reader.read(question, [best.doc.text[lo:hi]])[0]
    best.read = (lo + sp.start, lo + sp.end, sp.score) if sp is not None else (lo, lo, 0.0)


def verdict(reader, q: Question, best: Candidate, policy: AnswerPolicy) -> Verdict:
    """The reader's span in the chosen sentence widened to a whole unit, whether the rules mark
    the same words, and whether it is shown: when the reader is sure (surer when the rules mark
    another span of the asked kind), or fairly sure and the rules agree; and the span fits the
    asked kind."""
    fact = reread_singled_out(reader, q.query, best, q.kind) if best.read is not None and q.zh else None
    if best.read is None:
        return Verdict()
    guess = widen(best.doc.text, best.read[0], best.read[1], q.query)
    score = best.read[2]
    if asks_several(q.query):  # the whole list, or nothing in bold
        text = best.doc.text
        listed = None if is_list(text[guess[0] : guess[1]]) else \
            whole_list(text, *sentence_bounds(text, *guess), guess, q.span_q)
        if listed is None and not is_list(text[guess[0] : guess[1]]):
            return Verdict(guess, score, False, False)
        tidy = tidy_list(text, *(listed or guess))  # "民营化和分割后" is no list of things
        return Verdict(tidy or listed or guess, score, True, score >= policy.list_threshold, listed=True,
                       dropped=tidy is None)
    unit = whole_unit(best.doc.text, *guess, q.query)  # a surname, category word or piece of a word: widened or dropped
    if unit is None:
        return Verdict(guess, score, False, False)
    guess = unit
    if q.kind == "number" and asks_two(q.query):  # two quantities asked: both in bold, or none
        both = second_figure(best.doc.text, *guess, *sentence_bounds(best.doc.text, *guess), q.query)
        if both is None:
            return Verdict(guess, score, False, False)
        guess = widen(best.doc.text, *both, q.query)  # sure on its own: the rules mark one figure, not two
        return Verdict(guess, score, False, score >= policy.reader_threshold,
                       dropped=crosses(best.doc.text[guess[0] : guess[1]]))
    if q.kind == "number":  # one quantity asked: one figure in bold (two across a comma are no answer)
        one = one_figure(best.doc.text, *guess, q.query)
        if one is None:
            return Verdict(guess, score, False, False)
        guess = one
    if policy.list_for_what and asks_what(q.query):  # "设置了什么": the whole list the span is one item of
        around = list_around(best.doc.text, *sentence_bounds(best.doc.text, *guess), guess)
        around = None if around is None else tidy_list(best.doc.text, *around)  # no list of like things: none
        if around is not None and not names_an_item(q.query, best.doc.text[around[0] : around[1]]):
            return Verdict(around, score, True, score >= policy.reader_threshold, listed=True)
    rule = extract_short(q.span_q, best.text, q.kind)  # the rules' span, where they find one
    shared = 0.0 if rule is None else overlap((best.start + rule[0], best.start + rule[1]), guess)
    agree = shared >= policy.agree_overlap or fact is not None and overlap(fact, guess) >= policy.agree_overlap
    differ = q.kind is not None and rule is not None and shared == 0 and not agree  # another span of the asked kind
    threshold = max(policy.reader_threshold, policy.differ_threshold) if differ else policy.reader_threshold
    # a change's new value, the rules marking it within the reader's span, is shown: the reader's belief
    # is split between the old value and the new one (由30个工作日缩短为15个工作日), so agreeing is enough;
    # a span marked from one to the other (6册提高至12册) is cut to the new value, as the rules mark it;
    # asked 原来 / 以前, such a span is no answer (which change the question means, the sentence's or a
    # later one, 由330元降为220元 before the fare became free, it cannot tell)
    ruled = None if rule is None else (best.start + rule[0], best.start + rule[1])
    inside = agree and q.kind == "number" and ruled is not None and guess[0] <= ruled[0] and ruled[1] <= guess[1]
    if inside and asks_before(q.query) and ruled != guess and changed_from(best.doc.text, *ruled):
        return Verdict(guess, score, agree, False)
    changed = inside and is_new_value(best.doc.text, *ruled)
    guess = ruled if changed else guess
    sure = score >= threshold or agree and score >= policy.agree_threshold or changed
    shown = best.doc.text[guess[0] : guess[1]]
    sure = sure and (not policy.type_check or fits(q.kind, shown) and measure_fits(q.query, shown) is not False)
    return Verdict(guess, score, agree, sure, dropped=crosses(best.doc.text[guess[0] : guess[1]]))


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end]: from after the last 。！？ or line break before it to
    the next one after it."""
    lo = max(text.rfind(m, 0, start) for m in "。！？!?\n") + 1
    his = [i for i in (text.find(m, end) for m in "。！？!?\n") if i >= 0]
    return lo, min(his) if his else len(text)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters of two spans over the length of the shorter."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(inter, 0) / max(min(a[1] - a[0], b[1] - b[0]), 1)
