"""Who holds a post now is the appointee, not the one a 任免 notice removes; a growth rate does not
answer a question for a level; a year's figure "at comparable prices" is no standard that a newer
report replaces (issue #19, fifth dev set). Invented places, people and figures."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rag.answer.evidence import rate_unasked
from rag.answer.policy import AnswerPolicy
from rag.answer.timeline import _STANDARD_SAID, _holder_first
from tests.helpers import hashing_pipeline

NOTICE = ("---\ntitle: 青禾县人民政府关于人员任免的通知\ndate: 2024-03-08\n---\n"
          "经县人民政府研究决定：\n免去蓝启德的县水利局局长职务（退休）。\n任命邬晓川为县水利局局长；\n"
          "任命岑雨为县文化馆馆长；\n免去陶立的县文化馆馆长职务（另有任用）。\n")


def _cand(text):
    return SimpleNamespace(text=text, doc=SimpleNamespace(date="2024-03-08"))


def test_the_appointee_of_the_same_post_leads_over_a_removal():
    q = SimpleNamespace(kind="person")
    removal, other, same = _cand("免去蓝启德的县水利局局长职务（退休）。"), _cand("任命岑雨为县文化馆馆长；"), \
        _cand("任命邬晓川为县水利局局长；")
    assert _holder_first(q, [removal, other, same], AnswerPolicy())[0] is same
    assert _holder_first(q, [removal, other], AnswerPolicy())[0] is removal  # another post's appointee: as it was
    assert _holder_first(SimpleNamespace(kind="number"), [removal, same], AnswerPolicy())[0] is removal


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("holder"), {"renmian-2024.md": NOTICE})


def test_who_holds_the_post_now(pipe):
    a = pipe.ask("县水利局局长是谁？", today=dt.date(2025, 6, 1))
    assert a.answerable and "邬晓川" in a.citations[0].quote, a.answer
    assert not a.short_answer or "蓝启德" not in a.short_answer


def test_who_held_it_before(pipe):
    a = pipe.ask("原来的县水利局局长是谁？", today=dt.date(2025, 6, 1))
    assert a.answerable and "蓝启德" in a.answer, a.answer


@pytest.mark.parametrize("question, sentence, value, unasked", [
    ("青禾县地区生产总值是多少？", "全县地区生产总值年均增长6.1%，城乡居民收入比缩小至1.63。", "6.1%", True),
    ("青禾县地区生产总值是多少？", "全县实现地区生产总值88.2亿元，同比增长5.3%。", "88.2亿元", False),
    ("青禾县地区生产总值增长多少？", "全县实现地区生产总值88.2亿元，同比增长5.3%。", "5.3%", False),
    ("青禾县的城镇化率是多少？", "全县城镇化率达到61.4%。", "61.4%", False),
    ("By how much did the county's output grow?", "全县工业总产值增长8%。", "8%", False),
    ("青禾县财政收入是多少？", "一般公共预算收入同比增长7.2亿元。", "7.2亿元", True),  # the increase, not the level
])
def test_a_rate_does_not_answer_for_a_level(question, sentence, value, unasked):
    start = sentence.index(value)
    assert rate_unasked(question, sentence, start, start + len(value)) is unasked


def test_comparable_prices_are_no_standard():
    assert not _STANDARD_SAID.search("初步核算，2024年全县实现地区生产总值88.2亿元，按可比价格计算，比上年增长5.6%。")
    assert _STANDARD_SAID.search("城乡居民医保个人缴费标准为每人每年400元。")


@pytest.mark.parametrize("question, sentence, figure", [
    ("中心现在有多少个综合窗口？", "搬迁后，新中心大厅面积1.2万平方米，设综合窗口64个，进驻部门30个。", "64个"),
    ("中心现在有多少个综合窗口？", "中心现有部门20个、综合受理窗口38个进驻。", "38个"),
    ("中心现在有多少个综合窗口？", "中心在12个窗口试行午间服务。", None),  # some windows, not the 综合 ones
    ("中心有几个停车位？", "中心设有停车位300个。", "300个"),
    ("居住证多少个工作日能办好？", "办理时限为7个工作日。", None),  # a duration, not a thing counted
])
def test_the_figure_of_the_thing_counted(question, sentence, figure):
    from rag.answer.version_value import counted_figure

    assert counted_figure(question, sentence) == figure


HOSPITALS = {
    "renmin-2024.md": ("---\ntitle: 青禾县人民医院新门诊楼启用\ndate: 2024-05-10\n---\n"
                       "青禾县人民医院院长蓝启德介绍，新门诊楼设诊室120间。"),
    "zhongyi-2025.md": ("---\ntitle: 青禾县中医院康复大楼投用\ndate: 2025-09-02\n---\n"
                        "县中医院院长邬晓川介绍，康复大楼设床位200张。"),
}


def test_a_body_of_the_place_is_told_from_its_neighbours(tmp_path):
    from rag.answer.evidence import key_entities

    assert "人民医院" in key_entities("县人民医院院长现在是谁？")
    pipe = hashing_pipeline(tmp_path, HOSPITALS)
    a = pipe.ask("县人民医院院长现在是谁？", today=dt.date(2026, 1, 1))
    assert "邬晓川" not in (a.short_answer or "") and not (a.citations and "邬晓川" in a.citations[0].quote), a.answer


@pytest.mark.parametrize("line, who", [
    ("原村党支部书记邵川因年龄原因不再参选。", ""),
    ("原局长蓝启德到龄退休。", ""),
    ("经选举，庞溪当选为村党支部书记，并经村民选举担任村委会主任。", "庞溪"),
    ("因年龄原因，原标准同时废止。", None),  # 原因, 原标准: no post
])
def test_a_former_holder_line_names_no_holder(line, who):
    from rag.answer.version_value import appointed

    assert appointed(line) == who


def test_what_a_post_holder_is_called_asks_for_a_person():
    from rag.answer.span import question_type

    assert question_type("青石村现在的支书叫什么？") == "person"
    assert question_type("这种茶叫什么？") != "person"


ELECTION = {
    "tea-2022.md": ("---\ntitle: 青石村：小茶叶做成大产业\ndate: 2022-04-12\n---\n"
                    "4月10日，青石村党支部书记、村委会主任邵川在茶垄间查看新芽长势。全村茶园面积1800亩。"),
    "vote-2025.md": ("---\ntitle: 青石村选出新一届村“两委”班子\ndate: 2025-03-28\n---\n"
                     "3月26日，青石村召开党员大会和村民代表会议。经选举，庞溪当选为村党支部书记，并担任村委会主任。"
                     "原村党支部书记邵川因年龄原因不再参选。"),
    "expo-2024.md": ("---\ntitle: 白沙镇举办茶文化节\ndate: 2024-05-02\n---\n"
                     "白沙镇第三届茶文化节开幕，镇党委书记葛南出席。"),
}


def test_the_former_holder_line_never_answers_who_holds_it_now(tmp_path):
    pipe = hashing_pipeline(tmp_path, ELECTION)
    a = pipe.ask("青石村党支部书记现在是谁？", today=dt.date(2026, 1, 1))
    assert a.answerable and "庞溪" in a.citations[0].quote, a.answer
    assert "邵川" not in (a.short_answer or "")


def test_a_month_and_day_is_no_figure():
    from rag.answer.version_value import value_of

    q = SimpleNamespace(kind="number", query="青石村村集体经济收入是多少？", span_q="青石村村集体经济收入是多少？")
    c = SimpleNamespace(text="青禾融媒讯 1月6日，白沙镇青石村召开2025年度村民代表会议，通报集体经济收支。")
    assert value_of(q, c) is None


REPORTS = {
    "report-2024.md": ("---\ntitle: 2024年青禾县政府工作报告\ndate: 2024-01-15\n---\n"
                       "2023年，全县实现地区生产总值126.9亿元，同比增长5.2%。"),
    "report-2026.md": ("---\ntitle: 2026年青禾县政府工作报告\ndate: 2026-01-14\n---\n"
                       "2025年全县实现地区生产总值151.2亿元，同比增长5.4%。"
                       "全县地区生产总值等主要指标稳中有进，我们持续办好民生实事：高龄津贴标准提高，80至89周岁老人每人每月80元。"),
}


def test_a_reports_own_year_figure_is_its_newest_version(tmp_path):
    pipe = hashing_pipeline(tmp_path, REPORTS)
    a = pipe.ask("青禾县的地区生产总值最新是多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "151.2亿元" in a.citations[0].quote, a.answer


def test_an_articles_undated_sentence_is_no_newer_version_than_its_dated_figure():
    from rag.answer.timeline import Version, _said
    from rag.dates import Date

    doc = SimpleNamespace(id="r.md", date="2026-01-14")
    other = SimpleNamespace(id="o.md", date="2024-01-15")
    figure = Version(SimpleNamespace(doc=doc), Date(2025), "151.2亿元")
    undated = Version(SimpleNamespace(doc=doc), Date(2026, 1, 14), "80元")
    older = Version(SimpleNamespace(doc=other), Date(2024, 1, 15), "126.9亿元")  # another article's: stays
    assert _said([figure, undated, older]) == [figure, older]


def test_a_figure_at_the_end_of_a_cell_is_no_rate():
    text = "社区：柳塘社区；养老床位：33"
    assert not rate_unasked("柳塘社区有多少张养老床位？", text, len(text) - 2, len(text))


def test_visits_are_not_people():
    from rag.answer.evidence import unit_matches

    assert not unit_matches("青石村的小学有多少名学生？", "青石村接待游客约12万人次。")
    assert unit_matches("青石村的小学有多少名学生？", "全校共有学生326人。")


def _post_answer(quote, short, answer_text=None):
    from rag.types import Answer, Citation, ShortPart

    start = quote.index(short)
    cite = Citation(1, "d.md", "", "2025-09-18", "d.md", quote, 100, 100 + len(quote))
    return Answer("q", answer_text or quote + "[1]", short, True, (cite,),
                  short_parts=(ShortPart(short, "d.md", 100 + start, 100 + start + len(short)),))


def test_the_post_someone_moved_to_is_the_post_now():
    from rag.answer.version_value import post_now

    quote = "邵青同志不再担任白沙镇党委书记职务，调任县住房和城乡建设局局长。"
    a = post_now(_post_answer(quote, "白沙镇党委书记"), "邵青现在担任什么职务？")
    assert a.short_answer == "县住房和城乡建设局局长" and a.short_parts[0].start == 100 + quote.index("县住房")
    gone = post_now(_post_answer("邵青同志不再担任白沙镇党委书记职务。", "白沙镇党委书记"), "邵青现在担任什么职务？")
    assert gone.short_answer is None  # left, and no new post said: no bold
    kept = post_now(_post_answer("邵青任白沙镇党委书记。", "白沙镇党委书记"), "邵青现在担任什么职务？")
    assert kept.short_answer == "白沙镇党委书记"


def test_better_than_expected_is_no_target():
    from rag.answer.version_time import TARGET

    assert not TARGET.search("全县上下稳中求进，主要指标好于预期：地区生产总值171.4亿元。")
    assert TARGET.search("主要预期目标是：地区生产总值增长5.5%左右。")


def test_a_plan_to_build_is_no_figure_reached():
    from rag.answer.version_time import TARGET

    assert TARGET.search("村党支部书记张三说，今年村里将新建晾晒大棚20个。")
    assert not TARGET.search("2025年全村柿饼产量620吨，比上年增长12%。")
