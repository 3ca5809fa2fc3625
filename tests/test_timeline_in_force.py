"""A standard announced in advance is not current before it applies, and a postponement keeps the
old one in force (issue #19, fourth dev set); a 目前 sentence speaks of its article's present; a
任免 notice's removal line names no holder; a target is no value; a correction's wrong value is
never bold; a year's figure is never "replaced". Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.dating import erroneous, without_stale_short
from rag.answer.in_force import not_yet, postponements
from rag.answer.version_time import TARGET
from rag.answer.version_value import appointed
from rag.dates import Date
from rag.types import Answer, Document, ShortPart
from tests.helpers import hashing_pipeline


def _doc(text: str, date: str, doc_id: str = "d.md") -> Document:
    return Document(id=doc_id, text=text, title="", date=date, source=doc_id)


def test_a_postponement_moves_the_planned_start():
    notice = _doc("经研究，原定于2026年3月1日起执行的码头新收费标准（每车8元），现推迟至2026年9月1日起执行。"
                  "推迟期间继续执行现行标准，即每车6元。", "2026-02-10")
    found = postponements([notice])
    assert [(p.planned, p.moved) for p in found] == [(Date(2026, 3, 1), Date(2026, 9, 1))]


@pytest.mark.parametrize("text", [
    "码头新收费标准自2026年3月1日起执行，每车8元。",  # no 原定: nothing was moved
    "原定于2026年3月1日举行的龙舟赛照常举行。",  # no postponement
])
def test_no_postponement_without_both_words(text):
    assert postponements([_doc(text, "2026-02-10")]) == []


def test_a_standard_applies_only_from_its_date():
    assert not_yet(Date(2026, 9, 1), dt.date(2026, 6, 1))
    assert not not_yet(Date(2026, 9, 1), dt.date(2026, 9, 1))
    assert not not_yet(Date(2026, 9, 1), None)


@pytest.mark.parametrize("line, who", [
    ("任命邬晓川为县水利局局长；", "邬晓川"),
    ("补选邬晓川同志为镇长。", "邬晓川"),
    ("免去蓝启德的县水利局局长职务（另有任用）；", ""),
    ("蓝启德同志因到龄退休，不再担任县水利局局长职务。", ""),
    ("县水利局局长蓝启德出席活动。", None),
    ("近日，镇党委研究决定，邬晓川任镇文化站站长，蓝启德不再担任该职务。", "邬晓川"),
    ("会上宣布邬晓川接任县水利局局长，蓝启德调任县政协副主席。", "邬晓川"),
    ("经换届选举，邬晓川当选为新一届村党支部书记。", "邬晓川"),
    ("蓝启德同志不再担任县水利局局长职务；在新任局长任命前，由副局长邬晓川同志主持全面工作。", "邬晓川"),
])
def test_who_a_renmian_line_makes_the_holder(line, who):
    assert appointed(line) == who


@pytest.mark.parametrize("text, target", [
    ("力争明年村集体经济收入突破150万元。", True),
    ("今年主要预期目标是：地区生产总值增长6%左右。", True),
    ("全年村集体经济收入达到138万元。", False),
])
def test_a_target_is_no_value(text, target):
    assert (TARGET.search(text) is not None) == target


def test_the_value_a_correction_says_was_wrong_is_never_bold():
    text = "本网3月2日刊发的《我县提高助学补贴》一文中，“提高至每人每年1460元”有误，应为“提高至每人每年1640元”。"
    wrong = text.index("1460元")
    assert erroneous(text, wrong, wrong + len("1460元"))
    right = text.index("1640元")
    assert not erroneous(text, right, right + len("1640元"))
    doc = _doc(text, "2025-03-04")
    parts = (ShortPart("1460元", doc.id, wrong, wrong + 6), ShortPart("应为“提高至每人每年1640元", doc.id,
                                                                        text.index("应为"), right + 6))
    answer = Answer(question="助学补贴提高到多少？", answer=text, answerable=True,
                    short_answer="1460元；应为“提高至每人每年1640元", short_parts=parts)
    shown = without_stale_short(answer, lambda _id: doc)
    assert shown.short_answer is not None and "1460" not in shown.short_answer and "1640元" in shown.short_answer


DOCS = {
    "dock-2023.md": ("---\ntitle: 关于调整鹤汀码头停车收费标准的通知\ndate: 2023-05-20\n---\n"
                     "经研究，鹤汀码头停车收费标准调整如下：小型车每次收费6元。新标准自2023年6月1日起执行，原标准同时废止。"),
    "dock-2025.md": ("---\ntitle: 鹤汀码头停车明年起调价\ndate: 2025-10-15\n---\n"
                     "区发展和改革局发布通知，鹤汀码头停车收费标准将作如下调整：小型车每次收费8元。"
                     "新标准自2026年1月1日起执行。"),
    "dock-2025-12.md": ("---\ntitle: 关于推迟执行鹤汀码头停车新收费标准的公告\ndate: 2025-12-20\n---\n"
                        "原定于2026年1月1日起执行的鹤汀码头停车新收费标准（小型车每次收费8元），现推迟至2026年7月1日起执行。"
                        "推迟期间，继续执行现行收费标准，即小型车每次收费6元。"),
    "museum-2023.md": ("---\ntitle: 苍岩县博物馆召开2023年工作会议\ndate: 2023-03-10\n---\n"
                       "馆长介绍，2022年，苍岩县博物馆接待观众12.4万人次，举办临时展览9场。"
                       "目前苍岩县博物馆馆藏文物3260件，其中珍贵文物214件。"),
    "museum-2026.md": ("---\ntitle: 苍岩县博物馆年接待观众突破15万人次\ndate: 2026-01-20\n---\n"
                       "2025年，苍岩县博物馆接待观众15.8万人次，同比增长9%。"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("in_force"), DOCS)


def test_a_postponed_standard_is_not_current_before_its_new_date(pipe):
    a = pipe.ask("鹤汀码头停车现在小型车每次收费多少钱？", today=dt.date(2026, 3, 1))
    assert a.answerable and "6元" in a.citations[0].quote, a.answer
    assert a.short_answer is None or "8元" not in a.short_answer, a.answer


def test_a_postponed_standard_is_current_once_it_applies(pipe):
    a = pipe.ask("鹤汀码头停车现在小型车每次收费多少钱？", today=dt.date(2026, 8, 1))
    assert a.answerable and "8元" in a.citations[0].quote, a.answer


def test_a_sentence_of_its_articles_present_is_of_the_articles_year(pipe):
    a = pipe.ask("2023年的时候，苍岩县博物馆馆藏文物有多少件？", today=dt.date(2026, 3, 1))
    assert a.answerable and "3260件" in a.answer, a.answer
    b = pipe.ask("2022年苍岩县博物馆接待观众多少人次？", today=dt.date(2026, 3, 1))
    assert b.answerable and "12.4万人次" in b.citations[0].quote, b.answer


NEWER = {
    "ferry-2024.md": ("---\ntitle: 鸥汀渡口调整运营时间\ndate: 2024-04-02\n---\n"
                      "鸥汀渡口自4月1日起调整运营时间，末班船18:00开航。票价不变。"),
    "ferry-2025-en.md": ("---\ntitle: Outing ferry to sail later in the evening\ndate: 2025-06-10\n---\n"
                         "Ferry riders will get more time in the evening. From July 1, 2025, the last boat of the "
                         "Outing ferry (鸥汀渡口) will leave at 19:30 instead of 18:00, the town said on Monday. "
                         "The first boat still leaves at 7:00."),
}


@pytest.fixture(scope="module")
def newer_pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("newer"), NEWER)


def test_a_newer_article_changing_the_answers_own_figure_leads(newer_pipe):
    a = newer_pipe.ask("鸥汀渡口末班船现在几点开航？", today=dt.date(2025, 9, 1))
    assert a.short_answer == "19:30" and a.answer.index("19:30") < a.answer.index("18:00"), a.answer
    assert any(c.status == "superseded" and c.doc_id == "ferry-2024.md" for c in a.citations)


def test_a_change_announced_for_later_does_not_lead_yet(newer_pipe):
    a = newer_pipe.ask("鸥汀渡口末班船现在几点开航？", today=dt.date(2025, 6, 15))
    assert a.short_answer != "19:30", a.answer


@pytest.mark.parametrize("sentence, year", [
    ("2025年度城乡居民医保个人缴费标准为每人每年410元。", 2025),  # a standard set in advance for its 年度
    ("力争2025年村集体经济收入突破150万元。", 2024),  # a target: the article's own year
])
def test_a_year_set_in_advance_is_the_sentences_time(sentence, year):
    from rag.dates import sentence_time

    assert sentence_time(sentence, Date(2024, 9, 20)).year == year


LIST = {
    "pier-2020.md": ("---\ntitle: 鹤汀码头停车收费标准公告\ndate: 2020-05-10\n---\n"
                     "现将鹤汀码头临时停车收费标准公告如下：\n\n一、白天，小型车首小时2元。\n\n二、夜间每次收费4元。"),
    "pier-2023.md": ("---\ntitle: 关于调整鹤汀码头停车收费标准的通知\ndate: 2023-05-20\n---\n"
                     "经研究，鹤汀码头临时停车收费标准调整为：白天小型车首小时3元。新标准自2023年6月1日起执行，原标准同时废止。"),
}


def test_a_numbered_item_is_read_with_the_sentence_opening_its_list(tmp_path):
    pipe = hashing_pipeline(tmp_path, LIST)
    a = pipe.ask("原来鹤汀码头停车白天首小时多少钱？", today=dt.date(2025, 6, 1))
    assert a.answerable and "2元" in a.citations[0].quote, a.answer


RENMIAN = {
    "water-2022.md": ("---\ntitle: 苍岩县水利局部署防汛工作\ndate: 2022-05-10\n---\n"
                      "县水利局局长蓝启德在会上部署了今年的防汛工作。"),
    "renmian-2025.md": ("---\ntitle: 苍岩县人民政府关于邬晓川等同志职务任免的通知\ndate: 2025-03-02\n---\n"
                        "经县人民政府研究决定：\n\n免去蓝启德的县水利局局长职务；\n\n任命邬晓川为县水利局局长；\n\n"
                        "任命柏思宁为县林业局副局长。"),
}


def test_a_removal_line_never_names_the_holder_now(tmp_path):
    pipe = hashing_pipeline(tmp_path, RENMIAN)
    a = pipe.ask("苍岩县水利局局长是谁？", today=dt.date(2025, 6, 1))
    assert a.answerable and "邬晓川" in a.citations[0].quote, a.answer
    assert a.short_answer != "蓝启德", a.answer
