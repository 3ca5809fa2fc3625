"""Run a QA set through the pipeline: one record per question, then aggregate metrics.

QA lines: {"id", "question", "answers", "must_include", "unanswerable", "gold_doc", "category",
"today", "stale_answers"}; all but id and question optional, unknown fields ignored (CMRC's "any_of"
too). `today` (yyyy-mm-dd): the asking date, kept on the item and in the predictions; an answer
holding a `stale_answers` string (an older value) and no current one fails as "stale_answer".

Answers come from `pipeline.ask(question, mode, top_k)` exactly as a user would get them. Retrieval
metrics (hit@1/3/5/10, MRR) come from a separate `pipeline.search_batch(questions, k=10, mode)`,
so measuring hit@10 never changes what the answerer reads (settings.top_k passages; the same fused ranking).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from rag.dates import today_date
from rag.errors import RagError
from rag.evaluate import checks as C, lenient as L, metrics as M
from rag.evaluate.qa import QAItem, load_qa  # noqa: F401 (where callers have always found them)

RETRIEVAL_K = (1, 3, 5, 10)
SEARCH_BATCH = 32


@dataclass(frozen=True)
class Passage:
    doc_id: str
    title: str | None
    text: str
    gold: bool


@dataclass
class Record:
    item: QAItem
    prediction: dict  # the `rag ask --json` fields
    ranked_doc_ids: list[str]  # doc id of each of the top-10 retrieved chunks, best first
    correct: bool
    error: str | None = None
    top_passages: list[Passage] = field(default_factory=list)  # the first 3 passages the answerer read
    used_doc_ids: list[str] = field(default_factory=list)  # doc ids of the passages the answerer read
    em: float | None = None  # None: unanswerable, or no `answers` strings to score against
    f1: float | None = None
    scored: str = ""  # the string EM/F1 scored (checks.scored_span)
    verbatim: list[bool] = field(default_factory=list)  # per citation
    answer_in_quote: bool | None = None  # for correct answers with expected strings
    answer_in_context: bool | None = None  # a passage the answerer read holds the expected answer
    reason: str | None = None  # checks.FAILURE_REASONS label when not correct
    guess: tuple[str, float, bool] | None = None  # the reader's best span, probability, rules agree; shown or not
    stale: bool = False  # the answer holds a stale value and no current one (checks.holds_stale)
    stale_short: bool = False  # the short answer shown holds a stale value and no current one

    @property
    def refused(self) -> bool:
        return not self.prediction.get("answerable", False)


def judge(item: QAItem, pred: dict) -> bool:
    if item.unanswerable:
        return not pred.get("answerable", True)
    return bool(pred.get("answerable")) and M.is_correct(pred.get("answer", ""), item.answers, item.must_include)


def retrieve(pipe, items: Sequence[QAItem], mode: str | None = None, k: int = 10,
             progress: Callable | None = None, filters=None) -> list[list]:
    """Top-k hits per question, in batches; a question the pipeline rejects gets no hits."""
    out: list[list] = []
    more = _filter_kwargs(filters)
    for lo in range(0, len(items), SEARCH_BATCH):
        batch = [it.question for it in items[lo: lo + SEARCH_BATCH]]
        try:
            out.extend(pipe.search_batch(batch, k=k, mode=mode, **more))
        except RagError:
            for q in batch:  # find the bad one(s); the rest still count
                try:
                    out.append(pipe.search(q, k=k, mode=mode, **more))
                except RagError:
                    out.append([])
        if progress:
            progress("retrieve", len(out), len(items))
    return out


def _filter_kwargs(filters) -> dict:
    """filters=... only when there are some, so a pipeline without filters (a stub) still runs."""
    return {} if filters is None else {"filters": filters}


def _failed_prediction(item: QAItem) -> dict:
    return {"question": item.question, "answer": "", "short_answer": None, "answerable": False,
            "citations": [], "latency_ms": 0.0}


def _passages(hits, gold: tuple[str, ...], index) -> list[Passage]:
    out = []
    for h in hits[:3]:
        doc = index.document(h.chunk.doc_id)
        out.append(Passage(h.chunk.doc_id, doc.title if doc else None, h.chunk.text, h.chunk.doc_id in gold))
    return out


def score_record(item: QAItem, pred: dict, ranked: list[str], used_hits, pipe, error: str | None) -> Record:
    """Every per-question check of the report, from one prediction."""
    correct = judge(item, pred)
    cits = pred.get("citations", [])
    quotes = [c["quote"] for c in cits]
    rec = Record(item, pred, ranked, correct, error, used_doc_ids=[h.chunk.doc_id for h in used_hits])
    rec.top_passages = _passages(used_hits, item.gold_doc, pipe.index) if used_hits else []
    for c in cits:
        try:
            text = pipe.document(c["doc_id"]).text
        except RagError:
            text = None
        rec.verbatim.append(C.quote_is_verbatim(text, c["start"], c["end"], c["quote"]))
    if not item.unanswerable and item.answers:
        rec.scored = C.scored_span(bool(pred.get("answerable")), pred.get("short_answer"), quotes)
        rec.em, rec.f1 = C.short_answer_scores(rec.scored, item.answers)
    if correct and not item.unanswerable and (item.answers or item.must_include):
        rec.answer_in_quote = C.answer_in_quotes(quotes, item.answers, item.must_include)
    if item.stale_answers and not rec.refused:
        rec.stale = C.holds_stale(pred.get("answer", ""), item.stale_answers, item.answers)
        rec.stale_short = C.holds_stale(pred.get("short_answer"), item.stale_answers, item.answers)
    if not item.unanswerable:
        context = [h.chunk.text for h in used_hits]
        rec.answer_in_context = C.answer_in_quotes(context, item.answers, item.must_include)
        expected = list(item.answers) or list(item.must_include)
        covered = C.covered_share(pred.get("answer", ""), expected) if expected and not rec.refused else 0.0
    else:
        covered = 0.0
    rec.reason = C.failure_reason(correct=correct, unanswerable=item.unanswerable, refused=rec.refused,
                                  answer_in_context=bool(rec.answer_in_context), covered=covered, error=error,
                                  stale=rec.stale)
    return rec


def prediction_line(rec: Record) -> dict:
    """One line of predictions.jsonl: the `rag ask --json` fields plus how it was scored."""
    return {"id": rec.item.id, **rec.prediction, "eval": {
        "correct": rec.correct, "reason": rec.reason, "em": rec.em, "f1": rec.f1, "scored": rec.scored,
        "retrieved": rec.ranked_doc_ids, "citations_verbatim": rec.verbatim,
        "answer_in_quote": rec.answer_in_quote, "answer_in_context": rec.answer_in_context,
        **({"reader_guess": list(rec.guess)} if rec.guess else {}),
        **({"today": rec.item.today} if rec.item.today else {}),
        **({"stale": rec.stale, "stale_short_answer": rec.stale_short} if rec.item.stale_answers else {}),
        **({"error": rec.error} if rec.error else {})}}


def run_eval(pipe, items: Sequence[QAItem], mode: str | None = None, progress: Callable | None = None,
             predictions_path: str | Path | None = None, top_k: int | None = None, filters=None,
             answer: str | None = None) -> list[Record]:
    """Answer every item (under `filters`, rag.retrieve.filters.Filters, when given) and score it.
    `answer`: extractive | generative (None: the pipeline's setting)."""
    retrieved = retrieve(pipe, items, mode, max(RETRIEVAL_K), progress, filters)
    records = []
    if predictions_path:
        Path(predictions_path).parent.mkdir(parents=True, exist_ok=True)
    out = open(predictions_path, "w", encoding="utf-8") if predictions_path else None
    try:
        for i, (item, hits) in enumerate(zip(items, retrieved), start=1):
            ranked = [h.chunk.doc_id for h in hits]
            guess = None
            try:
                ans = pipe.ask(item.question, mode=mode, top_k=top_k, **_filter_kwargs(filters),
                               **({"answer": answer} if answer else {}),
                               **({"today": today_date(item.today)} if item.today else {}))
                pred, used, err, guess = ans.to_dict(), list(ans.hits), None, ans.reader_guess
            except RagError as e:  # a bad question is a failed item, not a failed run
                pred, used, err = _failed_prediction(item), [], str(e)
            rec = score_record(item, pred, ranked, used, pipe, err)
            rec.guess = guess
            records.append(rec)
            if out:
                out.write(json.dumps(prediction_line(rec), ensure_ascii=False) + "\n")
            if progress:
                progress("eval", i, len(items))
    finally:
        if out:
            out.close()
    return records


PRECISE_F1 = 0.8  # a short answer counts as right (for precision) when its F1 reaches this


def _mean(values) -> float | None:
    return sum(v) / len(v) if (v := list(values)) else None


def summarize(records: Sequence[Record]) -> dict:
    """Overall figures; keys are stable (reports and the compare table read them)."""
    answerable = [r for r in records if not r.item.unanswerable]
    unanswerable = [r for r in records if r.item.unanswerable]
    s: dict = {"questions": len(records), "answerable": len(answerable), "unanswerable": len(unanswerable),
               "errors": sum(r.error is not None for r in records)}
    if answerable:
        k = sum(r.correct for r in answerable)
        s["answer_accuracy"] = k / len(answerable)
        s["answer_accuracy_ci95"] = M.wilson_interval(k, len(answerable))
    if unanswerable:
        s["refusal_accuracy"] = sum(r.correct for r in unanswerable) / len(unanswerable)
    p, rc = M.refusal_precision_recall([r.refused for r in records], [r.item.unanswerable for r in records])
    s["refusal_precision"], s["refusal_recall"] = p, rc
    with_gold = [r for r in records if r.item.gold_doc]
    if with_gold:
        s["retrieval_questions"] = len(with_gold)
        for k in RETRIEVAL_K:
            s[f"hit@{k}"] = _mean(M.hit_at_k(r.ranked_doc_ids, r.item.gold_doc, k) for r in with_gold)
        s["mrr"] = _mean(M.reciprocal_rank(r.ranked_doc_ids, r.item.gold_doc) for r in with_gold)
        s["gold_doc_cited"] = _mean(
            any(c["doc_id"] in r.item.gold_doc for c in r.prediction["citations"]) for r in with_gold)
    scored = [r for r in records if r.em is not None]
    if scored:
        s["em_f1_questions"] = len(scored)
        s["exact_match"] = _mean(r.em for r in scored)
        s["char_f1"] = _mean(r.f1 for r in scored)
        s["short_answer_rate"] = _mean(bool(r.scored) for r in scored)  # coverage
        shown = [r for r in scored if r.scored]
        s["short_answer_precision"] = _mean(r.f1 >= PRECISE_F1 for r in shown)
    s.update(L.tally([(r.item, r.prediction) for r in records]))  # right / incomplete / wrong (lenient.py)
    with_stale = [r for r in records if r.item.stale_answers]
    if with_stale:  # answers holding an older value and not the current one
        s.update(stale_questions=len(with_stale), stale_answers=sum(r.reason == "stale_answer" for r in with_stale),
                 stale_short_answers=sum(r.stale_short for r in with_stale))
    in_context = [r.answer_in_context for r in answerable if r.item.answers or r.item.must_include]
    if in_context:
        s["answer_in_context"] = _mean(in_context)
    verbatim = [v for r in records for v in r.verbatim]
    s["citations"] = len(verbatim)
    s["citations_verbatim"] = _mean(verbatim)
    in_quote = [r.answer_in_quote for r in records if r.answer_in_quote is not None]
    s["answer_in_quote"] = _mean(in_quote)
    lengths = [C.answer_length(r.prediction.get("answer", "")) for r in records if not r.refused]
    if lengths:
        s["answer_chars_mean"], s["answer_chars_p50"] = _mean(lengths), M.percentile(lengths, 50)
    generated = [r.prediction for r in records if "verification" in r.prediction]  # generative asked
    if generated:
        checks = [c for p in generated for c in p["verification"]]
        s["generative_answers"] = sum(p.get("mode") == "generative" for p in generated) / len(generated)
        s["fell_back"] = sum(p.get("mode") != "generative" for p in generated) / len(generated)
        s["sentences_checked"] = len(checks)
        s["sentences_verified"] = _mean(c["verified"] for c in checks)
    lat = [r.prediction.get("latency_ms", 0.0) for r in records if r.error is None]
    if lat:
        s["latency_p50_ms"], s["latency_p95_ms"] = M.percentile(lat, 50), M.percentile(lat, 95)
    return s


def short_answer_curve(records: Sequence[Record], steps: int = 20) -> list[tuple[float, float, float]]:
    """(threshold, coverage, precision) of the reader's short answers: had only those with a
    probability >= threshold been shown. Coverage is over answerable questions with gold strings;
    precision is the share of shown spans whose F1 against the best gold is >= PRECISE_F1."""
    pool = [r for r in records if r.em is not None]
    guesses = [(r.guess[1], C.short_answer_scores(r.guess[0], r.item.answers)[1]) for r in pool
               if r.guess and r.prediction.get("answerable")]
    if not pool or not guesses:
        return []
    out = []
    for i in range(steps):
        t = i / steps
        shown = [f for p, f in guesses if p >= t]
        out.append((t, len(shown) / len(pool), sum(f >= PRECISE_F1 for f in shown) / len(shown) if shown else 1.0))
    return out


def breakdown(records: Sequence[Record], key: Callable[[Record], str | None]) -> list[dict]:
    """Per group: questions, accuracy (answer accuracy or refusal accuracy alike) with its 95% CI,
    EM, F1 and hit@5 where defined. Groups in first-seen order; records whose key is None skipped."""
    groups: dict[str, list[Record]] = {}
    for r in records:
        g = key(r)
        if g is not None:
            groups.setdefault(str(g), []).append(r)
    rows = []
    for g, rs in groups.items():
        k = sum(r.correct for r in rs)
        gold = [r for r in rs if r.item.gold_doc]
        rows.append({
            "group": g, "questions": len(rs), "correct": k, "accuracy": k / len(rs),
            "ci95": M.wilson_interval(k, len(rs)),
            "exact_match": _mean(r.em for r in rs if r.em is not None),
            "char_f1": _mean(r.f1 for r in rs if r.f1 is not None),
            "hit@5": _mean(M.hit_at_k(r.ranked_doc_ids, r.item.gold_doc, 5) for r in gold),
        })
    return rows


def by_language(records: Sequence[Record]) -> list[dict]:
    return breakdown(records, lambda r: r.item.lang)


def by_category(records: Sequence[Record]) -> list[dict]:
    """Empty when no QA line carries a category."""
    if not any(r.item.category for r in records):
        return []
    return breakdown(records, lambda r: r.item.category or "(none)")


def by_retrieval(records: Sequence[Record]) -> list[dict]:
    """Questions with a gold document, split by whether it was among the passages the answerer read:
    the first row is the reading figure once retrieval has succeeded. Empty without gold documents."""
    gold = [r for r in records if r.item.gold_doc]
    if not gold:
        return []
    rows = breakdown(gold, lambda r: "gold doc read" if set(r.item.gold_doc) & set(r.used_doc_ids)
                     else "gold doc not read")
    return sorted(rows, key=lambda row: row["group"] != "gold doc read")


def failure_counts(records: Sequence[Record]) -> list[tuple[str, int]]:
    """(reason, count), most frequent first; reasons listed in checks.FAILURE_REASONS order on ties."""
    counts = Counter(r.reason for r in records if r.reason)
    order = list(C.FAILURE_REASONS)
    return sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else 99))


