"""The current fact leads (rag/answer/timeline.py): versions of one fact in articles of different
dates, over a real index with the fake embedder. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.timeline import spoken
from rag.dates import Date
from tests.helpers import hashing_pipeline

DOCS = {
    "hexi-2023.md": ("---\ntitle: 禾溪村晒出2022年成绩单\ndate: 2023-01-09\n---\n"
                     "1月8日，禾溪村召开村民代表大会，村党支部书记陶春生作工作报告。"
                     "2022年，禾溪村村集体经济收入达94万元，全年接待游客5.1万人次。"),
    "hexi-2025.md": ("---\ntitle: 禾溪村晒出2024年成绩单\ndate: 2025-01-12\n---\n"
                     "1月11日，禾溪村召开村民代表大会，村党支部书记蓝晓梅作工作报告。"
                     "2024年，禾溪村村集体经济收入达173万元，全年接待游客8.4万人次。"),
    "care-2023.md": ("---\ntitle: 青枫县发放托育补贴\ndate: 2023-03-02\n---\n"
                     "青枫县对本县户籍家庭的三岁以下婴幼儿发放托育补贴，标准为每人每年2400元，按年发放。"),
    "care-2025.md": ("---\ntitle: 青枫县提高托育补贴标准\ndate: 2025-02-20\n---\n"
                     "青枫县对本县户籍家庭的三岁以下婴幼儿发放托育补贴，标准提高至每人每年3600元，按年发放。"
                     "新标准自2025年3月1日起执行，原有标准同时废止。"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("timeline"), DOCS)


TODAY = dt.date(2025, 6, 1)


def test_documents_get_their_dates(pipe):
    assert {d.id: d.date for d in pipe.documents()}["hexi-2025.md"] == "2025-01-12"


def test_the_newest_figure_leads_with_its_date_and_the_older_is_earlier(pipe):
    a = pipe.ask("禾溪村村集体经济收入是多少？", today=TODAY)
    assert a.answerable and "173万元" in a.citations[0].quote
    assert a.answer.startswith("据2025年1月12日报道")
    assert a.citations[0].status == "current" and a.citations[0].when == "2024"
    earlier = a.citations[-1]
    assert "94万元" in earlier.quote and earlier.status == "earlier" and earlier.when == "2022"
    assert "此前（2022年）" in a.answer
    assert not a.short_answer or "94" not in a.short_answer


def test_a_superseded_standard_never_leads_and_is_marked(pipe):
    a = pipe.ask("青枫县托育补贴每人每年多少钱？", today=TODAY)
    assert "3600元" in a.citations[0].quote and a.citations[0].status == "current"
    old = a.citations[-1]
    assert "2400元" in old.quote and old.status == "superseded" and old.changed_on == "2025-03-01"
    assert "被新标准取代" in a.answer
    assert not a.short_answer or "2400" not in a.short_answer


def test_the_current_office_holder(pipe):
    a = pipe.ask("禾溪村现任村党支部书记是谁？", today=TODAY)
    assert "蓝晓梅" in a.citations[0].quote
    assert not a.short_answer or "陶春生" not in a.short_answer


@pytest.mark.parametrize("question, today, want, not_want", [
    ("2022年禾溪村村集体经济收入是多少？", TODAY, "94万元", "173万元"),
    ("禾溪村去年村集体经济收入是多少？", TODAY, "173万元", "94万元"),  # 去年 = 2024 on 2025-06-01
    ("禾溪村前年村集体经济收入是多少？", dt.date(2024, 5, 1), "94万元", "173万元"),  # 前年 = 2022 then
    ("调整前青枫县托育补贴每人每年多少钱？", TODAY, "2400元", "3600元"),
])
def test_a_question_about_the_past_gets_the_past(pipe, question, today, want, not_want):
    a = pipe.ask(question, today=today)
    assert a.answerable and want in a.citations[0].quote, a.answer
    assert not a.short_answer or not_want not in a.short_answer


def test_a_year_the_articles_do_not_reach_is_declined_with_the_latest_there_is(pipe):
    a = pipe.ask("2020年禾溪村村集体经济收入是多少？", today=TODAY)
    assert not a.answerable and "最新的是2024年" in a.answer


def test_one_article_alone_is_answered_as_before(fake_pipeline):
    (fake_pipeline.settings.corpus_dir / "one.md").write_text(
        "---\ndate: 2025-01-05\n---\n2024年，石门村村集体经济收入达61万元。2025年目标是村集体经济收入突破80万元。",
        encoding="utf-8")
    fake_pipeline.build()
    a = fake_pipeline.ask("石门村村集体经济收入是多少？", today=TODAY)
    assert all(c.status is None for c in a.citations) and not a.answer.startswith("据")


def test_spoken_dates():
    assert spoken(Date(2025, 1, 12), True) == "2025年1月12日"
    assert spoken(Date(2024), True) == "2024年"
    assert spoken(Date(2025, 3), False) == "Mar 2025"


def test_rag_ask_takes_the_asking_date(tmp_path, monkeypatch, capsys):
    import json

    from rag.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("hexi-2023.md", "hexi-2025.md"):
        (corpus / name).write_text(DOCS[name], encoding="utf-8")
    for key, value in (("RAG_MODEL", "fake-hashing"), ("RAG_CORPUS_DIR", corpus), ("RAG_INDEX_DIR", tmp_path / "i"),
                       ("RAG_CACHE_DIR", tmp_path / "c")):
        monkeypatch.setenv(key, str(value))
    assert main(["index"]) == 0
    capsys.readouterr()
    q = "禾溪村去年村集体经济收入是多少？"
    assert main(["ask", q, "--json", "--today", "2023-03-01"]) == 0  # 去年 = 2022
    got = json.loads(capsys.readouterr().out)
    assert "94万元" in got["citations"][0]["quote"] and got["citations"][0]["when"] == "2022"
    monkeypatch.setenv("RAG_TODAY", "2025-03-01")  # 去年 = 2024
    assert main(["ask", q, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert "173万元" in got["citations"][0]["quote"] and got["citations"][0]["status"] == "current"


def test_an_article_from_after_the_asking_date_is_not_yet_current(pipe):
    a = pipe.ask("禾溪村村集体经济收入是多少？", today=dt.date(2024, 6, 1))
    assert "94万元" in a.citations[0].quote and all(c.status is None for c in a.citations)
