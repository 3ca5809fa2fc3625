"""What a version of a figure says and of which time (issue #19, dev sets 8 and 9): a change (比前年多了
34万元) is no level; a mark passed (首次突破百万元) gives way to its year's figure; a village's 2024年度
accounts posted on 1月18日 are 2024's. Invented places and figures."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.answer.evidence import rate_unasked
from rag.answer.timeline import Version, _precise
from rag.dates import Date, sentence_time


def test_a_change_over_a_year_is_no_level():
    text = "青石村村集体经济收入比前年多了34万元。"
    start = text.index("比前年")
    assert rate_unasked("青石村现在村集体一年收入多少？", text, start, text.index("。"))
    assert rate_unasked("青石村现在村集体一年收入多少？", text, text.index("34"), text.index("。"))
    level = "2025年青石村村集体经济收入146万元。"
    assert not rate_unasked("青石村现在村集体一年收入多少？", level, level.index("146"), level.index("。"))
    assert not rate_unasked("青石村村集体收入比前年多了多少？", text, start, text.index("。"))  # a change asked


def test_a_years_accounts_posted_the_next_january_are_that_years():
    said = "青禾融媒讯 1月18日，青石村在村部公开栏贴出2024年度村务公开表，村集体经济收入首次突破百万元。"
    assert sentence_time(said, Date(2025, 1, 20)) == Date(2024)
    assert sentence_time("1月18日，青石村召开村民代表大会。", Date(2025, 1, 20)) == Date(2025, 1, 18)


def _v(text: str, value: str, year: int) -> Version:
    return Version(SimpleNamespace(text=text), Date(year), value)


def test_a_mark_passed_gives_way_to_the_figure_of_its_year():
    crossed = _v("村集体经济收入首次突破百万元。", "首次突破百万元", 2024)
    given = _v("一、2024年村集体经济收入一百二十六万元；", "一百二十六万元", 2024)
    older = _v("2023年村集体经济收入96万元。", "96万元", 2023)
    assert _precise([crossed, given, older]) == [given, older]
    assert _precise([crossed, older]) == [crossed, older]  # the only word of its year: kept


LISTED = {
    "qingshi-2024-report.txt": ("青石村集体收入突破百万元\n\n青禾融媒 2025年1月18日讯 1月17日，青石村在村部公开栏贴出村务公开表。\n\n"
                                "据村务公开表，青石村2024年主要指标如下：\n\n一、村集体经济收入一百二十六万元；\n二、黄桃产量3100吨；\n"
                                "三、接待采摘游客4.2万人次。\n"),
    "qingshi-2025-news.md": ("---\ntitle: 青石村黄桃加工车间投产\ndate: 2026-01-22\n---\n"
                             "去年，青石村黄桃产量3500吨，新建的黄桃加工车间开始生产黄桃罐头。\n"),
}


def test_a_list_items_year_is_its_lists(tmp_path):
    """二、黄桃产量3100吨 of a report posted on 2025年1月18日 is 2024's (its list opens 青石村2024年主要指标如下),
    older than 2025's 3500吨 told in 2026."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, LISTED)
    a = pipe.ask("青石村的黄桃现在一年产量多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "3500吨" in a.citations[0].quote, a.answer


def test_a_reports_past_year_is_the_year_before_it():
    assert sentence_time("过去一年，全县地区生产总值362.9亿元，比上年增长5.6%。", Date(2025, 1, 17)) == Date(2024)
    assert sentence_time("过去的一年，全县经济恢复向好。", Date(2024, 1, 10)) == Date(2023)
    assert sentence_time("过去五年，全县新增就业岗位3200个。", Date(2024, 1, 10)) == Date(2024, 1, 10)  # no one year


CORRECTED = {
    "qingshi-2023-report.md": ("---\ntitle: 青石村去年集体经济收入近140万元\ndate: 2024-01-20\n---\n"
                               "青禾融媒讯 1月18日，记者从白沙镇获悉，2023年，青石村村集体经济收入138万元；2023年全村接待游客11.8万人次。\n"),
    "qingshi-correction.md": ("---\ntitle: 更正\ndate: 2024-01-23\n---\n"
                              "本网1月20日刊发的《青石村去年集体经济收入近140万元》一文有误。"
                              "文中“2023年全村接待游客11.8万人次”有误，应为“2023年全村接待游客11.3万人次”。\n"),
}


def test_a_figure_a_correction_withdrew_never_leads(tmp_path):
    import datetime as dt

    from rag.answer.dating import withdrawn
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, CORRECTED)
    docs = [pipe.document(d) for d in CORRECTED]
    assert withdrawn("11.8万人次", "2023年全村接待游客11.8万人次。", docs)
    assert not withdrawn("11.3万人次", "2023年全村接待游客11.3万人次。", docs)
    a = pipe.ask("去年青石村接待了多少游客？", today=dt.date(2024, 6, 1))
    assert a.answerable and "11.3万人次" in (a.short_answer or ""), a.answer


