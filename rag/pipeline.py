"""The one object the shells (CLI, app, evaluation) use: build and query an index.

CONTRACT (stable; shells rely on it):
    p = Pipeline(settings, embedder=None, reader=None)
        # embedder None -> Settings.model, loaded lazily; reader None -> Settings.reader (rag/reader.py)
    p.build(paths=None, progress=None) -> BuildReport
        Index `paths` (files or folders; default settings.corpus_dir) into settings.index_dir.
        Incremental: unchanged documents keep their vectors, deleted ones drop out. The new index
        is written beside the old one and swapped in only when complete.
    p.add_files(paths, progress=None) -> BuildReport   add or replace these documents, keep the rest
    p.delete_documents(doc_ids) -> BuildReport
    p.documents() -> list[DocInfo]
    p.document(doc_id) -> Document
    p.search(question, k=None, mode=None, filters=None) -> list[Hit]
    p.ask(question, history=(), mode=None, top_k=None, filters=None) -> Answer
        history: earlier user questions of the same conversation, oldest first; a follow-up such
        as "那村民收入呢？" is rewritten with them and Answer.searched_question is set.
        filters: rag.filters.Filters (dates, source, undated) or None; only passages of documents
        that pass are retrieved, so the answer and its citations come from them alone.
    progress: callable(stage: str, done: int, total: int)
All methods raise rag.errors.RagError subclasses with actionable one-line messages.
Thread-safe for concurrent ask(); build/add/delete take a lock and swap the index in atomically.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from rag.config import Settings
from rag.errors import BadFilter, BadQuestion, EmptyCorpus, IndexCorrupt, IndexMissing, ModelMismatch, UnknownDocument
from rag.filters import Filters
from rag.types import Answer, BuildReport, DocInfo, Document, Hit, Problem

StageProgress = Callable[[str, int, int], None]


class Pipeline:
    def __init__(self, settings: Settings | None = None, embedder=None, reader=None):
        self.settings = settings or Settings.from_env()
        self._embedder = embedder
        self._index = None
        self._reader = reader
        self._write_lock = threading.RLock()
        self._load_lock = threading.Lock()

    # -- parts, loaded on first use -------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from rag.embed import load_embedder

            s = self.settings
            self._embedder = load_embedder(s.model, s.cache_dir, s.batch_size)
        return self._embedder

    @property
    def index(self):
        if self._index is None:
            with self._load_lock:
                if self._index is None:
                    from rag import index as store

                    idx = store.load(self.settings.index_dir)
                    idx.check_model(self._model_name())
                    self._index = idx
        return self._index

    @property
    def reader(self):
        """The trained span reader (rag/reader.py), or None when it is off."""
        from rag.config import DEFAULT_MODEL

        s = self.settings
        if self._reader is not None:
            return self._reader
        want = s.reader.lower()
        if want in ("off", "none", "0", "false") or (want == "auto" and self._model_name() != DEFAULT_MODEL):
            return None
        if self._reader is None:
            with self._load_lock:
                if self._reader is None:
                    from rag.offline_model import ensure_default_model
                    from rag.reader import ADAPTER_FILE, load_reader

                    if want == "auto" and not ADAPTER_FILE.is_file():
                        return None  # a checkout without the trained adapter answers by rules
                    self._reader = load_reader(ensure_default_model(s.cache_dir))
        return self._reader

    def _model_name(self) -> str:
        return self._embedder.name if self._embedder is not None else self.settings.model

    def has_index(self) -> bool:
        from rag import index as store

        return store.exists(self.settings.index_dir)

    # -- building ---------------------------------------------------------------------------
    def build(self, paths: Sequence[str | Path] | None = None, progress: StageProgress | None = None) -> BuildReport:
        """(Re)index exactly the documents under `paths` (default: the corpus folder)."""
        from rag.ingest import Limits, load_paths

        paths = list(paths) if paths else [self.settings.corpus_dir]
        docs, problems = load_paths(paths, root=self.settings.corpus_dir, progress=progress,
                                    limits=Limits.from_settings(self.settings))
        if not docs:
            raise EmptyCorpus(_empty_message(paths, problems))
        return self._rebuild(docs, problems, progress)

    def add_files(self, paths: Sequence[str | Path], progress: StageProgress | None = None) -> BuildReport:
        """Add or replace the documents of these files; everything else stays indexed."""
        from rag.ingest import Limits, load_paths

        docs, problems = load_paths(list(paths), root=self.settings.corpus_dir, progress=progress,
                                    limits=Limits.from_settings(self.settings))
        if not docs:
            raise EmptyCorpus(_empty_message(paths, problems))
        with self._write_lock:
            previous = self._previous()
            sources = {d.source for d in docs}
            ids = {d.id for d in docs}
            kept = [d for d in (previous.documents if previous else []) if d.source not in sources and d.id not in ids]
            return self._rebuild(kept + docs, problems, progress)

    def delete_documents(self, doc_ids: Sequence[str], progress: StageProgress | None = None) -> BuildReport:
        with self._write_lock:
            previous = self.index
            unknown = [d for d in doc_ids if previous.document(d) is None]
            if unknown:
                raise UnknownDocument(f"No indexed document with id {unknown[0]!r}; list them with `rag docs`.")
            drop = set(doc_ids)
            kept = [d for d in previous.documents if d.id not in drop]
            if not kept:
                raise EmptyCorpus("Deleting these would leave the index empty; add other documents first.")
            return self._rebuild(kept, [], progress)

    def _previous(self):
        try:
            return self.index
        except (IndexMissing, IndexCorrupt, ModelMismatch):
            return None

    def _rebuild(self, docs: list[Document], problems: list[Problem], progress) -> BuildReport:
        from rag import index as store
        from rag.build import build_index

        t0 = time.perf_counter()
        with self._write_lock:
            previous = self._previous()
            new, embedded, reused = build_index(docs, self.embedder, self.settings, previous, progress)
            if progress:
                progress("save", 0, 1)
            store.save(new, self.settings.index_dir)
            self._index = new
            if progress:
                progress("save", 1, 1)
        old_ids = {d.id for d in previous.documents} if previous else set()
        return BuildReport(
            documents=len(new.documents),
            chunks=len(new.chunks),
            embedded=embedded,
            reused=reused,
            removed_documents=len(old_ids - {d.id for d in docs}),
            problems=tuple(problems),
            seconds=time.perf_counter() - t0,
        )

    # -- reading ----------------------------------------------------------------------------
    def documents(self) -> list[DocInfo]:
        idx = self.index
        counts: dict[str, int] = {}
        for c in idx.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        return [DocInfo(d.id, d.title, d.date, d.source, len(d.text), counts.get(d.id, 0)) for d in idx.documents]

    def document(self, doc_id: str) -> Document:
        doc = self.index.document(doc_id)
        if doc is None:
            raise UnknownDocument(f"No indexed document with id {doc_id!r}; list them with `rag docs`.")
        return doc

    # -- asking -----------------------------------------------------------------------------
    def _check(self, question) -> str:
        if not isinstance(question, str) or not question.strip():
            raise BadQuestion("The question is empty. Type a question, e.g. 去年全市接待了多少游客？")
        q = " ".join(question.split())
        limit = self.settings.max_question_chars
        if len(q) > limit:
            raise BadQuestion(f"The question is {len(q)} characters long; the limit is {limit}. Ask a shorter question.")
        return q

    def search(self, question: str, k: int | None = None, mode: str | None = None,
               filters: Filters | None = None) -> list[Hit]:
        return self.search_batch([question], k, mode, filters=filters)[0]

    def search_batch(self, questions: Sequence[str], k=None, mode=None, query_vectors=None,
                     filters: Filters | None = None) -> list[list[Hit]]:
        from rag.retrieve import search_batch

        s = self.settings
        qs = [self._check(q) for q in questions]
        sparse = [_sparse_text(q) for q in qs]
        return search_batch(self.index, self.embedder, qs, k or s.top_k, mode or s.mode,
                            s.candidates, s.fusion, s.rrf_k, query_vectors, sparse, filters=_checked(filters))

    def ask(self, question: str, history: Sequence[str] = (), mode: str | None = None,
            top_k: int | None = None, filters: Filters | None = None) -> Answer:
        from dataclasses import replace

        from rag.answer import Answerer
        from rag.followup import rewrite

        t0 = time.perf_counter()
        q = self._check(question)
        searched = rewrite(q, [h for h in history if h and h.strip()])
        query = searched or q
        mode = mode or self.settings.mode
        qv = self.embedder.embed_queries([query]) if mode != "bm25" else None
        hits = self.search_batch([query], top_k, mode, qv, filters=filters)[0]
        answer = Answerer(self.index, self.embedder, reader=self.reader).answer(
            q, hits, None if qv is None else qv[0], searched)
        return replace(answer, latency_ms=(time.perf_counter() - t0) * 1000)


def _checked(filters) -> Filters | None:
    if filters is None or isinstance(filters, Filters):
        return filters
    raise BadFilter(f"filters must be a rag.filters.Filters, not {type(filters).__name__}.")


def _sparse_text(question: str) -> str:
    """What BM25 searches for: the question, or for a non-Chinese one its Chinese keywords too."""
    from rag.text import is_chinese

    if is_chinese(question):
        return question
    from rag.crosslingual import chinese_keywords

    try:
        return question + " " + " ".join(chinese_keywords(question))
    except Exception:  # no dictionary: BM25 sees the English words only
        return question


def _empty_message(paths, problems: Sequence[Problem]) -> str:
    where = ", ".join(str(p) for p in paths)
    if problems:
        first = problems[0]
        return (f"No readable documents in {where} ({len(problems)} file(s) skipped; first: {first.path}: "
                f"{first.message}). Add .txt/.md/.html/.pdf/.docx/.jsonl files and run again.")
    return f"No documents found in {where}. Add .txt/.md/.html/.pdf/.docx/.jsonl files and run again."
