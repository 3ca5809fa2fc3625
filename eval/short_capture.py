"""Tune the bold short answer without re-running retrieval: capture once, replay in seconds.

    python eval/short_capture.py capture QA.jsonl --index IDX --out /tmp/cap.pkl [--limit N]
    python eval/short_capture.py replay /tmp/cap.pkl QA.jsonl [--half even|odd] [--show wrong] [--categories]
                                        [--changed] [--policy list_threshold=0.2 ...]
    python eval/short_capture.py halves QA.jsonl REPORT/predictions.jsonl

`capture` answers every question with the pipeline and keeps, for each, what the short answer is
decided from: the analysed question and the chosen sentence before the reader's verdict
(rag/answer/reading.py verdict), and every reading the reader did (cached, so a replay needs no
model unless the code asks it to read something new). `replay` decides the short answer again with
the code as it is now (reading.verdict, then short.choose's labelled facts) and judges it with
rag/evaluate/lenient.py. Only the short answer is replayed; the long answer needs a full run.
CMRC halves: `--half even` keeps the questions of even-numbered paragraphs (TRIAL_n, our dev half),
`odd` the others (validation, not tuned on).
"""
from __future__ import annotations

import argparse
import copy
import os
import pickle
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class CachedReader:
    """A reader whose readings are kept by (question, texts); the real one loads only on a miss."""

    def __init__(self, reader=None, cache: dict | None = None, load=None):
        self._reader, self._load, self.cache, self.misses = reader, load, cache or {}, 0

    def read(self, question: str, texts):
        key = (question, tuple(texts))
        if key not in self.cache:
            if self._reader is None:
                self._reader = self._load()
            self.misses += 1
            self.cache[key] = self._reader.read(question, list(texts))
        return self.cache[key]


def half_of(qid: str) -> str:
    """'even' or 'odd' by a CMRC id's paragraph number (TRIAL_801_QUERY_0 -> odd): the split by
    context of eval/README.md, so that a paragraph's questions stay in one half."""
    m = re.match(r"[A-Z]+_(\d+)", qid)
    return "even" if m and int(m.group(1)) % 2 == 0 else "odd"


def capture(args) -> int:
    from rag.answer import reading
    from rag.config import Settings
    from rag.evaluate.qa import load_qa
    from rag.evaluate.runner import run_eval
    from rag.pipeline import Pipeline

    pipe = Pipeline(Settings.from_env(index_dir=Path(args.index)))
    reader = CachedReader(pipe.reader)
    pipe._reader = reader
    states, real = {}, reading.verdict

    def spy(rdr, q, best, policy):
        states[q.asked] = (q, copy.deepcopy(best))
        return real(rdr, q, best, policy)

    reading.verdict = spy
    items = load_qa(args.qa)[: args.limit] if args.limit else load_qa(args.qa)
    records = run_eval(pipe, items, predictions_path=args.predictions)
    preds = {r.item.id: r.prediction for r in records}
    with open(args.out, "wb") as f:
        pickle.dump({"states": states, "reads": reader.cache, "preds": preds}, f)
    print(f"captured {len(states)} verdicts of {len(items)} questions, {len(reader.cache)} readings -> {args.out}")
    return 0


def replay_shorts(cap: dict, items, overrides: dict | None = None) -> dict[str, str | None]:
    """The short answer each captured question gets from the code as it is now (and the policy
    with `overrides`)."""
    from rag.answer import reading
    from rag.answer.ambiguity import labelled_facts
    from rag.answer.policy import AnswerPolicy

    def load():
        from rag.config import Settings
        from rag.pipeline import Pipeline

        return Pipeline(Settings.from_env()).reader

    reader, policy, out = CachedReader(cache=cap["reads"], load=load), AnswerPolicy(**(overrides or {})), {}
    for item in items:
        pred = cap["preds"].get(item.id)
        state = cap["states"].get(item.question)
        if pred is None or state is None or not pred.get("answerable"):
            out[item.id] = None
            continue
        q, best = state[0], copy.deepcopy(state[1])
        facts = labelled_facts(q.query, best.text, q.kind) if q.zh else []
        if facts:
            out[item.id] = "；".join(best.text[s:e] for s, e in facts)
            continue
        v = reading.verdict(reader, q, best, policy)
        out[item.id] = v.text(best) if v.shown else None
    if reader.misses:
        print(f"(the reader read {reader.misses} new texts)", file=sys.stderr)
    return out


