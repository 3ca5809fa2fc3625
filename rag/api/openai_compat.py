"""/v1: an OpenAI-compatible chat-completions endpoint, so OpenAI SDKs and LangChain's ChatOpenAI
can talk to the pipeline. Every knowledge base the caller may read is a model (id = its name;
"rag" is `default`, as before there were several), so a client picks a collection the way it
picks a model; "news+policy" asks both. The last message is the question; earlier user messages are the
conversation (follow-ups are rewritten by the pipeline). The reply is the answer with [n]
markers and a Sources list; the structured citations ride along as extra top-level fields.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from rag.api.errors import ApiError
from rag.api.history import earlier_questions, remember
from rag.api.schemas import ERRORS, ChatMessage, ChatRequest, FiltersIn, filters_of
from rag.api.state import ServerState, caller, get_state, ready_state
from rag.errors import RagError
from rag.library import ALIAS, DEFAULT
from rag.types import Answer, Citation

NEW = "new"  # conversation_id that starts a conversation
MODEL_ID = ALIAS  # the model name of the knowledge base `default`
CREATED = int(time.time())
router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], responses=ERRORS)


def message_text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return "\n".join(p.text for p in message.content or [] if p.type == "text" and p.text)


def conversation(messages: list[ChatMessage]) -> tuple[str, list[str]]:
    """(question, earlier user questions, oldest first)."""
    if messages[-1].role != "user":
        raise ApiError(400, f"The last message must be the user's question (role 'user'), "
                            f"not {messages[-1].role!r}.")
    history = [t for t in (message_text(m) for m in messages[:-1] if m.role == "user") if t.strip()]
    return message_text(messages[-1]), history


STATUS_MARKS = {"earlier": "earlier", "superseded": "superseded", "current": "latest"}


def source_date(c: Citation) -> str:
    """ (2025-02-10), (2025-02-10; refers to 2024; earlier), (2023-05-10; superseded from 2025-03-01):
    the document's date and, when other versions of the fact were retrieved, the time the quote
    speaks of and how it stands against them; "" when nothing is known."""
    notes = [c.date] if c.date else []
    mark = STATUS_MARKS.get(c.status or "")
    if mark and c.when and c.when != c.date:
        notes.append(f"refers to {c.when}")
    if mark:
        notes.append(f"{mark} from {c.changed_on}" if c.status == "superseded" and c.changed_on else mark)
    return f" ({'; '.join(notes)})" if notes else ""


def reply_text(answer: Answer) -> str:
    """The answer with its [n] markers, then one Sources line per citation: [n] title (date): “quote”."""
    lines = [answer.answer]
    if answer.note:
        lines.insert(0, f"({answer.note})")
    if answer.citations:
        lines += ["", "Sources:"]
        several = len({c.kb for c in answer.citations}) > 1
        for c in answer.citations:
            where = f"({c.kb}) " if several and c.kb else ""
            lines.append(f"[{c.n}] {where}{c.title or c.source or c.doc_id}{source_date(c)}: “{c.quote}”")
    return "\n".join(lines)


def extras(answer: Answer, conversation_id: str | None = None) -> dict:
    """The structured answer, beside the OpenAI fields."""
    d = answer.to_dict()
    out = {"short_answer": d["short_answer"], "answerable": d["answerable"], "citations": d["citations"]}
    if answer.searched_question:
        out["searched_question"] = answer.searched_question
    out["answer_mode"] = d["mode"]
    for key in ("verification", "note"):
        if key in d:
            out[key] = d[key]
    if d.get("model"):
        out["generated_by"] = d["model"]
    if answer.answer_id:
        out["answer_id"] = answer.answer_id
    if conversation_id:
        out["conversation_id"] = conversation_id
    return out


def completion(answer: Answer, completion_id: str, created: int, model: str = MODEL_ID,
               conversation_id: str | None = None) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply_text(answer)},
                     "logprobs": None, "finish_reason": "stop"}],
        **extras(answer, conversation_id),
    }


def chunks(answer: Answer, completion_id: str, created: int, model: str = MODEL_ID,
           conversation_id: str | None = None) -> Iterator[dict]:
    """The reply as chat.completion.chunk objects: the role, one chunk per line, then the finish."""
    head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}

    def chunk(delta: dict, finish: str | None = None, **more) -> dict:
        return {**head, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                **more}

    yield chunk({"role": "assistant", "content": ""})
    for piece in reply_text(answer).splitlines(keepends=True):
        yield chunk({"content": piece})
    yield chunk({}, "stop", **extras(answer, conversation_id))


def server_sent_events(objects: Iterator[dict]) -> Iterator[str]:
    for obj in objects:
        yield f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def asked(body: ChatRequest) -> tuple[str | None, list[str] | None]:
    """(kb, kbs) of a request: `kbs` when given, else `model` ("rag": default; "a+b": both)."""
    if body.kbs:
        return None, body.kbs
    model = body.model or MODEL_ID
    if not isinstance(model, str) or len(model) > 400:
        raise ApiError(400, "model must be a knowledge base's name (GET /v1/models).")
    names = [DEFAULT if m == MODEL_ID else m for m in model.split("+")]
    return (names[0], None) if len(names) == 1 else (None, names)


@router.post("/chat/completions")
def chat_completions(body: ChatRequest, request: Request, state: ServerState = Depends(ready_state)):
    """Answer the last user message (OpenAI chat completions; `stream: true` for server-sent events).

    Extra top-level fields (in the last chunk when streaming): short_answer, answerable, citations
    (n, doc_id, title, date, source, quote, start, end, when, status, changed_on), searched_question
    for a rewritten follow-up, answer_mode, and for a generative answer generated_by, verification and note.
    Extension `filters`: {since, until, source, undated}, as in POST /api/ask; `answer`: extractive |
    generative. A generated reply is sent (streamed too) only after it was verified. `conversation_id`:
    continue that conversation of yours (404 when not yours or not there; with no earlier user message
    the follow-up is read against its last questions), or "new" to start one; the extras name it.
    Without it the answer is recorded for rating (answer_id) but joins no conversation: OpenAI
    clients resend the whole history with every request.
    `model`: the knowledge base (GET /v1/models; 404 for one unknown or not readable), or several joined
    by + (or extension `kbs`: a list); their citations name their knowledge base (`kb`)."""
    kb, kbs = asked(body)
    names = state.asked(caller(request), kb, kbs)
    question, history = conversation(body.messages)
    misplaced = sorted(set(FiltersIn.model_fields) & set(body.model_extra or {}))
    if misplaced:  # would be ignored silently otherwise
        raise ApiError(400, f"Put {', '.join(misplaced)} inside \"filters\": {{...}} "
                            f"(with the openai SDK: extra_body={{'filters': {{...}}}}).")
    named = body.conversation_id if body.conversation_id != NEW else None
    if named is not None:  # the caller's own (404 otherwise), checked before answering
        history = history or earlier_questions(request, named)
    answer = state.library.ask(names, question, history=history, mode=body.mode, top_k=body.top_k,
                               filters=filters_of(body.filters), answer=body.answer)
    answer, conversation_id = remember(request, answer, "+".join(names), named,
                                       start=body.conversation_id is not None)
    completion_id, created = "chatcmpl-" + uuid.uuid4().hex, int(time.time())
    model = body.model if not body.kbs else "+".join(names)
    if body.stream:  # answered already, so an error above is a plain JSON status, not a broken stream
        return StreamingResponse(server_sent_events(chunks(answer, completion_id, created, model, conversation_id)),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    return completion(answer, completion_id, created, model, conversation_id)


def model_card(kb, model_id: str | None = None) -> dict:
    return {"id": model_id or kb.name, "object": "model", "created": CREATED, "owned_by": "rag",
            "title": kb.title, "description": kb.description}


@router.get("/models")
def list_models(request: Request, state: ServerState = Depends(get_state)):
    """The knowledge bases the caller may read, as models: cited answers from each one's articles."""
    who = caller(request)
    return {"object": "list", "data": [model_card(kb) for kb in state.library.infos() if who.may_read(kb.name)]}


@router.get("/models/{model_id}")
def get_model(model_id: str, request: Request, state: ServerState = Depends(get_state)):
    name = DEFAULT if model_id == MODEL_ID else model_id
    try:
        state.asked(caller(request), name)
        return model_card(state.library.get(name), model_id)
    except RagError:
        raise ApiError(404, f"No model {model_id[:60]!r}; GET /v1/models lists them.") from None
