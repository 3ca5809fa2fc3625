"""rag.dates.versions: which documents a later change of a standard replaces, and dates as read.

All documents are invented (places, people, figures)."""
from __future__ import annotations

import pytest

from rag.dates.versions import Replacement, changes_in, replaced, spoken_date, words_of
from rag.types import Document


def doc(doc_id, text, title, date):
    return Document(id=doc_id, text=text, title=title, date=date)


OLD_SUBSIDY = doc("old", "2023年5月，杉木镇出台育儿补贴办法：对本镇户籍0至3岁婴幼儿家庭发放育儿补贴，标准为每年3000元。",
                  "杉木镇发放育儿补贴", "2023-05-10")
NEW_SUBSIDY = doc("new", "为减轻家庭养育负担，经研究决定，自2025年3月1日起，杉木镇育儿补贴标准由每年3000元提高至每年"
                         "5000元。原有标准同时废止。", "关于提高杉木镇育儿补贴标准的通知", "2025-02-20")
ELDER = doc("elder", "杉木镇对80周岁以上老人发放养老补贴，标准为每月200元。", "杉木镇养老补贴标准公布", "2023-08-01")
VILLAGE = doc("village", "柳塘村2024年举办了第三届油菜花节，接待游客1.2万人次。", "柳塘村油菜花节", "2024-04-02")


def test_a_raised_standard_replaces_the_older_statement_from_the_date_it_applies():
    out = replaced([OLD_SUBSIDY, NEW_SUBSIDY, VILLAGE])
    assert out == {"old": Replacement("new", "2025-03-01", "关于提高杉木镇育儿补贴标准的通知")}


def test_an_older_document_about_another_standard_of_the_same_town_is_not_marked():
    out = replaced([OLD_SUBSIDY, NEW_SUBSIDY, ELDER, VILLAGE])
    assert set(out) == {"old"}


def test_an_unrelated_older_document_is_not_marked():
    assert replaced([NEW_SUBSIDY, VILLAGE, ELDER]) == {}


def test_the_same_subsidy_of_another_town_and_another_standard_raised_are_not_marked():
    other_town = doc("town", "柳塘县对0至3岁婴幼儿家庭发放育儿补贴，标准为每年2000元。", "柳塘县育儿补贴", "2024-01-01")
    assert replaced([OLD_SUBSIDY, NEW_SUBSIDY, other_town, VILLAGE]) == {"old": Replacement("new", "2025-03-01",
                                                                                          NEW_SUBSIDY.title)}
    elder_raised = doc("elder2", "自2025年1月1日起，杉木镇养老补贴标准提高至每月300元。", "杉木镇提高养老补贴", "2024-12-20")
    assert replaced([OLD_SUBSIDY, ELDER, elder_raised]) == {"elder": Replacement("elder2", "2025-01-01",
                                                                                 elder_raised.title)}


def test_a_growth_figure_marks_nothing():
    before = doc("r23", "柳塘村2023年村集体经济收入86万元，村民人均收入3.1万元。", "柳塘村的变化", "2024-01-05")
    after = doc("r24", "柳塘村2024年村集体经济收入提高到215万元，村民人均收入提高至3.6万元。", "柳塘村收入大增", "2025-01-05")
    assert changes_in(after.text, None) == []
    assert replaced([before, after]) == {}


def test_only_older_documents_are_replaced_and_undated_ones_never():
    later_report = doc("later", "杉木镇育儿补贴标准为每年5000元，今年已有300户家庭领取。", "杉木镇育儿补贴发放过半",
                       "2025-06-01")
    undated = doc("undated", OLD_SUBSIDY.text, OLD_SUBSIDY.title, None)
    out = replaced([NEW_SUBSIDY, later_report, undated, OLD_SUBSIDY])
    assert set(out) == {"old"}
    undated_notice = doc("n2", NEW_SUBSIDY.text, NEW_SUBSIDY.title, None)  # cannot be ordered: replaces nothing
    assert replaced([OLD_SUBSIDY, undated_notice]) == {}


def test_each_version_is_replaced_by_the_next_one():
    v1 = doc("v1", "北岭县公交3路首班车时间为6:30，末班车时间为20:00。", "北岭县公交3路运营时间", "2022-03-01")
    v2 = doc("v2", "自2023年7月1日起，北岭县公交3路末班车时间调整为21:00。", "北岭县公交3路延长运营", "2023-06-20")
    v3 = doc("v3", "北岭县公交3路首班车时间提前至6:00，末班车时间延长至22:00。", "北岭县公交3路再次调整", "2024-09-10")
    out = replaced([v3, v1, v2])
    assert out == {"v1": Replacement("v2", "2023-07-01", v2.title), "v2": Replacement("v3", "2024-09-10", v3.title)}


def test_an_abolition_alone_speaks_of_the_clause_before_it():
    old = doc("o", "白沙乡对种粮农户发放耕地补贴，每亩120元。", "白沙乡耕地补贴", "2022-04-01")
    new = doc("n", "白沙乡种粮农户耕地补贴政策进行了整合。原耕地补贴办法不再执行。", "白沙乡整合涉农补贴", "2024-02-01")
    words = changes_in(new.text, None)[0].words
    assert {"耕地", "补贴"} <= words
    assert replaced([old, new]) == {"o": Replacement("n", "2024-02-01", new.title)}


def test_english_notices():
    old = doc("e1", "Marlow pays a childcare subsidy of 3,000 yuan a year to families with small children.",
              "Childcare subsidy in Marlow", "2023-01-01")
    new = doc("e2", "The childcare subsidy in Marlow is raised to 5,000 yuan a year, and the old standard is abolished.",
              "Marlow raises childcare subsidy", "2025-02-21")
    other = doc("e3", "Marlow opened a new library with 20,000 books.", "Marlow library opens", "2022-05-05")
    assert replaced([old, new, other]) == {"e1": Replacement("e2", "2025-02-21", new.title)}


def test_words_leave_out_dates_numbers_and_markers():
    words = words_of("自2025年3月1日起，杉木镇育儿补贴标准提高至每年5000元")
    assert {"杉木", "育儿", "补贴", "标准"} <= words
    assert not any(ch.isdigit() for w in words for ch in w)
    assert "提高" not in words and "高至" not in words and "月日" not in words


@pytest.mark.parametrize("value, lang, expected", [
    ("2025-03-01", "zh", "2025年3月1日"),
    ("2025-03", "zh", "2025年3月"),
    ("2024", "zh", "2024年"),
    ("2025-03-01", "en", "Mar 1, 2025"),
    ("2025-11", "en", "Nov 2025"),
    ("2024", "en", "2024"),
    ("不详", "zh", "不详"),
    (None, "zh", ""),
])
def test_spoken_date(value, lang, expected):
    assert spoken_date(value, lang) == expected
