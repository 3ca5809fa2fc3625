"""A village renamed (叠溪村（原下岙村）, 下岙村更名为叠溪村, "… (下岙村) … has been renamed … (叠溪村)"):
asked by its old name, the articles after the renaming still speak of it (issue #19, dev set 12).
Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.places import as_named, renamings
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


def test_renamings_are_read_in_either_language_and_without_the_town_before():
    texts = ["青禾融媒讯 春节还没到，石门镇叠溪村（原下岙村）的民宿已经订满了。",
             "Xia'ao village (下岙村) in Shimen Town (石门镇) has been renamed Diexi village (叠溪村), the bureau said.",
             "经批准，原云塘乡更名为云塘镇。"]
    assert set(renamings(texts)) == {("叠溪村", "下岙村"), ("云塘镇", "云塘乡")}
    assert renamings(["村民原来种水稻。"]) == ()


def test_a_renamed_place_is_read_by_the_name_asked():
    renamed = (("叠溪村", "下岙村"),)
    assert as_named("2025年，叠溪村村集体经济收入64.5万元。", "下岙村现在村集体收入多少？", renamed) == \
        "2025年，下岙村村集体经济收入64.5万元。"
    assert as_named("下岙村民宿发展到24家。", "叠溪村现在有多少家民宿？", renamed) == "叠溪村民宿发展到24家。"
    assert as_named("叠溪村民宿三十七家。", "石门镇有多少家民宿？", renamed) == "叠溪村民宿三十七家。"


DOCS = {
    "xiaao-2019.md": ("---\ntitle: 下岙村的农家乐火了\ndate: 2019-04-30\n---\n"
                      "下岙村党支部书记滕守山说，景区带火了村里的农家乐，去年村集体经济收入18万元。\n"),
    "towns-2024.md": ("---\ntitle: 石门镇去年村级集体经济稳步增长\ndate: 2024-01-30\n---\n"
                      "2023年，云茗村、下岙村村集体经济收入分别达到72万元、43万元。\n"),
    "diexi-2026.md": ("---\ntitle: 叠溪村：瀑布脚下的民宿村\ndate: 2026-02-12\n---\n"
                      "青禾融媒讯 春节还没到，石门镇叠溪村（原下岙村）的民宿已经订满了。\n\n"
                      "2025年，叠溪村村集体经济收入64.5万元，全村民宿已有三十七家。\n\n"
                      "去年5月接任村党支部书记的官一舟说，村里正在和景区商量，把游客引到村里吃住。\n"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("renamed"), DOCS)


def test_the_renamed_villages_figure_now(pipe):
    a = pipe.ask("下岙村现在村集体一年收入多少？", today=TODAY)
    assert a.answerable and "64.5万元" in a.citations[0].quote, a.answer


def test_the_renamed_villages_secretary_now(pipe):
    a = pipe.ask("下岙村的村支书现在是谁？", today=TODAY)
    assert a.answerable and "官一舟" in a.citations[0].quote, a.answer
