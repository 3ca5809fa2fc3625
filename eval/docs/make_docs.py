"""Write the scans-and-tables collection (eval/docs/collection.py) into a folder.

    python eval/docs/make_docs.py OUT        -> OUT/docs/*.png|jpg|pdf|docx|html|xlsx|csv, OUT/truth.json

Notices are rendered at A4 150 dpi with Noto Sans CJK (fonts-noto-cjk): "clean_png" as printed,
"photo_*" degraded (2° rotation, noise, JPEG quality 60 or PNG), "scanned_pdf" pages degraded
and saved as an image-only PDF. truth.json maps each rendered page to its source text (for the
OCR character accuracy of bench/bench_ocr.py). Tables are written with python-docx, openpyxl,
the csv module and reportlab (its built-in STSong-Light CID font).
"""
from __future__ import annotations

import csv
import io
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collection import NOTICES, TABLES  # noqa: E402

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC = 2  # the collection's face of Simplified Chinese (0 is the Japanese one)
A4 = (1240, 1754)  # 150 dpi
MARGIN = 110


def _wrap(text: str, font, width: int) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if font.getlength(current + ch) > width and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    return lines + [current] if current else lines


def render(lines: list[str], size: int = 28, title_line: bool = True) -> tuple:
    """A page image of `lines` (the first a centred title, when `title_line`) and the text as
    printed (wrapped lines)."""
    from PIL import Image, ImageDraw, ImageFont

    body, title = ImageFont.truetype(FONT, size, index=SC), ImageFont.truetype(FONT, int(size * 1.35), index=SC)
    image = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(image)
    y, printed = MARGIN, []
    for k, line in enumerate(lines):
        font = title if k == 0 and title_line else body
        for part in _wrap(line, font, A4[0] - 2 * MARGIN):
            x = (A4[0] - font.getlength(part)) / 2 if font is title else MARGIN
            draw.text((x, y), part, font=font, fill=0)
            printed.append(part)
            y += int(font.size * 1.9)
    return image, "\n".join(printed)


def degrade(image, angle: float = 2.0, noise: float = 14.0, seed: int = 7):
    """A photo or a poor scan: rotated, grey noise, a little blur (JPEG artefacts come when saved)."""
    import numpy as np
    from PIL import ImageFilter

    rotated = image.rotate(angle, resample=3, expand=True, fillcolor=235)
    rng = np.random.default_rng(seed)
    array = np.asarray(rotated, dtype=np.float32) * 0.92 + 10 + rng.normal(0, noise, (rotated.height, rotated.width))
    from PIL import Image

    return Image.fromarray(array.clip(0, 255).astype("uint8")).filter(ImageFilter.GaussianBlur(0.6))


def write_notices(out: Path) -> dict[str, str]:
    truth = {}
    for name, notice in NOTICES.items():
        kind = notice["kind"]
        if kind == "scanned_pdf":
            images = []
            for k, lines in enumerate(notice["pages"], 1):
                image, text = render(lines, title_line=k == 1)
                images.append(degrade(image, angle=1.0, seed=k).convert("RGB"))
                truth[f"{name}.pdf#{k}"] = text
            buf = io.BytesIO()
            images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=150, quality=60)
            (out / f"{name}.pdf").write_bytes(buf.getvalue())
            continue
        image, text = render(notice["lines"])
        if kind == "clean_png":
            image.save(out / f"{name}.png", optimize=True)
            truth[f"{name}.png"] = text
        elif kind == "photo_jpg":
            degrade(image).save(out / f"{name}.jpg", quality=60)
            truth[f"{name}.jpg"] = text
        else:
            degrade(image, angle=-2.0, seed=3).save(out / f"{name}.png", optimize=True)
            truth[f"{name}.png"] = text
    return truth


def write_tables(out: Path) -> None:
    for name, table in TABLES.items():
        path = out / name
        if name.endswith(".docx"):
            _docx(path, table)
        elif name.endswith(".html"):
            body = "".join(table["html_rows"])
            path.write_text(f"<html><head><title>{table['title']}</title></head><body><h1>{table['title']}</h1>"
                            f"<table border=1><caption>{table['caption']}</caption>{body}</table>"
                            "<p>以上标准自2025年6月1日起执行。</p></body></html>", encoding="utf-8")
        elif name.endswith(".xlsx"):
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = table["sheet"]
            for row in table["rows"]:
                sheet.append(row)
            book.save(path)
        elif name.endswith(".csv"):
            with open(path, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows(table["rows"])
        elif name.endswith(".pdf"):
            _pdf(path, table)


def _docx(path: Path, table: dict) -> None:
    import docx

    document = docx.Document()
    document.add_heading(table["title"], level=1)
    document.add_paragraph(table["intro"])
    grid = document.add_table(rows=len(table["rows"]), cols=len(table["rows"][0]))
    for r, row in enumerate(table["rows"]):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    document.save(str(path))


def _pdf(path: Path, table: dict) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4 as PAGE
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=18)
    heading = ParagraphStyle("h", parent=style, fontSize=16, leading=24)
    grid = Table(table["rows"], style=TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 11),
                                                  ("GRID", (0, 0), (-1, -1), 0.8, colors.black)]))
    story = [Paragraph(table["title"], heading), Paragraph(table["intro"], style), Spacer(1, 12), grid,
             Spacer(1, 12), Paragraph("未尽事宜请咨询县医疗保障局。", style)]
    SimpleDocTemplate(str(path), pagesize=PAGE).build(story)


def main(out: Path) -> Path:
    """The folder of documents (OUT/docs)."""
    random.seed(7)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    truth = write_notices(docs)
    write_tables(docs)
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return docs


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "eval/docs/build"))
