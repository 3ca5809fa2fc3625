"""Answers of POST /api/ask and /v1/chat/completions are turns of conversations: a new one unless
`conversation_id` names one of the caller's, whose stored questions then make the follow-up's
history. Against a real server (uvicorn) with two tokens, over a corpus of made-up villages."""
from __future__ import annotations

import dataclasses
import json

import pytest

httpx = pytest.importorskip("httpx")

from rag.api import create_app  # noqa: E402
from rag.auth import token_id  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.history import open_history  # noqa: E402
from rag.library.fuse import tagged  # noqa: E402
from rag.models.embed import HashingEmbedder  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from tests.helpers import running  # noqa: E402

# Two made-up villages with the same kinds of figures: a follow-up that names neither is answered
# about the right one only when the earlier question is read with it.
LUXI = "芦溪村发展乡村旅游\n2024年，芦溪村接待游客约37万人次，旅游收入达2190万元。\n"
MEIWAN = "梅湾村发展乡村旅游\n2024年，梅湾村接待游客约5万人次，旅游收入达460万元。\n"
Q_LUXI = "芦溪村2024年接待了多少游客？"
Q_MEIWAN = "梅湾村2024年接待了多少游客？"
FOLLOW_UP = "那旅游收入呢？"
TOKEN_A, TOKEN_B = "tok-conv-aaa1", "tok-conv-bbb2"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-conversations")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "luxi.txt").write_text(LUXI, encoding="utf-8")
    (corpus / "meiwan.txt").write_text(MEIWAN, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", model="fake-hashing", cache_dir=root / "cache",
                        tokens=f"{TOKEN_A}:read,{TOKEN_B}:read")
    pipe = Pipeline(settings, HashingEmbedder())
    pipe.build()
    with running(create_app(pipe)) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client, pipe


def ask(client, token: str, **body) -> httpx.Response:
    return client.post("/api/ask", json=body, headers=bearer(token))


def _same(got: dict, want: dict) -> None:
    """The API's answer is the pipeline's, apart from what differs between two askings."""
    skip = ("latency_ms", "answer_id", "conversation_id")
    assert {k: v for k, v in got.items() if k not in skip} == {k: v for k, v in want.items() if k not in skip}


def test_a_follow_up_by_conversation_id_reads_the_stored_questions(server):
    client, pipe = server
    first = ask(client, TOKEN_A, question=Q_LUXI)
    assert first.status_code == 200, first.text
    cid = first.json()["conversation_id"]
    assert cid and "37万人次" in first.json()["short_answer"]
    second = ask(client, TOKEN_A, question=Q_MEIWAN, conversation_id=cid).json()
    follow = ask(client, TOKEN_A, question=FOLLOW_UP, conversation_id=cid)
    assert follow.status_code == 200, follow.text
    got = follow.json()
    assert got["conversation_id"] == second["conversation_id"] == cid
    # read against the stored questions, oldest first: the latest village is the one meant
    assert "梅湾" in got["searched_question"] and "460万元" in got["answer"] and "2190万元" not in got["answer"]
    _same(got, tagged(pipe.ask(FOLLOW_UP, history=[Q_LUXI, Q_MEIWAN]), "default").to_dict())
    listed = client.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_A))
    assert listed.status_code == 200
    turns = listed.json()["turns"]
    assert [t["question"] for t in turns] == [Q_LUXI, Q_MEIWAN, FOLLOW_UP] and [t["n"] for t in turns] == [1, 2, 3]
    assert [t["answer_id"] for t in turns] == [first.json()["answer_id"], second["answer_id"], got["answer_id"]]
    assert turns[2]["answer"]["answer"] == got["answer"] and turns[2]["answer"]["citations"] == got["citations"]
    mine = client.get("/api/conversations", headers=bearer(TOKEN_A)).json()["conversations"]
    assert cid in [c["id"] for c in mine]
    theirs = client.get("/api/conversations", headers=bearer(TOKEN_B)).json()["conversations"]
    assert cid not in [c["id"] for c in theirs]


def test_without_conversation_id_each_question_starts_a_new_one(server):
    client, _ = server
    one, two = (ask(client, TOKEN_A, question=q).json()["conversation_id"] for q in (Q_LUXI, Q_LUXI))
    assert one and two and one != two
    turns = client.get(f"/api/conversations/{two}", headers=bearer(TOKEN_A)).json()["turns"]
    assert [t["question"] for t in turns] == [Q_LUXI]


def test_history_sent_with_the_question_wins_over_the_stored_one(server):
    client, _ = server
    cid = ask(client, TOKEN_A, question=Q_MEIWAN).json()["conversation_id"]
    got = ask(client, TOKEN_A, question=FOLLOW_UP, conversation_id=cid, history=[Q_LUXI]).json()
    assert "芦溪村" in got["searched_question"] and "2190万元" in got["answer"]
    assert got["conversation_id"] == cid


