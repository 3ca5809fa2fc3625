"""clean_text: characters, spaces, and lines broken at the column width of a printed page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.ingest import clean_text
from rag.ingest.clean import clean_paragraphs, fix_spaces
from tests.helpers import print_columns

SEED = Path(__file__).parents[2] / "shared/seeds/000_2f3ce927338b60c1.txt"
FINAL = re.compile(r"[。！？；…⋯][”’」』）]*$")




# ---------------------------------------------------------------- characters

def test_full_width_ascii_becomes_half_width_but_chinese_punctuation_stays():
    assert clean_text("ＧＤＰ增长８．７％，达到１２３亿元。（注）“好”") == "GDP增长8.7%，达到123亿元。（注）“好”"


def test_ideographic_space_and_zero_width_characters():
    assert clean_text("中\u200b文\ufeff字") == "中文字"
    assert clean_text("New\u3000York") == "New York"


def test_nfc_newlines_and_ellipsis():
    assert clean_text("Cafe\u0301") == "Café"
    assert clean_text("第一段。\r\n第二段。\r\n") == "第一段。\n第二段。"
    assert clean_text("收入与经济增长同步⋯⋯报告中") == "收入与经济增长同步⋯⋯报告中"


def test_traditional_characters_are_kept():
    assert clean_text("臺灣經濟發展。") == "臺灣經濟發展。"


# ---------------------------------------------------------------- spaces

@pytest.mark.parametrize(("raw", "clean"), [
    ("态 势 。 预 计 全 年 地 区 生 产 总 值 增 长", "态势。预计全年地区生产总值增长"),
    ("村集体经济收入达 251 万元", "村集体经济收入达251万元"),
    ("2024 年，该村", "2024年，该村"),
    ("规上工业增加值增长 8.7%、外贸", "规上工业增加值增长8.7%、外贸"),
    ("联络线、S316 省道等项目", "联络线、S316省道等项目"),
    ("New York 的 iPhone 15", "New York 的 iPhone 15"),
    ("世界五金之都 品质活力永康", "世界五金之都 品质活力永康"),
    ("绘蓝图 明任务 聚共识 擂战鼓", "绘蓝图 明任务 聚共识 擂战鼓"),
    ("本报讯（ 融媒记者 徐婷婷 ）1月", "本报讯（融媒记者 徐婷婷）1月"),
    ("  多个   空格  ", "多个 空格"),
])
def test_fix_spaces(raw, clean):
    assert fix_spaces(raw) == clean


# ---------------------------------------------------------------- lines

PARAGRAPHS = [
    "今年以来，全市上下紧紧围绕年初确定的目标任务，扎实推进各项工作，经济运行总体平稳，"
    "主要指标好于预期，发展质量稳步提升。",
    "一季度全市实现地区生产总值一百二十亿元，同比增长百分之六，增速高于全省平均水平，"
    "工业投资和社会消费品零售总额保持两位数增长。",
    "下一步，各地各部门要坚定信心，抓好项目建设和民生实事，确保全年目标顺利完成。",
]


def test_column_lines_are_joined_and_paragraphs_kept():
    assert clean_text(print_columns(PARAGRAPHS, 14)) == "\n".join(PARAGRAPHS)


def test_letter_spaced_line_is_closed_up_after_joining():
    page = print_columns(PARAGRAPHS, 14).split("\n\n")
    page[1] = " ".join(page[1])  # justify one column line by spacing every character
    assert clean_text("\n\n".join(page)) == "\n".join(PARAGRAPHS)


def test_single_spaced_wrapped_text_is_joined_too():
    raw = print_columns(PARAGRAPHS, 16).replace("\n\n", "\n")
    assert clean_text(raw) == "\n".join(PARAGRAPHS)
    by_blank = "\n\n".join(print_columns([p], 16).replace("\n\n", "\n") for p in PARAGRAPHS)
    assert clean_text(by_blank) == "\n".join(PARAGRAPHS)


def test_headline_block_is_not_joined_with_the_body():
    raw = print_columns(PARAGRAPHS, 14) + "\n\n经济运行总体平稳\n——一季度经济形势分析\n\n融媒记者 张三"
    lines = clean_text(raw).split("\n")
    assert lines[-3:] == ["经济运行总体平稳", "——一季度经济形势分析", "融媒记者 张三"]
    assert lines[:3] == PARAGRAPHS


def test_text_with_one_paragraph_a_line_is_left_alone():
    raw = "\n\n".join(["标题在这里", *PARAGRAPHS, "短的一段"])
    assert clean_text(raw).split("\n") == ["标题在这里", *PARAGRAPHS, "短的一段"]


def test_no_blank_lines_in_output():
    assert "\n\n" not in clean_text(print_columns(PARAGRAPHS, 14) + "\n\n\n\n尾注。")


def test_headline_lines_share_a_group():
    paras = clean_paragraphs(print_columns(PARAGRAPHS, 14) + "\n\n主标题\n——副标题\n\n另一个标题")
    assert paras[-3].group == paras[-2].group != paras[-1].group


# ---------------------------------------------------------------- the seed page

@pytest.fixture(scope="module")
def seed_clean() -> str:
    if not SEED.exists():
        pytest.skip("seed page not present")
    return clean_text(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fragment", [
    "态势。预计全年地区生产总值增长6%",
    "规上工业增加值增长8.7%",
    "村集体经济收入达251万元",
    "该村接待游客约40万人次",
    "2024年，该村",
    "24字要求",
    "S316省道",
    "世界五金之都 品质活力永康",
    "同步⋯⋯报告中",
    "把握四方面认识 推动高质量发展",
])
def test_seed_quirks_fixed(seed_clean, fragment):
    assert fragment in seed_clean


def test_seed_has_no_broken_sentences(seed_clean):
    for line in seed_clean.split("\n"):
        # every line is a whole paragraph (ends a sentence) or a short headline / byline line
        assert FINAL.search(line) or len(line) <= 40, line
    assert "亮点几何？2025年“施工图”规划如何？1月3日下午，市委十五届七次全体（扩大）会议、市政府" in seed_clean
    assert "  " not in seed_clean and "\n\n" not in seed_clean


def test_seed_paragraph_breaks(seed_clean):
    lines = seed_clean.split("\n")
    assert any(line.startswith("在牢记嘱托、感恩奋进的主基调中") for line in lines)
    assert any(line.startswith("回望2024年") and line.endswith("以永康一域之精彩为省市全局添光彩。") for line in lines)
    assert "融媒记者 李梦楚" in lines


def test_dash_at_the_start_of_a_column_line_inside_a_sentence():
    para = "会议提出了今年的两个目标——一是稳住经济大盘，二是抓好民生实事，确保群众满意。"
    raw = print_columns([para, *PARAGRAPHS], 14)
    assert "\n——" in raw  # the dash starts a column line
    assert clean_text(raw).split("\n")[0] == para


def test_single_spaced_headline_and_subtitle():
    raw = "经济运行总体平稳\n——一季度经济形势分析\n" + print_columns(PARAGRAPHS, 16).replace("\n\n", "\n")
    assert clean_text(raw).split("\n") == ["经济运行总体平稳", "——一季度经济形势分析", *PARAGRAPHS]


def test_join_pieces_is_join_lines_pairwise():
    import functools
    import itertools

    from rag.ingest.clean import join_lines, join_pieces

    words = ["口袋公园", "New", "York", "2024", "年", "12", "3,", "(a", "b)", "x.", "", " ", "“引号”"]
    for pieces in itertools.product(words, repeat=3):
        assert join_pieces(list(pieces)) == functools.reduce(join_lines, pieces)
    assert join_pieces([]) == ""
