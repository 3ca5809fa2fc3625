import math

import pytest

from rag.index.bm25 import BM25


def test_scores_match_okapi_formula(tmp_path):
    docs = [["a", "b"], ["b", "c", "c"], ["d"]]
    bm = BM25.from_tokens(docs)
    # term c: n=3, df=1 -> idf = ln(1 + (3-1+0.5)/(1+0.5)); doc 1 has tf=2, len=3, avgdl=2
    idf = math.log(1 + 2.5 / 1.5)
    k1, b = 1.2, 0.75
    expected = idf * 2 * (k1 + 1) / (2 + k1 * (1 - b + b * 3 / 2))
    assert bm.scores(["c"])[1] == pytest.approx(expected, rel=1e-5)
    bm.save(tmp_path)
    again = BM25.load(tmp_path)
    assert again.scores(["c"])[1] == pytest.approx(expected, rel=1e-5)


def test_search_caps_k_and_drops_zero_scores():
    bm = BM25.from_tokens([["x"], ["y"], ["x", "y"]])
    res = bm.search_batch([["x"], ["nothing"]], k=10)
    assert {r for r, _ in res[0]} == {0, 2}
    assert res[1] == []


def test_reused_rows_equal_fresh_tokenisation():
    base = BM25.from_tokens([["a", "b"], ["c"]])
    merged = BM25.from_tokens([["d", "a"]], base=base, reuse_rows=[1, -1])
    fresh = BM25.from_tokens([["c"], ["d", "a"]])
    for q in (["a"], ["c"], ["d"]):
        assert list(merged.scores(q)) == pytest.approx(list(fresh.scores(q)))
