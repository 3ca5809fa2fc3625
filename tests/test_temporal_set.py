"""The temporal QA set (eval/temporal/) is consistent: its files load, every answer and stale value is
written verbatim in a document (stale ones in an older document than the answer's), the split keeps
about 40% held out, and questions about a year are answered from a sentence that speaks of that year."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rag.dates import as_date
from rag.evaluate.runner import load_qa
from rag.ingest import load_paths
from tests import temporal_checks as checks

HERE = Path(__file__).resolve().parent.parent / "eval" / "temporal"
CATEGORIES = {"current", "past_year", "superseded", "office_holder", "procedure", "single_version", "relative",
              "no_data_for_year"}


@pytest.fixture(scope="module")
def docs():
    found, problems = load_paths([HERE / "docs"], root=HERE / "docs")
    assert problems == []
    return {d.id: d for d in found}


@pytest.fixture(scope="module")
def items():
    return {"dev": load_qa(HERE / "dev.jsonl"), "val": load_qa(HERE / "val.jsonl")}


def every(items):
    return items["dev"] + items["val"]


def test_sizes_split_and_categories(docs, items):
    assert len(docs) >= 20 and all(as_date(d.date) for d in docs.values())  # every document dated
    all_items = every(items)
    assert len(all_items) >= 40 and len({it.id for it in all_items}) == len(all_items)
    assert 0.35 <= len(items["val"]) / len(all_items) <= 0.45
    for part in ("dev", "val"):
        assert {it.category for it in items[part]} == CATEGORIES  # every kind in both parts
    assert all(it.today for it in all_items)


def test_documents_in_several_versions_over_several_years(docs):
    years = Counter(as_date(d.date).year for d in docs.values())
    assert len(years) >= 4


def test_every_answer_is_written_in_its_gold_document(docs, items):
    checks.answers_in_gold(docs, every(items))


def test_stale_values_are_written_in_an_older_document(docs, items):
    checks.stale_in_older(docs, every(items))


def test_stale_and_current_values_never_contain_each_other(items):
    checks.stale_and_current_apart(every(items))


def test_questions_about_a_time_are_answered_from_that_time(docs, items):
    checks.time_questions_answered_from_their_time(docs, every(items))


def test_no_data_questions_ask_for_one_year(items):
    checks.no_data_questions_ask_one_year(every(items))


