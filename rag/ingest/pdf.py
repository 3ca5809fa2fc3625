"""PDF -> pages of text, with the work bounded before it starts.

    pdf_pages(data, limits, name) -> [PageText]   raises BadInput
    pdf_text(data, limits) -> str                 the text layer only

A page's text comes from its text layer (pypdf); a page with ruled tables is read again by
pdfplumber, its tables as lines of facts (rag/ingest/pdf_tables.py); a page with no text but an
image (a scan) is rendered and read by OCR (rag/ingest/images.py), within the file's time budget.

A PDF's cost is not its size: pypdf parses every page's content streams, the forms they draw and
the ToUnicode maps of their fonts again for each page, so forty pages sharing one compressed
stream that inflates to 1 MB cost forty times the parsing of 1 MB (minutes, from a 9 KB file).
Before any text is extracted the pages are counted (at most `limits.max_pdf_pages`,
RAG_MAX_PDF_PAGES) and the bytes the extraction would parse are added up, as it would parse them:
each page's content streams, each form XObject as many times as it is drawn (forms inside forms
too), each font's ToUnicode map once per page that uses it. Past `limits.max_inflated_bytes`
(RAG_MAX_INFLATED_MB) the file is refused. Measuring inflates each stream once (pypdf caches it,
and caps one stream at 75 MB) and scans it with one regular expression; nothing is parsed.
"""
from __future__ import annotations

import io
import logging
import re

from rag.errors import BadInput
from rag.ingest.guards import Limits, size_text

PAGES_LIMIT_NAME = "RAG_MAX_PDF_PAGES"
INFLATED_LIMIT_NAME = "RAG_MAX_INFLATED_MB"
log = logging.getLogger("rag.ingest")
MAX_DEPTH = 12  # forms drawn inside forms, deeper than this counts as too much
_DRAW = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")


class _TooMuch(Exception):
    pass


MIN_TEXT = 20  # characters: a page with less text and an image is a scan


def pdf_pages(data: bytes, limits: Limits, name: str = "PDF") -> list:
    """The PDF's pages: text layer, tables, OCR of scanned pages; BadInput when none has text."""
    from rag.ingest import ocr
    from rag.ingest.images import ocr_pages, render_page
    from rag.ingest.paged import PageText
    from rag.ingest.pdf_tables import table_pages

    reader, texts = _text_layer(data, limits)
    pages = [PageText(k, (text,)) for k, text in enumerate(texts, 1)]
    for number, blocks in table_pages(data, reader.pages).items():
        pages[number - 1] = PageText(number, blocks)
    scans = [p.number for p in pages if len("".join(texts[p.number - 1].split())) < MIN_TEXT
             and _has_image(reader.pages[p.number - 1], limits.max_image_pixels)]
    if scans and not ocr.available():
        if all(p.empty or p.number in scans for p in pages):
            raise BadInput(f"has only scanned pages; {ocr.MISSING}")
        log.warning("%s: pages %s are scans, left out: %s", name, ", ".join(map(str, scans)), ocr.MISSING)
    elif scans:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            images = (render_page(pdf, n - 1, limits) for n in scans)
            for number, page in ocr_pages(images, name, limits, scans).items():
                pages[number - 1] = PageText(number, (page.paragraphs,), ocr=True)
        finally:
            pdf.close()
    if all(p.empty for p in pages):
        raise BadInput("no text could be extracted from the PDF, nor read by OCR from its images")
    return pages


def _has_image(page, max_pixels: int, depth: int = 0) -> bool:
    """Whether the page draws an image (directly or inside forms, up to two levels down); an
    image of more than `max_pixels` is refused before anything decodes it."""
    resources = _resolve(page.get("/Resources"))
    xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, dict) else None
    found = False
    for obj in (xobjects.values() if isinstance(xobjects, dict) else ()):
        obj = _resolve(obj)
        kind = _resolve(obj.get("/Subtype")) if isinstance(obj, dict) else None
        if kind == "/Image":
            width, height = (_resolve(obj.get(key)) for key in ("/Width", "/Height"))
            if isinstance(width, int) and isinstance(height, int) and width * height > max_pixels:
                raise BadInput(f"has an image of {width} x {height} pixels, over the limit of "
                               f"{max_pixels / 1e6:.0f} MP (RAG_MAX_IMAGE_MP); a decompression bomb or a scan too "
                               "big to read: re-export it smaller, or raise the limit")
            found = True
        elif kind == "/Form" and depth < 2:
            found = _has_image(obj, max_pixels, depth + 1) or found
    return found


