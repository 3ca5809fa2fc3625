"""rag.dates: dates in every common form, file names, relative words against `today`, the time a
sentence speaks of, changes of a standard, and what time a question asks about. Made-up text."""
import datetime as dt

import pytest

from rag.dates import (Asked, Date, as_date, asked_time, filename_date, find_dates, first_full_date, parse_date,
                       relative_date, sentence_time, supersession, time_marker, today_date)

TODAY = dt.date(2025, 6, 15)


# ---------------------------------------------------------------- the Date value

def test_precision_iso_and_bounds():
    assert Date(2025).precision == "year" and Date(2025).iso() == "2025"
    assert Date(2025, 2).precision == "month" and Date(2025, 2).iso() == "2025-02"
    assert Date(2025, 2, 3).precision == "day" and Date(2025, 2, 3).iso() == "2025-02-03"
    assert Date(2024, 2).last_day() == dt.date(2024, 2, 29) and Date(2024).first_day() == dt.date(2024, 1, 1)


def test_ordering_coarse_before_fine_within_a_period():
    dates = [Date(2025, 1, 3), Date(2024), Date(2025), Date(2025, 1), Date(2024, 12, 31)]
    assert sorted(dates) == [Date(2024), Date(2024, 12, 31), Date(2025), Date(2025, 1), Date(2025, 1, 3)]
    assert max(dates) == Date(2025, 1, 3) and Date(2023) < Date(2024, 1) <= Date(2024, 1)


def test_overlaps():
    assert Date(2024).overlaps(Date(2024, 6), Date(2024, 6))
    assert Date(2024, 6, 30).overlaps(Date(2024, 6), None)
    assert not Date(2023, 12).overlaps(Date(2024), Date(2024))
    assert Date(2022).overlaps(None, Date(2022, 1, 1))


# ---------------------------------------------------------------- forms of a date

@pytest.mark.parametrize(("text", "iso"), [
    ("发布于2025年1月3日下午", "2025-01-03"),
    ("发布于 2025 年 1 月 3 号", "2025-01-03"),
    ("2025-01-03", "2025-01-03"),
    ("2025/1/3", "2025-01-03"),
    ("2025.01.03", "2025-01-03"),
    ("２０２５年１月３日", "2025-01-03"),
    ("２０２５－０１－０３", "2025-01-03"),
    ("二〇二五年一月三日", "2025-01-03"),
    ("二○二四年十二月三十一日", "2024-12-31"),
    ("二〇二五年十一月二十日", "2025-11-20"),
    ("二〇二五年元月", "2025-01"),
    ("2025年1月", "2025-01"),
    ("2025-01", "2025-01"),
    ("2025年", "2025"),
    ("２０２５年", "2025"),
    ("二〇二五年", "2025"),
    ("March 3, 2025", "2025-03-03"),
    ("3 March 2025", "2025-03-03"),
    ("Sept. 9th, 2024", "2024-09-09"),
    ("March 2025", "2025-03"),
])
def test_forms(text, iso):
    found = find_dates(text)
    assert [f.date.iso() for f in found] == [iso]


@pytest.mark.parametrize("text", ["2025年2月30日", "版本 1.2.0.13", "增至2024.5万元", "共1000年历史", "3999年",
                                  "1月3日下午", "一月三日", "2024-13"])
def test_not_dates(text):
    assert find_dates(text) == []


def test_month_and_day_take_the_year_given():
    assert [f.date.iso() for f in find_dates("1月3日下午召开", year=2025)] == ["2025-01-03"]
    assert [f.date.iso() for f in find_dates("元月三日举行", year=2024)] == ["2024-01-03"]
    assert find_dates("2月30日", year=2025) == []


def test_offsets_point_into_the_text_as_written():
    text = "据报道，２０２５年３月１日起，标准调整。2024年全年共计。"
    found = find_dates(text)
    assert [(f.text, f.date.iso()) for f in found] == [("２０２５年３月１日", "2025-03-01"), ("2024年", "2024")]
    assert all(text[f.start:f.end] == f.text for f in found)


def test_the_longest_reading_wins():
    assert [f.date.iso() for f in find_dates("2025年1月3日")] == ["2025-01-03"]  # not also 2025 and 2025-01


def test_first_full_date_skips_partial_ones():
    assert first_full_date("2024年全年，2025年1月，会议于2025年1月3日召开，2025年2月4日闭幕") == Date(2025, 1, 3)
    assert first_full_date("2024年全年收入") is None


def test_parse_date_reads_the_start_only():
    assert parse_date(" 2023-08-16 18:24") == Date(2023, 8, 16)
    assert parse_date("2023年8月") == Date(2023, 8)
    assert parse_date("mid-2023") is None and parse_date("") is None and parse_date(None) is None


def test_as_date_reads_stored_dates():
    assert as_date("2025") == Date(2025) and as_date("2025-01") == Date(2025, 1)
    assert as_date("2025-01-03") == Date(2025, 1, 3) and as_date("2025年1月") == Date(2025, 1)
    assert as_date("未知") is None and as_date(None) is None and as_date("2025-02-30") is None


