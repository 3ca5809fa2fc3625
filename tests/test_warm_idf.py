"""The answerer remembers the idf of a local index's terms (rag/answer/answerer.py), and only there:
the same values, looked up once; another kind of index is asked every time. Invented documents."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("numpy")


def test_idf_is_the_index_one_and_looked_up_once():
    from rag.answer.answerer import Answerer
    from rag.index.bm25 import BM25

    bm = BM25.from_tokens([["芦溪镇", "游客"], ["芦溪镇", "隧道"], ["鹤鸣山"]])
    calls = []
    real = bm.idf_of
    bm.idf_of = lambda term: calls.append(term) or real(term)
    first = Answerer(SimpleNamespace(bm25=bm), None)
    assert first.idf("芦溪镇") == pytest.approx(real("芦溪镇")) and first.idf("鹤鸣山") == real("鹤鸣山")
    assert first.idf("没有的词") == bm.max_idf
    again = Answerer(SimpleNamespace(bm25=bm), None)  # a new answer on the same index
    assert [again.idf(t) for t in ("芦溪镇", "鹤鸣山", "没有的词")] == [real("芦溪镇"), real("鹤鸣山"), bm.max_idf]
    assert calls == ["芦溪镇", "鹤鸣山", "没有的词"]
    other = BM25.from_tokens([["芦溪镇"], ["游客"]])  # another index: its own values
    assert Answerer(SimpleNamespace(bm25=other), None).idf("芦溪镇") == other.idf_of("芦溪镇") != real("芦溪镇")


def test_another_kind_of_index_is_asked_every_time():
    from rag.answer.answerer import Answerer

    calls = []
    idf = SimpleNamespace(idf_of=lambda term: calls.append(term) or 2.5, max_idf=9.0)
    answerer = Answerer(SimpleNamespace(bm25=idf), None)
    assert answerer.idf("芦溪镇") == answerer.idf("芦溪镇") == 2.5
    assert calls == ["芦溪镇", "芦溪镇"]
