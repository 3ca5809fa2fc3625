"""What the trained reader costs a warm question. Prints numbers; asserts nothing.

    python bench/bench_reader.py [--index /tmp/cmrc-index] [--queries 300] [--threads N]

Uses the CMRC trial index (built by eval/run_cmrc.py when absent). Two pipelines share one index
and one embedder, one with the reader and one without; each question is asked by both, in
alternating order, so a busy machine slows both alike. Prints the reader's load time, latency
p50/p95 with and without it, and the p50 of the per-question difference.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--index", type=Path, default=Path("/tmp/cmrc-index"))
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    args = ap.parse_args()

    from rag.config import Settings
    from rag.evaluate.runner import load_qa
    from rag.pipeline import Pipeline
    from run_cmrc import DOCS_FILE, QA_FILE, index_matches, write_corpus

    corpus_dir = args.index.parent / (args.index.name + "-docs")
    corpus = write_corpus(args.data, corpus_dir, DOCS_FILE)
    settings = Settings.from_env(index_dir=args.index, corpus_dir=corpus_dir)
    plain = Pipeline(settings.with_(reader="off"))
    if not index_matches(plain, corpus):
        plain.build([corpus])
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    t = time.perf_counter()
    plain.ask("热身")  # load the embedder and index
    warm_up = time.perf_counter() - t
    read = Pipeline(settings, plain.embedder)
    read._index = plain.index
    t = time.perf_counter()
    assert read.reader is not None, "the reader did not load"
    load = time.perf_counter() - t
    questions = [it.question for it in load_qa(args.data / QA_FILE) if it.question.strip()][: args.queries]
    with_r, without, diff = [], [], []
    for i, q in enumerate(questions):
        order = [(read, with_r), (plain, without)] if i % 2 else [(plain, without), (read, with_r)]
        for pipe, out in order:
            out.append(pipe.ask(q).latency_ms)
        diff.append(with_r[-1] - without[-1])
    print(f"embedder + index load  {warm_up:.1f} s; reader load {load:.1f} s")
    print(f"without reader  p50 {pct(without, 50):.0f} ms  p95 {pct(without, 95):.0f} ms")
    print(f"with reader     p50 {pct(with_r, 50):.0f} ms  p95 {pct(with_r, 95):.0f} ms  ({len(questions)} questions)")
    print(f"added by the reader, per question: p50 {statistics.median(diff):.0f} ms  p95 {pct(diff, 95):.0f} ms")


if __name__ == "__main__":
    main()
