"""An index is a directory: manifest.json, documents.jsonl, chunks.npz, dense.faiss, bm25 arrays.

Saving writes a temporary sibling directory and renames it into place, so readers never see a
half-written index and a failed build leaves the previous one untouched. No pickle anywhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import IndexCorrupt, IndexMissing, ModelMismatch
from rag.types import Chunk, Document

FORMAT_VERSION = 1
_FILES = ("manifest.json", "documents.jsonl", "chunks.npz", "dense.faiss", "bm25.npz", "bm25_vocab.json")


def content_hash(doc: Document) -> str:
    h = hashlib.sha256()
    for part in (doc.id, doc.title or "", doc.date or "", doc.source or "", doc.text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


@dataclass
class Index:
    manifest: dict
    documents: list[Document]
    chunks: list[Chunk]
    dense: object  # faiss.Index; row i is chunks[i]
    bm25: object  # rag.bm25.BM25; row i is chunks[i]
    doc_pos: dict[str, int] = field(default_factory=dict)
    _masks: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.doc_pos = {d.id: i for i, d in enumerate(self.documents)}

    def chunk_mask(self, keep):
        """numpy bool per chunk row: does the row's document pass `keep` (hashable, with a
        `matches(document)` method, e.g. rag.filters.Filters)? Cached for the last few `keep`s."""
        import numpy as np

        mask = self._masks.get(keep)
        if mask is None:
            docs = np.fromiter((keep.matches(d) for d in self.documents), bool, len(self.documents))
            pos = self.doc_pos
            rows = np.fromiter((pos[c.doc_id] for c in self.chunks), np.int64, len(self.chunks))
            mask = docs[rows] if len(rows) else np.zeros(0, bool)
            if len(self._masks) >= 16:
                self._masks.clear()
            self._masks[keep] = mask
        return mask

    def document(self, doc_id: str) -> Document | None:
        i = self.doc_pos.get(doc_id)
        return None if i is None else self.documents[i]

    @property
    def doc_hashes(self) -> dict[str, str]:
        return self.manifest.get("doc_hashes", {})

    def check_model(self, model_name: str) -> None:
        built = self.manifest.get("model")
        if built != model_name:
            raise ModelMismatch(
                f"This index was built with embedding model {built!r}, but {model_name!r} is selected. "
                f"Select {built!r} (RAG_MODEL) or rebuild the index with `rag index`."
            )


def make_manifest(settings, embedder, tokenizer: str, documents, chunks, doc_hashes) -> dict:
    corpus = hashlib.sha256("".join(sorted(doc_hashes.values())).encode()).hexdigest()[:32]
    return {
        "format_version": FORMAT_VERSION,
        "model": embedder.name,
        "dim": int(embedder.dim),
        "normalized": True,
        "metric": "inner_product",
        "tokenizer": tokenizer,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "documents": len(documents),
        "chunks": len(chunks),
        "corpus_hash": corpus,
        "doc_hashes": doc_hashes,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def save(index: Index, directory: Path) -> None:
    """Write `index` to `directory` atomically (temporary sibling, then rename)."""
    import faiss
    import numpy as np

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        with open(tmp / "documents.jsonl", "w", encoding="utf-8") as f:
            for d in index.documents:
                rec = {"id": d.id, "title": d.title, "date": d.date, "source": d.source, "text": d.text}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        pos = index.doc_pos
        np.savez(
            tmp / "chunks.npz",
            doc=np.asarray([pos[c.doc_id] for c in index.chunks], np.int32),
            ordinal=np.asarray([c.ordinal for c in index.chunks], np.int32),
            start=np.asarray([c.start for c in index.chunks], np.int64),
            end=np.asarray([c.end for c in index.chunks], np.int64),
        )
        faiss.write_index(index.dense, str(tmp / "dense.faiss"))
        index.bm25.save(tmp)
        (tmp / "manifest.json").write_text(json.dumps(index.manifest, ensure_ascii=False, indent=1), "utf-8")
        _swap_in(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: Path, directory: Path) -> None:
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    if directory.exists():
        os.rename(directory, old)
    try:
        os.rename(tmp, directory)
    except BaseException:
        if old.exists():
            os.rename(old, directory)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _recover(directory: Path) -> None:
    """If a crash happened between the two renames, put the previous index back."""
    if directory.exists():
        return
    olds = sorted(directory.parent.glob(f".{directory.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds:
        os.rename(olds[-1], directory)


def exists(directory: Path) -> bool:
    directory = Path(directory)
    _recover(directory)
    return (directory / "manifest.json").is_file()


def load(directory: Path) -> Index:
    import faiss
    import numpy as np

    from rag.bm25 import BM25

    directory = Path(directory)
    if not exists(directory):
        raise IndexMissing(f"No index at {directory}. Build one with `rag index [PATH ...] --index {directory}`.")
    try:
        manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexCorrupt(
                f"Index at {directory} has format {manifest.get('format_version')!r}; this version reads "
                f"{FORMAT_VERSION}. Rebuild it with `rag index --index {directory}`."
            )
        missing = [f for f in _FILES if not (directory / f).is_file()]
        if missing:
            raise IndexCorrupt(f"Index at {directory} is incomplete (missing {', '.join(missing)}). "
                               f"Rebuild it with `rag index --index {directory}`.")
        docs = []
        with open(directory / "documents.jsonl", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                docs.append(Document(r["id"], r["text"], r.get("title"), r.get("date"), r.get("source")))
        with np.load(directory / "chunks.npz", allow_pickle=False) as z:
            di, od, st, en = z["doc"], z["ordinal"], z["start"], z["end"]
        chunks = [
            Chunk(docs[d].id, int(o), int(s), int(e), docs[d].text[s:e])
            for d, o, s, e in zip(di.tolist(), od.tolist(), st.tolist(), en.tolist())
        ]
        dense = faiss.read_index(str(directory / "dense.faiss"))
        bm25 = BM25.load(directory)
    except IndexCorrupt:
        raise
    except Exception as err:
        raise IndexCorrupt(
            f"Index at {directory} cannot be read ({type(err).__name__}). "
            f"Rebuild it with `rag index --index {directory}`."
        ) from None
    if dense.ntotal != len(chunks) or len(bm25) != len(chunks) or manifest.get("chunks") != len(chunks):
        raise IndexCorrupt(f"Index at {directory} is inconsistent (passage counts differ). "
                           f"Rebuild it with `rag index --index {directory}`.")
    return Index(manifest, docs, chunks, dense, bm25)
