"""A question about a given year whose top passages are all of later years is searched again within
that year's articles (and the next year's, where a year's report is published): rag/answer/time_asked.py.
An English age band gives the amount of the age asked; a sentence about a neighbouring place answers
nothing about the place asked. Issue #19, dev sets 19-22. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

from rag.retrieve.filters import Filters
from rag.answer.time_asked import filters_for
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)
_TOPICS = ["馆藏档案数字化", "查档预约服务", "民国契约文书整理", "乡镇档案室规范化建设", "档案开放审核", "口述历史采集",
           "家谱资料征集", "档案库房改造", "红色档案展览", "档案安全检查", "电子档案单套制试点", "新修方志编纂"]


def _archive_news() -> dict[str, str]:
    """Many newer articles that name the archive's head (臧若溪), and one of 2020 that names the head then."""
    docs = {}
    for i in range(36):
        year, month = 2021 + i % 6, 1 + i % 12
        topic = _TOPICS[i % len(_TOPICS)]
        docs[f"archive-{year}-{i:02d}.md"] = (
            f"---\ntitle: 澜汀县档案馆推进{topic}\ndate: {year}-{month:02d}-{10 + i % 15}\n---\n"
            f"县档案馆馆长臧若溪介绍，今年县档案馆把{topic}列为重点工作，第{i + 1}批工作已经启动。\n")
    docs["archive-2020.md"] = ("---\ntitle: 澜汀县档案馆开展国际档案日宣传活动\ndate: 2020-06-09\n---\n"
                               "6月9日是国际档案日，县档案馆在城北广场设立咨询台。县档案馆馆长郦望川在现场介绍，"
                               "今年馆里新接收进馆档案一万二千卷。\n")
    return docs


def test_a_year_asked_is_searched_again_within_its_articles(tmp_path):
    a = hashing_pipeline(tmp_path, _archive_news()).ask("2020年县档案馆馆长是谁？", today=TODAY)
    assert a.answerable, a.answer
    assert a.citations[0].doc_id == "archive-2020.md", a.answer
    assert "郦望川" in a.answer and "臧若溪" not in a.answer.split("此前")[0], a.answer


def test_a_year_with_no_article_still_declines(tmp_path):
    docs = {k: v for k, v in _archive_news().items() if k != "archive-2020.md"}
    a = hashing_pipeline(tmp_path, docs).ask("2019年县档案馆新接收进馆档案多少卷？", today=TODAY)
    assert not a.answerable, a.answer


def test_the_years_searched_again():
    f = filters_for("2020年县档案馆馆长是谁？", TODAY, None)
    assert (f.since, f.until, f.undated) == ("2020", "2021", "drop")
    f = filters_for("去年县档案馆接收了多少卷档案？", TODAY, None)
    assert (f.since, f.until) == ("2025", "2026")
    assert filters_for("县档案馆馆长是谁？", TODAY, None) is None  # no year asked
    assert filters_for("2020年县档案馆馆长是谁？", TODAY, Filters(since="2024")) is None  # the user's range holds
    f = filters_for("2020年县档案馆馆长是谁？", TODAY, Filters(source="archive"))
    assert f.source == "archive" and f.since == "2020"
    assert filters_for("2010年至2020年档案馆接收了多少卷？", TODAY, None) is None  # too many years to look at one by one


# English age bands (issue #19, dev19): an amount written before its band or after it

def test_an_english_band_gives_the_amount_of_the_age_asked():
    from rag.answer.bands import asked_age, band_amount, other_band

    before = ("From March 1, 2025, older residents of Hexi receive 55 yuan a month for people aged 75 to 79, up "
              "from 35 yuan; 160 yuan for people aged 80 to 89, up from 120 yuan; and 300 yuan for people aged 90 "
              "and above, up from 240 yuan.")
    after = "People aged 80 to 89 now receive 118 yuan a month, up from 90 yuan, and people aged 90 to 99 receive 226 yuan, up from 170 yuan."
    asked = "My grandfather is 86. How much does he get each month now?"
    assert asked_age(asked) == 86 and asked_age("Mum is 93 years old") == 93 and asked_age("我家老人85岁") == 85
    s, e = band_amount(asked, before)
    assert before[s:e] == "160 yuan"
    s, e = band_amount("My aunt is 92, what does she receive?", after)
    assert after[s:e] == "226 yuan"
    assert other_band(asked, "55 yuan a month for people aged 75 to 79, up from 35 yuan;")
    assert not other_band(asked, "160 yuan for people aged 80 to 89, up from 120 yuan;")
    assert band_amount("How much did people aged 85 get before the change?", before) is None  # the old one: not told apart


