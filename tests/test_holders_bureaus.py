"""A bureau's head now, when citizens and news use its short name (人社局, 医保局) and the 任免 notice
its full one, the notice moves a head from one bureau to another (任命…为A局局长，免去其B局局长职务), and
the older head spoke of a plan (预计…): issue #19, dev set 11. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.version_value import appointed, left_asked_post
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)
NOTICE = ("---\ntitle: 青禾市人民政府关于韦立言等同志职务任免的通知\ndate: 2023-04-13\n---\n"
          "市人民政府决定：\n\n任命岑一帆为青禾市医疗保障局局长，免去其青禾市人力资源和社会保障局局长职务；\n\n"
          "免去柏子谦的青禾市医疗保障局局长职务，另有任用。\n\n任命韦立言为青禾市人力资源和社会保障局局长；\n")
NEWS = ("---\ntitle: 明年起居民医保住院起付线下调\ndate: 2022-12-20\n---\n"
        "市医疗保障局12月19日发布通知，自2023年1月1日起，城乡居民医保三级医疗机构住院起付标准由1200元下调为950元。\n\n"
        "市医保局局长柏子谦介绍，调整后预计每年可为参保群众减负约1.2亿元。\n")


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("bureaus"), {"renmian-2023.md": NOTICE, "medins-2022.md": NEWS})


def test_a_line_that_moves_its_appointee_away_removes_them_from_the_post_asked():
    line = "任命岑一帆为青禾市医疗保障局局长，免去其青禾市人力资源和社会保障局局长职务；"
    assert left_asked_post("现在谁管市人社局？", line)
    assert not left_asked_post("市医保局局长现在是谁？", line)
    assert appointed("免去柏子谦的青禾市医疗保障局局长职务，另有任用。") == ""  # 另有任用 names nobody


def test_the_head_of_the_bureau_asked_by_its_short_name(pipe):
    a = pipe.ask("现在谁管市人社局？", today=TODAY)
    assert a.answerable and "韦立言" in a.citations[0].quote, a.answer


def test_a_plan_the_older_head_spoke_of_does_not_hide_him_as_an_earlier_holder(pipe):
    a = pipe.ask("市医保局局长现在是谁？", today=TODAY)
    assert a.answerable and "岑一帆" in a.citations[0].quote, a.answer


MAYORS = {
    "gov-report-2021.md": ("---\ntitle: 政府工作报告——2021年1月12日在青禾市第十五届人民代表大会第六次会议上\ndate: 2021-01-15\n---\n"
                           "青禾市市长　韦端平\n\n各位代表：\n\n2020年，全市地区生产总值2286.5亿元。\n"),
    "acting-mayor-2021.txt": ("人大常委会决定乔一帆为代理市长\n\n青禾融媒 2021年12月3日讯 会议接受韦端平辞去青禾市人民政府市长职务的请求，"
                              "决定乔一帆为青禾市人民政府代理市长。\n"),
    "gov-report-2024.md": ("---\ntitle: 政府工作报告——2024年1月15日在青禾市第十六届人民代表大会第三次会议上\ndate: 2024-01-18\n---\n"
                           "青禾市市长　乔一帆\n\n各位代表：\n\n2023年，全市地区生产总值2571.6亿元。\n"),
}


def test_the_holder_in_a_year_no_article_of_names_is_the_next_januarys_reports(tmp_path):
    a = hashing_pipeline(tmp_path, MAYORS).ask("2020年的时候青禾市长是谁？", today=TODAY)
    assert a.answerable and "韦端平" in a.answer and "乔一帆" not in (a.short_answer or ""), a.answer
