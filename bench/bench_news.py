"""Scale and distractors: the seed page indexed together with N real news articles.

    python bench/bench_news.py --news ../shared/data/news_zh.jsonl.gz [--limit 500] [--qa eval/seed_qa.jsonl]

Prints the build rate, warm latency and the seed QA accuracy with the distractors present.
The news corpus is read in place (never copied into the repo).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--news", default=str(REPO.parent / "shared" / "data" / "news_zh.jsonl.gz"))
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--qa", default=str(REPO / "eval" / "seed_qa.jsonl"))
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from rag.config import Settings
    from rag.evaluate.runner import load_qa, run_eval, summarize
    from rag.pipeline import Pipeline

    work = Path(tempfile.mkdtemp(prefix="bench-news-"))
    subset = work / "news.jsonl"
    with gzip.open(args.news, "rt", encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            if n >= args.limit:
                break
            out.write(line)
    settings = Settings.from_env(index_dir=work / "index", corpus_dir=REPO / "corpus", model=args.model)
    pipe = Pipeline(settings)
    _ = pipe.embedder.dim
    t = time.perf_counter()
    rep = pipe.build([subset, REPO / "corpus"])
    s = time.perf_counter() - t
    print(f"index build   {s:.1f} s  {rep.documents} documents, {rep.chunks} passages, {rep.chunks / s:.1f} passages/s")
    records = run_eval(pipe, load_qa(args.qa))
    summary = summarize(records)
    for key in ("answer_accuracy", "refusal_accuracy", "latency_p50_ms", "latency_p95_ms"):
        if key in summary:
            print(f"{key:14s} {summary[key]:.3f}")
    print(f"peak memory   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
