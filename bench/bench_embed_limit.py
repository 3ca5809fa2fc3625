"""The ONNX embedder's passage throughput against this machine's arithmetic limit. Prints numbers.

    python bench/bench_embed_limit.py [--news ../shared/data/news_zh.jsonl.gz] [--passages 256]
        [--rounds 3] [--precision int8] [--configs base,tokens,noskip,tokens+noskip,threads2,sessions2]
        [--profile base,noskip]

1. Passages: every 100th archive article, chunked and titled as `rag index` does; --passages of them.
2. Their token lengths (with the "passage: " prompt, truncated at 512) and the FLOPs of e5-small on
   each: per layer 2n(4H^2 + 2HF) for the projections and the feed-forward, 4n^2H for attention
   (n tokens, H 384, F 1536, 12 layers); the 250k-row embedding lookup is no arithmetic.
3. The GEMM limit: the int8 model's own kernel (DynamicQuantizeLinear + MatMulInteger, onnxruntime,
   one thread) on a [rows x 384] x [384 x 1536] product with as many rows as a batch has tokens; and
   fp32 (MatMul) for comparison. The best of 20 is the core's rate when nothing else runs on it; the
   median, what the shared machine gave during the run.
4. Throughput of each configuration, alternating round by round on the same passages (a busy
   machine slows all alike), wall time and the process's CPU time (what the embedder got of the
   cores). Configurations, joined with "+": `base` the embedder as it is; `tokens` batches sorted by
   token count (less padding; fp32's default), `chars` by characters (int8's default); `tok64`
   tokens with batches of 64; `noskip` onnxruntime's SkipLayerNormFusion disabled (Add +
   LayerNormalization instead); `threads2` two intra-op threads; `sessions2` two one-thread sessions side by side; `halves` the even and the
   odd passages in two calls (each passage in other batches: how far the embedder's own vectors
   move with their batch neighbours); `fp32` the fp32 model. Vectors are compared with the first
   configuration's (cosine mean and min), and with fp32's (mean) when it runs.
5. --profile: one more run of each named configuration with onnxruntime's profiler; kernel time per
   op type, the FLOPs of every matrix product from its shapes (padding included), and the run's time
   split into the limit's own share and what it does not count (profile_table below).

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


def gemm_rate(rows: int, int8: bool, threads: int = 1, reps: int = 20) -> tuple[float, float]:
    """(best, median) FLOP/s of onnxruntime's kernel on [rows x H] x [H x F] (int8: DynamicQuantizeLinear
    + MatMulInteger)."""
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
    took = []
    for _ in range(reps):
        t = time.perf_counter()
        sess.run(None, {"x": x})
        took.append(time.perf_counter() - t)
    return 2 * rows * HIDDEN * FFN / min(took), 2 * rows * HIDDEN * FFN / statistics.median(took)


def bench_embedder(base_cls):
    """OnnxEmbedder whose sessions can leave onnxruntime optimisers out or be profiled (the cache's
    split files, as the product opens them; the plain embedder writes them first)."""

    class BenchEmbedder(base_cls):
        disabled: tuple[str, ...] = ()
        profile_prefix: str | None = None

        def _open(self, threads: int):
            if not (self.disabled or self.profile_prefix):
                return super()._open(threads)
            import onnxruntime as ort

            from rag.models.onnx_embed import encoder_path
            from rag.models.onnx_split import SplitSession, split_paths

            graph, table = split_paths(encoder_path(self._dir, self.precision))
            opts = ort.SessionOptions()
            opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
            opts.log_severity_level = 3
            if self.profile_prefix:
                opts.enable_profiling, opts.profile_file_prefix = True, self.profile_prefix
            return SplitSession(ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"],
                                                     disabled_optimizers=list(self.disabled)), table)

    return BenchEmbedder


def make(emb_cls, model_dir, precision: str, name: str, profile_prefix: str | None = None):
    """The embedder of a configuration name: parts joined by "+" (see the docstring)."""
    parts = set(name.split("+"))
    unknown = parts - {"base", "tokens", "chars", "tok64", "noskip", "threads2", "sessions2", "halves", "fp32"}
    if unknown:
        raise SystemExit(f"unknown configuration part(s) {sorted(unknown)}")
    kw = {"batch_size": 64 if "tok64" in parts else 16}
    if parts & {"tokens", "tok64"}:
        kw["sort_by"] = "tokens"
    if "chars" in parts:
        kw["sort_by"] = "chars"
    if "threads2" in parts:
        kw["passage_threads"] = 2
    if "sessions2" in parts:
        kw["passage_sessions"] = 2
    emb = emb_cls("e5", model_dir, "fp32" if "fp32" in parts else precision, **kw)
    emb.disabled = ("SkipLayerNormFusion",) if "noskip" in parts else ()
    emb.profile_prefix = profile_prefix
    return emb


def embed(emb, texts: list[str], halves: bool):
    """The vectors of `texts`; with `halves`, the even and the odd ones in two calls (other batch
    neighbours for each passage: how far the embedder's own vectors move with their batch)."""
    if not halves:
        return emb.embed_passages(texts)
    import numpy as np

    out = np.empty((len(texts), emb.dim), np.float32)
    out[0::2], out[1::2] = emb.embed_passages(texts[0::2]), emb.embed_passages(texts[1::2])
    return out


def time_rounds(embs: dict, texts: list[str], rounds: int):
    """{name: [(wall s, process CPU s), ...]} and the last vectors of each, alternating the order."""
    secs: dict[str, list[tuple[float, float]]] = {k: [] for k in embs}
    vecs = {}
    for r in range(rounds):
        for name in (list(embs) if r % 2 == 0 else list(reversed(embs))):
            t, c = time.perf_counter(), time.process_time()
            vecs[name] = embed(embs[name], texts, "halves" in name.split("+"))
            secs[name].append((time.perf_counter() - t, time.process_time() - c))
    return secs, vecs


def report(secs, vecs, n: int, total_flops: float, peak: float, precision: str) -> None:
    import numpy as np

    ref = vecs[next(iter(vecs))]
    base = min(w for w, _ in next(iter(secs.values())))
    print(f"fraction of the one-core {precision} GEMM limit ({peak / 1e9:.0f} GFLOP/s, best of 20); "
          "by wall time, and by the process's CPU time (the share of the cores it got)")
    for name, s in secs.items():
        wall, cpu = min(w for w, _ in s), min(c for _, c in s)
        rate, cpu_rate = n / wall, n / cpu
        cos = (vecs[name] * ref).sum(axis=1)
        fp32 = f" (to fp32: {(vecs[name] * vecs['fp32']).sum(axis=1).mean():.4f})" if "fp32" in vecs else ""
        print(f"{name:16s} {rate:5.1f} passages/s {total_flops / wall / 1e9:6.1f} GFLOP/s {total_flops / wall / peak:4.0%} "
              f"archive {ARCHIVE_PASSAGES / rate / 3600:4.1f} h | per CPU-s {cpu_rate:5.1f}/s "
              f"{total_flops / cpu / peak:4.0%} archive {ARCHIVE_PASSAGES / cpu_rate / 3600:4.1f} h | x{base / wall:.2f} "
              f"| cos mean {cos.mean():.5f} min {cos.min():.5f}{fp32} | walls {[round(w, 1) for w, _ in s]}", flush=True)
GEMM_INT8 = {"MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLinear"}
CATEGORIES = (  # (label, op types); fp32 MatMuls are sorted by node name: attention's are ".../self/MatMul..."
    ("int8 GEMMs (projections, FFN)", GEMM_INT8),
    ("fp32 GEMMs (projections, FFN)", {"MatMul:proj", "FusedMatMul:proj"}),
    ("attention QK^T, AV (fp32)", {"MatMul:attn", "FusedMatMul:attn"}),
    ("Softmax", {"Softmax"}),
    ("layer norms (SkipLayerNormalization, LayerNorm)", {"SkipLayerNormalization", "LayerNormalization"}),
    ("Gelu", {"Gelu", "BiasGelu", "FastGelu"}),
    ("Add (attention mask, residual)", {"Add"}),
    ("Transpose (heads)", {"Transpose"}),
)


def kernel_times(events: list[dict]) -> tuple[dict, float]:
    """({op key: [calls, seconds, FLOPs]}, seconds inside model_run) of an onnxruntime profile. A
    matrix product's FLOPs are 2 x its output's elements x the inner dimension (its first input's last)."""
    import math

    ops: dict[str, list] = {}
    run = 0.0
    for ev in events:
        if ev.get("cat") == "Session" and ev.get("name") == "model_run":
            run += ev["dur"] / 1e6
        if ev.get("cat") != "Node" or not ev.get("name", "").endswith("_kernel_time"):
            continue
        args = ev["args"]
        op = args["op_name"]
        if op in ("MatMul", "FusedMatMul"):
            op += ":attn" if "/self/MatMul" in ev["name"] else ":proj"
        flop = 0.0
        if op in GEMM_INT8 - {"DynamicQuantizeLinear"} or ":" in op:
            a = next(iter(args["input_type_shape"][0].values()))
            out = next(iter(args["output_type_shape"][0].values()))
            flop = 2.0 * math.prod(out) * a[-1]
        row = ops.setdefault(op, [0, 0.0, 0.0])
        row[0], row[1], row[2] = row[0] + 1, row[1] + ev["dur"] / 1e6, row[2] + flop
    return ops, run


def profile_table(ops: dict, run: float, wall: float, useful: float, limit: float, busy: float = 1.0) -> None:
    """Per op type, then the run's wall time split: the limit's time for the passages' own FLOPs,
    padding, the int8 GEMMs' excess over the limit, attention in fp32, every other kernel,
    onnxruntime between kernels, and Python outside the session (tokenising, padding, pooling)."""
    kern = sum(r[1] for r in ops.values())
    print(f"  {'op type':28s} {'calls':>6s} {'s':>7s} {'share':>6s} {'GFLOP':>8s} {'GFLOP/s':>8s}")
    for op, (n, sec, fl) in sorted(ops.items(), key=lambda kv: -kv[1][1]):
        if sec / kern >= 0.002:
            rate = f"{fl / sec / 1e9:8.1f}" if fl else ""
            print(f"  {op:28s} {n:6d} {sec:7.3f} {sec / kern:6.1%} {fl / 1e9 if fl else 0:8.1f} {rate}")
    cat = {label: [sum(ops.get(o, [0, 0, 0])[i] for o in members) for i in (1, 2)] for label, members in CATEGORIES}
    named = {o for _, members in CATEGORIES for o in members}
    cat["other kernels (Reshape, Gather, DequantizeLinear, ...)"] = [
        sum(r[1] for o, r in ops.items() if o not in named), 0.0]
    counted = sum(fl for _, fl in cat.values())
    print(f"\n  {'where the wall time goes':64s} {'s':>7s} {'share':>6s}")
    rows = [("the passages' own FLOPs at the limit (= fraction of the limit)", useful / limit),
            ("padding's FLOPs at the limit", (counted - useful) / limit)]
    for label, (sec, fl) in cat.items():
        if sec:
            rows.append((f"{label}: beyond the limit's time" if fl else label, sec - fl / limit))
    rows += [("onnxruntime between kernels", run - kern), ("outside the session (tokenise, pad, pool)", wall - run)]
    for label, sec in rows:
        print(f"  {label[:64]:64s} {sec:7.3f} {sec / wall:6.1%}")
    print(f"  {'total (wall)':64s} {wall:7.3f} {sum(s for _, s in rows) / wall:6.1%}")
    print(f"  whole run: {useful / wall / 1e9:.1f} GFLOP/s = {useful / wall / limit:.0%} of the limit; per CPU-second "
          f"{useful / wall / busy / 1e9:.1f} = {useful / wall / busy / limit:.0%}")
    for label, (sec, fl) in cat.items():
        if fl:
            print(f"  {label}: {fl / sec / 1e9:.1f} GFLOP/s = {fl / sec / limit:.0%} of the limit; per CPU-second "
                  f"{fl / sec / busy / 1e9:.1f} = {fl / sec / busy / limit:.0%}")


def profile(emb_cls, model_dir, precision, name, texts, useful: float, limit: float) -> None:
    """One profiled run of configuration `name` (its first session; a one-batch warm-up left out)."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="embed-profile-") as tmp:
        emb = make(emb_cls, model_dir, precision, name, profile_prefix=str(Path(tmp) / "p"))
        emb.embed_passages(texts[:8])
        t, c = time.perf_counter(), time.process_time()
        emb.embed_passages(texts)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        events = json.loads(Path(emb.session("passage").session.end_profiling()).read_text())
    starts = sorted(ev["ts"] for ev in events if ev.get("cat") == "Session" and ev.get("name") == "model_run")
    events = [ev for ev in events if ev.get("ts", 0) >= starts[1]]  # from the second run on
    ops, run = kernel_times(events)
    print(f"\nprofile of {name!r} ({len(texts)} passages, {wall:.2f} s wall, {cpu:.2f} s CPU, load "
          f"{os.getloadavg()[0]:.1f}); kernel times are wall times, so the shares hold on a busy machine and "
          "the rates are also given per CPU-second (times x CPU/wall):")
    profile_table(ops, run, wall, useful, limit, cpu / wall)


def main() -> None:
    from rag.config import Settings
    from rag.models.offline_model import ensure_default_model
    from rag.models.onnx_embed import OnnxEmbedder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--news", type=Path, default=REPO.parent / "shared" / "data" / "news_zh.jsonl.gz")
    ap.add_argument("--passages", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--configs", default="base,tokens,noskip,tokens+noskip,threads2,sessions2")
    ap.add_argument("--profile", default="", help="configurations to profile, e.g. base,noskip (none: no profile)")
    a = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    texts = passages(a.news, a.passages)
    model_dir = ensure_default_model(Settings.from_env().cache_dir)
    emb_cls = bench_embedder(OnnxEmbedder)
    names = [n for n in a.configs.split(",") if n]
    embs = {name: make(emb_cls, model_dir, a.precision, name) for name in names}
    lens = [len(ids) for ids in next(iter(embs.values()))._tokenize(texts, "passage")]
    total_flops = sum(flops(n) for n in lens)
    print(f"{len(texts)} passages: tokens mean {statistics.mean(lens):.0f}, median {statistics.median(lens):.0f}, "
          f"max {max(lens)}; {total_flops / len(texts) / 1e9:.2f} GFLOP a passage", flush=True)
    rows = 16 * int(statistics.mean(lens))
    limit = {f"{p} x{t}": gemm_rate(rows, p == "int8", t) for p in (a.precision, "fp32") for t in (1, 2)}
    print("GEMM limit, GFLOP/s (rows %d), best of 20 / median: %s" % (
        rows, {k: f"{b / 1e9:.0f} / {m / 1e9:.0f}" for k, (b, m) in limit.items()}), flush=True)
    for e in embs.values():
        e.embed_passages(texts[:8])  # sessions open outside the timing
    secs, vecs = time_rounds(embs, texts, a.rounds)
    peak1 = limit[f"{a.precision} x1"][0]
    report(secs, vecs, len(texts), total_flops, peak1, a.precision)
    for name in [n for n in a.profile.split(",") if n]:
        profile(emb_cls, model_dir, a.precision, name, texts, total_flops, peak1)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
