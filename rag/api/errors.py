"""Every error the HTTP API returns is JSON: {"error": {"message": ..., "type": ...}} (the shape
OpenAI clients parse), with a status that says whose move it is:

    400 invalid_request_error   a bad question or body (BadQuestion, BadInput, other RagError)
    404 not_found_error         an unknown document (UnknownDocument) or endpoint
    409 conflict_error          a change that cannot be made (deleting the last document)
    408 request_timeout         a request body that stopped arriving (rag.api.limits.BodyTimeouts)
    413 request_too_large       a body over its limit (rag.api.limits)
    503 index_unavailable       no usable index yet, it is being built, or another process holds
                                its write lock for too long (IndexBusy); with Retry-After when
                                asking again soon can help
    500 server_error            a bug; the traceback goes to the server log, not to the client

Logged like the page's errors (rag.logs): a user's error is one line in the rag log, a bug
one traceback (caught here, so the ASGI server does not log it a second time).
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import (
    BadQuestion,
    IndexBusy,
    IndexCorrupt,
    IndexMissing,
    ModelMismatch,
    ModelUnavailable,
    RagError,
    UnknownDocument,
)
from rag.logs import failure, user_error

# first match wins: subclasses before RagError
RAG_STATUS: tuple[tuple[type[RagError], int, str], ...] = (
    (UnknownDocument, 404, "not_found_error"),
    (BadQuestion, 400, "invalid_request_error"),
    (IndexMissing, 503, "index_unavailable"),
    (IndexCorrupt, 503, "index_unavailable"),
    (ModelMismatch, 503, "index_unavailable"),
    (ModelUnavailable, 503, "index_unavailable"),
    (IndexBusy, 503, "index_unavailable"),
    (RagError, 400, "invalid_request_error"),
)
HTTP_TYPES = {400: "invalid_request_error", 404: "not_found_error", 405: "invalid_request_error",
              408: "request_timeout", 409: "conflict_error", 413: "request_too_large", 503: "index_unavailable"}
RETRY_AFTER_S = 5
NO_INDEX_HINT = " Or upload documents with POST /api/documents (or on the page's knowledge-base tab)."


class ApiError(Exception):
    """An error the API raises itself, with its status and type."""

    def __init__(self, status: int, message: str, type: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.type = type or HTTP_TYPES.get(status, "server_error")
        self.headers = headers


class BodyTimeout(HTTPException):
    """A request body that paused longer than its timeout (raised from `receive`, so that the
    route's own handler answers 408; the connection is then closed)."""

    def __init__(self, seconds: float):
        super().__init__(408, f"The request body stopped arriving for {seconds:g} s; send it again.",
                         headers={"Connection": "close"})


class NotReady(ApiError):
    """The index is being built or the model loaded; asked again in a few seconds it will answer."""

    def __init__(self, doing: str):
        super().__init__(503, f"The server is {doing}; try again in a few seconds.",
                         headers={"Retry-After": str(RETRY_AFTER_S)})


def error_response(status: int, message: str, type: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type}}, status_code=status, headers=headers)


def rag_status(err: RagError) -> tuple[int, str]:
    return next((status, kind) for cls, status, kind in RAG_STATUS if isinstance(err, cls))


def _where(request: Request) -> str:
    """The request as the log names it: the path as received (rag.logs escapes what it must;
    request.url would silently drop a newline or tab)."""
    return f"api {request.method} {request.scope.get('path', '')}"


async def _rag_error(request: Request, err: RagError) -> JSONResponse:
    status, kind = rag_status(err)
    message = failure(_where(request), err) + (NO_INDEX_HINT if isinstance(err, IndexMissing) else "")
    headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(err, IndexBusy) else None
    return error_response(status, message, kind, headers)


async def _api_error(request: Request, err: ApiError) -> JSONResponse:
    return error_response(err.status, user_error(_where(request), str(err)), err.type, err.headers)


async def _http_error(request: Request, err: HTTPException) -> JSONResponse:
    return error_response(err.status_code, user_error(_where(request), str(err.detail)),
                          HTTP_TYPES.get(err.status_code, "server_error"), getattr(err, "headers", None))


def validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + ". See /docs for the expected body."


async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
    return error_response(400, user_error(_where(request), validation_message(err)), "invalid_request_error")


def bug_message(err: BaseException) -> str:
    return f"Unexpected {type(err).__name__}; the server log has the details."


async def _unexpected(request: Request, err: Exception) -> JSONResponse:
    """Last resort, for a bug outside the routes (Starlette then re-raises it to the server's log)."""
    return error_response(500, bug_message(err), "server_error")


class CatchBugs:
    """ASGI middleware: a bug in a route is logged once with its traceback (rag.logs) and
    answered 500 in one line. Starlette's own last-resort handler would answer too, but re-raise
    the exception, so the ASGI server logs the traceback a second time."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as err:
            if isinstance(err, BodyTimeout) or isinstance(err.__cause__, BodyTimeout):
                raise  # a client too slow, not a bug: answered by rag.api.limits.BodyTimeouts, in front
            failure(f"api {scope.get('method', '')} {scope.get('path', '')}", err)
            if not started:  # else the response is cut short; the server closes the connection
                await error_response(500, bug_message(err), "server_error")(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RagError, _rag_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(CatchBugs)  # inside any middleware added after it