def test_an_english_questions_versions_say_what_it_asks():
    from rag.answer.timeline import _on_topic

    q = SimpleNamespace(zh=False, topic=("gdp", "生产总值"))
    gdp = _v("去年全县地区生产总值362.9亿元，同比增长5.6%。", "362.9亿元", 2024)
    other = _v("孤儿基本生活保障标准两次提高。", "两次", 2025)
    assert _on_topic(q, [gdp, other]) == [gdp]
    assert _on_topic(q, [other]) == [other]  # none says it: as they were
    assert _on_topic(SimpleNamespace(zh=True, topic=()), [gdp, other]) == [gdp, other]


ABOLISHING = {
    "orphans-2021.md": ("---\ntitle: 关于提高孤儿基本生活保障标准的通知\ndate: 2021-12-20\n---\n"
                        "经县人民政府同意，自2022年1月1日起，散居孤儿由每人每月1100元提高至1300元。\n"),
    "orphans-2024.md": ("---\ntitle: 关于调整孤儿基本生活费的通知\ndate: 2024-12-16\n---\n"
                        "经县人民政府同意，自2025年1月1日起，散居孤儿基本生活费由每人每月1300元提高至1450元。\n"
                        "原《青禾县民政局关于提高孤儿基本生活保障标准的通知》同时废止。\n"),
}


def test_a_line_that_only_abolishes_sets_no_floor(tmp_path):
    """原《…孤儿基本生活保障标准的通知》同时废止 names the standard in full and states no value: the newer
    notice's 1450元, which names it in fewer words, is still a version, and leads."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, ABOLISHING)
    a = pipe.ask("孤儿基本生活保障标准里，散居孤儿现在每月多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "1450元" in a.citations[0].quote, a.answer


def test_a_corrections_value_is_the_one_after_its_right_word():
    from rag.answer.dating import said_right
    from rag.answer.evidence import duration_in

    fix = "本网3月15日刊发的《路边停车首小时6元》一文中，“免费停放时间由15分钟延长至30分钟”有误，应为“免费停放时间由15分钟延长至20分钟”。"
    assert duration_in(fix[said_right(fix):]) == "20分钟"
    assert said_right("申请人应为本市户籍居民。") is None  # 应为 that corrects nothing


def test_a_percentage_asked_wants_a_percentage():
    from rag.answer.evidence import unit_matches

    assert unit_matches("住院现在能报销百分之多少？", "政策范围内报销比例由55%提高至62%。")
    assert not unit_matches("住院现在能报销百分之多少？", "起付标准由1150元下调为890元。")
    assert unit_matches("报销比例是多少？", "报销比例提高到六成，即百分之六十。")
    assert unit_matches("二孩家庭贷款额度能上浮多少？", "最高贷款额度可上浮20%。")
    assert not unit_matches("二孩家庭贷款额度能上浮多少？", "这是贷款额度2015年以来首次上调。")


QA = {
    "hpf-2022.md": ("---\ntitle: 公积金贷款审批提速\ndate: 2022-04-12\n---\n"
                    "自5月1日起，青禾市公积金贷款审批时限由10个工作日压缩至7个工作日。\n"),
    "hpf-qa-2026.md": ("---\ntitle: 公积金能贷多少？租房怎么提取？市公积金中心答疑\ndate: 2026-04-08\n---\n"
                       "近日，不少市民来电咨询。\n\n问：贷款审批要多长时间？\n\n答：资料齐全的，3个工作日内审批完毕。\n"),
}


def test_a_qa_answer_is_read_with_its_question_and_its_title(tmp_path):
    """问：贷款审批要多长时间？ names no 公积金; the Q&A's title does."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, QA)
    a = pipe.ask("公积金贷款现在审批要几天？", today=dt.date(2026, 6, 1))
    assert a.answerable and "3个工作日" in a.citations[0].quote, a.answer


