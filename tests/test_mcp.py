"""The MCP server through the official SDK's client: `rag mcp` over stdio (a subprocess), and /mcp
under the HTTP server (streamable HTTP) behind the API's authentication."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys

import pytest

mcp = pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from rag.api import create_app  # noqa: E402
from tests.test_api import Q_VISITORS, REPO, fake_pipeline, running  # noqa: E402

TOKEN = "tok-mcp-reader-1"


def _structured(result) -> dict:
    assert not result.is_error, result.content
    assert json.loads(result.content[0].text) == result.structured_content  # text and structured agree
    return result.structured_content


async def _use(client: Client) -> tuple[set, dict, dict]:
    async with client:
        tools = {t.name for t in (await client.list_tools()).tools}
        found = _structured(await client.call_tool("search", {"query": Q_VISITORS, "k": 3}))
        answer = _structured(await client.call_tool("ask", {"question": Q_VISITORS}))
        return tools, found, answer


def _check(tools: set, found: dict, answer: dict, pipeline) -> None:
    assert {"search", "ask"} <= tools
    assert 1 <= len(found["passages"]) <= 3
    first = found["passages"][0]
    doc = pipeline.document(first["doc_id"])
    assert doc.text[first["start"]:first["end"]] == first["text"] and first["title"] == doc.title
    assert answer["answerable"] and answer["citations"] and answer["answer_id"]
    for c in answer["citations"]:
        assert pipeline.document(c["doc_id"]).text[c["start"]:c["end"]] == c["quote"]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    return fake_pipeline(tmp_path_factory.mktemp("mcp"))


def test_stdio(pipeline):
    env = {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "RAG_MODEL": "fake-hashing"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "rag.cli", "mcp", "--index",
                                                                 str(pipeline.settings.index_dir)], env=env)
    tools, found, answer = asyncio.run(_use(Client(params, read_timeout_seconds=120)))
    _check(tools, found, answer, pipeline)


def test_unknown_or_malformed_knowledge_base_is_a_tool_error(pipeline):
    from rag.library import Library
    from rag.mcp_server import build_server, library_kbs

    async def go(kb):
        async with Client(build_server(library_kbs(Library(default=pipeline)))) as client:
            return await client.call_tool("ask", {"question": Q_VISITORS, "kb": kb})

    result = asyncio.run(go("../secret"))
    assert result.is_error and "Invalid knowledge-base name" in result.content[0].text
    result = asyncio.run(go("nosuchkb"))
    assert result.is_error and "No knowledge base 'nosuchkb'" in result.content[0].text


def test_http_behind_auth(pipeline):
    import httpx2

    secured = dataclasses.replace(pipeline.settings, tokens=f"{TOKEN}:read")
    pipe = type(pipeline)(secured, pipeline.embedder)
    with running(create_app(pipe)) as base:
        refused = httpx2.post(base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                              headers={"Accept": "application/json, text/event-stream"})
        assert refused.status_code == 401
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        tools, found, answer = asyncio.run(_use(Client(streamable_http_client(base + "/mcp", http_client=http))))
    _check(tools, found, answer, pipe)


def test_http_requests_count_toward_the_rate_limit(pipeline):
    import httpx2

    limited = type(pipeline)(dataclasses.replace(pipeline.settings, rate_limit=2), pipeline.embedder)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with running(create_app(limited)) as base:
        statuses = [httpx2.post(base + "/mcp", json=body, headers={"Accept": "application/json, text/event-stream"}).status_code
                    for _ in range(3)]
    assert statuses[-1] == 429 and 429 not in statuses[:2]


def test_http_a_token_limited_to_another_knowledge_base_learns_nothing_of_default(pipeline):
    import httpx2

    secured = dataclasses.replace(pipeline.settings, tokens=f"{TOKEN}:read@other")
    pipe = type(pipeline)(secured, pipeline.embedder)

    async def go(http):
        async with Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
            return (await client.call_tool("ask", {"question": Q_VISITORS}),
                    await client.call_tool("search", {"query": Q_VISITORS, "kb": "default"}))

    with running(create_app(pipe)) as base:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        asked, searched = asyncio.run(go(http))
    for result in (asked, searched):  # the same words as for a knowledge base that is not there
        assert result.is_error and "No knowledge base 'default'" in result.content[0].text


def test_http_the_sdk_is_imported_on_the_first_request_not_with_the_app(pipeline):
    """create_app leaves the SDK unimported (every server start would wait for it); the first /mcp
    request imports it, and serves."""
    script = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from tests.helpers import running
from rag.api import create_app
from rag.config import Settings
from rag.models.embed import HashingEmbedder
from rag.pipeline import Pipeline
import httpx2
settings = Settings(corpus_dir={str(pipeline.settings.corpus_dir)!r}, index_dir={str(pipeline.settings.index_dir)!r},
                    model="fake-hashing", cache_dir={str(pipeline.settings.cache_dir)!r})
app = create_app(Pipeline(settings, HashingEmbedder()))
assert not [m for m in sys.modules if m.startswith("mcp.server")], "imported with the app"
with running(app) as base:
    assert not [m for m in sys.modules if m.startswith("mcp.server")], "imported at start-up"
    r = httpx2.post(base + "/mcp", json={{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}},
                    headers={{"Accept": "application/json, text/event-stream"}}, timeout=120)
    assert r.status_code == 200, r.text
    assert {{"search", "ask"}} <= {{t["name"] for t in r.json()["result"]["tools"]}}
    assert "mcp.server.mcpserver" in sys.modules
print("ok")
"""
    env = {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 0 and ran.stdout.strip() == "ok", ran.stderr


def test_http_concurrent_first_requests_and_a_second_start(pipeline):
    """Requests arriving together while the SDK loads all get their answer; the app served again
    (its lifespan run twice, as in a restart in one process) serves /mcp again."""
    import httpx2

    app = create_app(pipeline)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}

    async def together(base):
        async with httpx2.AsyncClient(timeout=120) as http:
            replies = await asyncio.gather(*(http.post(base + "/mcp", json=body, headers=headers) for _ in range(4)))
        return [r.status_code for r in replies], [len(r.json()["result"]["tools"]) for r in replies]

    for _ in range(2):
        with running(app) as base:
            statuses, counts = asyncio.run(together(base))
        assert statuses == [200] * 4 and len(set(counts)) == 1 and counts[0] >= 2
