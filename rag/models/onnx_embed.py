"""The default model (multilingual-e5-small) on ONNX Runtime: no torch, no sentence-transformers.

Exactly the conventions of the sentence-transformers folder rag/models/offline_model.py writes
(and SentenceTransformerEmbedder applies): the prompt ("query: " / "passage: ") is prepended to the
text as it is (not stripped), tokenised by the folder's tokenizer.json with truncation at 512 tokens,
the encoder's last hidden states mean-pooled over the attention mask (prompt tokens included) and
L2-normalised. Only `tokenizers`, `onnxruntime` and numpy are imported.

The ONNX files are exported from the model folder on first use (rag/models/onnx_cache.py); fp32 is
the encoder as it is, int8 its dynamic quantisation (weights of the matrix products and the token
embedding table in int8).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

from rag.models.offline_model import MAX_SEQ_LENGTH, PROMPTS

PRECISIONS = ("int8", "fp32")
# Intra-op threads per onnxruntime session when built directly (tests, benchmarks). The pipeline
# passes Settings.onnx_threads (RAG_ONNX_THREADS; 2 on 2 cores) for both kinds, so one session
# serves both: sessions of 2+ threads do not spin (rag/models/onnx_cache.py), and then two threads
# embedded 1.22x the fp32 passages a second of one (int8 1.05x; `bench/bench_embed.py --threads
# 1,2`, calm machine), the same vectors; spinning, one thread had been as fast or faster.
QUERY_THREADS = 1
PASSAGE_THREADS = 1
PASSAGE_SESSIONS = 1  # one-thread sessions embedding passage batches side by side (bench/bench_embed_limit.py)
# What passage batches are sorted by, so that each pads little: token count for fp32 (the same
# vectors whatever the batch; 1.15-1.20x the passages per CPU-second of sorting by characters,
# which pads 22% of a batch's FLOPs on archive passages); characters for int8, as ever: its
# activations are quantised per batch, so other batch neighbours move a passage's vector (cosine
# 0.998 mean to the character-sorted ones; bench/bench_embed_limit.py, fp32+chars and tokens).
SORT_BY = {"fp32": "tokens", "int8": "chars"}
# What one more session call costs, in tokens of a batch's width times its rows: with fp32 a call of
# a few tokens takes about 5 ms (the 85 MB of matrices streamed from memory, the graph's ~600 nodes)
# and each token about 0.5 ms more (e5-small, one thread, `bench/bench_batches.py`).
CALL_TOKENS = 8


def encoder_path(model_dir: Path, precision: str) -> Path:
    from rag.models.onnx_cache import onnx_dir

    return onnx_dir(model_dir) / f"encoder-{precision}.onnx"


def _export_fn(model_dir: Path, precision: str):
    """The callable that writes the ONNX file of `precision` (torch is imported only inside it)."""
    from rag.models import onnx_cache

    def fp32(out: Path) -> None:
        from rag.models.onnx_export import export_encoder

        export_encoder(model_dir, out)

    if precision == "fp32":
        return fp32

    def int8(out: Path) -> None:
        from rag.models.onnx_export import quantize_int8

        src = onnx_cache.ensure_file(encoder_path(model_dir, "fp32"), fp32, "the embedding model (ONNX fp32)",
                                     {"from": str(model_dir)})
        quantize_int8(src, out)

    return int8


class OnnxEmbedder:
    """multilingual-e5-small on onnxruntime; sessions open on first use, one per thread count."""

    def __init__(self, name: str, model_dir: str | Path, precision: str = "int8", batch_size: int = 16,
                 query_threads: int = QUERY_THREADS, passage_threads: int = PASSAGE_THREADS,
                 onnx_file: str | Path | None = None, passage_sessions: int = PASSAGE_SESSIONS,
                 sort_by: str | None = None):
        if precision not in PRECISIONS:
            from rag.errors import RagError

            raise RagError(f"Unknown embedding precision {precision!r}; use one of {', '.join(PRECISIONS)}.")
        self.name = name
        self.precision = precision
        self.runtime = f"onnx-{precision}"
        self._dir = Path(model_dir)
        self._file = Path(onnx_file) if onnx_file else None  # a given file (benchmarks); else the cache's
        self._batch_size = batch_size
        self._sort_by = sort_by or SORT_BY[precision]  # "tokens" or "chars"
        self._threads = {"query": query_threads, "passage": passage_threads}
        self._sessions: dict[int, object] = {}
        self._passage_sessions = max(1, int(passage_sessions))
        self._extra: list = []  # the passage sessions beyond the first
        self._tokenizer = None
        self._dim: int | None = None

    # -- parts, loaded on first use -----------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = shared_tokenizer(self._dir)
        return self._tokenizer

    def session(self, kind: str):
        threads = self._threads[kind]
        sess = self._sessions.get(threads)
        if sess is None:
            sess = self._sessions[threads] = self._open(threads)
        return sess

    def _open(self, threads: int):
        if self._file is not None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
            return ort.InferenceSession(str(self._file), opts, providers=["CPUExecutionProvider"])
        from rag.models import onnx_split

        return onnx_split.open_session(encoder_path(self._dir, self.precision), threads,
                                       _export_fn(self._dir, self.precision),
                                       f"the embedding model (ONNX {self.precision})", {"from": str(self._dir)})

    @property
    def dim(self) -> int:
        if self._dim is None:
            import json

            self._dim = int(json.loads((self._dir / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        return self._dim

    # -- encoding ---------------------------------------------------------------------------
    def _tokenize(self, texts: Sequence[str], kind: str) -> list[list[int]]:
        prompt = PROMPTS[kind]
        tok, lock = self.tokenizer
        with lock:
            tok.enable_truncation(MAX_SEQ_LENGTH)
            tok.no_padding()
            return [e.ids for e in tok.encode_batch([prompt + t for t in texts])]

    def _run(self, ids_list: Sequence[Sequence[int]], kind: str, session=None):
        import numpy as np

        width = max(len(ids) for ids in ids_list)
        ids = np.ones((len(ids_list), width), dtype=np.int64)  # <pad> is 1
        mask = np.zeros((len(ids_list), width), dtype=np.int64)
        for i, row in enumerate(ids_list):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        hidden = (session or self.session(kind)).run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return pool(hidden, mask)

    def embed_batch(self, texts: Sequence[str], kind: str):
        """One batch, as given: (n, dim) float32, L2-normalised."""
        return self._run(self._tokenize(texts, kind), kind)

    def _encode(self, texts: list[str], kind: str, progress=None):
        import numpy as np

        total = len(texts)
        if not total:
            return np.zeros((0, self.dim), dtype="float32")
        out = np.empty((total, self.dim), dtype="float32")
        ids = self._tokenize(texts, kind)
        step = max(self._batch_size, 1)
        batches, copies = self._batches(texts, ids, step)
        done = len(copies)

        lock = threading.Lock()

        def one(rows, session=None):
            nonlocal done
            out[rows] = self._run([ids[i] for i in rows], kind, session)
            with lock:
                done += len(rows)
                if progress and (done // step % 4 == 0 or done >= total):
                    progress(done, total)

        sessions = self._parallel_sessions() if kind == "passage" and len(batches) > 1 else []
        if len(sessions) < 2:
            for rows in batches:
                one(rows)
            return _copied(out, copies)
        import queue
        from concurrent.futures import ThreadPoolExecutor

        free = queue.SimpleQueue()  # each worker runs its batch on a session no other one is using
        for sess in sessions:
            free.put(sess)

        def job(rows):
            sess = free.get()
            try:
                one(rows, sess)
            finally:
                free.put(sess)

        with ThreadPoolExecutor(len(sessions)) as workers:  # onnxruntime's run releases the GIL
            for done_job in [workers.submit(job, rows) for rows in batches]:
                done_job.result()
        return _copied(out, copies)

    def _batches(self, texts: list[str], ids: list[list[int]], step: int) -> tuple[list[list[int]], dict[int, int]]:
        """The rows to run, in batches sorted by length (SORT_BY) so that each pads little, and
        {row: the row of the same ids it takes its vector from}. fp32: a row's vector does not
        depend on its batch, so the same ids run once and batches are cut where padding costs most
        (cheap_batches); int8's vectors do (activations are quantised per batch): full batches."""
        if self.precision != "fp32" or self._sort_by != "tokens":
            key = (lambda i: len(ids[i])) if self._sort_by == "tokens" else (lambda i: len(texts[i]))
            order = sorted(range(len(ids)), key=key)
            return [order[lo : lo + step] for lo in range(0, len(order), step)], {}
        first: dict[tuple, int] = {}
        copies = {i: first.setdefault(tuple(row), i) for i, row in enumerate(ids)}
        copies = {i: j for i, j in copies.items() if i != j}
        order = sorted((i for i in range(len(ids)) if i not in copies), key=lambda i: len(ids[i]))
        return [order[lo:hi] for lo, hi in cheap_batches([len(ids[i]) for i in order], step, CALL_TOKENS)], copies

    def _parallel_sessions(self) -> list:
        """`passage_sessions` one-thread sessions for passages (the first is the usual one)."""
        if self._passage_sessions < 2:
            return []
        while len(self._extra) < self._passage_sessions - 1:
            self._extra.append(self._open(self._threads["passage"]))
        return [self.session("passage"), *self._extra]

    def embed_queries(self, texts):
        return self._encode(list(texts), "query")

    def embed_passages(self, texts, progress=None):
        return self._encode(list(texts), "passage", progress)


