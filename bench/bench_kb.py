"""What asking through the knowledge bases (rag/library, issue #25) costs over asking the pipeline
directly, with the real default model over the seed page.

    python bench/bench_kb.py --index /tmp/kb-bench/index            # paired in one process: Pipeline.ask
                                                                     # vs Library.ask(["default"]), alternately
    python bench/bench_kb.py --index /tmp/kb-bench/index --http      # p50 of POST /api/ask on a local server
    PYTHONPATH=/path/to/an/older/checkout python bench/bench_kb.py --index ... --http   # the same, before

Prints the medians (and, paired, the median of the per-question differences) in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_2f3ce927338b60c1.txt"


def questions(path: str) -> list[str]:
    return [json.loads(line)["question"] for line in open(path, encoding="utf-8") if line.strip()]


def paired(pipe, qs: list[str], rounds: int) -> None:
    from rag.library import Library

    lib = Library(default=pipe)
    before, after = [], []
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            pipe.ask(q)
            t1 = time.perf_counter()
            lib.ask(["default"], q)
            t2 = time.perf_counter()
            before.append((t1 - t0) * 1000)
            after.append((t2 - t1) * 1000)
    diff = [a - b for a, b in zip(after, before)]
    print(f"{len(before)} answers: Pipeline.ask p50 {statistics.median(before):.1f} ms, "
          f"Library.ask(['default']) p50 {statistics.median(after):.1f} ms, "
          f"median difference {statistics.median(diff):+.2f} ms")


def over_http(pipe, qs: list[str], rounds: int) -> None:
    import httpx

    from rag.api import create_app
    from tests.helpers import running

    times = []
    with running(create_app(pipe)) as url, httpx.Client(base_url=url, timeout=60) as http:
        for _ in range(rounds):
            for q in qs:
                t0 = time.perf_counter()
                http.post("/api/ask", json={"question": q}).raise_for_status()
                times.append((time.perf_counter() - t0) * 1000)
    print(f"{len(times)} answers over HTTP: POST /api/ask p50 {statistics.median(times):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--qa", default="eval/seed_qa.jsonl")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--http", action="store_true")
    args = ap.parse_args()

    from rag.config import Settings
    from rag.pipeline import Pipeline

    pipe = Pipeline(Settings(index_dir=args.index, corpus_dir="corpus"))
    if not pipe.has_index():
        pipe.build([SEED])
    pipe.warm_up()
    qs = questions(args.qa)
    pipe.ask(qs[0])
    (over_http if args.http else paired)(pipe, qs, args.rounds)


if __name__ == "__main__":
    main()
