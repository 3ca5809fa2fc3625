"""An index of given documents built in one go, for tests.

    index_documents(directory, documents, embedder, settings, progress=None) -> (Change, embedded)
        a new index of exactly `documents` at a private `directory` (no other writer: no write lock)
    build_index(documents, embedder, settings, progress=None) -> (Index, embedded, reused=0)
        the same in a temporary directory, removed when the Index is garbage-collected
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Sequence

from rag.types import Document


def index_documents(directory: Path, documents: Sequence[Document], embedder, settings, progress=None):
    from rag.index.local import LocalStore

    change = LocalStore(directory).fill(settings, documents, embedder, progress)
    return change, change.embedded


def build_index(documents: Sequence[Document], embedder, settings, progress=None):
    from rag.index import store

    tmp = Path(tempfile.mkdtemp(prefix="rag-index-"))
    _, embedded = index_documents(tmp / "index", documents, embedder, settings, progress)
    index = store.load(tmp / "index")
    weakref.finalize(index, shutil.rmtree, tmp, True)
    return index, embedded, 0
