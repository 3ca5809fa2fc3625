"""The HTTP API with real parts: the real server (uvicorn, FastAPI, the Gradio page mounted at /)
on a free port over a tiny corpus indexed with the fake embedder, driven by the real `openai`
client, LangChain's ChatOpenAI and plain httpx.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.api.limits import MAX_UPLOAD_BYTES  # noqa: E402
from rag.api.server import start_preparing  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.library.fuse import tagged  # noqa: E402
from rag.models.embed import HashingEmbedder  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from tests.helpers import edit_documents, running  # noqa: E402,F401  (tests/test_auth.py imports it from here)

REPO = Path(__file__).resolve().parents[1]
YONGKANG = "永康市旅游业稳步增长\n2024年，永康市接待游客约860万人次，旅游收入达95亿元。\n全市新增民宿120家。\n"
QINGSHI = ("青石村发展乡村旅游\n2024年，青石村接待游客约12万人次，旅游收入达86万元。\n"
           "村党支部书记王建国表示，明年将继续发展民宿产业。\n")
GREENWAY = "青石村建成乡村绿道\n2024年，青石村修建了12公里的乡村绿道。\n"
Q_VISITORS = "青石村2024年接待了多少游客？"
Q_CITY = "永康市2024年接待了多少游客？"
Q_FOLLOW_UP = "那旅游收入呢？"
Q_GREENWAY = "青石村修建了多少公里的绿道？"


def fake_pipeline(root: Path, build: bool = True, cls=Pipeline) -> Pipeline:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", model="fake-hashing", cache_dir=root / "cache")
    pipe = cls(settings, HashingEmbedder())
    if build:
        (corpus / "yongkang.txt").write_text(YONGKANG, encoding="utf-8")
        (corpus / "qingshi.txt").write_text(QINGSHI, encoding="utf-8")
        pipe.build()
    return pipe




@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    return fake_pipeline(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def url(pipeline):
    with running(create_app(pipeline, page=mount)) as base:
        yield base


@pytest.fixture
def http(url):
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture
def openai_client(url):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)


def assert_error(response, status: int, type_: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["type"] == type_ and error["message"]
    for w in words:
        assert w in error["message"]
    return error


# -- /api/ask ---------------------------------------------------------------------------------
def test_ask_returns_the_json_of_rag_ask(http, pipeline):
    r = http.post("/api/ask", json={"question": Q_VISITORS})
    assert r.status_code == 200
    got = r.json()
    want = tagged(pipeline.ask(Q_VISITORS), "default").to_dict()  # every citation names its knowledge base
    assert len(got.pop("answer_id")) == 32  # the answer recorded for feedback (rag.history)
    assert got.pop("conversation_id")  # as a turn of a new conversation (GET /api/conversations/{id})
    assert set(got) == set(want) and got["latency_ms"] >= 0
    assert {k: v for k, v in got.items() if k != "latency_ms"} == {k: v for k, v in want.items() if k != "latency_ms"}
    assert got["answerable"] and "12万人次" in got["short_answer"] and "[1]" in got["answer"]
    cite = got["citations"][0]
    doc = http.get("/api/documents/" + quote(cite["doc_id"], safe="")).json()
    assert doc["text"][cite["start"]:cite["end"]] == cite["quote"] and cite["source"] == "qingshi.txt"


def test_ask_follow_up_uses_the_history(http):
    r = http.post("/api/ask", json={"question": Q_FOLLOW_UP, "history": [Q_CITY], "mode": "hybrid", "top_k": 3})
    got = r.json()
    assert r.status_code == 200 and "永康市" in got["searched_question"]
    assert "95亿元" in got["answer"] and got["citations"][0]["doc_id"] == "yongkang.txt"


def test_concurrent_asks_share_the_pipeline(url):
    def ask(q):
        return httpx.post(url + "/api/ask", json={"question": q}, timeout=60).json()["short_answer"]

    questions = [Q_VISITORS, Q_CITY] * 4
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, questions))
    assert all("12万人次" in a for a in answers[0::2]) and all("860万人次" in a for a in answers[1::2])


# -- /v1 with the openai client and LangChain ---------------------------------------------------
def test_openai_client_gets_answer_sources_and_citations(openai_client):
    out = openai_client.chat.completions.create(model="rag", messages=[
        {"role": "system", "content": "ignored"}, {"role": "user", "content": Q_VISITORS}])
    text = out.choices[0].message.content
    assert out.object == "chat.completion" and out.choices[0].finish_reason == "stop"
    answer, sources = text.split("\n\nSources:\n")
    assert "[1]" in answer and "12万人次" in answer
    extra = out.model_extra
    cite = extra["citations"][0]
    assert sources.splitlines()[0] == f"[1] 青石村发展乡村旅游: “{cite['quote']}”"
    assert "12万人次" in extra["short_answer"] and extra["answerable"] is True and "searched_question" not in extra


def test_openai_client_streams_the_same_reply(openai_client):
    messages = [{"role": "user", "content": Q_VISITORS}]
    whole = openai_client.chat.completions.create(model="rag", messages=messages)
    chunks = list(openai_client.chat.completions.create(model="rag", messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant" and len(chunks) > 3
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == whole.model_extra["citations"]


def test_stream_is_server_sent_events_ending_with_done(http):
    with http.stream("POST", "/v1/chat/completions",
                     json={"model": "rag", "stream": True, "messages": [{"role": "user", "content": Q_CITY}]}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [line for line in r.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    assert "860万人次" in "".join(events)


def test_openai_client_follow_up_uses_earlier_user_turns(openai_client):
    first = openai_client.chat.completions.create(model="rag", messages=[{"role": "user", "content": Q_CITY}])
    out = openai_client.chat.completions.create(model="rag", messages=[
        {"role": "user", "content": Q_CITY},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": Q_FOLLOW_UP}]},
    ])
    assert "永康市" in out.model_extra["searched_question"]
    assert "95亿元" in out.choices[0].message.content
    assert out.model_extra["citations"][0]["doc_id"] == "yongkang.txt"


def test_openai_client_errors_and_models(openai_client):
    import openai

    with pytest.raises(openai.BadRequestError) as err:
        openai_client.chat.completions.create(model="rag", messages=[{"role": "user", "content": "  "}])
    assert err.value.status_code == 400 and "question is empty" in err.value.message
    with pytest.raises(openai.BadRequestError) as err:
        openai_client.chat.completions.create(model="rag", messages=[{"role": "assistant", "content": "hi"}])
    assert "last message" in err.value.message
    assert [m.id for m in openai_client.models.list()] == ["default"]  # "rag" stays its alias
    assert openai_client.models.retrieve("rag").id == "rag"


def test_langchain_chat_openai_invokes_and_streams(url):
    lc = pytest.importorskip("langchain_openai")
    from langchain_core.messages import AIMessage, HumanMessage

    chat = lc.ChatOpenAI(model="rag", base_url=url + "/v1", api_key="x", max_retries=0, use_responses_api=False)
    reply = chat.invoke(Q_VISITORS)
    assert "12万人次" in reply.content and "Sources:" in reply.content
    streamed = "".join(chunk.content for chunk in chat.stream(Q_VISITORS))
    assert streamed == reply.content
    follow = chat.invoke([HumanMessage(Q_CITY), AIMessage("860万人次"), HumanMessage(Q_FOLLOW_UP)])
    assert "95亿元" in follow.content


# -- /api/documents -----------------------------------------------------------------------------
def test_documents_list_and_read(http, pipeline):
    listed = http.get("/api/documents").json()["documents"]
    assert sorted(d["id"] for d in listed) == sorted(d.id for d in pipeline.documents())
    one = next(d for d in listed if d["source"] == "yongkang.txt")
    assert one["title"] == "永康市旅游业稳步增长" and one["passages"] >= 1
    doc = http.get("/api/documents/" + quote(one["id"], safe="")).json()
    assert doc["text"] == pipeline.document(one["id"]).text and doc["chars"] == len(doc["text"])


def test_upload_is_listed_answerable_then_deleted(http, pipeline):
    corpus = pipeline.settings.corpus_dir
    r = http.post("/api/documents", files=[("files", ("../绿道.txt", GREENWAY.encode(), "text/plain"))])
    assert r.status_code == 201, r.text
    added = r.json()["added"]
    assert added[0]["filename"] == "../绿道.txt" and added[0]["stored_as"] == "绿道.txt"
    assert (corpus / "绿道.txt").read_text(encoding="utf-8") == GREENWAY and not (corpus.parent / "绿道.txt").exists()
    doc_id = added[0]["documents"][0]
    assert doc_id in [d["id"] for d in http.get("/api/documents").json()["documents"]]
    answer = http.post("/api/ask", json={"question": Q_GREENWAY}).json()
    assert "12公里" in answer["answer"] and answer["citations"][0]["doc_id"] == doc_id

    r = http.delete("/api/documents/" + quote(doc_id, safe=""))
    assert r.status_code == 200 and r.json()["file_removed"] is True and r.json()["deleted"] == doc_id
    assert not (corpus / "绿道.txt").exists()
    assert doc_id not in [d["id"] for d in http.get("/api/documents").json()["documents"]]
    assert_error(http.get("/api/documents/" + quote(doc_id, safe="")), 404, "not_found_error")
    assert all(c["doc_id"] != doc_id for c in http.post("/api/ask", json={"question": Q_GREENWAY}).json()["citations"])


def test_ids_with_slash_and_hash_and_a_file_of_two_articles(http, pipeline):
    wire = "\n".join(json.dumps(a, ensure_ascii=False) for a in [
        {"id": "wire/1#a", "title": "东湖村建桥", "text": "2024年，东湖村新建了3座桥梁。"},
        {"id": "wire/2", "title": "南山村修路", "text": "2024年，南山村修建了5公里道路。"}])
    r = http.post("/api/documents", files={"files": ("wire.jsonl", wire.encode(), "application/jsonl")})
    assert r.status_code == 201 and sorted(r.json()["added"][0]["documents"]) == ["wire/1#a", "wire/2"]
    stored = pipeline.settings.corpus_dir / "wire.jsonl"
    assert http.get("/api/documents/wire%2F1%23a").json()["text"].endswith("2024年，东湖村新建了3座桥梁。")
    r = http.delete("/api/documents/wire%2F1%23a").json()
    assert r["file_removed"] is False and r["file_kept"] == "shared" and stored.exists()
    r = http.delete("/api/documents/wire/2").json()
    assert r["file_removed"] is True and not stored.exists()


def test_failed_uploads_change_nothing(http, pipeline):
    corpus = pipeline.settings.corpus_dir
    before = (sorted(p.name for p in corpus.iterdir()), [d.id for d in pipeline.documents()])
    error = assert_error(http.post("/api/documents", files={"files": ("run.sh", b"echo hi", "text/plain")}),
                         400, "invalid_request_error", ".sh")
    assert str(corpus) not in error["message"]
    error = assert_error(http.post("/api/documents", files={"files": ("broken.pdf", b"%PDF-1.4 no", "application/pdf")}),
                         400, "invalid_request_error")
    assert str(corpus) not in error["message"]
    big = b"a" * (MAX_UPLOAD_BYTES + 1)
    assert_error(http.post("/api/documents", files={"files": ("big.txt", big, "text/plain")}),
                 413, "request_too_large", "20 MB")
    assert (sorted(p.name for p in corpus.iterdir()), [d.id for d in pipeline.documents()]) == before


def test_oversize_body_without_length_is_cut_off(http):
    head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'

    def body():  # chunked: no Content-Length to refuse up front
        yield head
        for _ in range(MAX_UPLOAD_BYTES // (1 << 20) + 2):
            yield b"x" * (1 << 20)
        yield b"\r\n--b--\r\n"

    r = http.post("/api/documents", content=body(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert_error(r, 413, "request_too_large")


# -- the same guarantees as the page (safe writes) --------------------------------------------------
def ids_of(http) -> set[str]:
    return {d["id"] for d in http.get("/api/documents").json()["documents"]}


def test_an_upload_cannot_replace_or_delete_another_files_documents(tmp_path):
    pipe = fake_pipeline(tmp_path)
    corpus = pipe.settings.corpus_dir
    yongkang = pipe.document("yongkang.txt")
    wire = "\n".join([json.dumps({"id": "yongkang.txt", "text": "假新闻：永康市游客减少。"}, ensure_ascii=False),
                      json.dumps({"id": "x1", "text": "北山村2024年种植杨梅200亩。", "source": "qingshi.txt"},
                                 ensure_ascii=False),
                      "{broken"])
    with running(create_app(pipe)) as base, httpx.Client(base_url=base, timeout=30) as http:
        r = http.post("/api/documents", files={"files": ("evil.jsonl", wire.encode(), "application/jsonl")})
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["added"] == [{"filename": "evil.jsonl", "stored_as": "evil.jsonl", "documents": ["x1"]}]
        messages = [p["message"] for p in body["problems"]]
        assert {p["file"] for p in body["problems"]} == {"evil.jsonl"} and str(corpus) not in r.text
        assert any("already indexed from yongkang.txt" in m for m in messages) and any("line 3" in m for m in messages)
        assert (corpus / "evil.jsonl").exists()  # kept: one of its documents was indexed
        assert pipe.document("yongkang.txt") == yongkang
        assert http.get("/api/documents/x1").json()["source"] == "qingshi.txt"  # shown as the record says

        r = http.delete("/api/documents/x1").json()  # removes its own file, not the one its source names
        assert r["file_removed"] is True and not (corpus / "evil.jsonl").exists()
        assert (corpus / "qingshi.txt").exists() and (corpus / "yongkang.txt").exists()

        only = json.dumps({"id": "qingshi.txt", "text": "假新闻：青石村游客减少。"}, ensure_ascii=False)
        r = http.post("/api/documents", files={"files": ("only.jsonl", only.encode(), "application/jsonl")})
        assert_error(r, 400, "invalid_request_error", "already indexed from qingshi.txt")
        assert str(corpus) not in r.text and not (corpus / "only.jsonl").exists()
        assert ids_of(http) == {"yongkang.txt", "qingshi.txt"}
    pipe.build()  # the corpus folder still gives exactly what the index held
    assert {d.id for d in pipe.documents()} == {"yongkang.txt", "qingshi.txt"}


def test_deleting_from_an_index_that_predates_file_owners_keeps_the_file(tmp_path):
    pipe = fake_pipeline(tmp_path)
    edit_documents(pipe.settings.index_dir, "UPDATE docs SET file = NULL")  # as an older version wrote it
    fresh = Pipeline(pipe.settings, HashingEmbedder())
    with running(create_app(fresh)) as base, httpx.Client(base_url=base, timeout=30) as http:
        r = http.delete("/api/documents/qingshi.txt")
        assert r.status_code == 200 and r.json()["file_removed"] is False and r.json()["file_kept"] == "unrecorded"
    assert (pipe.settings.corpus_dir / "qingshi.txt").exists()


def test_a_change_while_another_process_holds_the_index_is_503_and_changes_nothing(tmp_path):
    from rag import locks

    pipe = fake_pipeline(tmp_path)
    pipe.settings = pipe.settings.with_(lock_wait_s=1)
    corpus = pipe.settings.corpus_dir
    before = sorted(p.name for p in corpus.iterdir())
    with running(create_app(pipe)) as base, httpx.Client(base_url=base, timeout=30) as http:
        with locks.writing(pipe.settings.index_dir, 1):  # as `rag index` in another process would
            r = http.post("/api/documents", files={"files": ("绿道.txt", GREENWAY.encode(), "text/plain")})
            assert_error(r, 503, "index_unavailable", "Another process")
            assert int(r.headers["retry-after"]) > 0
            assert_error(http.delete("/api/documents/qingshi.txt"), 503, "index_unavailable")
            assert http.post("/api/ask", json={"question": Q_VISITORS}).status_code == 200  # readers go on
        assert sorted(p.name for p in corpus.iterdir()) == before and ids_of(http) == {"yongkang.txt", "qingshi.txt"}
        assert http.post("/api/documents", files={"files": ("绿道.txt", GREENWAY.encode(), "text/plain")}).status_code == 201


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_user_errors_are_one_log_line_and_bugs_one_traceback(tmp_path, caplog, monkeypatch):
    pipe = fake_pipeline(tmp_path)
    with running(create_app(pipe)) as base, httpx.Client(base_url=base, timeout=30) as http:
        server_log = Records()  # after start-up: uvicorn configures its loggers then
        logging.getLogger("uvicorn.error").addHandler(server_log)
        try:
            with caplog.at_level(logging.INFO, logger="rag"):
                r = http.post("/api/ask", content=json.dumps({"question": "\ud800问"}),  # "\\ud800": JSON allows it
                              headers={"content-type": "application/json"})
                assert_error(r, 400, "invalid_request_error", "not text")
                records = [x for x in caplog.records if x.name.startswith("rag")]
                assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].exc_info is None
                assert "\n" not in records[0].getMessage() and "/api/ask" in records[0].getMessage()
                caplog.clear()

                def broken(*args, **kwargs):
                    raise TypeError("a bug")

                monkeypatch.setattr(pipe, "ask", broken)
                r = http.post("/api/ask", json={"question": Q_VISITORS})
                error = assert_error(r, 500, "server_error", "TypeError")
                assert "\n" not in error["message"] and "Traceback" not in r.text
                records = [x for x in caplog.records if x.name.startswith("rag")]
                assert len(records) == 1 and records[0].levelno == logging.ERROR and records[0].exc_info
            assert server_log.records == []  # not a second traceback from the server
        finally:
            logging.getLogger("uvicorn.error").removeHandler(server_log)


# -- errors -------------------------------------------------------------------------------------
def test_error_statuses_are_json(http):
    assert_error(http.post("/api/ask", json={"question": " "}), 400, "invalid_request_error", "empty")
    assert_error(http.post("/api/ask", json={"question": "问" * 2001}), 400, "invalid_request_error", "2000")
    assert_error(http.post("/api/ask", json={}), 400, "invalid_request_error", "question")
    assert_error(http.post("/api/ask", json={"question": Q_CITY, "mode": "magic"}), 400, "invalid_request_error",
                 "mode")
    assert_error(http.get("/api/documents/no-such-doc"), 404, "not_found_error", "no-such-doc")
    assert_error(http.delete("/api/documents/no-such-doc"), 404, "not_found_error", "no-such-doc")
    assert_error(http.get("/api/nothing-here"), 404, "not_found_error")
    assert_error(http.get("/v1/models/gpt-4"), 404, "not_found_error")
    assert_error(http.post("/api/ask", content=b'{"question": "' + b"a" * (2 << 20) + b'"}',
                           headers={"content-type": "application/json"}), 413, "request_too_large")


def test_no_index_is_503_until_an_upload_creates_one(tmp_path):
    pipe = fake_pipeline(tmp_path, build=False)
    with running(create_app(pipe)) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert_error(http.post("/api/ask", json={"question": Q_VISITORS}), 503, "index_unavailable", "POST /api/documents")
        assert_error(http.get("/api/documents"), 503, "index_unavailable")
        assert_error(http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": Q_VISITORS}]}),
                     503, "index_unavailable")
        r = http.post("/api/documents", files=[("files", ("qingshi.txt", QINGSHI.encode(), "text/plain")),
                                               ("files", ("yongkang.txt", YONGKANG.encode(), "text/plain"))])
        assert r.status_code == 201 and r.json()["index"]["documents"] == 2
        assert "12万人次" in http.post("/api/ask", json={"question": Q_VISITORS}).json()["short_answer"]


class GatedPipeline(Pipeline):
    """A real pipeline whose build waits for the test to let it go."""

    gate = threading.Event()

    def build(self, paths=None, progress=None):
        assert self.gate.wait(30)
        return super().build(paths, progress)


def test_503_with_retry_after_while_the_index_is_being_built(tmp_path):
    pipe = fake_pipeline(tmp_path, build=False, cls=GatedPipeline)
    (pipe.settings.corpus_dir / "qingshi.txt").write_text(QINGSHI, encoding="utf-8")
    app = create_app(pipe, page=mount)
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        thread = start_preparing(app.state.rag, log=lambda message: None)
        deadline = time.monotonic() + 10
        while "building" not in (app.state.rag.preparing or "") and time.monotonic() < deadline:
            time.sleep(0.01)
        r = http.post("/api/ask", json={"question": Q_VISITORS})
        assert_error(r, 503, "index_unavailable", "building the index")
        assert int(r.headers["retry-after"]) > 0
        health = http.get("/api/health")
        assert health.status_code == 503 and "building" in health.json()["doing"]
        GatedPipeline.gate.set()
        thread.join(30)
        assert http.get("/api/health").json() == {"status": "ready"}
        r = http.post("/api/ask", json={"question": Q_VISITORS})
        assert r.status_code == 200 and "12万人次" in r.json()["short_answer"]


# -- the page, the docs, the page's own API ----------------------------------------------------
def test_page_is_served_at_root_and_api_docs_at_docs(http):
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "gradio_config" in page.text and "本地新闻问答" in page.text
    docs = http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/documents", "/api/documents/{doc_id}", "/v1/chat/completions", "/v1/models"} <= set(paths)


def test_the_pages_gradio_api_still_answers(url):
    client_mod = pytest.importorskip("gradio_client")
    out = client_mod.Client(url, verbose=False).predict(Q_VISITORS, api_name="/ask")
    assert out["answerable"] and "12万人次" in out["short_answer"]


# -- the shells that start it ----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rag_serve_says_when_the_port_is_taken(tmp_path, monkeypatch, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = main(["serve", "--port", str(busy.getsockname()[1]), "--index", str(tmp_path / "index"),
                     "--corpus", str(tmp_path / "corpus")])
    assert code == 1 and "cannot serve" in capsys.readouterr().err


def test_app_py_builds_then_serves_page_and_api(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "qingshi.txt").write_text(QINGSHI, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "RAG_MODEL": "fake-hashing", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    log = tmp_path / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port), "--index",
                                 str(tmp_path / "index"), "--corpus", str(corpus)],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:  # the page is served at once; the API answers 503 until the index is built
            assert proc.poll() is None, log.read_text()
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": Q_VISITORS}, timeout=10)
                if r.status_code != 503:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        assert r.status_code == 200 and "12万人次" in r.json()["short_answer"]  # built, then answered
        assert "gradio_config" in httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text
        assert f"Open http://127.0.0.1:{port}" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(15)


# -- dates and versions in the replies (issue #19) ----------------------------------------------
def _versioned_answer():
    from rag.types import Answer, Citation

    new = Citation(1, "new", "关于提高杉木镇育儿补贴标准的通知", "2025-02-20", "new.txt", "自2025年3月1日起…提高至每年5000元。",
                   0, 20, when="2025-03-01", status="current")
    old = Citation(2, "old", "杉木镇发放育儿补贴", "2023-05-10", "old.txt", "标准为每年3000元。", 5, 15,
                   when="2023-05-10", status="superseded", changed_on="2025-03-01")
    undated = Citation(3, "misc", None, None, "misc.txt", "每年发放一次。", 0, 7)
    return Answer("杉木镇育儿补贴每年多少钱？", "提高至每年5000元[1]。此前为每年3000元[2]。", "每年5000元", True,
                  (new, old, undated))


def test_openai_reply_sources_list_dates_and_superseded_marks():
    from rag.api.openai_compat import reply_text

    sources = reply_text(_versioned_answer()).split("\n\nSources:\n")[1].splitlines()
    assert sources[0] == "[1] 关于提高杉木镇育儿补贴标准的通知 (2025-02-20; refers to 2025-03-01; latest): “自2025年3月1日起…提高至每年5000元。”"
    assert sources[1] == "[2] 杉木镇发放育儿补贴 (2023-05-10; superseded from 2025-03-01): “标准为每年3000元。”"
    assert sources[2] == "[3] misc.txt: “每年发放一次。”"  # nothing known: as before


def test_answer_schema_documents_and_keeps_the_time_of_each_citation():
    from rag.api.schemas import AnswerOut, CitationOut

    props = CitationOut.model_json_schema()["properties"]
    assert {"when", "status", "changed_on"} <= set(props)
    d = _versioned_answer().to_dict()
    kept = AnswerOut.model_validate(d).model_dump()["citations"]
    assert [(c["when"], c["status"], c["changed_on"]) for c in kept] == [
        ("2025-03-01", "current", None), ("2023-05-10", "superseded", "2025-03-01"), (None, None, None)]
    with pytest.raises(Exception):
        AnswerOut.model_validate({**d, "citations": [{**d["citations"][0], "status": "stale"}]})
