"""Read one file into Documents: .txt .md .html/.htm .pdf .docx .jsonl.

Plain text and PDF pages go through the cleaner and the article splitter; HTML, Markdown and
DOCX carry their own structure and give one Document each; a JSONL file gives one Document a
record. Parsers (bs4, pypdf, python-docx) are imported inside the functions that use them.
"""
from __future__ import annotations

import codecs
import functools
import io
import itertools
import json
import re
from pathlib import Path

from rag.errors import BadInput
from rag.ingest.clean import join_lines, clean_paragraphs, clean_text, fix_spaces, normalise_chars
from rag.ingest.encoding import BINARY_MESSAGE, decode_bytes
from rag.ingest.split import find_date, normalise_date, split_articles
from rag.types import Document, Problem

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".jsonl", ".jsonl.gz")
EMPTY_MESSAGE = "contains no text; remove it or check that it is the right file"


def file_type(path: Path) -> str | None:
    """The supported suffix a file name ends with (lower case), or None."""
    name = path.name.lower()
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix) and name != suffix), None)


def read_file(path: Path, source: str) -> list[Document]:
    """The documents in one file. Raises BadInput when the file cannot be read; a JSONL file with
    a bad line raises too (load_paths keeps the good lines and reports the bad ones)."""
    documents, problems = read_file_lenient(Path(path), source)
    if problems:
        raise BadInput(problems[0].message)
    return documents


def read_file_lenient(path: Path, source: str) -> tuple[list[Document], list[Problem]]:
    """Like read_file, but a JSONL file's bad lines come back as Problems beside the good ones."""
    suffix = file_type(path)
    if suffix is None:
        raise BadInput(f"unsupported file type '{path.suffix or path.name}'; supported: {' '.join(SUFFIXES)}")
    if suffix in (".jsonl", ".jsonl.gz"):
        return _read_jsonl(path, source)
    if suffix == ".pdf":
        return _page_documents(_pdf_text(path), source), []
    if suffix == ".docx":
        title, lines = _docx_lines(path)
        return [_structured_document(title, lines, source)], []
    text = decode_bytes(_read_bytes(path))
    if suffix in (".html", ".htm"):
        title, lines = _html_lines(text)
        return [_structured_document(title, lines, source)], []
    if suffix in (".md", ".markdown"):
        title, date, lines = _markdown_lines(text)
        return [_structured_document(title, lines, source, date)], []
    return _page_documents(text, source), []


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise BadInput(f"cannot open it ({err.strerror or err}); check the path and its permissions") from None


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
    title = _clean_line(title) if title else None
    if title:
        body = text.split("\n")
        if title in body:
            body.remove(title)
        text = "\n".join([title, *body]).strip()
    if not text:
        raise BadInput(EMPTY_MESSAGE)
    return Document(id=source, text=text, title=title or None, date=date or find_date(text), source=source)


def _clean_line(text: str) -> str | None:
    return fix_spaces(" ".join(normalise_chars(text).split())) or None


# ---------------------------------------------------------------- JSONL

