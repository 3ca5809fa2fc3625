"""A citizen's words for a budget line (在教育上花多少钱 of 教育支出), a trip (来旅游的人, 最晚一班船), power used
(用掉多少电), a wait (多久能办下来), a meter (装电表); the English names of public services,
offices and documents (rag/data/glossary.tsv: nursing homes, charging piles, the flag-down fare); a
report's 全年… sentence after 过去一年 when it says a figure grew; 几班 as a count; 某某在哪儿工作 as a post
asked; 任命某某为… naming a person; 谁当站长 as a post asked, and one who retired (因到龄退休，不再担任…) as removed
from it. Issue #19, dev sets 32-34. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.retrieve.officialese import officialese
from tests.helpers import dated_candidate, hashing_pipeline

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("question, want", [
    ("县里现在一年在民政上要花多少钱？", "县里现在一年民政支出多少？"),
    ("澄溪区现在一年在教育上花多少钱？", "澄溪区现在一年教育支出多少？"),
    ("前年区里教育上花了多少钱？", "前年区里教育支出多少？"),
    ("县里现在一年民政上花多少钱？", "县里现在一年民政支出多少？"),
    ("市里在科技方面投入了多少钱？", "市里科技支出多少？"),
    ("现在一年到梧屿来旅游的人有多少？", "现在一年梧屿接待游客多少？"),
    ("从码头回岛上，现在最晚一班船几点开？", "从码头回岛上，现在末班船几点开？"),
    ("早上最早一班船几点开？", "上午首班船几点开？"),
    ("咱们市现在一年要用掉多少电？", "咱们市现在用电量多少？"),
    ("渔船许可证申请了多久能办下来？", "渔船许可证申请了办理时限多久办结？"),
    ("新房子要装电表，现在去哪儿办？", "新房子要新装用电，现在去哪儿办？"),
])
def test_a_citizens_words_as_articles_write_them(question, want):
    assert officialese(question) == want


@pytest.mark.parametrize("question", ["我在路上花了多少钱？", "电费现在多少钱一度？", "现在在哪儿办？"])
def test_words_that_are_not_those_phrases_stay(question):
    assert officialese(question) is None


def test_a_place_word_glued_to_a_verb_is_no_name():
    from rag.answer.evidence import key_entities

    assert key_entities("县里现在一年民政上花多少钱？") == []  # jieba's 上花 (民政上 + 花)
    assert key_entities("澄溪区现在一年在教育上花多少钱？") == ["澄溪区"]


@pytest.mark.parametrize("question, words", [
    ("How many beds are there in Wuyu County's nursing homes now?", {"养老机构"}),
    ("How many home care service centers does the county have at present?", {"居家养老服务中心"}),
    ("How many students does the county's university for the elderly have now?", {"老年大学"}),
    ("How many public charging piles are there in the city now?", {"充电桩"}),
    ("What is the taxi flag-down fare now?", {"起步价"}),
    ("How many primary and secondary school pupils are there now?", {"中小学", "学生"}),
    ("How much is the old-age allowance now?", {"高龄津贴"}),  # a hyphen is read as the question's tokens are
    ("How long does a fishing license take now?", {"捕捞许可证"}),  # American spelling of a British row
])
def test_english_names_of_public_services(question, words):
    from rag.retrieve.crosslingual import chinese_keywords

    assert words <= set(chinese_keywords(question))


def test_a_service_is_no_report_figure_that_lifts_its_passages():
    from rag.retrieve.crosslingual import figures_asked

    assert figures_asked("How many tourists did the county receive last year?") == []
    assert figures_asked("What was the county's GDP last year?") == ["生产总值"]


def test_a_figure_that_grew_in_a_reports_year_is_of_that_year():
    from rag.answer.candidates import Surroundings
    from rag.answer.policy import AnswerPolicy
    from rag.answer.version_time import when_of
    from rag.dates import Date

    c = dated_candidate("report-2024.md", "2024-01-09", "过去一年，海岛旅游强劲复苏。全年接待游客286.7万人次，海岛民宿增加到352家。")
    c = c.span(c.doc.text.index("全年"), len(c.doc.text))
    assert when_of(c, Surroundings(AnswerPolicy())) == Date(2023)
    notice = dated_candidate("notice-2024.md", "2024-01-09", "过去一年，全县坚持…。学费标准由每学期139元提高到187元。")
    notice = notice.span(notice.doc.text.index("学费"), len(notice.doc.text))
    assert when_of(notice, Surroundings(AnswerPolicy())) == Date(2024, 1, 9)  # a standard set, not a figure grown


STATION = {
    "retire-2023.md": ("---\ntitle: 县港航站站长退休 副站长代理站长\ndate: 2023-09-14\n---\n"
                       "9月12日，县交通运输局宣布：邬海平同志因到龄退休，不再担任县港航站站长职务；由副站长綦若帆代理站长。\n\n"
                       "邬海平在港航系统工作了三十多年，任站长期间推动建成了新候船厅。\n"),
    "appoint-2024.md": ("---\ntitle: 关于綦若帆同志任职的通知\ndate: 2024-03-12\n---\n"
                        "经局党组研究决定：任命綦若帆为县港航站站长。\n"),
}


def test_who_holds_a_post_asked_with_the_post_after_who(tmp_path):
    from rag.answer.posts import _title_asked

    assert _title_asked("港航站现在谁当站长？") == "站长"
    assert _title_asked("港航站站长是谁？") == "站长"
    a = hashing_pipeline(tmp_path, STATION).ask("县港航站现在谁当站长？", today=TODAY)
    assert a.answerable and "綦若帆" in a.answer.split("此前")[0], a.answer
    assert a.short_answer in (None, "綦若帆"), a.answer


def test_sailings_a_day_are_a_count_in_sailings():
    from rag.answer.evidence import unit_matches
    from rag.answer.span import question_type

    assert question_type("码头到岛上现在一天有几班船？") == "number"
    assert unit_matches("一天有几班船？", "答：每天16班，首班船6:30开航。")
    assert unit_matches("一天有几班船？", "航线每天开行12个班次。")
    assert not unit_matches("一天有几班船？", "答：到候船厅一楼售票窗口购买，只售当日票。")


def test_where_someone_works_now_asks_the_post():
    from rag.answer.evidence import ASKS_POST

    assert ASKS_POST.search("甘立诚现在在哪儿工作？")
    assert not ASKS_POST.search("县图书馆现在在哪儿？")


def test_one_who_retired_is_removed_from_the_post():
    from rag.answer.span import removed

    assert removed("邬海平", STATION["retire-2023.md"], "站长")
    assert not removed("綦若帆", STATION["retire-2023.md"], "站长")


# the new head's name is one the name finder does not read (綦岫云): the line that appoints her still leads
BUREAU = {
    "head-2020.md": ("---\ntitle: 县人大常委会任命邬海平为县医疗保障局局长\ndate: 2020-04-24\n---\n"
                     "会议决定：任命邬海平为县医疗保障局局长；免去符振东的县医疗保障局局长职务。\n"),
    "head-2025.md": ("---\ntitle: 县人大常委会任命綦岫云为县医疗保障局局长\ndate: 2025-09-26\n---\n"
                     "会议决定：任命綦岫云为县医疗保障局局长；免去邬海平的县医疗保障局局长职务。\n"),
}


def test_a_line_that_appoints_the_new_head_is_not_moved_after_others(tmp_path):
    a = hashing_pipeline(tmp_path, BUREAU).ask("县医保局现在谁当局长？", today=TODAY)
    assert a.answerable and "綦岫云" in a.answer.split("此前")[0], a.answer
    assert a.short_answer != "邬海平", a.answer


# an island named in a traditional-character page's headline only, its body saying 全島
ISLAND = {
    "homestays-2019.md": ("---\ntitle: 海岛游升温\ndate: 2019-08-16\n---\n"
                          "这几年，岛上的渔民把老房子改造成民宿，鹭矶岛现有民宿27家，暑期周末几乎间间客满。\n"),
    "island-tw-2025.md": ("---\ntitle: 鷺磯島：燈塔下的民宿村\ndate: 2025-08-12\n---\n"
                          "鷺磯島位於縣東南海域，島上的燈塔建於1931年。\n\n"
                          "這幾年，島上的老石頭房一棟棟變成了民宿，如今全島共有民宿五十四家，暑期週末一房難求。\n"),
}


def test_an_island_its_headline_names_is_the_place_of_its_sentences(tmp_path):
    a = hashing_pipeline(tmp_path, ISLAND).ask("鹭矶岛上现在有几家民宿？", today=TODAY)
    assert a.answerable and "五十四家" in a.answer.split("此前")[0], a.answer
    assert a.short_answer != "27家", a.answer
