"""English questions over Chinese articles and time (issue #19, second dev set's kinds 7 and 3/5): a
year written in an English question ("in 2021") is the year asked, so one article of another year is
not passed off as that year's. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.timeline import _year_said
from rag.dates import asked_time

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
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    root = tmp_path_factory.mktemp("english")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    p = Pipeline(Settings(corpus_dir=corpus, index_dir=root / "index", model="fake-hashing",
                          cache_dir=root / "cache"), HashingEmbedder())
    p.build()
    return p


def test_an_english_question_for_a_year_no_article_speaks_of_declines(pipe):
    a = pipe.ask("What was 松崖镇's bamboo shoot output in 2021?", today=TODAY)
    assert not a.answerable, a.answer