# ---------------------------------------------------------------- file names

@pytest.mark.parametrize(("name", "iso"), [
    ("yongle-daily-2025-01-front-page.txt", "2025-01"),
    ("news-20240315.txt", "2024-03-15"),
    ("notice_2023_07_01.pdf", "2023-07-01"),
    ("archive/2022/bulletin-2023-11-05.md", "2023-11-05"),
    ("2024年3月通知.docx", "2024-03"),
    ("苇塘村2023年报.txt", "2023"),
    ("report-2023.4.txt", "2023-04"),
])
def test_file_names(name, iso):
    assert filename_date(name).iso() == iso


@pytest.mark.parametrize("name", ["plan-2035.txt", "v1.2.3.txt", "page-20241399.txt", "notes.md", "id-123456.txt",
                                  "2024-13-report.txt"])
def test_file_names_without_a_date(name):
    assert filename_date(name) is None


# ---------------------------------------------------------------- relative words

@pytest.mark.parametrize(("word", "iso"), [
    ("今年", "2025"), ("去年", "2024"), ("前年", "2023"), ("明年", "2026"), ("本月", "2025-06"),
    ("上个月", "2025-05"), ("上月", "2025-05"), ("今天", "2025-06-15"), ("昨天", "2025-06-14"),
    ("last year", "2024"), ("this month", "2025-06"),
])
def test_relative_words_against_today(word, iso):
    assert relative_date(word, TODAY).iso() == iso


def test_last_month_in_january_is_december():
    assert relative_date("上个月", dt.date(2025, 1, 10)) == Date(2024, 12)
    assert relative_date("未来", TODAY) is None


@pytest.mark.parametrize(("text", "marker"), [
    ("原来的标准是多少", "past"), ("以前在哪里办理", "past"), ("调整前每月多少元", "past"), ("当时的局长是谁", "past"),
    ("过去的收费标准", "past"), ("此前的末班车几点", "past"), ("前任校长是谁", "past"),
    ("What was the fee previously?", "past"),
    ("现在的书记是谁", "current"), ("目前每月补贴多少", "current"), ("现任局长", "current"), ("当前标准", "current"),
    ("最近一次调整", "current"), ("Who is the current principal?", "current"),
    ("补贴每月多少", None), ("过去一年接待游客多少", None), ("过去五年累计", None),
])
def test_time_markers(text, marker):
    assert time_marker(text) == marker


# ---------------------------------------------------------------- the time a sentence speaks of

DOC = Date(2025, 1, 20)


@pytest.mark.parametrize(("sentence", "iso"), [
    ("2024年全村接待游客14.6万人次。", "2024"),
    ("全村接待游客14.6万人次。", "2025-01-20"),
    ("较2023年增长两成，2024年12月底全村收入207万元。", "2024-12"),
    ("去年全村收入207万元。", "2024"),
    ("比上年增长12%。", "2025-01-20"),
    ("计划到2027年建成。", "2025-01-20"),
    ("1月5日起开通夜班车。", "2025-01-05"),
    ("Compared with 2023, income rose in 2024.", "2024"),
    ("本报2025年1月18日讯 2024年全村收入207万元。", "2024"),
    ("新华社北京1月18日电 全村收入207万元。", "2025-01-20"),
    ("2024年电商销售额增长三成。", "2024"),
    # a birth year is when someone was born, not the time the sentence speaks of
    ("生于1971年的柯文澜履新后，成为班子中最年轻的一位。", "2025-01-20"),
    ("柯文澜，1971年11月出生，汉族。", "2025-01-20"),
    ("原任区长柯文澜，1968年4月生，已任市政协副主席。", "2025-01-20"),
    ("2024年生猪出栏1.2万头。", "2024"),
])
def test_sentence_time(sentence, iso):
    assert sentence_time(sentence, DOC).iso() == iso


def test_sentence_time_without_a_document_date():
    assert sentence_time("2023年全村收入168万元。") == Date(2023)
    assert sentence_time("全村收入168万元。") is None
    assert sentence_time("计划到2027年建成。") == Date(2027)  # no document date to judge a plan by


# ---------------------------------------------------------------- changes of a standard

@pytest.mark.parametrize(("sentence", "kind", "effective"), [
    ("每人每月补贴由100元调整为150元，自2025年3月1日起执行，原有标准同时废止。", "abolishes", "2025-03-01"),
    ("补贴标准提高至每月150元。", "adjusts", None),
    ("补贴标准提高到每月150元。", "adjusts", None),
    ("收费上调至每户每年90元。", "adjusts", None),
    ("票价下调至1元。", "adjusts", None),
    ("办理地点改为县政务服务中心。", "adjusts", None),
    ("末班车延长至21:30。", "adjusts", None),
    ("2022年印发的办法不再执行。", "abolishes", None),
    ("原《实施细则》停止执行。", "abolishes", None),
    ("新办法取代2021年版本。", "replaces", None),
    ("本办法自2024年7月1日起施行。", "takes_effect", "2024-07-01"),
    ("本通知自7月1日起执行。", "takes_effect", "2025-07-01"),
    ("新标准从２０２５年起实施。", "takes_effect", "2025"),
    ("The new fee replaces the 2022 rule and takes effect from March 1, 2025.", "replaces", "2025-03-01"),
    ("The old allowance is abolished.", "abolishes", None),
    ("The allowance is raised to 150 yuan a month.", "adjusts", None),
    ("The 2021 rule no longer applies.", "abolishes", None),
])
def test_supersession(sentence, kind, effective):
    change = supersession(sentence, DOC)
    assert change is not None and change.kind == kind
    assert (change.effective.iso() if change.effective else None) == effective


