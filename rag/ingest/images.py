"""Images and scanned pages -> text by OCR (rag/ingest/ocr.py), with their size bounded first.

    IMAGE_SUFFIXES                                .png .jpg .jpeg .webp .tif .tiff .bmp
    image_pages(data, limits) -> [PIL image]     the pages of an image file (a TIFF's frames), checked
    ocr_pages(images, name, limits) -> [OcrText]  each page's lines, or a one-line report for an unread one
    render_page(pdf, index, limits) -> PIL image  one PDF page at OCR_DPI, at most `max_image_pixels`

An image's pixel count is read from its header before anything is decoded: past
`limits.max_image_pixels` (RAG_MAX_IMAGE_MP) it is refused as a decompression bomb or an image too
big (Pillow's own MAX_IMAGE_PIXELS is set to the same limit for anything that decodes on its
own). A TIFF's frames are its pages, at most `limits.max_pdf_pages`; other formats give their first
frame. A photo's EXIF orientation is applied; transparency is laid on white.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from rag.errors import BadInput
from rag.ingest.guards import Limits
from rag.ingest.ocr import OcrRun, ocr_lines

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
OCR_DPI = 150  # A4 at 150 dpi: 1240 x 1754 pixels, 10.5 pt text about 22 pixels high
PIXELS_NAME = "RAG_MAX_IMAGE_MP"
log = logging.getLogger("rag.ingest")


@dataclass(frozen=True)
class OcrText:
    """The paragraphs OCR read on one page."""

    paragraphs: tuple[str, ...]


def _too_big(width: int, height: int, limits: Limits) -> BadInput:
    return BadInput(f"is {width} x {height} pixels ({width * height / 1e6:.0f} MP), over the limit of "
                    f"{limits.max_image_pixels / 1e6:.0f} MP for one image ({PIXELS_NAME}); a decompression bomb "
                    "or an image too big to read: scale it down, or raise the limit")


def image_pages(data: bytes, limits: Limits) -> list:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as err:
        reason = str(err).split("\n")[0][:120] or type(err).__name__
        raise BadInput(f"cannot read the image ({reason}); it is damaged or not an image, re-save it") from None
    except Image.DecompressionBombError:
        raise BadInput(f"is over the limit of {limits.max_image_pixels / 1e6:.0f} MP for one image "
                       f"({PIXELS_NAME}); a decompression bomb or an image too big: scale it down") from None
    frames = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
    if frames > limits.max_pdf_pages:
        raise BadInput(f"has {frames} pages, over the limit of {limits.max_pdf_pages} (RAG_MAX_PDF_PAGES); "
                       "split it, or raise the limit")
    pages = []
    for k in range(frames):
        try:
            image.seek(k)
            width, height = image.size
            if width * height > limits.max_image_pixels:
                raise _too_big(width, height, limits)
            pages.append(_upright_rgb(ImageOps.exif_transpose(image.copy()) if k == 0 else image.copy()))
        except BadInput:
            raise
        except Exception as err:  # Pillow raises many types for a truncated or damaged image
            reason = str(err).split("\n")[0][:120] or type(err).__name__
            raise BadInput(f"cannot read the image ({reason}); it is damaged, re-save it") from None
    return pages


def _upright_rgb(image):
    from PIL import Image

    if image.mode in ("RGBA", "LA", "P", "PA") and ("transparency" in image.info or "A" in image.mode):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def ocr_pages(images, name: str, limits: Limits, numbers: list[int] | None = None) -> dict[int, OcrText]:
    """OCR of page images -> {page number: OcrText}; a page with no text read is left out and
    reported in one line. `numbers`: the page numbers of `images` (default 1, 2, ...).
    `images` may be a generator, so pages are rendered one at a time."""
    numbers = numbers or list(range(1, 1 + len(images)))
    run = OcrRun(name, len(numbers), limits.ocr_seconds)
    out: dict[int, OcrText] = {}
    for number, image in zip(numbers, images):
        lines = ocr_lines(image)
        if lines:
            out[number] = OcrText(tuple(lines))
        else:
            log.warning("%s: page %d: OCR found no text on it (blank, or too blurred to read); left out", name,
                        number)
        run.page_done()
    return out


def render_page(pdf, index: int, limits: Limits):
    """Page `index` of a pypdfium2 document as a PIL image at OCR_DPI (less for a huge page)."""
    page = pdf[index]
    width, height = page.get_size()  # points
    scale = OCR_DPI / 72
    pixels = width * height * scale * scale
    if pixels > limits.max_image_pixels:
        scale *= (limits.max_image_pixels / pixels) ** 0.5
    return page.render(scale=scale).to_pil()
