"""Which store an index lives in: Settings.store ("local", or "milvus:URI").

    remote_store(settings) -> None for the local index folder (rag/index/store.py), else a store
        object (today rag.index.milvus.store.MilvusStore) that the pipeline hands its reads and
        writes to:
            exists() -> bool
            view(model) -> an Index-like reader (document, documents, doc_infos, doc_keys, doc_files,
                status, manifest, bm25.idf_of / max_idf) with search_batch(...) run in the engine
            update(settings, embedder, add, remove, progress) -> rag.index.build.Change
            close()

URI is what pymilvus' MilvusClient takes: a path ending in .db (Milvus Lite, one process; its
server mode for several) or http://host:19530 (a Milvus server or cluster).
"""
from __future__ import annotations

from rag.errors import RagError

_OPEN: dict = {}  # one client per (uri, collection) in a process: a Lite file opens once


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


def remote_store(settings):
    kind, uri = parse_store(settings.store)
    if kind == "local":
        return None
    key = (uri, settings.milvus_collection)
    store = _OPEN.get(key)
    if store is None:
        from rag.index.milvus.store import MilvusStore

        store = _OPEN[key] = MilvusStore(uri, settings.milvus_collection, token=settings.milvus_token)
    return store


def close_all() -> None:
    """Close every store opened in this process (tests; a Lite file can then be opened elsewhere)."""
    for store in list(_OPEN.values()):
        store.close()
    _OPEN.clear()


def forget(store) -> None:
    """Close `store` and let the next remote_store() for it open a new one."""
    for key, st in list(_OPEN.items()):
        if st is store:
            del _OPEN[key]
    store.close()
