"""A neighbouring place's newer standard, written in the same words, is no newer version of the
archive's own (issue #19, fifth dev set): it neither leads nor marks the own one replaced.
Invented places and figures."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rag.answer.places import elsewhere, headline_place
from rag.answer.policy import AnswerPolicy
from tests.helpers import hashing_pipeline


@pytest.mark.parametrize("title, place", [
    ("邻川县提高困难残疾人两项补贴标准", "邻川县"),
    ("白沙镇召开村民代表大会", "白沙镇"),
    ("我县提高困难残疾人生活补贴", None),
    ("全市经济运行平稳", None),
    ("市政务服务中心下月起搬迁", None),  # 市 alone is no name
])
def test_headline_place(title, place):
    assert headline_place(title) == place


def _doc(i, title, text, date="2025-08-05"):
    return SimpleNamespace(id=f"d{i}", title=title, text=text, date=date)


def test_a_place_only_its_own_article_mentions_is_elsewhere():
    away = _doc(1, "邻川县提高补贴标准", "邻川县困难残疾人生活补贴标准提高至每人每月125元。")
    home = [_doc(2, "关于调整补贴标准的通知", "我县补贴标准调整为每人每月120元。"), _doc(3, "", "全县残疾人…")]
    q = "困难残疾人生活补贴现在每个月多少钱？"
    assert elsewhere(away, away.text, q, [away] + home)
    assert not elsewhere(away, away.text, "邻川县困难残疾人生活补贴现在多少钱？", [away] + home)  # asked for
    assert not elsewhere(away, "补贴标准提高至每人每月125元。", q, [away] + home)  # the sentence names no place
    assert not elsewhere(away, away.text, q, [away, home[0], _doc(4, "", "邻川县、青禾县两地…")])  # mentioned elsewhere
    entry = _doc(5, "南岭市第三中学", "南岭市第三中学现有两个校区。", date=None)  # an encyclopedia's entry: its subject
    assert not elsewhere(entry, entry.text, "学校有几个校区？", [entry] + home, rare=lambda place: True)


DOCS = {
    "notice-2023.md": ("---\ntitle: 关于提高困难残疾人生活补贴标准的通知\ndate: 2023-06-20\n---\n"
                       "自2023年7月1日起，我县困难残疾人生活补贴标准由每人每月80元提高至每人每月100元。"),
    "notice-2025.md": ("---\ntitle: 关于调整困难残疾人生活补贴标准的通知\ndate: 2025-06-23\n---\n"
                       "自2025年7月1日起，我县困难残疾人生活补贴标准由每人每月100元调整为每人每月120元，原标准同时废止。"),
    "linchuan-2025.md": ("---\ntitle: 邻川县提高困难残疾人生活补贴标准\ndate: 2025-08-05\n---\n"
                         "自2025年9月1日起，邻川县困难残疾人生活补贴标准提高至每人每月125元，全县约5000名残疾人受益。"),
}


def test_the_own_standard_leads_over_a_neighbours_newer_one(tmp_path):
    pipe = hashing_pipeline(tmp_path, DOCS)
    a = pipe.ask("困难残疾人生活补贴现在每个月多少钱？", today=dt.date(2026, 1, 1))
    assert a.answerable and "120元" in a.citations[0].quote, a.answer
    assert not any("120元" in c.quote and c.status == "superseded" for c in a.citations)
    assert "125" not in (a.short_answer or "")


@pytest.mark.parametrize("entity, sentence, rival", [
    ("枫林镇", "此前，蓼水镇党委书记岑东在全县换届工作推进会上介绍了该镇的做法。", True),
    ("青石村", "石门村党支部书记汪群介绍了茶旅融合的做法。", True),
    ("枫林镇", "全县各乡镇党委书记参加会议。", False),  # 乡镇: no place's name
    ("青石村", "全县12个行政村村委会换届完成。", False),
    ("枫林镇", "蓼水镇新建茶叶加工厂一座。", False),  # no post of it: the sentence may still speak of both
])
def test_another_place_named_with_its_post(entity, sentence, rival):
    from rag.answer.evidence import rival_named

    assert rival_named(entity, sentence) is rival


def test_a_verb_before_the_post_names_no_place():
    from rag.answer.evidence import rival_named

    assert not rival_named("青石村", "经选举，庞溪当选为村党支部书记，并担任村委会主任。")


def test_the_archives_counts_decide_when_known():
    away = _doc(1, "邻川县提高补贴标准", "邻川县困难残疾人生活补贴标准提高至每人每月125元。")
    mentioning = [_doc(2, "", "邻川县、青禾县两地…"), _doc(3, "", "全县残疾人…")]
    q = "困难残疾人生活补贴现在每个月多少钱？"
    assert elsewhere(away, away.text, q, [away] + mentioning, rare=lambda place: True)  # rare in the archive
    home = _doc(4, "青禾县政务服务中心办事指南", "青禾县政务服务中心设综合窗口42个。")
    assert not elsewhere(home, home.text, "政务服务中心有多少个综合窗口？", [home] + mentioning[1:] + [away],
                         rare=lambda place: False)  # the archive's own place, named by many of its articles


def test_a_place_is_rare_by_its_share_of_passages(tmp_path):
    from rag.answer.answerer import Answerer

    docs = {f"home-{i}.md": f"---\ntitle: 青禾县新闻{i}\ndate: 2024-0{1 + i % 9}-02\n---\n青禾县今年第{i}次召开会议。"
            for i in range(60)}
    docs["away.md"] = "---\ntitle: 邻川县新闻\ndate: 2024-05-02\n---\n邻川县召开会议。"
    pipe = hashing_pipeline(tmp_path, docs)
    a = Answerer(pipe.index, pipe.embedder)
    assert a.rare("邻川县") is True and a.rare("青禾县") is False
    assert Answerer(pipe.index, pipe.embedder, AnswerPolicy(rare_from=1000)).rare("邻川县") is None  # too few


def test_a_kind_of_place_is_no_name():
    from rag.answer.evidence import key_entities

    assert key_entities("县里农村居民人均可支配收入现在是多少？") == []
    assert "青石村" in key_entities("青石村村集体经济收入是多少？")


def test_a_village_whose_name_ends_like_a_kind_is_a_name():
    from rag.answer.evidence import key_entities

    assert "红山村" in key_entities("红山村2024年接待了多少游客？")


def test_a_place_name_begins_at_a_word():
    """多大岁数坐县城: 数坐县 begins inside 岁数, no county's name; 红山村 and 青禾县 do."""
    from rag.answer.evidence import key_entities

    assert key_entities("老人现在多大岁数坐县城公交免费？") == []
    assert "红山村" in key_entities("红山村现在的书记是谁？")


