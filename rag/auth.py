"""Optional access control for the server: users and tokens with roles, the Host check, rate limits.

    RAG_AUTH="alice:secret:admin,bob:pw:read"     users for the page (Gradio login) and the API (HTTP Basic)
    RAG_TOKENS="tok-admin-1:admin,tok-read-2:read" bearer tokens for the API (the OpenAI api_key)
    RAG_TOKENS="tok-3:read@news+policy,tok-4:admin@policy"   roles limited to knowledge bases
    RAG_ALLOWED_HOSTS="rag.example.org,10.0.0.5"  Host header names accepted ("*": any)
    RAG_RATE_LIMIT=30                             questions a minute per user or client IP (0: off)

Roles: `read` may ask and read documents; `admin` may also upload, delete and rebuild. A role
may be limited to knowledge bases (rag/library): `read@news+policy` reads only those two, and
`admin@policy` changes only `policy` (and reads only it); no `@` means all of them, and only such
an admin creates or deletes knowledge bases. A caller never learns of a knowledge base it may not
read (the shells answer 404 for it, as for one that does not exist). With neither RAG_AUTH nor
RAG_TOKENS set, authentication is off and everything is open (as before).

A token is known by `token_id` (a hash of the whole token) in rate limits, messages and page
sessions: a page login with a token is made under `name#<token id>`, so every session's role is
the role of the credential it signed in with, whatever name was typed. After LOGIN_ATTEMPTS failed
sign-ins from one client IP or for one user name within LOGIN_WINDOW_S, that IP or name is refused
for LOGIN_LOCK_S (`Lockout`).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from rag.config import KB_NAME
from rag.errors import RagError

ROLES = ("read", "admin")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
QUESTION_PATHS = ("/api/ask", "/v1/chat/completions", "/mcp")  # /mcp: every MCP request counts
PAGE_TOKEN_MARK = "#"  # a token's page login: "name#<token id>"
LOGIN_ATTEMPTS, LOGIN_WINDOW_S, LOGIN_LOCK_S = 5, 60.0, 30.0


def token_id(token: str) -> str:
    """What a token is known by (rate limits, messages, page sessions): 12 hex digits of its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    kbs: frozenset[str] | None = None  # the knowledge bases it may use; None: all

    @property
    def admin(self) -> bool:
        """An admin of some knowledge base (of all when `kbs` is None)."""
        return self.role == "admin"

    @property
    def admin_of_all(self) -> bool:
        """May create and delete knowledge bases."""
        return self.admin and self.kbs is None

    def may_read(self, kb: str) -> bool:
        return self.kbs is None or kb in self.kbs

    def may_change(self, kb: str) -> bool:
        return self.admin and self.may_read(kb)


OPEN = Identity("anyone", "admin")  # auth off: everything is open


def grant(spec: str) -> tuple[str, frozenset[str] | None]:
    """A checked role spec ("read", "admin@policy", "read@news+policy") -> (role, knowledge bases or None)."""
    role, at, names = spec.partition("@")
    return role, (frozenset(names.split("+")) if at else None)


def _role(role: str, what: str) -> str:
    """The role spec, checked and normalised: role[@kb+kb...] (the names sorted)."""
    role, at, names = role.strip().partition("@")
    role = role.strip().lower()
    if role not in ROLES:
        raise RagError(f"{what}: role must be one of {', '.join(ROLES)}, got {role!r}.")
    if not at:
        return role
    kbs = sorted({n.strip() for n in names.split("+")})
    bad = [n for n in kbs if not re.fullmatch(KB_NAME, n)]
    if bad or not kbs:
        raise RagError(f"{what}: after @ come knowledge-base names joined by +, e.g. read@news+policy; "
                       f"not {(bad or [''])[0][:40]!r}.")
    return f"{role}@{'+'.join(kbs)}"


