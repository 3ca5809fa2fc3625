"""Splitting a page into articles: bylines, datelines, headlines out of reading order, dates."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.ingest import clean_text, read_file
from rag.ingest.clean import clean_paragraphs
from rag.ingest.split import find_date, normalise_date, split_articles
from tests.helpers import print_columns

SEED = Path(__file__).parents[2] / "shared/seeds/000_2f3ce927338b60c1.txt"




def sentences(text: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？\n]+[。！？]?[”’」』]?", text) if len(s) >= 6]


def no_text_lost(page_clean: str, texts: list[str]) -> None:
    """Every sentence of the page is in exactly one article; nothing added but title joins."""
    for sentence in sentences(page_clean):
        owners = [k for k, t in enumerate(texts) if sentence in t]
        assert len(owners) == 1, (sentence, owners)
    squeeze = lambda s: re.sub(r"\s", "", s)  # noqa: E731
    assert sorted(squeeze(page_clean)) == sorted("".join(squeeze(t) for t in texts))


# ---------------------------------------------------------------- a synthetic page

GREEN = [
    "本市昨日召开城市绿化工作会议，总结去年绿化成绩，部署新一年植树造林和口袋公园建设任务，"
    "要求各部门协同推进，确保按期完成。",
    "会议指出，去年全市新增公园绿地一百二十公顷，建成口袋公园三十六个，市民对城市绿化的"
    "满意度明显提升。",
]
RIVER = [
    "治理河道不是一时之功，需要久久为功。各镇街要把河长制落到实处，定期巡查河道，"
    "及时整改发现的问题，守护好一江清水。",
    "只有人人参与，才能守住一江清水，让群众共享生态红利，让河道治理成果惠及千家万户。",
]
LIBRARY = [
    "本报讯（通讯员 李华）市图书馆从本周起延长开放时间，工作日晚间开放至九点，"
    "方便上班族下班后借阅图书。",
    "图书馆负责人表示，将根据读者反馈继续优化服务，适时推出更多便民举措。",
]
HEADLINES = [
    "守住一江清水\n——一论河道治理",
    "本报评论员",
    "建好口袋公园 种下城市新绿\n——全市城市绿化工作会议侧记",
    "图书馆延长开放时间",
]
PAGE = "\n\n".join([print_columns(GREEN), "融媒记者 王小明", print_columns(RIVER), *HEADLINES,
                    print_columns(LIBRARY)])


def test_synthetic_page_splits_into_three_articles():
    articles = split_articles(clean_paragraphs(PAGE))
    assert [a.title for a in articles] == [
        "建好口袋公园 种下城市新绿——全市城市绿化工作会议侧记",
        "守住一江清水——一论河道治理",
        "图书馆延长开放时间",
    ]
    green, river, library = (a.text.split("\n") for a in articles)
    assert green[1:] == [*GREEN, "融媒记者 王小明"]
    assert river[1:] == ["本报评论员", *RIVER]
    assert library[1:] == LIBRARY
    no_text_lost(clean_text(PAGE), [a.text for a in articles])


def test_headlines_in_reading_order():
    page = "\n\n".join(["城市绿化再上新台阶", "融媒记者 王小明", print_columns(GREEN),
                        "图书馆延长开放时间", print_columns(LIBRARY)])
    articles = split_articles(clean_paragraphs(page))
    assert [a.title for a in articles] == ["城市绿化再上新台阶", "图书馆延长开放时间"]
    assert articles[0].text.split("\n") == ["城市绿化再上新台阶", "融媒记者 王小明", *GREEN]


def test_plain_article_stays_one_document_with_its_title():
    raw = "\n\n".join(["城市绿化再上新台阶", *GREEN, "一、口袋公园", *RIVER])
    articles = split_articles(clean_paragraphs(raw))
    assert len(articles) == 1
    assert articles[0].title == "城市绿化再上新台阶"
    assert "\n一、口袋公园\n" in articles[0].text  # a subheading stays where it is


def test_text_without_any_structure():
    articles = split_articles(clean_paragraphs("\n".join(GREEN)))
    assert len(articles) == 1 and articles[0].title is None
    assert articles[0].text == "\n".join(GREEN)


def test_trailing_bracket_byline_ends_an_article():
    raw = "\n\n".join([GREEN[0] + "（记者 王小明）", "图书馆延长开放时间", *LIBRARY])
    articles = split_articles(clean_paragraphs(raw))
    assert len(articles) == 2 and articles[1].title == "图书馆延长开放时间"


def test_ids_of_a_split_page(tmp_path):
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    docs = read_file(tmp_path / "page.txt", "paper/page.txt")
    assert [d.id for d in docs] == ["paper/page.txt#1", "paper/page.txt#2", "paper/page.txt#3"]
    assert all(d.source == "paper/page.txt" for d in docs)
    assert [d.id for d in read_file(tmp_path / "page.txt", "paper/page.txt")] == [d.id for d in docs]


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize(("text", "date"), [
    ("会议于2025年1月3日下午召开", "2025-01-03"),
    ("1月3日下午召开", None),
    ("发布于 2024 年 12 月 30 日", "2024-12-30"),
    ("日期：2023-08-16 18:24", "2023-08-16"),
    ("二〇二四年十二月三十一日", "2024-12-31"),
    ("2025年2月30日", None),
    ("版本 1.2.0.13", None),
])
def test_find_date(text, date):
    assert find_date(text) == date


def test_normalise_date():
    assert normalise_date("2023-08-16 18:24") == "2023-08-16"
    assert normalise_date("2023年8月6日") == "2023-08-06"
    assert normalise_date("mid-2023") == "mid-2023"
    assert normalise_date(None) is None and normalise_date("") is None


def test_article_date_only_from_a_full_date():
    raw = "\n\n".join([print_columns(GREEN), "融媒记者 王小明",
                       print_columns(["本报讯 2025年1月2日，" + LIBRARY[1]])])
    articles = split_articles(clean_paragraphs(raw))
    assert [a.date for a in articles] == [None, "2025-01-02"]


# ---------------------------------------------------------------- the seed page

@pytest.fixture(scope="module")
def seed_docs():
    if not SEED.exists():
        pytest.skip("seed page not present")
    return read_file(SEED, "seeds/" + SEED.name)


def test_seed_has_three_articles(seed_docs):
    assert len(seed_docs) == 3
    assert [d.id for d in seed_docs] == [f"seeds/{SEED.name}#{k}" for k in (1, 2, 3)]


def test_seed_titles(seed_docs):
    meeting, commentary, visit = seed_docs
    assert meeting.title.startswith("绘蓝图 明任务 聚共识 擂战鼓")
    assert "——市委市政府全会暨市委经济工作会议侧记" in meeting.title
    assert commentary.title.startswith("把握四方面认识 推动高质量发展")
    assert "——一论贯彻落实市委市政府全会暨市委经济工作会议精神" in commentary.title
    assert "金华市人大代表永康中心组" in visit.title and "推动职业教育发展" in visit.title
    for doc in seed_docs:
        assert doc.text.startswith(doc.title + "\n")
        assert doc.date is None  # the page gives no year with its dates


def test_seed_articles_hold_their_bodies_and_bylines(seed_docs):
    meeting, commentary, visit = seed_docs
    assert "1月3日下午" in meeting.text and meeting.text.endswith("融媒记者 李梦楚")
    assert "态势。预计全年地区生产总值增长6%" in meeting.text and "251万元" in meeting.text
    assert "融媒评论员" in commentary.text and "建立主赛道思维" in commentary.text
    assert "变更多“不可能”为“可能”，让更多领域工作争先进、争一流。" in commentary.text
    assert visit.text.split("\n")[1].startswith("本报讯（融媒记者 徐婷婷）1月2日")
    assert visit.text.endswith("输送更多优质的高技能人才。")


def test_seed_no_sentence_lost_or_broken(seed_docs):
    no_text_lost(clean_text(SEED.read_text(encoding="utf-8")), [d.text for d in seed_docs])
    for doc in seed_docs:
        for line in doc.text.split("\n")[1:]:
            assert re.search(r"[。！？][”’]?$", line) or len(line) <= 20, line


def test_footer_after_the_last_article_is_not_a_title():
    raw = "\n\n".join(["城市绿化再上新台阶", *GREEN, "永康日报 2025年1月3日"])
    [article] = split_articles(clean_paragraphs(raw))
    assert article.title == "城市绿化再上新台阶"
    assert article.text.endswith(GREEN[-1] + "\n永康日报2025年1月3日")
    [article] = split_articles(clean_paragraphs("\n\n".join([*GREEN, "来源：永康日报"])))
    assert article.title is None and article.text.endswith("\n来源：永康日报")
