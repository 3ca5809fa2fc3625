"""Documents -> Index: chunk, embed and tokenise what is new, reuse what is unchanged."""
from __future__ import annotations

from typing import Callable, Sequence

from rag.ingest.chunk import chunk_document
from rag.index.store import Index, content_hash, make_manifest
from rag.types import Chunk, Document

StageProgress = Callable[[str, int, int], None]


def passage_input(doc: Document, chunk: Chunk) -> str:
    """What the dense model reads for a chunk: the title gives context to later passages."""
    if doc.title and chunk.start > 0:
        return f"{doc.title}\n{chunk.text}"
    return chunk.text


def _reusable(previous: Index | None, settings, embedder, tokenizer: str) -> bool:
    if previous is None:
        return False
    m = previous.manifest
    return (
        m.get("model") == embedder.name
        and m.get("tokenizer") == tokenizer
        and m.get("chunk_size") == settings.chunk_size
        and m.get("chunk_overlap") == settings.chunk_overlap
    )


def build_index(
    documents: Sequence[Document],
    embedder,
    settings,
    previous: Index | None = None,
    progress: StageProgress | None = None,
) -> tuple[Index, int, int]:
    """Index `documents` (the whole new corpus). Returns (index, chunks embedded, chunks reused)."""
    import faiss
    import numpy as np

    from rag.index.bm25 import BM25
    from rag.index.tokenize import TOKENIZER_NAME, tokenize

    progress = progress or (lambda stage, done, total: None)
    reuse = _reusable(previous, settings, embedder, TOKENIZER_NAME)
    old_rows: dict[str, list[int]] = {}
    if reuse:
        for row, c in enumerate(previous.chunks):
            old_rows.setdefault(c.doc_id, []).append(row)

    hashes: dict[str, str] = {}
    chunks: list[Chunk] = []
    plan: list[int] = []  # per chunk: row in previous index, or -1 if new
    new_docs_of_chunk: list[Document] = []
    for i, doc in enumerate(documents):
        h = hashes[doc.id] = content_hash(doc)
        rows = old_rows.get(doc.id) if reuse and previous.doc_hashes.get(doc.id) == h else None
        if rows:
            chunks.extend(previous.chunks[r] for r in rows)
            plan.extend(rows)
        else:
            for c in chunk_document(doc, settings.chunk_size, settings.chunk_overlap):
                chunks.append(c)
                plan.append(-1)
                new_docs_of_chunk.append(doc)
        progress("chunk", i + 1, len(documents))

    new_idx = [i for i, r in enumerate(plan) if r < 0]
    texts = [passage_input(d, chunks[i]) for d, i in zip(new_docs_of_chunk, new_idx)]
    new_vecs = embedder.embed_passages(texts, progress=lambda d, t: progress("embed", d, t)) if texts else None

    dim = int(embedder.dim)
    vecs = np.zeros((len(chunks), dim), dtype="float32")
    if new_vecs is not None:
        vecs[new_idx] = new_vecs
    reused = [(i, r) for i, r in enumerate(plan) if r >= 0]
    if reused:
        old = previous.dense.reconstruct_n(0, previous.dense.ntotal)
        vecs[[i for i, _ in reused]] = old[[r for _, r in reused]]
    dense = faiss.IndexFlatIP(dim)
    if len(vecs):
        dense.add(vecs)

    tokens = []
    for n, i in enumerate(new_idx):
        tokens.append(tokenize(chunks[i].text))
        if n % 200 == 0 or n + 1 == len(new_idx):
            progress("tokenize", n + 1, len(new_idx))
    bm25 = BM25.from_tokens(tokens, base=previous.bm25 if reuse else None, reuse_rows=plan)

    manifest = make_manifest(settings, embedder, TOKENIZER_NAME, documents, chunks, hashes)
    return Index(manifest, list(documents), chunks, dense, bm25), len(new_idx), len(reused)
