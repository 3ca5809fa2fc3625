"""Which sentence of the right article answers (issue #19/#21 follow-up): the line that states what
was asked, not the article's opening, its headline, its source line or a goal. Made-up text only."""
import pytest

from rag.answer import scoring, support
from rag.answer.candidates import Candidate, Surroundings, end_matter, from_hits
from rag.answer.bands import in_band
from rag.answer.focus import focus_share, focus_terms, measure_fits, procedure_cue, without_wh
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question
from rag.answer.span import question_type
from rag.types import Chunk, Document, Hit

GUIDE = Document(
    "g", "梧桐镇“开店一件事”5月起联办\n"
         "梧桐融媒讯 从5月1日起，梧桐镇个体户的营业执照、食品经营许可和税务登记将一次性联办，统一由镇便民服务中心二楼窗口受理。\n"
         "镇市场监管所负责人介绍，申请材料也作了精简，经营者只需提供本人身份证和经营场所证明。全部事项办结时限缩短为4个工作日。\n"
         "（来源：梧桐镇市场监管所）\n"
         "梧桐镇市场监管所 梧桐镇税务分局\n"
         "2031年4月12日",
    "梧桐镇“开店一件事”5月起联办", "2031-04-12", "g.md")


def _cands(doc: Document) -> list[Candidate]:
    hit = Hit(Chunk(doc.id, 0, 0, len(doc.text), doc.text), 1.0, dense_score=0.9)
    return from_hits([hit], lambda _id: doc, AnswerPolicy())


def _question(text: str) -> Question:
    from rag.index.tokenize import tokenize

    terms = {t: 2.0 for t in tokenize(without_wh(text))}
    return Question(text, text, True, question_type(text), text, terms, frozenset(), focus_terms(text, terms))


def _best(text: str, doc: Document = GUIDE) -> Candidate:
    cands = _cands(doc)
    q = _question(text)
    around = Surroundings(AnswerPolicy())
    scoring.score_all(q, cands, [c.hit.dense_score for c in cands], around, AnswerPolicy())
    return max(cands, key=lambda c: c.score)


def test_source_signature_and_date_lines_are_never_candidates():
    texts = [c.text for c in _cands(GUIDE)]
    assert not any("来源" in t or t.startswith("梧桐镇市场监管所 ") or t == "2031年4月12日" for t in texts)
    assert any(t.startswith("镇市场监管所负责人介绍") for t in texts)


@pytest.mark.parametrize("line,expected", [
    ("（来源：青石区卫健局）", True), ("青石区交通运输局", True), ("青石区民政局 青石区财政局", True),
    ("二〇三一年三月五日", True), ("青石区交通运输局决定调整线路", False), ("咨询电话：区民政局 5551234", False),
])
def test_end_matter_is_a_whole_line_naming_a_source_or_issuer(line, expected):
    text = f"正文一句。\n{line}\n"
    assert end_matter(text, text.index(line), text.index(line) + len(line)) is expected
    inline = f"据悉{line}。"  # inside a longer line it is part of what is said
    assert end_matter(inline, 2, 2 + len(line)) is False


def test_question_words_are_no_topic_words_and_the_focus_is_beside_them():
    assert "时间" not in without_wh("借书能借多长时间")
    assert set(focus_terms("办开店一件事要带哪些材料？", {"开店": 2.0, "材料": 3.0, "带": 1.0})) == {"带", "材料"}
    assert set(focus_terms("阅览室现在能借多长时间？", {"阅览室": 2.0, "借": 3.0, "现在": 1.0})) == {"借"}
    assert focus_terms("梧桐镇的简介", {"梧桐镇": 1.0}) == {}
    assert focus_share({"借": 1.0}, "图书借期为20天") == 1.0


def test_a_duration_question_wants_a_duration_and_a_measure_its_measure():
    assert measure_fits("多久能办好？", "4个工作日") is True
    assert measure_fits("多久能办好？", "从5月1日起") is False
    assert measure_fits("每天供应多少份饭？", "约300份") is True
    assert measure_fits("每天供应多少份饭？", "每份9元") is False
    assert measure_fits("收入是多少？", "52万元") is None


def test_procedure_questions_prefer_the_line_that_answers_over_the_opening():
    assert "只需提供" in _best("开店一件事现在要带哪些材料？").text
    assert "工作日" in _best("开店一件事现在多久能办好？").text
    assert procedure_cue("以前要去哪里办理？") is not None and procedure_cue("收入多少？") is None


def test_the_body_figure_beats_the_rounding_headline():
    doc = Document("h", "青石区人民医院年接诊量突破五十万人次\n2030年，医院门急诊量达52.7万人次，同比增长6%。\n医院新建了住院楼。",
                   "青石区人民医院年接诊量突破五十万人次", "2031-01-20", "h.md")
    assert "52.7万" in _best("青石区人民医院一年的门急诊量有多少？", doc).text


def test_a_goal_does_not_answer_a_question_for_a_figure():
    doc = Document("r", "今年主要预期目标是：全县生产总值增长6%左右，财政收入增长4%左右。\n去年全县生产总值达到98.2亿元。",
                   "政府工作报告", "2031-01-10", "r.md")
    around, p = Surroundings(AnswerPolicy()), AnswerPolicy()
    goal = next(c for c in _cands(doc) if "6%左右" in c.text)
    reached = next(c for c in _cands(doc) if "98.2亿元" in c.text)
    q = _question("全县生产总值是多少？")
    assert support._target_only(q, goal) == "a goal, not a figure reached"
    assert support._target_only(q, reached) is None
    assert support._target_only(_question("今年生产总值的目标是多少？"), goal) is None


