"""Cold `rag ask`: a new process, index present, per runtime. Prints numbers; asserts nothing.

    python bench/bench_cold.py [--index DIR] [--runs 5] [--runtimes onnx,torch] [--question Q]

Each run starts `python -m rag.cli ask Q --index DIR` afresh (the model cache, and the ONNX
files, already in place); the runtimes alternate run by run (onnx, torch, onnx, torch, ...) so a busy
machine slows both alike, and the median of each and of the per-pair ratios is printed. `torch` is
RAG_EMBED_RUNTIME=torch: sentence-transformers and the torch reader, the code path before the ONNX
runtime. Then one more onnx run under `python -X importtime` lists which of torch,
sentence_transformers, transformers and onnxruntime the process imported, and the slowest imports.
Without --index, the bundled corpus/ is indexed into a temporary folder first. `--trees A,B`
compares code trees instead (PYTHONPATH=A, B, A, B, ...: the same command, wall and CPU seconds).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime", "faiss", "jieba")


def run(args, env) -> float:
    return run_cpu(args, env)[0]


def run_cpu(args, env, cwd=REPO) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child). `python -m` imports from cwd first."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, cwd=cwd)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare_trees(trees: list[str], cmd: list[str], env: dict, runs: int) -> None:
    """Each tree's `rag ask` (PYTHONPATH=tree) in turn, run after run: wall and CPU seconds, and the
    median of per-pair wall ratios against the first tree (the baseline)."""
    for tree in trees:  # page cache warm, anything missing exported, untimed
        run_cpu(cmd, dict(env, PYTHONPATH=tree), tree)
    got = {tree: [] for tree in trees}
    for _ in range(runs):
        for tree in trees:
            got[tree].append(run_cpu(cmd, dict(env, PYTHONPATH=tree), tree))
    print(f"cold `rag ask`, {runs} alternating runs each; load average {os.getloadavg()[0]:.1f}")
    for tree in trees:
        walls, cpus = [w for w, _ in got[tree]], [c for _, c in got[tree]]
        ratio = statistics.median(w / b for (w, _), (b, _) in zip(got[tree], got[trees[0]]))
        print(f"  {tree:28} wall median {statistics.median(walls):5.2f} s (min {min(walls):.2f}), CPU median "
              f"{statistics.median(cpus):5.2f} s (min {min(cpus):.2f}); wall / first tree {ratio:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runtimes", default="onnx,torch")
    ap.add_argument("--question", default="大陈村2024年接待了多少游客？")
    ap.add_argument("--trees", help="code trees to compare instead of runtimes, e.g. ../baseline-checkout,. (first: baseline)")
    args = ap.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="bench-cold-")) / "index"
        subprocess.run([sys.executable, "-m", "rag.cli", "index", str(REPO / "corpus"), "--index", str(index)],
                       env=env, check=True, capture_output=True, cwd=REPO)
    cmd = [sys.executable, "-m", "rag.cli", "ask", args.question, "--index", str(index)]
    if args.trees:
        trees = [str(Path(t).resolve()) for t in args.trees.split(",")]
        compare_trees(trees, cmd, env, args.runs)
        env["PYTHONPATH"] = trees[-1]
        args.runtimes = "onnx"
    runtimes = args.runtimes.split(",")
    if args.trees:
        runtimes = []
    for rt in runtimes:  # warm the page cache and export anything missing, untimed
        run(cmd, dict(env, RAG_EMBED_RUNTIME=rt))
    times = {rt: [] for rt in runtimes}
    for i in range(args.runs):
        for rt in runtimes:
            times[rt].append(run(cmd, dict(env, RAG_EMBED_RUNTIME=rt)))
    if runtimes:
        print(f"cold `rag ask` ({args.runs} runs each, alternating; index {index})")
    for rt in runtimes:
        print(f"  RAG_EMBED_RUNTIME={rt:6} median {statistics.median(times[rt]):5.2f} s  "
              f"(min {min(times[rt]):.2f}, max {max(times[rt]):.2f})")
    if len(runtimes) == 2:
        a, b = runtimes
        ratios = [x / y for x, y in zip(times[a], times[b])]
        print(f"  {a} / {b}: median of per-pair ratios {statistics.median(ratios):.2f}")

    runtime = runtimes[0] if runtimes else "onnx"
    out = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], env=dict(env, RAG_EMBED_RUNTIME=runtime),
                         capture_output=True, text=True, cwd=REPO)
    rows = []  # (cumulative µs, name with its nesting indent)
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cum, name = line.split("|")
            if cum.strip().isdigit():
                rows.append((int(cum), name[1:]))
    print(f"\n`python -X importtime -m rag.cli ask` with RAG_EMBED_RUNTIME={runtime}:")
    for mod in HEAVY:
        cum = [us for us, name in rows if name.strip() == mod]
        print(f"  {mod:22} " + (f"imported, {cum[0] / 1e6:.2f} s cumulative" if cum else "not imported"))
    top = sorted((us, name) for us, name in rows if not name.startswith(" "))[::-1][:6]
    print("  slowest top-level imports: " + ", ".join(f"{name} {us / 1e6:.2f} s" for us, name in top))


if __name__ == "__main__":
    main()
