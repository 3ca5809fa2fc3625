"""Answer extraction and refusal on a tiny corpus, with the real index and the fake embedder."""
import pytest

from rag.answer.evidence import key_entities, mentions, role_words, unit_matches
from rag.types import Document

DOCS = [
    Document("hf", "红枫公园的由来\n红枫公园位于河畔。公园由本地商会捐献土地建造，1998年对外开放。"
                   "园内种有红枫三百余株，秋季游客最多。", "红枫公园的由来", None, "hf.txt"),
    Document("qs", "青石村发展乡村旅游\n2024年，青石村接待游客约12万人次，村集体经济收入达86万元。"
                   "村党支部书记王建国表示，明年将继续发展民宿产业。", "青石村发展乡村旅游", None, "qs.txt"),
    Document("by", "白云镇交通运输局推进道路建设\n白云镇交通运输局局长李春华表示，该局将加快推进环湖公路、"
                   "滨江大道、白云隧道等项目，全年计划完成投资3.5亿元，" + "，".join(["持续优化交通网络"] * 8) + "。",
             "白云镇交通运输局推进道路建设", None, "by.txt"),
]


@pytest.fixture
def pipe(fake_pipeline):
    from rag.index import store
    from rag.index.fresh import build_index

    idx, _, _ = build_index(DOCS, fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)
    return fake_pipeline


def verbatim(pipe, ans):
    for c in ans.citations:
        assert pipe.document(c.doc_id).text[c.start : c.end] == c.quote


def test_number_question_gets_short_answer_and_verbatim_citation(pipe):
    ans = pipe.ask("青石村2024年接待了多少游客？")
    assert ans.answerable and ans.short_answer == "约12万人次"
    assert ans.answer.endswith("[1]") and ans.citations[0].doc_id == "qs"
    verbatim(pipe, ans)


def test_person_question(pipe):
    ans = pipe.ask("青石村党支部书记是谁？")
    assert ans.answerable and ans.short_answer == "王建国"


def test_long_sentence_is_cut_to_the_answering_clauses(pipe):
    ans = pipe.ask("白云镇交通运输局全年计划完成投资多少？")
    assert ans.answerable and ans.short_answer == "3.5亿元"
    assert len(ans.citations[0].quote) <= 140
    verbatim(pipe, ans)


@pytest.mark.parametrize(
    "question",
    [
        "红山村2024年接待了多少游客？",  # a village the articles never mention
        "青石村2019年接待了多少游客？",  # a year the articles do not give
        "青石村村集体经济收入是多少亩？",  # a unit the answer does not have
    ],
)
def test_unsupported_questions_are_declined_without_sources(pipe, question):
    ans = pipe.ask(question)
    assert not ans.answerable and ans.citations == () and "没有" in ans.answer


def test_english_decline_is_in_english(pipe):
    ans = pipe.ask("What is the population of Mars?")
    assert not ans.answerable and "articles do not" in ans.answer


def test_mentions_allows_abbreviations_dropping_middle_characters():
    assert mentions("市交通运输局局长", "交通局")
    assert mentions("经济和信息化局", "经信局")
    assert not mentions("交通方面的大局", "交通部")
    assert mentions("交通运输局和交通局", "交通局", count=True) == 2


def test_unit_matches():
    assert unit_matches("收入是多少亿元？", "收入达3.5亿元")
    assert not unit_matches("收入是多少亿元？", "收入增长19%")
    assert unit_matches("有哪几个方面？", "八个方面")
    assert unit_matches("第几名？", "获得第三名")
    # English questions name their unit in words
    assert not unit_matches("What was the population of the town in 2024?", "全年地区生产总值增长6%")
    assert unit_matches("What was the population of the town in 2024?", "全镇常住人口约12.5万人")
    assert unit_matches("How many tourists came?", "接待游客约40万人次")
    assert not unit_matches("How much was the income in yuan?", "收入增长19%")
    assert unit_matches("Who is the mayor?", "市长王明")


def test_a_heading_that_asks_a_question_is_not_an_answer(fake_pipeline):
    text = "青石村的发展\n青石村如何发展乡村旅游？\n青石村发展乡村旅游，靠的是民宿产业。"
    ans = _ask_over(fake_pipeline, [Document("qh", text, "青石村的发展", None, "qh.txt"), DOCS[0]],
                    "青石村如何发展乡村旅游？")
    assert ans.answerable and "民宿产业" in ans.answer and "？" not in ans.answer


