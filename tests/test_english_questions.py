"""English questions about Chinese articles: the dictionary's keywords, the focus and the support
checks (issue #19). Invented text only."""
import pytest

from rag.answer.focus import cue_share, english_focus, focus_share, measure_fits, procedure_cue
from rag.answer.support import appointed_names
from rag.retrieve import _cedict_index
from rag.retrieve.crosslingual import chinese_keywords, head_keywords


@pytest.fixture(scope="module", autouse=True)
def index():
    return _cedict_index.get_index()


# --- keywords --------------------------------------------------------------------------------

def test_chinese_in_brackets_is_kept_as_a_keyword():
    kws = chinese_keywords("Who runs the 鹤汀县 water bureau (水利局) today?")
    assert "鹤汀县" in kws and "水利局" in kws


def test_a_phrase_is_looked_up_as_a_whole_before_its_words():
    # "in charge of" is no charge (冲杀, 攻击); "apply for" is 申请, not 使用
    kws = chinese_keywords("Who is in charge of the harbour?")
    assert "掌管" in kws and "冲杀" not in kws and "攻击" not in kws
    assert "申请" in chinese_keywords("Do farmers have to apply for the subsidy?")


def test_a_phrase_of_stop_words_alone_is_not_looked_up():
    assert chinese_keywords("what is the and of which how", limit=5) == []


def test_a_word_is_not_read_as_its_plural_when_it_is_a_gloss_itself():
    assert "新闻" not in chinese_keywords("Where is the new library?")


def test_how_and_its_word_are_the_question_word_not_the_topic():
    kws = chinese_keywords("How long is the opening time of the museum?")
    assert "悠久" not in kws and "时间" in kws


def test_words_that_say_when_it_is_asked_are_no_keywords():
    kws = chinese_keywords("Is the ferry still free at present?")
    assert not {"仍然", "此时", "如今", "潮流"} & set(kws)
    assert "免费" in kws


def test_a_closed_compound_is_read_as_its_two_words():
    assert "热浪" in chinese_keywords("How long did the heatwave last?")


def test_a_phrase_no_gloss_says_is_read_with_a_derived_form_of_its_last_word():
    assert head_keywords("the old gas store") == ["储气"]


@pytest.mark.parametrize("question,title", [
    ("Who is in charge of the 鹤汀县 water bureau now?", "局长"),
    ("Who heads the city's Culture and Tourism Bureau?", "局长"),
    ("Who is the president of 鹤汀县人民医院?", "院长"),
    ("Who is the director of 鹤汀县水利局?", "局长"),
    ("Who runs the town library?", "馆长"),
    ("Who leads the 鹤汀镇 government office at present?", "主任"),
])
def test_who_leads_an_organisation_gets_the_title_of_its_head(question, title):
    assert title in chinese_keywords(question)


def test_no_head_title_without_a_who_question():
    assert "局长" not in chinese_keywords("When did the water bureau move?")


def test_head_keywords_take_the_head_of_the_phrase():
    assert "票" in "".join(head_keywords("single adult ticket"))
    assert head_keywords("apply for") == ["申请"]
    assert head_keywords("") == [] and head_keywords("of the") == []


# --- support: a Chinese name for an English who-question ----------------------------------------

@pytest.mark.parametrize("text,name", [
    ("任命张明远为县水利局局长；", "张明远"),
    ("经研究决定，任命李慧芳为镇文化站站长。", "李慧芳"),
    ("赵海宁同志任鹤汀镇党委书记；", "赵海宁"),
    ("经全体选民投票，钱雨桐当选为村民委员会主任。", "钱雨桐"),
])
def test_a_name_appointed_or_titled_counts_as_a_person(text, name):
    assert name in appointed_names(text)


@pytest.mark.parametrize("text", ["免去王建国的县水利局局长职务；", "县水利局召开全体职工大会。",
                                  "任命书已于昨日送达。", "县水利局局长孙启航宣布工程开工。"])
def test_no_person_where_none_is_appointed(text):
    assert appointed_names(text) == []


def test_an_english_who_question_is_answered_by_an_appointment_line():
    from types import SimpleNamespace

    from rag.answer.support import _names_holder

    q = SimpleNamespace(terms={"鹤汀县": 2.0, "水利局": 3.0, "局长": 2.5})
    assert _names_holder(q, "任命张明远为县水利局局长；")
    assert not _names_holder(q, "免去王建国的县水利局局长职务；")
    assert not _names_holder(SimpleNamespace(terms={"水利局": 3.0}), "任命张明远为县水利局局长；")


# --- focus and measure --------------------------------------------------------------------------

def test_english_focus_of_a_wh_question_is_its_own_words():
    words = {"new": 2.0, "gas": 3.0, "store": 3.0}
    terms = {"储气": 3.0, "新": 1.0}
    focus = english_focus("How big is the new gas store in the village?", words, terms)
    assert set(focus) == {"new", "gas", "store"}


def test_english_focus_of_a_must_question_is_what_must_be_done():
    focus = english_focus("Do pensioners still have to apply for the card?", {"apply": 3.0}, {"申请": 2.0})
    assert set(focus) == {"apply", "申请"}


def test_a_text_is_held_to_the_focus_terms_of_its_own_script():
    focus = {"apply": 4.0, "申请": 2.0}
    assert focus_share(focus, "居民无需本人申请。") == 1.0
    assert focus_share(focus, "Residents no longer need to apply.") == 1.0
    assert focus_share({"申请": 2.0}, "居民无需本人申请。") == 1.0  # a Chinese question's focus as before


def test_how_big_asks_a_size_not_a_date():
    q = "How big is the new warehouse?"
    assert measure_fits(q, "新仓库建筑面积3500平方米。") is True
    assert measure_fits(q, "仓库库容800吨。") is True
    assert measure_fits(q, "新仓库于5月8日投入使用。") is False
    assert measure_fits("新仓库有多大？", "新仓库于5月8日投入使用。") is None  # Chinese: as before


def test_an_english_must_question_is_answered_by_a_duty_or_its_absence():
    cue = procedure_cue("Do residents still have to apply for the allowance?")
    assert cue_share(cue, "年满70周岁的老人无需本人申请。") > 0
    assert cue_share(cue, "补贴标准由每月50元调整为每月80元，其余不变。") == 0
