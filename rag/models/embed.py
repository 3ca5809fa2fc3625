"""Embedders: anything with `name`, `dim`, `embed_queries` and `embed_passages`.

Vectors come back L2-normalised as float32 numpy arrays of shape (n, dim), so inner product is
cosine similarity. The default model runs on ONNX Runtime (rag/models/onnx_embed.py); any other
model, or the default one with RAG_EMBED_RUNTIME=torch, on sentence-transformers, imported only
when a real model is first used.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

if TYPE_CHECKING:
    import numpy as np

Progress = Callable[[int, int], None]  # (done, total)


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> "np.ndarray": ...

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> "np.ndarray": ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use, with query/passage prompts."""

    runtime = "sentence-transformers"

    def __init__(self, name: str, path: str | Path | None = None, batch_size: int = 16):
        self.name = name
        self._path = str(path or name)
        self._batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self._path, device="cpu")
            except Exception as err:  # the library raises many kinds; all mean "cannot load"
                from rag.errors import ModelUnavailable

                raise ModelUnavailable(
                    f"Cannot load embedding model {self._path!r} ({type(err).__name__}: {str(err)[:200]}). "
                    "Use the default model (RAG_MODEL unset) or a local sentence-transformers folder."
                ) from None
        return self._model

    @property
    def dim(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    def _encode(self, texts, prompt_name: str, progress: Progress | None):
        import numpy as np

        m = self.model
        prompt = prompt_name if prompt_name in (getattr(m, "prompts", None) or {}) else None
        out = []
        total = len(texts)
        # sort by length so each batch pads little; restore order afterwards
        order = sorted(range(total), key=lambda i: len(texts[i]))
        step = max(self._batch_size * 4, 1)
        for lo in range(0, total, step):
            batch = [texts[i] for i in order[lo : lo + step]]
            vecs = m.encode(
                batch,
                prompt_name=prompt,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out.append(np.asarray(vecs, dtype="float32"))
            if progress:
                progress(min(lo + step, total), total)
        if not out:
            return np.zeros((0, self.dim), dtype="float32")
        stacked = np.concatenate(out)
        result = np.empty_like(stacked)
        result[np.asarray(order)] = stacked
        return result

    def embed_queries(self, texts):
        return self._encode(list(texts), "query", None)

    def embed_passages(self, texts, progress=None):
        return self._encode(list(texts), "passage", progress)


class HashingEmbedder:
    """A small deterministic fake for fast tests: hashed character unigrams and bigrams.

    Texts that share characters get similar vectors, which is enough to test retrieval plumbing.
    """

    def __init__(self, dim: int = 256, name: str = "fake-hashing"):
        self.name = name
        self.dim = dim

    def _vec(self, text: str):
        import numpy as np

        v = np.zeros(self.dim, dtype="float32")
        t = re.sub(r"\s+", "", text.lower())
        grams = list(t) + [t[i : i + 2] for i in range(len(t) - 1)]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_queries(self, texts):
        import numpy as np

        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), "float32")

    def embed_passages(self, texts, progress=None):
        out = self.embed_queries(texts)
        if progress:
            progress(len(texts), len(texts))
        return out


def load_embedder(model: str, cache_dir: Path, batch_size: int = 16, runtime: str = "onnx",
                  precision: str = "fp32", threads: int = 1) -> Embedder:
    """The embedder a Settings.model names: the offline default (on ONNX Runtime, or on
    sentence-transformers with runtime="torch"), the fake, or any sentence-transformers model."""
    from rag.config import DEFAULT_MODEL

    if model == DEFAULT_MODEL:
        from rag.models.offline_model import ensure_default_model

        folder = ensure_default_model(cache_dir)
        if check_runtime(runtime) == "torch":
            return SentenceTransformerEmbedder(DEFAULT_MODEL, folder, batch_size)
        from rag.models.onnx_embed import OnnxEmbedder

        return OnnxEmbedder(DEFAULT_MODEL, folder, precision, batch_size, query_threads=threads,
                            passage_threads=threads)
    if model.startswith("fake-hashing"):
        return HashingEmbedder(name=model)
    return SentenceTransformerEmbedder(model, None, batch_size)


RUNTIMES = ("onnx", "torch")


def check_runtime(runtime: str) -> str:
    if runtime not in RUNTIMES:
        from rag.errors import RagError

        raise RagError(f"Unknown RAG_EMBED_RUNTIME {runtime!r}; use one of {', '.join(RUNTIMES)}.")
    return runtime


def embedding_fields(embedder) -> dict:
    """What an index's manifest records of how its vectors were computed ("onnx-int8", "onnx-fp32",
    "sentence-transformers"). An index is matched to an embedder by `model` alone: one built on
    torch loads on ONNX; `index_precision` reads this field back."""
    return {"embedding_runtime": describe(embedder)}


def index_precision(index_dir: Path, wanted: str) -> str:
    """The ONNX precision to embed with for the index in `index_dir`: an index keeps the precision
    its vectors were first built with. Without an index, `wanted` (Settings.embed_precision); an
    index of int8 vectors, int8; any other (built on torch, on ONNX fp32, or before the manifest said)
    fp32, which gives the torch vectors (cosine 0.99999): int8 questions on fp32 passages lose 0.7
    points of dense hit@1 on CMRC (bench/bench_embed.py), int8 on int8 only 0.2."""
    import json

    try:
        manifest = json.loads((Path(index_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return wanted  # no index yet (or one that cannot be read: loading it says what to do)
    if not isinstance(manifest, dict):
        return wanted
    if not manifest.get("embedding_runtime") and manifest.get("embedded", 1) == 0:
        return wanted  # no vectors yet (rag index --embed-later): the first ones decide
    return "int8" if manifest.get("embedding_runtime") == "onnx-int8" else "fp32"


def describe(embedder) -> str:
    """How an embedder computes its vectors, for an index's manifest: "onnx-int8", "onnx-fp32",
    "sentence-transformers" (the torch runtime, and any other model) or the fake's name."""
    runtime = getattr(embedder, "runtime", None)
    if runtime:
        return runtime
    if isinstance(embedder, SentenceTransformerEmbedder):
        return "sentence-transformers"
    return type(embedder).__name__
