"""What holds now, for a procedure (issue #19, dev sets' procedure kind): a feature's recollection of
the old way (以前办证要跑三趟…) never answers a question about today, and for a yes-no question about
a requirement (还要带照片吗) only the versions that speak of what is asked about compete. Invented
places, people and figures."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rag.answer.policy import AnswerPolicy
from rag.answer.timeline import Version, _now_first, _on_focus
from rag.dates import Date, tells_before


@pytest.mark.parametrize("sentence", [
    "以前补办渔船证要到县农业农村局排队，再等二十天左右才能拿到证。",
    "“过去办这个证，要跑三趟。”",
    "原来老人卡要到村委会申请，等一个月。",
    "Previously, applicants had to queue at the county office for two weeks.",
])
def test_a_sentence_that_opens_with_the_old_way_tells_before(sentence):
    assert tells_before(sentence)


@pytest.mark.parametrize("sentence", [
    "以前要等二十天，现在当场就能领证。",  # says what holds now too
    "原来由村委会受理的做法不再执行。",  # a change
    "过去五年，全县新增就业岗位3200个。",  # the last five years, not the old way
    "办理渔船证只需身份证，当场领证。",
    "据了解，以前要等二十天。",  # not its opening
])
def test_others_do_not(sentence):
    assert not tells_before(sentence)


def _cand(text: str, date: str = "2023-06-15"):
    return SimpleNamespace(text=text, start=0, doc=SimpleNamespace(id=date, date=date, text=text))


def test_the_old_way_goes_after_what_is_said_of_now():
    old_way = _cand("以前补办渔船证要到县农业农村局排队，再等二十天左右才能拿到证。")
    scene = _cand("5月8日，在青禾镇便民服务中心，刚补办完渔船证的渔民张三说。")
    guide = _cand("线下：全县9个便民服务中心均可办理，当场领证。", "2025-05-14")
    ranked = _now_first([old_way, scene, guide], AnswerPolicy())
    assert ranked == [scene, guide, old_way]
    # a best sentence that says what holds now: as it was
    assert _now_first([guide, old_way, scene], AnswerPolicy()) == [guide, old_way, scene]


def _version(text: str, year: int):
    return Version(_cand(text, f"{year}-04-08"), Date(year), text)


def test_only_versions_that_speak_of_the_thing_asked_compete():
    q = SimpleNamespace(focus={"照片": 2.5})
    opening = _version("青禾融媒讯 近日，不少市民来电咨询老年人优待证的办理问题。", 2026)
    photo = _version("办理时只需提供本人身份证，无需提交照片，窗口现场拍照。", 2024)
    assert _on_focus(q, [opening, photo]) == [photo]
    # none speaks of it, or the question has no focus: all stay
    assert _on_focus(q, [opening]) == [opening]
    assert _on_focus(SimpleNamespace(focus={}), [opening, photo]) == [opening, photo]


@pytest.mark.parametrize("sentence, duration", [
    ("办理时限由10个工作日缩短为3个工作日。", "3个工作日"),
    ("申请材料齐全的，当场办结，即来即办。", "当场"),
    ("5月8日，在青禾镇便民服务中心，刚办完证的张三说。", None),  # a date's day is no duration
    ("年满60周岁的本县户籍老人可以申请。", None),  # nor an age
    ("材料齐全的，7个工作日内制证。", "7个工作日"),
    ("首小时收费由3元调整为5元，之后每半小时由1元调整为2元；免费停放时间由15分钟延长至30分钟。", "30分钟"),
])
def test_the_duration_a_sentence_gives(sentence, duration):
    from rag.answer.evidence import duration_in

    assert duration_in(sentence) == duration


def test_a_duration_without_a_number_answers_how_many_days():
    from rag.answer.evidence import unit_matches

    assert unit_matches("办渔船证要等几天？", "渔船证实现当场办结。")
    assert unit_matches("办渔船证要等几天？", "材料齐全的，7个工作日内制证。")
    assert not unit_matches("办渔船证要等几天？", "渔船证改由镇便民服务中心受理。")
    assert not unit_matches("青禾村有多少人？", "青禾村当场签约。")  # a count is not a duration


def test_how_many_kuai_asks_a_price_in_yuan():
    from rag.answer.evidence import unit_matches

    assert unit_matches("青禾县城坐一趟公交要几块钱？", "县城公交票价每人每次2元。")
    assert not unit_matches("青禾村有几块耕地？", "县城公交票价每人每次2元。")  # 块 of land is a count


REPORTS = {
    "report-2024.md": ("---\ntitle: 政府工作报告\ndate: 2024-01-10\n---\n"
                       "过去的一年，全县经济恢复向好。2023年全县实现地区生产总值98.7亿元，增长6.0%；一般公共预算收入8.6亿元，增长4.7%。"),
    "report-2026.md": ("---\ntitle: 政府工作报告\ndate: 2026-01-13\n---\n"
                       "2025年是收官之年。全县地区生产总值117.8亿元，同比增长5.2%；一般公共预算收入9.9亿元，增长4.4%。"),
}


def test_a_citizens_one_year_is_no_reason_for_the_older_report(tmp_path):
    """现在一年的财政收入: the older report's "过去的一年" holds the question's 一年, the newer one's figure
    does not; the period asked says nothing of which report is current."""
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, REPORTS)
    a = pipe.ask("县里现在一年的财政收入有多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "9.9亿元" in a.citations[0].quote, a.answer


def test_within_how_long_is_all_question_words():
    """停多久以内免费: 以内 belongs to the question word, no word an answer must hold."""
    from rag.answer.focus import without_wh

    assert "以内" not in without_wh("青禾县路边停车停多久以内免费？")


def test_a_date_answers_no_how_long(tmp_path):
    """多久能批下来: 自2025年1月1日起… is when a standard changed, not how long an application takes."""
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, {
        "orphans-2024.md": ("---\ntitle: 关于调整孤儿基本生活费的通知\ndate: 2024-12-16\n---\n"
                            "自2025年1月1日起，申请青禾县孤儿基本生活费的散居孤儿每人每月由1300元提高至1450元。\n"),
        "orphans-guide.md": ("---\ntitle: 青禾县孤儿基本生活费申请指南\ndate: 2026-03-25\n---\n"
                             "县民政局自受理之日起15个工作日内作出决定。\n"),
    })
    a = pipe.ask("申请青禾县孤儿基本生活费多久能批下来？", today=dt.date(2026, 6, 1))
    assert a.answerable and "15个工作日" in a.citations[0].quote, a.answer


QA = {
    "allowance-2023.md": ("---\ntitle: 关于提高高龄老人生活补贴标准的通知\ndate: 2023-06-20\n---\n"
                          "经县人民政府同意，自2023年7月1日起提高全县高龄老人生活补贴标准：80至89周岁老人由每人每月60元提高至80元。\n"),
    "allowance-qa-2026.md": ("---\ntitle: 高龄老人生活补贴政策问答\ndate: 2026-04-08\n---\n"
                             "青禾融媒讯 近日，不少读者来信问起高龄老人生活补贴。\n\n"
                             "问：今年高龄老人生活补贴标准有变化吗？\n\n"
                             "答：今年标准不变，80至89周岁老人每人每月80元。\n"),
}


def test_a_qa_answer_is_read_with_its_question(tmp_path):
    """答：今年标准不变，80至89周岁老人每人每月80元 names the allowance only in its 问 line: read with it, it is
    the newest version, and leads; the floor is still set without 问 lines."""
    from rag.answer.candidates import asked_line
    from tests.helpers import hashing_pipeline

    text = QA["allowance-qa-2026.md"]
    assert asked_line(text, text.index("答：")) == "问：今年高龄老人生活补贴标准有变化吗？"
    assert asked_line(text, text.index("青禾融媒讯")) == ""
    pipe = hashing_pipeline(tmp_path, QA)
    a = pipe.ask("高龄老人生活补贴标准现在每月多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "今年标准不变" in a.citations[0].quote, a.answer
