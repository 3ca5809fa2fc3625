"""Relative dates in articles (去年 in an article of 2023 is 2022, not the asker's 去年) and figures
asked in a unit when another figure comes first in the sentence. rag/answer/timeline.py over a real
index with the fake embedder. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest
from tests.helpers import hashing_pipeline

DOCS = {
    "songya-2023.md": ("---\ntitle: 松崖镇工业经济稳步增长\ndate: 2023-02-06\n---\n"
                       "松崖镇去年规上工业总产值达12.4亿元，新增规上企业4家。镇里的木器产业园已入驻企业16家。"),
    "songya-2025.md": ("---\ntitle: 松崖镇规上工业总产值突破20亿元\ndate: 2025-02-14\n---\n"
                       "2024年，松崖镇规上工业总产值达20.7亿元，新增规上企业9家。"),
    "lanpo-2023.md": ("---\ntitle: 蓝坡乡工业经济\ndate: 2023-02-10\n---\n"
                      "蓝坡乡去年规上工业总产值达3.3亿元，新增规上企业2家。"),
    "lanpo-grain-2024.md": ("---\ntitle: 蓝坡乡粮食生产\ndate: 2024-03-03\n---\n"
                            "2023年，蓝坡乡粮食总产量达3.1万吨。乡里新建冷库两座。"),
}
TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("relative"), DOCS)


def test_last_year_is_the_askers_not_the_older_articles(pipe):
    a = pipe.ask("松崖镇去年新增了几家规上企业？", today=TODAY)  # 去年 = 2024; the 2023 article's 去年 is 2022
    assert a.answerable and "9家" in a.citations[0].quote, a.answer
    assert not a.short_answer or "4家" not in a.short_answer


def test_the_older_articles_last_year_answers_for_its_own_year(pipe):
    a = pipe.ask("2022年松崖镇新增了几家规上企业？", today=TODAY)
    assert a.answerable and "4家" in a.citations[0].quote, a.answer


def test_a_figure_in_the_unit_asked_is_compared_though_another_comes_first(pipe):
    a = pipe.ask("松崖镇新增了几家规上企业？", today=TODAY)
    assert "9家" in a.citations[0].quote and a.citations[0].status == "current"
    assert any(c.status == "earlier" and "4家" in c.quote for c in a.citations[1:]), a.answer


@pytest.mark.parametrize("question", [
    "蓝坡乡去年新增了几家规上企业？",  # one article, of 2023: its 去年 is 2022, not 2024
    "蓝坡乡去年粮食总产量多少？",  # one article, of 2023's harvest: not 2024's
])
def test_one_article_of_another_year_is_not_passed_off_as_last_year(pipe, question):
    a = pipe.ask(question, today=TODAY)
    assert not a.answerable and "最新的是" in a.answer, a.answer


def test_one_article_of_the_year_asked_still_answers(pipe):
    a = pipe.ask("蓝坡乡前年粮食总产量多少？", today=TODAY)  # 前年 = 2023
    assert a.answerable and "3.1万吨" in a.citations[0].quote, a.answer


EN_DOCS = {
    "care-2022.md": ("---\ntitle: 岚山县发放高龄津贴\ndate: 2022-06-20\n---\n"
                     "自2022年7月1日起，岚山县户籍90至99周岁老人的高龄津贴为每人每月260元。"),
    "care-2024.md": ("---\ntitle: 岚山县调整高龄津贴标准\ndate: 2024-06-18\n---\n"
                     "县民政局近日发布通知，90至99周岁老人的高龄津贴由每人每月260元提高至每人每月420元。"
                     "新标准自2024年7月1日起执行，原有标准同时废止。"),
}


@pytest.fixture(scope="module")
def en_pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("english"), EN_DOCS)


@pytest.mark.parametrize("question", [
    "How much is the monthly allowance for people aged 90 to 99 in 岚山县 now?",
    "What is the monthly allowance for people aged 90 to 99 in 岚山县 at present?",
    "What is the monthly allowance for people aged 90 to 99 in 岚山县 today?",
])
def test_an_english_question_for_the_current_value_compares_versions(en_pipe, question):
    # the newer notice names its county only in its headline (县民政局 below)
    a = en_pipe.ask(question, today=TODAY)
    assert a.answerable and "420元" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert any(c.status == "superseded" for c in a.citations[1:])
    assert a.answer.startswith(("According to the articles, as reported on 18 Jun 2024:", "As reported on 18 Jun 2024:"))
    assert not a.short_answer or "260" not in a.short_answer


WHEN_DOCS = {
    "road-2022.md": ("---\ntitle: 县交通局检查县道改建工程\ndate: 2022-04-12\n---\n"
                     "4月11日，岚山县交通运输局局长尹正和带队检查X305县道青石段改建工程进度。"
                     "尹正和要求，各施工单位确保工程年底前完工。"),
}


def test_a_when_question_gets_the_time_of_the_event_asked_read_against_its_article(fake_built):
    pipe = fake_built(WHEN_DOCS)
    a = pipe.ask("X305县道青石段改建工程要求什么时候完工？", today=TODAY)
    assert a.answerable and any("年底前完工" in c.quote for c in a.citations), a.answer
    assert a.short_answer != "4月11日"  # the inspection's date is no answer to when it is finished
    assert "2022年4月12日" in a.answer and "2022年底" in a.answer  # 年底 of an article of 2022


@pytest.mark.parametrize(("quote", "iso", "note"), [
    ("梧岗镇去年新增企业5家。", "2023-02-03", "文中“去年”指2022年"),
    ("工程年底前完工，明年上半年通车。", "2022-04-12", "文中“年底”指2022年底，“明年”指2023年"),
    ("收入达207万元，较上年增加39万元。", "2025-01-20", ""),  # a comparison, not the fact's time
    ("工程将于2023年底前完工。", "2022-04-12", ""),  # the year is said
    ("今年新招收新生395人。", None, ""),  # no date to read it against
    ("年末全区常住人口90.3万人。", "2026-01-14", "文中“年末”指2025年末"),  # a January report looks back
    ("确保工程年底前完工。", "2026-01-14", "文中“年底”指2026年底"),  # a deadline ahead
])
def test_relative_note(quote, iso, note):
    from rag.answer.dating import relative_note
    from rag.dates import as_date

    assert relative_note(quote, as_date(iso)) == note


def test_a_short_answer_that_is_a_relative_time_alone_is_dropped():
    from rag.answer.dating import _relative_read
    from rag.types import Answer, Citation

    cite = Citation(1, "d", "t", "2022-04-12", "d", "各施工单位确保工程年底前完工。", 0, 15, 0, 15)
    a = _relative_read(Answer("什么时候完工？", "各施工单位确保工程年底前完工。[1]", "年底前", True, (cite,)), True)
    assert a.short_answer is None and a.answer.startswith("据2022年4月12日报道（文中“年底”指2022年底）：")


OTHER_DOCS = {
    "ferry-2023.md": ("---\ntitle: 白沙渡口公布渡船票价\ndate: 2023-05-06\n---\n"
                      "白沙渡口渡船票价为每人每次3元，电动车每辆每次2元，首班船6:10开航。"),
    "ferry-2025.md": ("---\ntitle: 白沙渡口渡船票价调整\ndate: 2025-04-20\n---\n"
                      "自2025年5月1日起，白沙渡口渡船票价调整为每人每次5元，电动车每辆每次4元，原票价同时废止。"),
    "bus-2023.md": ("---\ntitle: 柘林镇至枫林乡公交开通\ndate: 2023-05-21\n---\n"
                    "5月20日，柘林镇至枫林乡的21路公交开通，每天往返8个班次。"),
    "bus-2024.md": ("---\ntitle: 柘林镇至县城公交开通\ndate: 2024-06-29\n---\n"
                    "6月28日，柘林镇至县城的18路公交正式开通，每30分钟一班。"),
}


def test_a_fact_only_the_older_article_states_is_not_replaced_by_a_change_of_another(fake_built):
    pipe = fake_built(OTHER_DOCS)
    a = pipe.ask("白沙渡口首班船是几点？", today=TODAY)  # the 2025 notice changes the fares only
    assert a.answerable and "6:10" in a.citations[0].quote and a.citations[0].status != "superseded", a.answer


def test_last_month_is_read_against_the_asking_date(fake_built):
    pipe = fake_built(OTHER_DOCS)
    a = pipe.ask("柘林镇上个月开通了哪条公交线路？", today=dt.date(2024, 7, 10))  # June 2024
    assert a.answerable and "18路" in a.citations[0].quote, a.answer
    assert not a.short_answer or "21路" not in a.short_answer


def test_a_month_and_day_without_a_year_is_told_with_the_articles_date():
    from rag.answer.dating import _relative_read
    from rag.types import Answer, Citation

    cite = Citation(1, "d", "t", "2024-07-02", "d", "图书分馆7月1日正式开馆。", 0, 12, 0, 12)
    a = _relative_read(Answer("什么时候开馆？", "图书分馆7月1日正式开馆。[1]", "7月1日", True, (cite,)), True)
    assert a.answer.startswith("据2024年7月2日报道：图书分馆") and a.short_answer == "7月1日"


CATTLE_DOCS = {
    "cattle-2023.md": ("---\ntitle: 柘口村晒出2022年成绩单\ndate: 2023-01-16\n---\n"
                       "2022年，柘口村村集体经济收入达58万元，全村养殖肉牛1200头。\n"
                       "村主任介绍，村里去年新建文化礼堂1座，今年将继续扩大肉牛养殖规模。"),
    "cattle-2025.md": ("---\ntitle: 柘口村集体经济收入突破90万元\ndate: 2025-01-18\n---\n"
                       "2024年，柘口村村集体经济收入达93万元，全村养殖肉牛1850头。"),
}


def test_the_latest_fare_when_the_newer_notice_states_two(fake_built):
    pipe = fake_built(OTHER_DOCS)
    a = pipe.ask("白沙渡口最新的票价是多少？", today=TODAY)  # 5元 and 4元 in one sentence, after its date
    assert "每人每次5元" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert not a.short_answer or "3元" not in a.short_answer


def test_a_figure_asked_with_its_measure_word_is_compared_only_with_figures_of_it(fake_built):
    pipe = fake_built(CATTLE_DOCS)
    a = pipe.ask("柘口村目前养殖肉牛多少头？", today=TODAY)
    assert "1850头" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert "1200头" in a.citations[-1].quote and a.citations[-1].status == "earlier", a.answer  # not 礼堂1座


def test_a_standard_stated_before_the_year_asked_and_changed_after_it_was_that_years(fake_built):
    pipe = fake_built(OTHER_DOCS)
    a = pipe.ask("2024年白沙渡口渡船票价每人每次多少钱？", today=TODAY)  # 3元 from 2023-05 until 2025-05-01
    assert a.answerable and "每人每次3元" in a.citations[0].quote, a.answer
    assert a.citations[0].status == "superseded" and "该标准已自2025年5月1日起调整" in a.answer
    assert a.answer.startswith("据2023年5月6日报道")


def test_a_years_figure_is_not_carried_into_the_next_year(fake_built):
    pipe = fake_built(CATTLE_DOCS)
    a = pipe.ask("2023年柘口村养殖肉牛多少头？", today=TODAY)  # 2022's and 2024's figures only
    assert not a.answerable and "最新的是" in a.answer, a.answer


def test_articles_written_after_the_asking_day_make_room_for_older_ones():
    """Asked as of 2024-06-01, the newer reports ranked first do not exist yet: the 2023 bulletin ranked
    sixth is among the passages read."""
    import datetime as _dt
    from types import SimpleNamespace

    from rag.pipeline import _written_by
    from rag.types import Chunk, Hit

    dates = {"r2026": "2026-01-16", "r2025": "2025-01-22", "b2023": "2024-03-15", "guide": None}
    idx = SimpleNamespace(document=lambda i: SimpleNamespace(date=dates[i]))
    hits = [Hit(Chunk(i, 0, 0, 1, "x"), 1.0) for i in ("r2026", "r2025", "b2023", "guide")]
    kept = _written_by(hits, idx, _dt.date(2024, 6, 1))
    assert [h.chunk.doc_id for h in kept] == ["b2023", "guide"]
    assert _written_by(hits[:2], idx, _dt.date(2020, 1, 1)) == hits[:2]  # none written yet: all kept
