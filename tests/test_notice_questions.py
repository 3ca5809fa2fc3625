"""Questions about short notices (a scanned notice, a poster): the headline restates the subject,
the fact sits in one line further down. Invented places, numbers and figures."""
from __future__ import annotations

import pytest

from rag.answer.evidence import unit_matches
from rag.answer.span import extract_short
from rag.config import Settings
from rag.models.embed import HashingEmbedder
from rag.pipeline import Pipeline

NOTICE = """松岭县文化馆关于冬季开放时间调整和借阅服务的公告
自2025年12月1日起，松岭县文化馆开放时间调整为周三至周日9时至17时，周一周二闭馆。
读者凭借阅证每次最多可借画册6册，借期21天。
馆内排练厅共有练习位36个，可在县文旅公众号提前两天预约。
如需团体参观，请拨打预约电话0571-83927416。
松岭县文化馆
2025年11月20日
"""


def test_a_telephone_question_takes_a_telephone_number_not_a_date_or_a_count():
    q = "松岭县文化馆的预约电话是多少？"
    assert extract_short(q, "自2025年12月1日起，开放时间调整为9时至17时。", "number") is None
    sentence = "如需团体参观，请拨打预约电话0571-83927416。"
    s, e = extract_short(q, sentence, "number")
    assert sentence[s:e] == "0571-83927416"


def test_a_count_asked_in_a_measure_word_needs_that_measure_word():
    q = "一次最多可以借几册画册？"
    assert not unit_matches(q, "开放时间调整为周三至周日9时至17时。")
    assert unit_matches(q, "读者凭借阅证每次最多可借画册6册，借期21天。")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("notice")
    (root / "corpus").mkdir()
    (root / "corpus" / "songling-notice.txt").write_text(NOTICE, encoding="utf-8")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", model="fake-hashing",
                        cache_dir=root / "cache")
    pipe = Pipeline(settings, HashingEmbedder())
    pipe.build()
    return pipe


@pytest.mark.parametrize("question, fact", [
    ("松岭县文化馆一次最多可以借几册画册？", "6册"),
    ("松岭县文化馆的预约电话是多少？", "0571-83927416"),
    ("松岭县文化馆冬季开放时间调整从什么时候开始执行？", "2025年12月1日"),
])
def test_the_line_with_the_fact_is_quoted_not_the_headline_that_names_the_subject(pipeline, question, fact):
    answer = pipeline.ask(question)
    assert answer.answerable and fact in answer.citations[0].quote, answer.answer




def test_a_table_cell_with_a_bare_figure_answers_a_count_in_any_unit():
    row = "社区：松岭社区；服务中心地址：松岭路12号；床位：36；开放时间：7:30-18:00"
    assert unit_matches("松岭社区养老服务中心有多少张床位？", row)


def test_a_when_question_is_not_answered_by_a_line_without_a_time(pipeline):
    from rag.answer import candidates, scoring, support
    from rag.answer.answerer import Answerer

    question = "松岭县文化馆冬季开放时间调整从什么时候开始执行？"
    hits = pipeline.search(question)
    a = Answerer(pipeline.index, pipeline.embedder, reader=None)
    cands = candidates.from_hits(hits, pipeline.index.document, a.policy)
    q = scoring.analyse(question, None, hits, a.idf, a.policy)
    scoring.score_all(q, cands, scoring.dense_scores(q, cands, pipeline.embedder, None, a.policy), a.around, a.policy)
    headline = next(c for c in cands if c.text.startswith("松岭县文化馆关于"))
    dated = next(c for c in cands if c.text.startswith("自2025年12月1日起"))
    assert support.unsupported(q, headline, a.around, a.policy) == "no date in the headline"
    assert support.unsupported(q, dated, a.around, a.policy) is None