def test_the_measure_word_counted_in_is_no_word_a_version_must_hold():
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import Question
    from rag.answer.version_value import cover

    q = Question("2020年全县生猪出栏多少头？", "全县生猪出栏多少头？", True, "number", "全县生猪出栏多少头？",
                 {"头": 3.9, "全县": 0.9, "生猪": 2.3, "出栏": 2.6}, frozenset({"全县", "生猪", "出栏"}))
    p = AnswerPolicy()
    assert cover(q, "2020年全县生猪出栏13.2万头。", p) == cover(q, "去年全县生猪出栏158600头。", p)


def test_visitors_asked_want_a_count_of_people():
    from rag.answer.evidence import unit_matches

    assert unit_matches("九曲瀑现在一年来多少游客？", "九曲瀑景区接待游客46.1万人次。")
    assert not unit_matches("九曲瀑现在一年来多少游客？", "九曲瀑景区门票由每人68元调整为52元。")


def test_a_figure_told_of_another_numbered_line_answers_no_question_of_this_one():
    from rag.answer.evidence import other_numbered

    text = "2号线全长19.6公里，设车站15座，在市民中心站与1号线换乘。"
    assert other_numbered("地铁1号线全长多少公里？", text, text.index("19.6"))
    assert not other_numbered("地铁2号线全长多少公里？", text, text.index("19.6"))
    line1 = "1号线起于北湖站、止于云门站，全长27.4公里。"
    assert not other_numbered("地铁1号线全长多少公里？", line1, line1.index("27.4"))
    assert not other_numbered("地铁全长多少公里？", text, text.index("19.6"))  # none asked


def test_a_deadline_is_not_the_time_a_standard_is_of():
    assert sentence_time("2021年全县耕地地力保护补贴标准为每亩112.3元，6月20日前发放到户。", Date(2021, 5, 28)) == Date(2021)
    assert sentence_time("请于6月30日前提交申请。", Date(2021, 5, 28)) == Date(2021, 5, 28)  # the article's day


def test_a_length_in_centimetres_and_a_ratio_are_what_they_ask():
    from rag.answer.evidence import unit_matches
    from rag.answer.focus import measure_fits

    assert measure_fits("这种果实的长度约是多少厘米？", "果实长约15至20厘米。")
    assert measure_fits("这种草的全长是多少厘米？", "全长2cm。")
    assert unit_matches("目前学校男女生比例是多少？", "男女生比例为1：7。")


def test_a_years_final_figure_over_its_preliminary_one():
    from rag.answer.timeline import _final

    prelim = _v("初步核算，2024年全区地区生产总值768.5亿元。", "768.5亿元", 2024)
    final = _v("经最终核实，2024年全区地区生产总值为774.1亿元。", "774.1亿元", 2024)
    compared = _v("最终核实数比初步核算数768.5亿元增加5.6亿元。", "768.5亿元", 2024)
    older = _v("2023年全区地区生产总值721.3亿元。", "721.3亿元", 2023)
    assert _final([prelim, final, compared, older]) == [final, older]
    assert _final([prelim, older]) == [prelim, older]  # no final figure: the preliminary one stands


CLINIC = {
    "clinic-2021.md": ("---\ntitle: 青禾市卫生健康局关于规范村卫生室服务时间的通知\ndate: 2021-04-12\n---\n"
                       "为方便群众就近看病，现对全市村卫生室服务时间统一规定如下：\n\n"
                       "一、村卫生室每周一至周六开诊，上午8:00至11:30，下午14:00至17:00，周日休息。\n"),
    "clinic-2024.txt": ("村卫生室延长开诊时间 周日上午也能看病\n\n青禾融媒2024年4月8日讯 记者从市卫生健康局获悉，自4月15日起，"
                        "全市村卫生室开诊时间调整为上午7:30至11:30，下午14:30至18:00，周日上午8:00至11:00增加开诊。\n\n"
                        "市卫生健康局有关负责人说，调整后早上可以赶在下地干活前看病，下午下班后也来得及取药。\n"),
}


@pytest.mark.parametrize("question, hours", [("村卫生室下午几点到几点看病？", "14:30至18:00"),
                                             ("村里的卫生室早上几点开门？", "7:30至11:30")])
