"""`rag eval` with dated questions: QA items carry `today` and `stale_answers`; an answer that holds
an older value and not the current one is a failure of its own kind, "stale_answer", counted in the
summary and listed with the failures. A stub pipeline with fixed answers; made-up villages and figures."""
from __future__ import annotations

import json

import pytest

from rag.errors import BadInput
from rag.evaluate import checks as C
from rag.evaluate.runner import QAItem, failure_counts, load_qa, summarize, summary_text
from rag.evaluate.session import evaluate
from rag.types import Answer, Chunk, Citation, Document, Hit

OLD = Document("old", "2023年，芦湾村村集体经济收入达118万元。", "芦湾村2023", "2024-01-10")
NEW = Document("new", "2024年，芦湾村村集体经济收入达146万元。", "芦湾村2024", "2025-01-12")
FEE = Document("fee", "保洁费由每户每年60元调整为每户每年1060元。", "保洁费", "2025-03-01")
DOCS = {d.id: d for d in (OLD, NEW, FEE)}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- loading

def test_load_qa_reads_today_and_stale_answers(tmp_path):
    rows = [{"id": "t1", "question": "芦湾村现在的村集体经济收入是多少？", "answers": ["146万元"],
             "stale_answers": ["118万元"], "today": "2025-06-01", "category": "current"},
            {"id": "t2", "question": "芦湾村在哪里？"}]
    first, second = load_qa(write_jsonl(tmp_path / "qa.jsonl", rows))
    assert first.today == "2025-06-01" and first.stale_answers == ("118万元",) and first.category == "current"
    assert second.today is None and second.stale_answers == ()


@pytest.mark.parametrize("today", ["2025-02-30", "去年", "06/01/2025"])
def test_a_bad_today_names_the_line(tmp_path, today):
    rows = [{"id": "t1", "question": "芦湾村在哪里？"}, {"id": "t2", "question": "收入多少？", "today": today}]
    with pytest.raises(BadInput, match=r"qa.jsonl:2:.*yyyy-mm-dd"):
        load_qa(write_jsonl(tmp_path / "qa.jsonl", rows))


# ---------------------------------------------------------------- the check

@pytest.mark.parametrize(("text", "stale"), [
    ("村集体经济收入达118万元。[1]", True),
    ("村集体经济收入达１１８ 万元。", True),  # full-width and a space: normalised as the scoring is
    ("村集体经济收入达146万元，此前（2023年）为118万元。", False),  # the current value leads, the old one noted
    ("村集体经济收入达146万元。", False),
    ("", False),
    (None, False),
])
def test_holds_stale(text, stale):
    assert C.holds_stale(text, ["118万元"], ["146万元"]) is stale


def test_holds_stale_needs_stale_values_and_never_reads_one_inside_the_current():
    assert not C.holds_stale("收入118万元", [], ["146万元"])
    assert not C.holds_stale("每户每年1060元", ["60元"], ["1060元"])
    assert C.holds_stale("每户每年60元", ["60元"], ["1060元"])


def test_failure_reason_stale_comes_after_error_and_not_for_refusals():
    assert C.failure_reason(correct=False, unanswerable=False, refused=False, answer_in_context=True,
                            stale=True) == "stale_answer"
    assert C.failure_reason(correct=False, unanswerable=False, refused=False, answer_in_context=True,
                            stale=True, error="boom") == "error"
    assert C.failure_reason(correct=False, unanswerable=False, refused=True, answer_in_context=True,
                            stale=True) == "refused_answer_in_context"
    assert C.failure_reason(correct=True, unanswerable=False, refused=False, answer_in_context=True,
                            stale=True) is None
    assert "stale_answer" in C.FAILURE_REASONS


# ---------------------------------------------------------------- through a run and a report

def hit(doc):
    return Hit(Chunk(doc.id, 0, 0, len(doc.text), doc.text), 1.0)


def answer(question, doc, quote, short):
    start = doc.text.index(quote)
    cit = Citation(1, doc.id, doc.title, doc.date, None, quote, start, start + len(quote))
    return Answer(question, quote + "[1]", short, True, (cit,), 50.0, hits=(hit(doc),))


CUR = QAItem("cur", "芦湾村现在的村集体经济收入是多少？", ("146万元",), gold_doc=("new",), category="current",
             today="2025-06-01", stale_answers=("118万元",))
STALE = QAItem("stale", "芦湾村村集体经济收入是多少？", ("146万元",), gold_doc=("new",), category="current",
               today="2025-06-01", stale_answers=("118万元",))