def test_a_goal_named_as_a_guide_is_no_goal_figure():
    doc = Document("s", "学校以技能人才培养目标为指引，建成3条实训产线。", "学院", "2031-01-10", "s.md")
    q = _question("学院建成了几条实训产线？")
    assert support._target_only(q, _cands(doc)[0]) is None


def test_an_age_inside_a_band_is_near_the_answer():
    assert in_band("85", "75至84周岁老人每月60元；85至94周岁老人每月120元")
    assert in_band("96", "95周岁及以上老人每月300元")
    assert not in_band("70", "75至84周岁老人每月60元")


def test_a_price_question_wants_an_amount_of_money():
    from rag.answer.evidence import unit_matches

    assert measure_fits("游泳票现在多少钱？", "成人票降至18元") is True
    assert measure_fits("游泳票现在多少钱？", "请假超过一个月") is False
    assert not unit_matches("保育费一个月多少钱？", "请假超过一个月的，按规定退费。")
    assert unit_matches("保育费一个月多少钱？", "保育费由每月700元下调为650元。")


def test_a_grade_is_no_place_name():
    from rag.answer.evidence import key_entities

    assert not any(e.endswith("省") for e in key_entities("县城省一级幼儿园保育费现在多少？"))


def test_an_english_question_counts_its_own_words_in_an_english_article():
    words = {"single": 3.0, "adult": 3.0, "ticket": 3.0, "pool": 1.0}
    assert scoring.own_words(words, "The price of a single adult ticket is now 18 yuan.") == pytest.approx(0.9)
    assert scoring.own_words(words, "The pool opens at 8 a.m.") == pytest.approx(0.1)


BANDS = ("70至79周岁老人补贴由每人每月30元提高至每人每月45元；80至89周岁老人补贴由每人每月60元调整为每人每月90元；"
         "90周岁及以上老人标准不变，仍为每人每月300元。")


@pytest.mark.parametrize("question,amount", [
    ("奶奶82岁，补贴现在每月多少？", "90元"), ("百岁老人的补贴每月多少钱？", "300元"),
    ("补贴调整前，70到79岁的老人每月领多少？", "30元"), ("补贴现在每月多少？", None),
])
def test_a_band_asked_gets_that_bands_amount_alone(question, amount):
    from rag.answer.bands import band_amount

    got = band_amount(question, BANDS)
    assert (got and BANDS[got[0] : got[1]]) == amount


def test_a_grade_asked_gets_that_grades_fee():
    from rag.answer.bands import band_amount

    fees = "市一级托育园每月900元；市二级托育园每月750元；市三级托育园每月600元。"
    got = band_amount("市二级托育园一个月收多少？", fees)
    assert fees[got[0] : got[1]] == "750元"


def test_a_sentence_cut_by_its_passage_is_read_whole():
    text = "Mr Pan was named head of the Qingshi library on March 3, 2031, the district said.\nNext line."
    doc = Document("e", text, "Pan named", "2031-03-05", "e.md")
    cut = text.index("2031,") - 1  # the passage ends after "March 3,"
    hit = Hit(Chunk("e", 0, 0, cut, text[:cut]), 1.0)
    # the rest of the sentence, which is short (an English relative clause may hold the answer)
    assert from_hits([hit], lambda _id: doc, AnswerPolicy())[0].text.endswith("March 3, 2031, the district said.")
    table = "Row one: " + "cell " * 60 + "end."
    tdoc = Document("t", table, "t", None, "t.md")
    thit = Hit(Chunk("t", 0, 0, 40, table[:40]), 1.0)
    assert from_hits([thit], lambda _id: tdoc, AnswerPolicy())[0].end <= 40 + 40  # a run-on row is not read on


def test_one_quantity_asked_shows_one_figure():
    from rag.answer.fits import one_figure

    text = "今年全村茶叶产量820吨，销售额2150万元，同比增长9%。"
    s, e = text.index("820吨"), text.index("万元") + 2
    got = one_figure(text, s, e, "全村茶叶卖了多少钱？")
    assert text[got[0] : got[1]] == "2150万元"
    assert one_figure(text, s, e, "全村茶叶有多大规模？") is None  # no measure tells the two apart
    assert one_figure(text, s, text.index("吨") + 1, "产量多少吨？") == (s, text.index("吨") + 1)


def test_a_piece_of_a_quoted_name_grows_to_the_whole_name():
    from rag.answer.units import whole_unit

    text = "也可以通过“青石办事”APP掌上办理。"
    s = text.index("青石")
    assert whole_unit(text, s, s + 2, "去哪儿办？") == (s, s + 4)
    assert whole_unit(text, s, s + 4, "去哪儿办？") == (s, s + 4)


def test_an_english_question_focuses_on_the_words_after_its_question_word():
    from rag.answer.focus import english_focus

    words = {"single": 1.0, "child": 1.0, "ticket": 1.0, "museum": 1.0, "now": 1.0}
    assert set(english_focus("How much is a single child ticket at the museum now?", words)) == {"single", "child", "ticket"}
    assert english_focus("Tell me about the museum.", words) == {}


def test_durations_and_prices_in_other_forms():
    from rag.answer.evidence import unit_matches

    assert measure_fits("这种蕨类生存了多少年？", "生存了近2,400万年") is True
    assert measure_fits("这种花的花期约是多久？", "花期4-6月") is True
    assert measure_fits("公司斥资多少钱收购该品牌？", "斥资52亿美元收购") is True
    assert unit_matches("公司斥资多少钱收购该品牌？", "斥资52亿美元收购")
