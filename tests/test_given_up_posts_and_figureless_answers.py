"""A question that says which post its person gave up (不当民政局局长以后干什么去了) asks the new post, whose
sentence need not name the old one; a newer notice that changes a figure of an answer whose short
span holds none (满6年以后，每两年… against 免检期限由6年延长至10年); a post the same article takes away;
the years someone served; a December notice's 自1月1日起. Issue #19, dev sets 29-32. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)

# an invented county's bureau heads: a head moved to another bureau
HEADS = {
    "visit-2021.md": ("---\ntitle: 县民政局走访高龄老人\ndate: 2021-10-12\n---\n"
                      "重阳节前夕，县民政局局长柯望舒一行来到杉坞乡，看望百岁老人，为她送去慰问金。\n"),
    "renmian-2024.md": ("---\ntitle: 沅溪县人民政府关于晏清禾等同志职务任免的通知\ndate: 2024-02-06\n---\n"
                        "各乡镇人民政府，县政府各部门：\n\n经县人民政府研究决定：\n\n"
                        "任命晏清禾为县民政局局长；\n\n任命柯望舒为县医疗保障局局长；\n\n免去柯望舒的县民政局局长职务。\n"),
    "allowance-2025.md": ("---\ntitle: 高龄津贴提标\ndate: 2025-03-02\n---\n"
                          "县民政局局长晏清禾介绍，今年起全县高龄津贴标准提高。\n"),
}


def test_the_post_given_up_is_no_word_the_new_posts_sentence_must_hold():
    from rag.answer.posts import subject_only
    from rag.answer.scoring import Question

    q = Question(asked="", query="柯望舒不当民政局局长以后干什么去了？", zh=True, kind=None, span_q="",
                 terms={"柯望舒": 3.0, "民政局": 1.4, "局长": 2.2, "不当": 4.0, "干什么": 4.0}, bigrams=frozenset())
    checked = subject_only(q)
    assert set(checked.terms) == {"柯望舒"}
    assert "民政局" not in checked.query


def test_the_new_post_of_one_who_gave_up_the_old(tmp_path):
    a = hashing_pipeline(tmp_path, HEADS).ask("柯望舒不当民政局局长以后干什么去了？", today=TODAY)
    assert a.answerable, a.answer
    assert a.short_answer in (None, "县医疗保障局局长"), a.answer
    assert "医疗保障局局长" in a.answer.split("此前")[0], a.answer


# an invented city's inspection-free years for private cars: extended by a later notice
CARS = {
    "inspection-2019.md": ("---\ntitle: 私家车6年内免上线检测\ndate: 2019-09-03\n---\n"
                           "新买的私家车到底什么时候要去检测站？注册登记6年以内的非营运小型、微型载客汽车免予上线检验，"
                           "每两年申领检验标志即可；满6年以后，每两年上线检验一次。\n"),
    "inspection-2022.md": ("---\ntitle: 关于调整机动车免检政策的公告\ndate: 2022-09-20\n---\n"
                           "自2022年10月1日起，注册登记10年以内的非营运小型、微型载客汽车免予上线检验，"
                           "免检期限由6年延长至10年。\n"),
}


def test_a_newer_change_of_a_figure_the_short_span_does_not_hold():
    from rag.answer.newer import _figures

    assert _figures("自2022年10月1日起，满6年以后，每两年上线检验一次。") == {"6"}  # its date's figures left out


def test_the_extended_period_leads(tmp_path):
    a = hashing_pipeline(tmp_path, CARS).ask("新买的私家车现在几年之内不用上线检测？", today=TODAY)
    assert a.answerable, a.answer
    assert "10年" in a.answer.split("此前")[0], a.answer
    assert a.short_answer in (None, "10年"), a.answer


# an invented city's bureau head moved on: the article that appoints his successor recalls his years in the post
MOVED = {
    "head-2022.md": ("---\ntitle: 任命通知\ndate: 2022-03-30\n---\n"
                     "会议经表决，任命温砚秋为市城市管理局局长；免去甘北辰的市城市管理局局长职务。\n"),
    "head-2025.md": ("---\ntitle: 市人大常委会任免一批干部\ndate: 2025-08-28\n---\n"
                     "会议经表决，任命岑知远为市城市管理局局长，任命温砚秋为市住房和城乡建设局局长；"
                     "免去温砚秋的市城市管理局局长职务。\n\n岑知远此前任市园林绿化服务中心主任。"
                     "温砚秋担任市城市管理局局长三年多，推动了供热报停掌上办。\n"),
}


def test_a_post_the_same_article_takes_away_is_not_held_now(tmp_path):
    a = hashing_pipeline(tmp_path, MOVED).ask("温砚秋现在担任什么职务？", today=TODAY)
    assert a.answerable, a.answer
    assert a.short_answer in (None, "市住房和城乡建设局局长"), a.answer
    assert "市住房和城乡建设局局长" in a.answer.split("此前（")[0], a.answer


def test_a_post_given_before_the_article_is_held():
    from rag.answer.posts import gives_post

    assert gives_post("甘北辰", "甘北辰此前已被任命为区发展和改革局局长。") == "区发展和改革局局长"
    assert gives_post("甘北辰", "甘北辰曾被任命为区发展和改革局局长。") is None  # held once, not now


def test_years_someone_served_are_no_duration_of_a_service():
    from rag.answer.evidence import duration_in

    assert duration_in("馆长在县图书馆工作二十余年，推动了免押金借阅。") is None
    assert duration_in("借期由30天延长至45天，到期前可续借一次。") == "45天"


# an invented county library's loan period: a 2021 notice keeps it, a 2024 notice lengthens it; a 2024 profile
# of the librarian tells his years there
LOANS = {
    "library-2021.md": ("---\ntitle: 县图书馆借阅规则调整\ndate: 2021-06-21\n---\n"
                        "二、每证借阅册数由4册提高至7册，借期仍为30天。\n"),
    "library-2024.md": ("---\ntitle: 县图书馆关于调整图书借阅规则的公告\ndate: 2024-04-22\n---\n"
                        "自2024年5月1日起，本馆图书借阅规则调整如下：一、每证借阅册数由7册提高至14册。"
                        "二、借期由30天延长至45天，到期前可续借一次。\n"),
    "librarian-2024.md": ("---\ntitle: 老馆长退休\ndate: 2024-04-30\n---\n"
                          "柯守拙在县图书馆工作二十余年，任馆长期间推动了免押金借阅和延时开放。\n"),
}


def test_the_loan_period_now(tmp_path):
    a = hashing_pipeline(tmp_path, LOANS).ask("在县图书馆借的书现在能借多长时间？", today=TODAY)
    assert a.answerable, a.answer
    assert "45天" in a.answer.split("此前")[0] and "二十余年" not in a.answer, a.answer


def test_a_december_notice_applies_from_the_coming_january():
    from rag.dates import supersession
    from rag.dates.parse import Date

    said = supersession("经县人民政府同意，自1月1日起，大病保险起付标准由15000元降至12600元。", Date(2022, 12, 20))
    assert said is not None and said.effective == Date(2023, 1, 1)
    assert supersession("自3月1日起执行。", Date(2022, 4, 10)).effective == Date(2022, 3, 1)  # a month gone by this year
    assert supersession("自2022年1月1日起执行。", Date(2022, 12, 20)).effective == Date(2022, 1, 1)  # its year written