def test_an_english_age_in_a_band_is_near_the_answer():
    from rag.answer.bands import in_band

    assert in_band("86", "160 yuan for people aged 80 to 89") and in_band("95", "300 yuan for people aged 90 and above")
    assert not in_band("78", "160 yuan for people aged 80 to 89")


_TOURISM = {
    "tour-2025.md": ("---\ntitle: 澜汀县去年接待游客612.4万人次\ndate: 2025-01-16\n---\n"
                     "澜汀融媒讯 记者从县文化和旅游局获悉，去年全县旅游市场持续回暖。\n\n"
                     "相邻的霁岭县去年接待游客688.1万人次，两县联合推出的精品线路全年带客超过12万人次。\n"),
    "tour-2022.md": ("---\ntitle: 澜汀县旅游市场逐步恢复\ndate: 2022-01-18\n---\n"
                     "记者从县文化和旅游局获悉，去年全县接待游客503.6万人次，实现旅游总收入41.2亿元。\n"),
    "tour-2026.md": ("---\ntitle: 澜汀县旅游人气创新高\ndate: 2026-01-20\n---\n"
                     "记者从县文化和旅游局获悉，去年全县接待游客655.9万人次，实现旅游总收入58.3亿元。\n"),
}


def test_a_year_between_others_is_answered_by_its_headline_not_by_a_neighbour(tmp_path):
    """2024's figure is only in a headline of 2025, beside a neighbour's figure of the same year."""
    a = hashing_pipeline(tmp_path, _TOURISM).ask("2024年全县接待游客多少人次？", today=TODAY)
    assert a.answerable and "612.4万人次" in a.citations[0].quote, a.answer
    assert "688.1" not in a.answer, a.answer


def test_a_sentence_about_a_neighbour_does_not_answer(tmp_path):
    docs = {"tour-2025.md": _TOURISM["tour-2025.md"]}
    a = hashing_pipeline(tmp_path, docs).ask("2024年全县接待游客多少人次？", today=TODAY)
    assert "688.1" not in a.answer, a.answer


def test_a_count_asked_in_ben_is_read_in_ce():
    """几本书 is answered by a figure written in 册 (每证借阅册数由6册提高至12册: 12册), as 几册 by 本."""
    from types import SimpleNamespace

    from rag.answer.version_value import _fits

    text = "自2024年5月1日起，每证借阅册数由6册提高至12册。"
    s = text.index("12册")
    assert _fits(SimpleNamespace(query="图书馆一次能借几本书？"), text, s, s + 3)
    assert not _fits(SimpleNamespace(query="图书馆一次能借几张卡？"), text, s, s + 3)


