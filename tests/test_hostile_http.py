"""The HTTP side of the server, attacked as a hostile client would, through real servers: `rag serve`
in a subprocess (its own uvicorn configuration: header, keep-alive and body timeouts, its log) and
the app under uvicorn in a thread; plain httpx and raw sockets, 127.0.0.1 only.

- no cross-site writes, auth on or off (Origin / Sec-Fetch-Site);
- page sessions keyed by the credential they signed in with, tokens known by a hash of the whole;
- header, idle and body timeouts;
- a strict Host check, control characters escaped in the log, no credentials in URLs (nor in the
  access log), and a lockout after repeated failed sign-ins.
"""
from __future__ import annotations

import dataclasses
import socket
import time

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.auth import Auth, Lockout, host_name, parse_tokens, token_id  # noqa: E402
from rag.api.guard import cross_site  # noqa: E402
from rag.ui.guard import NEEDS_ADMIN, required_role  # noqa: E402
from tests.test_api import GREENWAY, QINGSHI, Q_VISITORS, fake_pipeline, running  # noqa: E402
from tests.test_page_guard import _call  # noqa: E402

EVIL = "http://evil.example"
USERS = "alice:secret-a:admin,bob:secret-b:read"
ADMIN_TOKEN, READ_TOKEN = "tok-same-prefix-admin", "tok-same-prefix-read"  # the same first 4 (and 9) characters
TOKENS = f"{ADMIN_TOKEN}:admin,{READ_TOKEN}:read"


# -- the servers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`rag serve` as documented (auth off, the default), with short timeouts; (base URL, log path)."""
    from tests.hostile_suite import rag_serve

    with rag_serve(tmp_path_factory.mktemp("serve"), doc=QINGSHI) as (base, log):
        yield base, log


def _with(pipeline, **changes):
    pipeline.settings = dataclasses.replace(pipeline.settings, **changes)
    return pipeline


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """The app with users and tokens (question rate limit 2 a minute); (base URL, the app)."""
    pipe = _with(fake_pipeline(tmp_path_factory.mktemp("hostile")), auth=USERS, tokens=TOKENS, rate_limit=2)
    app = create_app(pipe, page=mount)
    with running(app) as base:
        yield base, app


def _doc_ids(base, **kw):
    r = httpx.get(base + "/api/documents", timeout=30, **kw)
    assert r.status_code == 200, r.text
    return sorted(d["id"] for d in r.json()["documents"])


def _error_type(r):
    return r.json()["error"]["type"]


