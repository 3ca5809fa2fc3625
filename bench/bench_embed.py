"""The default embedder on its runtimes, side by side in one run. Prints numbers; asserts nothing.

    python bench/bench_embed.py [--data ../shared/data] [--runtimes st,onnx-fp32,onnx-int8]
                                [--passages N] [--queries N] [--threads 1,2] [--extra NAME=FILE.onnx]

On the CMRC 2018 trial paragraphs, chunked and titled as `rag index` does (rag/index/build.py):

- passages/s: every runtime embeds the same passages, block by block (64 passages), the order of
  the runtimes rotating each block, so a busy machine slows all alike; batch size 16, sorted by length;
- query latency p50/p95: one question at a time (as `rag ask`), runtimes interleaved per question;
- dense-only retrieval, hit@1 / hit@5 over the 1,002 questions (gold paragraph among the first k
  distinct paragraphs of an exact inner-product search over all passages), and the same with the
  questions of each ONNX runtime against the sentence-transformers passages (an index built with
  the torch runtime, queried with ONNX);
- mean / min cosine between each runtime's passage vectors and sentence-transformers'.

`st` is sentence-transformers on torch (RAG_EMBED_RUNTIME=torch); `onnx-fp32`, `onnx-int8` the ONNX
Runtime embedder (exported into the model cache on first use); `onnx-int8+CONFIG` the int8 embedder
in a configuration of bench/bench_embed_limit.py (e.g. onnx-int8+tokens+noskip). `--threads 1,2` runs each ONNX runtime
with each intra-op thread count (for passages and for queries). `--extra NAME=FILE` adds another
ONNX file of the same encoder (e.g. another quantisation) as runtime NAME.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load_passages(data: Path):
    from rag.index.build import passage_input
    from rag.ingest import load_paths
    from rag.ingest.chunk import chunk_document
    from rag.config import Settings

    s = Settings()
    docs, _ = load_paths([data / "cmrc2018_trial_docs.jsonl"], root=data)
    texts, doc_of = [], []
    for d in docs:
        for c in chunk_document(d, s.chunk_size, s.chunk_overlap):
            texts.append(passage_input(d, c))
            doc_of.append(d.id)
    return texts, doc_of


def make_embedders(names, threads, extra):
    from rag.config import DEFAULT_MODEL, Settings
    from rag.models.embed import SentenceTransformerEmbedder
    from rag.models.offline_model import ensure_default_model
    from rag.models.onnx_embed import PASSAGE_THREADS, QUERY_THREADS, OnnxEmbedder

    def onnx(precision, n, path=None):
        return OnnxEmbedder(DEFAULT_MODEL, folder, precision, query_threads=n or QUERY_THREADS,
                            passage_threads=n or PASSAGE_THREADS, onnx_file=path)

    def label(name, n):
        return f"{name}/t{n}" if n else name

    folder = ensure_default_model(Settings.from_env().cache_dir)
    out = {}
    for name in names:
        if name == "st":
            out[name] = SentenceTransformerEmbedder(DEFAULT_MODEL, folder)
        elif name.startswith("onnx-int8+"):  # a configuration of bench_embed_limit.py, e.g. onnx-int8+tokens+noskip
            sys.path.insert(0, str(REPO / "bench"))
            from bench_embed_limit import bench_embedder, make

            out[name] = make(bench_embedder(OnnxEmbedder), folder, "int8", name.split("+", 1)[1])
        elif name.startswith("onnx-"):
            for n in threads:
                out[label(name, n)] = onnx(name.split("-", 1)[1], n)
        else:
            raise SystemExit(f"unknown runtime {name!r}")
    for spec in extra:
        name, path = spec.split("=", 1)
        for n in threads:
            out[label(name, n)] = onnx("int8", n, path)
    return out


def hits(qv, pv, doc_of, golds, ks=(1, 5)):
    import numpy as np

    from rag.evaluate.metrics import hit_at_k

    scores = qv @ pv.T
    top = np.argsort(-scores, axis=1)[:, :50]
    out = {}
    for k in ks:
        out[k] = float(np.mean([hit_at_k([doc_of[j] for j in row], g, k) for row, g in zip(top, golds)]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--runtimes", default="st,onnx-fp32,onnx-int8")
    ap.add_argument("--passages", type=int, help="embed only the first N passages (no retrieval figures)")
    ap.add_argument("--queries", type=int, help="only the first N questions")
    ap.add_argument("--threads", default="", help="ONNX intra-op threads to compare, e.g. 1,2 (default: the embedder's)")
    ap.add_argument("--extra", action="append", default=[], help="NAME=FILE.onnx: another ONNX file of the encoder")
    ap.add_argument("--block", type=int, default=64)
    args = ap.parse_args()
    import numpy as np

    texts, doc_of = load_passages(args.data)
    if args.passages:
        texts, doc_of = texts[: args.passages], doc_of[: args.passages]
    qa = [json.loads(line) for line in open(args.data / "cmrc2018_trial_qa.jsonl", encoding="utf-8") if line.strip()]
    qa = [r for r in qa if r["question"].strip()][: args.queries]
    questions, golds = [r["question"] for r in qa], [r["gold_doc"] for r in qa]
    threads = [int(t) for t in args.threads.split(",") if t] or [None]
    embedders = make_embedders(args.runtimes.split(","), threads, args.extra)
    names = list(embedders)
    print(f"{len(texts)} passages, {len(questions)} questions; runtimes {', '.join(names)}", flush=True)

    load = {}
    for name, e in embedders.items():  # load (and export, the first time) outside the timings
        t = time.perf_counter()
        e.embed_queries(["热身"])
        e.embed_passages(["热身"])
        load[name] = time.perf_counter() - t

    spent = {n: 0.0 for n in names}
    vecs = {n: [] for n in names}
    for b, lo in enumerate(range(0, len(texts), args.block)):
        block = texts[lo : lo + args.block]
        for name in names[b % len(names):] + names[: b % len(names)]:
            t = time.perf_counter()
            vecs[name].append(embedders[name].embed_passages(block))
            spent[name] += time.perf_counter() - t
        print(f"\r  passages {min(lo + args.block, len(texts))}/{len(texts)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    vecs = {n: np.concatenate(v) for n, v in vecs.items()}

    lat = {n: [] for n in names}
    qvecs = {n: [] for n in names}
    for i, q in enumerate(questions):
        for name in names[i % len(names):] + names[: i % len(names)]:
            t = time.perf_counter()
            qvecs[name].append(embedders[name].embed_queries([q])[0])
            lat[name].append((time.perf_counter() - t) * 1000)
    qvecs = {n: np.stack(v) for n, v in qvecs.items()}

    base = "st" if "st" in names else names[0]
    print(f"\n{'runtime':16} {'load s':>7} {'passages/s':>10} {'x ' + base:>8} {'query p50':>10} {'p95 ms':>7} "
          f"{'x ' + base:>8} {'cos vs ' + base + ' mean/min':>22}")
    for n in names:
        rate = len(texts) / spent[n]
        cos = (vecs[n] * vecs[base]).sum(1)
        print(f"{n:16} {load[n]:7.1f} {rate:10.1f} {rate / (len(texts) / spent[base]):8.2f} {pct(lat[n], 50):10.1f} "
              f"{pct(lat[n], 95):7.1f} {pct(lat[base], 50) / pct(lat[n], 50):8.2f} {cos.mean():11.4f} / {cos.min():.4f}")
    if args.passages:
        return
    print(f"\ndense-only retrieval, CMRC 2018 trial ({len(questions)} questions over {len(texts)} passages)")
    print(f"{'runtime':16} {'hit@1':>6} {'hit@5':>6}   questions of this runtime on {base}'s passages: hit@1 hit@5")
    for n in names:
        own = hits(qvecs[n], vecs[n], doc_of, golds)
        cross = hits(qvecs[n], vecs[base], doc_of, golds)
        print(f"{n:16} {own[1]:6.3f} {own[5]:6.3f}   {cross[1]:6.3f} {cross[5]:6.3f}")


if __name__ == "__main__":
    main()
