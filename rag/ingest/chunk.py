"""Document -> Chunk: passages made of whole sentences, with character offsets into doc.text."""
from __future__ import annotations

from typing import Iterable

from rag.text import clause_spans, sentence_spans
from rag.types import Chunk, Document


def _units(text: str, size: int) -> list[tuple[int, int]]:
    """Sentences, with any sentence longer than `size` cut at clauses (and hard-cut if needed)."""
    out = []
    for s, e in sentence_spans(text):
        if e - s <= size:
            out.append((s, e))
            continue
        for cs, ce in clause_spans(text, s, e):
            while ce - cs > size:
                out.append((cs, cs + size))
                cs += size
            out.append((cs, ce))
    return out


def chunk_document(doc: Document, size: int = 220, overlap: int = 1) -> list[Chunk]:
    """Greedy packing of sentences up to `size` characters; each chunk repeats the last
    `overlap` sentences of the previous one (only while that leaves room for new text)."""
    units = _units(doc.text, size)
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j = i
        while j + 1 < len(units) and units[j + 1][1] - units[i][0] <= size:
            j += 1
        start, end = units[i][0], units[j][1]
        chunks.append(Chunk(doc.id, len(chunks), start, end, doc.text[start:end]))
        if j + 1 >= len(units):
            break
        nxt = j + 1 - overlap
        i = nxt if overlap > 0 and nxt > i else j + 1
    return chunks


def chunk_documents(docs: Iterable[Document], size: int = 220, overlap: int = 1) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, size, overlap)]
