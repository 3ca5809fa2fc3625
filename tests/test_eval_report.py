"""Evaluation runs and reports, on a tiny corpus: once through the real Pipeline with the fake
embedder, once through a stub pipeline whose answers are fixed so that every figure of the report
can be computed by hand (see the comments)."""
from __future__ import annotations

import json
import struct

import pytest

from rag.evaluate.runner import QAItem, load_qa
from rag.evaluate.session import evaluate
from rag.types import Answer, Chunk, Citation, Document, Hit

DOCS = [
    {"id": "d1", "title": "大陈村的蝶变", "text": "前仓镇大陈村2024年接待游客约40万人次，村集体经济收入达251万元。"},
    {"id": "d2", "title": "技师学院新专业", "text": "永康五金技师学院开设了智能制造专业，在校学生超过三千人。"},
    {"id": "d3", "title": "芝英镇古祠堂", "text": "芝英镇保存有明清古祠堂六十余座，被称为中国祠堂博物馆。"},
]
QA = [
    {"id": "q1", "question": "大陈村2024年接待游客约多少万人次？", "answers": ["40万人次"], "gold_doc": "d1",
     "category": "number"},
    {"id": "q2", "question": "永康五金技师学院开设了什么专业？", "answers": ["智能制造"], "gold_doc": "d2",
     "category": "fact"},
    {"id": "q3", "question": "芝英镇保存有多少座明清古祠堂？", "answers": ["六十余座"], "gold_doc": "d3",
     "category": "number"},
    # answerable-looking, but the expected string is in no document: a guaranteed failure
    {"id": "q4", "question": "大陈村村集体经济收入达到多少？", "answers": ["九百九十九元"], "gold_doc": "d1",
     "category": "number"},
    {"id": "q5", "question": "火星上有几只企鹅？", "unanswerable": True, "category": "unanswerable"},
]
SECTIONS = ["# Tiny", "## Summary", "## By question language", "## By category", "## Failures",
            "## How each figure is computed"]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def png_size(path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def tiny(fake_pipeline, tmp_path):
    write_jsonl(fake_pipeline.settings.corpus_dir / "docs.jsonl", DOCS)
    fake_pipeline.build()
    return fake_pipeline, load_qa(write_jsonl(tmp_path / "qa.jsonl", QA))


# --- the real Pipeline, fake embedder --------------------------------------------------------


def test_report_files_sections_and_figures(tiny, tmp_path):
    pipe, items = tiny
    out = tmp_path / "report"
    result = evaluate(pipe, items, report_dir=out, title="Tiny", qa_label="qa.jsonl")
    rep = result.report
    for path in (rep.markdown, rep.html, rep.summary_json, rep.predictions):
        assert path.is_file() and path.stat().st_size > 0
    md = rep.markdown.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in md
    # q1-q3 are answered from their one-sentence documents, q4 cannot be right: 3 of 4 answerable.
    # Wilson(3, 4): centre = (0.75 + 0.4802) / 1.9604 = 0.627525;
    # half = 1.96 * sqrt(0.046875 + 0.060025) / 1.9604 = 0.326889 -> [0.300636, 0.954414]
    assert "| answer accuracy [95% CI] | 75.0% [30.1%, 95.4%] |" in md
    # q5 (Mars penguins) shares no word with the corpus and is the only refusal: P = R = 1/1
    assert "| refusal precision / recall | 100.0% / 100.0% |" in md
    # three one-chunk documents; every question shares its words with its gold document only
    assert "| retrieval hit@1 / 3 / 5 / 10 (n=4) | 100.0% / 100.0% / 100.0% / 100.0% |" in md
    assert "| retrieval MRR (top 10) | 1.000 |" in md
    # 4 answers, one citation each, all quoted from the stored text
    assert "| citations verbatim (n=4) | 100.0% |" in md
    # 3 of the 4 expected strings occur in the passages read (not q4's)
    assert "| expected answer in the passages read (upper bound for accuracy) | 75.0% |" in md
    assert "## Failures (1 of 5)" in md
    assert "| answer_not_in_context | 1 |" in md
    failure = next(line for line in md.splitlines() if line.startswith("| 1 | q4 |"))
    assert "大陈村村集体经济收入达到多少？" in failure and "九百九十九元" in failure
    assert "✓gold [d1]" in failure and "gold document rank in top 10: 1" in failure
    # EM / F1 depend on the short answers: check the summary against the predictions instead
    preds = [json.loads(line) for line in rep.predictions.read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in preds] == ["q1", "q2", "q3", "q4", "q5"]
    em = [p["eval"]["em"] for p in preds if p["eval"]["em"] is not None]
    assert len(em) == 4 and result.summary["exact_match"] == pytest.approx(sum(em) / 4)
    assert preds[4]["eval"]["em"] is None  # unanswerable: not scored
    # charts: valid PNGs; the self-contained page embeds them and links nothing external
    names = sorted(p.name for p in rep.charts)
    assert names == ["by_category.png", "by_language.png", "failures.png", "latency.png", "retrieval.png"]
    for chart in rep.charts:
        w, h = png_size(chart)
        assert w >= 300 and h >= 100
        assert f"](charts/{chart.name})" in md
    page = rep.html.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5 and "charts/" not in page
    assert "<script" not in page


def test_html_escapes_question_text(tiny, tmp_path):
    pipe, _ = tiny
    items = [QAItem("x1", "<b>火星</b>上有几只企鹅？", answers=("企鹅",))]
    rep = evaluate(pipe, items, report_dir=tmp_path / "r").report
    page = rep.html.read_text(encoding="utf-8")
    assert "&lt;b&gt;火星&lt;/b&gt;" in page and "<b>火星" not in page


# --- a stub pipeline: every figure by hand ---------------------------------------------------

D1 = Document("d1", "2024年，该村接待游客约40万人次，村集体经济收入达251万元。", "大陈村")
D2 = Document("d2", "永康五金技师学院开设了智能制造专业。", "学院")
D3 = Document("d3", "火星上没有企鹅。", "火星")
DOCS_BY_ID = {d.id: d for d in (D1, D2, D3)}


def hit(doc: Document) -> Hit:
    return Hit(Chunk(doc.id, 0, 0, len(doc.text), doc.text), 1.0)


def cite(doc: Document, quote: str, start: int | None = None) -> Citation:
    start = doc.text.index(quote) if start is None else start
    return Citation(1, doc.id, doc.title, None, None, quote, start, start + len(quote))


QA_A = QAItem("A", "大陈村村集体经济收入达到多少？", ("251万元",), gold_doc=("d1",), category="number")
QA_B = QAItem("B", "How many tourists did Dachen receive?", ("40万人次",), gold_doc=("d1",), category="number")
QA_C = QAItem("C", "学院开设了什么专业？", ("智能制造",), gold_doc=("d2",), category="fact")
QA_D = QAItem("D", "火星上有几只企鹅？", unanswerable=True, category="unanswerable")

# question -> (answer, ranked hits of the k=10 search)
STUB = {
    # right, verbatim citation; short answer equals the gold
    QA_A.question: (Answer(QA_A.question, "村集体经济收入达251万元。[1]", "251万元", True,
                           (cite(D1, "村集体经济收入达251万元。"),), 100.0, hits=(hit(D1),)),
                    [hit(D1), hit(D2)]),
    # right (the answer text contains 40万人次) but the quote lacks it and its offsets are wrong
    QA_B.question: (Answer(QA_B.question, "约40万人次 — 该村接待游客约40万。[1]", "约40万人次", True,
                           (cite(D1, "该村接待游客约40万。", start=6),), 300.0, hits=(hit(D1),)),
                    [hit(D2), hit(D1)]),
    # refused; its passages (d1) do not hold 智能制造; d2 not in the top 10
    QA_C.question: (Answer(QA_C.question, "抱歉，现有文章中没有找到这个问题的答案。", None, False, (), 200.0,
                           hits=(hit(D1),)),
                    [hit(D1), hit(D1), hit(D3)]),
    # should refuse, answers instead (a verbatim quote)
    QA_D.question: (Answer(QA_D.question, "火星上没有企鹅。[1]", None, True, (cite(D3, "火星上没有企鹅。"),), 400.0,
                           hits=(hit(D3),)),
                    [hit(D3)]),
}


class StubIndex:
    manifest = {"documents": 3, "chunks": 3, "model": "stub", "chunk_size": 220, "chunk_overlap": 1}
    documents = [D1, D2, D3]

    def document(self, doc_id):
        return DOCS_BY_ID.get(doc_id)


class StubPipeline:
    def __init__(self, settings):
        self.settings = settings
        self.index = StubIndex()

    def search_batch(self, questions, k=None, mode=None):
        return [STUB[q][1][:k] for q in questions]

    def search(self, question, k=None, mode=None):
        return self.search_batch([question], k, mode)[0]

    def ask(self, question, history=(), mode=None, top_k=None):
        return STUB[question][0]

    def document(self, doc_id):
        return DOCS_BY_ID[doc_id]


def test_every_figure_by_hand(fake_settings, tmp_path):
    result = evaluate(StubPipeline(fake_settings), [QA_A, QA_B, QA_C, QA_D], report_dir=tmp_path / "r",
                      title="Tiny")
    s = result.summary
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (4, 3, 1)
    # A and B right, C refused: 2 of 3. Wilson(2, 3): z²/n = 1.280533, denom = 2.280533,
    # centre = (2/3 + 0.640267) / denom = 0.573082; half = 1.96 * sqrt(2/27 + 3.8416/36) / denom
    # = 1.96 * 0.425188 / 2.280533 = 0.365427 -> [0.207655, 0.938509]
    assert s["answer_accuracy"] == pytest.approx(2 / 3)
    assert s["answer_accuracy_ci95"] == pytest.approx((0.207655, 0.938509), abs=1e-5)
    # refused = [C], unanswerable = [D]: nothing in common -> P = 0/1, R = 0/1
    assert (s["refusal_precision"], s["refusal_recall"], s["refusal_accuracy"]) == (0.0, 0.0, 0.0)
    # ranks of the gold document: A 1, B 2, C absent -> hit@1 1/3, hit@3..10 2/3, MRR (1 + 1/2 + 0)/3 = 1/2
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@3"] == s["hit@5"] == s["hit@10"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx(0.5)
    assert s["gold_doc_cited"] == pytest.approx(2 / 3)  # A and B cite d1; C cites nothing
    # EM: A 1, B "约40万人次" vs "40万人次" 0, C refusal 0 -> 1/3
    # F1: A 1; B 约|40|万|人|次 vs 40|万|人|次: P 4/5, R 1, F1 8/9; C 0 -> (1 + 8/9) / 3 = 17/27
    assert s["exact_match"] == pytest.approx(1 / 3)
    assert s["char_f1"] == pytest.approx(17 / 27)
    assert s["short_answer_rate"] == pytest.approx(2 / 3)
    assert s["answer_in_context"] == pytest.approx(2 / 3)  # A, B yes; C's passage is d1
    # citations: A verbatim, B not (text[6:16] is "该村接待游客约40万", without 。), D verbatim -> 2/3
    assert s["citations"] == 3 and s["citations_verbatim"] == pytest.approx(2 / 3)
    # correct answers A, B: A's quote holds 251万元, B's quote lacks 40万人次 -> 1/2
    assert s["answer_in_quote"] == pytest.approx(0.5)
    # answered A, B, D: 14, 18 (约40万人次—该村接待游客约40万。), 8 (火星上没有企鹅。)
    assert s["answer_chars_mean"] == pytest.approx(40 / 3) and s["answer_chars_p50"] == 14
    # latencies 100, 300, 200, 400: p50 rank 1.5 -> 250; p95 rank 2.85 -> 300 + 0.85 * 100 = 385
    assert (s["latency_p50_ms"], s["latency_p95_ms"]) == (pytest.approx(250), pytest.approx(385))

    md = result.report.markdown.read_text(encoding="utf-8")
    assert "| answer accuracy [95% CI] | 66.7% [20.8%, 93.9%] |" in md
    assert "| retrieval hit@1 / 3 / 5 / 10 (n=3) | 33.3% / 66.7% / 66.7% / 66.7% |" in md
    assert "| retrieval MRR (top 10) | 0.500 |" in md
    assert "| short answer EM / F1 (CMRC, max over golds; n=3) | 33.3% / 63.0% |" in md
    assert "| citations verbatim (n=3) | 66.7% |" in md
    assert "| correct answers with the answer in a cited quote | 50.0% |" in md
    assert "| answer length, chars (mean / median) | 13 / 14 |" in md
    assert "| latency p50 / p95 | 250 ms / 385 ms |" in md
    # by language: zh = A, C, D -> 1 of 3 right, EM and F1 over A and C (1 and 0) = 1/2, hit@5 over A, C = 1/2;
    # en = B -> 1 of 1, EM 0, F1 8/9, hit@5 1 (rank 2)
    # Wilson(1, 3): centre = (1/3 + 0.640267) / 2.280533 = 0.426918, half 0.365427 -> [6.1%, 79.2%]
    # Wilson(1, 1): z²/n = 3.8416, denom 4.8416, centre = (1 + 1.9208) / 4.8416 = 0.603272,
    # half = 1.96 * sqrt(0 + 0.9604) / 4.8416 = 0.396728 -> [20.7%, 100.0%]
    assert "| zh | 3 | 1 | 33.3% [6.1%, 79.2%] | 50.0% | 50.0% | 50.0% |" in md
    assert "| en | 1 | 1 | 100.0% [20.7%, 100.0%] | 0.0% | 88.9% | 100.0% |" in md
    # by category: number = A, B (2 of 2); fact = C; unanswerable = D
    assert "| number | 2 | 2 | 100.0%" in md
    assert "| fact | 1 | 0 | 0.0%" in md and "| unanswerable | 1 | 0 | 0.0%" in md
    # by retrieval: A, B read d1 (their gold) -> 2 of 2; C read d1, not d2 -> 0 of 1
    assert "## By retrieval: was the gold document among the passages read?" in md
    assert "| gold doc read | 2 | 2 | 100.0%" in md and "| gold doc not read | 1 | 0 | 0.0%" in md
    # failures grouped by reason; one each, so in FAILURE_REASONS order: answered_unanswerable first
    assert "## Failures (2 of 4)" in md
    assert "| 1 | D | answered_unanswerable | 火星上有几只企鹅？ | (should refuse) |" in md
    assert "| 2 | C | refused_answer_not_in_context |" in md


def test_evaluate_imports_are_light():
    """matplotlib loads only when a chart is drawn; the evaluation never imports the UI."""
    import subprocess
    import sys

    code = ("import sys, rag.evaluate.session, rag.evaluate.report, rag.evaluate.compare; "
            "print(sorted(m for m in ('matplotlib', 'gradio', 'torch', 'rag.ui') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_accuracy_chart_of_a_group_at_100_percent(tmp_path):
    """A Wilson interval's top can be a rounding hair below an accuracy of 1.0: no negative error bar."""
    from rag.evaluate.charts import accuracy_chart

    rows = [{"group": "all right", "questions": 12, "accuracy": 1.0, "ci95": [0.8, 0.9999999999999999]},
            {"group": "half", "questions": 4, "accuracy": 0.5, "ci95": [0.2, 0.8]}]
    path = accuracy_chart(rows, tmp_path / "acc.png", "accuracy")
    assert path is not None and path.exists() and path.stat().st_size > 0
