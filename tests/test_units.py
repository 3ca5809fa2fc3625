"""Whole units or nothing (rag/answer/units.py): names, category words, pieces of words; invented text."""
from rag.answer.units import whole_unit


def _unit(text, span, question):
    i = text.index(span)
    r = whole_unit(text, i, i + len(span), question)
    return None if r is None else text[r[0] : r[1]]


def test_surname_grows_to_the_name():
    assert _unit("河桥街道办事处主任赵立新介绍，", "赵", "河桥街道办事处主任是谁？") == "赵立新"
    assert _unit("梧岗街道党工委书记邝书岚表示，", "邝", "梧岗街道党工委书记是谁？") == "邝书岚"


def test_surname_without_a_name_is_dropped():
    assert _unit("该项目由赵负责。", "赵", "项目由谁负责？") is None


def test_category_word_grows_to_its_name():
    assert _unit("列车停靠东屿南站后继续开往柘湾。", "站", "列车停靠哪个车站？") == "东屿南站"


def test_category_word_the_question_says_is_dropped():
    assert _unit("他加盟了一支中超球队。", "中超球队", "他加盟了哪支中超球队？") is None


def test_piece_of_a_word_is_dropped():
    assert _unit("霁川市实现地区生产总值612亿元。", "产总值", "霁川市实现了什么？") is None
    assert _unit("霁川市实现地区生产总值612亿元。", "地区生产总值", "霁川市实现了什么？") == "地区生产总值"


def test_whole_name_and_numbers_unchanged():
    assert _unit("市长罗振川主持会议。", "罗振川", "谁主持会议？") == "罗振川"
    assert _unit("全长186公里。", "186公里", "全长多少？") == "186公里"


def test_ordinal_keeps_its_di_and_classifier():
    from rag.answer.widen import widen

    text = "这是栎港乐队的第20张原创专辑。"
    i = text.index("20张原创")
    s, e = widen(text, i, i + 6, "这是栎港乐队第几张原创专辑？")
    assert text[s:e] == "第20张"


def test_a_span_over_a_sentence_end_or_a_colon_crosses():
    from rag.answer.units import crosses

    assert crosses("古塔。它建于明代")
    assert crosses("3座角楼：望潮楼")
    assert not crosses("《再见！青棠》")  # one title
    assert not crosses("1：7")  # a score
    assert not crosses("东屿南站")


def test_an_open_bracket_at_the_end_is_trimmed():
    from rag.answer.widen import widen

    text = "该词收录于《霁川方言志》（1990年版）一书。"
    i = text.index("《")
    s, e = widen(text, i, text.index("1990"), "该词收录于哪本书？")
    assert text[s:e] == "《霁川方言志》"


def test_a_range_gets_its_other_end_unless_one_end_is_asked():
    from rag.answer.widen import widen

    text = "青棠草生长于海拔300米至1,900米的山坡，花期从11月起至翌年3~4月。"
    i = text.index("300米")
    assert text[slice(*widen(text, i, i + 4, "青棠草生长在海拔多少米的地方？"))] == "300米至1,900米"
    assert text[slice(*widen(text, i, i + 4, "青棠草生长的最低海拔是多少米？"))] == "300米"
    j = text.index("11月")
    assert text[slice(*widen(text, j, j + 3, "青棠草的花期是什么时候？"))] == "11月起至翌年3~4月"


def test_an_angle_keeps_its_last_mark():
    from rag.answer.widen import widen

    text = "塔顶位于北纬31°12′45″，东经121°28′。"
    i = text.index("31°")
    assert text[slice(*widen(text, i, i + 8, "塔顶的纬度是多少？"))] == "31°12′45″"


def test_no_range_after_a_word_with_a_numeral():
    from rag.answer.widen import widen

    text = "规划分两步实施，第一阶段到2030年完成。"
    i = text.index("第一阶段")
    assert text[slice(*widen(text, i, i + 4, "规划的哪个阶段最先完成？"))] == "第一阶段"