def pdf_text(data: bytes, limits: Limits) -> str:
    """The text layer of all pages, joined; BadInput when there is none."""
    text = "\n".join(_text_layer(data, limits)[1])
    if not text.strip():
        raise BadInput("no text could be extracted from the PDF (a scanned image?); run OCR on it first")
    return text


def _text_layer(data: bytes, limits: Limits):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput("the PDF is password-protected; save an unprotected copy and add that")
        pages = reader.pages
        if len(pages) > limits.max_pdf_pages:
            raise BadInput(f"has {len(pages)} pages, over the limit of {limits.max_pdf_pages} for one PDF "
                           f"({PAGES_LIMIT_NAME}); split it, or raise the limit")
        check_work(pages, limits.max_inflated_bytes, len(data))
        texts = [page.extract_text() or "" for page in pages]
    except BadInput:
        raise
    except Exception as err:  # pypdf raises many types for a damaged file
        reason = str(err).split("\n")[0][:120] or type(err).__name__
        raise BadInput(f"cannot read the PDF ({reason}); it is damaged or not a PDF, re-export it") from None
    return reader, texts


def check_work(pages, limit: int, file_size: int) -> int:
    """The bytes text extraction would parse (see the module's doc); BadInput past `limit`."""
    counter = _Counter(limit)
    try:
        for page in pages:
            counter.page(page)
    except _TooMuch:
        raise BadInput(f"would have its text extraction parse more than {size_text(limit)} of page content "
                       f"(from a {size_text(file_size)} file: pages that share or repeat compressed content), "
                       f"over the limit for one PDF ({INFLATED_LIMIT_NAME}); a PDF bomb or a document too big to "
                       "index: split it, or raise the limit") from None
    return counter.total


class _Counter:
    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0
        self._sizes: dict[int, tuple[int, bytes]] = {}  # id(stream) -> (size, data), streams shared by pages
        self._forms: dict[int, int] = {}  # id(form) -> its cost when drawn once

    def add(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            raise _TooMuch

    def page(self, page) -> None:
        resources = _resolve(page.get("/Resources"))
        contents = _resolve(page.get("/Contents"))
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            stream = _resolve(stream)
            if stream is None or not hasattr(stream, "get_data"):
                continue
            size, data = self._data(stream)
            self.add(size)
            self._draws(data, resources, 0)
        self.add(self._fonts(resources))

    def _data(self, stream) -> tuple[int, bytes]:
        key = id(stream)
        if key not in self._sizes:
            data = stream.get_data() or b""
            self._sizes[key] = (len(data), data)
        return self._sizes[key]

    def _draws(self, data: bytes, resources, depth: int) -> None:
        """Add what drawing the forms `data` names costs, once per time it draws them."""
        xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, dict) else None
        if not isinstance(xobjects, dict):
            return
        for match in _DRAW.finditer(data):
            form = _resolve(xobjects.get("/" + match.group(1).decode("latin-1")))
            if isinstance(form, dict) and _resolve(form.get("/Subtype")) == "/Form" and hasattr(form, "get_data"):
                self.add(self._form(form, depth + 1))

    def _form(self, form, depth: int) -> int:
        key = id(form)
        if key in self._forms:
            return self._forms[key]
        if depth > MAX_DEPTH:
            raise _TooMuch
        self._forms[key] = 0  # a form that draws itself: pypdf skips the loop
        before = self.total
        size, data = self._data(form)
        self.add(size)
        resources = _resolve(form.get("/Resources"))
        self._draws(data, resources, depth)
        self.add(self._fonts(resources))
        self._forms[key] = cost = self.total - before
        self.total = before  # the caller adds it, once per draw
        return cost

    def _fonts(self, resources) -> int:
        """The ToUnicode maps of the fonts in `resources`, parsed each time they are used."""
        fonts = _resolve(resources.get("/Font")) if isinstance(resources, dict) else None
        total = 0
        for font in (fonts.values() if isinstance(fonts, dict) else ()):
            font = _resolve(font)
            if isinstance(font, dict):
                cmap = _resolve(font.get("/ToUnicode"))
                if cmap is not None and hasattr(cmap, "get_data"):
                    total += self._data(cmap)[0]
        return total


def _resolve(obj):
    return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj
