"""A sentence that states a change itself (由原来的…80元提高至…110元, 由4册增加至8册): the value after
the change marker is the current one, the one after 由 / 从 / 原 is superseded and never a bold
current answer (issue #19, second dev set's kind 1). Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.dating import changed_from, changed_to, without_stale_short
from rag.types import Answer, ShortPart
from tests.helpers import hashing_pipeline

LIST = "两项补贴分别由原来的每人每月60元、45元提高至每人每月95元和每人每月85元，新标准自2025年1月1日起执行。"
BOOKS = "同时，借阅规则同步调整，每证可借图书由4册增加至8册，借期不变。"


def _at(text: str, value: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return start, start + len(value)


@pytest.mark.parametrize("text, value, now", [
    (LIST, "60元", "95元"), (LIST, "45元", "85元"), (BOOKS, "4册", "8册"),
    ("收费标准由每月100元调整为130元。", "100元", "130元"),
    ("末班车时间从18时延长至21时。", "18时", "21时"),
])
def test_the_value_after_the_marker_is_what_it_was_changed_to(text, value, now):
    start, end = _at(text, value)
    assert changed_from(text, start, end)
    to = changed_to(text, start, end)
    assert to is not None and text[to[0]:to[1]] == now


@pytest.mark.parametrize("text, value", [
    (LIST, "95元"), (LIST, "85元"), (BOOKS, "8册"),
    ("今年收入80元，比去年提高至…", "80元"),  # no 由 and no marker in its clause
    ("全村收入达120万元，带动户均增收提高至2万元。", "120万元"),
])
def test_a_value_not_changed_from_is_left_alone(text, value):
    assert not changed_from(text, *_at(text, value))


def _answer(question: str, text: str, value: str) -> tuple[Answer, object]:
    start, end = _at(text, value)
    doc = type("Doc", (), {"text": text})()
    a = Answer(question, text, value, True, short_parts=(ShortPart(value, "d", start, end),))
    return a, (lambda _id: doc)


def test_a_bold_changed_from_value_becomes_the_new_one():
    a, doc = _answer("两项补贴每人每月多少钱？", LIST, "60元")
    out = without_stale_short(a, doc)
    assert out.short_answer == "95元" and LIST[out.short_parts[0].start:out.short_parts[0].end] == "95元"


def test_a_bold_value_its_line_abolishes_is_dropped():
    text = "自2026年1月1日起，全县低保标准调整为每人每月1010元，2024年1月1日起执行的每人每月940元标准同时废止。"
    start, end = _at(text, "1010元")
    old_start, old_end = _at(text, "940元")
    doc = type("Doc", (), {"text": text})()
    a = Answer("低保现在每月多少钱？", text, "1010元；940元", True,
               short_parts=(ShortPart("1010元", "d", start, end), ShortPart("940元", "d", old_start, old_end)))
    assert without_stale_short(a, lambda _id: doc).short_answer == "1010元"


def test_a_question_about_the_past_keeps_the_old_value():
    a, doc = _answer("调整前两项补贴每人每月多少钱？", LIST, "60元")
    assert without_stale_short(a, doc).short_answer == "60元"


DOCS = {
    "lutang-library-2021.md": ("---\ntitle: 鹭塘县图书馆新馆开放\ndate: 2021-05-01\n---\n"
                               "鹭塘县图书馆新馆正式开放。\n\n读者凭身份证即可免费办理借阅证，每证可借图书4册，借期30天。"),
    "lutang-library-2024-09.txt": ("县图书馆调整借阅规则\n\n为方便读者，鹭塘县图书馆决定调整借阅规则。\n\n"
                                   "同时，图书馆借阅规则同步调整，每证可借图书由4册增加至8册，借期不变。"),
    "lutang-care-2022.md": ("---\ntitle: 鹭塘县公布护理补贴标准\ndate: 2022-03-01\n---\n"
                            "鹭塘县明确全县护理补贴标准：高龄老人护理补贴为每人每月60元，失能老人护理补贴为每人每月45元。"),
    "lutang-care-2024.md": ("---\ntitle: 鹭塘县提高护理补贴标准\ndate: 2024-12-01\n---\n"
                            "鹭塘县对护理补贴标准进行调整，高龄老人护理补贴和失能老人护理补贴分别由原来的每人每月60元、"
                            "45元提高至每人每月95元和每人每月85元，新标准自2025年1月1日起执行，原有标准同时废止。"),
}
TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("changes"), DOCS)


def test_a_change_dated_by_its_file_name_leads_with_the_new_count(pipe):
    a = pipe.ask("鹭塘县图书馆每证可以借几册书？", today=TODAY)
    assert a.answerable and "8册" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert not a.short_answer or a.short_answer.startswith("8")  # the rules may leave 册 out


def test_the_old_standard_in_the_changing_sentence_is_never_bold(pipe):
    a = pipe.ask("鹭塘县高龄老人护理补贴每人每月多少钱？", today=TODAY)
    assert a.answerable and "95元" in a.citations[0].quote, a.answer
    assert a.short_answer in (None, "95元")
    assert any(c.status == "superseded" and "60元" in c.quote for c in a.citations[1:]), a.answer
