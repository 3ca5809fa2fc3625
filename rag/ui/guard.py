"""The page's own guard: who may call which of its events, and which files an event may take.

Gradio's page talks to the server through its own routes (`/gradio_api/queue/join`, `/run/…`,
`/call/…`, `/upload`, …), not through the HTTP API, so the API's checks do not see them. Two
guards sit in front of every event, whatever the role:

1. **Roles** (`guard_events`): every event function of the built page is wrapped once; the wrapper
   asks the caller's role before the handler runs. An event needs `read` unless its handler was
   marked with `@needs_admin`. With auth on, a caller without a signed-in session is refused too.
   A refusal is one line (`gr.Error`), never a traceback.

2. **Files** (`FileGuard`, ASGI middleware on the mounted page): a file can enter an event only as
   a path the upload route handed to the same caller (its session cookie, or everyone alike with
   auth off), inside Gradio's upload folder, not a link. Any other path in an event's payload (a
   server file, another caller's upload, a URL) is refused with 403 and one line that says nothing
   about whether the path exists, before Gradio copies or reads anything.
"""
from __future__ import annotations

import functools
import inspect
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterable

from rag.asgi import replay

ADMIN = "admin"
ROLE_ATTR = "__rag_role__"
EVENT_ROUTES = ("/queue/join", "/run/", "/api/", "/call/", "/component_server")
UPLOAD_ROUTE = "/upload"
MAX_EVENT_BODY = 2_000_000  # bytes of an event's JSON payload (questions, a chat history); uploads go elsewhere
MAX_PATHS_PER_CALLER = 500
MAX_CALLERS = 5000

NEEDS_ADMIN = "只有管理员（admin 角色）可以这样做；你的账号只能提问和浏览。This needs the admin role."
NEEDS_LOGIN = "请先登录。Sign in first."
FILE_REFUSED = ("只能使用在本页面上传的文件，请重新上传。"
                "Only files uploaded on this page can be used; upload the file again.")


def needs_admin(fn: Callable) -> Callable:
    """Mark an event handler as admin-only (uploads, deletes, rebuilds)."""
    setattr(fn, ROLE_ATTR, ADMIN)
    return fn


def required_role(fn: Callable) -> str:
    return getattr(fn, ROLE_ATTR, "read")


# -- 1. roles --------------------------------------------------------------------------------------
def caller_role(auth, request) -> str | None:
    """The role of the page's caller: 'admin' with auth off; None without a signed-in session."""
    if not auth.enabled:
        return ADMIN
    return auth.page_role(getattr(request, "username", None))


def _current_request():
    from gradio.context import LocalContext

    return LocalContext.request.get(None)


def _refusal(auth, needed: str) -> str | None:
    role = caller_role(auth, _current_request())
    if role is None:
        return NEEDS_LOGIN
    if needed == ADMIN and role != ADMIN:
        return NEEDS_ADMIN
    return None


def checked(fn: Callable, auth) -> Callable:
    """`fn` with the role check in front; the same kind of callable (generators stay generators)."""
    import gradio as gr

    needed = required_role(fn)

    def check():
        if (why := _refusal(auth, needed)) is not None:
            raise gr.Error(why, print_exception=False)

    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def agen(*args, **kwargs):
            check()
            async for item in fn(*args, **kwargs):
                yield item
        return agen
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen(*args, **kwargs):
            check()
            yield from fn(*args, **kwargs)
        return gen
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def coro(*args, **kwargs):
            check()
            return await fn(*args, **kwargs)
        return coro

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        check()
        return fn(*args, **kwargs)
    return plain


def guard_events(blocks, auth) -> int:
    """Wrap every event function of `blocks` with its role check; returns how many were wrapped."""
    count = 0
    for block_fn in blocks.fns.values():
        if block_fn.fn is not None and not getattr(block_fn.fn, "__rag_checked__", False):
            block_fn.fn = checked(block_fn.fn, auth)
            block_fn.fn.__rag_checked__ = True
            count += 1
    return count


# -- 2. files ---------------------------------------------------------------------------------------
def file_paths(value: Any) -> Iterable[str]:
    """Every file path named in an event payload: the `path` of each FileData-like dict, at any depth
    (a URL there would make Gradio fetch it, so it counts as a path too)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            path = item.get("path")
            if isinstance(path, str):
                yield path
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class Uploads:
    """Paths the upload route returned, per caller (a bounded LRU of callers, each a bounded set)."""

    def __init__(self, folder: Callable[[], Path]):
        self._folder = folder
        self._by_caller: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, caller: str, paths: Iterable[str]) -> None:
        with self._lock:
            seen = self._by_caller.setdefault(caller, OrderedDict())
            self._by_caller.move_to_end(caller)
            for p in paths:
                seen[str(p)] = None
                seen.move_to_end(str(p))
            while len(seen) > MAX_PATHS_PER_CALLER:
                seen.popitem(last=False)
            while len(self._by_caller) > MAX_CALLERS:
                self._by_caller.popitem(last=False)

    def allows(self, caller: str, path: str) -> bool:
        with self._lock:
            if path not in self._by_caller.get(caller, ()):
                return False
        return self.inside_folder(path)

    def inside_folder(self, path: str) -> bool:
        try:
            p = Path(path)
            if not p.is_absolute() or p.is_symlink():
                return False
            root = self._folder().resolve()
            return root in p.resolve().parents and p.is_file()
        except (OSError, ValueError):
            return False


def _caller(scope) -> str:
    """The caller's session: the page's access-token cookie ('' with none, as with auth off)."""
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key.startswith("access-token-") and val:
                    return val
    return ""


class FileGuard:
    """ASGI middleware in front of the mounted page: records uploads, refuses foreign file paths."""

    def __init__(self, app, uploads: Uploads):
        self.app = app
        self.uploads = uploads

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if scope.get("method") != "POST" or "/gradio_api/" not in path:
            return await self.app(scope, receive, send)
        route = path[path.index("/gradio_api/") + len("/gradio_api"):]
        if route.rstrip("/") == UPLOAD_ROUTE:
            return await self._upload(scope, receive, send)
        if route.startswith(EVENT_ROUTES):
            return await self._event(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _upload(self, scope, receive, send):
        status, chunks = {}, []

        async def record(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status.get("code") == 200:
                    try:
                        paths = json.loads(b"".join(chunks))
                    except ValueError:
                        paths = []
                    if isinstance(paths, list):
                        self.uploads.add(_caller(scope), [p for p in paths if isinstance(p, str)])
            await send(message)

        await self.app(scope, receive, record)

    async def _event(self, scope, receive, send):
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_EVENT_BODY:
                return await _refuse(send, 413, "The request is too large.")
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = {}
        caller = _caller(scope)
        for p in file_paths(payload):
            if not self.uploads.allows(caller, p):
                return await _refuse(send, 403, FILE_REFUSED)
        await self.app(scope, replay(body, receive), send)


async def _refuse(send, status: int, message: str) -> None:
    body = json.dumps({"detail": message, "error": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
