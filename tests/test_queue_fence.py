"""The page's Gradio queue never loses a question joined just as its event stream closes
(rag/ui/queue_fence.py). The real server over a tiny fake-embedder index, driven over HTTP the way
Gradio's browser client drives it, and the middleware alone around a stand-in app."""
from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("gradio")

from rag.api import create_app  # noqa: E402
from rag.ui.queue_fence import QueueFence  # noqa: E402
from tests.helpers import running  # noqa: E402

TEA = "西湖村茶叶丰收\n西湖村2024年种植茶叶300亩，茶叶收入达到80万元。\n"
Q_TEA = "西湖村种植了多少亩茶叶？"
SESSION = "fence-test-session"


def messages(lines, until: str) -> list[dict]:
    """The SSE messages from the iterator `lines` up to and including the first whose msg is `until`.
    (Keep `lines` referenced: a line iterator that is dropped closes its connection.)"""
    seen = []
    for line in lines:
        if line.startswith("data:"):
            seen.append(json.loads(line[5:]))
            if seen[-1]["msg"] == until:
                return seen
    raise AssertionError(f"the stream ended without {until!r}: {seen}")


def test_a_question_joined_as_the_stream_closes_waits_for_the_page_to_see_the_close(fake_pipeline):
    (fake_pipeline.settings.corpus_dir / "tea.txt").write_text(TEA, encoding="utf-8")
    fake_pipeline.build()
    with running(create_app(fake_pipeline)) as base, httpx.Client(base_url=base, timeout=30) as http:
        ask = next(d["id"] for d in http.get("/config").json()["dependencies"] if d.get("api_name") == "ask")

        def join(client) -> str:
            body = {"data": [Q_TEA, None, None, None, None, None], "fn_index": ask, "session_hash": SESSION}
            response = client.post("/gradio_api/queue/join", json=body)
            assert response.status_code == 200, response.text
            return response.json()["event_id"]

        first = join(http)
        with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=base, timeout=30) as other:
            with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": SESSION}) as stream:
                lines = stream.iter_lines()
                seen = messages(lines, "close_stream")
                assert any(m["msg"] == "process_completed" and m["event_id"] == first for m in seen)
                # The page asks again before it has read close_stream (it still counts the stream
                # as open): without the fence the join is answered at once, the page opens no new
                # stream, and this question never gets its answer.
                second = pool.submit(join, other)
                with pytest.raises(FutureTimeout):
                    second.result(timeout=1)
            # the page has read close_stream and aborted that stream: now it learns of its event
            event = second.result(timeout=10)
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": SESSION}) as stream:
            done = messages(stream.iter_lines(), "process_completed")[-1]
        assert done["event_id"] == event and done["success"]
        assert "300" in done["output"]["data"][0]["answer"]


class StandIn:
    """An app that closes every queue stream at once and answers every join."""

    async def __call__(self, scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["path"].endswith("/queue/data"):
            await send({"type": "http.response.body", "body": b'data: {"msg":"close_stream","event_id":null}\n\n',
                        "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.body", "body": b'{"event_id":"e"}'})


def test_a_page_that_never_aborts_a_closed_stream_holds_its_joins_only_for_a_while():
    fence = QueueFence(StandIn(), linger=0.3)
    sent = []

    requested = []

    async def never_disconnects():
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def join_body():
        return {"type": "http.request", "body": json.dumps({"session_hash": "s"}).encode(), "more_body": False}

    async def record(message):
        sent.append((time.monotonic(), message["type"]))

    async def scenario():
        stream = asyncio.create_task(fence({"type": "http", "path": "/gradio_api/queue/data", "method": "GET",
                                            "query_string": b"session_hash=s"}, never_disconnects, record))
        while not fence.closing:  # the stand-in has closed the stream
            await asyncio.sleep(0.01)
        start = time.monotonic()
        await fence({"type": "http", "path": "/gradio_api/queue/join", "method": "POST", "query_string": b""},
                    join_body, record)
        held = time.monotonic() - start
        await stream
        return held

    held = asyncio.run(scenario())
    assert 0.2 < held < 2
    assert not fence.closing
