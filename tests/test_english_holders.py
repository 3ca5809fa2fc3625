"""Office-holders reported on an English page of a Chinese archive (issue #19, "the current fact, with
its date"): a Chinese question finds the page (pinyin of its places, English words of its posts; its
BM25 rank where the dense one is poor), the person a sentence appoints is the answer and is quoted
whole, and a newer article that names a successor to the answer's person leads. Invented places,
people and articles."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.candidates import Candidate
from rag.answer.newer import successor
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question
from rag.answer.short import whole
from rag.answer.span import appointee
from rag.retrieve.romanized import english_keywords, place_stems
from rag.retrieve.search import other_language
from rag.types import Chunk, Document, Hit

TODAY = dt.date(2026, 3, 1)

OLD_ZH = "鹤汀镇党委书记李四表示，镇里将把茶园改造经验推广到周边村。"
NEW_EN = ("Zhang San (张三), 46, an agronomist, has been appointed Party secretary of Heting Town (鹤汀镇), "
          "the county Party committee announced on Monday. He succeeds Li Si (李四), who has been "
          "transferred to the county transport bureau.\n\nZhang said the town would build a tea market.")


# -- retrieval: what BM25 looks for, and a page in another language --------------------------------

def test_a_chinese_question_looks_for_the_pinyin_of_its_places_and_the_english_of_its_posts():
    words = english_keywords("鹤汀镇党委书记是谁？")
    assert words[0] == "heting" and {"party", "secretary"} <= set(words)
    assert "hospital" in english_keywords("县人民医院院长是谁？") and "president" in english_keywords("县人民医院院长是谁？")


@pytest.mark.parametrize("question", ["全市去年接待游客多少人次？", "How many tourists came?", ""])
def test_no_place_name_and_no_post_give_no_english_word(question):
    assert english_keywords(question) == []


def test_a_place_is_its_name_before_its_kind_not_a_word_such_as_the_whole_city():
    assert place_stems("鹤汀镇松岙村去年茶叶收入多少？") == ["鹤汀", "松岙"]
    assert place_stems("全市人民医院院长是谁？") == []


def test_the_sparse_text_of_a_chinese_question_holds_its_english_words():
    from rag.retrieve.question import sparse_text

    assert sparse_text("鹤汀镇党委书记是谁？").startswith("鹤汀镇党委书记是谁？ heting")


def _hit(doc_id, text, score, dense_rank, sparse_rank):
    return Hit(Chunk(doc_id, 0, 0, len(text), text), score, None, None, dense_rank, sparse_rank)


def test_a_page_in_another_language_is_fused_by_its_bm25_rank_where_that_is_better():
    hits = [_hit("zh1", OLD_ZH, 1 / 61 + 1 / 63, 1, 3), _hit("zh2", "鹤汀镇2024年工作总结", 1 / 62 + 1 / 66, 2, 6),
            _hit("en", NEW_EN, 1 / 83 + 1 / 61, 23, 1)]
    assert [h.chunk.doc_id for h in other_language("鹤汀镇党委书记是谁？", hits)] == ["en", "zh1", "zh2"]
    # an English question, or a Chinese one among Chinese passages only, keeps the store's order
    assert [h.chunk.doc_id for h in other_language("Who leads Heting Town?", hits)] == ["zh1", "zh2", "en"]
    assert other_language("鹤汀镇党委书记是谁？", hits[:2]) == hits[:2]
    # a question for no post's holder: the English page keeps its fused place (a figure is asked for
    # in Chinese articles' words; the English page that names the place would crowd them out)
    assert [h.chunk.doc_id for h in other_language("鹤汀镇现在有几家民宿？", hits)] == ["zh1", "zh2", "en"]


# -- the person an English sentence appoints, quoted whole --------------------------------------------

def test_the_person_an_english_sentence_appoints_is_its_subject_not_the_predecessor():
    (s, e), (zs, ze) = appointee(NEW_EN)
    assert NEW_EN[s:e] == "Zhang San (张三)" and NEW_EN[zs:ze] == "张三"
    assert appointee("Li Si (李四), director of the bureau, said the plan would go on.") is None
    assert appointee("was appointed director (局长). He succeeds Li Si (李四).") is None


def _cand(doc: Document, start: int, end: int) -> Candidate:
    hit = Hit(Chunk(doc.id, 0, start, end, doc.text[start:end]), 1.0)
    return Candidate(0, hit, doc, start, end)


def test_a_sentence_its_passage_cut_is_read_from_its_start():
    doc = Document(id="en", text=NEW_EN, title="New Party chief", date="2025-03-12")
    at = NEW_EN.index("has been appointed")
    c = whole(_cand(doc, at, NEW_EN.index("He succeeds")))
    assert c.text.startswith("Zhang San (张三), 46")
    zh = Document(id="zh", text="鹤汀镇召开大会。会上，李四表示将推进茶园改造。", title="", date="2025-03-12")
    cut = _cand(zh, zh.text.index("李四"), len(zh.text))
    assert whole(cut) is cut  # a Chinese sentence keeps its passage's cut


# -- a newer article names the successor of the answer's person -------------------------------------

def _question(text: str, zh: bool = True) -> Question:
    return Question(text, text, zh, "person", text, {}, frozenset())


def test_a_newer_english_page_that_names_a_successor_leads_with_the_new_holder():
    old = Document(id="old", text=OLD_ZH, title="茶园改造", date="2023-12-08")
    new = Document(id="new", text=NEW_EN, title="New Party chief for Heting Town", date="2025-03-12")
    lead = _cand(old, 0, len(OLD_ZH))
    ranked = [lead, _cand(new, 0, NEW_EN.index("\n"))]
    found = successor(_question("鹤汀镇党委书记是谁？"), lead, ranked, TODAY)
    assert found is not None and found.value == "张三" and found.old == "李四" and found.of == "old"
    assert found.cand.text.startswith("Zhang San (张三)") and "He succeeds Li Si (李四)" in found.cand.text
    en = successor(_question("Who is the Party secretary of Heting Town now? 党委书记", zh=False), lead, ranked, TODAY)
    assert en is not None and en.value == "Zhang San (张三)"
    # another post the old holder also held: no successor of the one asked
    assert successor(_question("鹤汀镇镇长是谁？"), lead, ranked, TODAY) is None
    # an older page never replaces a newer answer
    assert successor(_question("鹤汀镇党委书记是谁？"), ranked[1], [ranked[1], lead], TODAY) is None


def test_a_chinese_line_that_says_who_takes_over_names_the_new_holder():
    old = Document(id="old", text=OLD_ZH, title="茶园改造", date="2023-12-08")
    text = "3月10日，县委决定：王五接替李四任鹤汀镇党委书记。"
    new = Document(id="new", text=text, title="鹤汀镇主要负责人调整", date="2025-03-11")
    lead = _cand(old, 0, len(OLD_ZH))
    found = successor(_question("鹤汀镇党委书记是谁？"), lead, [lead, _cand(new, 0, len(text))], TODAY)
    assert found is not None and found.value == "王五"


# -- end to end, on a real index with the fake embedder ---------------------------------------------

DOCS = {
    "heting-tea-2023.md": f"---\ntitle: 鹤汀镇茶园改造见成效\ndate: 2023-12-08\n---\n{OLD_ZH}\n",
    "heting-secretary-2025-en.md": f"---\ntitle: New Party chief for Heting Town\ndate: 2025-03-12\n---\n{NEW_EN}\n",
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    from tests.helpers import hashing_pipeline

    return hashing_pipeline(tmp_path_factory.mktemp("english-holders"), DOCS)


def test_a_chinese_question_is_answered_by_the_newer_english_page(pipe):
    a = pipe.ask("鹤汀镇党委书记是谁？", today=TODAY)
    assert a.answerable and a.short_answer == "张三", a.answer
    assert a.citations[-1].doc_id == "heting-secretary-2025-en.md" and a.citations[-1].status == "current"


def test_an_english_question_gets_the_appointee_named_whole(pipe):
    a = pipe.ask("Who is the Party secretary of Heting Town now?", today=TODAY)
    assert a.answerable and "Zhang San (张三)" in a.answer, a.answer
    assert a.short_answer is None or "李四" not in a.short_answer


def test_an_english_question_gets_the_chinese_successor_as_written():
    old = Document(id="old", text=OLD_ZH, title="茶园改造", date="2023-12-08")
    text = "3月10日，县委决定：王五接替李四任鹤汀镇党委书记。"
    new = Document(id="new", text=text, title="鹤汀镇主要负责人调整", date="2025-03-11")
    lead = _cand(old, 0, len(OLD_ZH))
    found = successor(_question("Who is the Party secretary of Heting Town? 党委书记", zh=False), lead,
                      [lead, _cand(new, 0, len(text))], TODAY)
    assert found is not None and found.value == "王五" and text[found.at:found.at + 2] == "王五"


def test_a_long_english_sentence_cut_to_its_clauses_starts_at_a_word_not_a_space():
    from rag.answer.cut import trim

    text = ("The first-tier price, which covers a household's first 300 cubic metres a year and most homes, "
            "will rise from 3.05 yuan to 3.18 yuan per cubic metre, the bureau said on Monday in its notice.")
    doc = Document(id="en", text=text, title="", date="2026-03-20")
    at = text.index("3.18")
    # (an English sentence gets policy.latin_chars times the limit given: 32 -> 80 characters)
    cut = trim(_cand(doc, 0, len(text)), (at, at + 4), {"3.18": 1.0}, AnswerPolicy(latin_chars=2.5), 32)
    assert cut.text.startswith("will rise") and "3.18" in cut.text