def test_no_change_in_a_plain_statement():
    assert supersession("2024年全村收入207万元，同比增长23%。", DOC) is None
    assert supersession("The village earned 2.07 million yuan in 2024.") is None


def test_a_change_lists_all_its_markers():
    change = supersession("标准调整为每月150元，自2025年3月1日起执行，原标准同时废止。", DOC)
    assert change.markers == ("同时废止", "调整为", "起执行")


# ---------------------------------------------------------------- what a question asks

@pytest.mark.parametrize(("question", "kind", "start", "end"), [
    ("2022年苇塘村接待游客多少？", "year", "2022", "2022"),
    ("二〇二二年苇塘村接待游客多少？", "year", "2022", "2022"),
    ("2023年3月的末班车几点？", "year", "2023-03", "2023-03"),
    ("去年苇塘村接待游客多少？", "year", "2024", "2024"),
    ("今年的补贴标准是多少？", "year", "2025", "2025"),
    ("前年收入多少", "year", "2023", "2023"),
    ("上个月开通了哪条线路？", "year", "2025-05", "2025-05"),
    ("2022年到2024年累计收入多少？", "year", "2022", "2024"),
    ("2022年以前的标准是多少？", "year", None, "2021"),
    ("2023年以来新建了什么？", "year", "2023", "2025-06-15"),
    ("How many visitors came last year?", "year", "2024", "2024"),
    ("今年7月起每月补贴多少？", "year", "2025-07", "2025-07"),
    ("今年3月起每月补贴多少？", "year", "2025-03", "2025-06-15"),
    ("去年3月份的收入多少？", "year", "2024-03", "2024-03"),
    ("去年10月1日开通了哪条线路？", "year", "2024-10-01", "2024-10-01"),
    ("原来的补贴标准是多少？", "past", None, None),
    ("调价前每吨水多少钱？", "past", None, None),
    ("调整前在哪里办理？", "past", None, None),
    ("现任校长是谁？", "current", None, None),
    ("目前每月补贴多少？", "current", None, None),
    ("补贴每月多少？", "none", None, None),
    # English asking for what holds now, and 今天 / today: what holds on the day asked is the current fact
    ("How much is the fare now?", "current", None, None),
    ("What is the fare currently?", "current", None, None),
    ("What is the fare at present?", "current", None, None),
    ("What is the fare at the moment?", "current", None, None),
    ("What is the fare today?", "current", None, None),
    ("Is the fare still 2 yuan?", "current", None, None),
    ("今天的票价是多少？", "current", None, None),
    ("Who was the previous principal?", "past", None, None),
])
def test_asked_time(question, kind, start, end):
    asked = asked_time(question, TODAY)
    assert asked.kind == kind
    assert (asked.start.iso() if asked.start else None) == start
    assert (asked.end.iso() if asked.end else None) == end


def test_an_explicit_year_wins_over_markers():
    assert asked_time("2022年时的现任书记是谁？", TODAY).kind == "year"


def test_relative_words_follow_the_asking_date():
    assert asked_time("去年收入多少？", dt.date(2024, 3, 1)).start == Date(2023)
    assert asked_time("去年收入多少？", dt.date(2026, 1, 2)).start == Date(2025)


def test_asked_covers():
    asked = asked_time("2024年收入多少？", TODAY)
    assert asked.covers(Date(2024, 5, 1)) and asked.covers(Date(2024)) and not asked.covers(Date(2023, 12, 31))
    assert not asked.covers(None)
    assert Asked("current").covers(Date(1999)) and Asked("none").covers(None)


# ---------------------------------------------------------------- the asking date

def test_today_date():
    assert today_date("2025-03-01") == dt.date(2025, 3, 1)
    assert today_date(dt.date(2024, 1, 2)) == dt.date(2024, 1, 2)
    assert today_date(None) == dt.date.today() and today_date("") == dt.date.today()
    with pytest.raises(ValueError, match="yyyy-mm-dd"):
        today_date("2025-02-30")
    with pytest.raises(ValueError, match="yyyy-mm-dd"):
        today_date("去年")


def test_import_stays_light():
    """rag.dates adds only its own modules to what `import rag` loads (no stage, nothing heavy)."""
    import subprocess
    import sys

    code = ("import sys, rag; before = set(sys.modules); import rag.dates; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    added = eval(out)
    assert "rag.dates" in added and all(m.startswith("rag.dates") or not m.startswith("rag") for m in added)
    assert not {"numpy", "torch"} & set(added)