def _raw(port, data: bytes, timeout=10.0) -> bytes:
    """Send `data` on a new connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def _port(base):
    return int(base.rsplit(":", 1)[1])


# -- 4. no cross-site writes -----------------------------------------------------------------------
def test_cross_site_upload_and_delete_are_refused_with_auth_off(served):
    base, _ = served
    before = _doc_ids(base)
    upload = {"files": ("planted.txt", GREENWAY.encode("utf-8"), "text/plain")}
    for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site"}, {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
                    {"Origin": f"http://127.0.0.1:{_port(base) + 1}"}):  # another port is another origin
        r = httpx.post(base + "/api/documents", files=upload, headers=headers, timeout=30)
        assert r.status_code == 403 and _error_type(r) == "cross_site", (headers, r.text)
        r = httpx.delete(base + "/api/documents/qingshi.txt", headers=headers, timeout=30)
        assert r.status_code == 403 and _error_type(r) == "cross_site"
        r = httpx.post(base + "/gradio_api/upload", files=upload, headers=headers, timeout=30)
        assert r.status_code == 403, r.text  # the page's own routes too
    assert _doc_ids(base) == before
    # the server's own origin (as the page sends it), and clients that send no Origin, still work
    r = httpx.post(base + "/api/documents", files=upload, headers={"Origin": base, "Sec-Fetch-Site": "same-origin"},
                   timeout=60)
    assert r.status_code == 201, r.text
    r = httpx.delete(base + "/api/documents/planted.txt", timeout=30)
    assert r.status_code == 200, r.text
    host = f"localhost:{_port(base)}"
    r = httpx.post(base + "/api/ask", json={"question": Q_VISITORS}, timeout=30,
                   headers={"Host": host, "Origin": f"http://{host}"})
    assert r.status_code == 200 and "12万人次" in r.json()["short_answer"]
    r = httpx.get(base + "/api/documents", headers={"Origin": EVIL}, timeout=30)  # reading: CORS decides
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    assert _doc_ids(base) == before


def test_cross_site_rule():
    own = frozenset({"http://127.0.0.1:7860", "https://intranet.example.org"})

    def h(**kw):
        return httpx.Headers({k.replace("_", "-"): v for k, v in kw.items()})

    assert cross_site("POST", h(origin=EVIL, host="127.0.0.1:7860"), own)
    assert cross_site("POST", h(origin="https://intranet.example.org", host="127.0.0.1:7860"), own) is None
    assert cross_site("POST", h(origin="https://rag.example.org", host="rag.example.org"), own) is None  # same origin
    assert cross_site("DELETE", h(origin="https://rag.example.org.evil.example", host="rag.example.org"), own)
    assert cross_site("GET", h(origin=EVIL), own) is None  # reads are CORS's business
    assert cross_site("POST", h(sec_fetch_site="same-origin"), own) is None
    assert cross_site("POST", h(), own) is None  # curl, SDKs


# -- 5. sessions keyed by credential ---------------------------------------------------------------
def _login(base, user, password) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/login", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return c


def _may_delete(app, c) -> bool:
    """Whether this session passes the role check of the page's admin-only delete event."""
    blocks = app.routes[-1].app.get_blocks()
    fn_index = next(i for i, f in blocks.fns.items() if f.fn is not None and f.fn.__name__ == "delete"
                    and required_role(f.fn) == "admin")
    status, text, msg = _call(c, fn_index, [None] * len(blocks.fns[fn_index].inputs))  # no article, no knowledge base
    assert status == 200 and msg is not None, text
    return NEEDS_ADMIN not in (msg["output"].get("error") or "")


def test_same_name_different_tokens_keep_their_own_roles(secured):
    base, app = secured
    first = _login(base, "ops", ADMIN_TOKEN)
    second = _login(base, "ops", READ_TOKEN)  # the same name, after: must not change the first's role
    third = _login(base, "ops", ADMIN_TOKEN)
    try:
        page = app.routes[-1].app  # Gradio's app: its sessions, {cookie: user name}
        names = [page.tokens[c.cookies[f"access-token-unsecure-{page.cookie_id}"]] for c in (first, second, third)]
        assert names[0] != names[1] and names[0] == names[2]
        assert all(name.startswith("ops") and ADMIN_TOKEN not in name and READ_TOKEN not in name for name in names)
        assert _may_delete(app, first) and not _may_delete(app, second) and _may_delete(app, third)
        assert _may_delete(app, first)  # still admin after the reader signed in under its name
    finally:
        for c in (first, second, third):
            c.close()
    with httpx.Client(base_url=base, timeout=30) as c:  # a RAG_AUTH user's name takes only its password
        assert c.post("/login", data={"username": "bob", "password": ADMIN_TOKEN}).status_code == 400


