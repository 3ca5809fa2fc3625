"""The ONNX embedder's passage throughput against this machine's arithmetic limit. Prints numbers.

    python bench/bench_embed_limit.py [--news ../shared/data/news_zh.jsonl.gz] [--passages 384]
                                      [--rounds 2] [--precision int8] [--configs base,tok64,threads2,sessions2]

1. Passages: every 100th archive article, chunked and titled as `rag index` does; --passages of them.
2. Their token lengths (with the "passage: " prompt, truncated at 512) and the FLOPs of e5-small on
   each: per layer 2n(4H^2 + 2HF) for the projections and the feed-forward, 4n^2H for attention
   (n tokens, H 384, F 1536, 12 layers); the 250k-row embedding lookup is no arithmetic.
3. The GEMM limit: the int8 model's own kernel (DynamicQuantizeLinear + MatMulInteger, onnxruntime,
   one thread) on a [rows x 384] x [384 x 1536] product with as many rows as a batch has tokens; and
   fp32 (MatMul) for comparison.
4. Throughput of each configuration, alternating round by round on the same passages (a busy
   machine slows all alike): `base` the embedder as it is, `tok64` batches of up to 64 passages
   sorted by token count, `threads2` base with two intra-op threads, `sessions2` two one-thread
   sessions on two threads, each embedding half the batches. Vectors are compared with base's.

The fraction of the limit is (FLOPs of the passages / seconds) / GEMM FLOP/s; the whole-archive
projection is the archive's passages (331,542) at the measured passages/s.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ARCHIVE_PASSAGES = 331_542
LAYERS, HIDDEN, FFN = 12, 384, 1536


def passages(news: Path, n: int) -> list[str]:
    from rag.index.build import passage_input
    from rag.ingest.chunk import chunk_document
    from rag.types import Document

    out = []
    with gzip.open(news, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 100:
                continue
            r = json.loads(line)
            doc = Document(id=r["id"], text=r["text"], title=r.get("title"))
            out += [passage_input(doc, c) for c in chunk_document(doc)]
            if len(out) >= 4 * n:
                break
    return out[:: max(1, len(out) // n)][:n]


def flops(tokens: int) -> float:
    return LAYERS * (2 * tokens * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN) + 4 * tokens * tokens * HIDDEN)


def gemm_rate(rows: int, int8: bool, threads: int = 1, reps: int = 20) -> float:
    """FLOP/s of onnxruntime's kernel on [rows x H] x [H x F] (int8: DynamicQuantizeLinear + MatMulInteger)."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    if int8:
        w = numpy_helper.from_array(rng.integers(-127, 127, size=(HIDDEN, FFN)).astype(np.int8), "w")
        wz = numpy_helper.from_array(np.array(0, np.int8), "wz")
        nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
                 helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["y"])]
        out_type, inits = TensorProto.INT32, [w, wz]
    else:
        inits = [numpy_helper.from_array(rng.normal(size=(HIDDEN, FFN)).astype(np.float32), "w")]
        nodes, out_type = [helper.make_node("MatMul", ["x", "w"], ["y"])], TensorProto.FLOAT
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, HIDDEN])],
                              [helper.make_tensor_value_info("y", out_type, [rows, FFN])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    opts = ort.SessionOptions()
    opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    x = rng.normal(size=(rows, HIDDEN)).astype(np.float32)
    sess.run(None, {"x": x})
    best = float("inf")
    for _ in range(reps):  # the best of reps: the machine's rate when nothing else runs on the core
        t = time.perf_counter()
        sess.run(None, {"x": x})
        best = min(best, time.perf_counter() - t)
    return 2 * rows * HIDDEN * FFN / best


def configs(emb_cls, model_dir, precision: str, names: list[str]) -> dict:
    out = {}
    for name in names:
        if name == "base":
            out[name] = emb_cls("e5", model_dir, precision)
        elif name == "tok64":
            out[name] = emb_cls("e5", model_dir, precision, batch_size=64)
        elif name == "threads2":
            out[name] = emb_cls("e5", model_dir, precision, passage_threads=2)
        elif name == "sessions2":
            out[name] = emb_cls("e5", model_dir, precision, passage_sessions=2)
    return out


def main() -> None:
    import numpy as np

    from rag.config import Settings
    from rag.models.offline_model import ensure_default_model
    from rag.models.onnx_embed import OnnxEmbedder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--news", type=Path, default=REPO.parent / "shared" / "data" / "news_zh.jsonl.gz")
    ap.add_argument("--passages", type=int, default=384)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--configs", default="base,tok64,threads2,sessions2")
    a = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    texts = passages(a.news, a.passages)
    model_dir = ensure_default_model(Settings.from_env().cache_dir)
    embs = configs(OnnxEmbedder, model_dir, a.precision, a.configs.split(","))
    base = next(iter(embs.values()))
    tok, lock = base.tokenizer
    with lock:
        tok.enable_truncation(512)
        tok.no_padding()
        lens = [len(e.ids) for e in tok.encode_batch(["passage: " + t for t in texts])]
    total_flops = sum(flops(n) for n in lens)
    print(f"{len(texts)} passages: tokens mean {statistics.mean(lens):.0f}, median {statistics.median(lens):.0f}, "
          f"max {max(lens)}; {total_flops / len(texts) / 1e9:.2f} GFLOP a passage", flush=True)
    rows = 16 * int(statistics.mean(lens))
    limit = {f"{p} x{t}": gemm_rate(rows, p == "int8", t) for p in (a.precision, "fp32") for t in (1, 2)}
    print("GEMM limit, GFLOP/s (rows %d): %s" % (rows, {k: round(v / 1e9, 1) for k, v in limit.items()}), flush=True)
    for e in embs.values():
        e.embed_passages(texts[:8])  # sessions open outside the timing
    secs: dict[str, list[float]] = {k: [] for k in embs}
    vecs = {}
    for r in range(a.rounds):
        order = list(embs) if r % 2 == 0 else list(reversed(embs))
        for name in order:
            t = time.perf_counter()
            vecs[name] = embs[name].embed_passages(texts)
            secs[name].append(time.perf_counter() - t)
    ref = vecs[next(iter(embs))]
    peak1 = limit[f"{a.precision} x1"]
    for name, s in secs.items():
        best = min(s)
        rate = len(texts) / best
        cos = (vecs[name] * ref).sum(axis=1)
        print(f"{name:10s} {rate:6.1f} passages/s (best of {len(s)}; all {[round(x, 1) for x in s]} s); "
              f"{total_flops / best / 1e9:6.1f} GFLOP/s = {total_flops / best / peak1:.0%} of the one-core "
              f"{a.precision} GEMM limit; archive {ARCHIVE_PASSAGES / rate / 3600:.1f} h; "
              f"cosine to base min {cos.min():.6f}, max |diff| {np.abs(vecs[name] - ref).max():.2e}", flush=True)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
