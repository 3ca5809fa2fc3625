"""Counts read in the measure a source writes (几本 asked, 15册 written), changes to a value written in
Chinese numerals or with 降为, a stretch of days asked (哪几天), an abbreviation asked (保教费 of
保育教育费), and a change's new value shown in bold. Issue #19, dev sets 23 and 24. Invented places,
people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import dated_candidate, hashing_pipeline

TODAY = dt.date(2026, 6, 1)


_cand = dated_candidate


# the library of an invented county: a guide of 2019, a notice of 2024 that changes the count, a bulletin
LIBRARY = {
    "library-guide-2019.md": ("---\ntitle: 沄川县图书馆读者服务指南\ndate: 2019-05-06\n---\n"
                              "借阅规则：每证可借图书5册，借期30天；到期前可到馆续借一次。\n\n"
                              "开放时间：周二至周日9:00—17:00。\n"),
    "library-rules-2024.md": ("---\ntitle: 沄川县图书馆关于调整图书借阅规则的公告\ndate: 2024-03-18\n---\n"
                              "沄图〔2024〕2号。为方便读者借阅，自2024年4月1日起，本馆图书借阅规则调整如下：一、每证借阅册数由8册提高至15册。"
                              "二、借期由30天延长至45天。原借阅规则同时废止。\n"),
    "bulletin-2025.md": ("---\ntitle: 沄川县2025年文化事业发展统计公报\ndate: 2026-03-02\n---\n"
                         "年末全县有公共图书馆1个、文化馆1个。县图书馆馆藏图书52.3万册，全年到馆读者31.6万人次。\n"),
}


def test_a_notice_that_changes_the_count_asked_leads_over_an_older_guide(tmp_path):
    docs = {k: v for k, v in LIBRARY.items() if k != "bulletin-2025.md"}
    a = hashing_pipeline(tmp_path, docs).ask("县图书馆现在一次能借几本书？", today=TODAY)
    assert a.answerable, a.answer
    assert a.citations[0].doc_id == "library-rules-2024.md", a.answer
    assert "15册" in a.answer.split("此前")[0] and a.short_answer in (None, "15册"), a.answer


def test_a_change_of_another_thing_counted_is_no_version_of_the_collection(tmp_path):
    a = hashing_pipeline(tmp_path, LIBRARY).ask("县图书馆现在一共有多少本藏书？", today=TODAY)
    assert "52.3万册" in a.answer, a.answer
    assert "15册" not in a.answer, a.answer  # the count one may borrow is no earlier size of the collection


def test_a_newer_change_to_a_value_in_chinese_numerals_replaces_the_answer():
    from rag.answer.newer import newer_change
    from rag.answer.scoring import Question

    q = Question("园区通勤班车现在开了几条线？", "园区通勤班车开了几条线？", True, "number", "园区通勤班车开了几条线？",
                 {"通勤": 1.0}, frozenset())
    old = _cand("bus-2023", "2023-03-02", "园区通勤班车线路由4条增至9条，新增人才公寓站点。")
    new = _cand("bus-2025", "2025-10-08", "一、线路由9条增至十二条，新增东湖、北港、芯谷三条线路。")
    found = newer_change(q, old, [old, new], TODAY)
    assert found is not None and found.value == "十二条", found


@pytest.mark.parametrize("question, sentence, figure", [
    ("校车现在每天拉多少个学生？", "今年秋季学期乘车学生增至318名。", "318名"),  # the figure the count came to
    ("校车现在每天拉多少个学生？", "今年秋季学期登记乘车的学生三百零六名。", "三百零六名"),  # in Chinese numerals
    ("校车现在每天拉多少个学生？", "乘车学生由231名增至318名。", None),  # 由 before it: the change's to read it
])
def test_the_count_a_thing_came_to(question, sentence, figure):
    from rag.answer.version_value import counted_figure

    assert counted_figure(question, sentence) == figure


def test_a_fee_lowered_with_jiang_wei_is_read_as_its_new_value():
    from rag.answer.change_values import changed_to, is_new_value

    text = "从9月1日起，校车乘车费由每生每学期360元降为240元，脱贫家庭学生继续免费。"
    old = text.index("360元")
    to = changed_to(text, old, old + 4)
    assert to is not None and text[to[0]:to[1]] == "240元"
    new = text.index("240元")
    assert is_new_value(text, new, new + 4) and not is_new_value(text, old, old + 4)


@pytest.mark.parametrize("question, sentence, short", [
    ("图书馆现在一次能借几本书？", "自2024年4月1日起，本馆图书借阅规则调整如下：一、每证借阅册数由8册提高至15册。", "15册"),  # 本: 册
    ("食堂一天有多少人次吃饭？", "全街道老年食堂达到19家，日均就餐1450余人次；专职网格员增至71名。", "1450余人次"),  # not 71名
    ("2021年小学报名是哪几天？", "2021年全区义务教育入学报名时间为7月6日至7月13日，家长需带孩子到学校。", "7月6日至7月13日"),
    ("小学几号开始报名？", "2021年全区义务教育入学报名时间为7月6日至7月13日。", "7月6日"),  # one day asked: one day
])
def test_the_span_of_a_count_or_a_stretch_of_days(question, sentence, short):
    from rag.answer.span import extract_short

    sp = extract_short(question, sentence)
    assert sp is not None and sentence[sp[0]:sp[1]] == short


def test_which_days_asks_for_dates_not_a_list():
    from rag.answer.span import question_type

    assert question_type("今年小学报名是哪几天？") == "date"
    assert question_type("报名要带哪几样材料？") == "list"


def test_a_two_character_abbreviation_is_mentioned_by_its_full_form():
    from rag.answer.evidence import mentions

    assert mentions("当月保育教育费按月全额退还", "保教")
    assert mentions("城乡居民医疗保险参保人数", "医保")
    assert not mentions("当月伙食费按实际就餐天数结算", "保教")
    assert not mentions("保安巡逻到晚上十点，教室锁门", "保教")  # too far apart for one word


def test_an_abbreviated_fee_asked_is_answered_from_its_full_name(tmp_path):
    docs = {"kg-qa-2025.md": ("---\ntitle: 沄川县公办幼儿园收费政策问答\ndate: 2025-08-20\n---\n"
                              "问：幼儿请病假一个多月，费用怎么算？\n\n"
                              "答：幼儿因病因事连续离园满一个月的，当月保育教育费按月全额退还，伙食费按实际就餐天数结算。\n"),
            "kg-news-2025.md": ("---\ntitle: 沄川县新增公办学位\ndate: 2025-09-01\n---\n"
                                "今年秋季全县新增公办幼儿园学位1260个，公办园在园幼儿占比达到62%。\n")}
    a = hashing_pipeline(tmp_path, docs).ask("孩子生病一个多月没去幼儿园，保教费能退吗？", today=TODAY)
    assert a.answerable and "全额退还" in a.answer, a.answer


@pytest.mark.parametrize("sentence, own", [
    ("答：标准由各市自定，岚泽市今年低保家庭取暖补贴为每户1760元，但其供暖价格也高于我市。", "答：标准由各市自定，"),
    ("我市起步价为9元，比岚泽市低1元。", "我市起步价为9元，"),
    ("今年全市新增就业1.2万人，我市排名全省第一。", None),  # 全市 is no other city
    ("今冬我市居民供暖价格为23.4元。", None),
    ("记者从市人社局获悉，2022年，我市城乡居民基础养老金提高至每人每月196元。", None),  # 记者从 is no place
    ("今年以来，我市在社区、集贸市场周边建起零工驿站二十六家。", None),  # 集贸市场 is no city
])
def test_a_place_named_beside_our_own_is_another(sentence, own):
    from rag.answer.places import neighbours, own_part

    asked = "今年低保户的取暖补贴一户多少钱？"
    assert neighbours(sentence, asked) == (own is not None)
    assert own_part(sentence, asked) == (own or sentence)


def test_the_amount_a_price_rose_by_is_no_price():
    from rag.answer.span import changed_by, net_change

    text = "从今年供暖期起，我市居民供暖价格每平方米上调4.1元。"
    at = text.index("4.1")
    assert changed_by(text, at) and net_change(text, at)
    level = "居民供暖价格上调至27.3元/平方米。"
    assert not changed_by(level, level.index("27.3"))


@pytest.mark.parametrize("question, sentence, short", [
    ("一年新铺多少公里供热管网？", "去年全市新增供热管网48.2公里，集中供热面积达到5120万平方米。", "48.2公里"),
    ("供热面积多少万平方米？", "去年全市新增供热管网48.2公里，集中供热面积达到5120万平方米。", "5120万平方米"),
])
def test_the_unit_asked_picks_the_figure(question, sentence, short):
    from rag.answer.span import extract_short

    sp = extract_short(question, sentence, "number")
    assert sp is not None and sentence[sp[0]:sp[1]] == short


def test_newly_laid_asks_for_the_yearly_addition():
    from rag.answer.span import asks_change

    assert asks_change("市里一年新铺多少公里暖气管道？")
    assert not asks_change("市里一共有多少公里暖气管道？")
    assert asks_change("By how much did the heating price go up in 2023?")
    assert not asks_change("What is the heating price per square metre now?")


def test_a_price_per_unit_with_a_slash_speaks_of_the_price_per_unit():
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import Question
    from rag.answer.version_value import cover

    q = Question("供暖价格每平方米多少钱？", "供暖价格每平方米多少钱？", True, "number", "供暖价格每平方米多少钱？",
                 {"供暖": 1.0, "价格": 1.0, "每平方米": 1.0}, frozenset({"供暖", "价格", "每平", "平方", "方米"}))
    slash, per = "答：居民供暖价格为27.3元/平方米。", "居民供暖价格为每平方米27.3元。"
    assert cover(q, slash, AnswerPolicy()) == cover(q, per, AnswerPolicy())


def test_the_past_asked_is_the_value_a_change_replaced(tmp_path):
    docs = {"stop-heat-2024.md": ("---\ntitle: 不在家住，暖气能网上报停了\ndate: 2024-10-28\n---\n"
                                  "与过去相比，报停材料由4项减为2项；办理时限由7个工作日缩短为2个工作日。\n\n"
                                  "居民打开小程序上传身份证，热力公司工作人员将在2个工作日内上门关阀。\n"),
            "stop-heat-2025.md": ("---\ntitle: 供热报停问答\ndate: 2025-10-20\n---\n"
                                  "答：在小程序提交身份证和缴费户号即可，2个工作日内办结。\n")}
    pipe = hashing_pipeline(tmp_path, docs)
    a = pipe.ask("以前报停暖气要几个工作日才能办完？", today=TODAY)
    assert a.answerable and a.short_answer == "7个工作日", a.answer
    now = pipe.ask("现在报停暖气要几个工作日才能办完？", today=TODAY)
    assert now.short_answer in (None, "2个工作日"), now.answer


def test_a_group_asked_is_not_answered_by_its_complement():
    from rag.answer.support import _the_others

    asked = "调整前居民供暖价格每平方米多少钱？"
    assert _the_others(asked, "非居民供暖价格同步调整为38元/平方米。")
    assert not _the_others(asked, "居民供暖价格仍为26.4元/平方米，非居民供暖价格仍为38元/平方米。")  # both named
    assert not _the_others("非居民用暖每平方米多少钱？", "非居民供暖价格同步调整为38元/平方米。")  # the complement asked


def test_a_raise_beside_the_level_shows_the_level(tmp_path):
    """The reader, fairly sure, marks the raise (提高22元) beside the level (达到241元): the level is shown."""
    from rag.answer.scoring import Question
    from rag.answer.short import misread
    from rag.answer.span import extract_short

    text = "城乡居民基础养老金每人每月提高22元、达到241元；地铁末班车延后至23:10。"
    q = Question("基础养老金现在每个月发多少？", "基础养老金每个月发多少？", True, "number", "基础养老金每个月发多少？",
                 {"养老金": 1.0}, frozenset())
    raise_at = text.index("22元")
    assert misread(q, text, raise_at, raise_at + 3)
    sp = extract_short(q.span_q, text, "number")
    assert text[sp[0]:sp[1]] == "241元"


def test_the_old_value_a_newer_article_tells_as_before_is_no_earlier_change():
    from rag.answer.policy import AnswerPolicy
    from rag.answer.timeline import Version, _replaced
    from rag.dates import Asked, Date

    change = _cand("bus-fee-2021", "2021-08-30", "从9月1日起，校车乘车费由每生每学期360元降为240元，脱贫家庭学生继续免费。")
    free = _cand("bus-free-2024", "2024-08-29", "此前每生每学期240元。")
    asked = Asked("past", words="以前")
    versions = [Version(change, Date(2021, 9, 1), "240元")]
    _, tl = _replaced(asked, versions, [change], AnswerPolicy())
    assert tl.lead is change and tl.lead_value == "360元"  # nothing newer: the value the change replaced
    _, tl = _replaced(asked, versions, [change, free], AnswerPolicy())
    assert tl.lead is None  # 240元 is itself told as the old way in 2024: 360元 is not the one before now
