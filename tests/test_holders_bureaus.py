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
