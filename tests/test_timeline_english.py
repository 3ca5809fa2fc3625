"""English questions over Chinese articles and time (issue #19, second dev set's kinds 7 and 3/5): a
year written in an English question ("in 2021") is the year asked, so one article of another year is
not passed off as that year's. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.version_time import year_said as _year_said
from rag.dates import asked_time
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 3, 1)


@pytest.mark.parametrize("question", ["What was Songya's output in 2021?", "2022年松崖镇竹笋产量多少？",
                                      "松崖镇去年竹笋产量多少？"])
def test_a_year_said_in_either_language_is_the_year_asked(question):
    assert _year_said(asked_time(question, TODAY))


def test_a_month_and_day_alone_say_no_year():
    assert not _year_said(asked_time("松崖镇1月3日开会了吗？", TODAY))


DOCS = {
    "songya-bamboo-2025.md": ("---\ntitle: 松崖镇竹笋产业持续向好\ndate: 2025-12-08\n---\n"
                              "今年以来，松崖镇竹笋产业持续向好。全镇竹笋产量达1200吨，销售额860万元。"),
    "songya-school-2023.md": ("---\ntitle: 松崖镇中心小学开学\ndate: 2023-09-02\n---\n"
                              "9月1日，松崖镇中心小学举行秋季开学典礼，全校820名师生参加。"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("english"), DOCS)


def test_an_english_question_for_a_year_no_article_speaks_of_declines(pipe):
    a = pipe.ask("What was 松崖镇's bamboo shoot output in 2021?", today=TODAY)
    assert not a.answerable, a.answer


OFFICE_DOCS = {
    "heping-station-2022.md": ("---\ntitle: 禾坪乡水利站开展汛前检查\ndate: 2022-05-10\n---\n"
                               "禾坪乡水利站站长蒋德顺介绍，今年全乡共排查山塘水库23座，整改隐患11处。"),
    "heping-station-2025-en.md": (
        "---\ntitle: New head for Heping's water station\ndate: 2025-04-02\n---\n"
        "Heping Township (禾坪乡) has a new person in charge of its water conservancy station. "
        "Jiang Deshun (蒋德顺), who had led the station since 2015, retired in March 2025, "
        "and Lou Mingkai (娄明凯), an engineer who previously worked at the county water resources bureau, "
        "took over as head of the 禾坪乡水利站 (站长).\n\n"
        "Lou said the station would focus on flood preparations this spring."),
}


@pytest.fixture(scope="module")
def office_pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("english-office"), OFFICE_DOCS)


def test_a_change_reported_in_english_is_told_with_the_new_holders_name(office_pipe):
    a = office_pipe.ask("禾坪乡水利站站长现在是谁？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "heping-station-2025-en.md", a.answer
    assert "娄明凯" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert a.short_answer is None or "蒋德顺" not in a.short_answer and "Jiang" not in a.short_answer


def test_a_clause_that_names_nobody_is_told_from_the_clause_naming_the_new_holder():
    from rag.answer.candidates import Candidate, Surroundings
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import Question
    from rag.answer.version_value import named_before
    from rag.types import Document

    text = OFFICE_DOCS["heping-station-2025-en.md"].split("---\n", 2)[2]
    doc = Document(id="en", text=text, title="New head for Heping's water station", date="2025-04-02")
    at = text.index("took over")
    q = Question("禾坪乡水利站站长是谁？", "禾坪乡水利站站长是谁？", True, "person", "禾坪乡水利站站长是谁？", {}, frozenset())
    policy = AnswerPolicy()
    told = named_before(q, Candidate(0, None, doc, at, text.index("(站长).") + 5), Surroundings(policy), policy)
    assert told.text.startswith("and Lou Mingkai (娄明凯)") and told.text.endswith("(站长).")
    assert "蒋德顺" not in told.text  # the predecessor's clause is not needed


def test_a_word_said_short_in_the_newer_notice_is_spoken_of():
    from rag.answer.scoring import Question
    from rag.answer.changes import abbreviates, not_spoken_of
    from rag.types import Document

    terms = {"医疗保险": 3.0, "医疗": 3.0, "保险": 3.0, "医保": 2.5, "参保": 2.5, "登记": 2.5, "居民": 2.5}
    q = Question("Where do residents register for medical insurance?", "", False, "place", "", terms, frozenset())
    old = "城乡居民基本医疗保险参保登记工作已经开始。"
    newer = Document(id="n", text="从今年起，居民医保参保登记可在镇便民服务中心办理。", title="医保参保登记可就近办理")
    assert not not_spoken_of(q, old, newer)  # 医保 is 医疗保险 said short
    other = Document(id="o", text="从今年起，渡船票价调整为每人每次5元。", title="渡船票价调整")
    assert not_spoken_of(q, old, other)
    assert abbreviates("医保", "医疗保险") and abbreviates("村委会", "村民委员会")
    assert not abbreviates("保险", "医疗保险") and not abbreviates("医疗保险", "医保")
