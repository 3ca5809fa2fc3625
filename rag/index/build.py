"""Documents -> index versions: chunk and tokenise what is new, in batches, each committed at once.

    update(directory, settings, model, dim, previous, add, remove, progress) -> Change
        Remove the documents `remove` (ids), add `add` (one with the id of a live document replaces
        it). Every SEGMENT_DOCS documents become a new segment, committed as a new version, so a
        long build is searchable by BM25 as it goes and a killed one keeps what it committed; the
        next run skips those documents (their content hashes are already indexed). Existing
        segments are never rewritten: a deleted document is a tombstone in its segment.
    Vectors are added afterwards, by rag/index/backfill.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from rag.index.backend import Change, content_hash
from rag.index.store import make_manifest
from rag.index.versions import new_version
from rag.ingest.chunk import chunk_document
from rag.types import Chunk, Document

StageProgress = Callable[[str, int, int], None]
SEGMENT_DOCS = 2000  # documents per segment (one commit of a long build)
SEGMENT_CHARS = 3_000_000  # ... or fewer, when they are long
_HASH_MOD = 1 << 128


def passage_input(doc: Document, chunk: Chunk) -> str:
    """What the dense model reads for a chunk: the title gives context to later passages."""
    if doc.title and chunk.start > 0:
        return f"{doc.title}\n{chunk.text}"
    return chunk.text


def compatible(previous, settings, model: str, tokenizer: str) -> bool:
    if previous is None:
        return False
    m = previous.manifest
    return (m.get("model") == model and m.get("tokenizer") == tokenizer
            and m.get("chunk_size") == settings.chunk_size and m.get("chunk_overlap") == settings.chunk_overlap)


class _State:
    """The segments of the version being changed: their manifest entries, tombstones and row owners."""

    def __init__(self, previous):
        self.infos: list[dict] = []
        self.dead: dict[str, set[int]] = {}
        self.row_docs: dict[str, np.ndarray] = {}
        self.where: dict[str, tuple[str, int, int]] = {}  # id -> (segment, row, hash as int)
        self.changed: set[str] = set()  # segments whose tombstones changed
        self.corpus = 0
        self.next_segment = 1
        self.embedding_runtime = None  # carried from version to version once vectors exist
        if previous is None:
            return
        self.embedding_runtime = previous.manifest.get("embedding_runtime")
        self.next_segment = int(previous.manifest.get("next_segment", len(previous.segments) + 1))
        for seg in previous.segments:
            self.infos.append({**seg.info, "vectors": [list(v) for v in seg.info.get("vectors", [])]})
            self.dead[seg.name] = set(seg.deleted.tolist())
            self.row_docs[seg.name] = np.asarray(seg.chunks[:, 0])
        for s, r, m in previous._live_meta():
            h = int(m[6], 16)
            self.where[m[1]] = (previous.segments[s].name, r, h)
            self.corpus = (self.corpus + h) % _HASH_MOD

    def kill(self, doc_id: str) -> bool:
        found = self.where.pop(doc_id, None)
        if found is None:
            return False
        name, row, h = found
        self.dead[name].add(row)
        self.changed.add(name)
        self.corpus = (self.corpus - h) % _HASH_MOD
        return True

    def add(self, name: str, info: dict, docs: Sequence[Document], hashes: Sequence[str], row_docs) -> None:
        self.infos.append(info)
        self.dead[name] = set()
        self.row_docs[name] = row_docs
        for r, (d, h) in enumerate(zip(docs, hashes)):
            self.where[d.id] = (name, r, int(h, 16))
            self.corpus = (self.corpus + int(h, 16)) % _HASH_MOD

    def counts(self) -> dict:
        docs = rows = embedded = 0
        for info in self.infos:
            name = info["name"]
            dead = np.zeros(info["documents"], bool)
            dead[list(self.dead[name])] = True
            row_dead = dead[self.row_docs[name]]
            done = sum(c for _, c in info.get("vectors", []))
            docs += info["documents"] - len(self.dead[name])
            rows += int((~row_dead).sum())
            embedded += int((~row_dead[:done]).sum())
        return {"documents": docs, "passages": rows, "embedded": embedded}

    def commit(self, directory: Path, settings, model: str, dim: int, tokenizer: str, new=None) -> None:
        """Swap in a version with these segments (linked), tombstones and, if given, a new segment
        written by `new(folder)` (which returns its manifest entry)."""
        with new_version(directory) as v:
            for info in self.infos:
                name = info["name"]
                v.link(directory / name, name, skip=lambda f, n=name: f == "deleted.npy" and n in self.changed)
                if name in self.changed:
                    dead = np.asarray(sorted(self.dead[name]), np.int32)
                    if len(dead):
                        np.save(v.folder / name / "deleted.npy", dead)
                    info["deleted"] = len(dead)
            if new is not None:
                new(v.folder)
            manifest = make_manifest(settings, model, dim, tokenizer, self.infos, self.next_segment,
                                     self.counts(), f"{self.corpus:032x}", self.embedding_runtime)
            v.write_json("manifest.json", manifest)
        self.changed.clear()


def _batches(docs: Sequence[Document]) -> Iterable[Sequence[Document]]:
    batch, chars = [], 0
    for d in docs:
        batch.append(d)
        chars += len(d.text)
        if len(batch) >= SEGMENT_DOCS or chars >= SEGMENT_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def update(directory: Path, settings, model: str, dim: int, previous, add: Sequence[Document],
           remove: Iterable[str] = (), progress: StageProgress | None = None) -> Change:
    """See the module docstring. The caller holds the index's write lock; `previous` is the index
    on disk now (None, or one built with other settings, starts afresh)."""
    from rag.index.segment import write_segment
    from rag.index.tokenize import TOKENIZER_NAME, tokenize

    progress = progress or (lambda stage, done, total: None)
    directory = Path(directory)
    if not compatible(previous, settings, model, TOKENIZER_NAME):
        previous = None
    state = _State(previous)
    removed = sum(state.kill(i) for i in set(remove))
    tokenised = done = 0
    committed = False
    written = []
    total = len(add)
    for batch in _batches(add):
        hashes = [content_hash(d) for d in batch]
        chunks = [chunk_document(d, settings.chunk_size, settings.chunk_overlap) for d in batch]
        tokens = []
        for d, cs in zip(batch, chunks):
            tokens.extend(tokenize(c.text) for c in cs)
            done += 1
            if done % 50 == 0 or done == total:
                progress("tokenize", done, total)
        for d in batch:
            state.kill(d.id)  # replaced: the old version becomes a tombstone in the same commit
        name = f"s{state.next_segment:06d}"
        state.next_segment += 1
        row_docs = np.asarray([i for i, cs in enumerate(chunks) for _ in cs], np.int32)
        info_box = []

        def write(folder: Path, name=name, batch=batch, hashes=hashes, chunks=chunks, tokens=tokens) -> None:
            info_box.append(write_segment(folder / name, batch, hashes, chunks, tokens))

        state.commit(directory, settings, model, dim, TOKENIZER_NAME, new=lambda f: (
            write(f), state.add(name, info_box[0], batch, hashes, row_docs)))
        tokenised += len(row_docs)
        written.append(name)
        committed = True
        progress("commit", done, total)
    if not committed and (state.changed or previous is None):
        state.commit(directory, settings, model, dim, TOKENIZER_NAME)
    counts = state.counts()
    return Change(documents=counts["documents"], chunks=counts["passages"], tokenised=tokenised,
                  reused=counts["passages"] - tokenised, removed=removed, segments=len(state.infos),
                  new_segments=tuple(written))
