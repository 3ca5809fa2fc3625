"""MilvusStore: the index in a Milvus collection (rag.index.backend.Store): passages, vectors and
BM25 in `<name>`, documents beside them in `<name>_docs` (rag/index/milvus/schema.py), so citations
keep exact offsets into the stored document.

    store = MilvusStore(uri, collection)          # uri: "path/to/file.db" (Milvus Lite) or "http://host:19530"
    store.view(model) -> MilvusIndex              # what the pipeline reads (rag/index/milvus/view.py)
    store.update(...) -> Change                   # passages are embedded as they are stored
    store.search(view, request)                   # in the engine (rag/index/milvus/search.py)

Filters are expressions of escaped literals (rag/index/milvus/expr.py). pymilvus is imported here
only; the product runs without it until a milvus store is asked for.
"""
from __future__ import annotations

import os
import re
import threading
import time
import warnings
from contextlib import nullcontext
from typing import Iterator, Sequence

import numpy as np

from rag.errors import RagError
from rag.index.backend import Change, SearchRequest, content_hash
from rag.index.milvus import schema
from rag.index.milvus.expr import date_bounds, doc_ids_expr, source_key
from rag.index.milvus.view import MilvusIndex
from rag.types import Chunk, Document

BATCH = 256  # passages embedded and inserted per request
TIMEOUT_S = 30.0
VIEW_CHECK_S = 2.0
INSTALL = "pip install '.[milvus]' (pymilvus==3.0.2, milvus-lite==2.5.1, setuptools<81)"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")


def is_lite(uri: str) -> bool:
    return not re.match(r"^(https?|tcp|grpc|unix)://", uri)


def _client_class():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # milvus-lite imports pkg_resources, deprecated
            from pymilvus import MilvusClient
    except ImportError as err:
        raise RagError(f"The Milvus store needs pymilvus and milvus-lite ({err.name or err}); {INSTALL}.") from None
    return MilvusClient


def start_lite(uri: str, wait_s: float) -> None:
    """Start the Milvus Lite server of the file `uri` (milvus-lite's own manager, which MilvusClient
    then reuses) and wait until its socket exists: milvus-lite waits only 0.5 s, and a client that
    finds no socket fails at once rather than waiting, so a busy machine would fail to connect."""
    from milvus_lite.server_manager import server_manager_instance

    socket_path = server_manager_instance.start_and_get_uri(uri)
    if socket_path is None:
        return  # MilvusClient says why ("Open local milvus failed")
    path = socket_path.removeprefix("unix:")
    deadline = time.monotonic() + wait_s
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def _err(uri: str, err: Exception, what: str) -> RagError:
    msg = str(getattr(err, "message", "") or err).splitlines()[0][:300]
    low = msg.lower()
    if "connect" in low or "unavailable" in low or "deadline" in low or "timeout" in low or "timed out" in low:
        hint = ("is the file open in another process? Several processes share Milvus Lite through its server: "
                "`python -m rag.index.milvus.lite_server FILE.db PORT`, then RAG_STORE=milvus:http://127.0.0.1:PORT"
                if is_lite(uri) else "is Milvus running there (version >= 2.5) and reachable? Check RAG_STORE")
        return RagError(f"Cannot reach Milvus at {uri} while {what} ({msg}); {hint}.")
    return RagError(f"Milvus at {uri} failed while {what}: {msg}")


def _fit(text: str | None, limit: int = schema.MAX_VARCHAR) -> str:
    """`text` cut to `limit` bytes of UTF-8 (for display fields; ids are checked, never cut)."""
    text = text or ""
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore")