def test_key_entities_are_proper_names_not_common_nouns():
    ents = key_entities("春天集团在哪些地区开展业务？")
    assert "春天集团" in ents and "地区" not in ents


def test_who_question_answered_by_an_organisation_names_the_deed(pipe):
    ans = pipe.ask("红枫公园是由谁捐献土地建造的？")
    assert ans.answerable and "本地商会" in ans.answer
    verbatim(pipe, ans)


def test_who_question_declined_when_the_role_is_never_named(pipe):
    ans = pipe.ask("红枫公园的园长是谁？")
    assert not ans.answerable


def test_answer_running_over_two_sentences_is_one_unbroken_quote(pipe):
    from rag.answer.candidates import Candidate
    from rag.answer.compose import merge_adjacent as _merge_adjacent

    doc = DOCS[0]
    first = doc.text.index("公园由")
    second = doc.text.index("园内")
    a = Candidate(0, None, doc, first, second)
    b = Candidate(0, None, doc, second, len(doc.text))
    merged = _merge_adjacent([a, b])
    assert len(merged) == 1 and merged[0].text == doc.text[first:]
    title_line = Candidate(0, None, doc, 0, doc.text.index("\n"))
    assert len(_merge_adjacent([title_line, a])) == 2  # a paragraph break keeps them apart


@pytest.mark.parametrize(
    "question, expected",
    [
        ("青石职业学院的院长是谁？", ["院长"]),
        ("王某被谁所杀？", ["杀"]),
        ("这个计划由谁来主持？", ["主持"]),
        ("这个王国的建立者是谁？", ["建立者", "建立"]),
        ("车站的经营方是谁？", ["经营方", "经营"]),
        ("谁是市长？", ["市长"]),
        ("这篇侧记的作者是哪位记者？", ["作者", "记者"]),
        ("今天天气如何？", []),
    ],
)
def test_role_words(question, expected):
    assert role_words(question) == expected


def test_key_entities_drop_a_particle_jieba_glued_to_a_name():
    assert key_entities("哪个品种的锦地罗不需要冬眠？") == ["锦地罗"]


def test_an_entry_named_by_the_question_needs_fewer_matching_words(fake_pipeline):
    """An encyclopedia-style entry whose short title the question names: a sentence about its
    flowers answers "what do its flowers look like" although it repeats few question words."""
    from rag.index import store
    from rag.index.fresh import build_index

    docs = [Document("ly", "蓝叶藤是一种藤本植物，原产南美。花冠呈漏斗形，金黄色，直径约五厘米。",
                     "蓝叶藤", None, "ly.txt"),
            Document("qs", DOCS[1].text, DOCS[1].title, None, "qs.txt")]
    idx, _, _ = build_index(docs, fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)
    ans = fake_pipeline.ask("蓝叶藤的花是什么样子？")
    assert ans.answerable and "漏斗形" in ans.answer


def test_who_wrote_it_is_answered_from_the_byline(fake_pipeline):
    from rag.index import store
    from rag.index.fresh import build_index

    text = ("青石村发展乡村旅游侧记\n青石村发展乡村旅游的做法受到各方关注。青石村发展乡村旅游，带动民宿产业。"
            "青石村的乡村旅游侧重农文旅融合发展。\n融媒记者 赵晓雯")
    docs = [Document("sj", text, "青石村发展乡村旅游侧记", None, "sj.txt"), DOCS[2]]
    idx, _, _ = build_index(docs, fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)
    ans = fake_pipeline.ask("青石村发展乡村旅游侧记的作者是哪位记者？")
    assert ans.answerable and "赵晓雯" in ans.answer
    verbatim(fake_pipeline, ans)


@pytest.mark.parametrize("text, expected", [
    ("正文第一句。\n融媒记者 赵晓雯", "融媒记者 赵晓雯"),
    ("正文第一句，到此结束。（记者 钱文 通讯员 孙丽）", "记者 钱文 通讯员 孙丽"),
    ("记者了解到，正文没有署名。", None),
])
def test_byline_of_an_article(text, expected):
    from rag.answer.candidates import _AUTHOR_Q, Candidate, byline

    doc = Document("d", text, None, None, "d.txt")
    got = byline(Candidate(0, None, doc, 0, 5))
    assert (got.text if got else None) == expected
    assert _AUTHOR_Q.search("这篇报道的作者是谁？") and _AUTHOR_Q.search("Which reporter wrote it?")
    assert not _AUTHOR_Q.search("记者了解到了什么？")


