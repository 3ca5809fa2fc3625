"""The lock on the door, through the real server (uvicorn, FastAPI, the page mounted at /):
users and tokens with roles, the Host check, the question rate limit, the start-up warning."""
from __future__ import annotations

import dataclasses

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.api.server import serve  # noqa: E402
from rag.auth import Auth, RateLimiter, host_name, parse_tokens, parse_users  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from tests.test_api import GREENWAY, Q_GREENWAY, Q_VISITORS, fake_pipeline, running  # noqa: E402

USERS = "alice:secret-a:admin,bob:secret-b:read"
ADMIN_TOKEN, READ_TOKEN = "tok-admin-123", "tok-read-456"
TOKENS = f"{ADMIN_TOKEN}:admin,{READ_TOKEN}:read"


def _with(pipeline, **changes):
    pipeline.settings = dataclasses.replace(pipeline.settings, **changes)
    return pipeline


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    pipe = _with(fake_pipeline(tmp_path_factory.mktemp("auth")), auth=USERS, tokens=TOKENS)
    with running(create_app(pipe, page=mount)) as base:
        yield base


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_error(r, status, type_):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]["type"] == type_
    return r.json()["error"]["message"]


# -- configuration -----------------------------------------------------------------------------
def test_parse_users_and_tokens():
    assert parse_users(USERS) == {"alice": ("secret-a", "admin"), "bob": ("secret-b", "read")}
    assert parse_users("carol:pw") == {"carol": ("pw", "read")}
    assert parse_tokens(TOKENS) == {ADMIN_TOKEN: "admin", READ_TOKEN: "read"}
    for bad in ("alice:pw:root", "alice", "alice::admin"):
        with pytest.raises(RagError):
            parse_users(bad)
    with pytest.raises(RagError):
        parse_tokens("short:read")
    s = Settings.from_env({"RAG_AUTH": USERS, "RAG_TOKENS": TOKENS, "RAG_RATE_LIMIT": "5"})
    assert s.auth == USERS and s.tokens == TOKENS and s.rate_limit == 5
    assert "secret-a" not in repr(s) and ADMIN_TOKEN not in repr(s)


def test_host_names_and_rate_limiter_window():
    assert host_name("127.0.0.1:7860") == "127.0.0.1" and host_name("[::1]:80") == "::1"
    assert host_name("Example.org") == "example.org"
    limiter = RateLimiter(2)
    assert limiter.hit("a", 0) == 0 and limiter.hit("a", 1) == 0
    assert limiter.hit("a", 2) == 58 and limiter.hit("b", 2) == 0
    assert limiter.hit("a", 60.5) == 0


def test_page_login_roles():
    auth = Auth(parse_users(USERS), parse_tokens(TOKENS))
    assert auth.page_login("alice", "secret-a") and not auth.page_login("alice", "secret-b")
    assert not auth.page_login("alice", ADMIN_TOKEN)  # a user's name needs the user's password
    ops = auth.page_name("ops", READ_TOKEN)  # a token's login is made under "ops#<token id>"
    assert ops != "ops" and auth.page_login(ops, READ_TOKEN) and auth.page_role(ops) == "read"
    assert not auth.page_login("ops", READ_TOKEN) and auth.page_role("ops") is None

    class Req:
        def __init__(self, username):
            self.username = username

    assert auth.page_may_write(Req("alice")) and not auth.page_may_write(Req("bob"))
    assert not auth.page_may_write(Req(None)) and not auth.page_may_write(None)
    assert Auth().page_may_write(None)  # auth off: everyone may


# -- the API with auth on ----------------------------------------------------------------------
def test_unauthenticated_requests_get_401(secured):
    with httpx.Client(base_url=secured, timeout=30) as c:
        assert_error(c.post("/api/ask", json={"question": Q_VISITORS}), 401, "unauthorized")
        r = c.post("/api/documents", files={"files": ("g.txt", GREENWAY.encode())})
        assert_error(r, 401, "unauthorized") and "Bearer" in r.headers["www-authenticate"]
        assert_error(c.delete("/api/documents/qingshi.txt"), 401, "unauthorized")
        assert_error(c.get("/api/documents", headers=bearer("wrong-token-xx")), 401, "unauthorized")
        assert_error(c.get("/api/documents", auth=("alice", "wrong")), 401, "unauthorized")
        assert_error(c.get("/v1/models"), 401, "unauthorized")
        assert c.get("/api/health").json() == {"status": "ready"}  # open: says nothing but "ready"
        assert c.get("/api/documents/qingshi.txt", auth=("bob", "secret-b")).status_code == 200  # not deleted


