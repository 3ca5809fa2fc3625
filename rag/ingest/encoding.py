"""Turn the bytes of a text file into str: UTF-8 (with or without BOM), UTF-16 with BOM, GBK,
GB18030, or whatever charset_normalizer recognises; refuse binary files."""
from __future__ import annotations

import codecs
import unicodedata

from rag.errors import BadInput

BINARY_MESSAGE = "looks like a binary file, not text; remove it or give it its real extension"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_binary(text: str) -> bool:
    """Control characters (other than whitespace), unassigned or private-use code points."""
    sample = text[:20000]
    if not sample:
        return False
    bad = 0
    for ch in sample:
        if ch in "\n\r\t\f\v":
            continue
        if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"):
            bad += 1
    return bad > 0.02 * len(sample)


def decode_bytes(data: bytes) -> str:
    """Decode a text file; raise BadInput when it is binary or its encoding cannot be found."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as err:
                raise BadInput(f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                               f"({err.reason}); re-save it as UTF-8") from None
            if _looks_binary(text):
                raise BadInput(BINARY_MESSAGE)
            return text.lstrip("\ufeff")
    if b"\x00" in data[:8192]:
        raise BadInput(BINARY_MESSAGE)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise BadInput(BINARY_MESSAGE)
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BadInput(BINARY_MESSAGE)
    text = str(best)
    if _looks_binary(text):
        raise BadInput(BINARY_MESSAGE)
    return text
