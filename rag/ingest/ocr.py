"""OCR of page images, offline on the CPU: RapidOCR (PP-OCRv4 Chinese+English) on ONNX Runtime.

    ocr_lines(image) -> [paragraph, ...]  one PIL image -> its paragraphs in reading order
    available() -> bool                 whether the engine is installed
    OcrRun(name, pages, budget)         progress (pages/s, time left) and the time budget of one file

The engine is the `rapidocr-onnxruntime` wheel, whose three models (detection, direction,
recognition: 16 MB; the per-line direction model is not used: it turned some upright lines over, a
page that reads badly is tried upside down instead) are inside the package: nothing is downloaded, ever. It is loaded once, on
first use, and shared by threads (a lock: one page at a time). Text is found on the page shrunk to
DET_SIDE pixels (finding it at full size took twice the time and read no better on the collection
of eval/docs/) and each line is read from the full page. Detected boxes may lean (a page
scanned or photographed slightly askew): each is cut out along its own angle before it is read.
Boxes are put in reading order by rows (boxes whose vertical middles lie within half a line
height of each other), left to right inside a row; a row's pieces are joined with a space, which
the cleaning removes between Chinese characters. Rows wrapped at the right margin are joined into
paragraphs by their geometry (`paragraphs`); each is then cleaned as a line (rag/ingest/paged.py),
since the geometry knows better than the text where a paragraph ends. Pieces read with a confidence under MIN_SCORE
are dropped (stains, stamps, texture).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time

from rag.errors import BadInput

MIN_SCORE = 0.5
DET_SIDE = 960  # pixels: text is found on the page at this size (half the work of 150 dpi), read at full size
RETRY_BELOW = 0.6  # a page whose characters are read with less confidence is tried upside down
MISSING = ("OCR is not installed: scanned pages and images need the rapidocr-onnxruntime package "
           "(pip install 'rapidocr-onnxruntime>=1.4,<2', or `make install`)")
TIME_NAME = "RAG_OCR_SECONDS"
log = logging.getLogger("rag.ingest")
_engine = None
_lock = threading.Lock()


def available() -> bool:
    import importlib.util

    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def _get_engine():
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as err:  # not installed, or a library it needs is missing (libGL for OpenCV)
            raise BadInput(f"{MISSING} ({str(err)[:120]})") from None
        threads = int(os.environ.get("RAG_OCR_THREADS", "0") or 0)
        options = {"intra_op_num_threads": threads} if threads > 0 else {}
        _engine = RapidOCR(**options)
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return _engine


def ocr_lines(image) -> list[str]:
    """The paragraphs of one page image (a PIL image), in reading order; [] when none was read.
    A page that reads badly is read again turned upside down, and the better reading is kept."""
    boxes = _read(image)
    if _quality(boxes) < RETRY_BELOW:
        turned = _read(image.rotate(180, expand=True))
        if _quality(turned) > _quality(boxes):
            boxes = turned
    return paragraphs(reading_order([b for b in boxes if b[2] >= MIN_SCORE]))


def _read(image) -> list[tuple[list, str, float]]:
    """(4-point box, text, confidence) of each piece of text found: boxes found on the page shrunk
    to DET_SIDE pixels on its longer side, each cut from the full page to be read."""
    import numpy as np

    array = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])  # the engine reads BGR
    with _lock:
        engine = _get_engine()
        try:
            found = _two_scales(engine, array)
        except AttributeError:  # another version of the engine: its own pipeline, whole page
            result, _ = engine(array, use_cls=False)
            found = [(box, text, score) for box, text, score in (result or ())]
    return [(box, text, float(score)) for box, text, score in found if text and text.strip()]


def _two_scales(engine, array) -> list:
    import cv2
    import numpy as np

    height, width = array.shape[:2]
    scale = min(1.0, DET_SIDE / max(height, width))
    small = array if scale == 1.0 else cv2.resize(array, (max(1, round(width * scale)), max(1, round(height * scale))),
                                                   interpolation=cv2.INTER_AREA)
    boxes, _ = engine.auto_text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    boxes = [np.asarray(box, dtype=np.float32) / scale for box in boxes]
    # no per-line direction classifier: it turned some upright lines over (and lost them)
    read, _ = engine.text_rec(engine.get_crop_img_list(array, boxes), False)
    return [(box.tolist(), r[0], r[1]) for box, r in zip(boxes, read)]


def _quality(boxes) -> float:
    """Characters read with confidence: the sum of each piece's length times its score."""
    return sum(len(text) * score for _, text, score in boxes if score >= MIN_SCORE) / max(
        1, sum(len(text) for _, text, _ in boxes))