def fmt(value, pct: bool = False) -> str:
    """A figure for tables: 3 decimals (or a percentage), intervals in brackets, None as n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, tuple):
        return "[" + ", ".join(fmt(v, pct) for v in value) + "]"
    if isinstance(value, bool) or isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return f"{100 * value:.1f}%" if pct else f"{value:.3f}"
    return str(value)


def summary_text(records: Sequence[Record]) -> str:
    s = summarize(records)
    lines = [f"{key:22s} {fmt(value)}" for key, value in s.items()]
    for title, rows in (("by language", by_language(records)), ("by category", by_category(records)),
                        ("by retrieval", by_retrieval(records))):
        if rows:
            lines.append(f"\n{title}: group questions accuracy [95% CI] EM F1")
            for row in rows:
                lines.append(f"  {row['group']:16s} {row['questions']:5d}  {fmt(row['accuracy'])} "
                             f"{fmt(row['ci95'])}  {fmt(row['exact_match'])} {fmt(row['char_f1'])}")
    lines += ["", *L.summary_lines([(r.item, r.prediction) for r in records], show=20)]
    fails = failure_counts(records)
    if fails:
        lines.append("\nfailures by reason:")
        lines.extend(f"  {reason:28s} {n}" for reason, n in fails)
    return "\n".join(lines)
