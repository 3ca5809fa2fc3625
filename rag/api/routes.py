"""/api: ask, and list, read, upload and delete documents. All work is done by the pipeline (and
rag.documents, which the page's knowledge-base tab uses too); these are plain (sync) endpoints,
so FastAPI runs them in its thread pool and questions are answered concurrently.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse

from rag.api.errors import ApiError
from rag.api.history import remember
from rag.api.schemas import (
    ERRORS,
    AnswerOut,
    AskRequest,
    DeleteOut,
    DocumentListOut,
    DocumentOut,
    UploadOut,
    filters_of,
)
from rag.api.state import ServerState, get_state, ready_state
from rag.errors import EmptyCorpus, UnknownDocument
from rag.pipeline import bounded_history
from rag.types import BuildReport
from rag.documents import ALLOWED_SUFFIXES, add_uploads, delete_document

router = APIRouter(prefix="/api", responses=ERRORS)


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

    since / until / source / undated: answer only from documents that pass (400 for a bad date).
    answer: extractive | generative (400 when the server has no language model endpoint)."""
    history = [h for h in bounded_history(body.history) if h.strip()]
    answer = state.pipeline.ask(body.question, history=history, mode=body.mode, top_k=body.top_k,
                                filters=filters_of(body), answer=body.answer)
    answer = remember(request, answer)  # recorded for feedback: answer_id
    return JSONResponse(answer.to_dict())  # exactly to_dict(): no keys added or dropped by the model


@router.get("/documents", tags=["documents"], response_model=DocumentListOut)
def list_documents(state: ServerState = Depends(ready_state)):
    """The indexed documents (what `rag docs` prints)."""
    return {"documents": [asdict(d) for d in state.pipeline.documents()]}


@router.get("/documents/{doc_id:path}", tags=["documents"], response_model=DocumentOut)
def get_document(doc_id: str, state: ServerState = Depends(ready_state)):
    """One document: its stored text (citation offsets point into it) and metadata."""
    try:
        doc = state.pipeline.document(doc_id)
    except UnknownDocument:
        raise _unknown(doc_id) from None
    info = next((d for d in state.pipeline.documents() if d.id == doc_id), None)
    return {**asdict(doc), "chars": len(doc.text), "passages": info.passages if info else 0}


@router.post("/documents", tags=["documents"], response_model=UploadOut, status_code=201)
def upload_documents(files: list[UploadFile] = File(description="one or more of " + " ".join(ALLOWED_SUFFIXES)),
                     state: ServerState = Depends(ready_state)):
    """Add files to the corpus folder and the index (only they are embedded; the rest is kept).

    Each file is stored under a safe, unused name, and kept exactly when some of its documents were
    indexed (files nothing could be read from are listed under `skipped` and not kept). Documents
    belong to the file they were read from: an upload never replaces another file's documents (a
    clashing id is skipped and listed under `problems`). If nothing can be indexed nothing changes (400)."""
    pipeline = state.pipeline
    corpus = Path(pipeline.settings.corpus_dir)
    received = [(f.file, f.filename or "") for f in files]  # streamed into the corpus folder, staged
    if pipeline.has_index():
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
def remove_document(doc_id: str, state: ServerState = Depends(ready_state)):
    """Delete a document from the index, and the file it was read from when that file is in the corpus
    folder and holds nothing else indexed; never any other file."""
    try:
        deleted = delete_document(state.pipeline, doc_id, Path(state.pipeline.settings.corpus_dir))
    except EmptyCorpus as err:
        raise ApiError(409, str(err)) from None
    if deleted is None:
        raise _unknown(doc_id)
    return {"deleted": doc_id, "title": deleted.info.title,
            "file_removed": deleted.file is not None and deleted.file_kept is None,
            "file_kept": deleted.file_kept, "index": index_summary(deleted.report)}
