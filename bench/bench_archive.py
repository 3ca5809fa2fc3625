"""A whole news archive on one machine: build, embed, add, kill and resume, answer.

    python bench/bench_archive.py NEWS.jsonl.gz [--limit N] [--embed-articles 5000] [--resume-articles 10000]
                                  [--questions 300] [--work DIR] [--model NAME]

The archive is read in place (never copied into the repo); the index goes to --work (a temporary
folder by default). Each phase runs in its own process so that its peak RSS is its own:

  build     `rag index --embed-later` of the seed page + archive: time until all of it is BM25-searchable
  embed     the passages of the first --embed-articles articles (and the seed page): passages/s, and the
            projected time to embed everything at that rate
  add       10 new articles added to the built archive (tokenised and embedded), model load apart
  resume    a build of --resume-articles articles killed (SIGKILL) halfway and started again, vs fresh;
            and a `rag embed` killed after its first checkpoint and resumed (passages embedded twice)
  ask       warm latency p50/p95 of --questions questions (answer included), peak RSS while answering
  cold      one `rag ask` in a new process with the archive present
  seed      the seed page's QA set against page + archive vs page alone
  ann       exact vs HNSW search over the embedded vectors: recall@10, latency; exact latency at full size
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_2f3ce927338b60c1.txt"
QA = REPO / "eval" / "seed_qa.jsonl"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings(a, index: Path, **kw):
    from rag.config import Settings

    return Settings.from_env(index_dir=index, corpus_dir=Path(a.work) / "corpus", model=a.model, **kw)


def pipeline(a, index: Path):
    from rag.pipeline import Pipeline

    return Pipeline(settings(a, index))


def news_input(a) -> Path:
    """The archive, or its first --limit articles written to the work folder."""
    if not a.limit:
        return Path(a.news)
    out = Path(a.work) / f"news-{a.limit}.jsonl"
    if not out.exists():
        with gzip.open(a.news, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= a.limit:
                    break
                dst.write(line)
    return out


def first_articles(a, n: int, name: str, skip: int = 0) -> Path:
    out = Path(a.work) / name
    with gzip.open(a.news, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i < skip:
                continue
            if i >= skip + n:
                break
            dst.write(line)
    return out


# -- phases (each in its own process) -------------------------------------------------------------
def phase_build(a) -> dict:
    pipe = pipeline(a, Path(a.work) / "index")
    t = time.perf_counter()
    rep = pipe.build([SEED, news_input(a)], embed=False)
    return {"seconds": time.perf_counter() - t, "documents": rep.documents, "passages": rep.chunks,
            "segments": pipe.status()["segments"], "rss_mb": rss_mb()}


def phase_embed(a) -> dict:
    pipe = pipeline(a, Path(a.work) / "index")
    t = time.perf_counter()
    _ = pipe.embedder.dim  # model load, timed apart
    load_s = time.perf_counter() - t
    infos = pipe.documents()
    target = sum(d.passages for d in infos[: a.embed_articles + 1])  # the seed page comes first
    have = pipe.status()["embedded"]
    t = time.perf_counter()
    n = pipe.embed(limit=max(target - have, 0))
    s = time.perf_counter() - t
    st = pipe.status()
    return {"model_load_s": load_s, "embedded_now": n, "seconds": s, "rate": n / s if s else 0.0,
            "embedded": st["embedded"], "passages": st["passages"], "rss_mb": rss_mb()}


def phase_add(a) -> dict:
    pipe = pipeline(a, Path(a.work) / "index")
    t = time.perf_counter()
    _ = pipe.embedder.dim
    pipe.index  # noqa: B018
    load_s = time.perf_counter() - t
    new = Path(a.work) / "corpus" / "new10.jsonl"
    new.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(a.news, "rt", encoding="utf-8") as src, open(new, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= 10:
                break
            r = json.loads(line)
            r["id"] = f"new-{i:02d}"
            r["text"] = "（新）" + r["text"]
            dst.write(json.dumps(r, ensure_ascii=False) + "\n")
    before = pipe.status()
    t = time.perf_counter()
    rep = pipe.add_files([new])
    s = time.perf_counter() - t
    after = pipe.status()
    hits = pipe.search("（新）" + json.loads(new.read_text("utf-8").splitlines()[0])["text"][:30], k=3)
    return {"load_s": load_s, "seconds": s, "documents_added": after["documents"] - before["documents"],
            "passages_embedded": rep.embedded, "found": any(h.chunk.doc_id.startswith("new-") for h in hits),
            "rss_mb": rss_mb()}


def phase_resume_build(a) -> dict:
    """Child of phase resume: build --resume-articles articles into INDEX (argv)."""
    pipe = pipeline(a, Path(a.target))
    t = time.perf_counter()
    rep = pipe.build([Path(a.source)], embed=False)
    return {"seconds": time.perf_counter() - t, "documents": rep.documents, "tokenised": rep.chunks - rep.reused}


def phase_resume_embed(a) -> dict:
    pipe = pipeline(a, Path(a.target))
    t = time.perf_counter()
    n = pipe.embed(limit=a.embed_limit)
    return {"seconds": time.perf_counter() - t, "embedded_now": n}


def phase_ask(a) -> dict:
    pipe = pipeline(a, Path(a.work) / "index")
    t = time.perf_counter()
    pipe.warm_up()
    warm_s = time.perf_counter() - t
    qs = questions(a, pipe)
    lat, answered = [], 0
    for q in qs:
        t = time.perf_counter()
        ans = pipe.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
        answered += ans.answerable
    lat.sort()
    ret = []  # retrieval alone (query embedding, BM25, dense, fusion): the index's share of an answer
    for q in qs:
        t = time.perf_counter()
        pipe.search(q)
        ret.append((time.perf_counter() - t) * 1000)
    ret.sort()
    st = pipe.status()
    return {"questions": len(qs), "p50_ms": lat[len(lat) // 2], "p95_ms": lat[int(len(lat) * 0.95) - 1],
            "search_p50_ms": ret[len(ret) // 2], "search_p95_ms": ret[int(len(ret) * 0.95) - 1],
            "answered": answered, "warm_up_s": warm_s, "rss_mb": rss_mb(), **st}


def questions(a, pipe) -> list[str]:
    """The seed QA questions, then questions made of the start of random archive passages."""
    out = [json.loads(line)["question"] for line in QA.read_text("utf-8").splitlines()]
    rng = random.Random(7)
    idx = pipe.index
    while len(out) < a.questions:
        c = idx.chunks[rng.randrange(len(idx.chunks))]
        text = "".join(ch for ch in c.text[:40] if not ch.isspace())
        if len(text) >= 12:
            out.append(text[:16] + "是什么情况？")
    return out[: a.questions]


def phase_seed(a) -> dict:
    from rag.evaluate.runner import load_qa, run_eval, summarize

    out = {}
    items = load_qa(QA)
    alone = Path(a.work) / "seed-only"
    for name, index in (("archive", Path(a.work) / "index"), ("alone", alone)):
        pipe = pipeline(a, index)
        if name == "alone" and not pipe.has_index():
            pipe.build([SEED])
        summary = summarize(run_eval(pipe, items))
        out[name] = {k: summary.get(k) for k in ("answer_accuracy", "refusal_accuracy", "latency_p50_ms",
                                                   "latency_p95_ms")}
    return out


def phase_ann(a) -> dict:
    import numpy as np

    from rag.index import store
    from rag.index.dense import ANN_EF_SEARCH, build_ann, _ann_search

    idx = store.load(Path(a.work) / "index")
    rows, vecs = idx.dense.reconstruct_rows()
    rng = np.random.default_rng(0)
    if not len(vecs):
        return {"vectors": 0}
    pipe = pipeline(a, Path(a.work) / "index")
    q = pipe.embedder.embed_queries(questions(a, pipe))
    t = time.perf_counter()
    ann = build_ann(vecs)
    build_s = time.perf_counter() - t
    exact = np.argsort(-(q @ vecs.T), axis=1)[:, :10]
    t = time.perf_counter()
    got = np.vstack([_ann_search(ann, q[i : i + 1], 10, None)[1] for i in range(len(q))])
    ann_ms = (time.perf_counter() - t) * 1000 / len(q)
    recall = float(np.mean([len(set(e) & set(g)) / 10 for e, g in zip(exact, got)]))
    t = time.perf_counter()
    for i in range(len(q)):
        _ = q[i : i + 1] @ vecs.T
    exact_ms = (time.perf_counter() - t) * 1000 / len(q)
    # exact search at the archive's full size, on stand-in vectors (its cost does not depend on them)
    full = int(idx.status()["passages"])
    big = rng.standard_normal((full, vecs.shape[1]), dtype=np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    t = time.perf_counter()
    for i in range(50):
        s = q[i % len(q) : i % len(q) + 1] @ big.T
        np.argpartition(-s[0], 50)[:50]
    exact_full_ms = (time.perf_counter() - t) * 1000 / 50
    t = time.perf_counter()
    big_ann = build_ann(big[: min(full, 100_000)])
    big_build_s = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(50):
        _ann_search(big_ann, q[i % len(q) : i % len(q) + 1], 50, None)
    ann_100k_ms = (time.perf_counter() - t) * 1000 / 50
    return {"vectors": int(len(vecs)), "recall_at_10": recall, "ef_search": ANN_EF_SEARCH, "ann_build_s": build_s,
            "ann_ms": ann_ms, "exact_ms": exact_ms, "full_rows": full, "exact_full_ms": exact_full_ms,
            "ann_100k_build_s": big_build_s, "ann_100k_ms": ann_100k_ms}


PHASES = {"build": phase_build, "embed": phase_embed, "add": phase_add, "ask": phase_ask, "seed": phase_seed,
          "ann": phase_ann, "resume-build": phase_resume_build, "resume-embed": phase_resume_embed}


# -- the conductor ----------------------------------------------------------------------------------
def child_cmd(a, phase: str, *extra: str) -> list[str]:
    cmd = [sys.executable, __file__, a.news, "--phase", phase, "--work", a.work, "--limit", str(a.limit or 0),
           "--embed-articles", str(a.embed_articles), "--questions", str(a.questions), *extra]
    return cmd + (["--model", a.model] if a.model else [])


def run_phase(a, phase: str, *extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    t = time.perf_counter()
    p = subprocess.run(child_cmd(a, phase, *extra), env=env, capture_output=True, text=True)
    if p.returncode:
        print(f"[{phase}] failed:\n{p.stderr[-3000:]}", file=sys.stderr, flush=True)
        return {}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t
    print(f"[{phase}] {json.dumps(out, ensure_ascii=False)}", flush=True)
    return out


def status_of(index: Path) -> dict:
    try:
        m = json.loads((index / "manifest.json").read_text("utf-8"))
        return {"documents": m["documents"], "passages": m["chunks"], "embedded": m["embedded"]}
    except (OSError, ValueError, KeyError):
        return {"documents": 0, "passages": 0, "embedded": 0}


def resume(a) -> dict:
    """A build killed halfway and started again vs a fresh one; a killed `rag embed` resumed."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    source = first_articles(a, a.resume_articles, "resume.jsonl")
    out = {}
    fresh = run_phase(a, "resume-build", "--target", str(Path(a.work) / "r-fresh"), "--source", str(source))
    out["fresh_s"] = fresh.get("seconds")
    target = Path(a.work) / "r-killed"
    p = subprocess.Popen(child_cmd(a, "resume-build", "--target", str(target), "--source", str(source)), env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = time.perf_counter()
    while status_of(target)["documents"] < a.resume_articles // 2 and p.poll() is None:
        time.sleep(0.2)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    out["killed_after_s"] = time.perf_counter() - t
    out["documents_at_kill"] = status_of(target)["documents"]
    again = run_phase(a, "resume-build", "--target", str(target), "--source", str(source))
    out["resumed_s"] = again.get("seconds")
    out["tokenised_on_resume"] = again.get("tokenised")
    # embedding: kill after the first committed block, then resume
    block_target = 2 * 1024
    p = subprocess.Popen(child_cmd(a, "resume-embed", "--target", str(target), "--embed-limit", str(block_target)),
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while status_of(target)["embedded"] < 1024 and p.poll() is None:
        time.sleep(0.5)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    have = status_of(target)["embedded"]
    again = run_phase(a, "resume-embed", "--target", str(target), "--embed-limit", str(block_target - have))
    out.update(embedded_before_kill=have, embedded_on_resume=again.get("embedded_now"),
               embedded_total=status_of(target)["embedded"])
    print(f"[resume] {json.dumps(out)}", flush=True)
    return out


def du_mb(path: Path) -> float:
    seen, total = set(), 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.stat(os.path.join(root, f))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total / 2**20


def cold_ask(a) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "rag.cli"] + (["--model", a.model] if a.model else []) + [
        "ask", "2024年永康地区生产总值预计增长多少？", "--index", str(Path(a.work) / "index")]
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return {"seconds": time.perf_counter() - t, "rc": p.returncode, "answer": p.stdout.strip().splitlines()[:1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("news")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--embed-articles", type=int, default=5000)
    ap.add_argument("--resume-articles", type=int, default=10000, help="0 skips the kill-and-resume runs")
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--work", help="working folder (default: a new temporary one)")
    ap.add_argument("--model")
    ap.add_argument("--skip", default="", help="phases to leave out, e.g. resume,seed")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--target", help=argparse.SUPPRESS)
    ap.add_argument("--source", help=argparse.SUPPRESS)
    ap.add_argument("--embed-limit", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if a.phase:
        sys.path.insert(0, str(REPO))
        print(json.dumps(PHASES[a.phase](a), ensure_ascii=False), flush=True)
        return
    a.work = a.work or tempfile.mkdtemp(prefix="bench-archive-")
    Path(a.work).mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    print(f"work folder {a.work}; news {a.news} (limit {a.limit or 'none'})", flush=True)
    r = {"build": run_phase(a, "build")}
    r["disk_bm25_mb"] = du_mb(Path(a.work) / "index")
    for phase in ("embed", "add", "ask", "ann", "seed"):
        if phase not in skip:
            r[phase] = run_phase(a, phase)
    r["cold"] = cold_ask(a)
    print(f"[cold] {json.dumps(r['cold'], ensure_ascii=False)}", flush=True)
    r["disk_mb"] = du_mb(Path(a.work) / "index")
    if "resume" not in skip and a.resume_articles:
        r["resume"] = resume(a)
    report(r)


def report(r: dict) -> None:
    b, e, ad, ask = r.get("build", {}), r.get("embed", {}), r.get("add", {}), r.get("ask", {})
    rows = [("passages", f"{b.get('passages')} ({b.get('documents')} documents, {b.get('segments')} segments)"),
            ("BM25-searchable (rag index --embed-later)", f"{b.get('seconds', 0) / 60:.1f} min"),
            ("peak RSS building", f"{b.get('rss_mb', 0):.0f} MB")]
    if e:
        proj = b.get("passages", 0) / e["rate"] / 3600 if e.get("rate") else float("nan")
        rows += [("dense passages/s", f"{e['rate']:.1f} ({e['embedded_now']} passages in {e['seconds']:.0f} s)"),
                 ("projected time to embed everything", f"{proj:.1f} h"),
                 ("embedded now", f"{e['embedded']} of {e['passages']} passages"),
                 ("peak RSS embedding", f"{e['rss_mb']:.0f} MB")]
    if ad:
        rows.append(("add 10 articles", f"{ad['seconds']:.1f} s (+ {ad['load_s']:.1f} s model/index load), "
                                        f"{ad['passages_embedded']} passages embedded, found: {ad['found']}"))
    if ask:
        rows += [("warm latency p50 / p95", f"{ask['p50_ms']:.0f} / {ask['p95_ms']:.0f} ms "
                                            f"({ask['questions']} questions, answer included)"),
                 ("retrieval alone p50 / p95", f"{ask.get('search_p50_ms', 0):.0f} / {ask.get('search_p95_ms', 0):.0f} ms"),
                 ("peak RSS answering", f"{ask['rss_mb']:.0f} MB")]
    c = r.get("cold", {})
    rows.append(("cold `rag ask`", f"{c.get('seconds', 0):.1f} s"))
    rows.append(("index on disk", f"{r.get('disk_mb', 0):.0f} MB ({r.get('disk_bm25_mb', 0):.0f} MB before vectors)"))
    if r.get("ann"):
        n = r["ann"]
        if n.get("vectors"):
            rows += [("HNSW recall@10 vs exact", f"{n['recall_at_10']:.3f} over {n['vectors']} real vectors "
                                                 f"(efSearch {n['ef_search']})"),
                     ("dense search exact / HNSW", f"{n['exact_ms']:.1f} / {n['ann_ms']:.2f} ms at {n['vectors']}; "
                                                  f"exact at {n['full_rows']}: {n['exact_full_ms']:.0f} ms; "
                                                  f"HNSW at 100k: {n['ann_100k_ms']:.2f} ms")]
    if r.get("seed"):
        s = r["seed"]
        rows.append(("seed QA page+archive vs alone",
                     f"answer {s['archive']['answer_accuracy']:.3f} vs {s['alone']['answer_accuracy']:.3f}; "
                     f"refusal {s['archive']['refusal_accuracy']:.3f} vs {s['alone']['refusal_accuracy']:.3f}"))
    if r.get("resume"):
        x = r["resume"]
        rows += [("killed build resumed vs fresh",
                  f"fresh {x['fresh_s']:.0f} s; killed at {x['documents_at_kill']} documents, resumed in "
                  f"{x['resumed_s']:.0f} s"),
                 ("killed embed resumed", f"{x['embedded_before_kill']} kept, {x['embedded_on_resume']} embedded on "
                                          f"resume ({x['embedded_total']} in all)")]
    print("\n| measure | value |\n| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