def test_an_hour_asked_is_not_answered_by_a_sentence_without_one(tmp_path):
    docs = {"hall-2024.md": ("---\ntitle: 澜汀县政务服务大厅搬迁\ndate: 2024-03-02\n---\n"
                             "县政务服务大厅3月4日起在新址办公，原址3月1日下班后停止对外办公。\n\n"
                             "新址位于澜汀县滨江路18号，地下停车场有车位300个。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("县政务服务大厅平时几点开门？", today=TODAY)
    assert not a.answerable, a.answer
    docs["hours-2024.md"] = ("---\ntitle: 县政务服务大厅办公时间\ndate: 2024-03-05\n---\n"
                             "县政务服务大厅平时每个工作日8:30开门，17:30下班，周六上午照常办公。\n")
    (tmp_path / "b").mkdir()
    a = hashing_pipeline(tmp_path / "b", docs).ask("县政务服务大厅平时几点开门？", today=TODAY)
    assert a.answerable and "8:30" in a.answer, a.answer


def test_which_body_someone_heads_now_asks_for_a_post():
    from rag.answer.evidence import ASKS_POST

    assert ASKS_POST.search("芮一帆现在在哪个单位当局长？") and ASKS_POST.search("他后来在什么部门担任副主任？")
    assert not ASKS_POST.search("县水利局局长是谁？")


def test_the_day_a_meeting_was_held_is_when_it_was_told():
    from rag.dates import Date, sentence_time

    said = Date.of(dt.date(2023, 1, 12))
    text = "记者从1月11日召开的全市人社工作会议上获悉，去年全市城镇登记失业率为2.91%，城镇新增就业超额完成目标任务。"
    assert sentence_time(text, said) == Date(year=2022)
    assert sentence_time("从1月11日起，公交票价调整为2元。", said) == Date.of(dt.date(2023, 1, 11))


_JOBS = {
    "report-2022.md": ("---\ntitle: 政府工作报告——2022年1月17日在澜汀市人民代表大会上\ndate: 2022-01-19\n---\n"
                       "过去一年，全市经济恢复势头好于预期，地区生产总值增长7.9%，一般公共预算收入增长8.8%；就业和社会保障水平"
                       "稳步提升，城镇新增就业5.47万人，城镇登记失业率2.97%，最低工资标准和失业保险金标准同步上调；新建"
                       "保障性住房2100套。\n"),
    "jobs-2023.txt": ("我市就业形势总体稳定\n\n澜汀融媒 2023年1月13日讯 记者从1月12日召开的全市人社工作会议上获悉，去年全市"
                      "城镇登记失业率为2.86%，城镇新增就业超额完成省下达的目标任务。\n\n与我市接壤的霁州市去年城镇新增就业"
                      "5.12万人。\n"),
    "jobs-2021.txt": ("去年我市城镇新增就业46900人\n\n澜汀融媒 2021年1月14日讯 受疫情影响，去年全市新增就业人数比上年有所"
                      "减少，邻近的霁州市去年城镇新增就业4.83万人，同样低于上年水平。\n\n全市去年城镇新增就业46900人，"
                      "完成年度目标任务的104%。\n"),
}


def test_a_clause_of_a_report_speaks_of_the_year_its_sentence_opens_with(tmp_path):
    """过去一年，…；就业…提升，城镇登记失业率2.97%，…标准同步上调 is 2021's, though it names a change."""
    p = hashing_pipeline(tmp_path, _JOBS)
    a = p.ask("去年城镇登记失业率多少？", today=dt.date(2023, 6, 1))
    assert a.answerable and "2.86%" in a.answer.split("此前")[0], a.answer
    a = p.ask("2021年城镇登记失业率多少？", today=TODAY)
    assert a.answerable and "2.97%" in a.answer.split("此前")[0], a.answer


def test_a_figure_only_in_a_neighbours_clause_does_not_answer(tmp_path):
    a = hashing_pipeline(tmp_path, _JOBS).ask("去年咱们市新增就业有多少人？", today=dt.date(2021, 6, 1))
    assert "4.83万人" not in a.answer.split("此前")[0], a.answer
    assert a.answerable and "46900人" in a.answer, a.answer


def test_a_bold_change_shows_the_value_it_came_to_with_its_unit():
    from rag.answer.dating import without_stale_short
    from rag.types import Answer, ShortPart

    text = "自2024年起，办理时限由30个工作日压缩至12个工作日，材料减至2份。"
    docs = {"d": type("D", (), {"text": text})()}
    s = text.index("30")
    for start, end in ((s, text.index("，材料")), (s, s + len("30个工作日"))):
        part = ShortPart(text[start:end], "d", start, end)
        a = Answer("补贴多久能批下来？", f"{part.text} — {text}", part.text, True, (), short_parts=(part,))
        assert without_stale_short(a, docs.get).short_answer == "12个工作日"


def test_a_newer_change_shows_its_figure_with_the_unit(tmp_path):
    docs = {"guide-2020.md": ("---\ntitle: 澜汀县临时救助办事指南\ndate: 2020-04-20\n---\n"
                              "办理流程：村（居）委会受理后报镇审核、县民政局审批，办理时限30个工作日。\n"),
            "reform-2023.md": ("---\ntitle: 澜汀县临时救助审批权限下放到镇\ndate: 2023-09-12\n---\n"
                               "自10月1日起，临时救助审批权限下放到镇（街道）。审核确认时限由30个工作日缩短为12个工作日。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("临时救助办理时限多久？", today=TODAY)
    assert a.answerable and "12个工作日" in a.answer, a.answer
    assert a.short_answer in (None, "12个工作日"), a.answer


def test_the_sentence_that_passes_the_checks_may_rank_fifth(tmp_path):
    """Two headlines and two sentences without hours rank above the one that gives them: it answers."""
    docs = {"hall-2024.md": ("---\ntitle: 澜汀县政务服务大厅搬迁\ndate: 2024-03-02\n---\n"
                             "县政务服务大厅3月4日起在新址办公，原址3月1日下班后停止对外办公。\n\n"
                             "新址位于澜汀县滨江路18号，地下停车场有车位300个。\n"),
            "hours-2024.md": ("---\ntitle: 县政务服务大厅办公时间\ndate: 2024-03-05\n---\n"
                              "县政务服务大厅工作日办公时间为8:30—12:00、13:30—17:30，周六上午照常办公。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("县政务服务大厅平时几点开门？", today=TODAY)
    assert a.answerable and "8:30" in a.answer, a.answer


def test_a_time_word_before_a_place_suffix_names_no_place():
    """去年年底县图书馆: jieba cuts 年底 + 县, which is no county's name that a source must mention."""
    from rag.answer.evidence import key_entities

    assert key_entities("去年年底县图书馆有多少藏书？") == []
    assert key_entities("年初村里一共有多少人？") == []
    assert key_entities("青桠村书记是谁？") == ["青桠村"]
