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


# --- the figure in the clause the question singles out ---------------------------------------

from rag.answer import reading  # noqa: E402
from rag.answer.ambiguity import labelled_facts, singled_out_fact  # noqa: E402
from rag.answer.candidates import Candidate  # noqa: E402
from rag.answer.policy import AnswerPolicy  # noqa: E402
from rag.answer.scoring import Question  # noqa: E402
from rag.answer.span import question_type  # noqa: E402
from rag.types import Document  # noqa: E402
from tests.helpers import FirstFigureReader  # noqa: E402

WATER = "新水价自7月起执行：居民用水每立方米2.6元，非居民用水每立方米4.3元。"


@pytest.mark.parametrize("question", ["非居民用水每立方米多少元？", "非居民用水价格是多少？", "非居民用水的水价是多少？"])
def test_the_clause_holding_the_questions_words_is_singled_out(question):
    lo, s, e = singled_out_fact(question, WATER, "number")
    assert WATER[s:e] == "4.3元" and WATER[lo:s] == "非居民用水每立方米"
    assert labelled_facts(question, WATER, "number") == []  # not ambiguous: no labelled pair


def test_the_plain_label_is_singled_out_when_asked():
    lo, s, e = singled_out_fact("居民用水每立方米多少元？", WATER, "number")
    assert WATER[s:e] == "2.6元"


def test_figures_of_clauses_of_different_shapes_are_not_singled_out():
    text = "白鹭湾景区于2019年开放，总面积为3.2平方公里，年接待游客约40万人次。"
    assert singled_out_fact("白鹭湾景区的总面积是多少？", text, "number") is None


def test_a_reader_on_the_neighbouring_figure_moves_to_the_singled_out_one():
    doc = Document("w", WATER, None, None, "w.txt")
    q = Question("非居民用水价格是多少？", "非居民用水价格是多少？", True, question_type("非居民用水价格是多少？"),
                 "非居民用水价格是多少？", {}, frozenset())
    best = Candidate(0, None, doc, 0, len(WATER))
    s = WATER.index("2.6元")
    best.read = (s, s + 4, 0.8)
    v = reading.verdict(FirstFigureReader(["2.6元", "4.3元"]), q, best, AnswerPolicy())
    assert v.shown and v.text(best) == "4.3元"


# --- two quantities asked at once: both or none ----------------------------------------------

from rag.answer.fits import asks_two, second_figure  # noqa: E402


@pytest.mark.parametrize("question, two", [
    ("马拉松共有多少国家和运动员参赛？", True),
    ("青棠镇下辖几个村和社区？", True),
    ("男子和女子的平均年收入分别是多少？", True),
    ("观景塔的经纬度是多少？", True),
    ("霁川环境与自然保护协会有多少个分会？", False),
    ("青棠镇下辖几个村？", False),
])
def test_a_question_asking_two_quantities(question, two):
    assert asks_two(question) is two


def test_one_figure_grows_to_the_other_of_the_pair():
    text = "比赛共有来自31个国家及地区的276名运动员参与。"
    s = text.index("31个国家")
    a, b = second_figure(text, s, s + 5, 0, len(text))
    assert text[a:b] == "31个国家及地区的276名"
    alone = "比赛共有来自31个国家的选手参与，赛道全长。"
    assert second_figure(alone, alone.index("31"), alone.index("31") + 5, 0, len(alone)) is None


def test_a_figure_restated_in_brackets_is_not_the_second_one():
    text = "他身高1米98(6呎6吋)，体重102公斤，司职前锋。"
    s = text.index("102公斤")
    a, b = second_figure(text, s, s + 5, 0, len(text), "他的身高体重是多少？")
    assert text[a:b] == "1米98(6呎6吋)，体重102公斤"


def _two_verdict(text, marked, question, score):
    doc = Document("p", text, None, None, "p.txt")
    q = Question(question, question, True, question_type(question), question, {}, frozenset())
    best = Candidate(0, None, doc, 0, len(text))
    s = text.index(marked)
    best.read = (s, s + len(marked), score)
    return best, reading.verdict(None, q, best, AnswerPolicy())


def test_a_sure_reader_shows_both_quantities():
    best, v = _two_verdict("比赛共有来自31个国家及地区的276名运动员参与。", "31个国家", "马拉松共有多少国家和运动员参赛？", 0.8)
    assert v.shown and v.text(best) == "31个国家及地区的276名运动员"