def test_tokens_are_known_by_a_hash_of_the_whole_token(secured):
    base, _ = secured
    assert ADMIN_TOKEN[:4] == READ_TOKEN[:4] and token_id(ADMIN_TOKEN) != token_id(READ_TOKEN)
    auth = Auth(tokens=parse_tokens(TOKENS))
    assert auth.check_token(READ_TOKEN).name == f"token:{token_id(READ_TOKEN)}"
    ask = {"question": Q_VISITORS}
    read = {"Authorization": f"Bearer {READ_TOKEN}"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for _ in range(2):
        assert httpx.post(base + "/api/ask", json=ask, headers=read, timeout=30).status_code == 200
    r = httpx.post(base + "/api/ask", json=ask, headers=read, timeout=30)
    assert r.status_code == 429 and _error_type(r) == "rate_limited"
    assert httpx.post(base + "/api/ask", json=ask, headers=admin, timeout=30).status_code == 200  # its own bucket
    r = httpx.delete(base + "/api/documents/qingshi.txt", headers=read, timeout=30)
    assert r.status_code == 403 and token_id(READ_TOKEN) in r.text and READ_TOKEN[:4] not in r.text


# -- 8. timeouts -----------------------------------------------------------------------------------
def _drip(port, data: bytes, every_s: float, limit_s: float, first: bytes = b""):
    """On one connection, send `first` whole (and read its answer), then `data` a byte at a time,
    then read until the server closes. (seconds from the first dripped byte until the server
    answered or closed, what it sent, how many bytes were dripped)."""
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s) as s:
        if first:
            s.sendall(first)
            answer = b""
            while b"ready" not in answer:
                chunk = s.recv(65536)
                assert chunk, answer
                answer += chunk
        start, sent, got = time.monotonic(), 0, None
        try:
            for b in data:
                s.sendall(bytes([b]))
                sent += 1
                time.sleep(every_s)
                s.setblocking(False)
                try:
                    got = s.recv(65536)  # an answer, or b"": closed
                    break
                except BlockingIOError:
                    pass
                finally:
                    s.setblocking(True)
        except (BrokenPipeError, ConnectionResetError):
            got = b""
        took = time.monotonic() - start
        if got is None:  # all sent, nothing heard yet: the answer
            got = s.recv(65536)
        while got and (chunk := s.recv(65536)):
            got += chunk
        return took, got or b"", sent


def test_slow_headers_are_cut_off(served):
    base, _ = served
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    took, got, sent = _drip(_port(base), head, 0.25, 30)
    assert took is not None and 1.5 <= took <= 8, (took, sent)  # RAG_HEADER_TIMEOUT_S=2, margin for a busy box
    assert sent < len(head) and (got == b"" or got.startswith(b"HTTP/1.1 408"))


def test_idle_connections_are_closed(served):
    base, _ = served
    port = _port(base)
    for first, at_least in ((b"", 1.5), (b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 0.8)):
        start = time.monotonic()
        out = _raw(port, first, timeout=20)
        took = time.monotonic() - start
        assert (b"ready" in out) == bool(first)
        # a new connection: RAG_HEADER_TIMEOUT_S=2; after a response: RAG_KEEP_ALIVE_S=1
        assert at_least <= took <= 8, took


def test_a_second_slow_request_on_a_kept_connection_is_cut_off(served):
    base, _ = served
    first = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    took, got, sent = _drip(_port(base), head, 0.25, 30, first=first)
    assert 1.5 <= took <= 8 and sent < len(head), (took, sent)
    assert got == b"" or got.startswith(b"HTTP/1.1 408")


