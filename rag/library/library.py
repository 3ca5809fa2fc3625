"""The knowledge bases of one process: their descriptions (registry.py), one Pipeline each, opened
on first use and sharing the embedder and the reader, and questions over one or several of them."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator, Sequence

from rag.config import Settings
from rag.errors import IndexMissing, RagError
from rag.library.fuse import fuse, tagged
from rag.library.names import DEFAULT, check_name, unknown
from rag.library.registry import KnowledgeBase, Registry
from rag.pipeline import Pipeline
from rag.types import Answer

DELETE_WAIT_S = 60.0  # a delete waits this long for the knowledge base's questions in flight
MAX_ASKED = 16  # knowledge bases one question may name


class Library:
    def __init__(self, settings: Settings | None = None, embedder=None, reader=None, default: Pipeline | None = None):
        self.settings = settings or (default.settings if default is not None else Settings.from_env())
        self.registry = Registry(self.settings)
        self._embedder, self._reader = embedder, reader
        self._pipelines: dict[str, Pipeline] = {}
        if default is not None:
            self._pipelines[DEFAULT] = default
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}  # questions in flight per knowledge base
        self._deleting: set[str] = set()
        self._idle = threading.Condition(self._lock)

    # -- what there is -----------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [n for n in self.registry.names() if n not in self._deleting]

    def infos(self) -> list[KnowledgeBase]:
        out = []
        for name in self.names():
            try:
                out.append(self.registry.get(name))
            except RagError:  # deleted meanwhile
                continue
        return out

    def get(self, name: str) -> KnowledgeBase:
        check_name(name)
        if name in self._deleting:
            raise unknown(name)
        return self.registry.get(name)

    def pipeline(self, name: str = DEFAULT) -> Pipeline:
        """The knowledge base's pipeline (UnknownKnowledgeBase for a name that is not there)."""
        kb = self.get(name)
        pipe = self._pipelines.get(name)
        if pipe is None:
            opened = self._open(kb)  # may load the shared model: outside the lock
            with self._lock:
                pipe = self._pipelines.setdefault(name, opened)
        return pipe

    def _open(self, kb: KnowledgeBase) -> Pipeline:
        settings = self.registry.settings_for(kb)
        base = self._pipelines.get(DEFAULT)
        embedder, reader = self._embedder, self._reader
        if base is not None and embedder is None and base.settings.model == settings.model:
            embedder = base.embedder  # one model in memory for all knowledge bases
        if base is not None and reader is None:
            reader = base.reader
        return Pipeline(settings, embedder, reader)

    # -- changing the set ----------------------------------------------------------------------------
    def create(self, name: str, **options) -> KnowledgeBase:
        return self.registry.create(name, **options)

    def delete(self, name: str, wait_s: float = DELETE_WAIT_S) -> KnowledgeBase:
        """Remove a knowledge base: new questions to it are refused at once (unknown), those in flight
        finish first (up to `wait_s`), then its index or collection and its folder are removed."""
        kb = self.get(name)
        if name == DEFAULT:
            raise RagError("The knowledge base 'default' cannot be deleted.")
        with self._lock:
            if name in self._deleting:
                raise unknown(name)
            self._deleting.add(name)
        try:
            with self._lock:
                self._idle.wait_for(lambda: not self._busy.get(name), timeout=wait_s)
            pipe = self._pipelines.get(name) or self._open(kb)
            with pipe.writing():
                _drop(pipe)
                self.registry.remove(name)
            with self._lock:
                self._pipelines.pop(name, None)
        finally:
            with self._lock:
                self._deleting.discard(name)
        return kb

    # -- asking ----------------------------------------------------------------------------------------
    @contextmanager
    def using(self, names: Sequence[str]) -> Iterator[list[Pipeline]]:
        """The pipelines of `names`, counted as in use (a delete waits for them) for the block."""
        names = list(dict.fromkeys(names))
        if not names:
            raise RagError("Name at least one knowledge base.")
        if len(names) > MAX_ASKED:
            raise RagError(f"At most {MAX_ASKED} knowledge bases at once.")
        pipes = [self.pipeline(n) for n in names]
        with self._lock:
            gone = [n for n in names if n in self._deleting]
            if gone:
                raise unknown(gone[0])
            for n in names:
                self._busy[n] = self._busy.get(n, 0) + 1
        try:
            yield pipes
        finally:
            with self._lock:
                for n in names:
                    self._busy[n] -= 1
                self._idle.notify_all()

    def ask(self, names: Sequence[str], question: str, **options) -> Answer:
        """Pipeline.ask over one knowledge base or several (see ask_stream)."""
        names = list(dict.fromkeys(names))
        if len(names) != 1:
            answer = None
            for answer in self.ask_stream(names, question, **options):
                pass
            return answer
        with self.using(names) as pipes:
            answer = pipes[0].ask(question, **options)
            self._check_still(names)
        return tagged(answer, names[0])

    def ask_stream(self, names: Sequence[str], question: str, **options) -> Iterator[str | Answer]:
        """Pipeline.ask_stream over one knowledge base (its citations name it), or over several:
        each asked at once in its own thread, their answers fused (rag/library/fuse.py)."""
        names = list(dict.fromkeys(names))
        with self.using(names) as pipes:
            if len(pipes) == 1:
                for event in pipes[0].ask_stream(question, **options):
                    yield tagged(event, names[0]) if isinstance(event, Answer) else event
                self._check_still(names)
                return
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(pipes), thread_name_prefix="rag-kb") as pool:
                answers = list(pool.map(lambda p: _ask_if_built(p, question, options), pipes))
            self._check_still(names)
            found = [(n, a) for n, a in zip(names, answers) if not isinstance(a, IndexMissing)]
            if not found:  # none has an index yet: say so for the first
                raise answers[0]
            yield replace(fuse(found), latency_ms=(time.perf_counter() - t0) * 1000)

    def _check_still(self, names: Sequence[str]) -> None:
        """An answer from a knowledge base deleted by another process meanwhile is not given."""
        for n in names:
            if not self.registry.exists(n):
                raise unknown(n)


def _ask_if_built(pipe: Pipeline, question: str, options: dict) -> Answer | IndexMissing:
    """A knowledge base asked with others: its answer, or (a new one, nothing indexed yet) why there is none."""
    try:
        return pipe.ask(question, **options)
    except IndexMissing as err:
        return err


def _drop(pipe: Pipeline) -> None:
    """A deleted knowledge base's Milvus collections are dropped; a local index goes with its folder."""
    from rag.index.stores import forget, parse_store

    store = pipe.store
    if parse_store(pipe.settings.store)[0] == "milvus":
        for name in (store.name, store.docs_name):
            store.call("dropping the knowledge base", "drop_collection", name)
        forget(store)
    else:
        store.close()
