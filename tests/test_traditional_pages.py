"""A page written in traditional characters answers a question asked in simplified ones (issue #19,
found on five dev sets): its 畝 is the 亩 asked, its full-width figures are figures, and a newer
article's other figure (visitors) is no version of how big the land is. Invented places and figures."""
from __future__ import annotations

import datetime as dt

from rag.answer.evidence import unit_matches
from rag.answer.focus import measure_fits

PAGES = {
    "qingshi-tw-2023.md": ("---\ntitle: 青石村：一片荷塘富了一方百姓\ndate: 2023-05-10\n---\n"
                           "青石村位於禾川縣東南的山坳裡，全村荷塘面積2750畝、菱角基地480畝。\n\n"
                           "每年六月到九月，荷花盛開，村道兩旁停滿了外地遊客的車。\n"),
    "qingshi-2025-news.md": ("---\ntitle: 青石村荷塘夜游火了\ndate: 2026-01-20\n---\n"
                             "荷塘是青石村最大的家底。据村里统计，2025年青石村共接待游客13.4万人次，民宿从21家增加到29家。\n"),
}


def test_units_written_in_traditional_or_full_width_are_the_units_asked():
    assert unit_matches("青石村种了多少亩荷花？", "全村荷塘面積2750畝。")
    assert unit_matches("青石村村集体经济收入多少万元？", "村集體經濟收入５８万元。")
    assert not unit_matches("青石村种了多少亩荷花？", "全村接待遊客13.4萬人次。")
    assert measure_fits("有多少吨菱角？", "菱角產量３２０噸。")


def test_a_traditional_page_answers_how_many_mu(tmp_path):
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, PAGES)
    a = pipe.ask("青石村荷塘有多少亩？", today=dt.date(2026, 6, 1))
    assert a.answerable and "2750畝" in a.citations[0].quote, a.answer


def test_visitors_counted_later_are_no_version_of_how_big_the_land_is(tmp_path):
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, PAGES)
    a = pipe.ask("青石村的荷塘有多大？", today=dt.date(2026, 6, 1))
    assert a.answerable and "2750畝" in a.citations[0].quote, a.answer
    assert "13.4万人次" not in a.answer


def test_how_big_a_piece_of_land_is_asks_an_area():
    assert measure_fits("青石村的茶园有多大？", "全村现有白茶园2400亩。")
    assert measure_fits("青石村的茶园有多大？", "全村荷塘面積2750畝。")
    assert measure_fits("青石村的茶园有多大？", "依托白茶园，全年接待游客1.2万人次。") is False
    assert measure_fits("新公园占地多少？", "公园占地12.5公顷。")
    assert measure_fits("卡镇的陆地面积是多大？", "1750.33km²") and measure_fits("这个区的面积是多少？", "1.601 km²")
    assert measure_fits("这个项目投资规模有多大？", "总投资3.2亿元。") is None  # a sum, not an area
    assert measure_fits("How many people live in the area?", "常住人口40.2万人。") is None


def test_a_traditional_pages_own_units_are_figures():
    from rag.answer.span import NUMBER_RE

    assert [m.group() for m in NUMBER_RE.finditer("全村茶園面積3260畝，年產乾茶12萬噸。")] == ["3260畝", "12萬噸"]
