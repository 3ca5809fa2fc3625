"""fp32 passage batches cut where padding costs most (rag.models.onnx_embed.cheap_batches): the
fewest padded tokens plus a call's cost, the same vectors as any other batching."""
from __future__ import annotations

import itertools
import random
import threading

import numpy as np
import pytest


def _cost(lengths, bounds, call):
    return sum((hi - lo) * lengths[hi - 1] + call for lo, hi in bounds)


def _all_cuts(n, max_rows):
    """Every way to cut n sorted rows into consecutive batches of at most max_rows."""
    for mask in itertools.product((0, 1), repeat=n - 1):
        cuts = [0] + [i + 1 for i, m in enumerate(mask) if m] + [n]
        bounds = list(zip(cuts, cuts[1:]))
        if all(hi - lo <= max_rows for lo, hi in bounds):
            yield bounds


def test_rows_of_very_different_lengths_go_in_separate_calls():
    from rag.models.onnx_embed import cheap_batches

    # 4 rows of 20-23 tokens and 2 of 90: one call pads to 6 x 90 = 540; two calls cost 4 x 23 + 2 x 90 + 2 x 8 = 288
    assert cheap_batches([20, 21, 22, 23, 90, 90], 16, 8) == [(0, 4), (4, 6)]
    # rows of the same length share a call: a second call would only add its cost
    assert cheap_batches([30, 30, 30], 16, 8) == [(0, 3)]
    # at most max_rows a batch, even when equal
    assert sorted(hi - lo for lo, hi in cheap_batches([5] * 5, 2, 8)) == [1, 2, 2]
    assert cheap_batches([], 4, 8) == []


def test_the_cuts_are_the_cheapest_of_all():
    from rag.models.onnx_embed import cheap_batches

    rng = random.Random(3)
    for _ in range(60):
        n, max_rows, call = rng.randint(1, 9), rng.randint(1, 5), rng.choice([0, 3, 8, 40])
        lengths = sorted(rng.randint(3, 120) for _ in range(n))
        got = cheap_batches(lengths, max_rows, call)
        assert [lo for lo, _ in got] == [0] + [hi for _, hi in got[:-1]] and got[-1][1] == n
        assert all(0 < hi - lo <= max_rows for lo, hi in got)
        assert _cost(lengths, got, call) == min(_cost(lengths, b, call) for b in _all_cuts(n, max_rows))


class _Tok:
    """A text's ids: <s>, one per character of "passage: " + text, </s>."""

    def enable_truncation(self, n):
        pass

    def no_padding(self):
        pass

    def encode_batch(self, texts):
        return [type("E", (), {"ids": [0] + [7 + len(t) % 5] * len(t) + [2]})() for t in texts]


class _Session:
    def __init__(self, seen):
        self.seen = seen

    def run(self, outputs, feed):
        ids = feed["input_ids"]
        self.seen.append(ids.shape)
        return [np.repeat(ids[..., None].astype(np.float32), 4, axis=2) + np.arange(4, dtype=np.float32)]


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_fp32_passages_are_cut_cheaply_and_int8_ones_in_full_batches(monkeypatch, precision):
    from rag.models import onnx_embed

    texts = ["y" * n for n in (60, 2, 61, 3, 1, 62)]  # with "passage: " and <s> </s>: 71 13 72 14 12 73
    seen = []
    e = onnx_embed.OnnxEmbedder("fake", ".", precision, batch_size=16)
    e._tokenizer, e._dim = (_Tok(), threading.Lock()), 4
    monkeypatch.setattr(e, "_open", lambda threads: _Session(seen))
    out = e.embed_passages(texts)
    assert out.shape == (6, 4) and np.allclose(np.linalg.norm(out, axis=1), 1)
    # fp32: the three short rows and the three long ones apart; int8 keeps its one batch (its
    # vectors depend on their batch neighbours), sorted by characters
    assert sorted(seen) == ([(3, 14), (3, 73)] if precision == "fp32" else [(6, 73)])


@pytest.mark.slow
def test_fp32_vectors_are_the_same_cut_cheaply_or_one_by_one():
    from rag.config import Settings
    from rag.models.embed import load_embedder

    s = Settings()
    e = load_embedder(s.model, s.cache_dir, 16, "onnx", "fp32")
    texts = ["珂兰镇", "珂兰镇2031年接待游客约12万人次，镇集体经济收入达87万元，比上年增长9.5%。",
             "The Velmora bridge opened on 3 May.", "澜溪县", "澜溪县发布《关于推进茶叶加工的十条措施》。",
             "Qorvane harbour handled 4.2 million tonnes of cargo in 2030, up from 3.9 million."]
    together = e.embed_passages(texts)
    alone = np.concatenate([e.embed_passages([t]) for t in texts])
    assert np.array_equal(together, alone)


def test_fp32_runs_repeated_passages_once_and_gives_each_its_vector(monkeypatch):
    from rag.models import onnx_embed

    texts = ["aa", "bbbb", "aa", "ccc", "bbbb", "aa"]  # the fake tokenizer tells texts apart by length
    seen, said = [], []
    e = onnx_embed.OnnxEmbedder("fake", ".", "fp32", batch_size=16)
    e._tokenizer, e._dim = (_Tok(), threading.Lock()), 4
    monkeypatch.setattr(e, "_open", lambda threads: _Session(seen))
    out = e.embed_passages(texts, progress=lambda done, total: said.append((done, total)))
    assert sum(rows for rows, _ in seen) == 3  # "aa", "ccc", "bbbb"
    assert said[-1] == (6, 6)
    one = {t: e.embed_passages([t])[0] for t in set(texts)}
    assert all(np.array_equal(out[i], one[t]) for i, t in enumerate(texts))