_TOKENIZERS: dict[str, tuple] = {}
_TOKENIZERS_LOCK = threading.Lock()


def shared_tokenizer(model_dir: str | Path):
    """(tokenizers.Tokenizer of the folder's tokenizer.json, its lock): one per folder and process,
    shared by the embedder and the reader (loading its 250,002-piece vocabulary takes over a second).
    Users set truncation and padding and encode while holding the lock."""
    key = str(Path(model_dir).resolve())
    with _TOKENIZERS_LOCK:
        if key not in _TOKENIZERS:
            from rag.models import lazy_tokenizer

            # on the pieces each text needs, not all 250,002 (rag/models/lazy_tokenizer.py)
            _TOKENIZERS[key] = (lazy_tokenizer.load(Path(model_dir)), threading.Lock())
        return _TOKENIZERS[key]


def cheap_batches(lengths: Sequence[int], max_rows: int, call_tokens: int = CALL_TOKENS) -> list[tuple[int, int]]:
    """[lo, hi) bounds cutting `lengths` (sorted ascending) into batches of at most `max_rows` rows
    whose padded tokens (rows x the batch's longest) plus `call_tokens` a batch are fewest: rows of
    28-36 and of 87 tokens go in two calls, not one padded to 87. Dynamic programming over the cut
    points, O(len x max_rows)."""
    n, step = len(lengths), max(1, int(max_rows))
    cost, cut = [0] + [0] * n, [0] * (n + 1)
    for hi in range(1, n + 1):
        width = lengths[hi - 1]  # the longest of any batch ending at hi
        cost[hi], cut[hi] = min((cost[lo] + (hi - lo) * width + call_tokens, lo) for lo in range(max(0, hi - step), hi))
    bounds, hi = [], n
    while hi:
        bounds.append((cut[hi], hi))
        hi = cut[hi]
    return bounds[::-1]


def _copied(out, copies: dict[int, int]):
    for i, j in copies.items():
        out[i] = out[j]
    return out


def pool(hidden, mask):
    """Mean over the tokens the mask keeps, then L2 normalisation (sentence-transformers' Pooling
    with pooling_mode_mean_tokens, then Normalize)."""
    import numpy as np

    m = mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * m).sum(axis=1)
    vecs = summed / np.clip(m.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return (vecs / np.clip(norms, 1e-12, None)).astype(np.float32)
