"""Every error the HTTP API returns is JSON: {"error": {"message": ..., "type": ...}} (the shape
OpenAI clients parse), with a status that says whose move it is:

    400 invalid_request_error   a bad question or body (BadQuestion, BadInput, other RagError)
    404 not_found_error         an unknown document (UnknownDocument) or endpoint
    409 conflict_error          a change that cannot be made (deleting the last document)
    413 request_too_large       a body over its limit (rag.api.limits)
    503 index_unavailable       no usable index yet, or it is being built (with Retry-After)
    500 server_error            a bug; the traceback goes to the server log, not to the client
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from rag.errors import (
    BadQuestion,
    IndexCorrupt,
    IndexMissing,
    ModelMismatch,
    ModelUnavailable,
    RagError,
    UnknownDocument,
)

# first match wins: subclasses before RagError
RAG_STATUS: tuple[tuple[type[RagError], int, str], ...] = (
    (UnknownDocument, 404, "not_found_error"),
    (BadQuestion, 400, "invalid_request_error"),
    (IndexMissing, 503, "index_unavailable"),
    (IndexCorrupt, 503, "index_unavailable"),
    (ModelMismatch, 503, "index_unavailable"),
    (ModelUnavailable, 503, "index_unavailable"),
    (RagError, 400, "invalid_request_error"),
)
HTTP_TYPES = {400: "invalid_request_error", 404: "not_found_error", 405: "invalid_request_error",
              409: "conflict_error", 413: "request_too_large", 503: "index_unavailable"}
RETRY_AFTER_S = 5
NO_INDEX_HINT = " Or upload documents with POST /api/documents (or on the page's knowledge-base tab)."


class ApiError(Exception):
    """An error the API raises itself, with its status and type."""

    def __init__(self, status: int, message: str, type: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.type = type or HTTP_TYPES.get(status, "server_error")
        self.headers = headers


class NotReady(ApiError):
    """The index is being built or the model loaded; asked again in a few seconds it will answer."""

    def __init__(self, doing: str):
        super().__init__(503, f"The server is {doing}; try again in a few seconds.",
                         headers={"Retry-After": str(RETRY_AFTER_S)})


def error_response(status: int, message: str, type: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type}}, status_code=status, headers=headers)


def rag_status(err: RagError) -> tuple[int, str]:
    return next((status, kind) for cls, status, kind in RAG_STATUS if isinstance(err, cls))


async def _rag_error(request: Request, err: RagError) -> JSONResponse:
    status, kind = rag_status(err)
    message = str(err) + (NO_INDEX_HINT if isinstance(err, IndexMissing) else "")
    return error_response(status, message, kind)


async def _api_error(request: Request, err: ApiError) -> JSONResponse:
    return error_response(err.status, str(err), err.type, err.headers)


async def _http_error(request: Request, err: HTTPException) -> JSONResponse:
    return error_response(err.status_code, str(err.detail), HTTP_TYPES.get(err.status_code, "server_error"),
                          getattr(err, "headers", None))


def validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors()[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + ". See /docs for the expected body."


async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
    return error_response(400, validation_message(err), "invalid_request_error")


async def _unexpected(request: Request, err: Exception) -> JSONResponse:
    return error_response(500, f"Unexpected {type(err).__name__}; the server log has the details.", "server_error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RagError, _rag_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
