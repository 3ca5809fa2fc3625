"""/api/conversations, /api/feedback and answer_id over HTTP with authentication on (tokens and users
keep their own histories), and the feedback export run under `rag eval`."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

httpx = pytest.importorskip("httpx")

from rag.api import create_app  # noqa: E402
from rag.auth import token_id  # noqa: E402
from rag.history import open_history  # noqa: E402
from tests.test_api import Q_CITY, Q_VISITORS, REPO, fake_pipeline, running  # noqa: E402

USERS = "carol:pw-carol-1:read"
TOKEN_A, TOKEN_B = "tok-hist-aaa1", "tok-hist-bbb2"
TOKENS = f"{TOKEN_A}:read,{TOKEN_B}:read"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pipe = fake_pipeline(tmp_path_factory.mktemp("history-api"))
    pipe.settings = dataclasses.replace(pipe.settings, auth=USERS, tokens=TOKENS)
    with running(create_app(pipe)) as base:
        yield base, pipe


def test_answers_carry_an_id_and_feedback_needs_ones_own(server):
    base, _ = server
    with httpx.Client(base_url=base, timeout=60) as c:
        r = c.post("/api/ask", json={"question": Q_VISITORS}, headers=bearer(TOKEN_A))
        assert r.status_code == 200, r.text
        answer_id = r.json()["answer_id"]
        assert len(answer_id) == 32
        v1 = c.post("/v1/chat/completions", headers=bearer(TOKEN_A),
                    json={"model": "rag", "messages": [{"role": "user", "content": Q_CITY}]}).json()
        assert v1["answer_id"] and v1["answer_id"] != answer_id
        # another token cannot rate it: the same 404 as an unknown id
        other = c.post("/api/feedback", json={"answer_id": answer_id, "rating": "down"}, headers=bearer(TOKEN_B))
        unknown = c.post("/api/feedback", json={"answer_id": "f" * 32, "rating": "down"}, headers=bearer(TOKEN_A))
        assert other.status_code == unknown.status_code == 404
        assert "answer_id" not in other.text or "No answer" in other.json()["error"]["message"]
        bad = c.post("/api/feedback", json={"answer_id": answer_id, "rating": "meh"}, headers=bearer(TOKEN_A))
        assert bad.status_code in (400, 422)
        ok = c.post("/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "数字不对",
                                           "expected": "12万人次"}, headers=bearer(TOKEN_A))
        assert ok.status_code == 201 and ok.json()["rating"] == "down"


def test_a_huge_comment_is_refused_and_nothing_stored(server):
    base, pipe = server
    with httpx.Client(base_url=base, timeout=60) as c:
        answer_id = c.post("/api/ask", json={"question": Q_CITY}, headers=bearer(TOKEN_B)).json()["answer_id"]
        huge = c.post("/api/feedback", headers=bearer(TOKEN_B),
                      json={"answer_id": answer_id, "rating": "down", "comment": "长" * (10 * 1024 * 1024)})
        assert huge.status_code == 413 and huge.json()["error"]["type"] == "request_too_large"
        long = c.post("/api/feedback", headers=bearer(TOKEN_B),
                      json={"answer_id": answer_id, "rating": "down", "comment": "长" * 20_000})
        assert long.status_code == 400 and "comment" in long.json()["error"]["message"], long.text
    rows = open_history(pipe.settings).feedback_rows()
    assert not [r for r in rows if r["answer_id"] == answer_id]


def test_conversations_are_per_owner(server):
    base, pipe = server
    store = open_history(pipe.settings)
    mine = f"token:{token_id(TOKEN_A)}"
    answer = pipe.ask(Q_VISITORS)
    _, cid = store.record(answer, mine, new_conversation=True)
    store.record(pipe.ask("那旅游收入呢？", history=[Q_VISITORS]), mine, conversation=cid)
    with httpx.Client(base_url=base, timeout=60) as c:
        listed = c.get("/api/conversations", headers=bearer(TOKEN_A)).json()["conversations"]
        assert cid in [x["id"] for x in listed]
        one = c.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_A)).json()
        assert [t["question"] for t in one["turns"]] == [Q_VISITORS, "那旅游收入呢？"]
        assert one["turns"][0]["answer"]["citations"] and "shown" not in one["turns"][0]
        assert cid not in [x["id"] for x in c.get("/api/conversations", auth=("carol", "pw-carol-1"))
                           .json()["conversations"]]
        for who in ({"headers": bearer(TOKEN_B)}, {"auth": ("carol", "pw-carol-1")}):
            assert c.get(f"/api/conversations/{cid}", **who).status_code == 404
            assert c.delete(f"/api/conversations/{cid}", **who).status_code == 404
        assert c.get("/api/conversations").status_code == 401
        assert c.delete(f"/api/conversations/{cid}", headers=bearer(TOKEN_A)).json() == {"deleted": cid}
        assert c.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_A)).status_code == 404


def test_exported_feedback_runs_under_rag_eval(server, tmp_path):
    base, pipe = server
    with httpx.Client(base_url=base, timeout=60) as c:
        for question, expected in ((Q_VISITORS, "12万人次"), (Q_CITY, None)):
            answer_id = c.post("/api/ask", json={"question": question}, headers=bearer(TOKEN_A)).json()["answer_id"]
            r = c.post("/api/feedback", headers=bearer(TOKEN_A),
                       json={"answer_id": answer_id, "rating": "down", "expected": expected})
            assert r.status_code == 201, r.text
    env = {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "rag.cli", "feedback", "export", "--kb", "default",
                          "--index", str(pipe.settings.index_dir)], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    cases = [json.loads(line) for line in out.stdout.splitlines()]
    by_question = {c["question"]: c for c in cases}
    assert by_question[Q_VISITORS]["answers"] == ["12万人次"] and by_question[Q_CITY]["review"] is True
    qa = tmp_path / "cases.jsonl"
    qa.write_text(out.stdout, encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "rag.cli", "--model", "fake-hashing", "eval", str(qa),
                          "--index", str(pipe.settings.index_dir), "--predictions", str(tmp_path / "pred.jsonl")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 0, ran.stderr
    predicted = [json.loads(line) for line in (tmp_path / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["question"] for p in predicted} == {c["question"] for c in cases}


def test_two_servers_share_one_postgresql_database(tmp_path):
    """Answered by one server, rated and listed on another (a restart, or a second app server)."""
    from tests import pg_server

    if (why := pg_server.available()):
        pytest.skip(why)
    with pg_server.postgres_server() as url:
        pipe = fake_pipeline(tmp_path / "one")
        pipe.settings = dataclasses.replace(pipe.settings, tokens=f"{TOKEN_A}:read", db_url=url)
        with running(create_app(pipe)) as base:
            answer_id = httpx.post(base + "/api/ask", json={"question": Q_VISITORS}, headers=bearer(TOKEN_A),
                                   timeout=60).json()["answer_id"]
        other = fake_pipeline(tmp_path / "two")
        other.settings = dataclasses.replace(other.settings, tokens=f"{TOKEN_A}:read", db_url=url)
        with running(create_app(other)) as base:
            r = httpx.post(base + "/api/feedback", json={"answer_id": answer_id, "rating": "down", "expected": "12万"},
                           headers=bearer(TOKEN_A), timeout=60)
            assert r.status_code == 201, r.text
        rows = open_history(other.settings).feedback_rows()
        assert [(r["answer_id"], r["question"], r["expected"]) for r in rows] == [(answer_id, Q_VISITORS, "12万")]


def test_rag_ask_json_carries_an_answer_id(server, capsys):
    from rag.cli import main

    _, pipe = server
    assert main(["--model", "fake-hashing", "ask", Q_VISITORS, "--json", "--index", str(pipe.settings.index_dir)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["answer_id"]) == 32
    assert open_history(pipe.settings).feedback(printed["answer_id"], "up", "anonymous")["rating"] == "up"