def test_another_callers_or_a_deleted_conversation_is_404_like_an_unknown_one(server):
    client, pipe = server
    cid = ask(client, TOKEN_A, question=Q_LUXI).json()["conversation_id"]
    unknown = ask(client, TOKEN_A, question=FOLLOW_UP, conversation_id="no-such-conversation")
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "not_found_error"
    theirs = ask(client, TOKEN_B, question=FOLLOW_UP, conversation_id=cid)
    assert theirs.status_code == 404
    words = unknown.json()["error"]["message"].replace("no-such-conversation", cid)
    assert theirs.json()["error"]["message"] == words  # nothing tells it apart from one not there
    assert client.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_B)).status_code == 404
    assert client.delete(f"/api/conversations/{cid}", headers=bearer(TOKEN_A)).json() == {"deleted": cid}
    gone = ask(client, TOKEN_A, question=FOLLOW_UP, conversation_id=cid)
    assert gone.status_code == 404 and gone.json()["error"]["message"] == words
    v1 = client.post("/v1/chat/completions", headers=bearer(TOKEN_A), json={
        "model": "rag", "messages": [{"role": "user", "content": FOLLOW_UP}], "conversation_id": cid})
    assert v1.status_code == 404 and v1.json()["error"]["message"] == words
    assert open_history(pipe.settings).conversation(f"token:{token_id(TOKEN_A)}", cid) is None  # not recreated


def test_chat_completions_continue_a_conversation(server):
    client, _ = server

    def chat(content: str, **extra) -> dict:
        r = client.post("/v1/chat/completions", headers=bearer(TOKEN_B),
                        json={"model": "rag", "messages": [{"role": "user", "content": content}], **extra})
        assert r.status_code == 200, r.text
        return r.json()

    assert "conversation_id" not in chat(Q_MEIWAN)  # no conversation asked for: a rated answer only
    first = chat(Q_MEIWAN, conversation_id="new")
    cid = first["conversation_id"]
    follow = chat(FOLLOW_UP, conversation_id=cid)
    assert follow["conversation_id"] == cid and "460万元" in follow["choices"][0]["message"]["content"]
    assert "梅湾" in follow["searched_question"]
    with client.stream("POST", "/v1/chat/completions", headers=bearer(TOKEN_B), json={
            "model": "rag", "stream": True, "conversation_id": cid,
            "messages": [{"role": "user", "content": "梅湾村接待了多少游客？"}]}) as r:
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]" and json.loads(events[-2])["conversation_id"] == cid
    turns = client.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_B)).json()["turns"]
    assert [t["question"] for t in turns] == [Q_MEIWAN, FOLLOW_UP, "梅湾村接待了多少游客？"]
    assert turns[0]["answer_id"] == first["answer_id"]


def test_an_unwritable_database_still_answers(server, monkeypatch):
    """The database down while recording: the answer goes out, without an id; a named conversation
    that cannot be read is a 503, not an answer without its context."""
    client, pipe = server
    from rag.history.store import HistoryStore

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(HistoryStore, "record", broken)
    got = ask(client, TOKEN_A, question=Q_LUXI)
    assert got.status_code == 200 and "answer_id" not in got.json() and got.json()["conversation_id"] is None
    monkeypatch.setattr(HistoryStore, "questions", broken)
    refused = ask(client, TOKEN_A, question=FOLLOW_UP, conversation_id="whichever")
    assert refused.status_code == 503 and "conversation" in refused.json()["error"]["message"]


def test_questions_are_the_owners_last_ones_oldest_first(tmp_path):
    settings = dataclasses.replace(Settings(), index_dir=tmp_path / "index")
    store = open_history(settings)
    _, cid = store.record(_answer("一"), "ann", new_conversation=True)
    for q in ("二", "三", "四"):
        store.record(_answer(q), "ann", conversation=cid)
    assert store.questions("ann", cid, limit=3) == ["二", "三", "四"]
    assert store.questions("ann", cid) == ["一", "二", "三", "四"]
    assert store.questions("bob", cid) is None and store.questions("ann", "nope") is None
    store.delete("ann", cid)
    assert store.questions("ann", cid) is None


def _answer(question: str):
    from rag.types import Answer

    return Answer(question=question, answer="", short_answer=None, answerable=False)


def test_the_page_reopens_and_continues_a_conversation_the_api_began(server):
    """The same token on the page: the API's conversation is listed, reopens with its questions, and
    a follow-up asked there is read against them and becomes its next turn."""
    pytest.importorskip("gradio")
    from gradio.context import LocalContext

    from rag.ui.chat import ChatHandlers
    from rag.ui.history import PageHistory

    client, pipe = server
    cid = ask(client, TOKEN_A, question=Q_MEIWAN).json()["conversation_id"]
    page = PageHistory(ChatHandlers(pipe), pipe.settings)
    page.wrap()
    login = type("Req", (), {"username": page.auth.page_name("ops", TOKEN_A), "session_hash": "api-conv"})()
    reset = LocalContext.request.set(login)
    try:
        assert cid in [value for _, value in page.choices()]
        messages, views, _, opened = page.open_conversation(cid)
        assert opened == cid and [v.question for v in views] == [Q_MEIWAN]
        *_, (_, messages, views, _) = page.handlers.respond(FOLLOW_UP, messages, views, request=login)
        assert page.sync_conversation(views)[0] == cid
    finally:
        LocalContext.request.reset(reset)
    turns = client.get(f"/api/conversations/{cid}", headers=bearer(TOKEN_A)).json()["turns"]
    assert [t["question"] for t in turns] == [Q_MEIWAN, FOLLOW_UP]
    assert "梅湾" in turns[1]["answer"]["searched_question"] and "460万元" in turns[1]["answer"]["answer"]
