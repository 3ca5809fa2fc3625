"""rag.history: conversations, turns and feedback, on SQLite and on a real PostgreSQL server, and the
feedback export as a QA file that `rag eval` runs."""
from __future__ import annotations

import io
import json
import uuid

import pytest

from rag.config import Settings
from rag.errors import RagError
from rag.history import HistoryStore, UnknownAnswer, database_url, open_history
from rag.history.export import export_feedback, parse_since
from rag.types import Answer, Citation
from tests import pg_server


@pytest.fixture(scope="module")
def pg_url():
    why = pg_server.available()
    if why:
        pytest.skip(why)
    with pg_server.postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> HistoryStore:
    if request.param == "sqlite":
        settings = Settings(index_dir=tmp_path / "index")
    else:
        settings = Settings(index_dir=tmp_path / "index", db_url=request.getfixturevalue("pg_url"))
    return open_history(settings)


def _answer(question: str, text: str = "蓝湾镇共有渡口7座[1]。") -> Answer:
    cite = Citation(n=1, doc_id="lanwan-1", title="蓝湾镇交通", date="2025-03-02", source="lanwan.txt",
                    quote="蓝湾镇共有渡口7座。", start=0, end=10)
    return Answer(question=question, answer=text, short_answer="7座", answerable=True, citations=(cite,))


def _owner() -> str:
    return "user-" + uuid.uuid4().hex[:8]  # one database serves every test: owners keep them apart


def test_default_database_is_sqlite_beside_the_index(tmp_path, monkeypatch):
    monkeypatch.delenv("RAG_HOME", raising=False)
    assert database_url(Settings(index_dir=tmp_path / "data" / "index")) == f"sqlite:///{tmp_path / 'data' / 'history.db'}"
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    assert database_url(Settings(index_dir=tmp_path / "index")) == f"sqlite:///{tmp_path / 'home' / 'history.db'}"
    pg = database_url(Settings(db_url="postgresql://u:p@db.example/rag"))
    assert pg == "postgresql+psycopg://u:p@db.example/rag"


def test_a_conversation_keeps_its_turns_for_its_owner_only(store):
    alice, bob = _owner(), _owner()
    first, cid = store.record(_answer("蓝湾镇有几座渡口？"), alice, kb="harbour", new_conversation=True,
                              shown={"bubble": "<p>7座</p>", "sources": "<div>src</div>"})
    second, same = store.record(_answer("那码头呢？", "码头有3个[1]。"), alice, kb="harbour", conversation=cid)
    assert same == cid and first.answer_id and second.answer_id and first.answer_id != second.answer_id
    listed = store.conversations(alice)
    assert [c["id"] for c in listed] == [cid] and listed[0]["title"] == "蓝湾镇有几座渡口？"
    conv = store.conversation(alice, cid)
    assert [t["n"] for t in conv["turns"]] == [1, 2]
    assert conv["turns"][0]["answer"]["citations"][0]["quote"] == "蓝湾镇共有渡口7座。"
    assert conv["turns"][0]["shown"]["bubble"] == "<p>7座</p>" and conv["turns"][1]["kb"] == "harbour"
    assert store.conversations(bob) == [] and store.conversation(bob, cid) is None
    assert not store.delete(bob, cid) and store.conversation(alice, cid) is not None
    # bob naming alice's conversation starts his own instead of writing into hers
    _, theirs = store.record(_answer("问题"), bob, conversation=cid)
    assert theirs != cid and len(store.conversation(alice, cid)["turns"]) == 2
    assert store.delete(alice, cid) and store.conversation(alice, cid) is None and store.conversations(alice) == []


def test_feedback_names_an_answer_of_the_same_owner(store):
    alice, bob = _owner(), _owner()
    given, _ = store.record(_answer("蓝湾镇有几座渡口？"), alice, kb="harbour")
    with pytest.raises(UnknownAnswer):
        store.feedback("0" * 32, "down", alice)
    with pytest.raises(UnknownAnswer):
        store.feedback(given.answer_id, "down", bob)
    with pytest.raises(RagError):
        store.feedback(given.answer_id, "sideways", alice)
    with pytest.raises(RagError):
        store.feedback(given.answer_id, "down", alice, comment="x" * 10_001)
    assert not [r for r in store.feedback_rows(kb="harbour") if r["owner"] == alice]  # nothing stored
    store.feedback(given.answer_id, "up", alice)
    store.feedback(given.answer_id, "down", alice, comment="渡口是9座", expected="9座")  # replaces the 👍
    mine = [r for r in store.feedback_rows(kb="harbour") if r["owner"] == alice]
    assert len(mine) == 1 and mine[0]["rating"] == "down" and mine[0]["expected"] == "9座"
    assert mine[0]["answer"]["citations"][0]["doc_id"] == "lanwan-1" and mine[0]["question"] == "蓝湾镇有几座渡口？"


def test_retention_deletes_old_conversations_but_keeps_feedback(store, monkeypatch):
    alice = _owner()
    import rag.history.store as S

    real = S._now
    old, cid = store.record(_answer("旧问题"), alice, kb="retention", new_conversation=True)
    store.feedback(old.answer_id, "down", alice, expected="新答案")
    lone, _ = store.record(_answer("单独的问题"), alice, kb="retention")
    monkeypatch.setattr(S, "_now", lambda: real() + 2 * S.DAY_S)
    _, kept = store.record(_answer("两天后的问题"), alice, new_conversation=True)
    monkeypatch.setattr(S, "_now", lambda: real() + 4 * S.DAY_S)
    store.record(_answer("继续"), alice, conversation=kept)  # continued: an old first turn stays with it
    store.keep_days = 3
    assert store.prune(force=True) >= 1
    assert store.conversation(alice, cid) is None
    assert [t["question"] for t in store.conversation(alice, kept)["turns"]] == ["两天后的问题", "继续"]
    with pytest.raises(UnknownAnswer):  # the lone answer expired too
        store.feedback(lone.answer_id, "up", alice)
    assert [r["expected"] for r in store.feedback_rows(kb="retention") if r["owner"] == alice] == ["新答案"]


def test_export_writes_qa_lines(store, tmp_path):
    alice = _owner()
    kb = "export-" + uuid.uuid4().hex[:6]
    a, _ = store.record(_answer("蓝湾镇有几座渡口？"), alice, kb=kb)
    b, _ = store.record(_answer("蓝湾镇有几个码头？"), alice, kb=kb)
    c, _ = store.record(_answer("蓝湾镇在哪？"), alice, kb=kb)
    store.feedback(a.answer_id, "down", alice, expected="9座", comment="少算了两座")
    store.feedback(b.answer_id, "down", alice)
    store.feedback(c.answer_id, "up", alice)
    out = io.StringIO()
    assert export_feedback(store, out, kb=kb) == 2
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert lines[0]["question"] == "蓝湾镇有几座渡口？" and lines[0]["answers"] == ["9座"]
    assert lines[0]["category"] == "feedback" and "review" not in lines[0] and lines[0]["comment"] == "少算了两座"
    assert lines[1]["answers"] == [] and lines[1]["review"] is True and lines[1]["category"] == "feedback-review"
    assert export_feedback(store, io.StringIO(), kb=kb, since="2999-01-01") == 0
    with pytest.raises(RagError):
        parse_since("last tuesday")
