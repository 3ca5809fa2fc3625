"""The held-out temporal QA set (eval/temporal/holdout/) keeps the rules of the tuned one
(tests/test_temporal_set.py): its files load, every document is dated, every answer is written
verbatim in its gold document, every stale value in an older document, and questions about a year
are answered from a sentence that speaks of that year. It is written after the tuning, not to be
tuned on: these checks say only that the set is sound, nothing about how the product scores on it."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from rag.dates import as_date
from rag.evaluate.qa import load_qa
from rag.ingest import load_paths
from tests import temporal_checks as checks

HERE = Path(__file__).resolve().parent.parent / "eval" / "temporal" / "holdout"
CATEGORIES = {"current", "past_year", "superseded", "office_holder", "procedure", "single_version", "relative",
              "no_data_for_year"}


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
    assert len(items) >= 45 and len({it.id for it in items}) == len(items)
    assert all(re.fullmatch(r"temporal-holdout-\d{3}", it.id) for it in items)
    counts = Counter(it.category for it in items)
    assert set(counts) == CATEGORIES and min(counts.values()) >= 4
    assert all(it.today for it in items)
    assert sum(it.lang == "en" for it in items) >= 3


def test_documents_in_several_versions_over_several_years(docs):
    years = Counter(as_date(d.date).year for d in docs.values())
    assert len(years) >= 4


def test_every_date_source_is_used(docs):
    """Front matter, a dateline in the text, a date in the file name only, and JSONL records."""
    names = [d.id for d in docs.values()]
    assert any(n.endswith(".md") for n in names)
    assert any(n.endswith(".txt") and re.search(r"\d{4}年\d{1,2}月\d{1,2}日讯", d.text) for n, d in docs.items())
    assert any(re.search(r"-\d{4}-\d{2}\.txt$", n) for n in names)
    assert any("." not in n for n in names)  # a JSONL record's id


def test_every_answer_is_written_in_its_gold_document(docs, items):
    checks.answers_in_gold(docs, items)


def test_stale_values_are_written_in_an_older_document(docs, items):
    checks.stale_in_older(docs, items)


def test_stale_and_current_values_never_contain_each_other(items):
    checks.stale_and_current_apart(items)


def test_gold_documents_are_not_after_the_asking_date(docs, items):
    checks.gold_not_after_today(docs, items)


def test_questions_about_a_time_are_answered_from_that_time(docs, items):
    checks.time_questions_answered_from_their_time(docs, items)


def test_no_data_questions_ask_for_one_year(docs, items):
    checks.no_data_questions_ask_one_year(items)


