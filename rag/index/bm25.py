"""A small BM25 (Okapi) index over pre-tokenised passages, stored as plain arrays (no pickle).

Rows are passages, columns are vocabulary terms. Raw term counts are saved (so unchanged passages
can be carried into a new index without re-tokenising); BM25 weights are derived on load.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

K1, B = 1.2, 0.75


class BM25:
    def __init__(self, vocab: list[str], counts, k1: float = K1, b: float = B):
        """counts: scipy.sparse CSR matrix (passages x vocab) of term frequencies."""
        import scipy.sparse as sp

        self.vocab = vocab
        self.term_id = {t: i for i, t in enumerate(vocab)}
        self.counts = sp.csr_matrix(counts, dtype=np.float32)
        self.k1, self.b = k1, b
        n = self.counts.shape[0]
        lengths = np.asarray(self.counts.sum(axis=1)).ravel()
        avg = float(lengths.mean()) if n else 0.0
        df = np.bincount(self.counts.indices, minlength=len(vocab)).astype(np.float32)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        tf = self.counts.copy()
        row_len = np.repeat(lengths, np.diff(tf.indptr))
        denom = tf.data + k1 * (1 - b + b * row_len / (avg or 1.0))
        tf.data = tf.data * (k1 + 1) / denom * self.idf[tf.indices]
        self.weights = tf.tocsc()

    @classmethod
    def from_tokens(cls, docs: Sequence[Sequence[str]], base: "BM25 | None" = None, reuse_rows=None) -> "BM25":
        """Build from token lists. With `base` and `reuse_rows` (one entry per output row: a row
        index into base, or -1 to take the next token list from `docs`) old rows are reused."""
        import scipy.sparse as sp

        vocab: list[str] = list(base.vocab) if base is not None else []
        term_id = {t: i for i, t in enumerate(vocab)}
        rows_ptr, cols, vals = [0], [], []
        new_iter = iter(docs)
        plan = reuse_rows if reuse_rows is not None else [-1] * len(docs)
        for r in plan:
            if r >= 0:
                row = base.counts[r]
                cols.extend(row.indices.tolist())
                vals.extend(row.data.tolist())
            else:
                for tok, c in Counter(next(new_iter)).items():
                    tid = term_id.get(tok)
                    if tid is None:
                        tid = term_id[tok] = len(vocab)
                        vocab.append(tok)
                    cols.append(tid)
                    vals.append(c)
            rows_ptr.append(len(cols))
        counts = sp.csr_matrix(
            (np.asarray(vals, np.float32), np.asarray(cols, np.int32), np.asarray(rows_ptr, np.int64)),
            shape=(len(plan), len(vocab)),
        )
        return cls(vocab, counts)

    def __len__(self) -> int:
        return self.counts.shape[0]

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        ids = [self.term_id[t] for t in tokens if t in self.term_id]
        if not ids or not len(self):
            return np.zeros(len(self), np.float32)
        return np.asarray(self.weights[:, ids].sum(axis=1)).ravel()

    def search_batch(self, queries: Sequence[Sequence[str]], k: int, mask=None) -> list[list[tuple[int, float]]]:
        """Top-k (row, score) per query; k capped at the index size; zero scores dropped.
        `mask` (bool per row) leaves only its True rows: the top k among them."""
        out = []
        for toks in queries:
            s = self.scores(toks)
            if mask is not None:
                s = np.where(mask, s, 0)
            kk = min(k, len(s))
            if kk == 0:
                out.append([])
                continue
            top = np.argpartition(-s, kk - 1)[:kk]
            top = top[np.argsort(-s[top], kind="stable")]
            out.append([(int(i), float(s[i])) for i in top if s[i] > 0])
        return out

    def save(self, directory: Path) -> None:
        c = self.counts
        np.savez(directory / "bm25.npz", indptr=c.indptr, indices=c.indices, data=c.data,
                 shape=np.asarray(c.shape, np.int64))
        (directory / "bm25_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> "BM25":
        import scipy.sparse as sp

        with np.load(directory / "bm25.npz", allow_pickle=False) as z:
            counts = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        vocab = json.loads((directory / "bm25_vocab.json").read_text("utf-8"))
        return cls(vocab, counts)
