"""Pages (of a PDF, a scan, an image) -> Documents that know on which page each part of their text is.

    PageText(blocks, ocr)                        one page: raw text blocks, and tables as lines of facts
    paged_documents(pages, source) -> [Document]  cleaned, split into articles, Document.pages set

The raw text of consecutive pages is cleaned as one run (rag/ingest/clean.py), so a paragraph
broken over a page end is joined as before; a table's lines (rag/ingest/tables.py) are paragraphs
as they are, never joined to each other. Where each page begins in the cleaned text is found by
looking for the first line of its raw text, cleaned, from where the page before began (cleaning
only joins lines and mends spaces inside them); a page whose first line is not found is counted
with the page before it. The articles (rag/ingest/split.py) are mapped back through their
paragraphs, so a headline moved to its article keeps its own page.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from rag.errors import BadInput
from rag.ingest.clean import Para, clean_line, clean_paragraphs
from rag.ingest.jsonl import EMPTY_MESSAGE
from rag.ingest.split import split_articles
from rag.types import Document

_KEY = 16  # characters of a page's first line looked for


@dataclass(frozen=True)
class PageText:
    """One page: its blocks in order (raw text to clean, or lines kept as paragraphs: a table's
    rows, the paragraphs OCR found) and whether OCR read it. `number`: the page's number in its file."""

    number: int
    blocks: tuple = ()
    ocr: bool = False

    @property
    def empty(self) -> bool:
        return not any((b.strip() if isinstance(b, str) else any(b)) for b in self.blocks)


def paged_documents(pages: list[PageText], source: str) -> list[Document]:
    """Documents of the pages (one an article; ids `source` or `source#k`), with their pages."""
    paras, marks = _paragraphs(pages)
    articles = split_articles(paras)
    if not articles:
        raise BadInput(EMPTY_MESSAGE)
    ocr = {p.number for p in pages if p.ocr}
    where: dict[str, deque[int]] = defaultdict(deque)
    for k, para in enumerate(paras):
        where[para.text].append(k)
    docs = []
    for k, article in enumerate(articles, 1):
        doc_pages = _article_pages(article.text, where, marks)
        numbers = {n for _, n in doc_pages}
        doc_id = source if len(articles) == 1 else f"{source}#{k}"
        docs.append(Document(id=doc_id, text=article.text, title=article.title, date=article.date, source=source,
                             pages=doc_pages, ocr_pages=tuple(sorted(numbers & ocr))))
    return docs


def _paragraphs(pages: list[PageText]) -> tuple[list[Para], list[list[tuple[int, int]]]]:
    """All paragraphs, and for each the (offset inside it, page number) where pages begin in it
    (its first entry at offset 0)."""
    paras: list[Para] = []
    marks: list[list[tuple[int, int]]] = []
    run: list[tuple[int, str]] = []

    def flush() -> None:
        if run:
            base = 1 + max((p.group for p in paras), default=-1)
            for para, para_marks in _clean_run(run):
                paras.append(Para(para.text, para.group + base))
                marks.append(para_marks)
            run.clear()

    for page in pages:
        for block in page.blocks:
            if isinstance(block, str):
                run.append((page.number, block))
                continue
            flush()
            for line in block:
                text = clean_line(line)
                if text:
                    paras.append(Para(text, 1 + max((p.group for p in paras), default=-1)))
                    marks.append([(0, page.number)])
    flush()
    return paras, marks


def _clean_run(run: list[tuple[int, str]]) -> list[tuple[Para, list[tuple[int, int]]]]:
    cleaned = clean_paragraphs("\n".join(raw for _, raw in run))
    text = "\n".join(p.text for p in cleaned)
    starts: list[tuple[int, int]] = [(0, run[0][0])]
    for number, raw in run[1:]:
        first = next((line for line in map(clean_line, raw.split("\n")) if line), None)
        found = text.find(first[:_KEY], starts[-1][0]) if first else -1
        if found >= 0 and number != starts[-1][1]:
            starts.append((found, number))
    out, offset = [], 0
    for para in cleaned:
        end = offset + len(para.text)
        page = [n for s, n in starts if s <= offset][-1]
        inside = [(s - offset, n) for s, n in starts if offset < s < end]
        out.append((para, [(0, page), *inside]))
        offset = end + 1
    return out


def _article_pages(text: str, where: dict[str, deque[int]], marks: list[list[tuple[int, int]]]) -> tuple:
    """(offset, page) where pages begin in an article's text, from its paragraphs' marks."""
    out: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):  # a line not found (a title of joined headlines) takes the next one's page
        found = where.get(line)
        if found:
            for rel, number in marks[found.popleft()]:
                if not out or out[-1][1] != number:
                    out.append((offset + rel, number))
        offset += len(line) + 1
    if out:
        out[0] = (0, out[0][1])
    return tuple(out)
