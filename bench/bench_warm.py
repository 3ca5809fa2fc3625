"""Warm questions of code trees compared on one index, interleaved: CPU and wall time a question,
answers, peak RSS.

    python bench/bench_warm.py --index DIR [--trees OLD_TREE,.,.:RAG_ONNX_THREADS=2] [--questions 60]
                               [--rounds 2] [--chunk 10]

Each tree answers the same questions (half the seed QA set's, half made of the start of random
passages of the index, as bench_archive.py's ask phase) in a process of its own (PYTHONPATH and
working directory = the tree), after `warm_up()`. A tree may carry environment settings after ":"
(`.:RAG_ONNX_THREADS=2`), so one tree can be paired with itself under other settings;
BENCH_CORE_FREE=1 or 0 forces `rag.retrieve.search.core_free`, whether the question's embedding
goes to a worker thread beside BM25 (by default: when the load average is below the cores). All the
processes are loaded first; then they take turns a few questions (`--chunk`) at a time, the first
to go changing every turn, so that a busy machine's load, which drifts over seconds, falls on all
alike. CPU time (`time.process_time`, all the process's threads) is what the busy 2-core machine
distorts least; wall time is what a user waits, and on a machine without a free core it is
mostly the wait for one. `main` is the CPU time of the thread that asks alone (`time.thread_time`):
with work moved to other threads (the question's embedding beside BM25, a second onnxruntime
thread) it tells what a question would take with a core free for them. Printed per tree and
round: CPU, wall and main-thread p50 / p95 (and mean) ms, peak RSS, and a hash of the answers (the
same hash: the same answers, short answers included).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def questions(pipe, n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in (REPO / "eval" / "seed_qa.jsonl").read_text("utf-8").splitlines()]
    qs = qs[: n // 2]
    rng, chunks = random.Random(7), pipe.index.chunks
    while len(qs) < n:
        text = "".join(ch for ch in chunks[rng.randrange(len(chunks))].text[:40] if not ch.isspace())
        if len(text) >= 12:
            qs.append(text[:16] + "是什么情况？")
    return qs


def child(index: Path, n: int) -> None:
    """Answers the questions [lo, hi) of each line "lo hi" read from stdin with one JSON line of
    per-question times and answers; "end": peak RSS."""
    reply = os.fdopen(os.dup(1), "w")  # the replies; anything else printed goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from rag.config import Settings
    from rag.pipeline import Pipeline

    force = os.environ.get("BENCH_CORE_FREE")  # 1 / 0: rag.retrieve.search.core_free forced (both paths measured)
    if force:
        from rag.retrieve import search

        if hasattr(search, "core_free"):
            search.core_free = lambda: force == "1"
    pipe = Pipeline(Settings.from_env(index_dir=index))
    pipe.warm_up()
    qs = questions(pipe, n)
    print("ready", file=reply, flush=True)
    for line in sys.stdin:
        if line.strip() == "end":
            print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}), file=reply, flush=True)
            return
        lo, hi = map(int, line.split())
        out = []
        for q in qs[lo:hi]:
            t, w, m = time.process_time(), time.perf_counter(), time.thread_time()
            ans = pipe.ask(q)
            out.append(((time.process_time() - t) * 1000, (time.perf_counter() - w) * 1000,
                        f"{ans.answer}|{ans.short_answer}", (time.thread_time() - m) * 1000))
        print(json.dumps(out), file=reply, flush=True)


def summary(rows: list, rss_mb: int) -> dict:
    n = len(rows)

    def stats(values):
        values = sorted(values)
        return round(values[n // 2], 1), round(values[max(0, int(n * 0.95) - 1)], 1), round(sum(values) / n, 1)

    (c50, c95, cmean), (w50, w95, wmean) = stats([r[0] for r in rows]), stats([r[1] for r in rows])
    m50, m95, _ = stats([r[3] for r in rows])
    return {"cpu_p50": c50, "cpu_p95": c95, "cpu_mean": cmean, "wall_p50": w50, "wall_p95": w95,
            "wall_mean": wmean, "main_p50": m50, "main_p95": m95, "rss_mb": rss_mb,
            "answers": hashlib.sha1("\n".join(r[2] for r in rows).encode()).hexdigest()[:12]}


def start(spec: str, index: Path, n: int) -> subprocess.Popen:
    tree, *settings = spec.split(":")
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.update(s.split("=", 1) for s in settings)
    proc = subprocess.Popen([sys.executable, __file__, "--child", "--index", str(index), "--questions", str(n)],
                            env=env, cwd=Path(tree).resolve(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    while (line := proc.stdout.readline()) and line.strip() != "ready":
        pass
    if not line:
        raise SystemExit(f"{spec}: the child failed before its first question")
    return proc


def one_round(specs: list[str], index: Path, n: int, chunk: int) -> list[dict]:
    """A summary per spec (a spec may come twice: the spread between like processes)."""
    procs = [start(spec, index, n) for spec in specs]
    rows: list[list] = [[] for _ in specs]
    for turn, lo in enumerate(range(0, n, chunk)):
        for i in [(turn + j) % len(specs) for j in range(len(specs))]:
            procs[i].stdin.write(f"{lo} {min(n, lo + chunk)}\n")
            procs[i].stdin.flush()
            rows[i] += json.loads(procs[i].stdout.readline())
    out = []
    for i, proc in enumerate(procs):
        proc.stdin.write("end\n")
        proc.stdin.flush()
        out.append(summary(rows[i], json.loads(proc.stdout.readline())["rss_mb"]))
        proc.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--trees", default=".", help="comma-separated TREE[:VAR=VALUE...]")
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=10, help="questions a tree answers in one turn")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    index = a.index.resolve()
    if a.child:
        child(index, a.questions)
        return
    specs = a.trees.split(",")
    print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    for r in range(a.rounds):
        for spec, result in zip(specs, one_round(specs, index, a.questions, a.chunk)):
            print(f"round {r + 1} {spec}: {json.dumps(result)}", flush=True)
        specs = specs[1:] + specs[:1]
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
