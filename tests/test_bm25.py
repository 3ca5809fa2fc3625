import math

import numpy as np
import pytest

from rag.index.bm25 import BM25, Postings


def test_scores_match_okapi_formula(tmp_path):
    docs = [["a", "b"], ["b", "c", "c"], ["d"]]
    bm = BM25.from_tokens(docs)
    # term c: n=3, df=1 -> idf = ln(1 + (3-1+0.5)/(1+0.5)); doc 1 has tf=2, len=3, avgdl=2
    idf = math.log(1 + 2.5 / 1.5)
    k1, b = 1.2, 0.75
    expected = idf * 2 * (k1 + 1) / (2 + k1 * (1 - b + b * 3 / 2))
    assert bm.scores(["c"])[1] == pytest.approx(expected, rel=1e-5)
    Postings.from_tokens(docs).save(tmp_path)
    again = BM25([Postings.load(tmp_path)])
    assert again.scores(["c"])[1] == pytest.approx(expected, rel=1e-5)
    rows = Postings.load(tmp_path).rows
    assert not rows.flags.owndata and not rows.flags.writeable  # a view of a read-only memory map


def test_search_caps_k_and_drops_zero_scores():
    bm = BM25.from_tokens([["x"], ["y"], ["x", "y"]])
    res = bm.search_batch([["x"], ["nothing"]], k=10)
    assert {r for r, _ in res[0]} == {0, 2}
    assert res[1] == []


def test_segments_score_like_one_index():
    docs = [["a", "b"], ["c"], ["d", "a"], ["a", "a", "e"], ["c", "d"]]
    whole = BM25.from_tokens(docs)
    split = BM25([Postings.from_tokens(docs[:2]), Postings.from_tokens(docs[2:])])
    for q in (["a"], ["c"], ["d", "a"], ["a", "a"], ["zzz"]):
        assert list(split.scores(q)) == pytest.approx(list(whole.scores(q)))
    assert split.idf_of("a") == pytest.approx(whole.idf_of("a")) and split.idf_of("zzz") is None
