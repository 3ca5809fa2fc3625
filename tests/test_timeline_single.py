"""A fact one article states (a school gym's area) is not compared as versions of another fact of
the same school that a later article states (a new principal): a date's day (the 1日 of 9月1日) is no
figure of the thing asked, and an area asked is a figure in 平方米 / 亩 (issue #19, second dev set's
kind 6). Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.candidates import Candidate
from rag.answer.scoring import Question
from rag.answer.span import question_type
from rag.answer.version_value import value_of
from rag.types import Document
from tests.helpers import hashing_pipeline


def _value(question: str, sentence: str) -> str | None:
    q = Question(question, question, True, question_type(question), question, {}, frozenset())
    doc = Document(id="d", text=sentence, title=None, date="2024-08-30")
    return value_of(q, Candidate(0, None, doc, 0, len(sentence)))


@pytest.mark.parametrize("question, sentence, value", [
    ("桥头镇中心小学室内体育馆面积多大？", "今年学校新建了一座室内体育馆，面积1500平方米，可容纳3个班级。", "1500平方米"),
    ("桥头镇中心小学室内体育馆面积多大？", "8月29日，县教育局到桥头镇中心小学宣布人事任命。", None),
    ("桥头镇中心小学有多少名师生？", "9月1日，桥头镇中心小学举行开学典礼，全校980名师生参加。", "980名"),
])
def test_a_version_holds_a_figure_of_the_thing_asked(question, sentence, value):
    got = _value(question, sentence)
    assert got == value if value is None else value in got and "1日" not in got


DOCS = {
    "qiaotou-school-2021.md": ("---\ntitle: 桥头镇中心小学举行开学典礼\ndate: 2021-09-02\n---\n"
                               "9月1日，桥头镇中心小学举行2021年秋季开学典礼，全校980名师生参加。"
                               "校长鲍文涛在讲话中勉励同学们好好学习。\n\n"
                               "今年学校新建了一座室内体育馆，面积1500平方米，可同时容纳3个班级上体育课。"),
    "qiaotou-school-2024.md": ("---\ntitle: 桥头镇中心小学迎来新校长\ndate: 2024-08-30\n---\n"
                               "8月29日，县教育局到桥头镇中心小学宣布人事任命：邬晓芸任桥头镇中心小学校长。"),
}
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("single"), DOCS)


def test_a_fact_stated_once_is_answered_from_its_article(pipe):
    a = pipe.ask("桥头镇中心小学室内体育馆面积多大？", today=TODAY)
    assert a.answerable and "1500平方米" in a.citations[0].quote, a.answer
    assert not any(c.status in ("earlier", "current") for c in a.citations), a.answer


def test_how_many_takes_no_days_of_dates_for_versions(pipe):
    a = pipe.ask("桥头镇中心小学有多少名师生？", today=TODAY)
    assert a.answerable and "980名" in a.citations[0].quote, a.answer
