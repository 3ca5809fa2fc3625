"""Scans and photos (rag/ingest/ocr.py, images.py, paged.py): OCR of generated pages, page numbers
from the file to the citation, and the limits (pixel bombs, pages, time). Tests that run the
OCR engine take seconds each: marked slow."""
from __future__ import annotations

import io
import logging
import struct
import zlib

import pytest

from rag.errors import BadInput
from rag.ingest import ocr, read_file
from rag.ingest.guards import Limits
from rag.ingest.images import image_pages
from rag.ingest.ocr import OcrRun, paragraphs, reading_order
from rag.ingest.paged import PageText, paged_documents
from rag.types import Answer, Citation, Document

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC = 2  # the collection's face of Simplified Chinese (0 is the Japanese one)
NOTICE = ["柳塘镇卫生院门诊时间调整通知", "自2025年9月1日起，柳塘镇卫生院门诊时间调整为每日7时30分至17时。",
          "周六上午增设儿童保健门诊，每次限号45个。", "咨询电话：0570-6643218。"]
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="rapidocr-onnxruntime not installed")


def page_image(lines, size=28, angle=0.0, noise=0.0):
    """An A4 page at 150 dpi with `lines` printed in Noto Sans CJK; rotated and noisy on request."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size, index=SC)
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(lines):
        draw.text((110, 120 + k * int(size * 1.9)), line, font=font, fill=0)
    if angle:
        image = image.rotate(angle, resample=3, expand=True, fillcolor=240)
    if noise:
        rng = np.random.default_rng(1)
        array = np.asarray(image, dtype=np.float32) + rng.normal(0, noise, (image.height, image.width))
        image = Image.fromarray(array.clip(0, 255).astype("uint8"))
    return image


def image_bytes(image, fmt="PNG", **options) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


# ---------------------------------------------------------------- OCR (slow: the engine runs)

@pytest.mark.slow
@needs_ocr
def test_a_generated_scan_reads_into_the_same_cleaned_text(tmp_path):
    (tmp_path / "notice.png").write_bytes(image_bytes(page_image(NOTICE)))
    [doc] = read_file(tmp_path / "notice.png", "notice.png")
    assert doc.text.split("\n") == NOTICE
    assert doc.title == NOTICE[0] and doc.pages == ((0, 1),) and doc.ocr_pages == (1,)
    assert doc.date == "2025-09-01"


@pytest.mark.slow
@needs_ocr
def test_a_rotated_noisy_jpeg_photo(tmp_path):
    photo = page_image(NOTICE, angle=2.0, noise=14).convert("RGB")
    (tmp_path / "photo.jpg").write_bytes(image_bytes(photo, "JPEG", quality=60))
    [doc] = read_file(tmp_path / "photo.jpg", "photo.jpg")
    assert "每次限号45个" in doc.text and "0570-6643218" in doc.text and "7时30分至17时" in doc.text


@pytest.mark.slow
@needs_ocr
def test_a_scanned_page_inside_a_digital_pdf_keeps_its_page_number(tmp_path):
    pytest.importorskip("reportlab")
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    digital = io.BytesIO()
    c = canvas.Canvas(digital)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "柳塘镇卫生院新址启用公告")
    c.drawString(72, 740, "卫生院新址位于柳塘镇清风路16号，建筑面积4200平方米。")
    c.save()
    scan = image_bytes(page_image(NOTICE[1:]).convert("RGB"), "PDF", resolution=150)
    writer = PdfWriter()
    for data in (digital.getvalue(), scan):
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    with open(tmp_path / "mixed.pdf", "wb") as fh:
        writer.write(fh)
    [doc] = read_file(tmp_path / "mixed.pdf", "mixed.pdf")
    first, second = doc.text.index("建筑面积4200平方米"), doc.text.index("每次限号45个")
    assert doc.page_at(first) == 1 and doc.page_at(second) == 2
    assert doc.ocr_pages == (2,) and doc.ocr_at(second, second + 5) and not doc.ocr_at(first, first + 5)


# ---------------------------------------------------------------- reading order (no engine)

def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_reading_order_rows_and_paragraphs():
    boxes = [(box(600, 300, 900, 330), "右半行", 0.9), (box(100, 302, 580, 331), "左半行", 0.9),
             (box(300, 100, 700, 150), "标题", 0.9),
             (box(100, 200, 1000, 230), "第一段开头一直写到右边", 0.9), (box(100, 250, 400, 280), "接着写完。", 0.9)]
    rows = reading_order(boxes)
    assert [r[3] for r in rows] == ["标题", "第一段开头一直写到右边", "接着写完。", "左半行 右半行"]
    assert paragraphs(rows) == ["标题", "第一段开头一直写到右边接着写完。", "左半行 右半行"]


def test_pages_map_to_offsets_through_cleaning_and_articles():
    pages = [PageText(1, ("柳塘镇公告\n第一页的内容写在这里。",)), PageText(2, ("第二页另起一段。",)),
             PageText(3, (("项目：门诊；时间：7时30分",),), ocr=True)]
    [doc] = paged_documents(pages, "a.pdf")
    assert doc.page_at(doc.text.index("第一页")) == 1 and doc.page_at(doc.text.index("第二页")) == 2
    assert doc.page_at(doc.text.index("项目：门诊")) == 3 and doc.ocr_pages == (3,)
    assert Document("x", "text").page_at(0) is None


# ---------------------------------------------------------------- citations carry the page

def test_citation_json_and_source_card_carry_page_and_ocr():
    from rag.ui.render import labels, render_source

    cite = Citation(1, "a.png", "标题", None, "a.png", "每次限号45个", 0, 7, page=3, ocr=True)
    row = Answer("q", "每次限号45个[1]", None, True, (cite,)).to_dict()["citations"][0]
    assert row["page"] == 3 and row["ocr"] is True
    plain = Answer("q", "a[1]", None, True, (Citation(1, "b.txt", None, None, None, "a", 0, 1),)).to_dict()
    assert "page" not in plain["citations"][0] and "ocr" not in plain["citations"][0]
    card = render_source(cite, None, 0, labels("zh"), False)
    assert "第3页" in card and "rag-ocr" in card


def test_a_pdf_answer_cites_its_page_through_the_store(fake_pipeline, fake_settings):
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(fake_settings.corpus_dir / "report.pdf"))
    for text in ("柳塘镇二〇二五年工作报告。全镇新修道路十二公里。", "柳塘镇新建污水处理站一座，日处理能力达到3600吨。"):
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, text)
        c.showPage()
    c.save()
    fake_pipeline.build()
    answer = fake_pipeline.ask("柳塘镇污水处理站日处理能力是多少？")
    cited = [c for c in answer.citations if "3600吨" in c.quote]
    assert answer.answerable and cited and cited[0].page == 2 and not cited[0].ocr
    stored = fake_pipeline.index.document(cited[0].doc_id)
    assert [n for _, n in stored.pages] == [1, 2] and stored.ocr_pages == ()


# ---------------------------------------------------------------- limits

def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost no data (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_pixel_bomb_is_refused_before_decoding():
    with pytest.raises(BadInput, match="RAG_MAX_IMAGE_MP"):
        image_pages(_png_header(100_000, 100_000), Limits())
    with pytest.raises(BadInput, match="over the limit"):
        image_pages(image_bytes(page_image(["柳塘"])), Limits(max_image_pixels=1000))


def test_too_many_tiff_pages_and_a_damaged_image():
    from PIL import Image

    frames = [Image.new("L", (40, 40), 255) for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(BadInput, match="3 pages"):
        image_pages(buf.getvalue(), Limits(max_pdf_pages=2))
    assert len(image_pages(buf.getvalue(), Limits())) == 3
    with pytest.raises(BadInput, match="cannot read the image"):
        image_pages(b"\x89PNG\r\n\x1a\nnot really", Limits())


def test_a_scanned_pdf_with_a_huge_image_is_refused(tmp_path):
    from PIL import Image

    data = image_bytes(Image.new("RGB", (200, 200), "white"), "PDF", resolution=150)
    (tmp_path / "big.pdf").write_bytes(data)
    with pytest.raises(BadInput, match="RAG_MAX_IMAGE_MP"):
        read_file(tmp_path / "big.pdf", "big.pdf", Limits(max_image_pixels=10_000))


def test_without_the_engine_a_scan_says_how_to_enable_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    (tmp_path / "a.png").write_bytes(image_bytes(page_image(["柳塘"])))
    with pytest.raises(BadInput, match="rapidocr-onnxruntime"):
        read_file(tmp_path / "a.png", "a.png")


def test_the_time_budget_and_progress(capsys, caplog, monkeypatch):
    run = OcrRun("big.pdf", 3, budget=0.0)
    with pytest.raises(BadInput, match="RAG_OCR_SECONDS"):
        run.page_done()
    run = OcrRun("slow.pdf", 3, budget=100.0)
    run.PROGRESS_SECONDS = 0.0
    monkeypatch.setattr(logging.getLogger("rag"), "handlers", [])  # the command line: stderr
    run.page_done()
    err = capsys.readouterr().err
    assert "slow.pdf: OCR 1/3 pages" in err and "pages/s" in err and "s left" in err
    monkeypatch.setattr(logging.getLogger("rag"), "handlers", [logging.NullHandler()])  # a server: its log
    monkeypatch.setattr(logging.getLogger("rag"), "propagate", True)  # (log_to_console turns it off)
    with caplog.at_level(logging.INFO, logger="rag.ingest"):
        run.page_done()
    assert "slow.pdf: OCR 2/3 pages" in caplog.text


def test_limits_from_the_environment(monkeypatch):
    from rag.errors import RagError

    monkeypatch.setenv("RAG_MAX_IMAGE_MP", "2.5")
    monkeypatch.setenv("RAG_OCR_SECONDS", "30")
    limits = Limits.from_settings()
    assert limits.max_image_pixels == 2_500_000 and limits.ocr_seconds == 30
    monkeypatch.setenv("RAG_OCR_SECONDS", "soon")
    with pytest.raises(RagError, match="RAG_OCR_SECONDS"):
        Limits.from_settings()
