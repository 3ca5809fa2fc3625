"""Which figure of a sentence answers, and which sentences are versions of it: a part told after its
whole (…企业520家，其中规模以上工业企业131家), a growth rate beside the figure asked (增长6.8%；接待游客…),
a ratio that is itself the level asked (研发投入强度), a neighbouring zone with a long name (相邻的某某高新区),
a headline that names a post but nobody, an abbreviation (规上 / 规模以上), citizens' wording of
tourism questions: issue #19, dev sets 15 and 16. Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.evidence import rate_unasked
from rag.answer.places import about_neighbour, own_part
from rag.answer.span import extract_short
from rag.retrieve.officialese import officialese
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


def _short(question: str, sentence: str) -> str:
    s, e = extract_short(question, sentence, "number")
    return sentence[s:e]


def test_a_part_after_its_whole_answers_only_a_question_for_the_part():
    line = "2025年，园区完成规模以上工业总产值312.6亿元；区内入驻企业达到五百二十家，其中规模以上工业企业131家。"
    assert _short("园区现在一共有多少家企业？", line) == "五百二十家"
    assert _short("园区规上企业有多少家？", line) == "131家"
    assert _short("园区规模以上工业企业有多少家？", line) == "131家"


def test_a_word_of_the_next_clause_does_not_hug_a_rate():
    line = "过去一年，全县实现地区生产总值248.3亿元，增长6.8%；接待游客176.5万人次，实现旅游收入19.2亿元。"
    assert _short("现在一年有多少游客来桐屿玩？", line) == "176.5万人次"


def test_a_ratio_asked_as_a_level_is_no_rate_unasked():
    line = "去年全区规上工业产值1502.3亿元；研发投入强度6.21%，比上年提高0.2个百分点。"
    at = line.index("6.21%")
    assert not rate_unasked("高新区现在的研发投入强度是多少？", line, at, at + 5)
    assert rate_unasked("高新区现在的规上工业产值是多少？", line, at, at + 5)


def test_a_neighbouring_zone_with_a_long_name_is_a_neighbour():
    query = "去年栖桐高新区的规上工业产值是多少？"
    assert about_neighbour("相邻的岚溪高新区去年规上工业产值1210.4亿元。", query)
    line = "去年全区规上工业产值1290.8亿元，同比增长9.1%；同期，相邻的岚溪高新区规上工业产值为1032.5亿元。"
    assert not about_neighbour(line, query) and "1032.5" not in own_part(line, query)


def test_citizens_words_for_tourism_figures():
    assert "接待游客" in officialese("现在一年有多少游客来桐屿玩？")
    assert "旅游" in officialese("镇上搞旅游现在一年能挣多少钱？") and "收入" in officialese("镇上搞旅游现在一年能挣多少钱？")


ZONE = {
    "econ-2024-01.txt": ("栖桐高新区去年研发投入强度再创新高\n\n桐川融媒 2024年1月22日讯 去年全区净增有效高新技术企业40家，"
                         "总数达到702家；全社会研发投入强度为6.02%，比全市平均水平高出3个多百分点。"
                         "相邻的岚溪高新区去年有效高企为488家，研发投入强度低于栖桐高新区。\n"),
    "econ-2026-01.txt": ("栖桐高新区去年规上工业产值增长百分之六\n\n桐川融媒 2026年1月26日讯 去年全区规上工业产值1596.2亿元，"
                         "比上年增加90.1亿元；研发投入强度6.58%，比上年提高0.3个百分点。\n\n"
                         "相邻的岚溪高新区去年规上工业产值1290.7亿元，研发投入强度4.71%。\n"),
    "output-2024-final.md": ("---\ntitle: 关于2024年栖桐高新区规模以上工业产值最终核实数的公告\ndate: 2025-06-10\n---\n"
                             "经最终核实，2024年全区规模以上工业产值为1506.1亿元。\n"),
}
TOWN = {
    "head-2024.txt": ("桐川融媒 2024年6月25日讯 6月24日，石湄镇人民代表大会选举厍映雪为石湄镇人民政府镇长。"
                      "原镇长阚立川已调任市文化和旅游局局长。\n"),
    "qa-2026.md": ("---\ntitle: 茶叶产业怎么发展？石湄镇镇长答网友问\ndate: 2026-04-17\n---\n"
                   "# 茶叶产业怎么发展？石湄镇镇长答网友问\n\n桐川融媒讯 日前，石湄镇镇长厍映雪做客“桐川民生热线”，回答网友关心的问题。\n\n"
                   "问：石湄镇现在一共种了多少茶叶？\n\n答：目前全镇茶园面积5200亩。\n"),
}


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("zone"), ZONE)


def test_the_zones_own_ratio_leads_not_the_neighbours(zone):
    a = zone.ask("栖桐高新区目前的研发投入强度是多少？", today=TODAY)
    assert a.short_answer == "6.58%", a.answer


def test_last_years_figure_is_the_zones_own_not_the_neighbours(zone):
    a = zone.ask("去年栖桐高新区的规上工业产值是多少？", today=TODAY)
    assert a.short_answer == "1596.2亿元", a.answer


def test_an_abbreviation_reads_the_full_name_as_a_version(zone):
    a = zone.ask("高新区的规上工业产值现在是多少？", today=TODAY)
    assert a.short_answer == "1596.2亿元", a.answer


def test_a_headline_that_names_the_post_but_nobody_does_not_answer_who_holds_it(tmp_path):
    a = hashing_pipeline(tmp_path, TOWN).ask("石湄镇现在的镇长叫什么？", today=TODAY)
    assert a.answerable and "厍映雪" in a.citations[0].quote and "答网友问" not in a.citations[0].quote, a.answer


def test_a_notices_number_is_no_figure():
    from rag.answer.span import in_doc_number

    line = "5月27日，管委会印发《人才安家补贴暂行办法》（桐管发〔2019〕8号），自2019年6月1日起施行。"
    at = line.index("2019〕")
    assert in_doc_number(line, at, at + 4) and not in_doc_number(line, line.index("2019年"), line.index("2019年") + 5)
    assert _short("来园区的硕士能拿多少安家补贴？", line) != "2019"


def test_citizens_words_for_fares_and_contribution_floors():
    assert "票价" in officialese("现在从鳌头港坐船去鸥屿多少钱一张票？")
    assert "下限" in officialese("今年公积金缴存基数最低按多少算？")
    assert "上限" in officialese("公积金缴存基数最高按多少算？")


def test_a_bound_asked_for_is_read_after_its_label():
    line = "2025年度住房公积金缴存基数上限调整为28800元，下限调整为2150元，自7月1日起执行。"
    assert _short("今年公积金缴存基数下限按多少算？", line) == "2150元"


def test_the_larger_place_a_question_names_first_is_not_asked_for():
    from rag.answer.places import outer_places

    assert outer_places("北鸥岛礁石镇现在谁当镇长？") == ["北鸥岛"]
    assert outer_places("浮石乡螺田村现在的村支书是谁？") == ["浮石乡"]
    assert outer_places("礁石镇镇长是谁？") == [] and outer_places("桐川县现在的县长是谁？") == []


def test_a_change_announced_ahead_leaves_the_old_figure_in_force_until_then():
    from rag.answer.dating import replaced_value

    line = "县发展和改革局近日发布通知，自2026年7月1日起，港口至浮石客运航线票价由每人47元下调为41元。"
    assert replaced_value(line, "41元") == "47元"
    assert replaced_value("票价由47下调为41元。", "41元") == "47元"
    assert replaced_value("票价保持每人49元不变。", "49元") is None


BRANCH = {
    "election-2021.md": ("---\ntitle: 螺田村完成两委换届\ndate: 2021-01-26\n---\n"
                         "在2021年村“两委”换届中，浮石乡螺田村党员大会选举柯晓岚为螺田村党支部书记。\n"),
    "secretary-2024.txt": ("浮石乡调整螺田村党支部书记\n\n桐川融媒 2024年7月3日讯 近日，中共浮石乡委员会作出决定：任命童一岑同志为"
                           "中共浮石乡螺田村支部委员会书记，免去柯晓岚同志的中共浮石乡螺田村支部委员会书记职务。\n"),
    "port-2020.md": ("---\ntitle: 车客渡开通\ndate: 2020-09-29\n---\n"
                     "礁石镇镇长钭海平说，过去北鸥岛群众买辆车只能放在县城，车客渡开通后，冷链车可以直接开到渔港装货。\n"),
    "head-2025-04.txt": ("礁石镇人大主席团决定蒲远川为代理镇长\n\n4月9日，礁石镇人民代表大会主席团召开会议，接受钭海平因工作调动辞去"
                         "礁石镇镇长职务的请求，决定任命蒲远川为礁石镇副镇长、代理镇长。\n"),
}


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("branch"), BRANCH)


def test_a_notices_formal_name_of_a_village_party_branch_is_its_secretary(branch):
    a = branch.ask("螺田村现在的村支书是谁？", today=TODAY)
    assert a.answerable and "童一岑" in a.citations[0].quote and a.citations[0].doc_id == "secretary-2024.txt", a.answer


def test_a_town_asked_with_its_island_is_answered_by_articles_that_name_the_town(branch):
    a = branch.ask("北鸥岛礁石镇现在谁当镇长？", today=TODAY)
    assert a.answerable and a.citations[0].doc_id == "head-2025-04.txt", a.answer


def test_a_rare_surname_read_off_its_name_is_put_back():
    from rag.answer.widen import widen

    line = "桐川市市长 禤晓岚"
    at = line.index("晓岚")
    assert line[slice(*widen(line, at, at + 2, "Who is the mayor of Tongchuan now?"))] == "禤晓岚"
    line = "会议选举王晓岚为市长"
    at = line.index("晓岚")
    assert line[slice(*widen(line, at, at + 2, "市长是谁？"))] == "王晓岚"


def test_english_names_of_local_heads():
    from rag.retrieve.crosslingual import figures_asked

    assert "县长" in figures_asked("Who is the county head of Tongyu now?")
    assert "市长" in figures_asked("Who is the mayor of Tongchuan now?")
    assert "乡长" in figures_asked("Who is the township head of Shiyu now?")


def test_a_net_change_is_no_level():
    line = "去年全区净增有效高新技术企业52家，总数达到731家；研发投入强度为6.1%。"
    assert _short("高新区一共有多少家高新技术企业？", line) == "731家"
    assert rate_unasked("高新区一共有多少家高新技术企业？", line, line.index("52家"), line.index("52家") + 3)


def test_more_citizens_words():
    assert "高新技术企业" in officialese("前年园区有多少家高企？")
    assert "捕捞渔船" in officialese("县里现在有多少条捕鱼船？")


def test_a_headline_without_hours_does_not_answer_what_hours(tmp_path):
    a = hashing_pipeline(tmp_path, CLINIC).ask("石屿卫生院现在上午几点到几点看门诊？", today=TODAY)
    assert a.answerable and "7:30—11:30" in a.citations[0].quote, a.answer


CLINIC = {
    "clinic-2020.md": ("---\ntitle: 石屿乡卫生院新门诊楼启用\ndate: 2020-08-20\n---\n"
                       "院长骆青岚介绍，石屿乡中心卫生院门诊时间为每天8:00—11:30、13:30—17:00，周日休息。\n"),
    "clinic-2024.md": ("---\ntitle: 石屿乡中心卫生院4月15日起调整门诊时间 周日上午也能看病\ndate: 2024-04-12\n---\n"
                       "# 石屿乡中心卫生院4月15日起调整门诊时间 周日上午也能看病\n\n"
                       "为方便赶早班船出岛的渔民看病，石屿乡中心卫生院自2024年4月15日起调整门诊时间：每天7:30—11:30、"
                       "14:00—17:30，周日上午8:00—11:00增设门诊。\n"),
}



def test_the_readers_figure_is_checked_against_the_bound_and_the_level_asked():
    from types import SimpleNamespace

    from rag.answer.short import misread

    line = "去年全区净增有效高新技术企业52家，总数达到731家。2025年度缴存基数上限调整为28800元，下限调整为2150元。"
    level = SimpleNamespace(kind="number", query="高新区一共有多少家高新技术企业？")
    at = line.index("52家")
    assert misread(level, line, at, at + 3) and not misread(level, line, line.index("731家"), line.index("731家") + 4)
    assert not misread(SimpleNamespace(kind="number", query="高新区去年净增多少家高新技术企业？"), line, at, at + 3)
    low = SimpleNamespace(kind="number", query="今年公积金缴存基数下限按多少算？")
    assert misread(low, line, line.index("28800元"), line.index("28800元") + 6)
    assert not misread(low, line, line.index("2150元"), line.index("2150元") + 5)


def test_a_person_read_after_a_title_before_a_verb_and_no_place_read_as_one():
    from rag.answer.span import person_spans

    line = "原柳溪社区党委书记璩海宁经居民代表会议选举，担任瓷川社区居委会主任。"
    assert [line[s:e] for s, e in person_spans(line)] == ["璩海宁"]
    line = "石湄镇镇长厍映雪做客民生热线。"
    assert [line[s:e] for s, e in person_spans(line)] == ["厍映雪"]


def test_a_holder_who_gives_the_post_asked_up_is_not_its_holder():
    line = "新的瓷川社区“两委”班子亮相：佘玉兰继续担任社区党委书记，不再兼任居委会主任；原柳溪社区党委书记璩海宁经居民代表会议选举，担任瓷川社区居委会主任。"
    s, e = extract_short("瓷川社区居委会主任现在是谁？", line, "person")
    assert line[s:e] == "璩海宁"


def test_a_community_is_a_name_the_answer_must_be_about():
    from rag.answer.evidence import key_entities

    assert key_entities("瓷川社区居委会主任现在是谁？") == ["瓷川社区"]


def test_still_more_citizens_words():
    assert "登记电动自行车" in officialese("县里挂了牌的电动车有多少辆？")
    assert "投放垃圾" in officialese("小区晚上几点以后不能扔垃圾？")
    assert officialese("云溪街道的一把手是谁？") == "云溪街道党工委书记是谁？"


def test_a_guides_line_that_says_where_is_the_place_asked():
    line = "办理地点：居住地派出所户籍窗口。"
    s, e = extract_short("以前在桐湾区办居住证要去哪里？", line, "place")
    assert line[s:e] == "居住地派出所户籍窗口"


WETLAND = {
    "wetland-2024.md": ("---\ntitle: 鹭汀湿地公园建成开园\ndate: 2024-10-01\n---\n"
                        "# 鹭汀湿地公园建成开园\n\n国庆前夕，鹭汀湿地公园建成开园。公园位于鹭汀乡鹭汀河两岸，规划面积52公顷。\n\n"
                        "据监测，园区内已记录鸟类93种，其中包括国家二级保护鸟类白琵鹭。\n"),
    "farm-2022.md": ("---\ntitle: 鹭汀乡农技站开展春耕指导\ndate: 2022-04-12\n---\n"
                     "鹭汀乡农技站站长钱立川介绍，今年全乡早稻种植面积1.2万亩。\n"),
}


def test_the_sentence_that_answers_leads_in_an_article_with_a_short_headline(tmp_path):
    pipe = hashing_pipeline(tmp_path, WETLAND)
    a = pipe.ask("鹭汀湿地公园记录到多少种鸟？", today=TODAY)
    assert a.answerable and "93种" in a.citations[0].quote, a.answer


def test_a_target_price_subsidy_is_no_target():
    from rag.answer.version_time import TARGET

    assert not TARGET.search("2025年度稻谷目标价格补贴标准为每亩41.2元。")
    assert TARGET.search("全年目标是新增就业1.2万人。")


def test_citizens_words_for_ridership_and_farm_subsidies():
    assert officialese("去年地铁2号线一共坐了多少人次？") == "去年地铁2号线客运量多少？"
    assert "日均客运量" in officialese("地铁2号线现在平均一天多少人坐？")
    assert officialese("今年种稻谷一亩地能补多少钱？") == "今年稻谷每亩补贴多少钱？"
    assert officialese("校车头一班几点发车？") == "校车首班车几点发车？"


def test_a_word_jieba_cuts_across_is_no_name():
    from rag.answer.evidence import key_entities

    assert key_entities("图书馆现在几点开门？中午休不休？") == []
    assert {"石门镇", "叠川村"} <= set(key_entities("石门镇叠川村2024年收入多少？"))


def test_a_lines_appointee_at_its_start_and_another_bodys_post_given_up():
    line = "隗东岚任云溪街道党工委书记，不再担任青柳街道党工委书记；"
    s, e = extract_short("云溪街道党工委书记是谁？", line, "person")
    assert line[s:e] == "隗东岚"
