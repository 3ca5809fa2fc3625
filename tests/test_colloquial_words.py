"""A citizen's question carries words that say how or when it is asked, not what about (现在, 几天,
能办, 下来, 一共, 要花…钱): the articles' answering sentence holds none of them, and they must not count
against it when the checks ask how much of the question it holds. A count of firms asked in 家 is
answered in 户, and 个体户 is read as the articles write it (个体工商户). Issue #19, dev sets 27 and 28.
Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.focus import asking_only
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("term", ["现在", "如今", "几天", "多大", "下来", "能办", "一共", "上要", "钱"])
def test_words_of_the_asking(term):
    assert asking_only(term)


@pytest.mark.parametrize("term", ["报停", "免票", "岁数", "居住证", "环保", "个体", "支出", "上学"])
def test_words_of_the_topic(term):
    assert not asking_only(term)


# an invented town's residence permits: the time limit cut by a notice
PERMITS = {
    "permit-2021.md": ("---\ntitle: 棠汐镇便民服务中心办事指南\ndate: 2021-03-02\n---\n"
                       "棠汐镇便民服务中心设在镇政府一楼，受理户籍、社保和居住证业务。\n"
                       "居住证办理时限为10个工作日，申请人需提交租房合同和近期照片。\n"),
    "permit-2025.md": ("---\ntitle: 关于压缩居住证办理时限的通知\ndate: 2025-04-18\n---\n"
                       "自2025年5月1日起，居住证办理时限由10个工作日缩短为3个工作日，租房合同可在网上核验。\n"),
}


def test_a_question_in_a_citizens_words_is_answered(tmp_path):
    a = hashing_pipeline(tmp_path, PERMITS).ask("居住证现在几天能办下来？", today=TODAY)
    assert a.answerable, a.answer
    assert "3个工作日" in a.answer.split("此前")[0], a.answer


# an invented district's self-employed businesses, counted in 户
TRADERS = {
    "bulletin-2025.md": ("---\ntitle: 2025年蓟沅区国民经济和社会发展统计公报\ndate: 2026-03-12\n---\n"
                         "年末全区实有市场主体5.93万户，其中个体工商户4.18万户，比上年末增长6.4%。\n"),
    "bulletin-2023.md": ("---\ntitle: 2023年蓟沅区国民经济和社会发展统计公报\ndate: 2024-03-15\n---\n"
                         "年末全区实有市场主体5.21万户，其中个体工商户3.66万户。\n"),
}


def test_firms_asked_in_jia_are_counted_in_hu(tmp_path):
    a = hashing_pipeline(tmp_path, TRADERS).ask("区里现在的个体户一共有多少家？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "bulletin-2025.md", a.answer
    assert a.short_answer in (None, "4.18万户"), a.answer
    assert "3.66万户" not in (a.short_answer or ""), a.answer


# an invented city's river chiefs: one river's chief replaced, a line that names the others' chiefs
RIVERS = {
    "chiefs-2023.md": ("---\ntitle: 关于调整市级河长的通知\ndate: 2023-04-10\n---\n"
                       "经研究，栎塘河市级河长由副市长禚安澜同志担任，蒿溪市级河长仍由凤明远同志担任。\n"),
    "qiantang-2025.md": ("---\ntitle: 栎塘河迎来新任市级河长\ndate: 2025-09-16\n---\n"
                         "9月15日，全市河长制工作会议宣布，副市长禚安澜不再担任栎塘河市级河长，由副市长宓书禾接任。\n"
                         "蒿溪市级河长凤明远、沙洄河市级河长井如川保持不变。\n"),
}


def test_a_line_naming_other_rivers_chiefs_does_not_answer_for_this_river(tmp_path):
    from rag.answer.evidence import rival_named

    assert rival_named("栎塘河", "蒿溪市级河长凤明远、沙洄河市级河长井如川保持不变。")
    assert not rival_named("栎塘河", "由副市长宓书禾接任栎塘河市级河长。")
    a = hashing_pipeline(tmp_path, RIVERS).ask("栎塘河现在的市级河长是谁？", today=TODAY)
    assert a.short_answer not in ("凤明远", "井如川"), a.answer


# an invented town's service centre: its address told once, the centre named again in later reports
CENTRE = {
    "centre-2021.md": ("---\ntitle: 棠汐镇便民服务中心启用\ndate: 2021-04-26\n---\n"
                       "4月26日，位于棠汐镇梓桥路41号的镇便民服务中心正式启用，社保、民政等事项“进一扇门”。\n"
                       "养老保险待遇申领改在便民服务中心2号窗口办理。\n"),
    "report-2026.md": ("---\ntitle: 棠汐镇政府工作报告\ndate: 2026-02-10\n---\n"
                       "五年来，我们建成镇便民服务中心，高频事项从“跑窗口”变成“掌上办”；全镇九个村全部通硬化路。\n"),
    "notice-2025.md": ("---\ntitle: 关于镇便民服务中心窗口调整办公时间的公告\ndate: 2025-05-20\n---\n"
                       "自2025年6月1日起，镇便民服务中心窗口工作日午间不休息。\n"),
}


@pytest.mark.parametrize("text, found", [("位于棠汐镇梓桥路41号的", "桥路41号"), ("仍在梧桐大道188号。", "桐大道188号"),
                                         ("地铁1号线", None), ("便民服务中心2号窗口", None)])
def test_a_street_address(text, found):
    from rag.answer.evidence import ADDRESS

    m = ADDRESS.search(text)
    assert (m.group() if m else None) == found


@pytest.mark.parametrize("question", ["镇便民服务中心在哪儿？", "镇便民服务中心在哪条路上？"])
def test_where_is_answered_by_the_address_not_a_later_mention(tmp_path, question):
    a = hashing_pipeline(tmp_path, CENTRE).ask(question, today=TODAY)
    assert a.answerable and "梓桥路41号" in a.answer.split("此前")[0], a.answer


@pytest.mark.parametrize("text, span, question, whole", [
    ("人才驿站位于梓桥路73号二楼。", "梓桥路", "人才驿站在什么地方？", "梓桥路73号"),
    ("乘坐2路车到终点站。", "2路", "坐几路车？", "2路"),
    ("位于梓桥路3号楼。", "梓桥路", "在哪儿？", "梓桥路")])
def test_a_road_keeps_its_house_number(text, span, question, whole):
    from rag.answer.widen import widen

    at = text.find(span)
    assert text[slice(*widen(text, at, at + len(span), question))] == whole
