"""English questions for a place's figures (GDP, fiscal revenue) asked of a Chinese archive that
also holds a few English pages: the topic word, not the place's name, decides which passage leads.
Places and figures are invented."""
from rag.answer.candidates import Candidate
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, _topic_first, states_value
from rag.answer.span import question_type
from rag.retrieve.crosslingual import chinese_keywords, figures_asked, holds_topic, topic_keywords, topic_terms
from rag.retrieve.search import other_language
from rag.types import Chunk, Document, Hit

EN = "Heting Town (鹤汀镇) opened a new clinic on Mulan Road, the town said on Monday."
ZH = "2025年全镇实现地区生产总值88.6亿元，同比增长5.1%；一般公共预算收入6.2亿元。"


def _hit(doc_id, text, score, dense_rank=None, sparse_rank=None):
    return Hit(Chunk(doc_id, 0, 0, len(text), text), score, None, None, dense_rank, sparse_rank)


def test_topic_is_what_is_asked_not_the_place_nor_the_time():
    assert topic_keywords("What is Heting Town's GDP now?") == {"gdp": ["生产总值"]}
    assert topic_keywords("What was Qingshi village's GDP in 2023?") == {"gdp": ["生产总值"]}
    assert topic_keywords("") == {} and topic_keywords("鹤汀镇的地区生产总值是多少？") == {}


def test_report_figures_map_to_the_words_a_report_writes():
    assert "一般公共预算收入" in chinese_keywords("What was Heting Town's fiscal revenue in 2024?")
    assert "生产总值" in chinese_keywords("What is the gross domestic product of Heting Town?")
    assert topic_terms("What is the per capita disposable income in Heting Town?")[:2] == ("disposable income", "可支配收入")


def test_a_figure_asked_in_english_asks_for_a_number():
    assert question_type("What is Heting Town's GDP now?") == "number"
    assert question_type("What was Heting's fiscal revenue in 2023?") == "number"


def test_holds_topic_reads_either_language():
    topic = topic_terms("What is Heting Town's GDP now?")
    assert holds_topic(topic, ZH)
    assert holds_topic(topic, "Heting's GDP grew 5 per cent.")
    assert not holds_topic(topic, EN)


def test_a_value_is_stated_not_only_a_growth():
    topic = topic_terms("What is Heting Town's GDP now?")
    assert states_value(topic, ZH)
    assert not states_value(topic, "2026年主要预期目标是：地区生产总值增长5.5%左右。")


def test_a_chinese_passage_with_the_topic_rises_by_its_bm25_rank_among_english_pages():
    hits = [_hit("clinic-en", EN, 0.032, dense_rank=1, sparse_rank=3),
            _hit("clinic-en", "The clinic has 20 beds.", 0.031, dense_rank=2, sparse_rank=5),
            _hit("report", ZH, 0.028, dense_rank=20, sparse_rank=1)]
    out = other_language("What is Heting Town's GDP now?", hits)
    assert out[0].chunk.doc_id == "report"
    # an archive without pages in the question's language keeps its fused order
    zh_only = [_hit("a", "鹤汀镇新建卫生院。", 0.032, 1, 3), _hit("report", ZH, 0.028, 20, 1)]
    assert [h.chunk.doc_id for h in other_language("What is Heting Town's GDP now?", zh_only)] == ["a", "report"]
    # nor does a question whose words the dictionary does not know as a topic
    assert other_language("Where is Heting?", hits) == list(hits)


def _cand(doc_id, text, score):
    doc = Document(doc_id, text, date="2026-01-10")
    c = Candidate(0, Hit(Chunk(doc_id, 0, 0, len(text), text), 1.0), doc, 0, len(text))
    c.score = score
    return c


def test_a_passage_without_the_topic_does_not_lead_over_one_with_it():
    p = AnswerPolicy()
    q = Question("What is Heting Town's GDP now?", "What is Heting Town's GDP now?", False, "number", "", {}, frozenset(),
                 topic=topic_terms("What is Heting Town's GDP now?"))
    en, zh = _cand("clinic-en", EN, 0.7), _cand("report", ZH, 0.4)
    _topic_first(q, [en, zh], p)
    assert zh.score > en.score
    # when no passage holds the topic, nothing changes
    other = _cand("clinic-en-2", "The clinic opens at 8 am.", 0.6)
    _topic_first(q, [en, other], p)
    assert en.score == 0.7 - p.w_topicless and other.score == 0.6


