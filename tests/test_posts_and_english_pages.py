"""Where a former holder went, asked as citizens ask it (不当县长以后去哪了, 原来的支书现在干什么), a name
jieba splits (a rare surname), and English pages read whole: a passage that opens or ends inside a
sentence, a date's comma (issue #19, dev sets 9 and 10). Invented places, people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.cut import clauses
from rag.answer.evidence import ASKS_POST, key_entities
from rag.dates import asked_time
from rag.text import clause_spans
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)

DOCS = {
    "transfer-2021.txt": ("县人大常委会决定方叶为代理县长\n\n青禾融媒2021年9月28日讯 9月27日，县人大常委会会议接受戈远舟辞去"
                          "青禾县人民政府县长职务的请求，决定方叶为青禾县人民政府代理县长。\n\n戈远舟已任苇州市副市长。\n"),
    "election-2021.md": ("---\ntitle: 石门村党支部完成换届\ndate: 2021-04-12\n---\n"
                         "4月10日，石门村完成村党支部换届选举，卢晓岚当选石门村党支部书记。\n"),
    "secretary-2024.md": ("---\ntitle: 石门村党支部书记调整\ndate: 2024-05-22\n---\n"
                          "5月21日，镇党委在石门村召开党员大会，宣布镇党委决定：韦青禾任石门村党支部书记；卢晓岚不再担任石门村党支部书记。\n\n"
                          "卢晓岚已于本月经法定程序任青禾镇副镇长，分管农业和电商工作。\n"),
    "meeting-2022.md": ("---\ntitle: 石门村晒出年度明白账\ndate: 2022-01-19\n---\n"
                        "村党支部书记卢晓岚说，明年要把村集体经济收入做到60万元以上。\n"),
    "bureau-head-2025-en.md": ("---\ntitle: Qinghe County civil affairs bureau gets a new director\ndate: 2025-03-29\n---\n"
                               "Bao Yiling (鲍一灵), 44, was appointed director (局长) of the Qinghe County Civil Affairs "
                               "Bureau (县民政局) on March 27, 2025, at a session of the standing committee of the county "
                               "people's congress. She succeeds Wu Lanting (乌兰亭), who had headed the bureau since August "
                               "2020 and has become director of the county healthcare security bureau (县医疗保障局局长).\n"),
    "renmian-2020.md": ("---\ntitle: 青禾县人民政府关于乌兰亭等同志职务任免的通知\ndate: 2020-08-07\n---\n"
                        "经县人民政府研究决定：\n\n任命乌兰亭为县民政局局长；\n"),
}


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("posts-en"), DOCS)


@pytest.mark.parametrize("question", ["戈远舟不当县长以后去哪了？", "原来石门村的支书卢晓岚现在干什么？", "卢晓岚后来去哪了？"])
def test_where_a_former_holder_went_is_a_post_question(question):
    assert ASKS_POST.search(question)
    assert "不当县" not in key_entities(question)  # 县长 is a post, no county named 不当县


def test_a_question_that_names_who_was_and_asks_what_is_now_is_asked_now():
    assert asked_time("原来石门村的支书卢晓岚现在干什么？", TODAY).kind == "current"
    assert asked_time("现在的停车费调整前是多少？", TODAY).kind == "past"


def test_where_the_former_county_head_went(pipe):
    a = pipe.ask("戈远舟不当县长以后去哪了？", today=TODAY)
    assert a.answerable and "苇州市副市长" in a.answer, a.answer


def test_the_former_secretarys_post_now_is_told_in_few_of_the_questions_words(pipe):
    a = pipe.ask("原来石门村的支书卢晓岚现在干什么？", today=TODAY)
    assert a.answerable and "青禾镇副镇长" in a.citations[0].quote, a.answer


def test_an_english_page_read_to_the_end_of_its_sentence_gives_the_post_now(pipe):
    a = pipe.ask("乌兰亭现在担任什么职务？", today=TODAY)
    assert a.answerable and "县医疗保障局局长" in a.answer, a.answer


def test_an_english_dates_comma_and_a_figures_comma_cut_no_clause():
    text = "From March 1, 2024, residents aged 65 and over ride free, and 11,000 more qualify at 9:00, the bureau said."
    cut = [text[s:e] for s, e in clauses(text, 0, len(text))]
    assert cut[0] == "From March 1, 2024," and any("11,000 more qualify at 9:00," in c for c in cut)
    assert [text[s:e] for s, e in clause_spans(text, 0, len(text))][0] == "From March 1, 2024,"


def test_an_english_duration_is_read_whole_and_a_date_beside_it_is_no_reason_to_drop_it():
    from rag.answer.evidence import duration_in

    said = "Since May 10, 2025, residents can have the new card mailed within 3 working days (3个工作日), the bureau said."
    assert duration_in(said) == "3 working days"


def test_a_rare_surname_and_a_post_held_since_a_year_before():
    from rag.answer.posts import gives_post
    from rag.answer.span import looks_like_name

    assert looks_like_name("宓可言") and looks_like_name("郦观川")
    assert gives_post("宓可言", "宓可言自2018年起任青禾区区长。") is None  # the post held until this article
    assert gives_post("宓可言", "宣布市委决定：宓可言任中共青禾区委书记，不再担任青禾区人民政府区长。") == "中共青禾区委书记"
    assert ASKS_POST.search("宓可言不当区长以后干什么去了？")


def test_a_name_after_its_title_before_and_is_a_person():
    from rag.answer.span import PERSON_AFTER_TITLE_RE

    found = [m.group(1) for m in PERSON_AFTER_TITLE_RE.finditer("8月28日，石门镇镇长闵朝晖和县教育局工作人员一起跟车。")]
    assert found == ["闵朝晖"]


TOWN = {
    "merge-2023-en.md": ("---\ntitle: Yuntang township merged into Shimen Town\ndate: 2023-04-10\n---\n"
                         "With the approval of the provincial government, Yuntang township has been merged into Shimen Town. "
                         "The former township head, Sui Xiaoqing (眭晓青), is now deputy Party secretary of Shimen Town.\n"),
    "school-bus-2025.md": ("---\ntitle: 全县校车增至二十一辆\ndate: 2025-08-29\n---\n"
                           "8月28日，石门镇镇长闵朝晖和县教育局工作人员一起跟车走了一趟云塘线。\n"),
}


def test_a_former_head_named_in_english_is_not_the_head_now(tmp_path):
    a = hashing_pipeline(tmp_path, TOWN).ask("Who is the head of Shimen Town (石门镇) now?", today=TODAY)
    assert a.answerable and "闵朝晖" in a.answer and "眭晓青" not in a.answer, a.answer


def test_a_post_already_taken_and_a_name_that_leaves_a_place():
    from rag.answer.posts import asked_person, gives_post
    from rag.answer.scoring import Question

    assert gives_post("龚立之", "龚立之此前已任青川市生态环境局局长。") == "青川市生态环境局局长"
    assert gives_post("龚立之", "龚立之此前任青川市生态环境局局长。") is None  # held before
    q = Question("厍志平离开汀兰街道后做什么工作？", "厍志平离开汀兰街道后做什么工作？", True, None, "", {}, frozenset())
    assert asked_person(q) == ["厍志平"]
