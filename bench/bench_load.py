"""Load on the real HTTP server: N concurrent clients for T seconds. Prints numbers; asserts nothing.

    python bench/bench_load.py [--clients 8,32] [--seconds 60] [--index index] [--port 8799]

Starts `rag serve` on 127.0.0.1 (the index must exist: `rag index` first), asks each question of
eval/seed_qa.jsonl once alone to record its answer, then runs each client count: every client
loops over the questions through POST /api/ask until the time is up. Reports requests, errors,
answers that differ from the lone answer, p50/p95 latency, and the server's RSS before and after.
Traffic goes to 127.0.0.1 only; every loop is bounded in time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="8,32")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--index", default="index")
    ap.add_argument("--port", type=int, default=8799)
    args = ap.parse_args()
    import httpx

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    rag = Path(sys.executable).with_name("rag")
    server = subprocess.Popen([str(rag), "serve", "--port", str(args.port), "--index", args.index], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if httpx.post(f"{base}/api/ask", json={"question": "热身"}, timeout=60).status_code in (200, 400):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        questions = [json.loads(line)["question"] for line in open(REPO / "eval" / "seed_qa.jsonl", encoding="utf-8")]
        alone = {q: httpx.post(f"{base}/api/ask", json={"question": q}, timeout=60).json().get("answer") for q in questions}
        print(f"server up; {len(questions)} questions answered alone; RSS {rss_mb(server.pid):.0f} MB")
        for n in [int(x) for x in args.clients.split(",")]:
            lat, errors, changed, lock = [], 0, 0, threading.Lock()
            before = rss_mb(server.pid)
            stop = time.time() + args.seconds

            def client(k: int) -> None:
                nonlocal errors, changed
                i = k
                with httpx.Client(timeout=60) as c:
                    while time.time() < stop:
                        q = questions[i % len(questions)]
                        i += 1
                        t = time.perf_counter()
                        try:
                            r = c.post(f"{base}/api/ask", json={"question": q})
                            ok, ans = r.status_code == 200, r.json().get("answer")
                        except (httpx.HTTPError, ValueError):
                            ok, ans = False, None
                        with lock:
                            lat.append((time.perf_counter() - t) * 1000)
                            errors += not ok
                            changed += ok and ans != alone[q]

            threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            print(f"{n:>3} clients, {args.seconds:.0f} s: {len(lat)} requests, {errors} errors, {changed} answers changed, "
                  f"p50 {pct(lat, 50):.0f} ms, p95 {pct(lat, 95):.0f} ms, median {statistics.median(lat):.0f} ms; "
                  f"RSS {before:.0f} -> {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
