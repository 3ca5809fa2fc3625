"""Issue #10's last faults: CORS with credentials, Gradio's temp copies of uploads, unbounded history."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
gr = pytest.importorskip("gradio")

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.api.server import start_preparing  # noqa: E402
import rag.pipeline  # noqa: E402
from rag.ui.chat import ChatHandlers  # noqa: E402
from rag.ui.knowledge import KnowledgeHandlers  # noqa: E402
from tests.helpers import ROAD as GREENWAY, TEA, running  # noqa: E402

MAX_HISTORY = getattr(rag.pipeline, "MAX_HISTORY", 8)
NO_PROGRESS = lambda *args, **kwargs: None  # noqa: E731
EVIL = "http://localhost:9999"


@pytest.fixture
def pipeline(fake_built):
    return fake_built({"tea.txt": TEA})




def _serve(pipeline, **settings):
    pipeline.settings = pipeline.settings.with_(**settings) if settings else pipeline.settings
    app = create_app(pipeline, page=mount)
    start_preparing(app.state.rag, log=lambda m: None).join(30)
    return running(app)


def _allows(response, origin: str) -> bool:
    return response.headers.get("access-control-allow-origin") in (origin, "*")


# -- 1. CORS ----------------------------------------------------------------------------------
def test_other_origins_get_no_cors_with_credentials(pipeline):
    with _serve(pipeline) as base, httpx.Client(base_url=base, timeout=30) as client:
        page_api = client.get("/gradio_api/info", headers={"Origin": EVIL})
        assert page_api.status_code == 200 and not _allows(page_api, EVIL), page_api.headers
        config = client.get("/config", headers={"Origin": EVIL})
        assert not _allows(config, EVIL), config.headers
        for path in ("/gradio_api/call/ask", "/api/ask", "/gradio_api/queue/join"):
            pre = client.options(path, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
            assert not _allows(pre, EVIL), (path, pre.headers)
        ask = client.post("/api/ask", json={"question": "西湖村种植了多少亩茶叶？"}, headers={"Origin": EVIL})
        assert not _allows(ask, EVIL), ask.headers
        # the same origin still works
        same = client.post("/api/ask", json={"question": "西湖村种植了多少亩茶叶？"}, headers={"Origin": base})
        assert same.status_code == 200 and same.json()["answerable"]
        call = client.post("/gradio_api/call/ask", json={"data": ["西湖村种植了多少亩茶叶？", [], "", "", "", "keep"]},
                           headers={"Origin": base})
        assert call.status_code == 200 and call.json().get("event_id")
        assert client.get("/gradio_api/info", headers={"Origin": base}).status_code == 200


def test_allowed_origins_setting(pipeline):
    friend = "http://intranet.example:8080"
    with _serve(pipeline, allowed_origins=f" {friend}/ , ") as base, httpx.Client(base_url=base, timeout=30) as c:
        pre = c.options("/api/ask", headers={"Origin": friend, "Access-Control-Request-Method": "POST"})
        assert pre.headers.get("access-control-allow-origin") == friend
        assert pre.headers.get("access-control-allow-credentials") == "true"
        ask = c.post("/api/ask", json={"question": "西湖村种植了多少亩茶叶？"}, headers={"Origin": friend})
        assert ask.status_code == 200 and ask.headers.get("access-control-allow-origin") == friend
        evil = c.options("/api/ask", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        assert not _allows(evil, EVIL)


def test_allowed_origins_from_env():
    from rag.config import Settings

    assert Settings.from_env({"RAG_ALLOWED_ORIGINS": "https://a.example"}).allowed_origins == "https://a.example"


# -- 2. Gradio's temp copies of uploads --------------------------------------------------------
def test_upload_deletes_gradios_temp_copy_only(pipeline, fake_settings, tmp_path, monkeypatch):
    temp = tmp_path / "gradio-temp"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(temp))
    up = temp / "0a1b2c3d" / "绿道.txt"
    up.parent.mkdir(parents=True)
    up.write_text(GREENWAY, encoding="utf-8")
    outside = tmp_path / "mine" / "茶叶.txt"
    outside.parent.mkdir()
    outside.write_text(TEA.replace("西湖村", "东山村"), encoding="utf-8")
    h = KnowledgeHandlers(pipeline, fake_settings)
    status, *_ = h.upload([str(up), str(outside)], progress=NO_PROGRESS)
    assert "rag-status-ok" in status
    assert (fake_settings.corpus_dir / "绿道.txt").read_text(encoding="utf-8") == GREENWAY
    assert not up.exists() and not up.parent.exists() and temp.exists()
    assert outside.exists()  # not Gradio's: never deleted
    assert pipeline.ask("青石村修建了多少公里的绿道？").answerable

    bad = temp / "ffee" / "run.sh"  # refused upload: its temp copy goes too
    bad.parent.mkdir()
    bad.write_text("echo hi\n", encoding="utf-8")
    h.upload([str(bad)], progress=NO_PROGRESS)
    assert not bad.exists()


def test_upload_never_deletes_a_link_out_of_the_temp_folder(pipeline, fake_settings, tmp_path, monkeypatch):
    temp = tmp_path / "gradio-temp"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(temp))
    target = tmp_path / "precious.txt"
    target.write_text(GREENWAY, encoding="utf-8")
    link = temp / "x" / "link.txt"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    KnowledgeHandlers(pipeline, fake_settings).upload([str(link)], progress=NO_PROGRESS)
    assert target.exists()


# -- 3. Bounded history --------------------------------------------------------------------------
HUGE = "问" * 1_000_000


def test_huge_history_is_ignored_quickly(pipeline):
    h = ChatHandlers(pipeline)
    t0 = time.perf_counter()
    out = h.api_ask("西湖村种植了多少亩茶叶？", [HUGE] * 64)
    assert out["answerable"]
    pipeline.ask("西湖村种植了多少亩茶叶？", history=[HUGE] * 64)
    assert time.perf_counter() - t0 < 0.5


def _seen_history(monkeypatch) -> list:
    import rag.retrieve.followup

    seen = []
    real = rag.retrieve.followup.rewrite

    def spy(question, history):
        seen.append(list(history))
        return real(question, history)

    monkeypatch.setattr(rag.retrieve.followup, "rewrite", spy)
    return seen


def test_only_the_last_questions_are_used(pipeline, monkeypatch):
    seen = _seen_history(monkeypatch)
    history = [f"第{i}个问题是什么？" for i in range(20)]
    pipeline.ask("西湖村种植了多少亩茶叶？", history=history)
    assert seen[-1] == history[-MAX_HISTORY:] and MAX_HISTORY <= 8
    ChatHandlers(pipeline).api_ask("西湖村种植了多少亩茶叶？", history + [HUGE])
    assert seen[-1] == history[-(MAX_HISTORY - 1):]  # the huge one is the last of the 8, and dropped
    long = "长" * (pipeline.settings.max_question_chars + 1)
    pipeline.ask("西湖村种植了多少亩茶叶？", history=["西湖村茶叶？", long])
    assert seen[-1] == ["西湖村茶叶？"]


def test_chat_turns_are_bounded(pipeline, monkeypatch):
    seen = _seen_history(monkeypatch)
    h = ChatHandlers(pipeline)
    turns = []
    for i in range(MAX_HISTORY + 3):
        *_, (box, messages, turns, panel) = list(h.respond(f"西湖村第{i}次种植了多少亩茶叶？", [], turns))
    assert len(seen[-1]) == MAX_HISTORY
