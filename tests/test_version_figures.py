"""What a version of a figure says and of which time (issue #19, dev sets 8 and 9): a change (比前年多了
34万元) is no level; a mark passed (首次突破百万元) gives way to its year's figure; a village's 2024年度
accounts posted on 1月18日 are 2024's. Invented places and figures."""
from __future__ import annotations

from types import SimpleNamespace

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
