"""Tables as facts (rag/ingest/tables.py) from each format: DOCX, HTML, XLSX, CSV, a ruled PDF table."""
from __future__ import annotations

import csv

import pytest

from rag.ingest import read_file
from rag.ingest.html import html_lines
from rag.ingest.tables import LABELLED_ROWS, WIDE, table_lines

ROWS = [["年龄段", "每月津贴", "发放方式"],
        ["80至89周岁", "110元", "按月打卡"],
        ["90至99周岁", "310元", "按月打卡"]]
ROW_90 = "年龄段：90至99周岁；每月津贴：310元；发放方式：按月打卡"


def test_a_row_keeps_each_cell_with_its_label():
    assert table_lines(ROWS, "松岭乡高龄津贴") == ["松岭乡高龄津贴", "年龄段：80至89周岁；每月津贴：110元；发放方式：按月打卡",
                                              ROW_90]


def test_repeated_header_empty_cells_and_empty_columns():
    rows = [ROWS[0] + [""], ROWS[1] + [""], ROWS[0] + [""], ["90至99周岁", "310元", "", ""]]
    assert table_lines(rows) == ["年龄段：80至89周岁；每月津贴：110元；发放方式：按月打卡", "年龄段：90至99周岁；每月津贴：310元"]


def test_a_two_row_header_under_a_merged_cell():
    rows = [["车型", "收费", "收费"], ["车型", "白天", "夜间"], ["小型车", "4元", "2元"], ["货车", "8元", "8元"]]
    assert table_lines(rows) == ["车型：小型车；收费·白天：4元；收费·夜间：2元", "车型：货车；收费·白天：8元；收费·夜间：8元"]


def test_without_a_header_pairs_and_rows():
    assert table_lines([["联系电话", "0570-1234567"], ["地址", "松岭路3号"]]) == ["联系电话：0570-1234567", "地址：松岭路3号"]
    # a first row of figures is data, not labels
    assert table_lines([["2021", "12", "13"], ["2022", "14", "15"]]) == ["2021；12；13", "2022；14；15"]


def test_a_wide_row_is_cut_into_lines_led_by_its_first_cell():
    header = ["镇"] + [f"{m}月" for m in range(1, 13)]
    lines = table_lines([header, ["松岭乡"] + [f"{m}吨" for m in range(1, 13)]])
    assert len(lines) == 2 and all(line.startswith("镇：松岭乡；") for line in lines)
    assert all(line.count("；") <= WIDE - 1 for line in lines) and "12月：12吨" in lines[1]


def test_a_huge_table_is_indexed_with_a_note():
    rows = [["编号", "名称"]] + [[str(k), f"站点{k}"] for k in range(LABELLED_ROWS + 5)]
    lines = table_lines(rows)
    assert lines[0].startswith(f"（表格共{LABELLED_ROWS + 5}行") and "列：编号、名称" in lines[0]
    assert lines[-1] == f"{LABELLED_ROWS + 4} | 站点{LABELLED_ROWS + 4}" and len(lines) == LABELLED_ROWS + 6


def test_html_table_with_rowspan_colspan_and_caption():
    html = ("<h1>松岭乡收费</h1><p>标准如下。</p><table><caption>停车收费</caption>"
            "<tr><th rowspan=2>车型</th><th colspan='2'>收费</th></tr><tr><th>白天</th><th>夜间</th></tr>"
            "<tr><td>小型车</td><td>4元</td><td>2元</td></tr><tr><td>货车</td><td>8<br>元</td><td></td></tr>"
            "</table><p>完。</p>")
    title, lines = html_lines(html)
    assert title == "松岭乡收费"
    assert lines == ["松岭乡收费", "标准如下。", "停车收费", "车型：小型车；收费·白天：4元；收费·夜间：2元",
                     "车型：货车；收费·白天：8 元", "完。"]


def test_docx_table(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("松岭乡高龄津贴标准", level=1)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(tmp_path / "a.docx"))
    [doc] = read_file(tmp_path / "a.docx", "a.docx")
    assert ROW_90 in doc.text.split("\n")


def test_xlsx_with_merged_header_and_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "津贴"
    sheet.append(["年龄段", "标准", None])
    sheet.merge_cells("B1:C1")
    sheet.append(["年龄段", "每月津贴", "发放方式"])
    sheet.append(["90至99周岁", 310.0, "按月打卡"])
    book.save(tmp_path / "松岭乡.xlsx")
    [doc] = read_file(tmp_path / "松岭乡.xlsx", "松岭乡.xlsx")
    assert doc.text.split("\n") == ["松岭乡", "津贴", "年龄段：90至99周岁；标准·每月津贴：310；标准·发放方式：按月打卡"]


def test_csv_semicolons_and_gbk(tmp_path):
    path = tmp_path / "bikes.csv"
    with open(path, "w", encoding="gbk", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([["租赁点", "车辆数"], ["松岭车站", "45辆"], ["柳塘公园", "30辆"]])
    [doc] = read_file(path, "bikes.csv")
    assert "租赁点：松岭车站；车辆数：45辆" in doc.text.split("\n")


def test_ruled_pdf_table(tmp_path):
    pytest.importorskip("reportlab")
    pytest.importorskip("pdfplumber")
    from reportlab.lib import colors
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    grid = Table(ROWS, style=TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 11),
                                         ("GRID", (0, 0), (-1, -1), 0.8, colors.black)]))
    SimpleDocTemplate(str(tmp_path / "t.pdf")).build([grid])
    [doc] = read_file(tmp_path / "t.pdf", "t.pdf")
    assert ROW_90 in doc.text.split("\n")
    assert doc.pages == ((0, 1),) and doc.ocr_pages == ()


def test_uploads_of_tables_are_indexed_and_answered(fake_pipeline, fake_settings, tmp_path):
    """An upload (the page and the API both use add_uploads) of a .csv and an .xlsx: accepted,
    indexed, and a question about one cell quotes its row."""
    openpyxl = pytest.importorskip("openpyxl")
    from rag.documents import ALLOWED_SUFFIXES, add_uploads

    assert {".csv", ".xlsx", ".png", ".jpg", ".tif"} <= set(ALLOWED_SUFFIXES)
    (fake_settings.corpus_dir / "a.txt").write_text("松岭乡新修村道3公里。", encoding="utf-8")
    fake_pipeline.build()
    book = openpyxl.Workbook()
    for row in [["社区", "养老床位"], ["松岭社区", 27], ["柳塘社区", 33]]:
        book.active.append(row)
    book.save(tmp_path / "beds.xlsx")
    (tmp_path / "fees.csv").write_text("项目,收费\n游泳馆单次票,18元\n羽毛球场每小时,25元\n", encoding="utf-8")
    add_uploads(fake_pipeline, [(tmp_path / "beds.xlsx", "床位.xlsx"), (tmp_path / "fees.csv", "收费.csv")],
                fake_settings.corpus_dir)
    answer = fake_pipeline.ask("柳塘社区有多少张养老床位？")
    assert answer.answerable and any("社区：柳塘社区；养老床位：33" in c.quote for c in answer.citations)
    answer = fake_pipeline.ask("羽毛球场每小时收费多少？")
    assert any("项目：羽毛球场每小时；收费：25元" in c.quote for c in answer.citations)
