"""ASGI middleware in front of everything (the API and the page): the Host check, credentials in
URLs, cross-site writes, the page's login form; then for /api and /v1 authentication, roles, the
failed-sign-in lockout and the question rate limit (see rag/auth.py). The page's events are
guarded by Gradio's own login and rag/ui/guard.py.

    400 invalid_host          the Host header is malformed or names a host this server does not answer to
    400 credentials_in_url    a token or password in the query string (?token=, ?api_key=, ...)
    403 cross_site            a state-changing request sent by a page of another site
    401 unauthorized          auth is on and the request has no valid bearer token or Basic credentials
    403 forbidden             a read-only user tried to upload or delete documents, or to create or
                              delete a knowledge base (an admin of some knowledge bases only is
                              refused by the routes for the others: rag.api.state.ServerState)
    429 too_many_failures    too many failed sign-ins from this client or for this user name
    429 rate_limited          too many questions this minute (Retry-After says how long to wait)
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api.errors import error_response
from rag.api.login import PageLogin
from rag.auth import QUESTION_PATHS, Auth, Lockout, RateLimiter, allowed_hosts, host_name
from rag.logs import SECRET_PARAMS

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DEFAULT_PORTS = {"http": "80", "https": "443"}

PUBLIC_PATHS = ("/api/health",)  # says only "ready" or what is being prepared: for load balancers


def _guarded(path: str) -> bool:
    if path.rstrip("/") in PUBLIC_PATHS:
        return False
    return path in ("/api", "/v1", "/mcp") or path.startswith(("/api/", "/v1/", "/mcp/"))


WRITE_PATHS = ("/api/documents", "/api/kbs")


def _is_write(method: str, path: str) -> bool:
    return method in WRITE_METHODS and any(path.rstrip("/") == p or path.startswith(p + "/") for p in WRITE_PATHS)


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "?"


def _hostport(netloc: str, scheme: str) -> str:
    host, colon, port = netloc.lower().rpartition(":")
    if colon and "]" not in port and port == DEFAULT_PORTS.get(scheme, ""):
        return host
    return netloc.lower()


def same_origin(origin: str, host: str) -> bool:
    """An Origin header names the very host:port the request was sent to (its Host header)."""
    parts = urlsplit(origin)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc or not host:
        return False
    return _hostport(parts.netloc, parts.scheme) in (host.lower(), _hostport(host, parts.scheme))


def cross_site(method: str, headers: Headers, origins: frozenset[str]) -> str | None:
    """Why a request must be refused as sent by another site's page, or None. Only requests that
    may change something (every method but GET, HEAD, OPTIONS) are checked: one with an Origin
    header must come from the server's own origin or an allowed one; one without must not say
    `Sec-Fetch-Site: cross-site` / `same-site`. Clients that send neither (curl, SDKs) pass."""
    if method in SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None:
        if origin.rstrip("/") in origins or same_origin(origin, headers.get("host", "")):
            return None
        return f"a page of another site ({origin[:100]!r})"
    fetch_site = (headers.get("sec-fetch-site") or "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"a page of another site (Sec-Fetch-Site: {fetch_site})"
    return None


def secret_in_query(scope: Scope) -> str | None:
    """The name of a credential-like query parameter (?token=, ?api_key=, ...), else None."""
    query = scope.get("query_string") or b""
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name.strip().lower() in SECRET_PARAMS:
            return name
    return None


class Guard:
    def __init__(self, app: ASGIApp, auth: Auth, hosts: tuple[str, ...] | None, limiter: RateLimiter,
                 origins=(), lockout: Lockout | None = None):
        self.app = app
        self.auth = auth
        self.hosts = hosts
        self.limiter = limiter
        self.origins = frozenset(o.rstrip("/") for o in origins)
        self.lockout = lockout or Lockout()
        self.login = PageLogin(app, auth, self.lockout)

    @classmethod
    def for_settings(cls, app: ASGIApp, settings, origins=()) -> "Guard":
        return cls(app, Auth.from_settings(settings), allowed_hosts(settings), RateLimiter(settings.rate_limit),
                   origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        refusal = self._at_the_door(scope, headers)
        if refusal is not None:
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            return await refusal(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "")
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if method == "POST" and path.rstrip("/") == "/login" and self.auth.enabled:
            return await self.login(scope, receive, send)
        if not _guarded(path):
            return await self.app(scope, receive, send)
        who = None
        if self.auth.enabled:
            who, refusal = self._sign_in(scope, headers)
            if refusal is not None:
                return await refusal(scope, receive, send)
            if _is_write(method, path) and not who.admin:
                response = error_response(403, f"Forbidden: {who.name} may only read and ask; uploading and "
                                          "deleting documents or knowledge bases needs the admin role.", "forbidden")
                return await response(scope, receive, send)
        if method == "POST" and path.rstrip("/") in QUESTION_PATHS:
            wait = self.limiter.hit(who.name if who is not None else client_ip(scope))
            if wait:
                response = error_response(429, f"Too many questions: at most {self.limiter.per_minute} a minute. "
                                          f"Retry after {wait} s.", "rate_limited", headers={"Retry-After": str(wait)})
                return await response(scope, receive, send)
        scope.setdefault("state", {})["rag_user"] = who
        return await self.app(scope, receive, send)

    def _at_the_door(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        """The checks every request passes, signed in or not, auth on or off."""
        host = headers.get("host", "")
        name = host_name(host)
        if (name is None and (host or self.hosts is not None)) or (self.hosts is not None and name not in self.hosts):
            return error_response(400, f"Invalid Host header {host[:100]!r}: this server answers to "
                                  + (", ".join(self.hosts) + " (set RAG_ALLOWED_HOSTS)." if self.hosts is not None
                                     else "a host name or address with an optional port."), "invalid_host")
        secret = secret_in_query(scope)
        if secret is not None:
            return error_response(400, f"Credentials are not accepted in the URL (?{secret[:40]}=): send "
                                  "'Authorization: Bearer TOKEN' or HTTP Basic instead.", "credentials_in_url")
        why = cross_site(scope.get("method", "GET") if scope["type"] == "http" else "WEBSOCKET", headers,
                         self.origins)
        if why is not None:
            return error_response(403, f"Refused a cross-site request: {why} may not change anything here. "
                                  "Use this server's own page, or list that origin in RAG_ALLOWED_ORIGINS.",
                                  "cross_site")
        return None

    def _sign_in(self, scope: Scope, headers: Headers):
        """(identity, None) for valid credentials, else (None, the 401 or 429 response)."""
        authorization = headers.get("authorization")
        keys = self.login.keys(scope, self.auth.claimed_name(authorization))
        wait = self.lockout.wait(keys)
        if wait:
            return None, self.login.locked_response(wait)
        who = self.auth.from_header(authorization)
        if who is not None:
            return who, None
        if authorization:  # wrong credentials count; none at all do not
            self.lockout.failed(keys)
        return None, error_response(401, "Authentication required: send 'Authorization: Bearer TOKEN' "
                                    "(the OpenAI api_key) or HTTP Basic user:password.", "unauthorized",
                                    headers={"WWW-Authenticate": 'Bearer realm="rag", Basic realm="rag"'})
