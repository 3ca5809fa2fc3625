"""ASGI middleware in front of everything: the Host check, then for /api and /v1 authentication,
roles and the question rate limit (see rag/auth.py). The page is guarded by Gradio's own login.

    400 invalid_host     the Host header names a host this server does not answer to
    401 unauthorized     auth is on and the request has no valid bearer token or Basic credentials
    403 forbidden        a read-only user tried to upload or delete documents
    429 rate_limited     too many questions this minute (Retry-After says how long to wait)
"""
from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.errors import error_response
from rag.auth import QUESTION_PATHS, Auth, RateLimiter, allowed_hosts, host_name

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


PUBLIC_PATHS = ("/api/health",)  # says only "ready" or what is being prepared: for load balancers


def _guarded(path: str) -> bool:
    if path.rstrip("/") in PUBLIC_PATHS:
        return False
    return path in ("/api", "/v1") or path.startswith(("/api/", "/v1/"))


def _is_write(method: str, path: str) -> bool:
    return method in WRITE_METHODS and (path.rstrip("/") == "/api/documents" or path.startswith("/api/documents/"))


class Guard:
    def __init__(self, app: ASGIApp, auth: Auth, hosts: tuple[str, ...] | None, limiter: RateLimiter):
        self.app = app
        self.auth = auth
        self.hosts = hosts
        self.limiter = limiter

    @classmethod
    def for_settings(cls, app: ASGIApp, settings) -> "Guard":
        return cls(app, Auth.from_settings(settings), allowed_hosts(settings), RateLimiter(settings.rate_limit))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        if self.hosts is not None and host_name(headers.get("host", "")) not in self.hosts:
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            response = error_response(400, f"Invalid Host header {headers.get('host', '')!r}: this server "
                                      "answers to " + ", ".join(self.hosts) + " (set RAG_ALLOWED_HOSTS).",
                                      "invalid_host")
            return await response(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "")
        if scope["type"] != "http" or not _guarded(path):
            return await self.app(scope, receive, send)
        who = None
        if self.auth.enabled:
            who = self.auth.from_header(headers.get("authorization"))
            if who is None:
                response = error_response(401, "Authentication required: send 'Authorization: Bearer TOKEN' "
                                          "(the OpenAI api_key) or HTTP Basic user:password.", "unauthorized",
                                          headers={"WWW-Authenticate": 'Bearer realm="rag", Basic realm="rag"'})
                return await response(scope, receive, send)
            if _is_write(method, path) and not who.admin:
                response = error_response(403, f"Forbidden: {who.name} may only read and ask; uploading and "
                                          "deleting documents needs the admin role.", "forbidden")
                return await response(scope, receive, send)
        if method == "POST" and path.rstrip("/") in QUESTION_PATHS:
            client = scope.get("client")
            key = who.name if who is not None else (client[0] if client else "?")
            wait = self.limiter.hit(key)
            if wait:
                response = error_response(429, f"Too many questions: at most {self.limiter.per_minute} a minute. "
                                          f"Retry after {wait} s.", "rate_limited", headers={"Retry-After": str(wait)})
                return await response(scope, receive, send)
        scope.setdefault("state", {})["rag_user"] = who
        return await self.app(scope, receive, send)
