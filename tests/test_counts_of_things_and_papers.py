"""Counts asked in a citizen's words: a thing counted with a verb after it (几个窗口办事), a count asked
of the subject with a clause after 个 (村卫生室现在有多少个能用医保看病), the number of papers a procedure
takes (要交几样材料), and what someone recalls of the old way (主任某某介绍，过去办…要带4件材料). Issue #19,
dev set 29. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("question, sentence, figure", [
    ("服务大厅现在有几个窗口办事？", "新大厅面积1900平方米，设综合窗口十八个，实行一窗受理。", "十八个"),  # 办事 is no noun
    ("服务大厅现在有几个窗口办事？", "大厅现有窗口9个，办理时间为周一至周五。", "9个"),
    ("卫生所现在有多少个能刷医保？", "全县纳入医保定点的卫生所达到318个，全部开通扫码结算。", "318个"),  # the subject is counted
    ("卫生所现在有多少个能刷医保？", "全县二百九十个卫生所已全部纳入医保定点管理。", "二百九十个"),
    ("有多少个综合窗口？", "其中7个窗口试行午间服务。", None),  # the qualifier must be written
])
def test_the_thing_counted_in_a_citizens_words(question, sentence, figure):
    from rag.answer.version_value import counted_figure

    assert counted_figure(question, sentence) == figure


@pytest.mark.parametrize("sentence, count", [
    ("理赔材料由原来的6项减为3项：身份证和银行卡。", "3项"),  # not the count the change started from
    ("申报材料由7项精简为4项。", "4项"),
    ("办理材料：身份证、户口簿、存折、承包合同、照片，共5项。", "5项"),
    ("申请人需提交3份材料。", "3份"),
    ("材料齐全的，5个工作日内办结。", None),  # days, not papers
])
def test_the_papers_a_procedure_takes(sentence, count):
    from rag.answer.version_value import asks_items, items_counted

    assert asks_items("现在要交几样材料？") and asks_items("上学报名要带啥材料？一共几样？")
    assert not asks_items("县博物馆一共收藏了多少件文物？")
    assert items_counted(sentence) == count


def test_what_someone_recalls_of_the_old_way_is_no_version():
    from rag.dates import tells_before

    assert tells_before("服务中心主任柏云舟介绍，过去办理转院备案要带5件材料到窗口，群众平均要跑3趟。")
    assert not tells_before("服务中心主任柏云舟介绍，现在办理转院备案只需2件材料。")
    assert not tells_before("柏云舟介绍，过去一年全县新增参保1.2万人。")  # the last year: no old way


# an invented county's papers for a transfer to a hospital elsewhere: cut from 5 to 2, and a later
# report that says the procedure is online and counts something else
TRANSFER = {
    "transfer-guide-2020.md": ("---\ntitle: 转外就医备案办事指南\ndate: 2020-04-10\n---\n"
                               "转外就医备案办理材料：身份证、社保卡、转诊证明、居住证明、申请表，共5件。\n"
                               "办理时限：材料齐全的，5个工作日内办结。\n"),
    "transfer-online-2024.md": ("---\ntitle: 转外就医备案掌上办\ndate: 2024-03-05\n---\n"
                                "从3月1日起，全县参保人员办理转外就医备案实行个人承诺制，在线提交后即时办结，"
                                "备案材料由原来的5件减为2件：身份证或社保卡，以及在线签署的承诺书。\n"),
    "report-2026.md": ("---\ntitle: 2026年县政府工作报告\ndate: 2026-01-12\n---\n"
                       "过去一年，转外就医备案全部网上办理，居民医保财政补助两次提标。\n"),
}


def test_the_papers_now_lead_over_a_later_line_without_their_count(tmp_path):
    a = hashing_pipeline(tmp_path, TRANSFER).ask("转外就医备案现在要准备几样材料？", today=TODAY)
    assert a.answerable, a.answer
    assert a.short_answer in (None, "2件"), a.answer
    assert "2件" in a.answer.split("此前")[0], a.answer


@pytest.mark.parametrize("question, sentence, fits", [
    ("家里人均月收入多少以下才能申请廉租房？", "申请材料由6份减为2份：申请表和身份证。", False),  # money asked, papers told
    ("家里人均月收入多少以下才能申请廉租房？", "家庭人均月收入标准由低于1800元放宽至低于2600元。", True),
    ("停车费现在多少？", "白天每小时3元。", True),
    ("停车费现在多少？", "共设泊位460个。", False),
    ("补贴多少人？", "共为1200人发放补贴。", True),  # a count of people: no sum asked
    ("门票现在多少？", "景区对所有游客免费开放。", True),
])
def test_a_sum_of_money_asked_by_what_it_is(question, sentence, fits):
    from rag.answer.evidence import unit_matches

    assert unit_matches(question, sentence) is fits


def test_incidents_are_counted_in_qi():
    from rag.answer.focus import counted_in, measure_fits
    from rag.answer.span import extract_short

    q = "去年全市110接警多少起？"
    assert counted_in(q) == "起"
    assert measure_fits(q, "去年全市110接警41.6万起，日均1140起。") and not measure_fits(q, "可拨打12345热线。")
    s = "2025年，全市刑事案件立案6120起，110接警41.6万起。"
    sp = extract_short(q, s, "number")
    assert sp is not None and s[sp[0]:sp[1]].endswith("起"), sp