_Row = tuple  # (left, right, height, text)
_ENDS = tuple("。！？：；!?:;")


def reading_order(boxes: list[tuple[list, str, float]]) -> list[_Row]:
    """Text pieces with their 4-point boxes -> rows top to bottom, pieces left to right:
    (left, right, height, text)."""
    pieces = []
    for box, text, _ in boxes:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        # a leaning box is taller than its line: its left and right edges' heights are the line's
        height = max(1.0, min(box[3][1] - box[0][1], box[2][1] - box[1][1]))
        pieces.append(((min(ys) + max(ys)) / 2, height, min(xs), max(xs), text.strip()))
    pieces.sort()
    rows: list[list[tuple]] = []
    for piece in pieces:
        row = rows[-1] if rows else None
        if row is not None:
            middle = sum(p[0] for p in row) / len(row)
            height = min(piece[1], sum(p[1] for p in row) / len(row))
            if abs(piece[0] - middle) < height / 2:
                row.append(piece)
                continue
        rows.append([piece])
    out = []
    for row in rows:
        row.sort(key=lambda p: p[2])
        out.append((row[0][2], row[-1][3], sum(p[1] for p in row) / len(row), " ".join(p[4] for p in row)))
    return out


def paragraphs(rows: list[_Row]) -> list[str]:
    """Rows -> paragraphs: a row that reaches the right margin and does not end a sentence goes
    on in the next row when that one starts at the left margin in the same size of type."""
    if not rows:
        return []
    left = min(r[0] for r in rows)
    right = max(r[1] for r in rows)
    out: list[str] = []
    previous = None
    for row in rows:
        x0, _, height, text = row
        if previous is not None:
            p0, p1, p_height, p_text = previous
            goes_on = (p1 >= right - 1.5 * p_height and x0 <= left + 1.0 * height
                       and abs(height - p_height) <= 0.25 * p_height and not p_text.endswith(_ENDS))
            if goes_on:
                out[-1] += text
                previous = row
                continue
        out.append(text)
        previous = row
    return out


class OcrRun:
    """One file's OCR: logs progress every PROGRESS_SECONDS (pages/s, time left) and refuses the
    file once its pages have taken more than `budget` seconds (RAG_OCR_SECONDS)."""

    PROGRESS_SECONDS = 10.0

    def __init__(self, name: str, pages: int, budget: float):
        self.name, self.pages, self.budget = name, pages, budget
        self.done = 0
        self.started = self._last = time.monotonic()

    def page_done(self) -> None:
        self.done += 1
        now = time.monotonic()
        spent = now - self.started
        if spent > self.budget and self.done < self.pages:
            raise BadInput(f"OCR of its {self.pages} pages would take more than {self.budget:.0f} s "
                           f"({self.done} read in {spent:.0f} s), over the time for one file ({TIME_NAME}); "
                           "split it, or raise the limit")
        if now - self._last >= self.PROGRESS_SECONDS and self.done < self.pages:
            self._last = now
            rate = self.done / spent
            _say(f"{self.name}: OCR {self.done}/{self.pages} pages, {rate:.2f} pages/s, "
                 f"about {(self.pages - self.done) / rate:.0f} s left")


def _say(message: str) -> None:
    """Progress in the rag log where a server shows it (rag.logs.log_to_console), else on stderr
    (the command line, whose `rag index` shows files, not pages)."""
    if logging.getLogger("rag").handlers:
        log.info("%s", message)
    else:
        print(message, file=sys.stderr, flush=True)
