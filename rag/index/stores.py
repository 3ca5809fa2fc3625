"""Which store an index lives in: Settings.store ("local", or "milvus:URI"); the one factory.

    open_store(settings, reuse=None) -> Store (rag.index.backend)
        local: a rag.index.local.LocalStore of settings.index_dir (`reuse` when it is that one:
        it keeps its loaded index); milvus: the process's rag.index.milvus.store.MilvusStore of
        (URI, settings.milvus_collection), opened once (a Lite file opens in one process)
    scratch_settings(settings, store, chunk_size, workdir) -> Settings of a temporary store of the
        kind `store` names ("local", "milvus" or "milvus:URI"), for evaluation variants
    discard(store)   a scratch store is done with: dropped where it is not a temporary file, closed

URI is what pymilvus' MilvusClient takes: a path ending in .db (Milvus Lite, one process; its
server mode for several) or http://host:19530 (a Milvus server or cluster).
"""
from __future__ import annotations

import os
from pathlib import Path

from rag.errors import RagError

_OPEN: dict = {}  # one Milvus store per (uri, collection) in a process: a Lite file opens once


def parse_store(value: str) -> tuple[str, str]:
    """("local", "") or ("milvus", URI); RagError for anything else."""
    text = (value or "local").strip()
    kind, sep, uri = text.partition(":")
    kind = kind.strip().lower()
    if kind == "local" and not uri:
        return "local", ""
    if kind == "milvus":
        uri = uri.strip()
        if not uri:
            raise RagError("RAG_STORE / --store milvus needs a URI: milvus:path/to/file.db (Milvus Lite) "
                           "or milvus:http://HOST:19530.")
        return "milvus", uri
    raise RagError(f"Unknown store {value!r}; use local, milvus:FILE.db or milvus:http://HOST:19530.")


def open_store(settings, reuse=None):
    kind, uri = parse_store(settings.store)
    if kind == "local":
        from rag.index.local import LocalStore

        if isinstance(reuse, LocalStore) and reuse.serves(settings.index_dir, settings.lock_wait_s):
            return reuse
        return LocalStore(settings.index_dir, settings.lock_wait_s)
    key = (uri, settings.milvus_collection)
    store = _OPEN.get(key)
    if store is None:
        from rag.index.milvus.store import MilvusStore

        store = _OPEN[key] = MilvusStore(uri, settings.milvus_collection, token=settings.milvus_token)
    return store


def scratch_settings(settings, store: str, chunk_size: int, workdir: Path):
    """Settings of a new, temporary store for the same documents chunked at `chunk_size`: a folder
    in `workdir` (local), a Lite file in `workdir` (milvus) or a collection of its own (milvus:URI)."""
    if store == "local":
        return settings.with_(chunk_size=chunk_size, index_dir=Path(workdir) / f"chunk-{chunk_size}", store="local")
    uri = store.partition(":")[2] or str(Path(workdir) / f"compare-{chunk_size}.db")
    return settings.with_(chunk_size=chunk_size, store=f"milvus:{uri}",
                          milvus_collection=f"rag_compare_{os.getpid()}_{chunk_size}")


def close_all() -> None:
    """Close every store opened in this process (tests; a Lite file can then be opened elsewhere)."""
    for store in list(_OPEN.values()):
        store.close()
    _OPEN.clear()


def forget(store) -> None:
    """Close `store` and let the next open_store() for it open a new one."""
    for key, st in list(_OPEN.items()):
        if st is store:
            del _OPEN[key]
    store.close()


def discard(store) -> None:
    """A scratch store (scratch_settings) is done with: what it holds dropped, and forgotten."""
    try:
        store.discard()
    finally:
        forget(store)