class MilvusStore:
    kind = "milvus"

    def __init__(self, uri: str, collection: str = "rag", timeout: float = TIMEOUT_S, token: str = ""):
        if not _NAME_RE.fullmatch(collection or ""):
            raise RagError(f"RAG_MILVUS_COLLECTION {collection!r} is not a valid Milvus collection name "
                           "(letters, digits and _, starting with a letter or _).")
        self.uri, self.name, self.docs_name, self.timeout = uri, collection, collection + "_docs", timeout
        self.lite = is_lite(uri)
        self._token = token
        self._client = None
        self._lock = threading.Lock()
        self._view: MilvusIndex | None = None
        self._checked = 0.0

    # -- connection -----------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    MilvusClient = _client_class()
                    os.environ.setdefault("RUST_LOG", "error")  # the Lite engine's tantivy logs every commit
                    if self.lite:
                        folder = os.path.dirname(os.path.abspath(self.uri))
                        if not os.path.isdir(folder):
                            raise RagError(f"No folder {folder} for the Milvus Lite file {self.uri}; create it first.")
                    import logging

                    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # errors reach the user as RagErrors
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")  # milvus-lite imports pkg_resources on connecting
                            auth = {"token": self._token} if self._token else {}
                            if self.lite:
                                start_lite(self.uri, self.timeout)
                            self._client = MilvusClient(uri=self.uri, timeout=self.timeout, **auth)
                    except Exception as err:
                        raise _err(self.uri, err, "connecting") from None
        return self._client

    def call(self, what: str, method: str, *args, **kwargs):
        """client.method(*args, **kwargs), with Milvus and gRPC errors as one-line RagErrors."""
        try:
            return getattr(self.client, method)(*args, timeout=self.timeout, **kwargs)
        except RagError:
            raise
        except Exception as err:
            raise _err(self.uri, err, what) from None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None

    # -- schema -------------------------------------------------------------------------------
    def exists(self) -> bool:
        return bool(self.call("looking for the collection", "has_collection", self.name))

    def manifest(self) -> dict:
        """What the collection was built with (its description), or IndexMissing / ModelMismatch."""
        return schema.read_manifest(self)

    def lite_engine(self) -> bool:
        """Milvus Lite (a file, or its server mode, which does not say its version) or a real Milvus."""
        if self.lite:
            return True
        try:
            self.client.get_server_version(timeout=self.timeout)
            return False
        except Exception:
            return True

    # -- reading --------------------------------------------------------------------------------
    def view(self, model: str | None = None) -> "MilvusIndex":
        """The reader; the collection's description is read again after VIEW_CHECK_S (another
        process may have dropped or rebuilt it)."""
        view = self._view
        if view is None or time.monotonic() - self._checked > VIEW_CHECK_S:
            manifest = self.manifest()
            if view is None or view.description != manifest:
                view = self._view = MilvusIndex(self, manifest)
            self._checked = time.monotonic()
        if model is not None:
            view.check_model(model)
        return view

    def search(self, view, request: SearchRequest):
        from rag.index.milvus.search import search

        return search(view, request)

    def embed_precision(self, wanted: str) -> str:
        return wanted  # a new collection's passages are embedded as they are stored, with the setting's model

    # -- writing --------------------------------------------------------------------------------
    def writing(self, progress=None):
        return nullcontext()  # the engine orders concurrent writers itself

    def compatible(self, view, settings, model: str) -> bool:
        from rag.index.build import compatible
        from rag.index.tokenize import TOKENIZER_NAME

        return compatible(view, settings, model, TOKENIZER_NAME)

    def update(self, settings, model, embedder, previous, add, remove=(), progress=None) -> Change:
        """Documents `add` stored (replacing those of the same id) and embedded, `remove` deleted;
        the model is the embedder's (a collection of another model or chunking is refused)."""
        return self._write(settings, embedder(), add, remove, progress)

    def embed(self, model, embedder, lock, progress=None, limit=None, only=None) -> int:
        return 0  # every passage got its vector when it was stored

    def compact(self, model, lock) -> bool:
        return False  # the engine compacts its own segments

    def fill(self, settings, documents, embedder, progress=None) -> Change:
        return self._write(settings, embedder, documents, (), progress)

    def discard(self) -> None:
        """Drop a scratch collection; a temporary Lite file goes with its folder."""
        if not self.lite:
            self.call("dropping a comparison collection", "drop_collection", self.name)
            self.call("dropping a comparison collection", "drop_collection", self.docs_name)

    def _write(self, settings, embedder, add: Sequence[Document], remove=(), progress=None) -> Change:
        progress = progress or (lambda stage, done, total: None)
        if self.exists():
            manifest = self.manifest()
            schema.check_built(manifest, self, embedder.name, settings, int(embedder.dim))
        else:
            schema.create(self, settings, embedder.name, int(embedder.dim))
        ids = {d.id for d in add}
        gone = [i for i in dict.fromkeys(remove) if i not in ids]
        removed = 0
        for i in range(0, len(gone), 500):
            part = gone[i:i + 500]
            removed += len(self._existing(part))
            self.call("deleting documents", "delete", self.name, filter=doc_ids_expr("doc_id", part))
            self.call("deleting documents", "delete", self.docs_name, filter=doc_ids_expr("doc_id", part))
        embedded = 0
        total = sum(1 for _ in add)
        done = 0
        for batch in _doc_batches(add, settings):
            rows = []
            for doc, chunks in batch:
                lo, hi = date_bounds(doc.date)
                for c in chunks:
                    rows.append((doc, c, lo, hi))
            vectors = embedder.embed_passages([_passage_input(doc, c) for doc, c, _, _ in rows]) if rows else []
            self._put(batch, rows, vectors, content_hash)
            embedded += len(rows)
            done += len(batch)
            progress("embed", done, total)
        self.call("flushing", "flush", self.name)
        self.call("flushing", "flush", self.docs_name)
        if self._view is not None:
            self._view.changed()
        self._checked = 0.0
        st = self.view().status()
        return Change(documents=st["documents"], chunks=st["passages"], tokenised=embedded,
                      reused=st["passages"] - embedded, removed=removed, segments=1, embedded=embedded)

    def _existing(self, ids: Sequence[str]) -> list[str]:
        rows = self.call("reading documents", "query", self.docs_name,
                         filter=doc_ids_expr("doc_id", ids) + " and part == 0", output_fields=["doc_id"])
        return [r["doc_id"] for r in rows]

    def _put(self, batch, rows, vectors, content_hash) -> None:
        from rag.text import normalize_for_search

        now = time.time_ns()  # `added`: the order documents were written in, which breaks ties in search
        added = {doc.id: now + n for n, (doc, _) in enumerate(batch)}
        passages = [{
            "added": added[doc.id], "pid": f"{doc.id}#{c.ordinal}", "doc_id": doc.id, "ordinal": c.ordinal, "start": c.start, "end": c.end,
            "title": _fit(doc.title), "date": _fit(doc.date), "source": _fit(doc.source), "file": _fit(doc.file),
            "source_key": _fit(source_key(doc.source)), "date_lo": lo, "date_hi": hi, "text": c.text,
            "bm25_text": normalize_for_search(c.text), "bucket": schema.bucket(f"{doc.id}#{c.ordinal}"),
            "vector": np.asarray(v, np.float32).tolist(),
        } for (doc, c, lo, hi), v in zip(rows, vectors)]
        docs = []
        for n, (doc, chunks) in enumerate(batch):
            if len(doc.id.encode("utf-8")) > 4000:
                raise RagError(f"Document id {doc.id[:60]!r}... is longer than 4000 bytes; give it a shorter id.")
            parts = max(1, -(-len(doc.text) // schema.PART_CHARS))
            for p in range(parts):
                docs.append({"key": f"{doc.id}#{p}", "doc_id": doc.id, "part": p, "parts": parts,
                             "title": _fit(doc.title), "date": _fit(doc.date), "source": _fit(doc.source),
                             "file": _fit(doc.file), "hash": content_hash(doc), "chars": len(doc.text),
                             "passages": len(chunks), "added": added[doc.id],
                             "text": doc.text[p * schema.PART_CHARS:(p + 1) * schema.PART_CHARS], "unused": [0.0, 0.0]})
        ids = [doc.id for doc, _ in batch]
        old_pids = self._keys(self.name, "pid", ids)
        old_keys = self._keys(self.docs_name, "key", ids)
        if passages:
            self.call("adding passages", "upsert", self.name, passages)
        self.call("adding documents", "upsert", self.docs_name, docs)
        # a changed document may now have fewer passages or parts: drop the rows past its new end
        stale = sorted(old_pids - {p["pid"] for p in passages})
        if stale:
            self.call("replacing passages", "delete", self.name, ids=stale)
        stale = sorted(old_keys - {d["key"] for d in docs})
        if stale:
            self.call("replacing documents", "delete", self.docs_name, ids=stale)

    def _keys(self, collection: str, key: str, doc_ids: Sequence[str]) -> set[str]:
        """Primary keys of the rows these documents have in `collection` now."""
        return {r[key] for r in self.rows(collection, doc_ids_expr("doc_id", doc_ids), [key], "reading what is stored")}

    def rows(self, collection: str, expr: str, fields: list[str], what: str):
        """Every row of `collection` that passes `expr`, a batch at a time (no 16,384-row query window)."""
        try:
            it = self.client.query_iterator(collection, batch_size=1000, filter=expr, output_fields=fields,
                                            timeout=self.timeout)
            while True:
                batch = it.next()
                if not batch:
                    break
                yield from batch
            it.close()
        except RagError:
            raise
        except Exception as err:
            raise _err(self.uri, err, what) from None

def _passage_input(doc: Document, chunk: Chunk) -> str:
    from rag.index.build import passage_input

    return passage_input(doc, chunk)


def _doc_batches(docs, settings) -> Iterator[list[tuple[Document, list[Chunk]]]]:
    """(document, its chunks) in batches of about BATCH passages."""
    from rag.ingest.chunk import chunk_document

    batch, n = [], 0
    for d in docs:
        chunks = chunk_document(d, settings.chunk_size, settings.chunk_overlap)
        batch.append((d, chunks))
        n += len(chunks)
        if n >= BATCH:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch

__all__ = ["MilvusIndex", "MilvusStore", "is_lite"]