def test_a_stalled_body_gets_408(served):
    base, log = served
    json_head = "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"question\""
    form_head = ("Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 1000\r\n\r\n"
                 "--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nabc")
    for path, rest in (("/api/ask", json_head), ("/api/documents", form_head), ("/gradio_api/upload", form_head),
                       ("/gradio_api/queue/join", json_head)):  # the last read by the page's own guard
        start = time.monotonic()
        out = _raw(_port(base), f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{rest}".encode(), timeout=20)
        assert out.startswith(b"HTTP/1.1 408"), (path, out[:300])
        assert 1.5 <= time.monotonic() - start <= 10  # RAG_BODY_TIMEOUT_S=2, then closed
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "stopped arriving" in text  # a slow client is one line, not a bug


def test_a_slow_but_steady_client_is_served(served):
    base, _ = served
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    took, got, sent = _drip(_port(base), head, 0.015, 10)  # about 1 s for the head: under the 2 s
    assert sent == len(head) and got.startswith(b"HTTP/1.1 200") and b"ready" in got, got[:200]


# -- 9. Host, log, credentials in URLs, failed sign-ins -------------------------------------------
def test_host_header_is_parsed_strictly(served, tmp_path):
    base, _ = served
    port = _port(base)
    for host in ("localhost:80@evil.com", "localhost@evil.com", "localhost/x", "localhost:8x", "127.0.0.1:80 evil"):
        out = _raw(port, f"GET /api/documents HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert out.startswith(b"HTTP/1.1 400"), (host, out[:200])
    assert host_name("[::1]:80") == "::1" and host_name("localhost:80@evil.com") is None
    # bound to all interfaces with no RAG_ALLOWED_HOSTS, any name goes, a malformed one does not
    pipe = _with(fake_pipeline(tmp_path), host="0.0.0.0")
    with running(create_app(pipe, page=mount)) as other:
        p = _port(other)
        assert _raw(p, b"GET /api/health HTTP/1.1\r\nHost: rag.example.org\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 200")
        assert _raw(p, b"GET /api/health HTTP/1.1\r\nHost: localhost:80@evil.com\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 400")


def test_control_characters_and_credentials_never_reach_the_log(served):
    base, log = served
    secret = "sk-very-secret-query-token-123"
    for path in (f"/api/documents?token={secret}", f"/v1/models?api_key={secret}", f"/?access_token={secret}"):
        r = httpx.get(base + path, timeout=30)
        assert r.status_code == 400 and _error_type(r) == "credentials_in_url", path
    r = httpx.get(base + "/api/no%0Asuch%1B[31mthing%E2%80%AE", timeout=30)
    assert r.status_code == 404
    time.sleep(0.5)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert secret not in text and "token=[redacted]" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "no\\nsuch\\x1b[31mthing\\u202e" in text  # the path, escaped, in the rag log
    assert not any(line.startswith("such") for line in text.splitlines())


def test_repeated_failed_sign_ins_are_locked_out(tmp_path):
    pipe = _with(fake_pipeline(tmp_path), auth=USERS, tokens=TOKENS)
    with running(create_app(pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=30) as c:
        for n in range(3):
            assert c.get("/api/documents", auth=("alice", f"guess-{n}")).status_code == 401
        for n in range(2):
            assert c.post("/login", data={"username": "alice", "password": f"guess-{n}"}).status_code == 400
        for attempt in (lambda: c.get("/api/documents", auth=("alice", "secret-a")),  # right, but locked
                        lambda: c.get("/api/documents", headers={"Authorization": f"Bearer {READ_TOKEN}"}),
                        lambda: c.post("/login", data={"username": "alice", "password": "secret-a"})):
            r = attempt()
            assert r.status_code == 429 and _error_type(r) == "too_many_failures", r.text
            assert 1 <= int(r.headers["retry-after"]) <= 30
        assert c.get("/api/health").status_code == 200  # no credentials, nothing locked


def test_lockout_window_and_keys():
    lock = Lockout(attempts=3, window_s=60, lock_s=30)
    for t in (0, 1):
        lock.failed(["ip:a", "user:alice"], now=t)
    assert lock.wait(["ip:a"], now=2) == 0
    lock.failed(["ip:b", "user:alice"], now=2)  # the third failure for alice, from another IP
    assert lock.wait(["ip:c", "user:alice"], now=3) == 29 and lock.wait(["ip:a"], now=3) == 0
    assert lock.wait(["user:alice"], now=32.5) == 0
    lock.failed(["ip:a"], now=100)  # the failures at 0 and 1 have left the window
    assert lock.wait(["ip:a"], now=100) == 0


@pytest.mark.slow
def test_the_hostile_suite_finds_nothing(tmp_path):
    from tests.hostile_suite import run

    tally = run(tmp_path)
    assert sum(n for n, _ in tally.rows.values()) > 200
    assert tally.failures() == 0, tally.table()
