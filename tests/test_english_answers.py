"""English questions answered from English pages: a sentence says in English what a Chinese one
says in fewer characters, so the cut that keeps an answer short counts them so (a Chinese-sized
limit cut "Visitors aged 60 and over can now walk in free…; until now, free entry started at 65,
and visitors aged 60 to 64 paid half price" down to its last clause); and a "how many <things>"
question is answered by the sentence that counts those things, not by one with other figures
about the same place. Issue #19, the English questions of the dev sets. Invented places and figures."""
from __future__ import annotations

import datetime as dt

from rag.answer.candidates import Candidate
from rag.answer.cut import trim
from rag.answer.focus import counted_things, counts
from rag.answer.policy import AnswerPolicy
from rag.types import Chunk, Document, Hit
from tests.helpers import hashing_pipeline


def _candidate(text: str) -> Candidate:
    doc = Document(id="d", text=text, title=None, date="2025-03-01", source="d")
    hit = Hit(chunk=Chunk("d", 0, 0, len(text), text), score=1.0)
    return Candidate(0, hit, doc, 0, len(text))


EN = ("Residents aged 65 and over can now ride the town's buses free by showing their ID card to the driver; "
      "until now, free rides started at 70, and riders aged 65 to 69 paid half fare.")
ZH = ("自2025年3月1日起，全县年满65周岁的老年人凭身份证即可免费乘坐县内公交车，此前免费乘车的年龄为70周岁，"
      "65周岁至69周岁的老年人乘车享受半价优惠，老年卡不再查验，各线路驾驶员要做好解释服务工作，"
      "乘客可拨打公交服务热线咨询，县交通运输局将对执行情况开展督查，确保政策落实到位，让老年人出行更加方便。")


def test_an_english_sentence_is_not_cut_at_a_chinese_sentences_length():
    c = _candidate(EN)
    assert len(EN) > AnswerPolicy().max_answer_chars
    at = EN.index("65 to 69")
    kept = trim(c, (at, at + 8), {"free": 1.0, "age": 1.0}, AnswerPolicy())
    assert kept.text == EN


def test_a_long_chinese_sentence_is_still_cut():
    c = _candidate(ZH)
    at = ZH.index("65周岁至69周岁")
    kept = trim(c, (at, at + 9), {"免费": 1.0}, AnswerPolicy())
    assert len(kept.text) < len(ZH) and "65周岁至69周岁" in kept.text


def test_the_things_a_question_counts():
    things = counted_things("How many certified high-tech companies does the zone have now?")
    assert things[:2] == ("companies", "company") and "企业" in things
    assert counted_things("How many households live in the village?")[0] == "households"
    assert "长者食堂" in counted_things("How many elderly canteens (长者食堂) are there now?")
    assert counted_things("How many days does it take?") == ()  # a duration, not a count of things
    assert counted_things("How much is a ticket now?") == ()


def test_a_sentence_that_counts_them():
    things = counted_things("How many certified high-tech companies does the zone have now?")
    assert counts(things, "The zone had 912 high-tech enterprises (高新技术企业) at the end of 2025.")
    assert counts(things, "年末全区有效高新技术企业达到912家。")
    assert not counts(things, "Industrial enterprises above designated size (规上工业企业) in the zone produced "
                              "104.2 billion yuan (1042亿元) of output in 2025, 6.1 billion yuan more than in 2024.")


ZONE = {
    "zone-en-2026.md": ("---\ntitle: Heshan zone's industrial output tops 104 billion yuan\ndate: 2026-01-28\n---\n"
                        "Industrial enterprises above designated size (规上工业企业) in the Heshan High-tech Zone (禾杉高新区) "
                        "produced 104.2 billion yuan (1042亿元) of output in 2025, 6.1 billion yuan more than a year earlier, "
                        "the zone's administrative committee said on January 26.\n\n"
                        "The zone had 912 high-tech enterprises (高新技术企业) at the end of 2025, up from 857 a year earlier.\n"),
}


def test_how_many_companies_is_answered_by_the_count_of_companies(tmp_path):
    p = hashing_pipeline(tmp_path, ZONE)
    for question in ("How many high-tech companies are there in the Heshan zone now?",
                     "How many certified high-tech companies does Heshan High-tech Zone have now?"):
        a = p.ask(question, today=dt.date(2026, 6, 1))
        assert a.answerable, a.answer
        assert "912" in a.answer, a.answer
        assert a.short_answer in (None, "912"), a.answer  # not the year it is counted at the end of

