"""Every document's best-known date: the record's or front matter's, else the first full date in
its text, else the date in its file name; never the file's modification time. Invented files."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from rag.ingest import load_paths, read_file
from rag.ingest.split import normalise_date
from rag.retrieve.filters import Filters

BODY = "苇塘村今年新建文化礼堂一座，可容纳二百人。"
CORPUS_PAGE = Path(__file__).resolve().parent.parent / "corpus" / "yongkang-daily-2025-01-front-page.txt"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "date"), [
    ("weitang-2024-03.txt", "2024-03"),
    ("news-20240315.txt", "2024-03-15"),
    ("2023年5月简报.txt", "2023-05"),
    ("bulletin_2022_11_30.md", "2022-11-30"),
    ("weitang.txt", None),
    ("plan-2035.txt", None),
])
def test_date_from_the_file_name(tmp_path, name, date):
    [doc] = read_file(write(tmp_path / name, BODY), name)
    assert doc.date == date


def test_a_full_date_in_the_text_beats_the_file_name(tmp_path):
    [doc] = read_file(write(tmp_path / "weitang-2024-03.txt", "本报讯 2024年2月28日，" + BODY), "w.txt")
    assert doc.date == "2024-02-28"


def test_a_partial_date_in_the_text_does_not_beat_the_file_name(tmp_path):
    [doc] = read_file(write(tmp_path / "weitang-2024-03.txt", "2023年全村" + BODY), "w.txt")
    assert doc.date == "2024-03"


@pytest.mark.parametrize("text", ["２０２４年２月２８日，" + BODY, "二〇二四年二月二十八日，" + BODY,
                                  "2024/2/28 " + BODY, "2024.02.28 " + BODY])
def test_text_dates_in_other_forms(tmp_path, text):
    [doc] = read_file(write(tmp_path / "a.txt", text), "a.txt")
    assert doc.date == "2024-02-28"


def test_front_matter_beats_text_and_file_name(tmp_path):
    md = "---\ntitle: 礼堂落成\ndate: 2024年4月\n---\n\n2024年2月28日开工。" + BODY + "\n"
    [doc] = read_file(write(tmp_path / "weitang-2023-01-01.md", md), "w.md")
    assert doc.date == "2024-04"


def test_markdown_without_front_matter_uses_its_text_then_its_name(tmp_path):
    [doc] = read_file(write(tmp_path / "x-2023-06.md", "# 礼堂\n\n2023年6月9日落成。\n"), "x.md")
    assert doc.date == "2023-06-09"
    [doc] = read_file(write(tmp_path / "y-2023-06.md", "# 礼堂\n\n" + BODY + "\n"), "y.md")
    assert doc.date == "2023-06"


def test_html_gets_the_file_name_date(tmp_path):
    [doc] = read_file(write(tmp_path / "page-20230102.html", f"<h1>礼堂</h1><p>{BODY}</p>"), "p.html")
    assert doc.date == "2023-01-02"


def test_jsonl_record_date_then_text_then_file_name(tmp_path):
    records = [{"id": "a", "text": BODY, "date": "2024-04-01 08:00"},
               {"id": "b", "text": "2023年6月9日，" + BODY},
               {"id": "c", "text": BODY},
               {"id": "d", "text": BODY, "date": "20220102"}]
    path = write(tmp_path / "feed-2021-07.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    docs, problems = load_paths([path])
    assert problems == [] and [d.date for d in docs] == ["2024-04-01", "2023-06-09", "2021-07", "2022-01-02"]


def test_gzipped_jsonl_reads_its_name_without_the_suffixes(tmp_path):
    with gzip.open(tmp_path / "feed-2021-07.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a", "text": BODY}, ensure_ascii=False))
    [doc], _ = load_paths([tmp_path])
    assert doc.date == "2021-07"


def test_never_the_modification_time(tmp_path):
    path = write(tmp_path / "weitang.txt", BODY)
    os.utime(path, (1_600_000_000, 1_600_000_000))  # September 2020
    [doc] = read_file(path, "weitang.txt")
    assert doc.date is None


def test_every_article_of_a_page_without_its_own_date_gets_the_file_date(tmp_path):
    page = ("礼堂落成\n\n本报讯（记者 陈一苇）" + BODY + "全村三百余户受益。\n\n"
            "道路通车\n\n本报讯（记者 陈一苇）2024年3月2日，苇塘村至镇区道路正式通车，全长四公里。")
    docs = read_file(write(tmp_path / "daily-2024-03-p2.txt", page), "daily-2024-03-p2.txt")
    assert len(docs) == 2 and [d.date for d in docs] == ["2024-03", "2024-03-02"]


def test_file_dates_work_with_the_date_filters(tmp_path):
    [doc] = read_file(write(tmp_path / "weitang-2024-03.txt", BODY), "w.txt")
    assert Filters(since="2024-03").matches(doc) and Filters(until="2024").matches(doc)
    assert not Filters(since="2024-04").matches(doc) and not Filters(until="2024-02").matches(doc)


@pytest.mark.parametrize(("value", "date"), [
    ("2023-08-16 18:24", "2023-08-16"), ("2023年8月6日", "2023-08-06"), ("2023年8月", "2023-08"),
    ("2023-08", "2023-08"), ("20230816", "2023-08-16"), ("二〇二三年八月六日", "2023-08-06"),
    ("２０２３年８月６日", "2023-08-06"), ("2023", "2023"), ("mid-2023", "mid-2023"), (None, None), ("", None),
])
def test_normalise_date(value, date):
    assert normalise_date(value) == date


def test_the_bundled_page_gets_its_month_from_its_name():
    if not CORPUS_PAGE.exists():
        pytest.skip("bundled page not present")
    docs = read_file(CORPUS_PAGE, CORPUS_PAGE.name)
    assert docs and all(d.date == "2025-01" for d in docs)  # its text gives no year with 1月3日


@pytest.mark.parametrize("text, date", [
    ("澄川融媒2024年5月6日讯 县城公交调整。\n全文到此。", "2024-05-06"),  # a dateline at the top
    ("通知正文第一段。\n第二段。\n澄川县民政局\n2024年6月18日", "2024-06-18"),  # under the signature
    ("牛小满，漫画家，1961年10月15日出生，少年时学画。", None),  # a life date
    ("陶春生（1930年5月2日－2001年3月1日），作家。", None),
    ("开头没有日期。" + "正文" * 100 + "2008年8月8日履新，" + "正文" * 100 + "结尾也没有。", None),  # an event mid-text
])
def test_an_articles_own_date_is_in_its_opening_or_closing(text, date):
    from rag.ingest.split import find_date

    assert find_date(text) == date


def test_a_date_starting_the_line_under_the_headline_is_the_articles():
    from rag.ingest.split import find_date

    assert find_date("关于调整某镇某项补贴标准的通知\n2025年2月20日，某镇人民政府发布通知。") == "2025-02-20"
    assert find_date("某公园位于某市。1980年12月4日，某人捐地建园。") is None  # mid-line: an event
