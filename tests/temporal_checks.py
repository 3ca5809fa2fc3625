"""The data rules every temporal QA set keeps (eval/temporal/: the tuned set, dev2 and the held-out
set), shared by their test files: each takes the set's documents (id -> Document) and its items."""
from __future__ import annotations

import datetime as dt
import re

from rag.dates import as_date, asked_time, sentence_time, supersession
from rag.evaluate.metrics import normalize_answer_text

SENTENCE_END = r"(?<=[。！？\n])"


def answers_in_gold(docs, items) -> None:
    """Every answer and must-include string is written verbatim in its gold document."""
    for it in items:
        if it.unanswerable:
            assert not it.answers and not it.gold_doc, it.id
            continue
        assert it.gold_doc and all(g in docs for g in it.gold_doc), it.id
        gold_text = "".join(docs[g].text for g in it.gold_doc)
        assert it.answers and all(a in gold_text for a in it.answers), it.id
        assert all(m in gold_text for m in it.must_include), it.id


def stale_in_older(docs, items) -> None:
    """Every stale value is written in a document older than the gold one."""
    for it in items:
        if not it.stale_answers:
            continue
        gold_date = max(as_date(docs[g].date) for g in it.gold_doc)
        for old in it.stale_answers:
            older = [d for d in docs.values() if old in d.text and as_date(d.date) < gold_date]
            assert older, (it.id, old)


def stale_and_current_apart(items) -> None:
    """No stale value holds a current one, nor the reverse."""
    for it in items:
        for old in map(normalize_answer_text, it.stale_answers):
            for new in map(normalize_answer_text, it.answers):
                assert old not in new and new not in old, (it.id, old, new)


def gold_not_after_today(docs, items) -> None:
    for it in items:
        for g in it.gold_doc or ():
            assert as_date(docs[g].date) <= as_date(it.today), it.id


def time_questions_answered_from_their_time(docs, items, sentence_end=SENTENCE_END) -> None:
    """A question about a year (explicit, or 去年 against `today`) is answered from a sentence that
    speaks of that year; 原来 / 调整前 / 以前 ask for the past. `sentence_end` splits sentences."""
    for it in items:
        if it.unanswerable or it.category not in ("past_year", "relative"):
            continue
        asked = asked_time(it.question, dt.date.fromisoformat(it.today))
        if asked.kind != "year":
            assert asked.kind == "past", it.id  # 原来 / 调整前 / 以前
            continue
        doc = docs[it.gold_doc[0]]
        sentence = next(s for s in re.split(sentence_end, doc.text) if it.answers[0] in s)
        assert asked.covers(sentence_time(sentence, as_date(doc.date))) or asked.covers(_in_force(sentence, doc, sentence_end)), \
            (it.id, sentence)


def _in_force(sentence, doc, sentence_end):
    """A sentence that changes a standard speaks of the date its article puts the change in force
    (自2024年7月1日起执行, often in the next sentence): what the timeline step reads as its time."""
    date = as_date(doc.date)
    if supersession(sentence, date) is None:
        return None
    changes = (supersession(s, date) for s in re.split(sentence_end, doc.text))
    return next((ch.effective for ch in changes if ch is not None and ch.effective), None)


def no_data_questions_ask_one_year(items) -> None:
    for it in items:
        if it.category == "no_data_for_year":
            asked = asked_time(it.question, dt.date.fromisoformat(it.today))
            assert it.unanswerable and asked.kind == "year" and asked.start == asked.end, it.id
