"""When-questions (rag/answer/timeline.py): a when-question asks the time of one event (…什么时候
完工: 完工), and the sentence that gives that event's time answers it, not one of the same article
that dates another event (4月11日…带队检查…进度)."""
from __future__ import annotations

import re

from rag.answer.candidates import Candidate, Surroundings
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question
from rag.answer.span import extract_short
from rag.answer.support import unsupported


def asked_event(query: str) -> tuple[str, ...]:
    """What a when-question asks the time of: the words after its when-word (…什么时候完工？ -> 完工), or
    for an "until when" the word before it (措施执行到哪天？ -> 执行)."""
    from rag.index.tokenize import tokenize

    m = _WHEN_Q.search(query)
    after = tuple(t for t in tokenize(query[m.end():]) if _EVENT_WORD.fullmatch(t)) if m else ()
    until = _UNTIL_Q.search(query) if not after else None  # 措施执行到哪天: until when it is 执行
    return (until.group(1),) if until else after


def event_first(q: Question, event: tuple[str, ...], ranked: list[Candidate], around: Surroundings,
                policy: AnswerPolicy) -> list[Candidate]:
    """A when-question asks the time of one event (…什么时候完工: 完工). When the best sentence dates
    another (3月14日…带队检查…工程进度) and a sentence of the same article states the event asked with
    a time of its own (确保工程年底前完工), that one answers first."""
    best = ranked[0] if ranked else None
    if best is None or any(w in best.text for w in event):
        return ranked
    for c in ranked[1: policy.time_window]:
        if (c.doc.id == best.doc.id and any(w in c.text for w in event)
                and extract_short(q.span_q, c.text, "date") and unsupported(q, c, around, policy) is None):
            return [c] + [x for x in ranked if x is not c]
    return ranked


_WHEN_Q = re.compile(r"什么时候|什么时间|何时|哪一?天|几月几[日号]|几号")
_UNTIL_Q = re.compile(r"([\u4e00-\u9fff]{2})(?:到|至)(?:什么时候|什么时间|何时|哪一?天|几月几[日号]|几号)")
_EVENT_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")  # a word of the event: 完工 of 什么时候完工？
