"""Read one file into Documents: .txt .md .html/.htm .pdf .docx .xlsx .csv .jsonl .jsonl.gz and
images (.png .jpg .jpeg .webp .tif .tiff .bmp).

Plain text, PDF pages and the OCR'd text of scans and images go through the cleaner and the
article splitter (PDFs and images through rag/ingest/paged.py, so their Documents know their
pages); HTML, Markdown, DOCX and spreadsheets carry their own structure and give one Document
each, their tables as lines of facts (rag/ingest/tables.py); a JSONL file gives one Document a
record. A document's date: its record's or front matter's, else the first full date in its
text, else the one in its file name (`with_file_date`), never the file's modification time.
Every file passes the guards first (rag/ingest/guards.py): only regular files are opened, and
sizes are capped (a PDF's pages and the bytes its extraction would parse too: rag/ingest/pdf.py).
Parsers (pypdf, python-docx, openpyxl, Pillow, the OCR engine) are imported inside the functions
that use them.
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

from rag.dates import filename_date
from rag.errors import BadInput
from rag.ingest.clean import clean_line, clean_paragraphs, clean_text, join_pieces
from rag.ingest.encoding import decode_bytes
from rag.ingest.guards import Limits, check_unzipped, read_capped
from rag.ingest.html import html_lines
from rag.ingest.images import IMAGE_SUFFIXES, image_pages, ocr_pages
from rag.ingest.jsonl import EMPTY_MESSAGE, read_jsonl
from rag.ingest.paged import PageText, paged_documents
from rag.ingest.pdf import pdf_pages
from rag.ingest.sheets import csv_lines, xlsx_lines
from rag.ingest.split import find_date, normalise_date, split_articles
from rag.ingest.tables import table_lines
from rag.types import Document, Problem

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv", ".jsonl", ".jsonl.gz",
            *IMAGE_SUFFIXES)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")  # one document a record, its id the record's claim


def file_type(path: Path) -> str | None:
    """The supported suffix a file name ends with (lower case), or None."""
    name = path.name.lower()
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix) and name != suffix), None)


def read_file(path: Path, source: str, limits: Limits | None = None) -> list[Document]:
    """The documents in one file. Raises BadInput when the file cannot be read; a JSONL file with
    a bad line raises too (load_paths keeps the good lines and reports the bad ones).
    `limits` default to the settings in the environment (RAG_MAX_FILE_MB, RAG_MAX_JSONL_MB)."""
    documents, problems = read_file_lenient(Path(path), source, limits)
    if problems:
        raise BadInput(problems[0].message)
    return documents


def read_file_lenient(path: Path, source: str, limits: Limits | None = None,
                      name: str | None = None) -> tuple[list[Document], list[Problem]]:
    """Like read_file, but a JSONL file's bad lines come back as Problems beside the good ones.
    `name`: the file name to take the type and a missing date from (default: the path's)."""
    path = Path(path)
    name = name or path.name
    suffix = file_type(Path(name))
    if suffix is None:
        raise BadInput(f"unsupported file type '{Path(name).suffix or name}'; supported: {' '.join(SUFFIXES)}")
    limits = limits or Limits.from_settings()
    if suffix in JSONL_SUFFIXES:
        documents, problems = read_jsonl(path, source, limits)
        return with_file_date(documents, name), problems
    return with_file_date(_read_one(path, suffix, source, limits, name), name), []


def with_file_date(documents: list[Document], name: str) -> list[Document]:
    """A document's best-known date: its record's or front matter's date, else the first full date
    in its text (both set by the readers), else the date its file name carries (`…2025-01…` ->
    2025-01, `news-20240315.txt` -> 2024-03-15, rag.dates.filename_date). Never the file's
    modification time; with none of these it stays unknown (None)."""
    if all(doc.date for doc in documents):
        return documents
    date = filename_date(name)
    return documents if date is None else [doc if doc.date else replace(doc, date=date.iso()) for doc in documents]


def _read_one(path: Path, suffix: str, source: str, limits: Limits, name: str | None = None) -> list[Document]:
    """The documents of a file that is not JSONL."""
    data = read_capped(path, limits.max_file_bytes)
    name = name or path.name
    if suffix == ".pdf":
        return paged_documents(pdf_pages(data, limits, name), source)
    if suffix in IMAGE_SUFFIXES:
        return _image_documents(data, limits, name, source)
    if suffix == ".docx":
        check_unzipped(data, limits.max_file_bytes)
        title, lines = _docx_lines(data)
        return [_structured_document(title, lines, source)]
    if suffix == ".xlsx":
        _, lines = xlsx_lines(data, limits.max_file_bytes)
        return [_structured_document(Path(name).stem, lines, source)]
    text = decode_bytes(data)
    if suffix == ".csv":
        return [_structured_document(Path(name).stem, csv_lines(text), source)]
    if suffix in (".html", ".htm"):
        title, lines = html_lines(text)
        return [_structured_document(title, lines, source)]
    if suffix in (".md", ".markdown"):
        title, date, lines = _markdown_lines(text)
        return [_structured_document(title, lines, source, date)]
    return _page_documents(text, source)


def _image_documents(data: bytes, limits: Limits, name: str, source: str) -> list[Document]:
    """An image (a TIFF's frames: its pages) read by OCR."""
    from rag.ingest import ocr

    if not ocr.available():
        raise BadInput(ocr.MISSING)
    read = ocr_pages(image_pages(data, limits), name, limits)
    if not read:
        raise BadInput("OCR found no text in the image (blank, too blurred or too small to read)")
    return paged_documents([PageText(n, (page.paragraphs,), ocr=True) for n, page in sorted(read.items())], source)


def _page_documents(raw: str, source: str) -> list[Document]:
    """A page of plain text: one Document per article; ids `source` or `source#k`."""
    articles = split_articles(clean_paragraphs(raw))
    if not articles:
        raise BadInput(EMPTY_MESSAGE)
    if len(articles) == 1:
        a = articles[0]
        return [Document(id=source, text=a.text, title=a.title, date=a.date, source=source)]
    return [Document(id=f"{source}#{k}", text=a.text, title=a.title, date=a.date, source=source)
            for k, a in enumerate(articles, 1)]


def _structured_document(title: str | None, lines: list[str], source: str, date: str | None = None) -> Document:
    """One Document whose text starts with its title line (moved to the top if it was lower)."""
    text = "\n".join(filter(None, (clean_text(line) for line in lines)))  # each line is a paragraph
    title = clean_line(title) if title else None
    if title:
        body = text.split("\n")
        if title in body:
            body.remove(title)
        text = "\n".join([title, *body]).strip()
    if not text:
        raise BadInput(EMPTY_MESSAGE)
    return Document(id=source, text=text, title=title or None, date=date or find_date(text), source=source)


# ---------------------------------------------------------------- Markdown

_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
# Every pattern's scan from a candidate start stops at the next candidate start (or stays inside a
# pair of delimiters), so a long line full of unmatched '*', '[' or '<' costs linear time.
_MD_INLINE = (
    (re.compile(r"!\[([^\[\]]*)\]\([^()]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\[\]]+)\]\([^()]*\)"), r"\1"),  # links -> text
    (re.compile(r"<[^<>\n]+>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__|~~)(.+?)\1"), r"\2"),  # bold, strike: an opener without a closer has none after it
    (re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
)
_MD_SKIP_RE = re.compile(r"^\s*(?:```|~~~|(?:[-*_]\s*){3,}$)")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_MD_LINE_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")


def _markdown_lines(text: str) -> tuple[str | None, str | None, list[str]]:
    text = text.replace("\r\n", "\n")
    title = date = None
    front = _FRONT_MATTER_RE.match(text)
    if front:
        text = text[front.end():]
        for line in front.group(1).split("\n"):
            key, _, value = line.partition(":")
            value = value.strip().strip("\"'")
            if key.strip().lower() == "title" and value:
                title = value
            elif key.strip().lower() == "date" and value:
                date = normalise_date(value)
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:  # the lines of a paragraph are one paragraph, as Markdown renders them
        if current:
            paragraphs.append(join_pieces(current))
            current.clear()

    for line in text.split("\n"):
        if not line.strip() or _MD_SKIP_RE.match(line):
            flush()  # blank lines, code fences, horizontal rules
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading or _MD_LINE_RE.match(line):
            flush()
        if heading and title is None and heading.group(1) == "#":
            title = _md_inline(_heading_text(heading.group(2)))
        line = _md_inline(_MD_LINE_RE.sub("", line).strip())
        if line:
            current.append(line)
        if heading:
            flush()
    flush()
    return title, date, paragraphs


def _heading_text(text: str) -> str:
    """A heading without its closing #s (`# 标题 ##`), trimmed with str methods rather than a
    backtracking pattern."""
    text = text.rstrip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1].isspace()) else text


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text.strip()


# ---------------------------------------------------------------- DOCX (PDF: rag/ingest/pdf.py)

def _docx_lines(data: bytes) -> tuple[str | None, list[str]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises many types for a damaged package
        reason = str(err).split("\n")[0][:120] or type(err).__name__
        raise BadInput(f"cannot read the .docx ({reason}); re-save it as .docx (an old .doc will not do)") from None
    title = None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if title is None and text and (style.startswith(("Heading", "Title")) or "标题" in style):
                title = text
            lines.append(text)
        elif tag == "tbl":  # merged cells repeat in every place they cover
            lines.extend(table_lines([[cell.text for cell in row.cells] for row in Table(child, document).rows]))
    return title, lines
