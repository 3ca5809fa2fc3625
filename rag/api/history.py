"""/api/conversations and /api/feedback: the caller's saved conversations, and ratings of answers.

Every answer the API gives is recorded (rag.history) under the caller: a RAG_AUTH user's name,
`token:<token id>` for a bearer token, or one shared anonymous owner when authentication is off.
A conversation or answer of another owner is answered 404, like an unknown one.

    earlier = earlier_questions(request, conversation_id)   # its last questions; 404 when not the caller's
    answer, conversation_id = remember(request, answer, kb, conversation_id)  # the next turn, answer_id set

`POST /api/ask` and `/v1/chat/completions` answer inside a conversation: the one named by
`conversation_id` (the caller's own), else a new one, so the API's turns are listed by
GET /api/conversations/{id} beside the page's.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from rag.api.errors import ApiError
from rag.api.schemas import ERRORS
from rag.history import ANONYMOUS, MAX_TEXT_CHARS, UnknownAnswer, open_history
from rag.logs import failure
from rag.pipeline import MAX_HISTORY
from rag.types import Answer

router = APIRouter(prefix="/api", responses=ERRORS, tags=["conversations"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(max_length=64, description="the answer_id of an answer this caller was given")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="what was wrong")
    expected: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="the right answer, if known: "
                                 "`rag feedback export` makes it the gold answer of a test case")


def owner_of(request: Request) -> str:
    """Whose history a request reads and writes (rag.api.guard put the signed-in identity in the scope)."""
    who = request.scope.get("state", {}).get("rag_user")
    return who.name if who is not None else ANONYMOUS


def history_store(request: Request):
    return open_history(request.app.state.rag.pipeline.settings)


def remember(request: Request, answer: Answer, kb: str = "default",
             conversation: str | None = None, start: bool = True) -> tuple[Answer, str | None]:
    """`answer` recorded for the caller as the next turn of `conversation` (a new conversation when
    None and `start`, or when it was deleted meanwhile; with neither, a rated answer of no
    conversation): (the answer with its answer_id, the conversation's id or None).
    When the database cannot be written the answer goes out unchanged, without an id (one log line),
    so that a question is still answered."""
    try:
        return history_store(request).record(answer, owner_of(request), kb=kb, conversation=conversation,
                                             new_conversation=start)
    except Exception as err:  # the database down: the answer still goes out, without an id
        failure("api history", err)
        return answer, conversation


def earlier_questions(request: Request, conversation_id: str) -> list[str]:
    """The last questions of the caller's conversation `conversation_id`, oldest first (a follow-up's
    history); 404 when the caller has none of that id (another owner's reads the same), 503 when the
    database cannot be read."""
    try:
        found = history_store(request).questions(owner_of(request), conversation_id, MAX_HISTORY)
    except Exception as err:
        failure("api history", err)
        raise ApiError(503, "The conversation database cannot be read now; try again, or ask without "
                            "conversation_id.", "service_unavailable", headers={"Retry-After": "5"}) from None
    if found is None:
        raise _missing(conversation_id)
    return found


def _missing(conversation_id: str) -> ApiError:
    return ApiError(404, f"No conversation {conversation_id[:40]!r} of yours; list them with GET /api/conversations.")


@router.get("/conversations")
def list_conversations(request: Request):
    """The caller's conversations, the most recently continued first: id, title (the first question),
    kb, created and updated (seconds since the epoch)."""
    return {"conversations": history_store(request).conversations(owner_of(request))}


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, request: Request):
    """One of the caller's conversations with its turns: question, the answer with its citations, and
    answer_id (what POST /api/feedback names)."""
    found = history_store(request).conversation(owner_of(request), conversation_id)
    if found is None:
        raise _missing(conversation_id)
    for turn in found["turns"]:
        turn.pop("shown", None)  # the page's HTML: not part of the API
    return found


@router.delete("/conversations/{conversation_id}")
def delete_conversation(conversation_id: str, request: Request):
    if not history_store(request).delete(owner_of(request), conversation_id):
        raise _missing(conversation_id)
    return {"deleted": conversation_id}


@router.post("/feedback", status_code=201)
def give_feedback(body: FeedbackIn, request: Request):
    """Rate an answer this caller was given: 👍 up or 👎 down, with an optional comment and the
    expected answer. Recorded with the question, the answer, its citations and the knowledge base;
    rating the same answer again replaces the earlier rating. 404 for an unknown answer_id."""
    try:
        return history_store(request).feedback(body.answer_id, body.rating, owner_of(request),
                                               body.comment, body.expected)
    except UnknownAnswer as err:
        raise ApiError(404, str(err)) from None
