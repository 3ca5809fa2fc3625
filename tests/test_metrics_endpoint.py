"""/metrics: Prometheus text format, counts that follow what the API did, behind auth unless opened."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from rag.api.server import create_app
from rag.models.embed import HashingEmbedder
from rag.pipeline import Pipeline

DOC = "柳溪乡修建便民桥\n2024年，柳溪乡在溪上修建了5座便民桥，方便两岸的村民出行。\n"
SAMPLE = re.compile(r'^([a-z_]+)(\{[a-z_]+="[^"]*"\})? (-?[0-9.e+]+)$')


def parse(text: str) -> dict[str, float]:
    """{'name{labels}': value}; every line must be a comment or a well-formed sample."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("# "):
            assert re.match(r"^# (HELP [a-z_]+ .+|TYPE [a-z_]+ (counter|gauge|histogram))$", line), line
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


@pytest.fixture
def api(fake_built):
    pipeline = fake_built({"liuxi.txt": DOC})
    with TestClient(create_app(pipeline), base_url="http://127.0.0.1") as c:
        yield c


def test_counts_follow_the_api(api):
    before = parse(api.get("/metrics").text)
    assert before["rag_index_documents"] == 1 and before["rag_index_passages"] >= 1
    assert before["rag_index_bytes"] > 0 and before["rag_ready"] == 1
    assert 'rag_questions_total{endpoint="/api/ask"}' not in before
    assert api.post("/api/ask", json={"question": "柳溪乡2024年修建了几座便民桥？"}).status_code == 200
    body = {"model": "rag", "messages": [{"role": "user", "content": "柳溪乡修建了几座桥？"}], "stream": True}
    assert api.post("/v1/chat/completions", json=body).status_code == 200
    bad = api.post("/api/ask", json={"question": ""})
    assert bad.status_code == 400
    new = "柳溪乡新桥通车\n2024年5月，柳溪乡第六座便民桥通车。\n".encode()
    upload = api.post("/api/documents", files={"files": ("qiao.txt", new)})
    assert upload.status_code == 201
    r = api.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = parse(r.text)
    assert after['rag_questions_total{endpoint="/api/ask"}'] == 1
    assert after['rag_questions_total{endpoint="/v1/chat/completions"}'] == 1
    assert after["rag_question_seconds_count"] == 2 and after['rag_question_seconds_bucket{le="+Inf"}'] == 2
    assert after["rag_question_seconds_sum"] > 0
    assert after[f'rag_errors_total{{kind="{bad.json()["error"]["type"]}"}}'] == 1
    assert after['rag_uploads_total{result="ok"}'] == 1 and after['rag_uploads_total{result="refused"}'] == 0
    assert after["rag_index_documents"] == 2
    assert after["rag_index_passages_embedded"] == after["rag_index_passages"]
    buckets = [v for k, v in after.items() if k.startswith("rag_question_seconds_bucket")]
    assert buckets == sorted(buckets)  # cumulative


def test_behind_auth_unless_opened(fake_built):
    built = fake_built({"liuxi.txt": DOC})
    settings = built.settings.with_(tokens="metrics-reader-token:read")
    with TestClient(create_app(Pipeline(settings, HashingEmbedder())), base_url="http://127.0.0.1") as c:
        r = c.get("/metrics")
        assert r.status_code == 401 and r.json()["error"]["type"] == "unauthorized"
        assert c.get("/api/metrics").status_code == 401
        r = c.get("/metrics", headers={"Authorization": "Bearer metrics-reader-token"})
        assert r.status_code == 200 and "rag_index_documents 1" in r.text
        assert parse(r.text)['rag_errors_total{kind="unauthorized"}'] == 2
    opened = create_app(Pipeline(settings.with_(metrics_open=1), HashingEmbedder()))
    with TestClient(opened, base_url="http://127.0.0.1") as c:
        assert c.get("/metrics").status_code == 200
        assert c.get("/api/metrics").status_code == 401  # only /metrics is opened
        assert c.post("/api/ask", json={"question": "柳溪乡修建了几座桥？"}).status_code == 401
