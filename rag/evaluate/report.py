"""Write an evaluation report directory: report.md, report.html, charts/*.png, summary.json,
predictions.jsonl.

The report is built once as a list of blocks (headings, paragraphs, tables, images) and rendered
twice: Markdown that links the PNGs beside it, and one self-contained HTML file with the PNGs
embedded, which can be mailed or downloaded alone.
"""
from __future__ import annotations

import base64
import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from rag.evaluate import charts
from rag.evaluate import checks as C, lenient as L
from rag.evaluate.metrics import normalize_answer_text
from rag.evaluate.runner import (Record, short_answer_curve, by_category, by_language, by_retrieval, fmt, failure_counts,
                                 prediction_line, summarize)

PASSAGE_CHARS = 160
ANSWER_CHARS = 300

DEFINITIONS = [
    ("Short answers right / incomplete / wrong", "each shown short answer judged by `rag/evaluate/lenient.py`: "
     "right when F1 >= 0.8, or it holds a gold with at most a unit or label around it, or the gold is it framed "
     "by the question's words; incomplete when it is a strict part of a gold that lists several items; wrong "
     "otherwise. Lenient precision = right / shown."),
    ("Answer accuracy", "share of answerable questions whose answer text (the whole cited answer, not only the "
     "short answer) contains ANY `answers` string and ALL `must_include` strings, after NFKC (full-width digits "
     "and ％ become half-width), removing all whitespace and lower-casing (`is_correct`). 95% CI: Wilson score "
     "interval."),
    ("Refusal precision / recall", "unanswerable is the positive class: precision = refused and unanswerable / "
     "refused; recall = refused and unanswerable / unanswerable. A question that raised an error counts as refused."),
    ("hit@k, MRR", "over questions with a `gold_doc`: a separate top-10 search (same mode) ranks chunks; repeated "
     "documents are dropped keeping the first; hit@k = a gold document is among the first k documents; MRR = mean "
     "of 1/rank of the first gold document (0 when it is not in the top 10). The answerer itself reads top_k "
     "passages."),
    ("EM, F1", "the CMRC 2018 convention (official script, see rag/evaluate/metrics.py), after one step of ours on "
     "both sides: NFKC (２５１ = 251, ％ = %) and no spaces between digits (`unify_span`). EM compares after removing "
     "punctuation and whitespace and lower-casing; F1 counts each Chinese character and each English word or "
     "number as a token and uses the longest common contiguous run; both take the MAXIMUM over the gold answers. "
     "Scored string: the short answer; no short answer, or a refusal, scores 0. "
     "Only answerable questions with `answers` strings."),
    ("Short answer coverage, precision", "coverage: share of answerable questions (with `answers`) given a short "
     "answer; precision: share of the short answers given whose F1 against the best gold is at least 0.8. The "
     "precision/coverage chart shows both had the reader's threshold been each value from 0 to 0.95."),
    ("Citations verbatim", "share of all citations whose quote equals the stored document text at its offsets, "
     "character for character (`document.text[start:end] == quote`)."),
    ("Stale answers", "over questions with `stale_answers` (older values a newer document replaced): an answer "
     "holding one of them and none of the current `answers` (after `normalize_answer_text`) is a failure of its own "
     "kind, `stale_answer`; \"short answer stale\" counts shown short answers that hold an older value."),
    ("Answer in a cited quote", "share of correct answers whose expected string lies inside one cited quote (each "
     "`must_include` string inside some quote), i.e. the part that made it correct is backed by a citation."),
    ("Answer length", "characters of the answer text without `[n]` markers and whitespace, over answered questions."),
    ("Latency", "wall time of `pipeline.ask` per question (the separate retrieval search is not included); "
     "percentiles by linear interpolation."),
]


@dataclass
class Report:
    """What was written; paths are inside `directory`."""

    directory: Path
    markdown: Path
    html: Path
    summary_json: Path
    predictions: Path
    charts: list[Path] = field(default_factory=list)


# --- blocks ----------------------------------------------------------------------------------
# ("h", level, text) | ("p", text) | ("table", headings, rows) | ("img", relpath, alt)


