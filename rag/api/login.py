"""The page's login form (`POST /login`, Gradio's route), seen before Gradio sees it:

- a client IP or user name with too many failed sign-ins is refused (429, rag.auth.Lockout),
  and every failed sign-in is counted;
- a login with a token as the password is renamed `name#<token id>` (Auth.page_name), so that
  the session Gradio opens carries that token's role, not a role shared by whoever typed the
  same name.
"""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.api.errors import error_response
from rag.asgi import replay
from rag.auth import Auth, Lockout

MAX_LOGIN_BODY = 64 * 1024


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is longer than `limit` or the client went away."""
    body, more = b"", True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            return None
    return body


class PageLogin:
    def __init__(self, app: ASGIApp, auth: Auth, lockout: Lockout):
        self.app = app
        self.auth = auth
        self.lockout = lockout

    @staticmethod
    def keys(scope: Scope, name: str | None) -> list[str]:
        """What failed sign-ins are counted against: the client's IP and the claimed user name."""
        client = scope.get("client")
        keys = [f"ip:{client[0] if client else '?'}"]
        if name:
            keys.append(f"user:{name.strip()[:200]}")
        return keys

    def locked_response(self, wait: int):
        return error_response(429, f"Too many failed sign-ins: at most {self.lockout.attempts} in "
                              f"{self.lockout.window_s:.0f} s from one client or for one user name. "
                              f"Retry after {wait} s.", "too_many_failures", headers={"Retry-After": str(wait)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive, MAX_LOGIN_BODY)
        if body is None:
            return await error_response(413, "The login form is too large.", "request_too_large")(scope, receive, send)
        try:
            form = await Request(scope, replay(body, receive)).form()
        except (MultiPartException, ValueError) as err:
            return await error_response(400, f"Unreadable login form: {err}", "invalid_request_error")(
                scope, receive, send)
        fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        await form.close()
        username = next((v for k, v in fields if k == "username"), "").strip()
        password = next((v for k, v in fields if k == "password"), "")
        keys = self.keys(scope, username)
        wait = self.lockout.wait(keys)
        if wait:
            return await self.locked_response(wait)(scope, receive, send)
        renamed = self.auth.page_name(username, password)
        body = urlencode([(k, renamed if k == "username" else v) for k, v in fields]).encode("utf-8")
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
        headers += [(b"content-type", b"application/x-www-form-urlencoded"),
                    (b"content-length", str(len(body)).encode())]
        status = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app({**scope, "headers": headers}, replay(body, receive), watch)
        if status.get("code") != 200:
            self.lockout.failed(keys)
