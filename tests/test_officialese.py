"""A citizen's words are searched and answered as official articles word them (issue #19, seventh
dev set: 农民一年挣多少 of 农村居民人均可支配收入, 经济总量 of 地区生产总值, 一把手 of 党委书记).
Invented places."""
from __future__ import annotations

import pytest

from rag.retrieve.officialese import officialese


@pytest.mark.parametrize("question, want", [
    ("村里的卫生室早上几点开门？", "村里的卫生室上午几点？"),
    ("青石区现在一共住了多少人？", "青石区现在常住人口多少？"),
    ("区里现在一年能新安排多少人就业？", "区里现在一年城镇新增就业多少人？"),
    ("去年石门村收了多少黄精？", "去年石门村黄精产量多少？"),
    ("石门村2024年产了多少黄精？", "石门村2024年黄精产量多少？"),
    ("县里财政现在一年能收多少钱？", "县里一般公共预算收入现在一年多少？"),
    ("青禾县农民一年人均能挣多少钱？", "青禾县农村居民人均可支配收入多少？"),
    ("县城居民现在人均可支配收入多少？", "城镇居民现在人均可支配收入多少？"),
    ("青禾县的经济总量现在有多大？", "青禾县的地区生产总值现在有多大？"),
    ("白沙镇的一把手现在是谁？", "白沙镇党委书记现在是谁？"),
    ("青石村村支书是谁？", "青石村村党支部书记是谁？"),
    ("办老人卡要去哪儿？", "办老年人优待证要去哪儿？"),
    ("青石村现在村里一年的收入有多少？", "青石村现在村集体经济收入有多少？"),
    ("青禾县城的自来水现在多少钱一吨？", "青禾县城的居民生活用水现在每立方米多少钱？"),
    ("一吨水多少钱？", "每立方米水多少钱？"),
    ("青禾区城里人现在人均一年挣多少钱？", "青禾区城镇居民现在人均可支配收入多少？"),
    ("农民现在一年挣多少钱？", "农村居民现在人均可支配收入多少？"),
    ("青禾区现在一共住着多少人？", "青禾区现在常住人口多少？"),
    ("路边停车停多久不收钱？", "路边停车停多久免费？"),
    ("路边停车头一个钟头多少钱？", "路边停车首小时多少钱？"),
    ("停两个钟头多少钱？", "停两小时多少钱？"),
    ("高龄津贴一个月能领多少？", "高龄津贴一个月多少？"),
    ("青石村一年能摘多少杨梅？", "青石村一年杨梅产量多少？"),
    ("县里农村人现在人均一年挣多少钱？", "县里农村居民现在人均可支配收入多少？"),
    ("青石村的猕猴桃现在一年能产多少吨？", "青石村的猕猴桃现在一年产量多少吨？"),
    ("青石村的村民现在一年人均能挣多少？", "青石村的村民现在人均可支配收入多少？"),
])
def test_a_citizens_words_in_the_articles_words(question, want):
    assert officialese(question) == want


@pytest.mark.parametrize("question", ["县委书记是谁？", "What is the county's GDP now?", "村里的路修好了吗？",
                                      "村里去年收了多少？", "县里去年收了多少钱？",
                                      "煤多少钱一吨？"])
def test_nothing_to_reword(question):
    assert officialese(question) is None


def test_the_answer_says_what_was_searched(tmp_path):
    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, {"r.md": "---\ntitle: 青禾县统计公报\ndate: 2025-03-01\n---\n"
                                               "2024年全县农村居民人均可支配收入25630元，增长6.5%。"})
    a = pipe.ask("青禾县农民一年人均能挣多少钱？")
    assert a.searched_question == "青禾县农村居民人均可支配收入多少？"
    assert a.answerable and "25630元" in a.citations[0].quote, a.answer
