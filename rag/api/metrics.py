"""/metrics: what an operator's Prometheus scrapes, in its text format (version 0.0.4), written
plainly (no prometheus-client dependency).

    rag_questions_total{endpoint}        questions asked through POST /api/ask and /v1/chat/completions
    rag_question_seconds                 a histogram of their time to the end of the answer (streams included)
    rag_errors_total{kind}               error responses of /api, /v1 and /metrics by their error type
                                         (rate_limited, unauthorized, invalid_request_error, server_error, ...)
    rag_uploads_total{result}            POST /api/documents: ok or refused
    rag_index_documents, rag_index_passages, rag_index_passages_embedded, rag_index_segments
    rag_index_bytes                      the index folder's size on disk (local store; each file once)
    rag_ready                            1 once the index and model are loaded, 0 while preparing

Counted per process, from the requests themselves (an ASGI middleware in front of everything), so
the API's routes know nothing of it; the page's own questions are not counted. With auth on,
`/metrics` is `/api/metrics` and asks for credentials like the rest of the API (and its lockout),
unless RAG_METRICS_OPEN=1 opens it.

    install(app, pipeline)   the middleware and the two routes, on the API's FastAPI app
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from rag.auth import QUESTION_PATHS

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPEN_PATH, GUARDED_PATH = "/metrics", "/api/metrics"


class Metrics:
    """The counters, safe to bump from any thread or task."""

    def __init__(self):
        self._lock = threading.Lock()
        self.questions: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.uploads: Counter[str] = Counter()
        self.buckets = [0] * len(BUCKETS)
        self.seconds_sum = 0.0
        self.seconds_count = 0

    def question(self, endpoint: str, seconds: float) -> None:
        with self._lock:
            self.questions[endpoint] += 1
            self.seconds_sum += seconds
            self.seconds_count += 1
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1

    def error(self, kind: str) -> None:
        with self._lock:
            self.errors[kind] += 1

    def upload(self, ok: bool) -> None:
        with self._lock:
            self.uploads["ok" if ok else "refused"] += 1

    def render(self, index: dict | None, index_bytes: int | None, ready: bool) -> str:
        with self._lock:
            lines = _family("rag_questions_total", "counter", "Questions asked through the API.",
                            [(f'{{endpoint="{e}"}}', n) for e, n in sorted(self.questions.items())])
            lines += ["# HELP rag_question_seconds Time to the end of an answer, streamed ones included.",
                      "# TYPE rag_question_seconds histogram"]
            lines += [f'rag_question_seconds_bucket{{le="{b:g}"}} {n}' for b, n in zip(BUCKETS, self.buckets)]
            lines += [f'rag_question_seconds_bucket{{le="+Inf"}} {self.seconds_count}',
                      f"rag_question_seconds_sum {self.seconds_sum:.6f}",
                      f"rag_question_seconds_count {self.seconds_count}"]
            lines += _family("rag_errors_total", "counter", "Error responses of the API by error type.",
                             [(f'{{kind="{k}"}}', n) for k, n in sorted(self.errors.items())])
            lines += _family("rag_uploads_total", "counter", "Upload requests (POST /api/documents) by result.",
                             [(f'{{result="{r}"}}', self.uploads.get(r, 0)) for r in ("ok", "refused")])
        lines += _family("rag_ready", "gauge", "1 once the index and the model are loaded.", [("", int(ready))])
        for key, what in (("documents", "Documents in the index."), ("passages", "Passages in the index."),
                          ("embedded", "Passages with a vector."), ("segments", "Segments of the index.")):
            if index is not None and key in index:
                name = "rag_index_passages_embedded" if key == "embedded" else f"rag_index_{key}"
                lines += _family(name, "gauge", what, [("", index[key])])
        if index_bytes is not None:
            lines += _family("rag_index_bytes", "gauge", "The index folder's size on disk.", [("", index_bytes)])
        return "\n".join(lines) + "\n"


def _family(name: str, kind: str, help_text: str, samples: list[tuple[str, int | float]]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"] + [f"{name}{labels} {v}" for labels, v in samples]


def folder_bytes(folder: Path) -> int | None:
    """The bytes of the files under `folder`, each inode once (versions share files as hard links)."""
    if not Path(folder).is_dir():
        return None
    seen, total = set(), 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


class Observe:
    """ASGI middleware: counts questions (with their time), uploads and error responses; sends
    /metrics through the API's guard (as /api/metrics) unless the setting opens it."""

    def __init__(self, app, metrics: Metrics, open_metrics: bool):
        self.app, self.metrics, self.open = app, metrics, open_metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "")
        if path.rstrip("/") == OPEN_PATH and not self.open:
            scope = {**scope, "path": GUARDED_PATH, "raw_path": GUARDED_PATH.encode()}
            path = GUARDED_PATH
        if not (path.startswith(("/api/", "/v1/")) or path in ("/api", "/v1")):
            return await self.app(scope, receive, send)
        started, seen = time.perf_counter(), {"status": 0, "body": b""}

        async def observing(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and seen["status"] >= 400 and len(seen["body"]) < 4096:
                seen["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, observing)
        finally:
            self._count(path.rstrip("/"), method, seen, time.perf_counter() - started)

    def _count(self, path: str, method: str, seen: dict, seconds: float) -> None:
        status = seen["status"]
        if method == "POST" and path in QUESTION_PATHS and status < 400:
            self.metrics.question(path, seconds)
        if method == "POST" and path == "/api/documents":
            self.metrics.upload(200 <= status < 300)
        if status >= 400 or status == 0:
            self.metrics.error(_kind(status, seen["body"]))


def _kind(status: int, body: bytes) -> str:
    """The error's type from its JSON body ({"error": {"type": ...}}), else from its status."""
    try:
        kind = json.loads(body)["error"]["type"]
        if isinstance(kind, str) and kind.replace("_", "").isalnum() and len(kind) <= 40:
            return kind
    except (ValueError, KeyError, TypeError):
        pass
    return "cancelled" if status == 0 else "internal" if status >= 500 else f"http_{status}"


def install(app, pipeline) -> Metrics:
    """The middleware and the /metrics routes on `app` (before it starts)."""
    metrics = Metrics()
    settings = pipeline.settings

    def scrape(request: Request) -> PlainTextResponse:
        index = None
        try:
            index = pipeline.status() if pipeline.has_index() else None
        except Exception:  # being replaced, a store that cannot be reached: no gauges this time
            index = None
        size = folder_bytes(settings.index_dir) if settings.store == "local" else None
        ready = request.app.state.rag.preparing is None and index is not None
        return PlainTextResponse(metrics.render(index, size, ready), media_type=CONTENT_TYPE)

    app.add_api_route(GUARDED_PATH, scrape, methods=["GET"], include_in_schema=False)
    app.add_api_route(OPEN_PATH, scrape, methods=["GET"], include_in_schema=False)
    app.add_middleware(Observe, metrics=metrics, open_metrics=bool(settings.metrics_open))
    app.state.rag_metrics = metrics
    return metrics
