"""Ruled tables in digital PDFs (pdfplumber) -> page blocks with the tables as lines of facts.

    table_pages(data, pages) -> {page number: blocks}   only the pages that have a ruled table

Only pages whose content draws lines or rectangles are opened with pdfplumber (pdfminer parses a
page slowly). On such a page the text outside the tables and the tables' lines
(rag/ingest/tables.py) are put in the order they stand on the page, top to bottom. pdfplumber
gives a merged cell's text in its first cell and None in the rest: a None in the first row is
filled from its left (a header over several columns), lower down from above (a cell over several rows).
"""
from __future__ import annotations

import io
import logging
import re

from rag.ingest.tables import table_lines

log = logging.getLogger("rag.ingest")
_RULED = re.compile(rb"(?<![A-Za-z])(?:re|l)\s")  # a rectangle or a line in a content stream
MAX_TABLE_PAGES = 300  # pages opened with pdfplumber in one file


def _draws_lines(page) -> bool:
    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except Exception:  # a damaged stream: pypdf's text extraction already had its say
        return False
    return bool(_RULED.search(data))


def table_pages(data: bytes, pages) -> dict[int, tuple]:
    ruled = [k for k, page in enumerate(pages) if _draws_lines(page)][:MAX_TABLE_PAGES]
    if not ruled:
        return {}
    import pdfplumber

    out: dict[int, tuple] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for k in ruled:
                blocks = _page_blocks(pdf.pages[k])
                if blocks:
                    out[k + 1] = blocks
    except Exception as err:  # pdfminer raises many types; the text layer is kept then
        log.warning("tables not read (%s); the page text is kept", str(err).split("\n")[0][:120])
    return out


def _page_blocks(page) -> tuple | None:
    tables = page.find_tables()
    if not tables:
        return None
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if "x0" not in obj or "top" not in obj:
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    items = [(line["top"], line["text"]) for line in page.filter(outside).extract_text_lines()]
    items += [(t.bbox[1], tuple(table_lines(_filled(t.extract())))) for t in tables]
    items.sort(key=lambda item: item[0])
    blocks: list = []
    for _, value in items:  # consecutive text lines make one raw block
        if isinstance(value, str) and blocks and isinstance(blocks[-1], str):
            blocks[-1] += "\n" + value
        else:
            blocks.append(value)
    return tuple(blocks)


def _filled(rows: list[list]) -> list[list[str]]:
    out: list[list[str]] = []
    for r, row in enumerate(rows):
        filled: list[str] = []
        for c, cell in enumerate(row):
            if cell is None:
                if r == 0:
                    cell = filled[-1] if filled else ""
                else:
                    cell = out[-1][c] if c < len(out[-1]) else ""
            filled.append(cell)
        out.append(filled)
    return out
