"""The timeline step's added latency (issue #19), paired in one process: each question answered
with rag/answer/timeline.py and with it replaced by a no-op, alternately, so that a busy machine
slows both alike; prints both medians and the median of the per-question differences.

    python bench/bench_timeline.py --index /tmp/seed-idx                       # builds corpus/ if missing
    python bench/bench_timeline.py --index /tmp/t --qa eval/temporal/dev.jsonl --corpus eval/temporal/docs
"""
from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--qa", default="eval/seed_qa.jsonl")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from rag.answer import timeline
    from rag.config import Settings
    from rag.pipeline import Pipeline

    p = Pipeline(Settings(index_dir=args.index, corpus_dir=args.corpus))
    if not p.has_index():
        p.build()
    qs = [json.loads(line)["question"] for line in open(args.qa, encoding="utf-8") if line.strip()]
    real = timeline.order, timeline.annotate

    def step(on: bool) -> None:
        if on:
            timeline.order, timeline.annotate = real
        else:
            timeline.order = lambda q, ranked, around, today, policy: (ranked, timeline.Timeline(
                timeline.asked_time("", None)))
            timeline.annotate = lambda answer, tl, zh, led: answer

    for q in qs[:10]:  # warm up: model, index, reader
        p.ask(q)
    with_step, without = [], []
    for _ in range(args.rounds):
        for q in qs:
            for on, out in ((True, with_step), (False, without)):
                step(on)
                t0 = time.perf_counter()
                p.ask(q)
                out.append((time.perf_counter() - t0) * 1000)
    step(True)
    diff = [a - b for a, b in zip(with_step, without)]
    print(f"with timeline p50 {statistics.median(with_step):.1f} ms, without {statistics.median(without):.1f} ms, "
          f"paired difference p50 {statistics.median(diff):+.1f} ms (n={len(diff)})")


if __name__ == "__main__":
    main()
