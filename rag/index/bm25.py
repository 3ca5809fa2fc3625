"""BM25 (Okapi) over segments of pre-tokenised passages, stored as plain arrays read by memory map.

Each segment keeps term-major postings (CSC): `bm25_terms.npy` (sorted 64-bit hashes of the terms),
`bm25_ptr.npy` (where each term's postings start), `bm25_rows.npy` / `bm25_tf.npy` (passage row and
term count), and `bm25_len.npy` (tokens per passage). Only the postings of a question's terms are
read. Statistics (passages, document frequency, average length) are summed over all segments at
query time, so adding a segment never rewrites another. No pickle, no vocabulary in memory.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

K1, B = 1.2, 0.75
FILES = ("bm25_terms.npy", "bm25_ptr.npy", "bm25_rows.npy", "bm25_tf.npy", "bm25_len.npy")


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


class Postings:
    """One segment's postings: arrays in memory or memory-mapped from a folder."""

    def __init__(self, terms, ptr, rows, tf, lengths):
        self.terms, self.ptr, self.rows, self.tf, self.lengths = terms, ptr, rows, tf, lengths

    @classmethod
    def from_tokens(cls, docs: Sequence[Sequence[str]]) -> "Postings":
        vocab: dict[str, int] = {}
        cols, rows, vals, lengths = [], [], [], np.zeros(len(docs), np.float32)
        for r, toks in enumerate(docs):
            lengths[r] = len(toks)
            for tok, c in Counter(toks).items():
                cols.append(vocab.setdefault(tok, len(vocab)))
                rows.append(r)
                vals.append(c)
        hashes = np.fromiter((term_hash(t) for t in vocab), np.uint64, len(vocab))
        col_hash = hashes[np.asarray(cols, np.int64)] if cols else np.zeros(0, np.uint64)
        order = np.lexsort((np.asarray(rows, np.int64), col_hash))  # by term, then passage
        col_hash = col_hash[order]
        terms, starts = np.unique(col_hash, return_index=True)  # two terms with one hash share postings
        ptr = np.append(starts, len(col_hash)).astype(np.int64)
        return cls(terms, ptr, np.asarray(rows, np.int32)[order], np.asarray(vals, np.float32)[order], lengths)

    def save(self, folder: Path) -> None:
        for name, arr in zip(FILES, (self.terms, self.ptr, self.rows, self.tf, self.lengths)):
            np.save(folder / name, arr)

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        # plain ndarray views of the memory maps: indexing an np.memmap costs ~10 us in Python each time
        return cls(*(np.asarray(np.load(folder / name, mmap_mode="r", allow_pickle=False)) for name in FILES))

    def __len__(self) -> int:
        return len(self.lengths)

    def find(self, h: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, counts) of the term with hash `h`, or None."""
        i = int(np.searchsorted(self.terms, np.uint64(h)))
        if i >= len(self.terms) or int(self.terms[i]) != h:
            return None
        lo, hi = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.rows[lo:hi], self.tf[lo:hi]


class BM25:
    """Scores over segments laid end to end: segment i's row r is global row offsets[i] + r."""

    def __init__(self, parts: Sequence[Postings], k1: float = K1, b: float = B):
        self.parts = list(parts)
        self.offsets = np.cumsum([0] + [len(p) for p in self.parts]).astype(np.int64)
        self.k1, self.b = k1, b
        self.n = int(self.offsets[-1])
        total = sum(float(np.asarray(p.lengths, np.float64).sum()) for p in self.parts)
        self.avg = total / self.n if self.n else 0.0

    @classmethod
    def from_tokens(cls, docs: Sequence[Sequence[str]]) -> "BM25":
        return cls([Postings.from_tokens(docs)])

    def __len__(self) -> int:
        return self.n

    def _postings(self, h: int) -> list[tuple[int, Postings, np.ndarray, np.ndarray]]:
        out = []
        for off, p in zip(self.offsets, self.parts):
            found = p.find(h)
            if found is not None:
                out.append((int(off), p, *found))
        return out

    def _idf(self, df: int) -> float:
        return math.log1p((self.n - df + 0.5) / (df + 0.5))

    def idf_of(self, term: str) -> float | None:
        """The term's idf over the whole index, None when no passage has it."""
        df = sum(len(rows) for _, _, rows, _ in self._postings(term_hash(term)))
        return self._idf(df) if df else None

    @property
    def max_idf(self) -> float:
        """The idf of a term found in one passage (what an unseen term is worth)."""
        return self._idf(1) if self.n else 1.0

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row; a term repeated in the question counts again."""
        k1, b, avg = self.k1, self.b, self.avg or 1.0
        all_rows, all_w = [], []
        for tok, times in Counter(tokens).items():
            found = self._postings(term_hash(tok))
            df = sum(len(rows) for _, _, rows, _ in found)
            if not df:
                continue
            idf = self._idf(df) * times
            for off, part, rows, tf in found:
                length = part.lengths[rows]
                all_w.append(tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg)) * idf)
                all_rows.append(rows.astype(np.int64) + off)
        if not all_rows:
            return np.zeros(self.n, np.float32)
        return np.bincount(np.concatenate(all_rows), np.concatenate(all_w), self.n).astype(np.float32)

    def search_batch(self, queries: Sequence[Sequence[str]], k: int, mask=None) -> list[list[tuple[int, float]]]:
        """Top-k (row, score) per query; k capped at the index size; zero scores dropped.
        `mask` (bool per row) leaves only its True rows: the top k among them."""
        out = []
        for toks in queries:
            s = self.scores(toks)
            if mask is not None:
                s = np.where(mask, s, 0)
            cand = np.flatnonzero(s > 0)  # usually far fewer rows than the index holds
            kk = min(k, len(cand))
            if kk == 0:
                out.append([])
                continue
            top = cand[np.argpartition(-s[cand], kk - 1)[:kk]] if kk < len(cand) else cand
            top = top[np.lexsort((top, -s[top]))]  # best first; ties by row
            out.append([(int(i), float(s[i])) for i in top])
        return out
