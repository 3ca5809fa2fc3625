"""One evaluation run, as the shells (CLI, app, benchmark scripts) start it.

    result = evaluate(pipeline, items, report_dir="reports/x", compare="bm25,dense,hybrid")

answers every question (once per variant when comparing), summarises, and writes the report
when `report_dir` is given. The shells only translate arguments and show the result.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from rag.evaluate.runner import QAItem, Record, prediction_line, run_eval, summarize


@dataclass
class EvalResult:
    records: list[Record]  # of the single run, or of the first variant when comparing
    summary: dict
    compare: list | None = None  # compare.VariantResult per variant
    report: object | None = None  # report.Report when a report was written


def git_commit(cwd: str | Path | None = None) -> str | None:
    """`git rev-parse --short HEAD` of the code (with '+dirty' when it has local changes), or None."""
    where = Path(cwd) if cwd else Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True,
                              text=True, timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=5)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def code_fingerprint() -> str:
    """sha256 (12 hex digits) of every rag/**/*.py file, names and contents: identifies the exact
    code measured even when the working tree has uncommitted changes."""
    import hashlib

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def _answers(s) -> str:
    """How answers are made; for generated ones the model and endpoint (never the key)."""
    if not s.llm_base_url:
        return "extractive"
    from rag.answer.generate import display_url

    return (f"{s.answer_mode()} by default (variants may differ); language model {s.llm_model or '(endpoint default)'} "
            f"at {display_url(s.llm_base_url)}, time limit {s.llm_timeout_s} s, at most {s.llm_max_tokens} tokens")


def describe_run(pipe, qa_label: str, questions: int, mode: str | None, top_k: int | None,
                 code: str | None = None, filters=None) -> list[tuple[str, str]]:
    """The settings a reader needs to reproduce the figures."""
    s, m = pipe.settings, pipe.index.manifest
    return [
        ("QA set", f"{qa_label} ({questions} questions)"),
        ("index", f"{s.index_dir if s.store in ('', 'local') else f'{s.store} ({s.milvus_collection})'}: "
                  f"{m.get('documents')} documents, {m.get('chunks')} passages"),
        ("embedding model", str(m.get("model"))),
        ("chunk size / overlap", f"{m.get('chunk_size')} chars / {m.get('chunk_overlap')} sentence(s)"),
        ("retrieval", f"mode {mode or s.mode}, fusion {s.fusion}, {s.candidates} candidates per retriever"),
        *([("document filters", filters.describe())] if filters is not None else []),
        ("passages read by the answerer (top_k)", str(top_k or s.top_k)),
        ("answers", _answers(s)),
        ("code commit", code or f"{git_commit() or 'unknown'} (rag/ fingerprint {code_fingerprint()})"),
    ]


def evaluate(pipe, items: Sequence[QAItem], *, report_dir: str | Path | None = None, compare: str | None = None,
             mode: str | None = None, top_k: int | None = None, progress: Callable | None = None,
             predictions_path: str | Path | None = None, title: str = "Evaluation report",
             qa_label: str = "QA set", filters=None) -> EvalResult:
    """Run `items` (and the variants of `compare`, e.g. "bm25,dense,hybrid") and write the report.
    `filters` (rag.retrieve.filters.Filters): every question is searched and answered under them."""
    fingerprint = f"{git_commit() or 'unknown'} (rag/ fingerprint {code_fingerprint()})"  # the code as run
    results = None
    if compare:
        from rag.evaluate.compare import parse_variants, run_compare

        variants = parse_variants(compare)  # fails before any work when the list is wrong
        results = run_compare(pipe, items, variants, progress, report_dir, mode=mode, top_k=top_k, filters=filters)
        records = results[0].records
        if predictions_path:
            with open(predictions_path, "w", encoding="utf-8") as f:
                for r in records:
                    f.write(json.dumps(prediction_line(r), ensure_ascii=False) + "\n")
    else:
        records = run_eval(pipe, items, mode=mode, progress=progress, predictions_path=predictions_path, top_k=top_k,
                           filters=filters)
    result = EvalResult(records, summarize(records), results)
    if report_dir:
        from rag.evaluate.report import write_report

        note = None
        if results:
            first = results[0]
            meta = describe_run(pipe, qa_label, len(items), first.mode, first.top_k, fingerprint, filters)
            meta.insert(0, ("details below are for variant", f"{first.variant.name} (chunk size {first.chunk_size})"))
            note = (f"The sections after this table are for the first variant, {first.variant.name}; "
                    "each variant's predictions are in predictions-<variant>.jsonl.")
        else:
            meta = describe_run(pipe, qa_label, len(items), mode, top_k, fingerprint, filters)
        result.report = write_report(report_dir, records, title=title, meta=meta, compare=results, compare_note=note)
    return result
