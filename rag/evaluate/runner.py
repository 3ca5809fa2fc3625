"""Run a QA set through the pipeline: one record per question, then aggregate metrics.

QA lines: {"id", "question", "answers", "must_include", "unanswerable", "gold_doc", "category"};
all but id and question optional, unknown fields ignored.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from rag.errors import BadInput, RagError
from rag.evaluate import metrics as M


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    unanswerable: bool = False
    gold_doc: tuple[str, ...] = ()
    category: str | None = None


@dataclass
class Record:
    item: QAItem
    prediction: dict  # the `rag ask --json` fields
    ranked_doc_ids: list[str]
    correct: bool
    error: str | None = None
    top_passages: list[str] = field(default_factory=list)


def load_qa(path: str | Path) -> list[QAItem]:
    items, path = [], Path(path)
    if not path.is_file():
        raise BadInput(f"QA file {path} not found. Give a JSONL file with one question per line.")
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                gold = r.get("gold_doc")
                items.append(QAItem(
                    id=str(r["id"]),
                    question=str(r["question"]),
                    answers=tuple(str(a) for a in r.get("answers") or ()),
                    must_include=tuple(str(a) for a in r.get("must_include") or ()),
                    unanswerable=bool(r.get("unanswerable", False)),
                    gold_doc=tuple(str(g) for g in (gold if isinstance(gold, list) else [gold])) if gold else (),
                    category=r.get("category"),
                ))
            except (ValueError, KeyError, TypeError) as err:
                raise BadInput(f"{path}:{n}: not a QA line ({type(err).__name__}: {err}); "
                               "each line needs at least \"id\" and \"question\".") from None
    if not items:
        raise BadInput(f"QA file {path} has no questions.")
    return items


def judge(item: QAItem, pred: dict) -> bool:
    if item.unanswerable:
        return not pred.get("answerable", True)
    return bool(pred.get("answerable")) and M.is_correct(pred.get("answer", ""), item.answers, item.must_include)


def run_eval(pipe, items: Sequence[QAItem], mode: str | None = None, progress: Callable | None = None,
             predictions_path: str | Path | None = None, top_k: int | None = None) -> list[Record]:
    records = []
    out = open(predictions_path, "w", encoding="utf-8") if predictions_path else None
    try:
        for i, item in enumerate(items, start=1):
            try:
                ans = pipe.ask(item.question, mode=mode, top_k=top_k)
                pred = ans.to_dict()
                ranked = [h.chunk.doc_id for h in ans.hits]
                passages = [h.chunk.text for h in ans.hits[:3]]
                err = None
            except RagError as e:  # a bad question is a failed item, not a failed run
                pred = {"question": item.question, "answer": "", "short_answer": None, "answerable": False,
                        "citations": [], "latency_ms": 0.0}
                ranked, passages, err = [], [], str(e)
            rec = Record(item, pred, ranked, judge(item, pred), err, passages)
            records.append(rec)
            if out:
                out.write(json.dumps({"id": item.id, **pred}, ensure_ascii=False) + "\n")
            if progress:
                progress("eval", i, len(items))
    finally:
        if out:
            out.close()
    return records


def summarize(records: Sequence[Record]) -> dict:
    answerable = [r for r in records if not r.item.unanswerable]
    unanswerable = [r for r in records if r.item.unanswerable]
    s: dict = {"questions": len(records)}
    if answerable:
        k = sum(r.correct for r in answerable)
        s["answer_accuracy"] = k / len(answerable)
        s["answer_accuracy_ci95"] = M.wilson_interval(k, len(answerable))
    if unanswerable:
        s["refusal_accuracy"] = sum(r.correct for r in unanswerable) / len(unanswerable)
    p, rc = M.refusal_precision_recall([not r.prediction.get("answerable", True) for r in records],
                                       [r.item.unanswerable for r in records])
    s["refusal_precision"], s["refusal_recall"] = p, rc
    with_gold = [r for r in records if r.item.gold_doc]
    if with_gold:
        for k in (1, 3, 5):
            s[f"hit@{k}"] = sum(M.hit_at_k(r.ranked_doc_ids, r.item.gold_doc, k) for r in with_gold) / len(with_gold)
        s["mrr"] = sum(M.reciprocal_rank(r.ranked_doc_ids, r.item.gold_doc) for r in with_gold) / len(with_gold)
        cited = [r for r in with_gold if any(c["doc_id"] in r.item.gold_doc for c in r.prediction["citations"])]
        s["gold_doc_cited"] = len(cited) / len(with_gold)
    lat = [r.prediction.get("latency_ms", 0.0) for r in records if r.error is None]
    if lat:
        s["latency_p50_ms"], s["latency_p95_ms"] = M.percentile(lat, 50), M.percentile(lat, 95)
    return s


def summary_text(records: Sequence[Record]) -> str:
    s = summarize(records)
    lines = []
    for key, value in s.items():
        if isinstance(value, float):
            value = f"{value:.3f}"
        elif isinstance(value, tuple):
            value = "[" + ", ".join(f"{v:.3f}" for v in value) + "]"
        elif value is None:
            value = "n/a"
        lines.append(f"{key:22s} {value}")
    return "\n".join(lines)
