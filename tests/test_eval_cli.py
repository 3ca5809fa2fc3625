"""`rag eval` through rag.cli.main: report, compare table, errors. Fake embedder, tiny corpus."""
from __future__ import annotations

import json

import pytest

from rag.cli import main
from tests.helpers import write_jsonl

DOCS = [
    {"id": "d1", "title": "大陈村的蝶变", "text": "前仓镇大陈村2024年接待游客约40万人次。村集体经济收入达251万元。"},
    {"id": "d2", "title": "技师学院新专业", "text": "永康五金技师学院开设了智能制造专业。在校学生超过三千人。"},
    {"id": "d3", "title": "芝英镇古祠堂", "text": "芝英镇保存有明清古祠堂六十余座。被称为中国祠堂博物馆。"},
]
QA = [
    {"id": "q1", "question": "大陈村2024年接待游客约多少万人次？", "answers": ["40万人次"], "gold_doc": "d1"},
    {"id": "q2", "question": "永康五金技师学院开设了什么专业？", "answers": ["智能制造"], "gold_doc": "d2"},
    {"id": "q3", "question": "芝英镇保存有多少座明清古祠堂？", "answers": ["六十余座"], "gold_doc": "d3"},
    {"id": "q4", "question": "火星上有几只企鹅？", "unanswerable": True},
]


@pytest.fixture
def indexed(fake_built, tmp_path):
    """(index dir, QA file) of a built fake-embedder index."""
    pipeline = fake_built({"docs.jsonl": DOCS})
    return pipeline.settings.index_dir, write_jsonl(tmp_path / "qa.jsonl", QA)


def snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_eval_prints_summary_and_writes_report(indexed, tmp_path, capsys):
    index, qa = indexed
    out = tmp_path / "rep"
    code = main(["--model", "fake-hashing", "eval", str(qa), "--index", str(index), "--report", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "answer_accuracy" in captured.out and "hit@10" in captured.out
    assert f"report: {out / 'report.md'}" in captured.out
    assert {"report.md", "report.html", "summary.json", "predictions.jsonl"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["summary"]["questions"] == 4 and summary["summary"]["retrieval_questions"] == 3


def test_eval_limit_and_predictions(indexed, tmp_path, capsys):
    index, qa = indexed
    preds = tmp_path / "p.jsonl"
    code = main(["--model", "fake-hashing", "eval", str(qa), "--index", str(index), "--limit", "2",
                 "--predictions", str(preds)])
    assert code == 0
    lines = preds.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["q1", "q2"]
    assert "questions              2" in capsys.readouterr().out


def test_compare_one_row_per_variant_and_index_untouched(indexed, tmp_path, capsys):
    index, qa = indexed
    before = snapshot(index)
    out = tmp_path / "cmp"
    variants = ["bm25", "dense", "hybrid", "hybrid:k=1", "chunk=20"]
    code = main(["--model", "fake-hashing", "eval", str(qa), "--index", str(index), "--report", str(out),
                 "--compare", ",".join(variants)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = captured.out.split("\n\ndetails for variant")[0].splitlines()
    assert table[0].split()[:4] == ["variant", "mode", "chunk", "k"]
    rows = [line.split() for line in table[2:]]
    assert [r[0] for r in rows] == variants
    assert [r[1:4] for r in rows] == [["bm25", "220", "5"], ["dense", "220", "5"], ["hybrid", "220", "5"],
                                      ["hybrid", "220", "1"], ["hybrid", "20", "5"]]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Variants side by side" in md and "![variants side by side](charts/compare.png)" in md
    section = md.split("## Variants side by side")[1].split("## Summary")[0]
    assert sum(line.startswith(("| bm25 |", "| dense |", "| hybrid |", "| hybrid:k=1 |", "| chunk=20 |"))
               for line in section.splitlines()) == 5
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [c["variant"] for c in summary["compare"]] == variants
    for name in ("bm25", "dense", "hybrid", "hybrid_k_1", "chunk_20"):
        assert len((out / f"predictions-{name}.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    # the chunk=20 variant re-chunked into a temporary index; the user's index is byte-for-byte the same
    assert snapshot(index) == before
    assert summary["compare"][4]["summary"]["questions"] == 4


def test_bad_compare_fails_before_work(indexed, capsys):
    index, qa = indexed
    code = main(["--model", "fake-hashing", "eval", str(qa), "--index", str(index), "--compare", "bm25,fast"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Cannot read variant 'fast'" in err and "bm25,dense,hybrid" in err


def test_missing_qa_file(indexed, tmp_path, capsys):
    index, _ = indexed
    code = main(["--model", "fake-hashing", "eval", str(tmp_path / "nope.jsonl"), "--index", str(index)])
    assert code == 1
    assert "QA file" in capsys.readouterr().err


def test_run_cmrc_builds_once_then_reuses(tmp_path, capsys):
    """eval/run_cmrc.py on a two-paragraph stand-in for the CMRC data, with the fake embedder."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("run_cmrc", Path(__file__).parents[1] / "eval" / "run_cmrc.py")
    run_cmrc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_cmrc)
    data = tmp_path / "data"
    data.mkdir()
    write_jsonl(data / "cmrc2018_trial_docs.jsonl", [
        {"id": "TRIAL_1", "title": "泡泡战士", "text": "泡泡战士由韩国Nexon开发。生命数耗完即算踢爆。"},
        {"id": "TRIAL_2", "title": "尤金袋鼠", "text": "尤金袋鼠分布在澳大利亚南部及西部。"},
    ])
    write_jsonl(data / "cmrc2018_trial_qa.jsonl", [
        {"id": "TRIAL_1_QUERY_0", "question": "生命数耗完即算为什么？", "answers": ["踢爆"], "any_of": True,
         "gold_doc": "TRIAL_1"},
        {"id": "TRIAL_2_QUERY_0", "question": "尤金袋鼠分布在哪些地区？", "answers": ["澳大利亚南部及西部"],
         "any_of": True, "gold_doc": "TRIAL_2"},
    ])
    args = ["--data", str(data), "--index", str(tmp_path / "idx"), "--report", str(tmp_path / "rep"),
            "--model", "fake-hashing"]
    assert run_cmrc.main(args) == 0
    first = capsys.readouterr().out
    assert "Indexed 2 paragraphs" in first and "retrieval_questions    2" in first
    assert (tmp_path / "idx-docs" / "cmrc2018_trial_docs.jsonl").is_file()
    assert run_cmrc.main(args + ["--limit", "1"]) == 0
    second = capsys.readouterr().out
    assert "already holds these 2 paragraphs; not rebuilding" in second and "questions              1" in second
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "cmrc2018_trial_qa.jsonl, first 1 (1 questions)" in md