def test_read_only_user_may_ask_but_not_write(secured):
    for creds in ({"headers": bearer(READ_TOKEN)}, {"auth": ("bob", "secret-b")}):
        with httpx.Client(base_url=secured, timeout=30, **creds) as c:
            r = c.post("/api/ask", json={"question": Q_VISITORS})
            assert r.status_code == 200 and "12万人次" in r.json()["short_answer"]
            assert c.get("/api/documents").status_code == 200
            r = c.post("/api/documents", files={"files": ("g.txt", GREENWAY.encode())})
            assert "admin" in assert_error(r, 403, "forbidden")
            assert_error(c.delete("/api/documents/qingshi.txt"), 403, "forbidden")
            assert c.get("/api/documents/qingshi.txt").status_code == 200


def test_admin_may_upload_and_delete(secured):
    for creds in ({"headers": bearer(ADMIN_TOKEN)}, {"auth": ("alice", "secret-a")}):
        with httpx.Client(base_url=secured, timeout=60, **creds) as c:
            r = c.post("/api/documents", files={"files": ("greenway.txt", GREENWAY.encode())})
            assert r.status_code == 201, r.text
            r = c.post("/api/ask", json={"question": Q_GREENWAY})
            assert "12公里" in r.json()["short_answer"]
            r = c.delete("/api/documents/greenway.txt")
            assert r.status_code == 200, r.text
            assert c.get("/api/documents/greenway.txt").status_code == 404


