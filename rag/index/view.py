"""Index: one loaded version of an index, its segments laid end to end as global passage rows.

Nothing large is read at load: documents and passages come from SQLite when asked for, postings
and vectors are memory-mapped. `chunks[row]` and `document(id)` read one document; `documents`
iterates the live ones (for checks and re-indexing, not for answering).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rag.errors import ModelMismatch
from rag.types import Chunk, DocInfo, Document

DOC_CACHE = 256  # documents kept after reading (an answer reads the few its passages come from)


class _Meta:
    __slots__ = ("date", "source")

    def __init__(self, date, source):
        self.date, self.source = date, source


class Chunks(Sequence):
    """Every passage row (those of deleted documents too; `Index.live` masks them)."""

    def __init__(self, index: "Index"):
        self._index = index

    def __len__(self) -> int:
        return self._index.n_rows

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        s, local = self._index.locate(row)
        seg = self._index.segments[s]
        d, ordinal, start, end = (int(x) for x in seg.chunks[local])
        doc = self._index.doc_at(s, d)
        return Chunk(doc.id, ordinal, start, end, doc.text[start:end])

    def __iter__(self) -> Iterator[Chunk]:
        for s, seg in enumerate(self._index.segments):
            for d, ordinal, start, end in np.asarray(seg.chunks).tolist():
                doc = self._index.doc_at(s, d)
                yield Chunk(doc.id, ordinal, start, end, doc.text[start:end])

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class Documents(Sequence):
    """The live documents, in the order they were added."""

    def __init__(self, index: "Index"):
        self._index = index
        self._where = [(s, r) for s, seg in enumerate(index.segments)
                       for r in np.flatnonzero(~seg.dead_docs()).tolist()]

    def __len__(self) -> int:
        return len(self._where)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._index.doc_at(*self._where[i])

    def __iter__(self) -> Iterator[Document]:
        for s, r in self._where:
            yield self._index.segments[s].docs.get(r)


class Index:
    def __init__(self, manifest: dict, segments: list, folder: Path | None = None):
        from rag.index.bm25 import BM25
        from rag.index.dense import Dense

        self.manifest, self.segments, self.folder = manifest, segments, folder
        self.stamp: tuple | None = None  # of the manifest it was loaded from / saved to
        self.offsets = np.cumsum([0] + [s.n_rows for s in segments]).astype(np.int64)
        self.n_rows = int(self.offsets[-1])
        self.bm25 = BM25([s.postings for s in segments])
        parts, anns = [], []
        for off, seg in zip(self.offsets.tolist(), segments):
            if seg.ann is not None:
                anns.append((off, seg.embedded, seg.ann))
            else:
                parts.extend((off + start, v) for start, v in seg.blocks)
        self.dense = Dense(int(manifest["dim"]), self.n_rows, parts, anns)
        self.chunks = Chunks(self)
        dead = [s.dead_rows() for s in segments]
        self.live = np.concatenate(dead) == False if any(len(s.deleted) for s in segments) else None  # noqa: E712
        self._docs: Documents | None = None
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._masks: dict = {}
        self._meta: list | None = None

    # -- rows and documents -------------------------------------------------------------------
    def locate(self, row: int) -> tuple[int, int]:
        s = int(np.searchsorted(self.offsets, row, "right")) - 1
        return s, row - int(self.offsets[s])

    def doc_at(self, s: int, r: int) -> Document:
        key = (s, r)
        with self._lock:
            doc = self._cache.get(key)
            if doc is not None:
                self._cache.move_to_end(key)
                return doc
        doc = self.segments[s].docs.get(r)
        seg = self.segments[s]
        with self._lock:
            self._cache[key] = doc
            if not (len(seg.deleted) and (seg.deleted == r).any()):  # document(id) finds only live ones
                self._cache[doc.id] = key
            while len(self._cache) > 2 * DOC_CACHE:
                self._cache.popitem(last=False)
        return doc

    @property
    def documents(self) -> Documents:
        if self._docs is None:
            self._docs = Documents(self)
        return self._docs

    def document(self, doc_id: str) -> Document | None:
        key = self._cache.get(doc_id)
        if key is not None:
            return self.doc_at(*key)
        for s in range(len(self.segments) - 1, -1, -1):
            seg = self.segments[s]
            for r in seg.docs.find(doc_id):
                if not len(seg.deleted) or not (seg.deleted == r).any():
                    return self.doc_at(s, r)
        return None

    def _live_meta(self) -> list[tuple[int, int, tuple]]:
        """(segment, row, (row, id, title, date, source, file, hash, chars)) of each live document;
        read once per loaded version (a change reads it, answering never does)."""
        with self._lock:
            if self._meta is None:
                out = []
                for s, seg in enumerate(self.segments):
                    dead = seg.dead_docs()
                    out.extend((s, m[0], m) for m in seg.docs.meta() if not dead[m[0]])
                self._meta = out
            return self._meta

    def where(self) -> dict[str, tuple[int, int]]:
        """id -> (segment, row) of every live document."""
        return {m[1]: (s, r) for s, r, m in self._live_meta()}

    @property
    def doc_hashes(self) -> dict[str, str]:
        return {m[1]: m[6] for _, _, m in self._live_meta()}

    def doc_keys(self) -> dict[str, tuple[str, str | None]]:
        """id -> (content hash, file) of every live document."""
        return {m[1]: (m[6], m[5]) for _, _, m in self._live_meta()}

    def doc_files(self) -> dict[str, str | None]:
        return {m[1]: m[5] for _, _, m in self._live_meta()}

    def doc_infos(self) -> list[DocInfo]:
        out = []
        for s, seg in enumerate(self.segments):
            counts = np.bincount(np.asarray(seg.chunks[:, 0]), minlength=seg.n_docs) if seg.n_rows else \
                np.zeros(seg.n_docs, np.int64)
            dead = seg.dead_docs()
            for row, doc_id, title, date, source, file, _h, chars in seg.docs.meta():
                if not dead[row]:
                    out.append(DocInfo(doc_id, title, date, source, chars, int(counts[row]), file))
        return out

    # -- counts ---------------------------------------------------------------------------------
    def status(self) -> dict:
        """Live documents and passages, and how many of those passages have vectors."""
        docs = rows = embedded = 0
        for seg in self.segments:
            dead = seg.dead_rows()
            docs += seg.live_docs()
            rows += int((~dead).sum())
            embedded += int((~dead[: seg.embedded]).sum())
        return {"documents": docs, "passages": rows, "embedded": embedded, "segments": len(self.segments)}

    # -- filters --------------------------------------------------------------------------------
    def chunk_mask(self, keep):
        """numpy bool per chunk row: does the row's document pass `keep` (hashable, with a
        `matches(document)` method, e.g. rag.retrieve.filters.Filters) and is it live? Cached for
        the last few `keep`s."""
        mask = self._masks.get(keep)
        if mask is None:
            pieces = []
            for seg in self.segments:
                metas = seg.docs.meta()
                docs = np.fromiter((keep.matches(_Meta(m[3], m[4])) for m in metas), bool, len(metas))
                docs &= ~seg.dead_docs()
                pieces.append(docs[np.asarray(seg.chunks[:, 0])] if seg.n_rows else np.zeros(0, bool))
            mask = np.concatenate(pieces) if pieces else np.zeros(0, bool)
            if len(self._masks) >= 16:
                self._masks.clear()
            self._masks[keep] = mask
        return mask

    def check_model(self, model_name: str) -> None:
        built = self.manifest.get("model")
        if built != model_name:
            raise ModelMismatch(
                f"This index was built with embedding model {built!r}, but {model_name!r} is selected. "
                f"Select {built!r} (RAG_MODEL) or rebuild the index with `rag index`."
            )

    def close(self) -> None:
        for seg in self.segments:
            seg.docs.close()