def test_a_neighbours_figure_told_beside_the_counties_own_is_no_version_of_it():
    from rag.answer.places import neighbours

    assert neighbours("相邻的邻川县去年地区生产总值105.3亿元。", "去年全县地区生产总值是多少？")
    assert neighbours("据了解，邻近的琮川市三级医疗机构起付标准目前为1020元。", "起付线现在多少？")
    assert not neighbours("相邻的邻川县去年地区生产总值105.3亿元。", "邻川县去年地区生产总值是多少？")
    assert not neighbours("去年全县地区生产总值92.6亿元。", "去年全县地区生产总值是多少？")



def test_a_neighbour_across_the_river_is_a_neighbour():
    from rag.answer.places import neighbours

    assert neighbours("隔江的岱川区去年地区生产总值845.9亿元，增长4.6%。", "咱们区现在一年GDP有多少？")


HEADLINED = {
    "final-2025.md": ("---\ntitle: 青石区统计局关于2024年地区生产总值最终核实数的公告\ndate: 2025-12-22\n---\n"
                      "经最终核实，2024年全区地区生产总值为774.1亿元，比上年增长5.6%。\n"),
    "economy-2026.txt": ("青石区去年地区生产总值812.6亿元\n\n青石融媒2026年1月23日讯 记者从区统计局获悉，去年全区经济运行稳中有进。\n\n"
                         "隔江的岱川区去年地区生产总值845.9亿元，增长4.6%。\n"),
}


def test_a_headlines_own_figure_stands_when_its_body_gives_only_a_neighbours(tmp_path):
    import datetime as dt

    from tests.helpers import hashing_pipeline

    a = hashing_pipeline(tmp_path, HEADLINED).ask("青石区现在一年地区生产总值多少？", today=dt.date(2026, 6, 1))
    assert a.answerable and "812.6亿元" in a.answer and "845.9" not in (a.short_answer or ""), a.answer


def test_a_sentence_that_turns_to_a_neighbour_keeps_its_own_part():
    from rag.answer.places import about_neighbour, own_part

    both = "会议通报，去年全镇一般公共预算收入24600万元，连续五年保持增长；相邻的石渠镇去年一般公共预算收入1.52亿元。"
    assert own_part(both, "麓溪镇现在一年财政收入多少？") == "会议通报，去年全镇一般公共预算收入24600万元，连续五年保持增长；"
    assert not about_neighbour(both, "麓溪镇现在一年财政收入多少？")
    assert about_neighbour("隔江的岱川区去年地区生产总值845.9亿元。", "咱们区现在一年GDP有多少？")
    assert own_part(both, "石渠镇去年财政收入多少？") == both  # the neighbour is the place asked


def test_a_bold_value_in_the_neighbours_clause_is_dropped():
    from rag.answer.dating import _neighbours_part
    from rag.types import ShortPart

    text = "会议通报，去年全镇一般公共预算收入24600万元；相邻的石渠镇去年一般公共预算收入1.52亿元。"
    theirs = ShortPart("1.52亿元", "d", text.index("1.52"), text.index("1.52") + 6)
    ours = ShortPart("24600万元", "d", text.index("24600"), text.index("24600") + 7)
    assert _neighbours_part(text, theirs, "麓溪镇现在一年财政收入多少？")
    assert not _neighbours_part(text, ours, "麓溪镇现在一年财政收入多少？")