def test_the_hours_asked_are_a_sentence_that_gives_hours(tmp_path, question, hours):
    import datetime as dt

    from tests.helpers import hashing_pipeline

    a = hashing_pipeline(tmp_path, CLINIC).ask(question, today=dt.date(2026, 6, 1))
    assert a.answerable and hours in a.citations[0].quote, a.answer


def test_a_time_word_before_a_suffix_names_no_place():
    from rag.answer.evidence import key_entities

    assert not any(e.startswith("星期天") for e in key_entities("星期天村卫生室开不开门？"))


def test_a_table_cell_counts_the_thing_asked_and_asking_words_name_nothing():
    from rag.answer.evidence import key_entities
    from rag.answer.version_value import counted_figure

    assert counted_figure("全市现在还有多少个村卫生室？", "| 乡镇卫生院 | 17个 | || 村卫生室 | 196个 | 含新建中心村卫生室 |") == "196个"
    assert not any("几所" in e for e in key_entities("青川市现在有几所小学？"))


SPLIT = {
    "split-2023.md": ("---\ntitle: 青石街道分设 新设云台街道\ndate: 2023-07-21\n---\n"
                      "经市人民政府批准，将原青石街道的瓷窑、桔园等6个社区划出，设立云台街道。\n\n"
                      "调整后，青石街道辖8个社区，办事处仍驻青石路5号。\n"),
    "sorting-2020.md": ("---\ntitle: 青石街道垃圾分类全覆盖\ndate: 2020-09-08\n---\n"
                        "青禾融媒讯 青石街道14个社区全部实行定时定点投放。\n"),
}


def test_of_one_days_figures_the_one_after_the_change_is_now(tmp_path):
    import datetime as dt

    from tests.helpers import hashing_pipeline

    a = hashing_pipeline(tmp_path, SPLIT).ask("青石街道现在下面管着几个社区？", today=dt.date(2026, 6, 1))
    assert a.answerable and "8个社区" in a.citations[0].quote, a.answer


METRO = {
    "line1-2025.md": ("---\ntitle: 地铁1号线末班车延后\ndate: 2025-09-20\n---\n"
                      "自10月1日起，地铁1号线末班车由22:40延后至23:10。\n"),
    "line2-2026.md": ("---\ntitle: 地铁2号线开通\ndate: 2026-04-29\n---\n"
                      "2号线首班车6:10、末班车22:30，起步价与1号线相同。\n"),
}


def test_the_last_train_of_the_line_asked_not_of_another(tmp_path):
    import datetime as dt

    from tests.helpers import hashing_pipeline

    a = hashing_pipeline(tmp_path, METRO).ask("地铁1号线现在末班车几点？", today=dt.date(2026, 6, 1))
    assert a.answerable and "23:10" in a.answer and "22:30" not in a.answer, a.answer



def test_a_lone_change_leads_over_an_older_guides_figure():
    """The 2021 notice (由每人每月1050元提高至1250元) is the one version; the best sentence, a 2019 guide's
    1050元, reached no floor: the change leads."""
    from rag.answer.scoring import Question
    from rag.answer.timeline import _lone_change
    from rag.dates import Asked

    from rag.answer.candidates import Candidate
    from rag.types import Chunk, Document, Hit

    def cand(doc_id, date, text):
        doc = Document(doc_id, text, "", date, doc_id + ".md")
        return Candidate(0, Hit(Chunk(doc_id, 0, 0, len(text), text), 1.0), doc, 0, len(text))

    q = Question("散居孤儿基本生活费现在每人每月多少？", "散居孤儿基本生活费每人每月多少？", True, "number",
                 "散居孤儿基本生活费每人每月多少？", {"散居": 1.0}, frozenset())
    guide = cand("guide", "2019-08-15", "散居孤儿每人每月1050元；集中养育的孤儿每人每月1450元。")
    change = cand("notice", "2021-12-20", "自2022年1月1日起，散居孤儿基本生活费由每人每月1050元提高至1250元。")
    lone = Version(change, Date(2022, 1, 1), "1250元")
    assert _lone_change(q, Asked("current", words="现在"), [lone], [guide, change]) is lone
    assert _lone_change(q, Asked("past", words="原来"), [lone], [guide, change]) is None  # the past asked
    assert _lone_change(q, Asked("current", words="现在"), [lone], [change, guide]) is None  # it leads already