def replay(args) -> int:
    from rag.answer.policy import AnswerPolicy
    from rag.evaluate import lenient as L
    from rag.evaluate.qa import load_qa

    with open(args.cap, "rb") as f:
        cap = pickle.load(f)
    items = [i for i in load_qa(args.qa) if i.id in cap["preds"] and (not args.half or half_of(i.id) == args.half)]
    overrides = {k: type(getattr(AnswerPolicy(), k))(v) for k, v in (o.split("=", 1) for o in args.policy)}
    shorts = replay_shorts(cap, items, overrides)
    pairs = [(i, {**cap["preds"][i.id], "short_answer": shorts[i.id]}) for i in items]
    old = [(i, cap["preds"][i.id]) for i in items]
    for name, ps in (("captured", old), ("replayed", pairs)):
        t = L.tally(ps)
        print(f"{name}: shown {t['lenient_shown']}/{t['lenient_questions']} ({100 * (t['lenient_coverage'] or 0):.1f}%)"
              f"  lenient {100 * (t['lenient_precision'] or 0):.1f}%  strict {100 * (t['strict_precision_all'] or 0):.1f}%"
              f"  right {t['lenient_right']} incomplete {t['lenient_incomplete']} wrong {t['lenient_wrong']}")
    if args.show:
        for j in L.judge_all(pairs):
            if j.verdict == args.show or args.show == "all":
                print(f"{j.id}\t{j.verdict}\t{j.question}\t» {j.short}\t(expected {j.expected})")
    if args.categories:
        print_categories(cap, items, shorts)
    if args.changed:
        for i in items:
            a, b = cap["preds"][i.id].get("short_answer"), shorts[i.id]
            if a != b:
                print(f"{i.id}\t{i.question}\t{a} -> {b}\t(expected {' | '.join(i.answers)})")
    return 0


def halves(args) -> int:
    """A finished run's predictions judged by half (even / odd paragraphs) and whole."""
    import json

    from rag.evaluate import lenient as L
    from rag.evaluate.qa import load_qa

    items = {i.id: i for i in load_qa(args.qa)}
    with open(args.predictions, encoding="utf-8") as f:
        preds = [json.loads(line) for line in f if line.strip()]
    for half in ("even", "odd", None):
        pairs = [(items[p["id"]], p) for p in preds if p["id"] in items and (half is None or half_of(p["id"]) == half)]
        t = L.tally(pairs)
        right = sum(bool(p.get("eval", {}).get("correct")) for _, p in pairs)
        print(f"{half or 'whole'}: {len(pairs)} questions, short answers shown {t['lenient_shown']} "
              f"({100 * (t['lenient_coverage'] or 0):.1f}%): right {t['lenient_right']} incomplete "
              f"{t['lenient_incomplete']} wrong {t['lenient_wrong']}; lenient {100 * (t['lenient_precision'] or 0):.1f}% "
              f"strict {100 * (t['strict_precision_all'] or 0):.1f}%; answers right {100 * right / max(len(pairs), 1):.1f}%")
    return 0


CATEGORIES = ("part of the gold", "part of a several-item gold", "beside the gold, same kind",
              "beside the gold, other kind", "a fragment of the gold", "the gold and more", "another sentence")


def category(short: str, golds, sentence: str, verdict: str) -> str:
    """Why a shown short answer that is not right misses (rough, by strings): a strict part of the
    gold (inside it; `incomplete` when the gold lists several), the gold with more around it, a
    fragment sharing 2+ characters, another span of the chosen sentence that holds the gold (a
    figure for a figure or not), or a sentence without the gold."""
    from rag.evaluate.metrics import normalize_answer_text as norm

    s, gs, sent = norm(short), [norm(g) for g in golds], norm(sentence)
    figure = lambda t: bool(re.search(r"\d|[零一二两三四五六七八九十百千万亿]", t))  # noqa: E731
    if any(s in g for g in gs):
        return CATEGORIES[1] if verdict == "incomplete" else CATEGORIES[0]
    if any(g in s for g in gs):
        return CATEGORIES[5]
    if any(g[k : k + 2] in s for g in gs for k in range(len(g) - 1)):
        return CATEGORIES[4]
    if any(g in sent or len(g) >= 4 and g[:4] in sent for g in gs):
        return CATEGORIES[2] if any(figure(g) == figure(s) for g in gs) else CATEGORIES[3]
    return CATEGORIES[6]


def print_categories(cap: dict, items, shorts: dict) -> None:
    from collections import Counter

    from rag.evaluate import lenient as L

    counts = Counter()
    for i in items:
        v = L.judge(shorts[i.id], i.answers, i.must_include, i.question)
        state = cap["states"].get(i.question)
        if v in ("wrong", "incomplete") and i.answers:
            counts[category(shorts[i.id], i.answers, state[1].text if state else "", v)] += 1
    total = sum(counts.values())
    print(f"| why not right ({total}) | n | share |\n| --- | --- | --- |")
    for c in CATEGORIES:
        print(f"| {c} | {counts[c]} | {100 * counts[c] / max(total, 1):.0f}% |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("qa")
    c.add_argument("--index", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--predictions", help="also write the predictions (JSONL)")
    c.add_argument("--limit", type=int)
    r = sub.add_parser("replay")
    r.add_argument("cap")
    r.add_argument("qa")
    r.add_argument("--half", choices=["even", "odd"])
    r.add_argument("--show", choices=["wrong", "incomplete", "right", "all"])
    r.add_argument("--policy", nargs="*", default=[], help="AnswerPolicy fields, e.g. list_threshold=0.1")
    r.add_argument("--categories", action="store_true", help="a table of why the shown answers not right miss")
    r.add_argument("--changed", action="store_true", help="list the questions whose short answer changed")
    h = sub.add_parser("halves", help="a finished run's predictions judged by half")
    h.add_argument("qa")
    h.add_argument("predictions")
    args = ap.parse_args(argv)
    return {"capture": capture, "replay": replay, "halves": halves}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
