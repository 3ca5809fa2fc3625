"""The lenient-and-strict judge of short answers (rag/evaluate/lenient.py), on invented answers."""
from types import SimpleNamespace

from rag.evaluate.lenient import judge, list_items, summary_lines, tally


def test_strict_match_is_right():
    assert judge("42万元", ["42万元"]) == "right"


def test_unit_or_label_around_the_gold_is_right():
    assert judge("三项主营业务", ["三项"]) == "right"
    assert judge("青禾公司", ["青禾"]) == "right"


def test_a_whole_clause_around_the_gold_is_wrong():
    assert judge("据说青禾公司今年营收大涨", ["青禾"]) == "wrong"
    assert judge("青禾，公司", ["青禾"]) == "wrong"  # punctuation is no label


def test_gold_said_as_a_sentence_with_the_question_words():
    q = "梧岗镇的茶园分布在哪些山坡？"
    assert judge("北坡和东坡", ["梧岗镇的茶园分布在北坡和东坡"], question=q) == "right"
    assert judge("北坡", ["梧岗镇的茶园分布在北坡和东坡"], question=q) == "incomplete"


def test_an_aside_in_brackets_is_no_part_of_the_gold():
    # a translation or note in brackets beside the answer in a gold sentence
    assert judge("澄湖塔", ["前称澄湖塔（Chenghu Tower，旧称）"], question="该大楼的前称是什么？") == "right"
    assert judge("苏墨", ["苏墨（Sumo Ltd）教授"], question="谁任主席？") == "right"
    assert judge("苏墨", ["苏墨（Sumo Ltd）和林澈教授"]) == "incomplete"  # still one of two
    assert judge("林澈", ["苏墨（Sumo Ltd）教授"]) == "wrong"


def test_one_item_of_a_list_is_incomplete():
    assert list_items("澄光和岭南软件") == ["澄光", "岭南软件"]
    assert judge("澄光", ["澄光和岭南软件"]) == "incomplete"
    assert judge("澄光和岭南软件", ["澄光和岭南软件"]) == "right"


def test_must_include_parts():
    parts = ["栎港", "杉港", "梧港"]
    assert judge("栎港、杉港、梧港", [], parts) == "right"
    assert judge("栎港、杉港", [], parts) == "incomplete"
    assert judge("联运新城", [], parts) == "wrong"


def test_nothing_shown_is_not_judged():
    assert judge(None, ["42万元"]) is None
    assert judge("", ["42万元"]) is None


def _item(i, answers=(), must=(), unanswerable=False):
    return SimpleNamespace(id=f"q{i}", question="问题？", answers=tuple(answers), must_include=tuple(must),
                           unanswerable=unanswerable)


def test_tally_counts_and_lists_wrong_ones():
    pairs = [(_item(1, ["42万元"]), {"answerable": True, "short_answer": "42万元"}),
             (_item(2, ["澄光和岭南软件"]), {"answerable": True, "short_answer": "澄光"}),
             (_item(3, ["7公里"]), {"answerable": True, "short_answer": "9公里"}),
             (_item(4, ["8人"]), {"answerable": True, "short_answer": None}),
             (_item(5, unanswerable=True), {"answerable": True, "short_answer": "5个"})]
    t = tally(pairs)
    assert (t["lenient_right"], t["lenient_incomplete"], t["lenient_wrong"]) == (1, 1, 1)
    assert t["lenient_shown"] == 3 and t["lenient_questions"] == 4
    assert abs(t["lenient_precision"] - 1 / 3) < 1e-9
    assert t["short_on_unanswerable"] == 1
    text = "\n".join(summary_lines(pairs))
    assert "9公里" in text and "q3" in text


def test_report_lists_the_wrong_and_incomplete_short_answers():
    from rag.evaluate.report import build_blocks, to_markdown
    from rag.evaluate.runner import QAItem, Record

    def rec(i, answers, short):
        pred = {"question": f"问题{i}？", "answer": f"{short}。[1]", "short_answer": short, "answerable": True,
                "citations": []}
        return Record(QAItem(f"q{i}", f"问题{i}？", answers=tuple(answers)), pred, [], True, answer_in_context=True)

    md = to_markdown(build_blocks([rec(1, ["42万元"], "42万元"), rec(2, ["澄光和岭南软件"], "澄光"),
                                   rec(3, ["7公里"], "9公里")], "t", [], {}))
    assert "| short answers judged (n=3 shown of 3): right / incomplete / wrong | 1 / 1 / 1" in md
    assert "## Short answers judged wrong or incomplete (2)" in md
    assert "| q3 | wrong |" in md and "| q2 | incomplete |" in md
