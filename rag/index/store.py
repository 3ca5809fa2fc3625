"""An index is a directory: manifest.json, documents.jsonl, chunks.npz, dense.faiss, bm25 arrays.

Saving writes a temporary sibling directory `.<index>.tmp-*` (synced to disk), then swaps it in
with two renames (the old one becomes `.<index>.old-*` and is removed), so readers never see a
half-written index and a failed or killed build leaves the previous one. The renames happen under
the exclusive swap lock and a load under the shared one (rag/locks.py), so a load in another
process never mixes two versions. Whoever changes a shared index holds `locks.writing` around its
whole change and calls `tidy` first: it puts back an index lost between the two renames and removes
what killed builds left behind. `stamp` says cheaply whether the index on disk has changed since a
load. No pickle anywhere.
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

from rag import locks
from rag.errors import IndexCorrupt, IndexMissing, ModelMismatch
from rag.index.embed import embedding_fields
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
    bm25: object  # rag.index.bm25.BM25; row i is chunks[i]
    doc_pos: dict[str, int] = field(default_factory=dict)
    stamp: tuple | None = field(default=None, compare=False)  # of the manifest it was loaded from / saved to
    _masks: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.doc_pos = {d.id: i for i, d in enumerate(self.documents)}

    def chunk_mask(self, keep):
        """numpy bool per chunk row: does the row's document pass `keep` (hashable, with a
        `matches(document)` method, e.g. rag.retrieve.filters.Filters)? Cached for the last few `keep`s."""
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
        **embedding_fields(embedder),  # rag/index/embed.py: the runtime and precision of the vectors
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
    """Write `index` to `directory` atomically (temporary sibling, then rename); sets `index.stamp`."""
    import faiss
    import numpy as np

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        with open(tmp / "documents.jsonl", "w", encoding="utf-8") as f:
            for d in index.documents:
                rec = {"id": d.id, "title": d.title, "date": d.date, "source": d.source, "file": d.file,
                       "text": d.text}
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
        _sync(tmp)
        with locks.swapping(directory, exclusive=True):
            old = _swap_in(tmp, directory)
            index.stamp = stamp(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)  # if this is cut short, the next build's tidy() ends it


def _sync(folder: Path) -> None:
    """Flush the files of `folder`, and the folder, to disk before it is renamed into place."""
    for path in [*folder.iterdir(), folder]:
        _fsync(path)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a file system that cannot sync a folder
        pass
    finally:
        os.close(fd)


def _swap_in(tmp: Path, directory: Path) -> Path | None:
    """Rename `tmp` to `directory`; the previous `directory` becomes `.<name>.old-*`, returned."""
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    if directory.exists():
        os.rename(directory, old)
    try:
        os.rename(tmp, directory)
    except BaseException:
        if old.exists():
            os.rename(old, directory)
        raise
    _fsync(directory.parent)
    return old if old.exists() else None


def stamp(directory: Path) -> tuple | None:
    """What changes whenever an index is saved at `directory` (one stat of its manifest); None if absent."""
    try:
        st = os.stat(Path(directory) / "manifest.json")
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def leftovers(directory: Path) -> list[Path]:
    """Folders that builds cut short left beside the index: `.<name>.tmp-*` and `.<name>.old-*`."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        return []
    found = [*directory.parent.glob(f".{directory.name}.tmp-*"), *directory.parent.glob(f".{directory.name}.old-*")]
    return sorted(p for p in found if p.is_dir() and not p.is_symlink())


def complete(folder: Path) -> bool:
    """`folder` holds every file of an index and a manifest that parses."""
    try:
        if not all((folder / f).is_file() for f in _FILES):
            return False
        json.loads((folder / "manifest.json").read_text("utf-8"))
        return True
    except (OSError, ValueError):
        return False


def restorable(directory: Path) -> Path | None:
    """When `directory` is gone but a build was killed between its two renames, the previous index
    it had moved aside (the newest complete `.<name>.old-*`); else None."""
    directory = Path(directory)
    if os.path.lexists(directory):
        return None
    olds = [p for p in leftovers(directory) if ".old-" in p.name and complete(p)]
    return max(olds, key=lambda p: (p / "manifest.json").stat().st_mtime_ns, default=None)


def tidy(directory: Path) -> list[Path]:
    """Put back an index lost between the two renames of a killed build and remove what killed builds
    left behind. Only for a holder of `locks.writing`. Returns the folders removed."""
    directory = Path(directory)
    if restorable(directory) is not None:
        with locks.swapping(directory, exclusive=True):
            _recover(directory)
    removed = []
    for p in leftovers(directory):
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _recover(directory: Path) -> None:
    """If a crash happened between the two renames, put the previous index back."""
    old = restorable(directory)
    if old is not None:
        os.rename(old, directory)


def _recover_if_free(directory: Path) -> None:
    """A reader's recovery: only when no process is changing the index (else that process does it)."""
    if restorable(directory) is None:
        return
    with locks.write_lock_if_free(directory) as free:
        if free:
            _recover(directory)


def exists(directory: Path) -> bool:
    directory = Path(directory)
    if not directory.parent.is_dir():
        return False
    with locks.swapping(directory, exclusive=False):
        return _present(directory)


def _present(directory: Path) -> bool:
    """Under the swap lock: the index is there (put back first if a killed build left it aside)."""
    if not (directory / "manifest.json").is_file():
        _recover_if_free(directory)
    return (directory / "manifest.json").is_file()


def load(directory: Path) -> Index:
    """The index at `directory`, read under the shared swap lock; raises IndexMissing / IndexCorrupt."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        raise IndexMissing(f"No index at {directory}. Build one with `rag index [PATH ...] --index {directory}`.")
    with locks.swapping(directory, exclusive=False):
        if not _present(directory):
            raise IndexMissing(f"No index at {directory}. Build one with `rag index [PATH ...] --index {directory}`.")
        index = _load(directory)
        index.stamp = stamp(directory)
    return index


def _load(directory: Path) -> Index:
    import faiss
    import numpy as np

    from rag.index.bm25 import BM25

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
                docs.append(Document(r["id"], r["text"], r.get("title"), r.get("date"), r.get("source"),
                                     r.get("file")))
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
