"""End to end with the real default model (multilingual-e5-small, built offline) on the seed page."""
import re

import pytest

pytestmark = pytest.mark.slow


def _norm(s):
    return re.sub(r"\s+", "", s)


def _verbatim(pipe, ans):
    for c in ans.citations:
        assert pipe.document(c.doc_id).text[c.start : c.end] == c.quote
        assert c.passage_start <= c.start < c.end <= c.passage_end


@pytest.mark.parametrize(
    "question,expected",
    [
        ("大陈村2024年接待了多少游客？", "40万人次"),
        ("大陈村的村集体经济收入是多少？", "251万元"),
        ("市经信局局长是谁？", "陈磊"),
        ("全会部署了几个方面的重点工作？", "八个方面"),
        ("视察组实地考察了哪所学校？", "永康五金技师学院"),
    ],
)
def test_answers_are_short_correct_and_cited_verbatim(seed_pipeline, question, expected):
    ans = seed_pipeline.ask(question)
    assert ans.answerable, ans.answer
    assert expected in _norm(ans.answer)
    assert ans.short_answer and len(ans.short_answer) <= 20
    assert "[1]" in ans.answer and ans.citations
    assert len(ans.answer) <= 150  # a sentence, not a passage
    _verbatim(seed_pipeline, ans)


@pytest.mark.parametrize("question", ["永康市2025年的财政预算是多少？", "芝英镇2024年的村集体经济收入是多少？"])
def test_questions_the_page_does_not_answer_are_declined(seed_pipeline, question):
    ans = seed_pipeline.ask(question)
    assert not ans.answerable and not ans.citations
    assert "没有" in ans.answer


def test_english_question_finds_the_chinese_sentence(seed_pipeline):
    ans = seed_pipeline.ask("What was Dachen village's collective economic income in 2024?")
    assert ans.answerable and "251万元" in _norm(ans.answer)
    _verbatim(seed_pipeline, ans)


def test_follow_up_question_keeps_the_topic(seed_pipeline):
    ans = seed_pipeline.ask("那村集体经济收入呢？", history=["大陈村2024年接待了多少游客？"])
    assert ans.searched_question and "大陈村" in ans.searched_question
    assert "251万元" in _norm(ans.answer)


def test_index_remembers_its_model(seed_pipeline):
    assert seed_pipeline.index.manifest["model"] == "multilingual-e5-small"
    assert seed_pipeline.index.manifest["dim"] == 384
