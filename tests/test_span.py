import pytest

from rag.answer.span import extract_short, question_type

SENT = "2024年，该村接待游客约40万人次，村集体经济收入达251万元，村民人均收入约5万元。"


@pytest.mark.parametrize(
    "question,kind",
    [
        ("大陈村接待了多少游客？", "number"),
        ("会议是什么时候召开的？", "date"),
        ("市经信局局长是谁？", "person"),
        ("大陈村在哪里？", "place"),
        ("全会部署了哪些重点工作？", "list"),
        ("How many tourists visited?", "number"),
        ("Who is the director?", "person"),
        ("这是一篇什么文章", None),
    ],
)
def test_question_type(question, kind):
    assert question_type(question) == kind


@pytest.mark.parametrize(
    "question,sentence,expected",
    [
        ("该村接待了多少游客？", SENT, "约40万人次"),
        ("村集体经济收入是多少？", SENT, "251万元"),
        ("村民人均收入是多少？", SENT, "约5万元"),
        ("投资连续多少个月保持两位数增长", "外贸出口额增长19%，固定资产投资连续40个月保持两位数增长", "40个月"),
        ("电影在哪一年上映的？", "该电影是1995年上映的日本电影。", "1995年"),
        ("局长是谁", "市经信局党委书记、局长陈磊表示，该局将把握任务", "陈磊"),
        ("他的祖籍在哪里？", "潘仕成，字德畲，祖籍福建，生于广州。", "福建"),
        ("元亲在领内实行什么制度？", "元亲在领内实行「一领具足」制度，强化兵力。", "「一领具足」"),
    ],
)
def test_extract_short(question, sentence, expected):
    span = extract_short(question, sentence)
    assert span is not None
    assert sentence[span[0] : span[1]] == expected


def test_value_stated_in_question_is_not_the_answer():
    span = extract_short("2024年游客有多少？", SENT)
    assert SENT[span[0] : span[1]] != "2024年"


def test_no_span_when_sentence_lacks_the_type():
    assert extract_short("会议是哪一天召开的？", "会议总结了成绩，明确了任务。") is None


def test_a_quoted_numeral_is_a_name_not_a_quantity():
    from rag.answer.span import extract_short

    assert extract_short("明年的增长目标是多少？", "明年是“十四五”规划收官之年。", "number") is None
    sentence = "明年是“十四五”规划收官之年，增长目标为6%。"
    s, e = extract_short("明年的增长目标是多少？", sentence, "number")
    assert sentence[s:e] == "6%"


@pytest.mark.parametrize("question, expected", [
    ("晚会在哪首歌曲中结束？", "work"),
    ("他主演过哪部电影？", "work"),
    ("这本书的书名是什么？", "work"),
    ("哪部分最重要？", None),
])
def test_questions_about_songs_books_and_films(question, expected):
    from rag.answer.span import question_type

    assert question_type(question) == expected


def test_a_work_is_cut_with_its_title_marks():
    from rag.answer.span import extract_short

    sentence = "晚会在《青春之歌》的歌声中落下帷幕。"
    s, e = extract_short("晚会在哪首歌曲中结束？", sentence)
    assert sentence[s:e] == "《青春之歌》"


def _short(question, sentence):
    span = extract_short(question, sentence)
    return None if span is None else sentence[span[0] : span[1]]


def test_answer_is_sought_where_the_sentence_repeats_most_of_the_question():
    # "古城" also occurs beside another place name later in the long sentence
    sentence = ("县委书记表示，青石镇将加快历史文化名镇申报工作，坚持项目为王；"
                "加强古城老街保护，推进古城新镇建设，以产业振兴答好乡村题。")
    assert _short("哪个镇正在推进历史文化名镇申报工作？", sentence) == "青石镇"


def test_list_nearest_to_the_question_words_not_the_longest():
    sentence = ("该镇将锚定“农业+物流+旅游”发展定位，加速厂房改造；"
                "围绕教育、医疗、交通、养老、托育等民生热点，解决群众难题。")
    assert _short("该镇锚定的发展定位由哪几部分组成？", sentence) == "农业+物流+旅游"


def test_template_uses_the_occurrence_after_the_question_words():
    # "建设" occurs twice; the answer follows the one after the quoted slogan
    sentence = "持续深化对外开放，全力建设贸易强市；持续深化治理提效，建设平安城市。"
    assert _short("“深化对外开放”要建设什么样的城市？", sentence) == "贸易强市"


@pytest.mark.parametrize("question, sentence, expected", [
    ("环湖公路是第几期项目？", "加快推进环湖公路 二期等项目建设。", "二期"),
    ("这是第几届运动会？", "第七届全市运动会于2001年召开，共有3000人参加。", "第七届"),
    ("他是第几位市长？", "他是本市第12位市长，任期5年。", "第12位"),
])
def test_ordinal_questions_get_the_ordinal_with_its_unit(question, sentence, expected):
    assert question_type(question) == "ordinal"
    assert _short(question, sentence) == expected


def test_a_place_without_a_suffix_is_a_place():
    assert _short("他是哪个国家的赛车手？", "他是一位葡萄牙赛车手，曾效力乔丹车队。") == "葡萄牙"


# --- measure words of counted things (issue #21, round 4) -----------------------------------

@pytest.mark.parametrize("text, marked, expected", [
    ("南岭村去年存栏生猪1850头，比前年多。", "1850", "1850头"),
    ("港区新添货轮12艘，", "12", "12艘"),
    ("全镇共种下香樟树3400株。", "3400", "3400株"),
    ("合作社养马约260匹，", "260", "约260匹"),
    ("港区新添12艘货轮，", "12", "12艘货轮"),  # a numeral and measure word get their noun
    ("新建公租房540套，", "540", "540套"),
    ("水库蓄水约3.5亿立方米，", "3.5", "约3.5亿立方米"),
])
def test_a_count_keeps_its_measure_word(text, marked, expected):
    from rag.answer.widen import widen

    s = text.index(marked)
    assert text[slice(*widen(text, s, s + len(marked), "有多少？"))] == expected


def test_the_rules_find_a_count_with_its_measure_word():
    text = "南岭村去年存栏生猪1850头，出栏肉牛96头。"
    s, e = extract_short("南岭村存栏生猪多少头？", text, "number")
    assert text[s:e] == "1850头"
