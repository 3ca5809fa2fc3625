"""The page's own events, called as an attacker would: straight at Gradio's routes of the real
server (uvicorn, FastAPI, the page mounted at /), with and without a session, as each role.

- no event takes a server path, whatever the role; only this caller's own uploads;
- every event of the page (enumerated from its config) checks the caller's role;
- the Evaluate tab's compare field takes no paths, hosts or unbounded variant lists.
"""
from __future__ import annotations

import dataclasses
import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.errors import BadInput  # noqa: E402
from rag.ui.guard import FILE_REFUSED, NEEDS_ADMIN, Uploads, file_paths  # noqa: E402
from rag.documents import upload_folder  # noqa: E402
from tests.test_api import fake_pipeline, running  # noqa: E402

USERS = "alice:secret-a:admin,bob:secret-b:read"
SECRET = f"这是服务器上的机密文件 server-secret-{uuid.uuid4().hex}"  # new each run: the cache outlives a run
QA_LINE = json.dumps({"id": "q1", "question": "青石村有多少户？", "answers": ["120户"]}, ensure_ascii=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("guard")
    pipe = fake_pipeline(root)
    pipe.settings = dataclasses.replace(pipe.settings, auth=USERS)
    secret = root / "secret.jsonl"  # QA-shaped, so an evaluation would even echo it
    secret.write_text(QA_LINE.replace("青石村", SECRET) + "\n", encoding="utf-8")
    with running(create_app(pipe, page=mount)) as base:
        yield base, secret, pipe


@contextmanager
def _client(base, user=None, password=None):
    with httpx.Client(base_url=base, timeout=60) as c:
        if user:
            r = c.post("/login", data={"username": user, "password": password})
            assert r.status_code == 200, r.text
        yield c


def _events(c):
    config = c.get("/config").json()
    kinds = {comp["id"]: comp.get("type") for comp in config["components"]}
    return config, [d for d in config["dependencies"] if d.get("backend_fn")], kinds


def _call(c, fn_index, data):
    """Run one event through the queue; (join status, join text, final message or None)."""
    session = uuid.uuid4().hex
    r = c.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session,
                                               "event_data": None, "trigger_id": None})
    if r.status_code != 200:
        return r.status_code, r.text, None
    with c.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return 200, r.text, msg
    return 200, r.text, None


def _file(path):
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def _cache_holds_secret() -> bool:
    root = upload_folder()
    return root.exists() and any(SECRET in p.read_text("utf-8", "ignore") for p in root.rglob("*") if p.is_file())


def _upload(c, name, text):
    r = c.post("/gradio_api/upload", files={"files": (name, text.encode("utf-8"))})
    assert r.status_code == 200, r.text
    return r.json()[0]


def _data_for(dep, kinds, file_value):
    return [file_value if kinds.get(i) == "file" else None for i in dep["inputs"]]


def test_no_event_takes_a_server_path_whatever_the_role(page):
    base, secret, _ = page
    for who in (("bob", "secret-b"), ("alice", "secret-a")):
        with _client(base, *who) as c:
            _, deps, kinds = _events(c)
            takers = [d for d in deps if any(kinds.get(i) == "file" for i in d["inputs"])]
            assert len(takers) >= 2  # the Evaluate tab's QA file and the knowledge base's upload
            for dep in takers:
                for target in (secret, secret.with_name("missing.jsonl"), Path("/etc/passwd"),
                               "http://127.0.0.1:9/x.jsonl"):
                    status, text, _ = _call(c, dep["id"], _data_for(dep, kinds, _file(target)))
                    assert status == 403, (who, dep["id"], target, text)
                    assert json.loads(text)["detail"] == FILE_REFUSED  # the same line, existing or not
                    assert "Traceback" not in text and str(target) not in text
    assert not _cache_holds_secret()


def test_an_upload_serves_its_own_caller_only(page):
    base, _, _ = page
    with _client(base, "alice", "secret-a") as alice, _client(base, "bob", "secret-b") as bob:
        _, deps, kinds = _events(bob)
        evaluate = next(d for d in deps if any(kinds.get(i) == "file" for i in d["inputs"])
                        and len(d["inputs"]) == 4)
        mine = _upload(bob, "qa.jsonl", QA_LINE + "\n")
        status, _, msg = _call(bob, evaluate["id"], _data_for(evaluate, kinds, _file(mine)))
        assert status == 200 and msg and msg["success"], msg
        theirs = _upload(alice, "qa.jsonl", QA_LINE.replace("q1", "q2") + "\n")  # same bytes, same path
        status, text, _ = _call(bob, evaluate["id"], _data_for(evaluate, kinds, _file(theirs)))
        assert status == 403 and json.loads(text)["detail"] == FILE_REFUSED


