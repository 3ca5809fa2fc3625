"""Cold `rag ask`: a new process, index present, per runtime. Prints numbers; asserts nothing.

    python bench/bench_cold.py [--index DIR] [--runs 5] [--runtimes onnx,torch] [--question Q]

Each run starts `python -m rag.cli ask Q --index DIR` afresh (the model cache, and the ONNX
files, already in place); the runtimes alternate run by run (onnx, torch, onnx, torch, ...) so a busy
machine slows both alike, and the median of each and of the per-pair ratios is printed. `torch` is
RAG_EMBED_RUNTIME=torch: sentence-transformers and the torch reader, the code path before the ONNX
runtime. Then one more onnx run under `python -X importtime` lists which of torch,
sentence_transformers, transformers and onnxruntime the process imported, and the slowest imports.
Without --index, the bundled corpus/ is indexed into a temporary folder first.
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
    t = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runtimes", default="onnx,torch")
    ap.add_argument("--question", default="大陈村2024年接待了多少游客？")
    args = ap.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="bench-cold-")) / "index"
        subprocess.run([sys.executable, "-m", "rag.cli", "index", str(REPO / "corpus"), "--index", str(index)],
                       env=env, check=True, capture_output=True, cwd=REPO)
    cmd = [sys.executable, "-m", "rag.cli", "ask", args.question, "--index", str(index)]
    runtimes = args.runtimes.split(",")
    for rt in runtimes:  # warm the page cache and export anything missing, untimed
        run(cmd, dict(env, RAG_EMBED_RUNTIME=rt))
    times = {rt: [] for rt in runtimes}
    for i in range(args.runs):
        for rt in runtimes:
            times[rt].append(run(cmd, dict(env, RAG_EMBED_RUNTIME=rt)))
    print(f"cold `rag ask` ({args.runs} runs each, alternating; index {index})")
    for rt in runtimes:
        print(f"  RAG_EMBED_RUNTIME={rt:6} median {statistics.median(times[rt]):5.2f} s  "
              f"(min {min(times[rt]):.2f}, max {max(times[rt]):.2f})")
    if len(runtimes) == 2:
        a, b = runtimes
        ratios = [x / y for x, y in zip(times[a], times[b])]
        print(f"  {a} / {b}: median of per-pair ratios {statistics.median(ratios):.2f}")

    out = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], env=dict(env, RAG_EMBED_RUNTIME=runtimes[0]),
                         capture_output=True, text=True, cwd=REPO)
    rows = []  # (cumulative µs, name with its nesting indent)
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cum, name = line.split("|")
            if cum.strip().isdigit():
                rows.append((int(cum), name[1:]))
    print(f"\n`python -X importtime -m rag.cli ask` with RAG_EMBED_RUNTIME={runtimes[0]}:")
    for mod in HEAVY:
        cum = [us for us, name in rows if name.strip() == mod]
        print(f"  {mod:22} " + (f"imported, {cum[0] / 1e6:.2f} s cumulative" if cum else "not imported"))
    top = sorted((us, name) for us, name in rows if not name.startswith(" "))[::-1][:6]
    print("  slowest top-level imports: " + ", ".join(f"{name} {us / 1e6:.2f} s" for us, name in top))


if __name__ == "__main__":
    main()