def summary_rows(s: dict) -> list[list[str]]:
    def pct(key):
        return fmt(s.get(key), True)

    rows = [["questions", f"{s['questions']} ({s['answerable']} answerable, {s['unanswerable']} unanswerable"
             f"{', ' + str(s['errors']) + ' errors' if s['errors'] else ''})"]]
    if "answer_accuracy" in s:
        rows.append(["answer accuracy [95% CI]", f"{pct('answer_accuracy')} {fmt(s['answer_accuracy_ci95'], True)}"])
    if "refusal_accuracy" in s:
        rows.append(["unanswerable questions refused", pct("refusal_accuracy")])
    rows.append(["refusal precision / recall", f"{pct('refusal_precision')} / {pct('refusal_recall')}"])
    if "hit@1" in s:
        rows.append([f"retrieval hit@1 / 3 / 5 / 10 (n={s['retrieval_questions']})",
                     " / ".join(pct(f"hit@{k}") for k in (1, 3, 5, 10))])
        rows.append(["retrieval MRR (top 10)", fmt(s["mrr"])])
        rows.append(["gold document cited", pct("gold_doc_cited")])
    if "stale_questions" in s:
        rows.append([f"stale answers: an older value, not the current one (n={s['stale_questions']})",
                     f"{s['stale_answers']} (short answer stale: {s['stale_short_answers']})"])
    if "answer_in_context" in s:
        rows.append(["expected answer in the passages read (upper bound for accuracy)", pct("answer_in_context")])
    if "exact_match" in s:
        rows.append([f"short answer EM / F1 (CMRC, max over golds; n={s['em_f1_questions']})",
                     f"{pct('exact_match')} / {pct('char_f1')}"])
        rows.append(["short answer coverage (share of answerable questions given one)", pct("short_answer_rate")])
        rows.append(["short answer precision (share of those with F1 >= 0.8)", pct("short_answer_precision")])
    if s.get("lenient_shown"):
        rows.append([f"short answers judged (n={s['lenient_shown']} shown of {s['lenient_questions']}): "
                     "right / incomplete / wrong", f"{s['lenient_right']} / {s['lenient_incomplete']} / "
                     f"{s['lenient_wrong']} (lenient precision {pct('lenient_precision')}, "
                     f"coverage {pct('lenient_coverage')})"])
    rows.append([f"citations verbatim (n={s['citations']})", pct("citations_verbatim")])
    rows.append(["correct answers with the answer in a cited quote", pct("answer_in_quote")])
    if "answer_chars_mean" in s:
        rows.append(["answer length, chars (mean / median)",
                     f"{s['answer_chars_mean']:.0f} / {s['answer_chars_p50']:.0f}"])
    if "latency_p50_ms" in s:
        rows.append(["latency p50 / p95", f"{s['latency_p50_ms']:.0f} ms / {s['latency_p95_ms']:.0f} ms"])
    return rows


def _group_table(rows: Sequence[dict]) -> tuple[list[str], list[list[str]]]:
    headings = ["group", "questions", "correct", "accuracy [95% CI]", "EM", "F1", "hit@5"]
    return headings, [[r["group"], str(r["questions"]), str(r["correct"]),
                       f"{fmt(r['accuracy'], True)} {fmt(r['ci95'], True)}", fmt(r["exact_match"], True),
                       fmt(r["char_f1"], True), fmt(r["hit@5"], True)] for r in rows]