def test_every_event_checks_the_callers_role(page):
    base, _, pipe = page
    before = sorted(p.name for p in pipe.settings.corpus_dir.iterdir())
    with _client(base) as anon:
        assert anon.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0,
                                                         "session_hash": "x"}).status_code == 401
    with _client(base, "alice", "secret-a") as c:
        _, deps, _ = _events(c)
    assert len(deps) >= 8
    refused = {}
    with _client(base, "bob", "secret-b") as c:
        for dep in deps:
            status, text, msg = _call(c, dep["id"], [None] * len(dep["inputs"]))
            assert status == 200, text
            refused[dep["id"]] = bool(msg and not msg["success"] and NEEDS_ADMIN in (msg["output"].get("error") or ""))
    assert sum(refused.values()) == 4  # upload, delete, rebuild, the 👎 list; every other event lets a reader in
    with _client(base, "alice", "secret-a") as c:
        for dep in deps:
            if refused[dep["id"]]:
                status, text, msg = _call(c, dep["id"], [None] * len(dep["inputs"]))
                assert status == 200 and msg and NEEDS_ADMIN not in json.dumps(msg, ensure_ascii=False)
    assert sorted(p.name for p in pipe.settings.corpus_dir.iterdir()) == before


def test_evaluate_compare_field_is_bounded(page):
    base, _, pipe = page
    from rag.ui.evaluate import EvaluateHandlers, page_variants

    s = pipe.settings
    assert page_variants("bm25,dense,hybrid:k=3", s, "read") == "bm25,dense,hybrid:k=3"
    for spec in ("chunk=200", "store=local", "answer=generative"):
        with pytest.raises(BadInput, match="admin"):
            page_variants(spec, s, "read")
    assert page_variants("chunk=200,store=milvus", s, "admin")
    for spec in ("store=milvus:/tmp/x.db", "store=milvus:http://127.0.0.1:19530"):
        with pytest.raises(BadInput, match="paths and hosts"):
            page_variants(spec, s, "admin")
    with pytest.raises(BadInput, match="at most"):
        page_variants(",".join(f"hybrid:k={k}" for k in range(1, 9)), s, "admin")
    with pytest.raises(BadInput, match="At most 2"):
        page_variants("chunk=100,chunk=200,chunk=300", s, "admin")
    # the server's own store URI is accepted as it is configured
    own = dataclasses.replace(s, store="milvus:/srv/rag/milvus.db")
    assert page_variants("store=milvus:/srv/rag/milvus.db", own, "admin")

    class Req:
        username = "bob"

    qa = Path(pipe.settings.index_dir).parent / "qa.jsonl"
    qa.write_text(QA_LINE + "\n", encoding="utf-8")
    status, *_ = EvaluateHandlers(pipe, s).run(str(qa), 0, "hybrid", "chunk=100", progress=lambda *a, **k: None,
                                              request=Req())
    assert "admin" in status and "rag-status-error" in status


def test_file_paths_and_uploads_registry(tmp_path):
    payload = {"data": [None, {"path": "/a"}, [{"x": {"path": "/b", "meta": {}}}]], "fn_index": 1}
    assert sorted(file_paths(payload)) == ["/a", "/b"]
    folder = tmp_path / "gradio"
    (folder / "h").mkdir(parents=True)
    ok = folder / "h" / "qa.jsonl"
    ok.write_text("x")
    link = folder / "h" / "link.jsonl"
    link.symlink_to(tmp_path / "outside.txt")
    (tmp_path / "outside.txt").write_text("secret")
    reg = Uploads(lambda: folder)
    reg.add("tok-1", [str(ok), str(link), str(tmp_path / "outside.txt")])
    assert reg.allows("tok-1", str(ok))
    assert not reg.allows("tok-2", str(ok))  # another caller's upload
    assert not reg.allows("tok-1", str(link))  # a link out of the folder
    assert not reg.allows("tok-1", str(tmp_path / "outside.txt"))  # not in the upload folder
