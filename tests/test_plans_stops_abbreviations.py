"""A plan asked for (今年计划…多少), a charge or payment a newer notice ended (不再收取, 不再执行), an
abbreviation asked (保租房 of 保障性租赁住房), a count of items (几样材料), a headline in traditional
characters, a village named with its town, and one article's sentences read as one version. Issue #19,
dev sets 25 and 26. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import dated_candidate, hashing_pipeline

TODAY = dt.date(2026, 6, 1)


_cand = dated_candidate


# an invented city's renovation of old housing estates: a plan told each year, and a year's result
ESTATES = {
    "estates-2020.md": ("---\ntitle: 今年改造老旧小区41个\ndate: 2020-04-16\n---\n"
                        "今年，全市计划改造老旧小区41个，涉及居民8830户，首批15个小区已进场施工。\n"),
    "bureau-2026.md": ("---\ntitle: 住建局局长谈城市更新\ndate: 2026-04-09\n---\n"
                       "市住建局局长介绍，今年全市计划改造老旧小区77个，重点解决加装电梯、停车难和管网老化问题，"
                       "同步推进海绵城市建设和背街小巷整治。\n"),
    "report-2026.md": ("---\ntitle: 政府工作报告\ndate: 2026-01-14\n---\n"
                       "2025年，全市改造老旧小区六十六个，惠及居民1.9万户。\n"),
}


def test_a_plan_asked_for_is_this_years_plan(tmp_path):
    a = hashing_pipeline(tmp_path, ESTATES).ask("今年计划改造多少个老旧小区？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "bureau-2026.md", a.answer
    assert a.short_answer in (None, "77个"), a.answer
    assert "41个" not in (a.short_answer or ""), a.answer


def test_a_figure_reached_is_still_not_answered_by_a_plan(tmp_path):
    a = hashing_pipeline(tmp_path, ESTATES).ask("现在一年能改造多少个老旧小区？", today=TODAY)
    assert a.short_answer in (None, "六十六个"), a.answer
    assert "77个" not in (a.short_answer or ""), a.answer


# an invented county's land-transfer service fee, charged in 2020 and ended by a notice of 2022
FEES = {
    "service-center-2020.md": ("---\ntitle: 县农村产权交易服务中心挂牌\ndate: 2020-10-16\n---\n"
                               "中心设立土地流转服务窗口，提供合同签订和交易鉴证服务，流转交易服务费按每亩每年3元收取。\n"),
    "fee-notice-2022.md": ("---\ntitle: 关于免收土地经营权流转交易服务费的通知\ndate: 2022-06-20\n---\n"
                           "澜农发〔2022〕9号。经县人民政府同意，自2022年7月1日起，县、乡两级产权交易窗口办理土地经营权"
                           "流转合同签订和鉴证，一律不再收取服务费。原按流转面积收取交易服务费的规定同时废止。\n"),
}


def test_a_charge_a_newer_notice_ended_is_not_the_answer_now(tmp_path):
    a = hashing_pipeline(tmp_path, FEES).ask("土地流转签合同，现在交多少服务费？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "fee-notice-2022.md", a.answer
    assert "不再收取服务费" in a.answer.split("此前")[0], a.answer
    assert a.short_answer != "3元", a.answer


def test_before_the_notice_the_charge_is_still_the_answer(tmp_path):
    a = hashing_pipeline(tmp_path, FEES).ask("土地流转签合同，交多少服务费？", today=dt.date(2021, 6, 1))
    assert "3元" in a.answer, a.answer


def test_a_notice_ending_a_payment_by_name_ends_it():
    from rag.answer.changes import stops_charge

    ended = _cand("rice-2024", "2023-12-20", "经县人民政府同意，县级早稻种植补贴自2024年1月1日起不再执行，"
                  "原《早稻种植补贴办法》同时废止。")
    rule = _cand("rice-2024", "2023-12-20", "原《澜溪县早稻种植补贴办法》（澜农发〔2020〕6号）同时废止。")
    other = _cand("report-2024", "2024-01-11", "全县早稻种植面积达到12.4万亩，早稻种植补贴每亩50元。")
    assert stops_charge(ended)
    assert not stops_charge(rule)  # only a rule's title: its notice's other sentence says what ended
    assert not stops_charge(other)


@pytest.mark.parametrize("query, texts, spelled", [
    ("保租房现在一年能筹集多少套？", ["全年筹集保障性租赁住房6130套。", "保障性租赁住房租金为每平方米21元。"],
     "保障性租赁住房现在一年能筹集多少套？"),
    ("保租房租金多少？", ["保障性租赁住房租金为21元。", "保障性租赁住房交付。", "有的保租房租金较低。"],
     "保障性租赁住房租金多少？"),  # the texts write the full form more often
    ("保租房租金多少？", ["有的保租房租金较低。", "保障性租赁住房交付。"], "保租房租金多少？"),  # as often as asked
    ("在县医院挂号多少钱？", ["县人民医院门诊楼启用。", "县人民医院院长介绍。"], "在县医院挂号多少钱？"),  # another name
    ("2019年街道改造了几个？", ["2019年芷园街道完成改造6个。"], "2019年街道改造了几个？"),  # 年 is the figure's
    ("想申请公租房去哪？", ["全年新开工商品房1.2万套。"], "想申请公租房去哪？"),  # no full form there
])
def test_an_abbreviation_asked_is_spelled_out_as_the_texts_write_it(query, texts, spelled):
    from rag.answer.abbreviated import spelled_out

    assert spelled_out(query, texts) == spelled


def test_an_abbreviation_asked_finds_the_figure_under_its_full_name(tmp_path):
    docs = {"report-2026.md": ("---\ntitle: 政府工作报告\ndate: 2026-01-14\n---\n"
                               "2025年，全市筹集保障性租赁住房6130套，改造老旧小区六十六个。\n"),
            "report-2024.md": ("---\ntitle: 政府工作报告\ndate: 2024-01-17\n---\n"
                               "2023年，全市筹集保障性租赁住房4870套。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("保租房现在一年能筹集多少套？", today=TODAY)
    assert a.answerable and a.short_answer in (None, "6130套") and "6130套" in a.answer, a.answer


def test_a_count_of_items_asks_for_a_number():
    from rag.answer.span import extract_short, question_type

    assert question_type("现在农业保险理赔要准备几样材料？") == "number"
    sentence = "理赔材料由原来的5项减少为2项：身份证和银行卡，其他信息由系统自动比对，24小时内受理。"
    sp = extract_short("现在理赔要准备几样材料？", sentence, "number")
    assert sp is not None and sentence[sp[0]:sp[1]] == "2项"


def test_a_headline_in_traditional_characters_names_its_place(tmp_path):
    docs = {"tuoguan-2023.md": ("---\ntitle: 澜溪县种粮大户补贴发放到位\ndate: 2023-11-02\n---\n"
                                "石坂乡党委书记介绍，全乡土地托管面积达到1.4万亩，外出务工农户的地交给合作社统一耕种。\n"),
            "tuoguan-tw-2025.md": ("---\ntitle: 石坂鄉：稻田「託管」走出新路子\ndate: 2025-10-20\n---\n"
                                   "石坂鄉位於澜溪縣西南部，是全縣有名的產糧鄉。\n\n"
                                   "如今，全鄉土地託管面積已達2.3萬畝，農戶把地交給合作社，從耕到收一條龍服務。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("石坂乡现在交给合作社托管的地有多少？", today=TODAY)
    assert a.citations and a.citations[0].doc_id == "tuoguan-tw-2025.md", a.answer
    assert "1.4万亩" not in (a.short_answer or ""), a.answer


def test_a_village_named_with_its_town_is_the_place_asked():
    from rag.answer.places import elsewhere
    from rag.types import Document

    doc = Document("village-2021", "…", "青浦镇柳汀村：稻田里养出稻花鱼", "2021-07-14", "village-2021.md")
    others = [Document("a", "柳汀村的鱼", "", "2022-01-01", "a.md"), Document("b", "县里的米", "", "2022-01-01", "b.md")]
    sentence = "正是稻花飘香的时节，青浦镇柳汀村1380亩稻渔共养基地里，不时有鱼跃出水面。"
    assert not elsewhere(doc, sentence, "柳汀村的稻渔共养基地有多大？", [doc] + others, rare=lambda name: True)
    assert elsewhere(doc, sentence, "石坂乡的稻渔共养基地有多大？", [doc] + others, rare=lambda name: True)


def test_one_articles_sentences_are_one_version():
    from rag.answer.timeline import Version, _best_of_article
    from rag.dates import Date

    text = ("Since January 1, 2025, a home buyer who is the only contributor can borrow up to 640,000 yuan. "
            "Loan applications are handled at the service hall at 88 Qingshan Road.")
    rule = Version(_cand("loan-en-2025", "2025-01-20", text[:92]), Date(2025, 1, 1), "…640,000 yuan.")
    hall = Version(_cand("loan-en-2025", "2025-01-20", text[93:]), Date(2025, 1, 20), "Loan applications…")
    rent = Version(_cand("rent-en-2024", "2024-04-02", "From April 1, 2024, renters can take out up to 1,320 yuan."),
                   Date(2024, 4, 1), "…1,320 yuan.")
    assert _best_of_article(hall, [rule, hall, rent]) is rule  # the better-ranked sentence of the newest article
    later = Version(_cand("rent-en-2025", "2025-01-10", "From January 10, 2025, renters can take out 1,470 yuan."),
                    Date(2025, 1, 10), "…1,470 yuan.")
    assert _best_of_article(hall, [rule, hall, later]) is hall  # January 1 is not newer than January 10


def test_a_newer_article_that_says_a_paper_is_needed_no_more_answers_still_needed(tmp_path):
    docs = {"interview-2021.md": ("---\ntitle: 访市住房公积金管理中心主任\ndate: 2021-07-15\n---\n"
                                  "主任说，目前租房提取仍需到窗口提交租房合同、租金发票、无房证明等5份材料，5个工作日内办结。\n"),
            "online-2022.md": ("---\ntitle: 租房提取公积金可以掌上办了\ndate: 2022-05-16\n---\n"
                               "从5月16日起，无房职工租房提取住房公积金可以在小程序在线申请。\n\n"
                               "线上申请只需上传身份证、租房合同、银行卡3份材料，无需再提交无房证明，中心在线核查住房情况。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("租房提取现在还要去开无房证明吗？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "online-2022.md", a.answer
    assert "无需再提交无房证明" in a.answer.split("此前")[0], a.answer


def test_a_guides_title_is_no_answer_to_where_to_apply(tmp_path):
    docs = {"guide-2022.md": ("---\ntitle: 河沅市保障性租赁住房申请办事指南\ndate: 2022-08-15\n---\n"
                              "# 河沅市保障性租赁住房申请办事指南\n\n"
                              "申请对象：在本市工作、本人及配偶在本市无自有住房的新市民、青年人。\n\n"
                              "申请方式：通过“河沅安居”小程序在线申请，或到所在区住房保障窗口申请。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("想申请保障性租赁住房，现在去哪申请？", today=TODAY)
    assert "河沅安居" in a.answer, a.answer


def test_a_paragraph_that_opens_with_the_project_is_read_with_the_project_named_before(tmp_path):
    docs = {"keys-2025.md": ("---\ntitle: 首批新市民领到钥匙\ndate: 2025-10-15\n---\n"
                             "10月14日，柳岸苑保障性租赁住房项目举行交付仪式，首批180户新市民领到了钥匙。\n\n"
                             "该项目共588套，以60平方米以下的小户型为主，配有公共厨房和自习室。\n"),
            "launch-2021.md": ("---\ntitle: 保障性租赁住房启动筹集\ndate: 2021-10-12\n---\n"
                               "截至目前，全市已筹集保障性租赁住房2050套，年内计划筹集3000套。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("柳岸苑那个保障性租赁住房项目一共有多少套？", today=TODAY)
    assert "588套" in a.answer and "2050套" not in (a.short_answer or ""), a.answer


def test_a_count_cut_is_a_change_from_the_old_to_the_new():
    from rag.answer.change_values import changed_from, changed_to

    text = "理赔材料由原来的5项减少为2项：身份证和银行卡。"
    old = text.index("5项")
    assert changed_from(text, old, old + 2)
    to = changed_to(text, old, old + 2)
    assert to is not None and text[to[0]:to[1]] == "2项"


@pytest.mark.parametrize("question, shown", [
    ("原来理赔要交几样材料？", None),  # the reader marks the whole change: which change 原来 means is not said
    ("现在理赔要交几样材料？", "3项"),  # for now: cut to the new value the rules mark
])
def test_a_change_marked_whole_by_the_reader_is_cut_to_the_value_asked(question, shown):
    from rag.answer import reading
    from rag.answer.candidates import Candidate
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import Question
    from rag.answer.span import question_type
    from rag.types import Document

    doc = Document("t", "理赔材料由原来的6项减少为3项：身份证和银行卡。", None, None, "t.txt")
    q = Question(question, question, True, question_type(question), question, {}, frozenset())
    best = Candidate(0, None, doc, 0, len(doc.text))
    s = doc.text.index("6项减少为3项")
    best.read = (s, s + len("6项减少为3项"), 0.5)
    v = reading.verdict(None, q, best, AnswerPolicy())
    assert (v.text(best) if v.sure else None) == shown


def test_a_newer_change_of_a_count_does_not_replace_a_dates_figure():
    from rag.answer.newer import newer_change
    from rag.answer.scoring import Question

    q = Question("临时号牌有效期到哪天？", "临时号牌有效期到哪天？", True, "date", "临时号牌有效期到哪天？",
                 {"临时": 1.0, "号牌": 1.0}, frozenset())
    old = _cand("plate-2023", "2023-06-12", "临时号牌有效期至2024年4月30日，期满后不得上道路行驶。")
    new = _cand("plate-2025", "2025-02-20", "自2025年3月1日起，电动自行车登记申请材料由4项减少为2项。")
    assert newer_change(q, old, [old, new], TODAY) is None  # the 4 of 4月 is no 4项
    count = Question("上牌要带几项材料？", "上牌要带几项材料？", True, "number", "上牌要带几项材料？",
                     {"上牌": 1.0, "材料": 1.0}, frozenset())
    older = _cand("plate-2023", "2023-06-12", "上牌需带身份证、发票等4项材料。")
    found = newer_change(count, older, [older, new], TODAY)
    assert found is not None and found.value == "2项", found
