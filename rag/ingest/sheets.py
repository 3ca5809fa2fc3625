"""Spreadsheets -> (title, lines): .xlsx with openpyxl, .csv with the standard library.

    xlsx_lines(data, limit) -> (title, lines)     each sheet: its name, then its table (rag/ingest/tables.py)
    csv_lines(text) -> lines

An .xlsx is a zip: its unzipped size is checked before openpyxl opens it (check_unzipped).
Formulas give their cached values; merged cells are repeated into every cell they cover, so
each row keeps its labels. Cells past MAX_CELLS in one sheet are not read.
"""
from __future__ import annotations

import csv
import io

from rag.errors import BadInput
from rag.ingest.guards import check_unzipped
from rag.ingest.tables import clean_cell, table_lines

MAX_CELLS = 2_000_000  # cells read from one sheet


def xlsx_lines(data: bytes, limit: int) -> tuple[str | None, list[str]]:
    check_unzipped(data, limit)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged package
        reason = str(err).split("\n")[0][:120] or type(err).__name__
        raise BadInput(f"cannot read the .xlsx ({reason}); re-save it as .xlsx (an old .xls will not do)") from None
    lines: list[str] = []
    sheets = book.worksheets
    for sheet in sheets:
        rows = _sheet_rows(sheet)
        caption = sheet.title if len(sheets) > 1 or not sheet.title.lower().startswith(("sheet", "工作表")) else None
        lines.extend(table_lines(rows, caption))
    return None, lines


def _sheet_rows(sheet) -> list[list[str]]:
    """The sheet's values as text, merged ranges filled from their top-left cell."""
    if (sheet.max_row or 0) * (sheet.max_column or 0) > MAX_CELLS:
        rows_allowed = max(1, MAX_CELLS // max(1, sheet.max_column or 1))
    else:
        rows_allowed = None
    fill: dict[tuple[int, int], object] = {}
    for merged in list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                fill[(r, c)] = value
    rows = []
    for r, row in enumerate(sheet.iter_rows(values_only=True, max_row=rows_allowed), start=1):
        rows.append([clean_cell(fill.get((r, c), value)) for c, value in enumerate(row, start=1)])
    return rows


def csv_lines(text: str) -> list[str]:
    """A CSV (comma, tab, semicolon or '|' separated, as sniffed) as table lines."""
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    rows = [[clean_cell(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return table_lines(rows)
