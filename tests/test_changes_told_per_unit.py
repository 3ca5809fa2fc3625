"""A newer notice that changes the very value an answer gives, written with the measure before each
figure (由每例2800元提高至3600元); a correction whose title and quote repeat the value it withdraws
(《…支出91.9亿元》一文中，“91.9亿元”有误，…应为92.3亿元); a five-year plan's period (“十四五”时期, 2021-2025)
that a later report looks back on. Issue #19, dev sets 29 and 30. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

from rag.dates import as_date
from rag.dates.meaning import sentence_time
from rag.dates.parse import Date
from tests.helpers import FirstFigureReader, hashing_pipeline

TODAY = dt.date(2026, 6, 1)

# an invented county's reward for a green burial: raised by a notice that names no burial kind
BURIAL = {
    "burial-qa-2024.md": ("---\ntitle: 殡葬服务政策问答\ndate: 2024-03-20\n---\n"
                          "问：选择树葬、花坛葬有什么奖励？\n答：选择树葬、花坛葬等节地生态安葬方式的，目前每例奖补1900元。\n"),
    "burial-2024.md": ("---\ntitle: 苕溪县民政局关于调整节地生态安葬奖补标准的通知\ndate: 2024-11-28\n---\n"
                       "苕民发〔2024〕21号。经县人民政府同意，现就有关事项通知如下：一、奖补标准由每例1900元提高至2650元。"
                       "二、申领改为线上办理。\n"),
}


def test_a_change_with_the_measure_before_each_figure_leads(tmp_path):
    a = hashing_pipeline(tmp_path, BURIAL).ask("现在选树葬、花坛葬，政府奖励多少钱？", today=TODAY)
    assert a.answerable, a.answer
    assert a.short_answer in (None, "2650元"), a.answer
    assert "2650元" in a.answer.split("此前")[0], a.answer


# an invented city's insurance fund: the figure printed wrong, then corrected
FUND = {
    "fund-2025-01.md": ("---\ntitle: 去年我市医保基金支出81.7亿元\ndate: 2025-01-20\n---\n"
                        "记者从市医疗保障局获悉，去年全市医保基金支出81.7亿元，同比增长6.2%。\n"),
    "fund-fix-2025.md": ("---\ntitle: 更正\ndate: 2025-01-27\n---\n"
                         "本网1月20日刊发的《去年我市医保基金支出81.7亿元》一文中，“81.7亿元”有误，"
                         "2024年全市医保基金支出应为82.4亿元。特此更正。\n"),
}


def test_a_correction_gives_its_right_value(tmp_path):
    p = hashing_pipeline(tmp_path, FUND)
    p._reader = FirstFigureReader(["81.7亿元", "82.4亿元"], score=0.9)  # the trained one marked the value withdrawn
    a = p.ask("去年医保基金支出多少？", today=dt.date(2025, 6, 1))
    assert a.answerable, a.answer
    assert a.short_answer in (None, "82.4亿元"), a.answer
    assert "82.4亿元" in a.answer.split("此前")[0], a.answer


def test_a_plan_period_looked_back_on_is_its_last_year():
    report = as_date("2026-01-15")
    assert sentence_time("“十四五”时期，城乡居民医保个人缴费标准从300元逐年提高到410元。", report) == Date(2025)
    assert sentence_time("十三五期间全县新建公园9个。", report) == Date(2020)
    # a period not over by the article's date is its present; one to come is a plan
    assert sentence_time("“十四五”以来，全县新建公园8个。", as_date("2023-05-02")) == as_date("2023-05-02")
    assert sentence_time("“十五五”时期要把标准提高到500元。", report) == report


# an invented city's contribution: a five-year review after the new year's notice
FEES = {
    "fee-2026.md": ("---\ntitle: 关于2026年度城乡居民医保筹资标准的通知\ndate: 2026-01-05\n---\n"
                    "经市人民政府同意，2026年度我市城乡居民基本医疗保险个人缴费标准提高至每人每年436元。\n"),
    "report-2026.md": ("---\ntitle: 2026年市政府工作报告\ndate: 2026-01-16\n---\n"
                       "一、“十四五”时期工作回顾\n“十四五”时期，城乡居民医保个人缴费标准从320元逐年提高到416元，群众看病负担持续减轻。\n"),
}


def test_a_review_of_the_plan_period_does_not_outdate_this_years_standard(tmp_path):
    a = hashing_pipeline(tmp_path, FEES).ask("今年城乡居民医保个人缴费标准是多少？", today=TODAY)
    assert a.answerable, a.answer
    assert "436元" in a.answer.split("此前")[0], a.answer
    assert "416元" not in (a.short_answer or ""), a.answer


# an invented county's marriage registry: the household register no longer needed
MARRIAGE = {
    "marriage-2021.md": ("---\ntitle: 我县开展婚姻登记跨省通办试点\ndate: 2021-06-02\n---\n"
                         "按照试点要求，选择在居住地办理的当事人，除身份证、户口簿外，还要提交本县有效居住证。\n"
                         "县婚姻登记处负责人提醒，试点期间婚姻登记仍须男女双方共同到场。\n"),
    "marriage-2025.md": ("---\ntitle: 婚姻登记全国通办今起实施\ndate: 2025-05-12\n---\n"
                         "记者从县民政局了解到，从这一天起，在县婚姻登记处办理结婚登记不再需要出具户口簿，"
                         "也不再受户籍地限制，外地户籍的新人在本县也可以直接办理。\n"),
}


def test_a_household_booklet_in_a_citizens_words(tmp_path):
    a = hashing_pipeline(tmp_path, MARRIAGE).ask("现在领结婚证还要带户口本吗？", today=TODAY)
    assert a.answerable, a.answer
    assert a.citations[0].doc_id == "marriage-2025.md", a.answer


def _terms(question: str) -> set[str]:
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import analyse

    return set(analyse(question, None, [], lambda t: 1.0, AnswerPolicy()).terms)


def test_no_term_glued_across_a_date_or_a_title():
    assert {"年市", "局局长"}.isdisjoint(_terms("2019年市医保局局长是谁？"))
    assert {"市", "局长"} <= _terms("2019年市医保局局长是谁？")
    assert "年村" not in _terms("2024年村集体经济收入是多少？")
    assert "年底" in _terms("2023年底全区有多少家企业？")  # a time word of its own


# an invented city's insurance bureau: its first head, named when it was set up, and his successor
BUREAU = {
    "bureau-2019.md": ("---\ntitle: 市医疗保障局挂牌成立\ndate: 2019-01-20\n---\n"
                       "2019年1月18日上午，沅汀市医疗保障局挂牌成立，芮景行任市医疗保障局党组书记、局长。\n"),
    "bureau-2021.md": ("---\ntitle: 市人大常委会任免一批干部\ndate: 2021-09-28\n---\n"
                       "会议决定：任命綦安澜为沅汀市医疗保障局局长，免去芮景行的沅汀市医疗保障局局长职务。\n"),
}


def test_the_head_of_a_year_asked(tmp_path):
    a = hashing_pipeline(tmp_path, BUREAU).ask("2019年市医保局局长是谁？", today=TODAY)
    assert a.answerable, a.answer
    assert "芮景行" in a.answer.split("此前")[0] and "綦安澜" not in (a.short_answer or ""), a.answer


def test_a_count_asked_in_its_measure_is_not_the_frame_around_other_figures():
    from rag.answer.span import extract_short

    s = "2020年末，全市基本医疗保险参保人数402.6万人，参保率96.8%，定点医药机构增至2074家。"
    found = extract_short("2020年全市有多少家定点医药机构？", s, "number")
    assert found is not None and s[found[0]:found[1]] == "2074家"
