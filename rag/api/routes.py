"""/api: ask, list, read, upload and delete documents, and list, create and delete knowledge bases.
All work is done by the knowledge bases' pipelines (rag.library, and rag.documents, which the
page's knowledge-base tab uses too); these are plain (sync) endpoints, so FastAPI runs them in its
thread pool and questions are answered concurrently.

Every endpoint takes a knowledge base (`kb`, default `default`): a name the caller may not read is
answered 404 exactly as one that does not exist, so names do not leak.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from rag.api.errors import ApiError
from rag.api.history import earlier_questions, remember
from rag.api.schemas import (
    ERRORS,
    AnswerOut,
    AskRequest,
    DeleteOut,
    DocumentListOut,
    DocumentOut,
    KnowledgeBaseIn,
    KnowledgeBaseListOut,
    KnowledgeBaseOut,
    UploadOut,
    filters_of,
)
from rag.api.state import ServerState, caller, get_state, ready_state
from rag.errors import EmptyCorpus, RagError, UnknownDocument
from rag.library import DEFAULT, check_name
from rag.library.names import unknown
from rag.pipeline import bounded_history
from rag.types import BuildReport
from rag.documents import ALLOWED_SUFFIXES, add_uploads, delete_document

router = APIRouter(prefix="/api", responses=ERRORS)
KB_QUERY = Query(None, description="the knowledge base (default: `default`)", max_length=100)


def index_summary(report: BuildReport) -> dict:
    return {"documents": report.documents, "passages": report.chunks, "embedded": report.embedded,
            "reused": report.reused, "seconds": round(report.seconds, 3)}


def _unknown(doc_id: str) -> UnknownDocument:
    return UnknownDocument(f"No indexed document with id {doc_id!r}; list them with GET /api/documents.")


@router.get("/health", tags=["health"], responses={503: {"description": "still preparing"}})
def health(state: ServerState = Depends(get_state)):
    """200 {"status": "ready"} once the index and models are loaded; 503 {"status": "preparing", "doing": ...}
    while the index is built or the model loaded. Open without a token, for load balancers and scripts."""
    doing = state.preparing
    if doing:
        return JSONResponse({"status": "preparing", "doing": doing}, status_code=503)
    return {"status": "ready"}


@router.post("/ask", tags=["ask"], response_model=AnswerOut,
             responses={200: {"description": "the JSON of `rag ask --json`"}})
def ask(body: AskRequest, request: Request, state: ServerState = Depends(ready_state)):
    """Answer a question from the indexed articles, quoting them: the JSON of `rag ask --json`.

    kb / kbs: the knowledge base(s) to answer from (default `default`); several are searched at once
    and their answers fused, every citation naming its `kb` (404 for one unknown or not readable).
    since / until / source / undated: answer only from documents that pass (400 for a bad date).
    answer: extractive | generative (400 when the server has no language model endpoint).
    conversation_id: continue that conversation of yours (404 when it is not yours or not there);
    without it a new one is started. Either way the reply's `conversation_id` names it, and the
    answer is one of its turns (GET /api/conversations/{id}). With conversation_id and no `history`,
    the follow-up is read against the conversation's last questions."""
    names = state.asked(caller(request), body.kb, body.kbs)
    history = [h for h in bounded_history(body.history) if h.strip()]
    if body.conversation_id is not None:  # the caller's own (404 otherwise), checked before answering
        stored = earlier_questions(request, body.conversation_id)
        history = history or stored
    answer = state.library.ask(names, body.question, history=history, mode=body.mode, top_k=body.top_k,
                               filters=filters_of(body), answer=body.answer)
    answer, conversation_id = remember(request, answer, "+".join(names), body.conversation_id)  # a turn: answer_id
    # to_dict() as it is (no keys added or dropped by the response model), and the conversation
    return JSONResponse({**answer.to_dict(), "conversation_id": conversation_id})


@router.get("/documents", tags=["documents"], response_model=DocumentListOut)
def list_documents(request: Request, kb: str | None = KB_QUERY, state: ServerState = Depends(ready_state)):
    """The indexed documents (what `rag docs` prints); none yet in a new knowledge base."""
    pipeline = state.pipeline_of(caller(request), kb)
    if pipeline is not state.pipeline and not pipeline.has_index():
        return {"documents": []}
    return {"documents": [asdict(d) for d in pipeline.documents()]}


@router.get("/documents/{doc_id:path}", tags=["documents"], response_model=DocumentOut)
def get_document(doc_id: str, request: Request, kb: str | None = KB_QUERY, state: ServerState = Depends(ready_state)):
    """One document: its stored text (citation offsets point into it) and metadata."""
    pipeline = state.pipeline_of(caller(request), kb)
    try:
        doc = pipeline.document(doc_id)
    except UnknownDocument:
        raise _unknown(doc_id) from None
    info = next((d for d in pipeline.documents() if d.id == doc_id), None)
    return {**asdict(doc), "chars": len(doc.text), "passages": info.passages if info else 0}