def parse_users(spec: str) -> dict[str, tuple[str, str]]:
    """'name:password:role,...' -> {name: (password, role)}; the role may be left off (read)."""
    users: dict[str, tuple[str, str]] = {}
    for n, item in enumerate(p.strip() for p in (spec or "").split(",")):
        if not item:
            continue
        name, sep, rest = item.partition(":")
        if not sep or not name.strip():
            raise RagError(f"RAG_AUTH entry {n + 1}: expected name:password:role.")
        password, _, role = rest.rpartition(":") if rest.count(":") else (rest, "", "read")
        if not password:
            raise RagError(f"RAG_AUTH entry {n + 1} ({name}): the password is empty.")
        users[name.strip()] = (password, _role(role or "read", f"RAG_AUTH entry {n + 1} ({name})"))
    return users


def parse_tokens(spec: str) -> dict[str, str]:
    """'token:role,...' -> {token: role}; the role may be left off (read)."""
    tokens: dict[str, str] = {}
    for n, item in enumerate(p.strip() for p in (spec or "").split(",")):
        if not item:
            continue
        token, sep, role = item.rpartition(":") if ":" in item else (item, "", "read")
        if len(token) < 8:
            raise RagError(f"RAG_TOKENS entry {n + 1}: a token must be at least 8 characters.")
        tokens[token] = _role(role or "read", f"RAG_TOKENS entry {n + 1}")
    return tokens


_SHARED: dict[tuple[str, str], "Auth"] = {}
_SHARED_LOCK = threading.Lock()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Auth:
    """Who may do what; `enabled` is False when no users and no tokens are configured."""

    def __init__(self, users: dict[str, tuple[str, str]] | None = None, tokens: dict[str, str] | None = None):
        self.users = dict(users or {})
        self.tokens = dict(tokens or {})
        self._token_roles = {token_id(t): role for t, role in self.tokens.items()}  # role specs
        if len(self._token_roles) != len(self.tokens):
            raise RagError("RAG_TOKENS: two tokens share a hash prefix; choose another token.")

    @classmethod
    def from_settings(cls, settings) -> "Auth":
        """One Auth per configuration, shared by the page's login, its handlers and the API."""
        key = (getattr(settings, "auth", ""), getattr(settings, "tokens", ""))
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(parse_users(key[0]), parse_tokens(key[1]))
            return _SHARED[key]

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    def check_password(self, name: str, password: str) -> Identity | None:
        entry = self.users.get(name)
        if entry is not None and _same(password, entry[0]):
            return Identity(name, *grant(entry[1]))
        return None

    def check_token(self, token: str) -> Identity | None:
        for known, role in self.tokens.items():
            if _same(token, known):
                return Identity(f"token:{token_id(known)}", *grant(role))
        return None

    def from_header(self, authorization: str | None) -> Identity | None:
        """The identity in an Authorization header: Bearer TOKEN (or a user's password), or Basic."""
        if not authorization:
            return None
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return self.check_token(value)
        if scheme.lower() == "basic":
            try:
                name, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return self.check_password(name, password)
        return None

    @staticmethod
    def claimed_name(authorization: str | None) -> str | None:
        """The user name an HTTP Basic header claims (right or wrong), else None."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return None

    # -- the page (Gradio's login) --------------------------------------------------------------
    def page_name(self, username: str, password: str) -> str:
        """The name a page login is made under: a RAG_AUTH user's own name; with a token as the
        password, `name#<token id>`, so that the session carries that token's role (rag.api.guard
        renames the login form's user name before Gradio sees it)."""
        username = username.strip()
        if username in self.users or self.check_token(password) is None:
            return username
        return f"{username}{PAGE_TOKEN_MARK}{token_id(password)}"

    def page_login(self, username: str, password: str) -> bool:
        """Gradio's auth callable: a user's name and password, or `name#<token id>` with that token."""
        if username in self.users:
            return self.check_password(username, password) is not None
        name, mark, tid = username.rpartition(PAGE_TOKEN_MARK)
        if not (mark and name.strip()) or self.check_token(password) is None:
            return False
        return hmac.compare_digest(tid.encode("utf-8"), token_id(password).encode("utf-8"))

    def page_identity(self, username: str | None) -> Identity | None:
        """Who a page session is (OPEN with auth off; None: not a name any login gives)."""
        if not self.enabled:
            return OPEN
        if not username:
            return None
        if username in self.users:
            return Identity(username, *grant(self.users[username][1]))
        name, mark, tid = username.rpartition(PAGE_TOKEN_MARK)
        spec = self._token_roles.get(tid) if mark and name.strip() else None
        return Identity(username, *grant(spec)) if spec else None

    def page_role(self, username: str | None) -> str | None:
        """The role of a page session's user name (None: not a name any login gives)."""
        if not username:
            return None
        who = self.page_identity(username) if self.enabled else None
        return who.role if who is not None else None

    def page_may_write(self, request, kb: str | None = None) -> bool:
        """True when the page's user may change knowledge base `kb` (any, when None; always with auth off)."""
        who = self.page_identity(getattr(request, "username", None))
        if who is None:
            return False
        return who.admin if kb is None else who.may_change(kb)