def _clip(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _expected(rec: Record) -> str:
    it = rec.item
    if it.unanswerable:
        return "(should refuse)"
    parts = []
    if it.answers:
        parts.append(" / ".join(it.answers) if len(it.answers) < 4 else " / ".join(it.answers[:3]) + " / …")
    if it.must_include:
        parts.append("must include: " + ", ".join(it.must_include))
    if it.gold_doc:
        parts.append("gold doc: " + ", ".join(it.gold_doc))
    if it.stale_answers:
        parts.append("stale: " + " / ".join(it.stale_answers))
    if it.today:
        parts.append("asked on " + it.today)
    return "\n".join(parts)


def _given(rec: Record) -> str:
    p = rec.prediction
    if rec.error:
        return f"(error) {rec.error}"
    head = "(refused) " if rec.refused else (f"» {p['short_answer']}\n" if p.get("short_answer") else "")
    return head + _clip(p.get("answer", ""), ANSWER_CHARS)


def _snippet(text: str, expected: Sequence[str], n: int = PASSAGE_CHARS) -> tuple[str, bool]:
    """About n characters of a passage, centred on the first expected string found in it verbatim
    (marked with 【】), else its beginning. `found` tests containment after normalize_answer_text,
    as the scoring does. Returns (snippet, found)."""
    text = " ".join((text or "").split())
    found = any(e and normalize_answer_text(e) in normalize_answer_text(text) for e in expected)
    for e in sorted(expected, key=len, reverse=True):
        at = text.find(e) if e else -1
        if at >= 0:
            lo = max(0, at - (n - len(e)) // 2)
            hi = min(len(text), max(at + len(e), lo + n))
            return (("…" if lo else "") + text[lo:at] + "【" + e + "】" + text[at + len(e):hi]
                    + ("…" if hi < len(text) else "")), True
    return _clip(text, n), found


def _passages(rec: Record) -> str:
    lines = []
    expected = list(rec.item.answers) + list(rec.item.must_include)
    for n, ps in enumerate(rec.top_passages, start=1):
        snippet, found = _snippet(ps.text, expected)
        marks = ("✓gold " if ps.gold else "") + ("✓answer " if found else "")
        title = f" {ps.title}:" if ps.title else ""
        lines.append(f"{n}. {marks}[{ps.doc_id}]{title} {snippet}")
    if rec.item.gold_doc and rec.ranked_doc_ids:
        ranks = [i for i, d in enumerate(dict.fromkeys(rec.ranked_doc_ids), start=1) if d in rec.item.gold_doc]
        lines.append(f"gold document rank in top 10: {ranks[0] if ranks else 'not found'}")
    return "\n".join(lines) or "(no passages)"


def failure_rows(records: Sequence[Record]) -> tuple[list[str], list[list[str]]]:
    """Every failed question, grouped by reason (most frequent first), in QA order within a reason:
    what was asked, expected, given, and what the answerer read."""
    order = {reason: i for i, (reason, _) in enumerate(failure_counts(records))}
    failed = sorted((r for r in records if not r.correct), key=lambda r: order.get(r.reason, len(order)))
    headings = ["#", "id", "reason", "question", "expected", "given answer",
                "top 3 passages read by the answerer (【expected answer】 where found)"]
    rows = [[str(n), r.item.id, r.reason or "", r.item.question, _expected(r), _given(r), _passages(r)]
            for n, r in enumerate(failed, start=1)]
    return headings, rows


def build_blocks(records: Sequence[Record], title: str, meta: Sequence[tuple[str, str]], chart_paths: dict,
                 compare=None, compare_note: str | None = None) -> list[tuple]:
    s = summarize(records)
    blocks: list[tuple] = [("h", 1, title)]
    if meta:
        blocks.append(("table", ["setting", "value"], [[k, v] for k, v in meta]))
    if compare:
        from rag.evaluate.compare import table_rows

        blocks.append(("h", 2, "Variants side by side"))
        blocks.append(("p", "Same questions, same documents; each row changes only what its name says. "
                       + (compare_note or "")))
        blocks.append(("table", *table_rows(compare)))
        if chart_paths.get("compare"):
            blocks.append(("img", chart_paths["compare"], "variants side by side"))
    blocks += [("h", 2, "Summary"), ("table", ["metric", "value"], summary_rows(s))]
    for key, alt in (("retrieval", "retrieval hit@k"), ("short", "short answers: precision against coverage"),
                     ("latency", "latency histogram")):
        if chart_paths.get(key):
            blocks.append(("img", chart_paths[key], alt))
    for heading, rows, key in (("By question language", by_language(records), "lang"),
                               ("By category", by_category(records), "category"),
                               ("By retrieval: was the gold document among the passages read?",
                                by_retrieval(records), None)):
        if rows:
            blocks += [("h", 2, heading), ("table", *_group_table(rows))]
            if chart_paths.get(key):
                blocks.append(("img", chart_paths[key], heading))
    counts = failure_counts(records)
    blocks.append(("h", 2, f"Failures ({sum(n for _, n in counts)} of {len(records)})"))
    if counts:
        blocks.append(("table", ["reason", "questions", "meaning"],
                       [[r, str(n), C.FAILURE_REASONS.get(r, "")] for r, n in counts]))
        if chart_paths.get("failures"):
            blocks.append(("img", chart_paths["failures"], "failures by reason"))
        blocks.append(("table", *failure_rows(records)))
    else:
        blocks.append(("p", "No failures."))
    judged = [j for j in L.judge_all([(r.item, r.prediction) for r in records]) if j.verdict != "right"]
    if judged:
        blocks.append(("h", 2, f"Short answers judged wrong or incomplete ({len(judged)})"))
        blocks.append(("table", ["id", "verdict", "question", "short answer", "expected"],
                       [[j.id, j.verdict, j.question, j.short, _clip(j.expected, 160)]
                        for j in sorted(judged, key=lambda j: j.verdict != "wrong")]))
    blocks.append(("h", 2, "How each figure is computed"))
    blocks.append(("table", ["figure", "definition"], [[a, b] for a, b in DEFINITIONS]))
    return blocks


# --- rendering -------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(blocks: Sequence[tuple]) -> str:
    out = []
    for b in blocks:
        if b[0] == "h":
            out.append("#" * b[1] + " " + b[2])
        elif b[0] == "p":
            out.append(b[1])
        elif b[0] == "img":
            out.append(f"![{b[2]}]({b[1]})")
        elif b[0] == "table":
            lines = ["| " + " | ".join(_md_cell(h) for h in b[1]) + " |", "|" + "---|" * len(b[1])]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b[2]]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_CSS = """body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:14px}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}th{background:#f0f3f7}
tr:nth-child(even) td{background:#fafafa}img{max-width:100%;display:block;margin:1em 0}code{background:#eee}"""


def _html_text(text: str) -> str:
    return html.escape(str(text)).replace("\n", "<br>")


def to_html(blocks: Sequence[tuple], base: Path) -> str:
    parts = []
    title = next((b[2] for b in blocks if b[0] == "h"), "Evaluation report")
    for b in blocks:
        if b[0] == "h":
            parts.append(f"<h{b[1]}>{_html_text(b[2])}</h{b[1]}>")
        elif b[0] == "p":
            parts.append(f"<p>{_html_text(b[1])}</p>")
        elif b[0] == "img":
            data = base64.b64encode((base / b[1]).read_bytes()).decode("ascii")
            parts.append(f'<img alt="{html.escape(b[2])}" src="data:image/png;base64,{data}">')
        elif b[0] == "table":
            head = "".join(f"<th>{_html_text(h)}</th>" for h in b[1])
            body = "".join("<tr>" + "".join(f"<td>{_html_text(c)}</td>" for c in row) + "</tr>" for row in b[2])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


# --- the report directory --------------------------------------------------------------------


def _draw_charts(records: Sequence[Record], out: Path, compare) -> dict:
    s = summarize(records)
    d = out / "charts"
    paths = {
        "retrieval": charts.retrieval_chart(s, d / "retrieval.png"),
        "failures": charts.failure_chart(failure_counts(records), d / "failures.png"),
        "lang": charts.accuracy_chart(by_language(records), d / "by_language.png", "Accuracy by question language"),
        "category": charts.accuracy_chart(by_category(records), d / "by_category.png", "Accuracy by category"),
    }
    curve = short_answer_curve(records)
    if curve:
        paths["short"] = charts.precision_coverage_chart(curve, d / "short_answers.png")
    lat = [r.prediction.get("latency_ms", 0.0) for r in records if r.error is None]
    if lat:
        paths["latency"] = charts.latency_chart(lat, s["latency_p50_ms"], s["latency_p95_ms"], d / "latency.png")
    if compare:
        names = [r.variant.name for r in compare]
        series = {label: [r.summary.get(key) for r in compare]
                  for key, label in (("answer_accuracy", "accuracy"), ("char_f1", "F1"), ("hit@5", "hit@5"))}
        paths["compare"] = charts.compare_chart(names, series, d / "compare.png")
    return {k: p.relative_to(out).as_posix() for k, p in paths.items() if p}


def zip_report(rep: Report, path: str | Path | None = None) -> Path:
    """The report's files in one zip (default: report.zip beside the report folder)."""
    import zipfile

    path = Path(path) if path else rep.directory.parent / f"{rep.directory.name}-report.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in [rep.markdown, rep.html, rep.summary_json, rep.predictions, *rep.charts]:
            z.write(f, f.relative_to(rep.directory).as_posix())
    return path


def write_report(out_dir: str | Path, records: Sequence[Record], *, title: str = "Evaluation report",
                 meta: Sequence[tuple[str, str]] = (), compare=None, compare_note: str | None = None) -> Report:
    """Write the report files into `out_dir` (created; files of an earlier report are overwritten)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = list(meta) + [("written", time.strftime("%Y-%m-%d %H:%M"))]
    chart_paths = _draw_charts(records, out, compare)
    blocks = build_blocks(records, title, meta, chart_paths, compare, compare_note)
    md, page = out / "report.md", out / "report.html"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks, out), encoding="utf-8")
    summary = {"title": title, "meta": dict(meta), "summary": summarize(records),
               "by_language": by_language(records), "by_category": by_category(records),
               "failures": dict(failure_counts(records))}
    if compare:
        summary["compare"] = [{"variant": r.variant.name, "mode": r.mode, "chunk_size": r.chunk_size,
                               "top_k": r.top_k, "summary": r.summary} for r in compare]
    js = out / "summary.json"
    js.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    preds = out / "predictions.jsonl"
    with open(preds, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(prediction_line(r), ensure_ascii=False) + "\n")
    return Report(out, md, page, js, preds, [out / p for p in chart_paths.values()])
