"""Answers on real-news text (found on the news dev set, eval/news_dev/): a sentence that gives only a
length of time (计划用5到7年时间…) does not answer "how much land"; a month and day (5月31日) in an
article of the year asked says that year; a question asking several things gets the sentence that
lists them; an event's edition (第12届…) need not be repeated by the answering sentence; "until when"
asks the end of what comes before it (执行到哪天). Invented places, people and figures."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rag.answer.enumeration import listed_first
from rag.answer.events import asked_event
from rag.answer.evidence import duration_unasked
from rag.answer.policy import AnswerPolicy
from rag.answer.support import _edition_of_subject
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("question, sentence", [
    ("澄岭市目前还有多少沙化土地？", "澄岭市将一地一策开展治理，计划用5到7年时间，实现全市沙化土地治理全覆盖。"),
    ("新建的污水厂能处理多少污水？", "项目建设工期约18个月，建成后将惠及周边群众。"),
])
def test_a_length_of_time_does_not_answer_an_amount(question, sentence):
    assert duration_unasked(question, sentence)


@pytest.mark.parametrize("question, sentence", [
    # another figure stands beside the length of time
    ("澄岭市目前还有多少沙化土地？", "几十年来，澄岭市沙化土地面积由1994年的3996万亩减少到2661.9万亩。"),
    # the question asks a length of time
    ("治理要用多长时间？", "计划用5到7年时间，实现全市沙化土地治理全覆盖。"),
    ("新车的质保期是多少？", "整车质保期为3年。"),
    ("项目工期多少？", "项目建设工期约18个月。"),
    ("How many working days does a new ID card take?", "办理时限由12个工作日缩短为5个工作日。"),
    # 退多少 may be answered with no figure (全额) beside the length of time
    ("保教费能退吗？退多少？", "幼儿连续离园满一个月的，当月保育教育费按月全额退还。"),
    # an age is no length of time
    ("全县现在有多少老人在领高龄津贴？", "老人年满80周岁的次月起按月发放。"),
    # a count written in words beside it
    ("全市有多少个派出所能受理？", "全市二十七个派出所均可受理，办理时限为30个工作日。"),
])
def test_a_length_of_time_may_answer(question, sentence):
    assert not duration_unasked(question, sentence)


APPOINTMENTS = {
    "appointments.md": ("---\ntitle: 澄岭市人大常委会任命柯文澜为副市长\ndate: 2023-07-28\n---\n"
                        "7月28日，澄岭市人大常委会举行会议，决定任命柯文澜为澄岭市副市长。"
                        "生于1971年的柯文澜履新后，将成为市政府领导班子中最年轻的一位。\n\n"
                        "今年上半年，澄岭市还有2位副市长职务调整。"
                        "5月31日，蔡明远接替高建国，出任澄岭市公安局局长。\n"),
}


def test_a_month_and_day_say_the_year_of_their_article(tmp_path):
    a = hashing_pipeline(tmp_path, APPOINTMENTS).ask("2023年5月底接替高建国出任澄岭市公安局局长的是谁？", today=TODAY)
    assert a.answerable and "蔡明远" in a.answer and "1971年的情况" not in a.answer, a.answer


def _cand(text, score, doc="road.md", doc_text="", date="2023-08-10"):
    return SimpleNamespace(text=text, score=score, doc=SimpleNamespace(id=doc, text=doc_text or text, date=date))


PURPOSE = "澄遂高速公路建成后，将带动沿线经过的各个县经济社会发展。"
ROUTE = "线路全长96公里，途经桐坞县，遂溪市梅岙县、石门县、岩前县，终于岩前县城南枢纽。"


def test_a_question_asking_several_things_gets_the_sentence_that_lists_them():
    ranked = [_cand(PURPOSE, 0.97), _cand("项目共设2处服务区。", 0.9), _cand(ROUTE, 0.75)]
    assert listed_first("澄遂高速公路沿线经过哪几个县？", ranked, 8, 0.3)[0].text == ROUTE


@pytest.mark.parametrize("question, ranked", [
    ("澄遂高速公路全长多少公里？", [_cand(PURPOSE, 0.97), _cand(ROUTE, 0.75)]),  # asks one thing
    ("澄遂高速公路沿线经过哪几个县？", [_cand(PURPOSE, 0.97), _cand(ROUTE, 0.6)]),  # too far below
    ("澄遂高速公路沿线经过哪几个县？", [_cand(PURPOSE, 0.97), _cand(ROUTE, 0.9, doc="other.md")]),  # another article
    ("澄遂高速公路沿线经过哪几个县？", [_cand(ROUTE, 0.97), _cand(PURPOSE, 0.9)]),  # the best one lists them
    ("澄遂高速公路沿线经过哪几个县？", [_cand(PURPOSE, 0.97, date=None), _cand(ROUTE, 0.9, date=None)]),  # an encyclopaedia's
    # no count asked: a list of two answers it
    ("澄岭办“出生一件事”要带哪些材料？", [_cand("家长只需提供出生医学证明和父母身份证，其他信息共享获取。", 0.97),
                                 _cand("出生医学证明、户口登记、医保参保登记和社保卡申领将一次性联办。", 0.9)]),
    # two asked, two given (joined by 和): not the longer list of another thing
    ("澄岭五金节由哪两家单位联合主办？", [_cand("本届五金节由澄岭市人民政府和澄岭五金行业协会联合主办。", 0.97),
                                  _cand("五金节期间将举办开幕式、博览会、技能大赛和论坛四项活动。", 0.9)]),
])
def test_the_order_stays(question, ranked):
    assert listed_first(question, ranked, 8, 0.3) == ranked


FAIR = ("第12届澄岭博览会将于8月25日至28日举办。第12届澄岭博览会以“开放合作”为主题。"
        "据介绍，第12届澄岭博览会筹备工作已基本就绪。3个综合展分别为城市展、乡村振兴展、非遗展。")


def test_an_events_edition_need_not_be_repeated_by_the_answering_sentence():
    best = _cand("3个综合展分别为城市展、乡村振兴展、非遗展。", 0.8, doc_text=FAIR)
    assert _edition_of_subject("第12届澄岭博览会的3个综合展分别是什么？", "12", best, AnswerPolicy())
    assert not _edition_of_subject("第13届澄岭博览会的3个综合展分别是什么？", "13", best, AnswerPolicy())
    assert not _edition_of_subject("澄岭博览会有12个展区吗？", "12", best, AnswerPolicy())  # a count, not an edition


@pytest.mark.parametrize("question, event", [
    ("澄岭市对受灾企业的阶段性支持措施执行到哪天？", ("执行",)),  # until when: the word before 到
    ("澄岭书展开放至几月几日？", ("开放",)),
    ("澄岭大桥什么时候完工？", ("完工",)),  # the words after the when-word, as before
    ("补贴什么时候？", ()),
])
def test_what_a_when_question_asks_the_time_of(question, event):
    assert asked_event(question) == event

