"""Whole and right bold short answers (issue #21, round 4), on invented text: a name not cut
wrong, the singled-out figure among its neighbours, two quantities asked together."""
import pytest

from rag.answer.widen import widen


def _widen(text, marked, question, length=None):
    s = text.index(marked)
    return text[slice(*widen(text, s, s + (length or len(marked)), question))]


@pytest.mark.parametrize("text, marked, question, expected", [
    ("郑丽华为该村党支部书记。", "郑丽华为", "谁担任该村党支部书记？", "郑丽华"),
    ("郑丽华为该村党支部书记。", "郑丽华为", "该村党支部书记是哪位？", "郑丽华"),
    ("随后宋玉洁将出任院长。", "宋玉洁将", "谁将出任院长？", "宋玉洁"),
    ("孔德山是合作社的带头人。", "孔德山是", "合作社的带头人是谁？", "孔德山"),
])
def test_a_verb_after_a_name_is_no_part_of_it(text, marked, question, expected):
    assert _widen(text, marked, question) == expected


def test_a_three_character_name_ending_in_such_a_character_is_whole():
    text = "李有为在村里开了家民宿。"
    assert _widen(text, "李有为", "谁开了民宿？") == "李有为"


def test_the_last_character_of_a_name_before_a_comma_stays():
    # jieba cuts 吉谷元 + 直 (an adverb); the reader's span holds the whole name
    text = "首先击退了敌军的先锋吉谷元直，随后回师。"
    assert _widen(text, "吉谷元直", "首先击退了谁？") == "吉谷元直"


def test_words_after_a_name_are_still_cut_for_a_who_question():
    text = "该村党支部书记罗建伟干劲倍增："
    assert _widen(text, "罗建伟干劲倍增", "谁干劲倍增？") == "罗建伟"