def test_only_a_report_figure_lifts_chinese_passages():
    hits = [_hit("clinic-en", EN, 0.032, dense_rank=1, sparse_rank=3),
            _hit("clinic", "鹤汀镇卫生院有病床40张。", 0.028, dense_rank=20, sparse_rank=1)]
    assert other_language("How many beds does the Heting clinic have now?", hits) == hits


REPORTS = {
    "economy-news-2025.md": ("---\ntitle: 去年我县地区生产总值突破两百亿元\ndate: 2025-01-10\n---\n"
                             "鹤汀融媒讯（记者 严知秋）记者1月9日从县统计局获悉，初步核算，去年全县地区生产总值208.4亿元，"
                             "同比增长5.2%。\n"),
    "gov-report-2026.md": ("---\ntitle: 政府工作报告——2026年1月8日在鹤汀县第九届人民代表大会第三次会议上\ndate: 2026-01-12\n---\n"
                           "2025年是全面完成规划目标任务的一年。全县地区生产总值219.7亿元，同比增长4.8%；一般公共预算收入"
                           "11.3亿元。\n\n今年主要预期目标是：地区生产总值增长5%左右。\n"),
}


def test_now_asked_in_english_leads_with_the_newest_report_that_names_the_county_in_its_headline(tmp_path):
    """The report says 全县 below a headline naming 鹤汀县; the older news names the county only in its
    dateline (鹤汀融媒讯): the English question's 'now' (现在, 如今, 此时) and the headline's county decide
    nothing against the report."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    pipe = hashing_pipeline(tmp_path, REPORTS)
    a = pipe.ask("What is Heting County's GDP now?", today=dt.date(2026, 6, 1))
    assert a.answerable and "219.7亿元" in a.citations[0].quote, a.answer


def test_a_standards_amount_asked_in_english_asks_for_a_number():
    assert question_type("What is the monthly minimum living allowance (低保) in Heting now?") == "number"
    assert question_type("What is the bus fare in Heting today?") == "number"
    assert question_type("What was the price policy called?") is None  # the noun does not end the phrase


def test_standards_and_services_map_to_the_words_a_local_notice_writes():
    """CC-CEDICT gives 汽车 / 公车 for bus; a county's notice writes 公交 (县城公交票价由每人每次1元调整为…)."""
    assert "公交" in chinese_keywords("How much is a bus ride in the Heting county seat now?")
    assert "最低生活保障" in figures_asked("What is the minimum living allowance in Heting now?")
    assert "社保卡" in figures_asked("Where can I get a replacement social security card in Heting?")


def test_who_inside_a_clause_asks_for_no_person():
    assert question_type("What is the most a couple who both pay into the fund can borrow in Heting now?") == "number"
    assert question_type("Who is the mayor of Heting now?") == "person"
    assert question_type("To whom was the award given?") == "person"


def test_parking_trains_and_party_secretaries_map_to_a_notices_words():
    assert "免费停放" in chinese_keywords("How long can you park free on a street in central Heting now?")
    assert "公园" not in chinese_keywords("How long can you park free on a street in central Heting now?")[:2]
    assert "地铁站" in figures_asked("How many metro stations does Heting have now?")
    assert "市委书记" in figures_asked("Who is the Communist Party secretary of Heting City now?")


def test_output_and_households_asked_in_english():
    from rag.answer.evidence import unit_matches

    assert "产量" in figures_asked("How much tea does Heting County produce in a year now?")
    assert "茶叶" in chinese_keywords("How much tea does Heting County produce in a year now?")
    assert unit_matches("How many households live in Qingshi village?", "The village has 327 households.")
    assert unit_matches("How many households live in Qingshi village?", "全村共有327户。")
    assert not unit_matches("How many households live in Qingshi village?", "村里去年接待游客3.2万人次。")


def test_how_long_a_line_is_asks_a_length_and_line_2_is_2号线():
    from rag.answer.evidence import asks_duration
    from rag.answer.focus import measure_fits

    assert not asks_duration("How long is Heting Metro Line 2?")
    assert asks_duration("How long does it take to get the card?") and asks_duration("How long is the wait?")
    assert measure_fits("How long is Heting Metro Line 2?", "2号线全长19.6公里。")
    assert measure_fits("How long is Heting Metro Line 2?", "起步价2元。") is False
    assert "2号线" in chinese_keywords("How long is Heting Metro Line 2?")
    assert "12路" in chinese_keywords("When does the last bus on Route 12 leave?")
