"""ASGI middleware that keeps Gradio's browser client from losing an event (a question that would
hang for ever) when it is submitted just as the page's queue stream closes.

The page reads the results of all its events from one server-sent-events stream per session,
GET /gradio_api/queue/data. The server ends it with a `close_stream` message as soon as the
session has no pending event. The client (Gradio 6.31's @gradio/client) marks the stream closed
when it *reads* that message, and opens a new stream only for an event whose join answer
(POST /gradio_api/queue/join) it reads while it believes no stream is open. So an event joined
after the server decided to close, whose join answer the client reads before `close_stream`,
gets no stream at all: the server runs it, its messages wait unread, and the page shows a pending
status for ever. On a busy machine the client reads `close_stream` some 50 ms late, so asking
right after the page's load events, or right after another event of the page, can hit this.

QueueFence closes the window from the server side. After `close_stream` it keeps that response
open until the client aborts it (the client aborts on reading `close_stream`, so the abort shows
it has read it), and until then it holds back the answer to any join of the same session. The
client thus always knows the old stream is closed when it learns of its new event, and opens a
new stream, which delivers the event's messages (they wait in the session's queue meanwhile).
A client that never aborts is waited for at most `linger` seconds.
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/gradio_api"  # gradio.route_utils.API_PREFIX
CLOSE_STREAM = b'"msg":"close_stream"'
LINGER = 10.0  # seconds: longest wait for a client to abort a stream that the server closed


class QueueFence:
    def __init__(self, app: ASGIApp, path: str = "/", linger: float = LINGER):
        self.app = app
        base = path.rstrip("/") + API_PREFIX
        self.data_path, self.join_path = base + "/queue/data", base + "/queue/join"
        self.linger = linger
        self.closing: dict[str, asyncio.Event] = {}  # session hash -> set once its closed stream has ended

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == self.data_path:
            return await self._stream(scope, receive, send)
        if scope["type"] == "http" and scope.get("path") == self.join_path and scope.get("method") == "POST":
            return await self._join(scope, receive, send)
        await self.app(scope, receive, send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [""])[0]
        ended: asyncio.Event | None = None

        async def fenced(message: Message) -> None:
            nonlocal ended
            if message["type"] == "http.response.body" and session:
                if ended is None and CLOSE_STREAM in message.get("body", b""):
                    ended = self.closing[session] = asyncio.Event()  # before any other task runs
                if ended is not None and not message.get("more_body", False):
                    await _wait(_disconnect(receive), self.linger)  # the client has read close_stream
            await send(message)

        try:
            await self.app(scope, receive, fenced)
        finally:
            if ended is not None:
                ended.set()
                if self.closing.get(session) is ended:
                    del self.closing[session]

    async def _join(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()

        async def peek() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def fenced(message: Message) -> None:
            if message["type"] == "http.response.start" and self.closing:
                ended = self.closing.get(_session_hash(bytes(body)))
                if ended is not None:
                    await _wait(ended.wait(), self.linger)
            await send(message)

        await self.app(scope, peek, fenced)


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _wait(awaitable, seconds: float) -> None:
    try:
        await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        pass


def _session_hash(body: bytes) -> str | None:
    try:
        value = json.loads(body).get("session_hash")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
