"""The temporal dev sets in folders (eval/temporal/dev2/, dev3/, …) are consistent, by the
rules of tests/test_temporal_set.py: their files load, every document is dated, every answer is written
verbatim in its gold document and every stale value in an older one, and questions about a year are
answered from a sentence of that year. One module, each test run once per set."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from rag.dates import as_date
from rag.evaluate.runner import load_qa
from rag.ingest import load_paths
from tests import temporal_checks as checks

TEMPORAL = Path(__file__).resolve().parent.parent / "eval" / "temporal"
SETS = tuple(sorted((p.name for p in TEMPORAL.glob("dev*") if p.is_dir()), key=lambda n: int(n[3:])))
CATEGORIES = {"current", "past_year", "superseded", "office_holder", "procedure", "single_version", "relative",
              "no_data_for_year"}
SENTENCES = re.compile(r"(?<=[。！？\n])|(?<=\. )")


@pytest.fixture(scope="module", params=SETS)
def here(request) -> Path:
    return TEMPORAL / request.param


@pytest.fixture(scope="module")
def docs(here):
    found, problems = load_paths([here / "docs"], root=here / "docs")
    assert problems == []
    return {d.id: d for d in found}


@pytest.fixture(scope="module")
def items(here):
    return load_qa(here / "questions.jsonl")


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
    checks.gold_not_after_today(docs, items)


def test_every_answer_is_written_in_its_gold_document(docs, items):
    checks.answers_in_gold(docs, items)


def test_stale_values_are_written_in_an_older_document(docs, items):
    checks.stale_in_older(docs, items)


def test_stale_and_current_values_never_contain_each_other(items):
    checks.stale_and_current_apart(items)


def test_questions_about_a_time_are_answered_from_that_time(docs, items):
    checks.time_questions_answered_from_their_time(docs, items, SENTENCES)


def test_no_data_questions_ask_for_one_year(items):
    checks.no_data_questions_ask_one_year(items)