def test_tokens_work_with_the_openai_client(secured):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=secured + "/v1", api_key=READ_TOKEN, max_retries=0)
    out = client.chat.completions.create(model="rag", messages=[{"role": "user", "content": Q_VISITORS}])
    assert "12万人次" in out.choices[0].message.content
    bad = openai.OpenAI(base_url=secured + "/v1", api_key="not-a-token", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        bad.chat.completions.create(model="rag", messages=[{"role": "user", "content": Q_VISITORS}])
    assert err.value.status_code == 401


def test_page_asks_for_a_login(secured):
    with httpx.Client(base_url=secured, timeout=30) as c:
        assert c.get("/config").status_code == 401 or "auth_required" in c.get("/config").text
        r = c.post("/login", data={"username": "bob", "password": "wrong"})
        assert r.status_code == 400
        r = c.post("/login", data={"username": "bob", "password": "secret-b"})
        assert r.status_code == 200, r.text


# -- defaults, Host, rate limit, warning -------------------------------------------------------
def test_defaults_unchanged_when_not_configured(tmp_path):
    pipe = fake_pipeline(tmp_path)
    with running(create_app(pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=60) as c:
        assert c.post("/api/ask", json={"question": Q_VISITORS}).status_code == 200
        assert c.post("/api/documents", files={"files": ("greenway.txt", GREENWAY.encode())}).status_code == 201
        assert c.delete("/api/documents/greenway.txt").status_code == 200
        assert c.get("/").status_code == 200 and "auth_required" not in c.get("/config").text
        for _ in range(5):
            assert c.post("/api/ask", json={"question": Q_VISITORS}).status_code == 200


def test_wrong_host_header_is_refused(tmp_path):
    pipe = fake_pipeline(tmp_path)
    with running(create_app(pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=30) as c:
        port = base.rsplit(":", 1)[1]
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
            assert c.get("/api/documents", headers={"Host": host}).status_code == 200
        assert_error(c.get("/api/documents", headers={"Host": f"evil.example:{port}"}), 400, "invalid_host")
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
    _with(pipe, allowed_hosts="rag.example.org")
    with running(create_app(pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=30) as c:
        assert c.get("/api/documents", headers={"Host": "rag.example.org"}).status_code == 200
        assert c.get("/api/documents").status_code == 400


def test_rate_limit_gives_429_with_retry_after(tmp_path):
    pipe = _with(fake_pipeline(tmp_path), rate_limit=2)
    with running(create_app(pipe, page=mount)) as base, httpx.Client(base_url=base, timeout=30) as c:
        for _ in range(2):
            assert c.post("/api/ask", json={"question": Q_VISITORS}).status_code == 200
        r = c.post("/api/ask", json={"question": Q_VISITORS})
        assert "2 a minute" in assert_error(r, 429, "rate_limited")
        assert 1 <= int(r.headers["retry-after"]) <= 60
        r = c.post("/v1/chat/completions", json={"model": "rag", "messages": [{"role": "user", "content": "x"}]})
        assert_error(r, 429, "rate_limited")
        assert c.get("/api/documents").status_code == 200  # only questions are counted


def _serve_output(tmp_path, host, **settings):
    """What serve() says before it starts, with uvicorn stopped before serving."""
    from rag.api import server

    pipe = _with(fake_pipeline(tmp_path, build=False), host=host, port=0, **settings)
    said = []

    class NoRun:
        def __init__(self, *args):
            pass

        def run(self, sockets):
            for s in sockets:
                s.close()

    original, server.GracefulServer = server.GracefulServer, NoRun  # the server serve() starts
    try:
        assert serve(pipe, prepare=False, log=said.append) == 0
    finally:
        server.GracefulServer = original
    return said


def test_warning_for_all_interfaces_without_auth(tmp_path, capsys):
    said = _serve_output(tmp_path / "a", "0.0.0.0")
    assert any("warning" in s and "no authentication" in s and "0.0.0.0" in s for s in said), said
    assert not any("no authentication" in s for s in _serve_output(tmp_path / "b", "127.0.0.1"))
    assert not any("no authentication" in s for s in _serve_output(tmp_path / "c", "0.0.0.0", tokens=TOKENS))


def test_warning_goes_to_stderr(tmp_path, capsys):
    from rag.api import server

    pipe = _with(fake_pipeline(tmp_path, build=False), host="0.0.0.0", port=0)

    class NoRun:
        def __init__(self, *args):
            pass

        def run(self, sockets):
            for s in sockets:
                s.close()

    original, server.GracefulServer = server.GracefulServer, NoRun  # the server serve() starts
    try:
        serve(pipe, prepare=False)
    finally:
        server.GracefulServer = original
    assert "no authentication" in capsys.readouterr().err


# -- the page's handlers ----------------------------------------------------------------------
class _Request:
    def __init__(self, username):
        self.username = username


def test_page_handlers_refuse_non_admin_users(tmp_path):
    from rag.ui.knowledge import KnowledgeHandlers

    pipe = _with(fake_pipeline(tmp_path), auth=USERS)
    h = KnowledgeHandlers(pipe, pipe.settings)
    up = tmp_path / "greenway.txt"
    up.write_text(GREENWAY, encoding="utf-8")
    before = sorted(p.name for p in pipe.settings.corpus_dir.iterdir())
    for user in ("bob", None):
        status, *_ = h.upload([str(up)], progress=lambda *a, **k: None, request=_Request(user))
        assert "管理员" in status and "rag-status-error" in status
        status, *_ = h.delete("qingshi.txt", request=_Request(user))
        assert "管理员" in status
        status, *_ = h.rebuild(progress=lambda *a, **k: None, request=_Request(user))
        assert "管理员" in status
    assert sorted(p.name for p in pipe.settings.corpus_dir.iterdir()) == before
    assert "qingshi.txt" in [d.id for d in pipe.documents()]
    status, *_ = h.upload([str(up)], progress=lambda *a, **k: None, request=_Request("alice"))
    assert "rag-status-ok" in status and (pipe.settings.corpus_dir / "greenway.txt").exists()
    status, *_ = h.delete("greenway.txt", request=_Request("alice"))
    assert "已删除" in status


def test_page_handlers_get_the_request_from_gradio(tmp_path):
    import gradio as gr

    from rag.ui import build_app
    from rag.ui.knowledge import KnowledgeHandlers

    pipe = fake_pipeline(tmp_path)
    app = build_app(pipe, pipe.settings)
    fns = {d.fn.__name__: d for d in app.fns.values()
           if isinstance(getattr(d.fn, "__self__", None), KnowledgeHandlers)}
    for name in ("upload", "delete", "rebuild"):
        from gradio.helpers import special_args

        inputs = [None] * len(fns[name].inputs)
        got, *_ = special_args(fns[name].fn, inputs, request=gr.Request(username="bob"))
        assert any(isinstance(a, gr.Request) and a.username == "bob" for a in got), name


def test_malformed_auth_stops_serve_before_binding(tmp_path):
    pipe = _with(fake_pipeline(tmp_path, build=False), auth="alice:pw:root", port=0)
    with pytest.raises(RagError, match="role must be one of"):
        serve(pipe, prepare=False, log=lambda m: None)