def _read_jsonl(path: Path, source: str) -> tuple[list[Document], list[Problem]]:
    """Stream the records (a corpus file can hold 100 M characters); .jsonl.gz is read as gzip."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    documents: list[Document] = []
    problems: list[Problem] = []
    try:
        with opener(path, "rb") as fh:
            head = fh.read(8192)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                lines = iter(decode_bytes(head + fh.read()).encode("utf-8").split(b"\n"))
            elif b"\x00" in head:
                raise BadInput(BINARY_MESSAGE)
            else:
                lines = itertools.chain(io.BytesIO(head + fh.readline()), fh)
            for number, raw in enumerate(lines, 1):
                if not raw.strip():
                    continue
                try:
                    documents.append(_record_document(_decode_line(raw, number), source))
                except BadInput as err:
                    problems.append(Problem(str(path), f"line {number}: {err}"))
    except OSError as err:  # also gzip.BadGzipFile
        raise BadInput(f"cannot read it ({err.strerror or err}); check the file") from None
    except EOFError:
        raise BadInput("the .gz file is cut short; download or compress it again") from None
    if not documents and not problems:
        raise BadInput(EMPTY_MESSAGE)
    return documents, problems


def _decode_line(raw: bytes, number: int) -> str:
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise BadInput("is not UTF-8 text; save the file as UTF-8")


def _record_document(line: str, source: str) -> Document:
    """One JSONL record {"id", "text", "title"?, "date"?, "source"?}. The id is kept as given;
    the text is cleaned and, when a title is given and the text does not start with it, the
    title is put in front on its own line so that it can be searched and quoted."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadInput(f"not valid JSON ({err.msg} at column {err.colno}); fix or remove the line") from None
    if not isinstance(record, dict):
        raise BadInput("not a JSON object; each line must be {\"id\": ..., \"text\": ...}")
    if record.get("id") in (None, ""):
        raise BadInput("has no \"id\"; give every record a unique id")
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise BadInput("has no \"text\" (or it is empty); give the record its article text")
    title = _clean_line(str(record["title"])) if record.get("title") not in (None, "") else None
    text = clean_text(raw)
    if title and not text.startswith(title):
        text = title + "\n" + text
    return Document(id=str(record["id"]), text=text, title=title, date=normalise_date(record.get("date")),
                    source=str(record.get("source") or source))


# ---------------------------------------------------------------- HTML

_DROP_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "footer", "aside", "form")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
               "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "blockquote", "pre", "figcaption",
               "figure", "br", "hr", "td", "th", "title")
_BLOCK_MARK = "\ue000"  # a private-use mark between blocks: not whitespace, so it survives collapsing


def _html_lines(html: str) -> tuple[str | None, list[str]]:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # lxml missing or choking: the slower pure-Python parser
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    title = (h1.get_text(" ", strip=True) if h1 else "") or (title_tag.get_text(" ", strip=True) if title_tag else "")
    if title_tag:
        title_tag.decompose()
    root = soup.body or soup
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before(_BLOCK_MARK)
        tag.insert_after(_BLOCK_MARK)
    text = re.sub(r"\s+", " ", root.get_text())
    lines = [part.strip() for part in text.split(_BLOCK_MARK)]
    return title or None, [line for line in lines if line]


# ---------------------------------------------------------------- Markdown

_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> text
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__|~~)(.+?)\1"), r"\2"),  # bold, strike
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
)
_MD_SKIP_RE = re.compile(r"^\s*(?:```|~~~|(?:[-*_]\s*){3,}$)")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
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
            paragraphs.append(functools.reduce(join_lines, current))
            current.clear()

    for line in text.split("\n"):
        if not line.strip() or _MD_SKIP_RE.match(line):
            flush()  # blank lines, code fences, horizontal rules
            continue
        heading = _MD_HEADING_RE.match(line)
        if heading or _MD_LINE_RE.match(line):
            flush()
        if heading and title is None and heading.group(1) == "#":
            title = _md_inline(heading.group(2))
        line = _md_inline(_MD_LINE_RE.sub("", line).strip())
        if line:
            current.append(line)
        if heading:
            flush()
    flush()
    return title, date, paragraphs


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text.strip()


# ---------------------------------------------------------------- PDF and DOCX

def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput("the PDF is password-protected; save an unprotected copy and add that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadInput:
        raise
    except Exception as err:  # pypdf raises many types for a damaged file
        reason = str(err).split("\n")[0][:120] or type(err).__name__
        raise BadInput(f"cannot read the PDF ({reason}); it is damaged or not a PDF, re-export it") from None
    text = "\n".join(pages)
    if not text.strip():
        raise BadInput("no text could be extracted from the PDF (a scanned image?); run OCR on it first")
    return text


def _docx_lines(path: Path) -> tuple[str | None, list[str]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
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
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [cell.text.strip() for cell in row.cells]
                lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))  # merged cells repeat
    return title, lines
