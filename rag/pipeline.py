"""The one object the shells (CLI, app, evaluation) use: build and query an index.

CONTRACT (stable; shells rely on it):
    p = Pipeline(settings, embedder=None, reader=None)
        # embedder None -> Settings.model, loaded lazily; reader None -> Settings.reader (rag/models/reader.py)
    p.build(paths=None, progress=None, embed=True) -> BuildReport
        Index `paths` (files or folders; default settings.corpus_dir) into settings.index_dir.
        A document id stays with the file it is indexed from, whatever order files are read in
        (rag.ingest.keep_owners); another file's document claiming it is skipped with a Problem.
        Incremental: only new or changed documents are chunked and tokenised (a batch at a time,
        each batch searchable by BM25 once committed), deleted ones become tombstones; then the
        passages without vectors are embedded (skipped with embed=False; see embed()). Every
        commit is a new version swapped in atomically; a killed build keeps what it committed.
    p.embed(progress=None, limit=None) -> int
        Embed passages that have no vectors yet, a checkpointed block at a time (resumable; the
        write lock is held only to commit a block). Returns how many were embedded.
    p.status() -> dict
        documents, passages, embedded (passages with vectors) and segments of the index.
    p.add_files(paths, progress=None, embed=True, read_as=None, on_commit=None) -> BuildReport
        Add the documents of these files, replacing what the same files gave before; documents of
        other files are never replaced (a clashing id is skipped with a Problem). BuildReport.added
        says how many documents each file named in `paths` gave. Files are read and embedded
        outside the write lock; it is held only to commit (and for on_commit, see the method).
    p.delete_documents(doc_ids) -> BuildReport
    p.writing(progress=None)   context: hold the index's write lock across several steps (re-entrant)
    p.documents() -> list[DocInfo]
    p.document(doc_id) -> Document
    p.search(question, k=None, mode=None, filters=None) -> list[Hit]
    p.ask(question, history=(), mode=None, top_k=None, filters=None, answer=None) -> Answer
    p.ask_stream(...same...) -> iterator of str (a generated answer's draft, as it is written), then the Answer
        history: earlier user questions of the same conversation, oldest first; a follow-up such
        as "那村民收入呢？" is rewritten with them and Answer.searched_question is set.
        filters: rag.retrieve.filters.Filters (dates, source, undated) or None; only passages of documents
        that pass are retrieved, so the answer and its citations come from them alone.
        answer: "extractive" | "generative" | "auto" | None (settings.answer): generative asks the
        configured OpenAI-compatible model (rag/answer/generate.py) and keeps only the sentences its
        cited passages support (rag/answer/verify.py); Answer.mode says what was given.
    progress: callable(stage: str, done: int, total: int)
All methods raise rag.errors.RagError subclasses with actionable one-line messages.

Documents are owned by the file they were read from (Document.file), never by what a record says
its `source` is. The index lives in a Store (rag/index/backend.py) that Settings.store picks
(rag/index/stores.py): the local folder or Milvus; the pipeline does not know which. Safe across
threads and processes: every change (build/add/delete) holds the pipeline's lock and the store's
(the local folder's: rag/locks.py, fcntl.flock beside it, waiting up to settings.lock_wait_s),
starts from the index as it is then, and swaps the new one in atomically; readers (ask,
documents) get the store's current view, so a `rag index` run beside the app is seen without a
restart.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from rag.config import Settings
from rag.errors import BadFilter, EmptyCorpus, IndexMissing, RagError, UnknownDocument
from rag.modes import READER_OFF
from rag.retrieve.filters import Filters
from rag.retrieve.question import MAX_HISTORY, bounded_history, checked_question, sparse_text, usable_history
from rag.types import Answer, BuildReport, DocInfo, Document, Hit, Problem

StageProgress = Callable[[str, int, int], None]

__all__ = ["MAX_HISTORY", "Pipeline", "StageProgress", "bounded_history"]  # the shells import these from here


class Pipeline:
    def __init__(self, settings: Settings | None = None, embedder=None, reader=None):
        self.settings = settings or Settings.from_env()
        self._embedder = embedder
        self._reader = reader
        self._store = None
        self._write_lock = threading.RLock()
        self._load_lock = threading.Lock()
        self._writing = 0  # depth of writing() in the thread that holds _write_lock

    # -- parts, loaded on first use -------------------------------------------------------
    @property
    def store(self):
        """Where the index lives (Settings.store): a rag.index.backend.Store."""
        from rag.index.stores import open_store

        self._store = open_store(self.settings, reuse=self._store)
        return self._store

    @property
    def embedder(self):
        if self._embedder is None:
            from rag.models.embed import load_embedder

            s = self.settings
            self._embedder = load_embedder(s.model, s.cache_dir, s.batch_size, s.embed_runtime,
                                           self.store.embed_precision(s.embed_precision), s.onnx_threads)
        return self._embedder

    @property
    def index(self):
        """The index as it is now (the store's view, rag.index.backend.View), built with this model;
        a local one is loaded again whenever another process changed it."""
        return self.store.view(self._model_name())

    @property
    def reader(self):
        """The trained span reader (rag/models/reader.py), or None when it is off."""
        from rag.config import DEFAULT_MODEL

        s = self.settings
        if self._reader is not None:
            return self._reader
        want = s.reader.lower()
        if want in READER_OFF or (want == "auto" and self._model_name() != DEFAULT_MODEL):
            return None
        if self._reader is None:
            with self._load_lock:
                if self._reader is None:
                    from rag.models.offline_model import ensure_default_model
                    from rag.models.reader import ADAPTER_FILE, load_reader

                    if want == "auto" and not ADAPTER_FILE.is_file():
                        return None  # a checkout without the trained adapter answers by rules
                    self._reader = load_reader(ensure_default_model(s.cache_dir), s.embed_runtime, s.onnx_threads)
        return self._reader

    def warm_up(self) -> None:
        """Load everything the first answer needs (model, index, reader), so it is as quick as the rest."""
        self.search("warm up", k=1)
        self.reader  # noqa: B018 - loads the reader when it is on
        if self.settings.llm_base_url:
            import langchain_openai  # noqa: F401 - a second of imports, before the first generated answer

    def _model_name(self) -> str:
        return self._embedder.name if self._embedder is not None else self.settings.model

    def has_index(self) -> bool:
        return self.store.exists()

    # -- building ---------------------------------------------------------------------------
    @contextmanager
    def writing(self, progress: StageProgress | None = None):
        """Hold the index's write lock (threads here; the store's between processes) across several
        steps; re-entrant. On entry, what killed builds left beside a local index is cleaned up."""
        with self._write_lock:
            if self._writing:
                self._writing += 1
                try:
                    yield
                finally:
                    self._writing -= 1
                return
            with self.store.writing(progress):
                self._writing = 1
                try:
                    yield
                finally:
                    self._writing = 0

    def build(self, paths: Sequence[str | Path] | None = None, progress: StageProgress | None = None,
              embed: bool = True) -> BuildReport:
        """(Re)index exactly the documents under `paths` (default: the corpus folder). Every document
        is searchable by BM25 as soon as its batch is committed; then (unless `embed` is False, see
        `embed()`) the passages without vectors are embedded, resumably."""
        from rag.ingest import Limits, load_paths
        from rag.index.backend import content_hash

        paths = list(paths) if paths else [self.settings.corpus_dir]
        t0 = time.perf_counter()
        with self.writing(progress):  # read inside the lock: a file added meanwhile is not lost
            previous = self._previous(strict=False)
            # an id stays with the file it is indexed from, whatever order the files are read in
            owners = self._owners()
            if owners is not None:  # uploads a killed server left: renamed into place, or removed
                from rag.staging import finish_uploads

                finish_uploads(self.settings.corpus_dir, {f for f in owners.values() if f})
            docs, problems = load_paths(paths, root=self.settings.corpus_dir, progress=progress,
                                        limits=Limits.from_settings(self.settings), owners=owners or {})
            if not docs:
                raise EmptyCorpus(_empty_message(paths, problems))
            keep = previous is not None and self.store.compatible(previous, self.settings, self._model_name())
            old = previous.doc_keys() if keep else {}
            add = [d for d in docs if old.get(d.id) != (content_hash(d), d.file)]  # new, changed or moved
            gone = set(old) - {d.id for d in docs}
            change = self._update(previous, add, gone, progress)
        return self._report(change, problems, progress, embed, t0)

    def add_files(self, paths: Sequence[str | Path], progress: StageProgress | None = None,
                  embed: bool = True, read_as: Mapping[str, Path] | None = None,
                  on_commit: Callable[[dict[str, int]], None] | None = None) -> BuildReport:
        """Add the documents of these files (replacing what the same files gave before); documents
        read from other files stay as they are, whatever ids or sources the new ones claim.

        The files are read and their passages embedded outside the write lock, which is held only
        to commit (a long PDF holds up neither other changes nor questions). `read_as` reads a file
        as if it stood at another path (rag.ingest.load_paths); `on_commit(added)` runs under the
        lock right after the commit, with BuildReport.added as a dict."""
        from rag.ingest import Limits, file_key, load_paths, skip_claimed

        paths = list(paths)
        root = self.settings.corpus_dir
        t0 = time.perf_counter()
        docs, problems = load_paths(paths, root=root, progress=progress, limits=Limits.from_settings(self.settings),
                                    read_as=read_as)
        with self.writing(progress):
            previous = self._previous(strict=True)
            new, dropped, claimed = skip_claimed(docs, previous.doc_files() if previous else {})
            problems += claimed
            if not new:
                raise EmptyCorpus(_empty_message(paths, problems))
            change = self._update(previous, new, dropped - {d.id for d in new}, progress)
            counts: dict[str, int] = {}
            for d in new:
                counts[d.file] = counts.get(d.file, 0) + 1
            named = {str(k): v for k, v in (read_as or {}).items()}
            added = tuple((str(p), counts.get(file_key(named.get(str(p), p), root), 0))
                          for p in paths if not Path(p).is_dir())
            if on_commit is not None:
                on_commit(dict(added))
        # only the added documents are embedded now (a block at a time, each committed under the
        # lock): a backlog of an archive is `rag embed`'s
        try:
            report = self._report(change, problems, progress, embed, t0, only=change.new_segments)
        except RagError as err:  # committed all the same: BM25 finds the passages until they are embedded
            late = [Problem(p, f"indexed, but its passages are not embedded yet ({err}); `rag embed` (or the "
                               "server, at its next start) embeds them") for p, n in added if n]
            report = self._report(change, [*problems, *late], progress, False, t0)
        return replace(report, added=added)

    def delete_documents(self, doc_ids: Sequence[str], progress: StageProgress | None = None) -> BuildReport:
        t0 = time.perf_counter()
        with self.writing(progress):
            previous = self._previous(strict=True)
            unknown = [d for d in doc_ids if previous is None or previous.document(d) is None]
            if unknown:
                raise UnknownDocument(f"No indexed document with id {unknown[0]!r}; list them with `rag docs`.")
            if len(set(doc_ids)) >= previous.status()["documents"]:
                raise EmptyCorpus("Deleting these would leave the index empty; add other documents first.")
            change = self._update(previous, [], set(doc_ids), progress)
        return self._report(change, [], progress, False, t0)

    def embed(self, progress: StageProgress | None = None, limit: int | None = None, only=None) -> int:
        """Embed the passages that have no vectors yet (all, or up to `limit`, or those of the
        segments named in `only`), committing every block, so that it can run beside the app and
        resume after a kill. Returns passages embedded."""
        st = self.status()
        if st["passages"] == st["embedded"]:
            return 0
        embedder = self.embedder
        return self.store.embed(self._model_name(), embedder, lambda: self.writing(progress), progress,
                                limit=limit, only=only)

    def merge_small(self, progress: StageProgress | None = None) -> bool:
        """Merge many small, fully embedded segments into one (rag/index/merge.py); True if it did."""
        return self.store.compact(self._model_name(), lambda: self.writing(progress))

    def status(self) -> dict:
        """documents, passages, embedded (passages with vectors), segments of the index."""
        return self.index.status()

    def _previous(self, strict: bool):
        """The index now (a change holds the write lock, so it is current). None when there is
        none; when it cannot be used, None for a full build, the error for a partial change (which
        would otherwise drop every other document)."""
        try:
            return self.index
        except IndexMissing:
            return None
        except RagError:
            if strict:
                raise
            return None

    def _owners(self) -> dict[str, str | None] | None:
        """id -> the file each document is indexed from now, also from an index of another model
        that this build replaces; empty when there is none, None when it cannot be read."""
        try:
            return self.store.view().doc_files()
        except IndexMissing:
            return {}
        except RagError:
            return None

    def _update(self, previous, add, remove, progress):
        with self.writing(progress):
            return self.store.update(self.settings, self._model_name(), lambda: self.embedder, previous, add,
                                     remove, progress)

    def _report(self, change, problems, progress, embed: bool, t0: float, only=None) -> BuildReport:
        embedded = (self.embed(progress, only=only) if embed else 0) + change.embedded
        if embed:
            self.merge_small(progress)
        if progress:
            progress("save", 1, 1)
        return BuildReport(documents=change.documents, chunks=change.chunks, embedded=embedded,
                           reused=change.reused, removed_documents=change.removed, problems=tuple(problems),
                           seconds=time.perf_counter() - t0)

    # -- reading ----------------------------------------------------------------------------
    def documents(self) -> list[DocInfo]:
        return self.index.doc_infos()

    def document(self, doc_id: str) -> Document:
        doc = self.index.document(doc_id)
        if doc is None:
            raise UnknownDocument(f"No indexed document with id {doc_id!r}; list them with `rag docs`.")
        return doc

    # -- asking -----------------------------------------------------------------------------
    def _check(self, question) -> str:
        return checked_question(question, self.settings.max_question_chars)

    def search(self, question: str, k: int | None = None, mode: str | None = None,
               filters: Filters | None = None) -> list[Hit]:
        return self.search_batch([question], k, mode, filters=filters)[0]

    def search_batch(self, questions: Sequence[str], k=None, mode=None, query_vectors=None,
                     filters: Filters | None = None) -> list[list[Hit]]:
        filters = _checked(filters)
        return self._search_batch(self.index, [self._check(q) for q in questions], k, mode, query_vectors, filters)

    def _search_batch(self, idx, qs: list[str], k, mode, query_vectors, filters: Filters | None,
                      also: str | None = None) -> list[list[Hit]]:
        """`also`: the question as asked, which BM25 looks for too when it was searched reworded."""
        from rag.retrieve.search import search_batch

        s = self.settings
        sparse = [sparse_text(q) + (f" {also}" if also else "") for q in qs]
        return search_batch(self.store, idx, self.embedder, qs, k or s.top_k, mode or s.mode,
                            s.candidates, s.fusion, s.rrf_k, query_vectors, sparse, filters=filters)

    def ask(self, question: str, history: Sequence[str] = (), mode: str | None = None,
            top_k: int | None = None, filters: Filters | None = None, answer: str | None = None,
            today=None) -> Answer:
        result = None
        for result in self.ask_stream(question, history, mode, top_k, filters, answer, today):
            pass
        return result

    def ask_stream(self, question: str, history: Sequence[str] = (), mode: str | None = None,
                   top_k: int | None = None, filters: Filters | None = None,
                   answer: str | None = None, today=None) -> Iterator[str | Answer]:
        """ask(), as it happens: a generative answer yields its draft text as the model writes it
        (str pieces), then the verified Answer; an extractive one yields only the Answer."""
        from rag.answer.answerer import Answerer
        from rag.retrieve import followup, search
        from rag.retrieve.officialese import officialese
        from rag.retrieve.defined import as_defined
        from rag.answer.time_asked import within_time_asked

        t0 = time.perf_counter()
        q = self._check(question)
        filters = _checked(filters)
        how = self.settings.answer_mode(answer)
        llm = None
        if how == "generative":
            from rag.answer.generate import LLMConfig

            llm = LLMConfig.from_settings(self.settings)  # not configured: says how, before any work
        earlier = usable_history(history, self.settings.max_question_chars)
        searched = followup.rewrite(q, earlier)
        searched = officialese(searched or q) or searched  # as the articles word it (农民…挣 -> 农村居民…收入)
        query = searched or q
        mode = mode or self.settings.mode
        idx = self.index  # one version of the index for the whole answer, even if a newer one lands
        qv = search.soon_embedded(self.embedder, [query]) if mode != "bm25" else None  # while BM25 searches
        answerer = Answerer(idx, self.embedder, reader=self.reader)
        k = top_k or self.settings.top_k  # and a few more, which the answerer reads only where they go on
        today = today or self.settings.today_date()  # 今年, 去年, 现在 are read against it

        def find(within: Filters | None, n: int) -> list:
            """The top n hits within filters, less the articles written after the asking date (asked
            as of a day, they do not exist yet)."""
            return _written_by(self._search_batch(idx, [query], n, mode, qv, within, also=q if query != q else None)[0],
                               idx, today)

        n = k + max(answerer.policy.further_from, answerer.policy.newer_from)
        found = find(filters, n)
        defined = as_defined(query, (h.chunk.text for h in found[:k]))
        if defined is not None:  # 换节水龙头 of a passage's 二类节水器具，是指…水嘴（水龙头）: searched with the class's name
            searched, query = defined, defined
            qv = search.soon_embedded(self.embedder, [query]) if mode != "bm25" else None
            found = find(filters, n)
        hits = found[:k]  # with an article it reads (a newer version's figure may be its passage ranked 6th)
        vector = None if qv is None else qv.result()[0]
        extractive = answerer.answer(q, hits, vector, searched, today, found[k:])
        if extractive.decline_reason is not None:  # asked about a year: that year's articles on their own
            again = within_time_asked(answerer, q, searched, today, vector, k, filters, find)
            if again is not None:
                extractive, hits = again, list(again.hits)
        if llm is None:
            yield replace(_with_files(extractive, idx), latency_ms=(time.perf_counter() - t0) * 1000)
            return
        from rag.answer.generate import generate, sources_of

        for event in generate(llm, q, earlier, sources_of(hits, idx), extractive, today=today):
            if isinstance(event, Answer):
                event = replace(_with_files(event, idx), latency_ms=(time.perf_counter() - t0) * 1000)
            yield event


def _with_files(answer: Answer, idx) -> Answer:
    """Every citation names the file its document was read from (Citation.file), whatever `source`
    a record claims; the quoting steps after compose (timeline, generate) leave it to this."""
    def file_of(c):
        doc = idx.document(c.doc_id)
        return doc.file if doc is not None else None

    return replace(answer, citations=tuple(c if c.file else replace(c, file=file_of(c)) for c in answer.citations))


def _checked(filters) -> Filters | None:
    if filters is None or isinstance(filters, Filters):
        return filters
    raise BadFilter(f"filters must be a rag.retrieve.filters.Filters, not {type(filters).__name__}.")


def _empty_message(paths, problems: Sequence[Problem]) -> str:
    where = ", ".join(str(p) for p in paths)
    if problems:
        first = problems[0]
        return (f"No readable documents in {where} ({len(problems)} file(s) skipped; first: {first.path}: "
                f"{first.message}). Add .txt/.md/.html/.pdf/.docx/.jsonl files and run again.")
    return f"No documents found in {where}. Add .txt/.md/.html/.pdf/.docx/.jsonl files and run again."


def _written_by(hits: list, idx, today) -> list:
    """The hits of articles written by `today` (an undated one counts as written), in their order; all
    of them when none is."""
    from rag.dates import as_date

    def written(h) -> bool:
        doc = idx.document(h.chunk.doc_id)
        when = as_date(doc.date) if doc is not None else None
        return when is None or when.first_day() <= today

    kept = [h for h in hits if written(h)]
    return kept or hits