def test_key_entities_skip_time_words_and_set_phrases():
    assert key_entities("目前学校有几个校区？") == []  # "目前" + "学校" is no institution's name
    assert "武艺超群" not in key_entities("他学了哪些武功后开始武艺超群？")


def _ask_over(fake_pipeline, docs, question):
    from rag.index import store
    from rag.index.fresh import build_index

    idx, _, _ = build_index(docs, fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)
    ans = fake_pipeline.ask(question)
    if ans.answerable:
        verbatim(fake_pipeline, ans)
    return ans


@pytest.mark.parametrize("link, answerable", [("同年", True), ("后来", False)])
def test_same_year_points_back_to_the_year_earlier_in_the_paragraph(fake_pipeline, link, answerable):
    text = ("张文澜\n2019年3月，张文澜出版了第一部小说。此后她多次参加读书会。她也常在报纸发表散文。"
            f"她还在大学开设了写作课。{link}7月，市政府授予她青石文学奖。")
    ans = _ask_over(fake_pipeline, [Document("zw", text, "张文澜", None, "zw.txt"), DOCS[1]],
                    "2019年7月，市政府授予张文澜什么奖项？")
    # without "同年" the year stays too far from the answer to support it
    assert ans.answerable == answerable and (not answerable or "青石文学奖" in ans.answer)


def test_who_question_answered_by_the_deed_a_role_noun_names(fake_pipeline):
    text = "青石车站\n青石车站是一座铁路车站，由青石铁道公司所经营。车站于1998年启用。"
    ans = _ask_over(fake_pipeline, [Document("cz", text, "青石车站", None, "cz.txt"), DOCS[1]],
                    "青石车站的经营方是谁？")
    assert ans.answerable and "青石铁道公司" in ans.answer


def test_a_name_jieba_glued_to_the_next_character_is_found_near_the_answer(fake_pipeline):
    # jieba reads "魏舒史称什么" as "魏舒史" + "称"; the article names 魏舒 just before the answer
    text = "魏舒\n魏舒是晋国大臣，出身魏氏。他历仕三朝，多有战功。史称魏献子。"
    ans = _ask_over(fake_pipeline, [Document("ws", text, "魏舒", None, "ws.txt"), DOCS[1]], "魏舒史称什么？")
    assert ans.answerable and "魏献子" in ans.answer


@pytest.mark.parametrize("question, sentence, other", [
    ("青石公园为什么停止开放？", "由于道路施工，青石公园停止开放。", "青石公园停止开放，游客很少。"),
    ("设立青石基金的目的是什么？", "设立青石基金是为了资助乡村教师。", "设立青石基金的是本地商会。"),
    ("青石村的名字是怎么来的？", "村口有一块青色巨石，青石村因此得名。", "青石村的村民很好客。"),
])
def test_why_and_what_for_questions_prefer_a_sentence_giving_a_cause_or_aim(fake_pipeline, question, sentence, other):
    text = f"青石\n{other}\n{sentence}"  # separate paragraphs: one sentence must be chosen
    ans = _ask_over(fake_pipeline, [Document("qs2", text, "青石", None, "qs2.txt"), DOCS[0]], question)
    assert ans.answerable and sentence in ans.answer and other not in ans.answer


def test_a_city_named_with_its_suffix_must_itself_be_near_the_answer(fake_pipeline):
    """The article says "青石" and "我市", never "青石市": dropping 市 to find the city near an
    unrelated number would answer a question the article does not answer."""
    text = ("青石2025年工作要点\n2025年是规划收官之年。青石2025年“施工图”规划如何？"
            "围绕全年工作，全会部署了八个方面重点工作：持续抢抓政策机遇；持续攻坚项目建设。")
    ans = _ask_over(fake_pipeline, [Document("qp", text, "青石2025年工作要点", None, "qp.txt"), DOCS[0]],
                    "青石市2025年的财政预算是多少？")
    assert not ans.answerable, ans.answer
