"""Tables -> lines of facts: each cell kept with its column label, one line a row.

    table_lines(rows, caption=None) -> [line, ...]

A row of a table with a header becomes `年龄段：90至99周岁；每月津贴：300元；发放方式：按月打卡`, so a
question about one cell finds, and the answer quotes, the row that holds it with its labels.
The readers of DOCX, HTML, PDF (ruled tables), .xlsx and .csv hand their tables here as rows of
cell strings, merged cells already repeated into every cell they cover.

- The header: the first row when it is all labels (no empty cell, no cell that is only a figure). A first
  row with a merged cell spanning columns (the same text repeated side by side) over a second row
  of labels makes a two-row header: the labels join as `户籍人口·男`.
- A header row printed again lower down (a table over several pages) is dropped; empty cells are
  left out; empty rows and columns too; a cell merged across columns under one label is said once.
- Without a header, a two-column row is `名称：内容`, a wider one its cells joined with `；`.
- A wide row (more than WIDE cells) is cut into lines of WIDE cells, each led by the row's first
  cell, so no line grows past what one passage holds.
- A table of more than LABELLED_ROWS rows is too big to be useful as labelled facts: a note line
  names its size and columns, and its rows follow as `a | b | c`; past MAX_ROWS rows the rest is
  left out, and the note says so.
"""
from __future__ import annotations

import re

WIDE = 10  # cells on one line of a wide row
LABELLED_ROWS = 1000  # rows rendered with their labels
MAX_ROWS = 20000  # rows indexed at all
_SPACE_RE = re.compile(r"\s+")
_FIGURE_RE = re.compile(r"[\d\s.,%+\-/:：¥￥$()（）]+")  # a cell that is only a figure is a value


def clean_cell(value: object) -> str:
    """A cell's text on one line: whitespace collapsed; a float that is a whole number without '.0'."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):  # a date or time from a spreadsheet: midnight is a date
        text = value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "date") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACE_RE.sub(" ", str(value)).strip()


def table_lines(rows: list[list[str]], caption: str | None = None) -> list[str]:
    """The table as lines of text (see the module's doc); [] for a table with no text."""
    rows = _squared([[clean_cell(c) for c in row] for row in rows])
    if not rows:
        return []
    header_rows = _header_rows(rows)
    labels = _labels(rows[:header_rows]) if header_rows else [""] * len(rows[0])
    body = [row for row in rows[header_rows:] if not header_rows or row != rows[0]]
    lines = [caption.strip()] if caption and caption.strip() else []
    if not body:  # a header alone: its labels are its text
        return lines + ["；".join(dict.fromkeys(label for label in labels if label))]
    if len(body) > LABELLED_ROWS:
        return lines + _big_table(labels, body)
    for row in body:
        lines.extend(_row_lines(labels, row, bool(header_rows)))
    return [line for line in lines if line]


def _squared(rows: list[list[str]]) -> list[list[str]]:
    """Rows of equal width, with empty rows and empty columns removed."""
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    keep = [j for j in range(width) if any(row[j] for row in rows)]
    return [[row[j] for j in keep] for row in rows]


def _is_label_row(row: list[str]) -> bool:
    return all(row) and not any(_FIGURE_RE.fullmatch(cell) for cell in row)


def _has_span(row: list[str]) -> bool:
    return any(a and a == b for a, b in zip(row, row[1:]))


def _header_rows(rows: list[list[str]]) -> int:
    if len(rows) < 2 or len(rows[0]) < 2:
        return 0
    if not _is_label_row(rows[0]):
        return 0
    if len(rows) > 2 and _has_span(rows[0]) and _is_label_row(rows[1]):
        return 2
    return 1


def _labels(header: list[list[str]]) -> list[str]:
    """One label a column; a two-row header's labels joined with '·' (a merged label said once)."""
    labels = []
    for column in zip(*header):
        parts = list(dict.fromkeys(part for part in column if part))
        labels.append("·".join(parts))
    return labels


def _cells(labels: list[str], row: list[str]) -> list[tuple[str, str]]:
    """The (label, value) pairs of a row: empty cells left out, a value merged across columns once."""
    pairs: list[tuple[str, str]] = []
    for label, value in zip(labels, row):
        if not value:
            continue
        if pairs and pairs[-1] == (label, value):
            continue  # a cell merged across columns under one merged label: said once
        pairs.append((label, value))
    return pairs


def _row_lines(labels: list[str], row: list[str], labelled: bool) -> list[str]:
    pairs = _cells(labels, row)
    if not pairs:
        return []
    if not labelled:
        values = [value for _, value in pairs]
        if len(values) == 2:
            return [f"{values[0]}：{values[1]}"]
        pairs = [("", value) for value in values]
    parts = [f"{label}：{value}" if label and label != value else value for label, value in pairs]
    if len(parts) <= WIDE:
        return ["；".join(parts)]
    lead, rest = parts[0], parts[1:]
    return ["；".join([lead, *rest[k:k + WIDE - 1]]) for k in range(0, len(rest), WIDE - 1)]


def _big_table(labels: list[str], body: list[list[str]]) -> list[str]:
    shown = body[:MAX_ROWS]
    columns = "、".join(label for label in labels if label)
    note = f"（表格共{len(body)}行、{len(labels)}列，行数过多，逐行列出而不逐格标注"
    note += f"；列：{columns}" if columns else ""
    note += f"；仅收录前{MAX_ROWS}行）" if len(body) > MAX_ROWS else "）"
    return [note] + [" | ".join(cell for cell in row if cell) for row in shown]
