"""A class an older article defines (一类节能灯具，是指…; 商业类包括…), asked by what it holds, is searched and
answered by its name, which a newer article writes alone; a class's name (二类) is part of a figure's label,
no quantity; a still-needed question gets no count in bold from a line that says it is needed no more.
Issue #19, dev sets 35 and 36. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.ambiguity import singled_out_fact
from rag.retrieve.defined import as_defined, definitions
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)
GUIDE = ("补贴的灯具分为两类：一类节能灯具，是指达到一级能效的吸顶灯，每台补贴40元；二类节能灯具，是指节能型台灯和护眼灯（学习灯），"
         "每件补贴15元。")
FEES = "收费标准：商业类每件300元。商业类包括商铺、写字楼及其附属的仓库、车位。"


def test_the_classes_a_text_defines():
    assert definitions([GUIDE, FEES]) == [("一类节能灯具", "达到一级能效的吸顶灯"),
                                          ("二类节能灯具", "节能型台灯和护眼灯（学习灯）"),
                                          ("商业类", "商铺、写字楼及其附属的仓库、车位")]


@pytest.mark.parametrize("question, want", [
    ("换个一级能效的吸顶灯能补多少钱？", "换个一级能效的吸顶灯（一类节能灯具）能补多少钱？"),
    ("买护眼灯现在补贴多少？", "买护眼灯（二类节能灯具）现在补贴多少？"),
    ("我租了个仓库，登记费多少？", "我租了个仓库（商业类），登记费多少？"),
])
def test_a_question_asked_by_what_a_class_holds(question, want):
    assert as_defined(question, [GUIDE, FEES]) == want


@pytest.mark.parametrize("question", ["县里现在一年用多少电？", "一类节能灯具现在补贴多少？"])
def test_a_question_of_no_class_or_naming_one_stays(question):
    assert as_defined(question, [GUIDE, FEES]) is None


def test_a_class_name_is_part_of_its_figures_label():
    text = "现将补贴标准调整如下：一类节能灯具补贴由每台40元提高至60元；二类节能灯具补贴由每件15元提高至25元。"
    fact = singled_out_fact("买护眼灯（二类节能灯具）现在补贴多少？", text, "number")
    assert fact is not None and text[fact[1]:fact[2]] == "15元"  # the change's old value: changed_to reads 25元


LAMPS = {
    "lamps-2020.md": ("---\ntitle: 买节能灯具 县里给补贴\ndate: 2020-05-12\n---\n"
                      "记者从县发改局获悉，从今年6月1日起，我县对居民家庭购买节能灯具给予补贴。\n\n" + GUIDE + "\n"),
    "lamps-2024.md": ("---\ntitle: 关于调整节能灯具补贴标准的通知\ndate: 2024-03-08\n---\n"
                      "经县人民政府同意，自2024年4月1日起，一类节能灯具补贴由每台40元提高至60元；二类节能灯具补贴由每件15元提高至25元。\n"),
    "bus-2024.md": ("---\ntitle: 公交新线开通\ndate: 2024-05-02\n---\n县城新开通公交9路，票价每人次2元。\n"),
}


def test_a_newer_figure_of_the_class_answers(tmp_path):
    a = hashing_pipeline(tmp_path, LAMPS).ask("买护眼灯现在能补贴多少钱？", today=TODAY)
    assert a.answerable and "25元" in a.answer.split("此前")[0], a.answer
    assert a.short_answer in (None, "25元"), a.short_answer  # never the first class's 60元
    assert "（二类节能灯具）" in (a.searched_question or ""), a.searched_question  # shown as what was searched


WINDOWS = {
    "windows-2021.md": ("---\ntitle: 二手房过户一窗办\ndate: 2021-04-15\n---\n"
                        "榴川融媒讯 从4月12日起，市民办理二手房过户只需在一个综合窗口提交材料，不用再在住建、税务、登记3个窗口之间来回跑。\n"),
}


def test_a_still_question_gets_no_count_from_what_is_needed_no_more(tmp_path):
    a = hashing_pipeline(tmp_path, WINDOWS).ask("办二手房过户，还要在住建、税务、登记几个窗口来回跑吗？", today=TODAY)
    assert a.answerable and a.short_answer is None, (a.short_answer, a.answer)


# the hours before a change, told only by the notice's line that ends them; a report repeats the new closing time
HALL = {
    "hours-2024.md": ("---\ntitle: 关于延长税务服务大厅工作日办公时间的公告\ndate: 2024-05-20\n---\n"
                      "自2024年6月1日起，县税务服务大厅工作日办公时间延长至18:00，即周一至周五8:30-18:00（中午不休）；"
                      "周六9:00-12:00照常办公。原周一至周五8:30-17:00的办公时间不再执行。\n"),
    "report-2025.md": ("---\ntitle: 县政府工作报告\ndate: 2025-01-14\n---\n"
                       "过去一年，县税务服务大厅工作日延时至18:00，新办企业涉税事项当天办结。\n"),
}


def test_the_hours_before_a_change_are_the_line_that_ends_them(tmp_path):
    a = hashing_pipeline(tmp_path, HALL).ask("以前税务大厅工作日几点下班？", today=TODAY)
    assert a.answerable and "8:30-17:00" in a.answer, a.answer


def test_hours_that_hold_the_others_are_the_same_value():
    from rag.answer.timeline import _same_value

    assert _same_value("18:00", "18:00、8:30-18:00、9:00-12:00")
    assert not _same_value("17:00", "18:00、8:30-18:00")
    assert not _same_value("6:00", "6:30、6:00、22:00、22:30")  # a change of the first bus from 6:30 to 6:00
    assert not _same_value("65元", "90元")


@pytest.mark.parametrize("question, want", [
    ("县里现在一年总共用多少水？", "县里现在用水总量多少？"),
    ("2021年全县一共用了多少水？", "2021年全县用水总量多少？"),
    ("家里一年用水不超过150方，这部分水一方多少钱？", "家里一年用水不超过150立方米，这部分水每立方米多少钱？"),
])
def test_water_asked_as_bulletins_write_it(question, want):
    from rag.retrieve.officialese import officialese

    assert officialese(question) == want


@pytest.mark.parametrize("question", ["水费一年交了多少？", "这是3方面的问题吗？"])
def test_other_water_words_stay(question):
    from rag.retrieve.officialese import officialese

    assert officialese(question) is None


TIERS = ["第一阶梯：年用气量300立方米（含）以内，每立方米2.61元；", "第二阶梯：年用气量300至600立方米（含），每立方米3.13元；",
         "第三阶梯：年用气量600立方米以上，每立方米3.92元。"]


@pytest.mark.parametrize("question, tier", [
    ("家里一年用气不超过300立方米，这部分气每立方米多少钱？", "（第一阶梯）"),
    ("一年用气超过600立方米，超出的部分每立方米多少钱？", "（第三阶梯）"),
])
def test_a_quantity_asked_falls_in_one_tier(question, tier):
    assert tier in as_defined(question, TIERS)


@pytest.mark.parametrize("question", ["一年用气500立方米，每立方米多少钱？", "一年用气700立方米以内，要交多少钱？"])
def test_a_quantity_that_tells_no_one_tier_adds_none(question):
    assert as_defined(question, TIERS) is None  # no 以内 / 超过, or across two tiers


GAS = {
    "gas-guide-2019.md": ("---\ntitle: 县城居民管道燃气阶梯气价办事指南\ndate: 2019-04-02\n---\n" + "\n\n".join(TIERS) + "\n"),
    "gas-2021.md": ("---\ntitle: 关于调整居民管道燃气价格的通知\ndate: 2021-06-20\n---\n"
                    "经县人民政府批准，现将居民管道燃气价格调整如下：第一阶梯气价由每立方米2.61元调整为2.79元，"
                    "第二阶梯气价由每立方米3.13元调整为3.35元，第三阶梯气价由每立方米3.92元调整为4.19元。\n"),
    "gas-2025.md": ("---\ntitle: 关于再次调整居民管道燃气价格的通知\ndate: 2024-12-10\n---\n"
                    "经县人民政府批准，自2025年1月1日起，第一阶梯气价由每立方米2.79元调整为2.95元，"
                    "第二阶梯气价由每立方米3.35元调整为3.54元，第三阶梯气价由每立方米4.19元调整为4.43元。\n"),
}


def test_a_tier_asked_by_quantity_gets_its_newest_price(tmp_path):
    a = hashing_pipeline(tmp_path, GAS).ask("一年用气超过600立方米，超出的部分现在每立方米多少钱？", today=TODAY)
    assert a.answerable and "4.43元" in a.answer.split("此前")[0], a.answer
    assert a.short_answer in (None, "4.43元"), a.short_answer  # never 3.92元 nor 4.19元, and no other tier's
