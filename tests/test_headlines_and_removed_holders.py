"""A dated article's short headline is said before each of its sentences (某集团总经理调整 over 经研究决定，
张三任…总经理): its words count for them, so that a newer article whose headline names the whole subject
is not read as naming none of it. And a sentence that names only someone its own article removes from
the post asked (李四自2016年起担任局长, beside 免去李四的局长职务) does not answer who holds it.
Issue #19, dev sets 18-20. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

from rag.answer.span import removed
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


def _leading(tmp_path, docs: dict[str, str], question: str, today: dt.date = TODAY):
    """The answer over `docs`, and its leading part (before the earlier value it adds: 此前…)."""
    a = hashing_pipeline(tmp_path, docs).ask(question, today=today)
    assert a.answerable, a.answer
    return a, a.answer.split("此前")[0]

WATER = {
    "gm-2022.md": ("---\ntitle: 鹭川水务集团领导班子调整 钭明哲任总经理\ndate: 2022-03-15\n---\n"
                   "3月14日，鹭川水务集团有限公司召开干部大会，宣布关于集团领导班子调整的决定：任命钭明哲为鹭川水务集团"
                   "有限公司总经理；宦志平任集团党委书记、董事长，免去其总经理职务。\n\n"
                   "宦志平自2015年起担任水务集团总经理，任内完成了城区供水管网改造。\n"),
    "water-2020.md": ("---\ntitle: 鹭川水务集团总经理宦志平：城区供水管网改造年内完工\ndate: 2020-05-08\n---\n"
                      "鹭川水务集团总经理宦志平告诉记者，城区供水管网改造年内完工。\n\n"
                      "水务集团总经理宦志平介绍，集团今年新建加压泵站2座。\n\n"
                      "宦志平说，水务集团将继续做好夏季供水保障。\n"),
    "gm-2025.txt": ("鹭川水务集团总经理调整\n\n鹭川融媒 2025年10月9日讯 记者从市国资委获悉，经研究决定，訾若晴任鹭川"
                    "水务集团有限公司总经理；钭明哲不再担任鹭川水务集团有限公司总经理职务，已任市住建局副局长。\n\n"
                    "当天下午，水务集团召开干部大会，集团党委书记、董事长宦志平主持会议。\n"),
}

FOREST = {
    "appoint-2021.txt": ("县人大常委会表决通过人事任免事项\n\n鹭川融媒 2021年9月8日讯 今天，县人大常委会举行会议，表决通过"
                         "有关人事任免事项。\n\n会议决定：任命芮书禾为鹭川县林业局局长，任命仝启明为鹭川县统计局局长；"
                         "免去仝启明的鹭川县林业局局长职务。\n\n芮书禾此前任县自然资源局副局长。仝启明自2016年起担任县林业局"
                         "局长，任内完成了全县公益林补偿提标。\n"),
}


def test_a_newer_article_whose_short_headline_names_the_post_answers_who_holds_it(tmp_path):
    a, lead = _leading(tmp_path, WATER, "水务集团现在谁当总经理？")
    assert "訾若晴" in lead, a.answer
    assert a.short_answer in (None, "訾若晴"), a.answer


def test_someone_the_article_removes_from_the_post_is_not_read_as_holding_it():
    text = FOREST["appoint-2021.txt"]
    assert removed("仝启明", text, "局长") and not removed("芮书禾", text, "局长")
    assert not removed("仝启明", "仝启明不再担任县林业局副局长。", "书记")


def test_who_holds_a_post_is_not_answered_by_the_one_removed_from_it(tmp_path):
    a = hashing_pipeline(tmp_path, FOREST).ask("县林业局局长是谁？", today=dt.date(2023, 6, 1))
    assert a.answerable and "芮书禾" in a.citations[0].quote, a.answer
    assert a.short_answer in (None, "芮书禾"), a.answer


def test_the_person_appointed_to_the_post_asked_is_the_short_answer():
    from rag.answer.span import extract_short

    line = "会议决定：任命芮书禾为鹭川县林业局局长，任命仝启明为鹭川县统计局局长；免去仝启明的鹭川县林业局局长职务。"
    s, e = extract_short("县林业局局长是谁？", line, "person")
    assert line[s:e] == "芮书禾"
    s, e = extract_short("县统计局局长是谁？", line, "person")
    assert line[s:e] == "仝启明"


def test_a_numbered_item_is_about_what_its_lists_opening_names():
    from rag.answer.candidates import list_subject
    from rag.answer.scoring import Candidate

    text = "为方便职工返程，经研究，自10月8日起，鹭川港区通勤班车作如下调整：\n\n一、线路由6条增至十一条。\n"
    at = text.index("一、")
    c = Candidate(0, None, type("D", (), {"text": text})(), at, len(text) - 1)
    assert "通勤班车作如下调整" in list_subject(c)
    c = Candidate(0, None, type("D", (), {"text": text})(), 0, at - 2)
    assert list_subject(c) == ""


SHUTTLE = {
    "shuttle-2021.md": ("---\ntitle: 鹭川港区通勤班车今天开通 首批3条线路\ndate: 2021-09-06\n---\n"
                        "9月6日早上7点，第一辆鹭川港区通勤班车从港前路首末站驶出，鹭川港区通勤班车正式开通。\n\n"
                        "鹭川港区通勤班车首批开通3条线路，串联港区主要企业。\n\n"
                        "班车只在工作日运行，早班发车时间为7:00—8:10。\n"),
    "shuttle-2023.md": ("---\ntitle: 鹭川港区通勤班车线路增至6条\ndate: 2023-03-02\n---\n"
                        "自2023年3月6日起，鹭川港区通勤班车线路由3条增至6条，新增人才公寓等站点。\n\n"
                        "开通以来，鹭川港区通勤班车日均客流约1500人次。\n\n"
                        "鹭川港区通勤班车每次2元，可扫码乘车。\n"),
    "shuttle-2025-10.txt": ("鹭川港区管委会关于调整通勤班车线路和运行时间的通告\n\n"
                            "为方便企业职工加班后返程，经研究，自10月8日起，港区通勤班车作如下调整：\n\n"
                            "一、线路由6条增至十一条，新增港东、港西、滨海等线路。\n\n"
                            "二、晚班发车时间延长为17:30—21:00。\n\n特此通告。\n"),
}


def test_a_notices_numbered_item_is_the_newest_version(tmp_path):
    a, lead = _leading(tmp_path, SHUTTLE, "鹭川港区通勤班车现在开了几条线？")
    assert "十一条" in lead, a.answer


def test_a_count_is_the_value_a_change_came_to_in_the_unit_asked():
    from rag.answer.span import extract_short

    line = "自2023年3月6日起，鹭川港区通勤班车线路由3条增至6条，新增人才公寓等站点。"

    def short(q):
        s, e = extract_short(q, line, "number")
        return line[s:e]

    assert short("鹭川港区通勤班车现在开了几条线？") == "6条"  # not the 6日 beside the place asked
    assert short("通勤班车现在有几条线路？") == "6条"
    assert short("通勤班车原来有几条线路？") == "3条"
    line = "自7月1日起，鹭川县城区居民生活垃圾处理费由每户每月8元调整为每户每月12元。"
    s, e = extract_short("鹭川县城区垃圾处理费现在每户每月交多少？", line, "number")
    assert line[s:e] == "12元"


def test_the_word_after_a_title_that_is_no_name_is_no_person():
    from rag.answer.span import person_spans

    line = "钭明哲不再担任鹭川水务集团有限公司总经理职务，已任市住建局副局长。"
    assert "职务" not in [line[s:e] for s, e in person_spans(line)]


def test_the_yue_that_ends_a_word_is_no_about():
    from rag.answer.span import extract_short

    line = "2025年，全县家庭医生签约18.32万人，县人民医院全年门诊量71.4万人次。"
    s, e = extract_short("全县家庭医生签约多少人？", line, "number")
    assert line[s:e] == "18.32万人"
    line = "全县常住人口约52.6万人。"
    s, e = extract_short("全县常住人口有多少？", line, "number")
    assert line[s:e] == "约52.6万人"


DOCTORS = {f"doctor-{y}.md": (f"---\ntitle: 鹭川县家庭医生签约服务再扩面\ndate: {y}-01-10\n---\n"
                              f"鹭川融媒讯 记者从县卫生健康局获悉，去年鹭川县家庭医生签约{n}万人，签约人数比2019年明显增加。\n\n"
                              "鹭川县家庭医生签约居民在乡镇卫生院就诊可优先预约、优先转诊。\n\n"
                              "县卫生健康局提醒，家庭医生签约服务可在“鹭川健康”小程序办理。\n")
           for y, n in ((2021, "12.6"), (2022, "13.2"), (2023, "14.1"), (2024, "15.3"), (2025, "16.4"), (2026, "17.0"))}
DOCTORS["report-2020.md"] = ("---\ntitle: 2020年鹭川县人民政府工作报告\ndate: 2020-01-16\n---\n"
                             "过去一年，全县地区生产总值增长6.1%，城乡居民收入稳步增长。\n\n"
                             "民生实事扎实推进。2019年，全县家庭医生签约10.8万人，乡镇卫生院标准化改造全部完成。\n")


def test_articles_of_the_year_asked_are_read_though_newer_ones_rank_above(tmp_path):
    a = hashing_pipeline(tmp_path, DOCTORS).ask("2019年鹭川县家庭医生签约了多少人？", today=TODAY)
    assert a.answerable and "10.8万人" in a.answer, a.answer


def test_further_passages_of_the_year_asked_are_read():
    from rag.answer.candidates import continued
    from rag.answer.policy import AnswerPolicy
    from rag.types import Chunk, Document, Hit

    docs = {f"d{y}": Document(f"d{y}", "某县家庭医生签约若干万人。", date=f"{y}-01-10") for y in range(2020, 2027)}

    def hit(doc_id):
        return Hit(Chunk(doc_id, 0, 0, 10, docs[doc_id].text), 0.03)

    top = [hit(f"d{y}") for y in (2026, 2025, 2024, 2023, 2022)]
    further = [hit("d2021"), hit("d2020")]
    policy = AnswerPolicy()
    assert continued(top, further, docs.get, policy) == []
    assert [h.chunk.doc_id for h in continued(top, further, docs.get, policy, years=(2019, 2019))] == ["d2020"]


def test_a_name_is_read_within_its_frame():
    from rag.answer.span import extract_short

    line = "县卫生健康局局长仉若澜在会上要求，县人民医院要加快创建三级医院。"
    s, e = extract_short("2020年县卫生健康局局长是谁？", line, "person")
    assert line[s:e] == "仉若澜"


def test_a_count_asked_with_ge_is_read_in_the_measure_word_written():
    from rag.answer.version_value import counted_figure

    assert counted_figure("街道现在有多少个专职网格员？", "2025年末有专职网格员58名，垃圾分类集中投放点87个。") == "58名"
    assert counted_figure("街道现在有多少个投放点？", "2025年末有专职网格员58名，垃圾分类集中投放点87个。") == "87个"


PERMIT = {
    "permit-guide-2020.md": ("---\ntitle: 鹭川县居住证办理指南\ndate: 2020-03-02\n---\n"
                             "办理材料：身份证、房屋租赁合同、近期一寸照片2张。\n\n办理时限：15个工作日。\n"),
    "permit-online-2022.md": ("---\ntitle: 鹭川县居住证可以网上申请了\ndate: 2022-05-10\n---\n"
                              "鹭川融媒讯 记者从县公安局获悉，居住证申请改为在“鹭川办事”小程序办理，"
                              "申请人需上传身份证和房屋租赁合同照片。\n"),
    "permit-qa-2026.md": ("---\ntitle: 2026年鹭川县居住证办理政策问答\ndate: 2026-04-20\n---\n"
                          "问：办理居住证还要上传房屋租赁合同吗？\n\n"
                          "答：今年起实行“免提交”。租住登记信息由系统自动核验，申请人无需再上传合同照片，填写身份证号即可。\n"),
}


def test_a_qas_answer_is_read_with_the_question_it_answers(tmp_path):
    a, lead = _leading(tmp_path, PERMIT, "办居住证现在还要带房屋租赁合同吗？")
    assert "无需再上传" in lead, a.answer


def test_an_undated_sentence_of_a_bulletin_speaks_of_the_year_its_title_names():
    from rag.answer.candidates import Candidate
    from rag.answer.version_time import when_of
    from rag.types import Document

    text = "全年发放学生午餐补助资金2980万元。"
    doc = Document("b", text, title="鹭川县2023年国民经济和社会发展统计公报", date="2024-03-20")
    assert when_of(Candidate(0, None, doc, 0, len(text))).year == 2023
    doc = Document("n", text, title="鹭川县学生午餐补助资金发放情况", date="2024-03-20")
    assert when_of(Candidate(0, None, doc, 0, len(text))).year == 2024


def test_where_someone_is_a_leader_now_asks_for_their_post():
    from rag.answer.evidence import ASKS_POST

    assert ASKS_POST.search("钭明哲现在在哪当领导？") and ASKS_POST.search("他后来当什么官了？")
    assert not ASKS_POST.search("水务集团现在谁当总经理？")


def test_a_community_across_the_lane_is_a_neighbour():
    from rag.answer.places import about_neighbour

    assert about_neighbour("一巷之隔的桐荫里社区，居委会主任仍由仉若澜担任。", "桐荫坊社区的居委会主任现在是谁？")
    assert not about_neighbour("桐荫坊社区补选仉若澜为社区居委会主任。", "桐荫坊社区的居委会主任现在是谁？")


def test_this_year_that_tells_an_age_is_no_time_asked():
    from rag.dates import asked_time

    assert asked_time("县里的高龄津贴现在多少钱？我家老人今年86岁。", TODAY).kind == "current"
    assert asked_time("我爸今年满八十岁，去年能领多少？", TODAY).start.year == 2025
    assert asked_time("今年高龄津贴多少？", TODAY).start.year == 2026


RENOVATION = {
    "renovation-2024-01.txt": ("鹭川街道去年老旧小区改造再提速\n\n鹭川融媒 2024年1月5日讯 记者从鹭川街道获悉，据初步统计，"
                               "2023年全街道完成老旧小区改造19个，惠及居民3120户，改造数量创历年新高。\n"),
    "renovation-verified-2024.md": ("---\ntitle: 关于2023年老旧小区改造完成数的情况说明\ndate: 2024-03-12\n---\n"
                                    "今年1月对外发布的数字为初步统计数。经区住房和城乡建设局竣工验收核实，2023年鹭川街道实际"
                                    "完成改造并通过验收的老旧小区为16个，惠及居民2760户。\n"),
}


def test_the_verified_figure_of_the_year_asked_leads_over_the_preliminary_one(tmp_path):
    a, lead = _leading(tmp_path, RENOVATION, "去年鹭川街道改造了多少个老小区？", dt.date(2024, 6, 1))
    assert "16个" in lead and a.short_answer != "19个", a.answer


def test_a_count_of_new_ones_is_no_level():
    from rag.answer.span import extract_short

    line = "新开老年食堂4家，全街道老年食堂达到19家，日均就餐1100余人次。"
    s, e = extract_short("现在一共有几家老年食堂？", line, "number")
    assert line[s:e] == "19家"
    s, e = extract_short("去年新开了几家老年食堂？", line, "number")
    assert line[s:e] == "4家"


def test_an_article_newer_than_all_but_the_newest_read_is_read_further():
    from rag.answer.candidates import continued
    from rag.answer.policy import AnswerPolicy
    from rag.types import Chunk, Document, Hit

    dates = {"price-2026": "2026-05-10", "count-2024": "2024-07-09", "price-2022": "2022-02-16",
             "report-2026": "2026-01-20", "old-2019": "2019-09-01"}
    docs = {k: Document(k, "某街道老年食堂若干家。", date=v) for k, v in dates.items()}

    def hit(doc_id):
        return Hit(Chunk(doc_id, 0, 0, 10, docs[doc_id].text), 0.03)

    top = [hit("count-2024"), hit("price-2022"), hit("price-2026")]
    read = continued(top, [hit("old-2019"), hit("report-2026")], docs.get, AnswerPolicy(), nearly=True)
    assert [h.chunk.doc_id for h in read] == ["report-2026"]


def test_a_sentence_of_other_age_bands_does_not_answer_for_the_age_asked():
    from rag.answer.bands import other_band

    assert other_band("百岁老人的高龄津贴现在每个月多少钱？", "高龄津贴标准提高，80至89周岁老人每人每月90元。")
    assert not other_band("百岁老人的高龄津贴现在每个月多少钱？", "80至89周岁每人每月90元，100周岁及以上每人每月650元。")
    assert not other_band("高龄津贴现在每个月多少钱？", "80至89周岁老人每人每月90元。")


def test_the_person_elected_to_a_villages_committee_is_its_director():
    from rag.answer.span import extract_short

    line = "11月20日，鹭川镇桐坪村召开村民选举大会，补选仉若澜为桐坪村村民委员会主任。"
    s, e = extract_short("桐坪村的村主任现在是谁？", line, "person")
    assert line[s:e] == "仉若澜"


ORPHAN = {
    "other-county-2025.md": ("---\ntitle: 邻县提高孤儿基本生活费\ndate: 2025-02-11\n---\n"
                             "记者从桐陂县民政局获悉，自今年1月1日起，桐陂县孤儿基本生活费申请审批提速，"
                             "散居孤儿基本生活费由每人每月1250元提高至1400元。\n\n"
                             "桐陂县的居民说，现在申请孤儿基本生活费，批下来比以前快多了。\n"),
    "orphan-qa-2026.md": ("---\ntitle: 孤儿基本生活费怎么申请？县民政局答疑\ndate: 2026-03-25\n---\n"
                          "鹭川融媒讯 近日，有市民来电询问孤儿基本生活费的申请办法。\n\n"
                          "问：申请以后多久能批下来？\n\n答：申请人向乡镇提交材料。县民政局自受理之日起12个工作日内作出决定。\n"),
}


def test_the_one_sentence_that_gives_the_figure_asked_leads(tmp_path):
    a, lead = _leading(tmp_path, ORPHAN, "申请孤儿基本生活费现在多久能批下来？")
    assert "12个工作日" in lead, a.answer


def test_a_count_with_the_work_done_between_and_a_count_of_people():
    from rag.answer.focus import measure_fits
    from rag.answer.version_value import counted_figure

    line = "过去一年，街道完成老旧小区改造8个，惠及居民1870户。"
    assert counted_figure("街道去年改造了几个老旧小区？", line) == "8个"
    assert measure_fits("街道里现在有多少老人在领补贴？", "年满80周岁老人的补贴实行免申即享。") is False
    assert measure_fits("街道里现在有多少老人在领补贴？", "享受补贴老人2980人。") is True
    assert measure_fits("有多少病人在发病一小时内死亡？", "一半以上病人在发病一小时内死亡。") is True


def test_a_recollection_after_a_dateline_tells_how_things_were():
    from rag.dates import tells_before

    assert tells_before("鹭川融媒讯（记者 仉若澜）以前给老人申请补贴，家属要带齐户口本和照片跑社区。")
    assert not tells_before("鹭川融媒讯（记者 仉若澜）记者近日获悉，老人补贴改为网上申请。")


def test_an_age_band_of_this_year_is_no_age():
    from rag.dates import asked_time

    assert asked_time("今年80岁以上老人在食堂吃饭每餐补多少？", TODAY).start.year == 2026
