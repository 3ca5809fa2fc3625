"""The timeline step on the kinds of question a changing archive raises beyond a figure: a procedure
that moved and needs fewer papers, the post someone holds now, a standard asked for "今年7月起", and
a report whose later sentences speak of the year its first one names. A real index with the fake
embedder; invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest
from tests.helpers import hashing_pipeline

DOCS = {
    "permit-2022.md": ("---\ntitle: 渔船证办理须知\ndate: 2022-03-08\n---\n"
                       "申请办理渔船证，需到县农业农村局服务窗口提交申请表、户口本和船检证明，25个工作日内发证。"),
    "permit-2025.md": ("---\ntitle: 渔船证就近可办\ndate: 2025-02-17\n---\n"
                       "从3月起，蓼川县渔船证改为在各乡镇便民服务中心受理。船检机构直接上传检验结果，"
                       "申请人只需携带身份证，办理时限压缩至8个工作日。原在县农业农村局服务窗口受理的做法不再执行。"),
    "clinic-2022.md": ("---\ntitle: 蓼川县中医院新院长上任\ndate: 2022-05-10\n---\n"
                       "5月9日，蓼川县中医院召开职工大会，宣布牟清远任县中医院院长。"),
    "clinic-2025.md": ("---\ntitle: 县中医院院长调整\ndate: 2025-01-20\n---\n"
                       "1月18日，县卫健局宣布，季兰芳任县中医院院长，牟清远调任县卫健局副局长。"),
    "fish-2023.md": ("---\ntitle: 蓼川县发放渔民燃油补贴\ndate: 2023-04-02\n---\n"
                     "自2023年5月1日起，蓼川县持证渔民的燃油补贴为每船每年1800元，按年发放。"),
    "fish-2024.md": ("---\ntitle: 蓼川县调整渔民燃油补贴\ndate: 2024-06-05\n---\n"
                     "蓼川县调整渔民燃油补贴：持证渔民由每船每年1800元调整为每船每年2600元。\n\n"
                     "新标准自2024年7月1日起执行，原有标准同时废止。"),
    "reed-2023.md": ("---\ntitle: 芦湾村去年莲子丰收\ndate: 2024-01-19\n---\n"
                     "2023年，芦湾村莲子产量达320吨。村里新建莲子加工厂1座，可日加工莲子15吨。"),
    "reed-2024.md": ("---\ntitle: 芦湾村莲子产量再创新高\ndate: 2025-01-23\n---\n"
                     "2024年，芦湾村莲子产量410吨，比上年增加90吨。"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("temporal-steps"), DOCS)


TODAY = dt.date(2025, 6, 15)


def test_a_changed_procedure_is_told_from_the_newer_article_with_the_old_one_superseded(pipe):
    a = pipe.ask("现在办理渔船证需要带什么材料？", today=TODAY)
    assert a.answerable and "只需携带身份证" in a.answer
    lead = a.citations[0]
    assert lead.doc_id == "permit-2025.md" and lead.status == "current"
    assert "乡镇便民服务中心" in lead.quote  # the paragraph, not one sentence of it
    old = [c for c in a.citations if c.doc_id == "permit-2022.md"]
    assert old and old[0].status == "superseded"
    assert not a.short_answer or "户口本" not in a.short_answer


def test_where_to_apply_now_is_the_newer_counter(pipe):
    a = pipe.ask("渔船证现在到哪里办理？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "permit-2025.md"
    assert "乡镇便民服务中心" in a.citations[0].quote


def test_the_post_someone_holds_now(pipe):
    a = pipe.ask("牟清远现在担任什么职务？", today=TODAY)
    assert a.answerable and "县卫健局副局长" in a.answer


def test_a_standard_asked_from_a_month_of_this_year(pipe):
    a = pipe.ask("今年7月起，渔民燃油补贴每船每年多少钱？", today=dt.date(2024, 7, 20))
    assert a.answerable and "2600元" in a.citations[0].quote
    assert not a.short_answer or "1800" not in a.short_answer


def test_a_sentence_after_a_year_speaks_of_that_year(pipe):
    a = pipe.ask("芦湾村去年莲子产量多少吨？", today=TODAY)
    assert a.answerable and "410吨" in a.citations[0].quote
    assert not a.short_answer or "320" not in a.short_answer
    old = pipe.ask("芦湾村前年莲子产量多少吨？", today=TODAY)
    assert old.answerable and "320吨" in old.citations[0].quote


def test_where_one_applied_before_is_the_older_counter_marked_replaced(pipe):
    a = pipe.ask("以前渔船证在哪里办理？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "permit-2022.md"
    assert "县农业农村局服务窗口" in a.citations[0].quote and a.citations[0].status == "superseded"


def test_only_a_sentence_that_says_what_no_longer_applies_is_no_version():
    from rag.answer.candidates import Candidate
    from rag.answer.changes import abolishes_only as _abolishes
    from rag.types import Document

    new_value = "蓼川县渡船票价调整为每人每次3元，2021年公布的票价同时废止。"
    old_way = "原在码头售票亭购票的做法不再执行。"
    doc = Document("ferry-2025", new_value + old_way, "蓼川县调整渡船票价", "2025-03-01")
    cut = len(new_value)
    assert not _abolishes(Candidate(0, None, doc, 0, cut))
    assert _abolishes(Candidate(0, None, doc, cut, len(doc.text)))
