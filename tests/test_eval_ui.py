"""The Evaluate tab's handler over a real pipeline with the fake embedder (no browser)."""
from __future__ import annotations

import zipfile

import pytest

gr = pytest.importorskip("gradio")

from rag.ui.evaluate import EvaluateHandlers, evaluate_tab  # noqa: E402
from tests.helpers import write_jsonl  # noqa: E402

DOCS = [
    {"id": "d1", "title": "大陈村的蝶变", "text": "前仓镇大陈村2024年接待游客约40万人次。村集体经济收入达251万元。"},
    {"id": "d2", "title": "技师学院新专业", "text": "永康五金技师学院开设了智能制造专业。在校学生超过三千人。"},
]
QA = [
    {"id": "q1", "question": "大陈村2024年接待游客约多少万人次？", "answers": ["40万人次"], "gold_doc": "d1"},
    {"id": "q2", "question": "永康五金技师学院开设了什么专业？", "answers": ["九百九十九"], "gold_doc": "d2"},
    {"id": "q3", "question": "火星上有几只企鹅？", "unanswerable": True},
]


class Progress:
    def __init__(self):
        self.calls = []

    def __call__(self, value, desc=None, unit=None):
        self.calls.append((value, desc))


@pytest.fixture
def handlers(fake_built, tmp_path):
    pipeline = fake_built({"docs.jsonl": DOCS})
    return EvaluateHandlers(pipeline, pipeline.settings, workdir=tmp_path / "runs")


def test_run_fills_summary_charts_failures_and_downloads(handlers, tmp_path):
    qa = write_jsonl(tmp_path / "qa.jsonl", QA)
    progress = Progress()
    status, summary, side, charts, failures, preds, report = handlers.run(str(qa), 0, "hybrid", "", progress)
    assert "rag-status-ok" in status and "3 个问题" in status
    metrics = dict(summary)
    assert metrics["questions"].startswith("3 (2 answerable, 1 unanswerable")
    assert "answer accuracy [95% CI]" in metrics
    assert side["visible"] is False
    assert charts and all(p.endswith(".png") for p in charts)
    # q2 expects a string that is in no document: it is a failure, shown with its question
    assert any(row[1] == "q2" and "永康五金技师学院" in row[3] and "九百九十九" in row[4] for row in failures)
    assert preds["visible"] and len(open(preds["value"], encoding="utf-8").read().splitlines()) == 3
    with zipfile.ZipFile(report["value"]) as z:
        names = set(z.namelist())
    assert {"report.md", "report.html", "summary.json", "predictions.jsonl"} <= names
    assert any(n.startswith("charts/") for n in names)
    # progress went through both stages and ended at (3, 3)
    assert progress.calls[-1][0] == (3, 3) and "回答" in progress.calls[-1][1]
    assert any("检索" in (desc or "") for _, desc in progress.calls)


def test_run_with_compare_and_limit(handlers, tmp_path):
    qa = write_jsonl(tmp_path / "qa.jsonl", QA)
    status, summary, side, charts, failures, preds, report = handlers.run(str(qa), 2, "hybrid", "bm25,dense",
                                                                          Progress())
    assert dict(summary)["questions"].startswith("2 ")
    assert side["visible"] is True
    assert [row[0] for row in side["value"]["data"]] == ["bm25", "dense"]


def test_run_reports_errors_without_raising(handlers, tmp_path):
    status, *rest = handlers.run(None, 0, "hybrid", "", Progress())
    assert "rag-status-warn" in status
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="bad.jsonl:1"):  # gr.Warning outside a request warns
        status, *rest = handlers.run(str(bad), 0, "hybrid", "", Progress())
    assert "rag-status-error" in status and "bad.jsonl:1" in status
    qa = write_jsonl(tmp_path / "qa.jsonl", QA)
    with pytest.warns(UserWarning, match="Cannot read variant"):
        status, *rest = handlers.run(str(qa), 0, "hybrid", "fast", Progress())
    assert "rag-status-error" in status and "Cannot read variant" in status


def test_tab_builds_inside_blocks(fake_pipeline):
    with gr.Blocks() as app:
        with gr.Tab("评估 Evaluate"):
            assert evaluate_tab(fake_pipeline, fake_pipeline.settings) is None
    public = {d.api_name for d in app.fns.values() if d.api_visibility == "public"}
    assert public == set()  # the evaluation is not exposed as an API endpoint
