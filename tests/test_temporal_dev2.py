"""The second temporal dev set (eval/temporal/dev2/) is consistent, by the rules of tests/test_temporal_set.py:
its files load, every document is dated, every answer is written verbatim in its gold document and every
stale value in an older one, and questions about a year are answered from a sentence of that year."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from rag.dates import as_date, asked_time, sentence_time, supersession
from rag.evaluate.metrics import normalize_answer_text
from rag.evaluate.runner import load_qa
from rag.ingest import load_paths

HERE = Path(__file__).resolve().parent.parent / "eval" / "temporal" / "dev2"
CATEGORIES = {"current", "past_year", "superseded", "office_holder", "procedure", "single_version", "relative",
              "no_data_for_year"}
SENTENCES = re.compile(r"(?<=[。！？\n])|(?<=\. )")


@pytest.fixture(scope="module")
def docs():
    found, problems = load_paths([HERE / "docs"], root=HERE / "docs")
    assert problems == []
    return {d.id: d for d in found}


@pytest.fixture(scope="module")
def items():
    return load_qa(HERE / "questions.jsonl")


def test_sizes_and_categories(docs, items):
    assert len(docs) >= 20 and all(as_date(d.date) for d in docs.values())  # every document dated
    assert len(items) >= 40 and len({it.id for it in items}) == len(items)
    counts = Counter(it.category for it in items)
    assert set(counts) == CATEGORIES and min(counts.values()) >= 4
    assert sum(it.lang == "en" for it in items) >= 6
    assert all(it.today for it in items)


def test_documents_in_several_versions_over_several_years(docs):
    assert len(Counter(as_date(d.date).year for d in docs.values())) >= 4


def test_no_gold_document_after_its_question(docs, items):
    for it in items:
        for g in it.gold_doc or []:
            assert as_date(docs[g].date) <= as_date(it.today), it.id


def test_every_answer_is_written_in_its_gold_document(docs, items):
    for it in items:
        if it.unanswerable:
            assert not it.answers and not it.gold_doc, it.id
            continue
        assert it.gold_doc and all(g in docs for g in it.gold_doc), it.id
        gold_text = "".join(docs[g].text for g in it.gold_doc)
        assert it.answers and all(a in gold_text for a in it.answers), it.id
        assert all(m in gold_text for m in it.must_include), it.id


def test_stale_values_are_written_in_an_older_document(docs, items):
    for it in items:
        if not it.stale_answers:
            continue
        gold_date = max(as_date(docs[g].date) for g in it.gold_doc)
        for old in it.stale_answers:
            assert [d for d in docs.values() if old in d.text and as_date(d.date) < gold_date], (it.id, old)


def test_stale_and_current_values_never_contain_each_other(items):
    for it in items:
        for old in map(normalize_answer_text, it.stale_answers):
            for new in map(normalize_answer_text, it.answers):
                assert old not in new and new not in old, (it.id, old, new)


def test_questions_about_a_time_are_answered_from_that_time(docs, items):
    for it in items:
        if it.unanswerable or it.category not in ("past_year", "relative"):
            continue
        asked = asked_time(it.question, _date(it.today))
        if asked.kind != "year":
            assert asked.kind == "past", it.id  # 原来 / 调整前 / 以前
            continue
        doc = docs[it.gold_doc[0]]
        sentence = next(s for s in SENTENCES.split(doc.text) if it.answers[0] in s)
        assert asked.covers(sentence_time(sentence, as_date(doc.date))) or asked.covers(_in_force(sentence, doc)), \
            (it.id, sentence)


def _in_force(sentence, doc):
    """The date a sentence that changes a standard speaks of: when its article puts the change in force."""
    date = as_date(doc.date)
    if supersession(sentence, date) is None:
        return None
    changes = (supersession(s, date) for s in SENTENCES.split(doc.text))
    return next((ch.effective for ch in changes if ch is not None and ch.effective), None)


def test_no_data_questions_ask_for_one_year(items):
    for it in items:
        if it.category == "no_data_for_year":
            asked = asked_time(it.question, _date(it.today))
            assert it.unanswerable and asked.kind == "year" and asked.start == asked.end, it.id


def _date(text):
    return dt.date.fromisoformat(text)
