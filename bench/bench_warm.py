"""Warm questions of code trees compared, alternately, on one index: CPU a question, answers, peak RSS.

    python bench/bench_warm.py --index DIR [--trees OLD_TREE,.] [--questions 60] [--rounds 2]

Each tree answers the same questions (half the seed QA set's, half made of the start of random
passages of the index, as bench_archive.py's ask phase) in a process of its own (PYTHONPATH and
working directory = the tree), after `warm_up()`; trees alternate round by round so a busy machine
slows all alike. CPU time (`time.process_time`) is what the busy 2-core machine distorts least.
Printed per run: CPU p50 / p95 / mean ms, wall p50, peak RSS, and a hash of the answers (the same
hash: the same answers, short answers included).
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


def child(index: Path, n: int) -> dict:
    from rag.config import Settings
    from rag.pipeline import Pipeline

    pipe = Pipeline(Settings.from_env(index_dir=index))
    pipe.warm_up()
    qs = [json.loads(line)["question"] for line in (REPO / "eval" / "seed_qa.jsonl").read_text("utf-8").splitlines()]
    qs = qs[: n // 2]
    rng, chunks = random.Random(7), pipe.index.chunks
    while len(qs) < n:
        text = "".join(ch for ch in chunks[rng.randrange(len(chunks))].text[:40] if not ch.isspace())
        if len(text) >= 12:
            qs.append(text[:16] + "是什么情况？")
    cpu, wall, answers = [], [], []
    for q in qs:
        t, w = time.process_time(), time.perf_counter()
        ans = pipe.ask(q)
        cpu.append((time.process_time() - t) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        answers.append(f"{ans.answer}|{ans.short_answer}")
    cpu.sort()
    wall.sort()
    return {"cpu_p50": round(cpu[n // 2], 1), "cpu_p95": round(cpu[max(0, int(n * 0.95) - 1)], 1),
            "cpu_mean": round(sum(cpu) / n, 1), "wall_p50": round(wall[n // 2], 1),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "answers": hashlib.sha1("\n".join(answers).encode()).hexdigest()[:12]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--trees", default=".")
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.index.resolve(), a.questions)))
        return
    print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    for r in range(a.rounds):
        for tree in [str(Path(t).resolve()) for t in a.trees.split(",")]:
            env = dict(os.environ, PYTHONPATH=tree, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
            p = subprocess.run([sys.executable, __file__, "--child", "--index", str(a.index.resolve()),
                                "--questions", str(a.questions)], env=env, cwd=tree, capture_output=True, text=True)
            out = p.stdout.strip().splitlines()[-1] if p.returncode == 0 else f"failed: {p.stderr[-500:]}"
            print(f"round {r + 1} {tree}: {out}", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