# -- Host header --------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    return host in LOOPBACK_NAMES or host.startswith("127.")


def allowed_hosts(settings) -> tuple[str, ...] | None:
    """Host names the server answers to; None: any. RAG_ALLOWED_HOSTS wins; else loopback names
    when bound to loopback; else any."""
    spec = (getattr(settings, "allowed_hosts", "") or "").strip()
    if spec:
        names = tuple(h.strip().lower().strip("[]") for h in spec.split(",") if h.strip())
        return None if "*" in names else names
    if is_loopback(settings.host):
        return LOOPBACK_NAMES
    return None


_HOST = re.compile(r"(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::([0-9]{1,5}))?")


def host_name(header: str) -> str | None:
    """'example.org:7860' -> 'example.org'; '[::1]:7860' -> '::1'; None for anything that is not a
    plain host name or address with an optional port of digits ('localhost:80@evil.com', a '/', a
    space, a port 'x')."""
    match = _HOST.fullmatch(header.strip().lower())
    return (match.group(1) or match.group(2)) if match else None


# -- rate limit ---------------------------------------------------------------------------------
@dataclass
class RateLimiter:
    """At most `per_minute` events per key in any 60 s (sliding window); 0 is no limit."""

    per_minute: int
    window_s: float = 60.0
    _seen: dict[str, deque] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, now: float | None = None) -> int:
        """0 when allowed (and counted), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._seen.setdefault(key, deque())
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(1, math.ceil(q[0] + self.window_s - now))
            q.append(now)
            if len(self._seen) > 10000:  # forget idle clients
                for k in [k for k, v in self._seen.items() if not v]:
                    del self._seen[k]
            return 0


@dataclass
class Lockout:
    """Failed sign-ins per key (a client IP, a user name): after `attempts` failures within
    `window_s`, the key is refused for `lock_s` (right credentials too: guessing stops paying)."""

    attempts: int = LOGIN_ATTEMPTS
    window_s: float = LOGIN_WINDOW_S
    lock_s: float = LOGIN_LOCK_S
    _failures: dict[str, deque] = field(default_factory=dict)
    _until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, keys, now: float | None = None) -> int:
        """0 when none of `keys` is locked, else the seconds until all are free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            left = max((self._until.get(k, 0.0) - now for k in keys), default=0.0)
        return math.ceil(left) if left > 0 else 0

    def failed(self, keys, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                q = self._failures.setdefault(key, deque())
                while q and q[0] <= now - self.window_s:
                    q.popleft()
                q.append(now)
                if len(q) >= self.attempts:
                    self._until[key] = now + self.lock_s
                    q.clear()
            if len(self._failures) > 10000:  # forget old keys
                self._failures = {k: q for k, q in self._failures.items() if q and q[-1] > now - self.window_s}
                self._until = {k: t for k, t in self._until.items() if t > now}


def startup_warnings(settings) -> list[str]:
    """What to say at start-up about an open door."""
    try:
        auth = Auth.from_settings(settings)
    except RagError:
        return []
    if not is_loopback(settings.host) and not auth.enabled:
        return [f"warning: serving on {settings.host} with no authentication: anyone who can reach this "
                "address can ask, upload and delete documents. Set RAG_AUTH and/or RAG_TOKENS, or bind "
                "to 127.0.0.1 (see README, 'Deploying safely')."]
    return []