FEE_Q = QAItem("fee", "保洁费每户每年多少？", ("1060元",), gold_doc=("fee",), category="superseded",
               today="2025-06-01", stale_answers=("60元",))
PAST = QAItem("past", "芦湾村2023年村集体经济收入是多少？", ("118万元",), gold_doc=("old",), category="past_year",
              today="2025-06-01")
WRONG = QAItem("wrong", "芦湾村去年村集体经济收入是多少？", ("146万元",), gold_doc=("new",), category="relative",
               today="2025-06-01", stale_answers=("118万元",))

STUB = {
    CUR.question: answer(CUR.question, NEW, "2024年，芦湾村村集体经济收入达146万元。", "146万元"),
    STALE.question: answer(STALE.question, OLD, "2023年，芦湾村村集体经济收入达118万元。", "118万元"),
    FEE_Q.question: answer(FEE_Q.question, FEE, "保洁费由每户每年60元调整为每户每年1060元。", "60元"),
    PAST.question: answer(PAST.question, OLD, "2023年，芦湾村村集体经济收入达118万元。", "118万元"),
    WRONG.question: Answer(WRONG.question, "抱歉，现有文章中没有找到这个问题的答案。", None, False, (), 40.0,
                           hits=(hit(OLD),)),
}


class StubIndex:
    manifest = {"documents": 3, "chunks": 3, "model": "stub", "chunk_size": 220, "chunk_overlap": 1}
    documents = list(DOCS.values())

    def document(self, doc_id):
        return DOCS.get(doc_id)


class StubPipeline:
    def __init__(self, settings):
        self.settings = settings
        self.index = StubIndex()

    def search_batch(self, questions, k=None, mode=None):
        return [list(STUB[q].hits) for q in questions]

    def search(self, question, k=None, mode=None):
        return self.search_batch([question], k, mode)[0]

    def ask(self, question, history=(), mode=None, top_k=None, today=None):
        return STUB[question]

    def document(self, doc_id):
        return DOCS[doc_id]


@pytest.fixture
def result(fake_settings, tmp_path):
    return evaluate(StubPipeline(fake_settings), [CUR, STALE, FEE_Q, PAST, WRONG], report_dir=tmp_path / "r",
                    title="Dated")


def test_stale_answers_are_their_own_failure_kind(result):
    by_id = {r.item.id: r for r in result.records}
    assert [by_id[i].correct for i in ("cur", "stale", "fee", "past", "wrong")] == [True, False, True, True, False]
    assert by_id["stale"].reason == "stale_answer" and by_id["stale"].stale and by_id["stale"].stale_short
    # the fee answer quotes the change sentence (old and new value): right, but its short answer is the old one
    assert by_id["fee"].reason is None and not by_id["fee"].stale and by_id["fee"].stale_short
    assert by_id["wrong"].reason == "refused_answer_not_in_context"  # a refusal is never stale
    assert not by_id["past"].stale  # no stale values given for a question about the past
    assert dict(failure_counts(result.records)) == {"stale_answer": 1, "refused_answer_not_in_context": 1}


def test_summary_counts_stale_answers(result):
    s = summarize(result.records)
    assert (s["stale_questions"], s["stale_answers"], s["stale_short_answers"]) == (4, 1, 2)
    text = summary_text(result.records)
    assert "stale_answers" in text and "stale_answer " in text.split("failures by reason:")[1]


def test_no_stale_keys_without_stale_values(fake_settings, tmp_path):
    result = evaluate(StubPipeline(fake_settings), [PAST], report_dir=tmp_path / "r")
    assert "stale_questions" not in result.summary


def test_report_shows_stale_answers_and_the_asking_date(result):
    md = result.report.markdown.read_text(encoding="utf-8")
    assert "| stale answers: an older value, not the current one (n=4) | 1 (short answer stale: 2) |" in md
    assert "| stale_answer | 1 |" in md
    row = next(line for line in md.splitlines() if "| stale |" in line)
    assert "stale: 118万元" in row and "asked on 2025-06-01" in row
    preds = {json.loads(line)["id"]: json.loads(line)["eval"]
             for line in result.report.predictions.read_text(encoding="utf-8").splitlines()}
    assert preds["stale"]["today"] == "2025-06-01" and preds["stale"]["stale"] is True
    assert preds["fee"]["stale_short_answer"] is True and "stale" not in preds["past"]
