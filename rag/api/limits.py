"""Request body limits for the API paths (the page's own uploads keep Gradio's limit), and the
body read timeout for every request.

A body declared larger than its limit is answered 413 before it is read; one sent without a
length (chunked) is cut off with 413 as soon as it passes the limit. A body that pauses longer
than RAG_BODY_TIMEOUT_S between two reads is answered 408 and its connection closed
(`BodyTimeouts`; the header and keep-alive timeouts are the server's: rag/api/timeouts.py).
"""
from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import BodyTimeout, error_response
from rag.logs import user_error

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * MB  # POST /api/documents: all files of one request together
MAX_JSON_BYTES = 1 * MB  # every other request body under /api/ and /v1/
DRAIN_BYTES = 64 * MB  # read (and drop) up to this much of a refused body, so the client sees the 413


def body_limit(method: str, path: str) -> int | None:
    if method == "POST" and path.rstrip("/") == "/api/documents":
        return MAX_UPLOAD_BYTES
    if path.startswith(("/api/", "/v1/")):
        return MAX_JSON_BYTES
    return None


def too_large_message(limit: int) -> str:
    what = "the uploaded files together" if limit == MAX_UPLOAD_BYTES else "the request body"
    return (f"Too large: {what} may be at most {limit // MB} MB. "
            + ("Upload fewer or smaller files per request." if limit == MAX_UPLOAD_BYTES else "Send less."))


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, too_large_message(limit))


class BodyLimit:
    """ASGI middleware enforcing `body_limit` on HTTP requests."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None:
            return await self.app(scope, receive, send)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _drain(receive, int(declared))
            where = f"api {scope.get('method', '')} {scope.get('path', '')}"
            response = error_response(413, user_error(where, too_large_message(limit)), "request_too_large")
            return await response(scope, receive, send)
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)  # FastAPI passes HTTPExceptions from body reading on
            return message

        await self.app(scope, limited, send)


async def _drain(receive: Receive, declared: int) -> None:
    """Read a refused body (up to DRAIN_BYTES) so that the client is not cut off mid-send."""
    if declared > DRAIN_BYTES:
        return
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


class BodyTimeouts:
    """ASGI middleware, in front of everything: while a request's body is still arriving, each
    read waits at most `seconds` for the client; then the request is answered 408 with
    `Connection: close` (BodyTimeout is raised from `receive`, so that a route reading the body
    stops there; whatever the app answers after that is replaced by the 408). Reads after the
    body is complete (listening for the client going away during a long answer) are not timed."""

    def __init__(self, app: ASGIApp, seconds: float = 30.0):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.seconds or self.seconds <= 0:
            return await self.app(scope, receive, send)
        complete, started, timed_out = False, False, None

        async def timed() -> Message:
            nonlocal complete, timed_out
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except asyncio.TimeoutError:
                timed_out = BodyTimeout(self.seconds)
                raise timed_out from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def answer() -> None:
            nonlocal started
            started = True
            where = f"{scope.get('method', '')} {scope.get('path', '')}"
            response = error_response(408, user_error(where, str(timed_out.detail)), "request_timeout",
                                      headers=timed_out.headers)
            await response(scope, receive, send)

        async def watch(message: Message) -> None:
            nonlocal started
            if timed_out is not None:  # the app's answer to a request whose body never came
                if not started:
                    await answer()
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed, watch)
        except Exception:  # BodyTimeout, or what a layer in between made of it
            if timed_out is None:
                raise
            if not started:
                await answer()
