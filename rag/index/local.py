"""LocalStore: the index as a folder of segments (rag/index/store.py), behind the Store protocol.

    LocalStore(directory, lock_wait_s)
        view(model)       the index on disk, loaded on first use and again whenever another process
                          changed it (one stat); ModelMismatch when it was built with another model
        writing(progress) the folder's write lock (rag/locks.py, waiting up to lock_wait_s), and
                          what killed builds left beside it cleaned up
        update            chunk and tokenise a batch at a time (rag/index/build.py)
        embed             vectors for passages that have none, a block at a time (rag/index/backfill.py)
        compact           merge many small embedded segments into one (rag/index/merge.py)
        search            FAISS + BM25, fused (rag/index/local_search.py)
"""
from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from rag.index.backend import Change, SearchRequest


class LocalStore:
    kind = "local"

    def __init__(self, directory: Path, lock_wait_s: int = 600):
        self.directory, self.lock_wait_s = Path(directory), lock_wait_s
        self._index = None
        self._load_lock = threading.Lock()

    def serves(self, directory: Path, lock_wait_s: int) -> bool:
        return self.directory == Path(directory) and self.lock_wait_s == lock_wait_s

    # -- reading ----------------------------------------------------------------------------------
    def exists(self) -> bool:
        from rag.index import store

        return store.exists(self.directory)

    def view(self, model: str | None = None):
        from rag.index import store

        idx, directory = self._index, self.directory
        if idx is None or idx.stamp != store.stamp(directory):
            with self._load_lock:
                idx = self._index
                if idx is None or idx.stamp != store.stamp(directory):
                    idx = self._index = store.load(directory)
        if model is not None:
            idx.check_model(model)
        return idx

    def _changed(self) -> None:
        with self._load_lock:
            self._index = None

    def search(self, view, request: SearchRequest):
        from rag.index.local_search import search

        return search(view, request)

    def embed_precision(self, wanted: str) -> str:
        from rag.models.embed import index_precision

        return index_precision(self.directory, wanted)

    # -- writing ----------------------------------------------------------------------------------
    @contextmanager
    def writing(self, progress=None):
        from rag import locks
        from rag.index import store

        waited = []

        def on_wait() -> None:
            waited.append(True)
            if progress:
                progress("wait", 0, 1)

        with locks.writing(self.directory, self.lock_wait_s, on_wait):
            if waited and progress:
                progress("wait", 1, 1)
            store.tidy(self.directory)
            yield

    def compatible(self, view, settings, model: str) -> bool:
        from rag.index.build import compatible
        from rag.index.tokenize import TOKENIZER_NAME

        return compatible(view, settings, model, TOKENIZER_NAME)

    def update(self, settings, model, embedder, previous, add, remove, progress=None) -> Change:
        from rag.index.build import update

        # the dimension: from the index when it goes on (`--embed-later` need not load the model)
        dim = int(previous.manifest["dim"]) if previous is not None and self.compatible(previous, settings, model) \
            else int(embedder().dim)
        change = update(self.directory, settings, model, dim, previous, add, remove, progress)
        self._changed()
        return change

    def embed(self, model, embedder, lock, progress=None, limit=None, only=None) -> int:
        from rag.index.backfill import embed_missing

        return embed_missing(self.directory, embedder, lambda: self.view(model), lock, progress,
                             limit=limit, only=only)

    def compact(self, model, lock) -> bool:
        from rag.index.merge import candidates, merge_small

        if not candidates(self.view(model)):
            return False
        with lock():
            merged = merge_small(self.directory, self.view(model)) is not None
            self._changed()
        return merged

    # -- scratch copies (evaluation) --------------------------------------------------------------
    def fill(self, settings, documents, embedder, progress=None) -> Change:
        """A new index of exactly `documents` in this (private, new) folder: no other writer, no lock."""
        from rag.index.build import update

        change = update(self.directory, settings, embedder.name, int(embedder.dim), None, documents, (), progress)
        embedded = self.embed(None, embedder, nullcontext, progress)
        return Change(change.documents, change.chunks, change.tokenised, change.reused, change.removed,
                      change.segments, change.new_segments, embedded)

    def discard(self) -> None:
        self.close()

    def close(self) -> None:
        with self._load_lock:
            idx, self._index = self._index, None
        if idx is not None:
            idx.close()