def test_one_quantity_alone_is_not_shown():
    best, v = _two_verdict("比赛共有来自31个国家的选手参与，赛道全长42公里，途经五座桥。", "31个国家",
                           "马拉松共有多少国家和运动员参赛？", 0.9)
    assert not v.shown


TEAM = "出征省运会的青棠镇龙舟队共计46人，其中运动员31人，教练与后勤人员15人。"


def test_the_figure_labelled_with_the_asked_noun_is_singled_out():
    lo, s, e = singled_out_fact("青棠镇龙舟队有多少运动员？", TEAM, "number")
    assert TEAM[s:e] == "31人"
    doc = Document("t", TEAM, None, None, "t.txt")
    q = Question("青棠镇龙舟队有多少运动员？", "青棠镇龙舟队有多少运动员？", True, "number", "青棠镇龙舟队有多少运动员？", {}, frozenset())
    best = Candidate(0, None, doc, 0, len(TEAM))
    best.read = (TEAM.index("46人"), TEAM.index("46人") + 3, 0.8)
    v = reading.verdict(FirstFigureReader(["31人"]), q, best, AnswerPolicy())
    assert v.shown and v.text(best) == "31人"


def test_figures_of_other_measures_do_not_compete():
    text = "码头有四个泊位，主泊位是03号，长320米；二号泊位长260米。"
    assert singled_out_fact("码头有几个泊位？", text, "number") is None


# --- the part of a sentence the question singles out ------------------------------------------

from rag.answer.ambiguity import singled_out_part  # noqa: E402

GLAZE = "若在窑中以第一种方法冷却，则釉面呈青色；若在窑中以第二种方法冷却，则釉面呈赭色。"


class MarkReader:
    """Marks the first of `words` found in a text."""

    def __init__(self, words, score=0.8):
        self.words, self.score = words, score

    def read(self, question, texts):
        from rag.models.reader_common import Span

        out = []
        for i, t in enumerate(texts):
            w = next((w for w in self.words if w in t), None)
            out.append(Span(i, t.find(w), t.find(w) + len(w), self.score, 0.01) if w else None)
        return out


def test_the_part_holding_the_questions_words_is_singled_out():
    at = GLAZE.index("赭色")
    a, b = singled_out_part("釉料若以第一种方法冷却，釉面呈什么颜色？", GLAZE, at)
    assert GLAZE[a:b].startswith("若在窑中以第一种方法冷却")
    assert singled_out_part("釉料若以第一种方法冷却，釉面呈什么颜色？", GLAZE, GLAZE.index("青色")) is None
    assert singled_out_part("釉面呈什么颜色？", GLAZE, at) is None  # no part singled out


def test_a_semicolon_inside_brackets_makes_no_part():
    text = "青棠大道（旧称；今名）又名「滨江路」，为一条市区主干道。"
    assert singled_out_part("青棠大道又名什么？", text, text.index("滨江路")) is None


def test_the_reader_moves_to_the_singled_out_part():
    doc = Document("g", GLAZE, None, None, "g.txt")
    question = "釉料若以第一种方法冷却，釉面呈什么颜色？"
    q = Question(question, question, True, question_type(question), question, {}, frozenset())
    best = Candidate(0, None, doc, 0, len(GLAZE))
    best.read = (GLAZE.index("赭色"), GLAZE.index("赭色") + 2, 0.7)
    v = reading.verdict(MarkReader(["青色"]), q, best, AnswerPolicy())
    assert v.shown and v.text(best) == "青色"


def test_parts_of_different_shapes_are_not_singled_out():
    text = "霁川市文化保护协会（本地简称：文保会）；（英文：Jichuan Heritage Society）为一民间非营利组织。"
    at = text.index("Jichuan")
    assert singled_out_part("霁川市文化保护协会的英文是什么？", text, at) is None


# --- items written without a separator --------------------------------------------------------

def test_a_span_from_the_first_items_last_word_gets_the_whole_item():
    from rag.answer.units import whole_unit

    text = "持续深化绿色提级，全力建设生态强镇文旅强镇；"
    s = text.index("强镇文旅强镇")
    a, b = whole_unit(text, s, s + 6, "要建设什么样的城镇？")
    assert text[a:b] == "生态强镇文旅强镇"
    other = "全力建设文旅强镇；"
    s = other.index("文旅强镇")
    assert whole_unit(other, s, s + 4, "要建设什么样的城镇？") == (s, s + 4)
