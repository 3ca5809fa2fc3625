"""Questions that ask for several things and the whole list that answers them
(rag/answer/enumeration.py), on invented sentences."""
import pytest

from rag.answer.enumeration import asks_several, is_list, list_runs, whole_list


@pytest.mark.parametrize("q", ["栎港镇要联通哪些港口？", "市里将实施哪五大行动？", "哪两个公司合作开发了这款游戏？",
                               "参赛的有哪几支队伍？", "三个项目分别是什么？", "这次会议包括什么议程？",
                               "Which two companies built it?", "What are the three actions?"])
def test_asks_several(q):
    assert asks_several(q)


@pytest.mark.parametrize("q", ["河桥街道办事处主任是谁？", "栎港镇有多少个村？", "这个项目有什么意义？",
                               "大桥哪一年建成？", "Who is the mayor?"])
def test_asks_one_thing(q):
    assert not asks_several(q)


def _runs(text):
    return [text[s:e] for s, e in list_runs(text, 0, len(text))]


def test_list_cut_at_its_first_and_last_item():
    assert _runs("栎港市要积极联通梧湾港、杉屿港和南澳港等港口，打造物流枢纽。") == ["梧湾港、杉屿港和南澳港"]
    assert _runs("市经信局将实施产能提升、投资提速、数字提能三大行动。") == ["产能提升、投资提速、数字提能"]


def test_two_items_joined_by_he():
    assert _runs("这款游戏由青禾和Nova-Soft合作开发。") == ["青禾和Nova-Soft"]


def test_last_item_ends_like_the_others():
    text = "梧岗大学、杉屿大学、栎溪大学内迁成都，"
    assert _runs(text) == ["梧岗大学、杉屿大学、栎溪大学"]


def test_a_preposition_is_not_a_list():
    assert _runs("他与张三合作完成了这项研究。") == []


def test_whole_list_from_one_item():
    text = "该镇今年改造镇卫生院、梧岗小学与老年活动中心。"
    item = text.index("梧岗小学")
    s, e = whole_list(text, 0, len(text), (item, item + 4))
    assert text[s:e] == "镇卫生院、梧岗小学与老年活动中心"


def test_whole_list_beside_its_count():
    text = "行动将围绕截污纳管、河道清淤、岸线整治四个方面展开。"
    i = text.index("四个方面")
    s, e = whole_list(text, 0, len(text), (i, i + 4))
    assert text[s:e] == "截污纳管、河道清淤、岸线整治"


def test_no_list_no_answer():
    text = "梧岗镇今年新建一座大桥。"
    assert whole_list(text, 0, len(text), (5, 9), "梧岗镇新建了哪些设施") is None


def test_is_list():
    assert is_list("青禾和岭南软件")
    assert not is_list("青禾软件")


def test_plain_what_question_and_the_list_around_an_item():
    from rag.answer.enumeration import asks_what, list_around

    assert asks_what("医院在门诊大厅设置了什么？")
    assert not asks_what("医院院长叫什么名字？") and not asks_what("大桥什么时候建成？")
    text = "门诊大厅设置了志愿者服务台、自助服务区以及母婴室。"
    i = text.index("自助服务区")
    s, e = list_around(text, 0, len(text), (i, i + 5))
    assert text[s:e] == "志愿者服务台、自助服务区以及母婴室"


def test_a_question_naming_an_item_wants_the_rest():
    from rag.answer.enumeration import names_an_item

    assert names_an_item("除了任党委书记和董事长，还担任什么职务？", "集团党委书记、董事长、总经理")
    assert not names_an_item("医院在门诊大厅设置了什么？", "志愿者服务台、自助服务区以及母婴室")


def _tidy(text):
    from rag.answer.enumeration import tidy_list

    r = tidy_list(text, 0, len(text))
    return None if r is None else text[r[0] : r[1]]


def test_tidy_list_drops_a_function_word_at_its_end():
    assert _tidy("市水利局、市交通局和市林业局将") == "市水利局、市交通局和市林业局"


def test_tidy_list_keeps_lists_of_like_things():
    assert _tidy("数控加工、模具制造和汽车维修") == "数控加工、模具制造和汽车维修"
    assert _tidy("青棠镇和柘湾镇") == "青棠镇和柘湾镇"
    assert _tidy("“强镇”“富村”") == "“强镇”“富村”"


def test_tidy_list_drops_what_is_no_list_of_things():
    assert _tidy("邝书岚与另外") is None  # one item left
    assert _tidy("公司化和分拆后") is None  # a thing and an action
    assert _tidy("北京、上海和广州担任") is None  # a place, then a verb: a clause
    assert _tidy("栎港、全省最大") is None  # a quality beside a place


def test_an_alias_question_is_a_plain_what():
    from rag.answer.enumeration import asks_what

    assert asks_what("青棠草又称之为什么？")  # 称之为什么 is no "why"
    assert asks_what("青棠草的别称叫什么？")
    assert not asks_what("青棠草为什么能入药？")
    assert not asks_what("他的儿子叫什么？")


def test_asides_in_brackets_stay_with_their_item():
    text = "青棠草，别名紫穗蒿（柘湾一带）、铃兰草、野菊花（霁川和青棠一带）及金钮草，是菊科植物。"
    runs = [text[a:b] for a, b in list_runs(text, 0, len(text))]
    assert runs == ["紫穗蒿（柘湾一带）、铃兰草、野菊花（霁川和青棠一带）及金钮草"]  # no 别名, one list


def test_the_span_says_where_the_first_item_begins():
    from rag.answer.enumeration import list_around

    text = "别名无头紫香（柘湾一带）、铃兰蒿、白须草，是菊科植物。"
    i = text.index("无头紫香")
    r = list_around(text, 0, len(text), (i, i + 4))
    assert r is not None and text[r[0] : r[1]].startswith("无头紫香（柘湾一带）、铃兰蒿")


def test_a_long_name_and_a_stray_word_are_no_list():
    from rag.answer.enumeration import list_around

    text = "道路现已改建为柘湾游泳馆职员通道、位置大约在馆内。"
    i = text.index("柘湾游泳馆职员通道")
    assert list_around(text, 0, len(text), (i, i + 9)) is None
