"""Speed and memory on the CMRC 2018 trial paragraphs. Prints numbers; asserts nothing.

    python bench/bench_cmrc.py [--data ../shared/data] [--queries 300] [--model NAME]

Measures: index build wall time and rate (passages/s) into a fresh temporary index, warm query
latency p50/p95 over the first N questions, a cold `rag ask` in a fresh process (index present),
`import rag` and `rag --help` times, and this process's peak memory (max RSS).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed_subprocess(args, env) -> float:
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from rag.config import Settings
    from rag.pipeline import Pipeline

    data = Path(args.data)
    docs = data / "cmrc2018_trial_docs.jsonl"
    qa = [json.loads(line) for line in open(data / "cmrc2018_trial_qa.jsonl", encoding="utf-8")][: args.queries]
    work = Path(tempfile.mkdtemp(prefix="bench-cmrc-"))
    settings = Settings.from_env(index_dir=work / "index", corpus_dir=work, model=args.model)
    pipe = Pipeline(settings)

    t = time.perf_counter()
    _ = pipe.embedder.dim  # model load, reported apart from the build
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    report = pipe.build([docs])
    build_s = time.perf_counter() - t
    print(f"model load            {load_s:8.1f} s")
    print(f"index build           {build_s:8.1f} s  ({report.documents} documents, {report.chunks} passages, "
          f"{report.chunks / build_s:.1f} passages/s)")

    t = time.perf_counter()
    again = pipe.build([docs])
    print(f"re-index, no change   {time.perf_counter() - t:8.1f} s  ({again.embedded} embedded, {again.reused} reused)")

    pipe.ask(qa[0]["question"])  # warm
    lat = []
    for item in qa:
        t = time.perf_counter()
        pipe.ask(item["question"])
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p50 = lat[len(lat) // 2]
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    print(f"warm query latency    p50 {p50:.0f} ms  p95 {p95:.0f} ms  ({len(lat)} questions)")
    print(f"peak memory (max RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")

    env = dict(os.environ, RAG_INDEX_DIR=str(settings.index_dir))
    if args.model:
        env["RAG_MODEL"] = args.model
    rag = [sys.executable, "-m", "rag.cli"]
    print(f"cold `rag ask`        {timed_subprocess(rag + ['ask', qa[0]['question']], env):8.1f} s")
    print(f"`import rag`          {timed_subprocess([sys.executable, '-c', 'import rag'], env):8.2f} s")
    print(f"`rag --help`          {timed_subprocess(rag + ['--help'], env):8.2f} s")


if __name__ == "__main__":
    main()
