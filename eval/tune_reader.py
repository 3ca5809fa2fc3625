"""Choose the reader's weight and threshold on validation data (never on CMRC).

    python eval/drcd_val.py                        # writes reports/drcd-val/*.jsonl
    python eval/tune_reader.py --index /tmp/drcd-val-index [--data reports/drcd-val] [--limit N]

Retrieval runs once per question; then each answerer policy in the grid answers from the same
passages (reader outputs are cached), and one line per policy gives: the gold string in the answer,
short-answer coverage and precision (F1 >= 0.8), EM and F1 (no short answer scores 0), and the
median answer length. For the chosen weight, the precision/coverage table over thresholds follows.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class CachedReader:
    def __init__(self, reader):
        self.reader, self.cache = reader, {}

    def read(self, question, texts):
        key = (question, tuple(texts))
        if key not in self.cache:
            self.cache[key] = self.reader.read(question, texts)
        return self.cache[key]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO / "reports" / "drcd-val")
    ap.add_argument("--docs-file", default="drcd_val_docs.jsonl")
    ap.add_argument("--qa-file", default="drcd_val_qa.jsonl")
    ap.add_argument("--index", type=Path, default=Path("/tmp/drcd-val-index"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--weights", default="0,0.3,0.6,1.0")
    ap.add_argument("--read-top", default="4")
    ap.add_argument("--sure-chars", default="140", help="sure_answer_chars values to try")
    ap.add_argument("--join", default="0", help="join_when_read values to try (0,1)")
    ap.add_argument("--read-before", default="0", help="read_before values to try (0,1)")
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    ap.add_argument("--agree-thresholds", default="0.05,0.1,0.2,0.3,1")
    args = ap.parse_args(argv)

    from rag.answer.answerer import AnswerPolicy, Answerer
    from rag.cli import StderrProgress
    from rag.config import Settings
    from rag.evaluate import checks as C
    from rag.evaluate.metrics import is_correct
    from rag.evaluate.runner import load_qa
    from rag.pipeline import Pipeline
    from run_cmrc import index_matches, write_corpus

    corpus_dir = args.index.parent / (args.index.name + "-docs")
    corpus = write_corpus(args.data, corpus_dir, args.docs_file)
    pipe = Pipeline(Settings.from_env(index_dir=args.index, corpus_dir=corpus_dir))
    if not index_matches(pipe, corpus):
        pipe.build([corpus], progress=StderrProgress())
    items = load_qa(args.data / args.qa_file)[: args.limit]
    reader = CachedReader(pipe.reader)
    print(f"{len(items)} questions; retrieving", file=sys.stderr)
    qvs = pipe.embedder.embed_queries([it.question for it in items])
    hits = pipe.search_batch([it.question for it in items], query_vectors=qvs)

    base = AnswerPolicy()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    agrees = [float(t) for t in args.agree_thresholds.split(",")]
    grid = [replace(base, w_reader=w, read_top=k, sure_answer_chars=c, join_when_read=bool(j), read_before=bool(b))
            for w, k, c, j, b in itertools.product(map(float, args.weights.split(",")), map(int, args.read_top.split(",")),
                                                   map(int, args.sure_chars.split(",")), map(int, args.join.split(",")),
                                                   map(int, args.read_before.split(",")))]
    grid.append(replace(base, reader_threshold=1.01, rule_fallback=True))  # the rules alone, for reference
    for pol in grid:
        ans_correct, lengths, scored = 0, [], []
        for it, h, qv in zip(items, hits, qvs):
            rd = None if pol.rule_fallback else reader
            a = Answerer(pipe.index, pipe.embedder, pol, reader=rd).answer(it.question, h, qv)
            ans_correct += is_correct(a.answer, it.answers) if a.answerable else 0
            if a.answerable:
                lengths.append(C.answer_length(a.answer))
            shown = C.scored_span(a.answerable, a.short_answer)
            guess = a.reader_guess if a.answerable else None
            scored.append((C.short_answer_scores(shown, it.answers),
                           (guess[1], guess[2], C.short_answer_scores(guess[0], it.answers)) if guess else None,
                           bool(shown) and a.short_answer_score is None))  # rules, or labelled facts
        n = len(items)
        head = {"w_reader": pol.w_reader, "read_top": pol.read_top, "sure_chars": pol.sure_answer_chars,
                "join": pol.join_when_read, "read_before": pol.read_before, "rules": pol.rule_fallback,
                "answer_has_gold": round(100 * ans_correct / n, 1),
                "median_chars": statistics.median(lengths) if lengths else None}
        pairs = [(None, None)] if pol.rule_fallback else [(t, a) for t in thresholds for a in agrees if a <= t]
        for t, t_agree in pairs:
            em = f1 = shown = precise = 0.0
            for (as_shown, guess, other) in scored:
                if t is None or other:
                    e, f = as_shown
                    on = bool(e + f > 0) or other
                elif guess and (guess[0] >= t or guess[1] and guess[0] >= t_agree):
                    e, f = guess[2]
                    on = True
                else:
                    e, f, on = 0.0, 0.0, False
                em, f1 = em + e, f1 + f
                if on:
                    shown += 1
                    precise += f >= 0.8
            row = {**head, "threshold": t, "agree_threshold": t_agree, "coverage": round(100 * shown / n, 1),
                   "precision": round(100 * precise / max(shown, 1), 1),
                   "em": round(100 * em / n, 1), "f1": round(100 * f1 / n, 1)}
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
