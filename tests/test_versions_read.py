"""Which sentences the versions of a fact are read from (issue #19): the next passages of an article
already read, when articles of two dates or more are in play; and for a count asked in a measure
(多少份), the best sentence in that measure before one in none. Invented places and figures."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.answer.candidates import continued
from rag.answer.focus import counted_in, measured_first
from rag.answer.policy import AnswerPolicy
from rag.types import Chunk, Document, Hit

DOCS = {
    "old.md": Document(id="old.md", text="x" * 400, title="", date="2022-03-01", source="old.md"),
    "new.md": Document(id="new.md", text="y" * 400, title="", date="2025-03-01", source="new.md"),
    "undated.md": Document(id="undated.md", text="z" * 400, title="", date=None, source="undated.md"),
    "newer.md": Document(id="newer.md", text="w" * 400, title="", date="2026-01-10", source="newer.md"),
    "between.md": Document(id="between.md", text="v" * 400, title="", date="2024-03-01", source="between.md"),
}


def _hit(doc_id: str, start: int) -> Hit:
    return Hit(Chunk(doc_id, start // 100, start, start + 100, DOCS[doc_id].text[start:start + 100]), 0.1)


def test_the_next_passages_of_a_versions_article_are_read():
    top = [_hit("old.md", 0), _hit("new.md", 0)]
    further = [_hit("undated.md", 0), _hit("new.md", 200), _hit("old.md", 0)]
    assert continued(top, further, DOCS.get, AnswerPolicy()) == [further[1]]


def test_a_passage_of_an_article_newer_than_all_read_is_read_too():
    top = [_hit("old.md", 0), _hit("new.md", 0)]
    further = [_hit("between.md", 0), _hit("newer.md", 100)]  # the newest report just below the cut
    assert continued(top, further, DOCS.get, AnswerPolicy()) == [further[1]]


def test_an_article_newer_than_all_read_is_looked_for_further_down():
    top = [_hit("old.md", 0), _hit("new.md", 0)]
    # ranked 11th, under older reports: still read; the read article's passage that far down is not
    further = [_hit("between.md", 0)] * 4 + [_hit("new.md", 300), _hit("newer.md", 100)]
    assert continued(top, further, DOCS.get, AnswerPolicy(further_from=4, newer_from=6)) == [further[5]]
    assert continued(top, further, DOCS.get, AnswerPolicy(further_from=4, newer_from=4)) == []


def test_none_when_the_articles_read_are_of_one_date():
    top = [_hit("new.md", 0), _hit("undated.md", 0)]
    assert continued(top, [_hit("new.md", 200)], DOCS.get, AnswerPolicy()) == []
    assert continued(top, [_hit("new.md", 200)], DOCS.get, AnswerPolicy(further_from=0)) == []


@pytest.mark.parametrize("question, measure", [
    ("食堂每天供应多少份饭？", "份"),
    ("去年接待游客多少人次？", "人次"),
    ("办好要多少天？", None),  # a duration
    ("门票多少钱？", None),  # a price
    ("书记是谁？", None),
])
def test_counted_in(question, measure):
    assert counted_in(question) == measure


def _cand(text: str, score: float, date: str | None = "2025-01-01"):
    return SimpleNamespace(text=text, score=score, doc=SimpleNamespace(date=date))


def test_the_sentence_in_the_measure_counted_leads():
    opening = _cand("今年3月起，南岸社区助餐点增开晚餐，供应时间为17:00至18:30。", 0.80)
    figure = _cand("目前助餐点日均供餐约350份。", 0.70)
    assert measured_first("南岸社区助餐点每天供应多少份饭？", [opening, figure], 8, 0.15)[0] is figure
    # too far below, of an undated entry, or a question that counts in no measure: as it was
    assert measured_first("南岸社区助餐点每天供应多少份饭？", [opening, _cand(figure.text, 0.6)], 8, 0.15)[0] is opening
    assert measured_first("南岸社区助餐点每天供应多少份饭？", [_cand(opening.text, 0.8, None), figure], 8, 0.15)[0].score == 0.8
    assert measured_first("南岸社区助餐点几点开门？", [opening, figure], 8, 0.15)[0] is opening


ENROL = {
    "enrol-2021.md": ("---\ntitle: 县城区公办小学今年计划招收一年级新生2860人\ndate: 2021-06-08\n---\n"
                      "县教育局局长张三介绍，今年县城小学继续实行划片招生、就近入学，一年级新生报名统一通过微信公众号进行，"
                      "报名时间为6月15日至6月22日。"),
    "enrol-2026.md": ("---\ntitle: 县教育局公布招生方案\ndate: 2026-04-15\n---\n"
                      "县教育局公布2026年县城区公办小学招生方案。新生报名时间为5月18日至5月27日，7月上旬公布录取结果。"),
}


def test_another_years_dates_do_not_answer_for_this_year(tmp_path):
    """A registration's dates are that year's, not a standing rule: asked 今年, the 2021 article's
    dates are not passed off as this year's (the 2026 article, worded otherwise, may not be found)."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, ENROL)
    a = pipe.ask("今年县城小学一年级新生什么时候报名？", today=dt.date(2026, 6, 1))
    assert not (a.answerable and "6月15日" in a.citations[0].quote), a.answer
    assert "6月15日" not in (a.short_answer or "")