@router.post("/documents", tags=["documents"], response_model=UploadOut, status_code=201)
def upload_documents(request: Request,
                     files: list[UploadFile] = File(description="one or more of " + " ".join(ALLOWED_SUFFIXES)),
                     kb: str | None = KB_QUERY, state: ServerState = Depends(ready_state)):
    """Add files to the corpus folder and the index (only they are embedded; the rest is kept).

    Each file is stored under a safe, unused name, and kept exactly when some of its documents were
    indexed (files nothing could be read from are listed under `skipped` and not kept). Documents
    belong to the file they were read from: an upload never replaces another file's documents (a
    clashing id is skipped and listed under `problems`). If nothing can be indexed nothing changes (400).
    `?kb=NAME`: into that knowledge base (its admins only)."""
    pipeline = state.pipeline_of(caller(request), kb, change=True)
    corpus = Path(pipeline.settings.corpus_dir)
    received = [(f.file, f.filename or "") for f in files]  # streamed into the corpus folder, staged
    if pipeline.has_index() or pipeline is not state.pipeline:
        added = add_uploads(pipeline, received, corpus)
    else:  # the first index: asks wait for it with 503 + Retry-After
        with state.preparing_while("building the index from uploaded files"):
            added = add_uploads(pipeline, received, corpus)
    kept = {p.name for _, p in added.stored}
    return {
        "added": [{"filename": name, "stored_as": p.name, "documents": list(ids)}
                  for (name, p), ids in zip(added.stored, added.documents)],
        "problems": [{"file": Path(q.path).name, "message": q.message} for q in added.report.problems
                     if Path(q.path).name in kept],
        "skipped": [{"filename": name, "message": message} for name, message in added.skipped],
        "index": index_summary(added.report),
    }


@router.delete("/documents/{doc_id:path}", tags=["documents"], response_model=DeleteOut)
def remove_document(doc_id: str, request: Request, kb: str | None = KB_QUERY,
                    state: ServerState = Depends(ready_state)):
    """Delete a document from the index, and the file it was read from when that file is in the corpus
    folder and holds nothing else indexed; never any other file."""
    pipeline = state.pipeline_of(caller(request), kb, change=True)
    try:
        deleted = delete_document(pipeline, doc_id, Path(pipeline.settings.corpus_dir))
    except EmptyCorpus as err:
        raise ApiError(409, str(err)) from None
    if deleted is None:
        raise _unknown(doc_id)
    return {"deleted": doc_id, "title": deleted.info.title,
            "file_removed": deleted.file is not None and deleted.file_kept is None,
            "file_kept": deleted.file_kept, "index": index_summary(deleted.report)}


# -- knowledge bases ------------------------------------------------------------------------------
def _kb_out(kb, who) -> dict:
    return {"name": kb.name, "title": kb.title, "description": kb.description,
            "store": "local" if kb.store.startswith("local") else "milvus", "mode": kb.mode,
            "may_change": who.may_change(kb.name)}


@router.get("/kbs", tags=["knowledge bases"], response_model=KnowledgeBaseListOut)
def list_kbs(request: Request, state: ServerState = Depends(get_state)):
    """The knowledge bases the caller may read."""
    who = caller(request)
    return {"knowledge_bases": [_kb_out(kb, who) for kb in state.library.infos() if who.may_read(kb.name)]}


@router.post("/kbs", tags=["knowledge bases"], response_model=KnowledgeBaseOut, status_code=201)
def create_kb(body: KnowledgeBaseIn, request: Request, state: ServerState = Depends(get_state)):
    """Create an empty knowledge base (admins of all knowledge bases only); upload into it with
    POST /api/documents?kb=NAME. 409 when the name is taken."""
    who = _admin_of_all(request)
    store = body.store or state.library.settings.store
    if store not in ("local", state.library.settings.store):
        raise ApiError(400, "store must be local or the server's own store (RAG_STORE); other stores are "
                            "set up with `rag kb create NAME --store ...` on the server.")
    check_name(body.name)
    if body.name in state.library.names():
        raise ApiError(409, f"A knowledge base {body.name!r} exists already.")
    kb = state.library.create(body.name, title=body.title, description=body.description, store=store, mode=body.mode)
    return _kb_out(kb, who)


@router.delete("/kbs/{name}", tags=["knowledge bases"])
def delete_kb(name: str, request: Request, state: ServerState = Depends(get_state)):
    """Delete a knowledge base: its index and its own corpus folder (admins of all knowledge bases
    only). Questions already running on it finish first; later ones get 404."""
    who = caller(request)
    check_name(name)
    if not who.may_read(name) or name not in state.library.names():
        raise unknown(name)
    _admin_of_all(request)
    if name == DEFAULT:
        raise ApiError(409, "The knowledge base 'default' cannot be deleted.")
    try:
        kb = state.library.delete(name)
    except RagError as err:
        if not isinstance(err, UnknownDocument):
            raise ApiError(409, str(err)) from None
        raise
    return {"deleted": kb.name}


def _admin_of_all(request: Request):
    who = caller(request)
    if not who.admin_of_all:
        raise ApiError(403, f"Forbidden: only an admin of all knowledge bases may create or delete them "
                            f"({who.name} may not).", "forbidden")
    return who
