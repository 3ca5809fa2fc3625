"""One FastAPI application: the HTTP API (/api, /v1, /docs), and a page mounted at / by whoever
composes the server (the command line mounts the chat, rag.ui.mount), served by uvicorn.

    app = create_app(pipeline, page=mount)  # any Pipeline: tests inject one with the fake embedder
    serve(pipeline, page=mount)             # bind settings.host:port, prepare in the background, serve

The API never imports the page: shells do not import each other; `page(app, pipeline, settings)`
is handed in.

One pipeline per process, shared by the page and the API. Preparing (building a missing index
from the corpus folder, then loading the model) runs in a background thread while the server
already answers: meanwhile the API says 503 with Retry-After.

Behind a reverse proxy, `X-Forwarded-For` / `X-Forwarded-Proto` are believed only from the
addresses in RAG_TRUSTED_PROXIES (or uvicorn's FORWARDED_ALLOW_IPS), so that rate limits, the
sign-in lockout and the access log see the real client; with neither set they are ignored, even
from 127.0.0.1. SIGTERM (systemd's stop) and Ctrl+C stop gracefully: no new connections, running
requests get SHUTDOWN_WAIT_S to finish (then are cancelled), then uploads cut short are finished
or removed under the index's write lock (waiting for a commit in flight) and the process exits.
"""
from __future__ import annotations

import asyncio
import os
import socket
import threading
from typing import Callable

import uvicorn
from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware

from rag import __version__
from rag.api import errors, history, metrics, openai_compat, routes
from rag.api.errors import ApiError
from rag.api.guard import Guard
from rag.api.limits import BodyLimit, BodyTimeouts
from rag.api.state import ServerState
from rag.auth import Auth, startup_warnings
from rag.errors import EmptyCorpus, RagError
from rag.logs import log_to_console, say, use_log_format
from rag.mcp_server import mount_http as mount_mcp
from rag.pipeline import Pipeline

TITLE = "rag HTTP API"
DESCRIPTION = """Cited, extractive answers from the indexed Chinese news and policy articles.

* `POST /api/ask`: the JSON of `rag ask --json`
* `/api/documents`: list, read, upload (multipart, ≤ 20 MB a request) and delete documents
* `/v1/chat/completions`, `/v1/models`: OpenAI-compatible (point an OpenAI SDK or LangChain's
  ChatOpenAI at `http://HOST:PORT/v1`; any API key)
* `/`: the chat page

Errors are `{"error": {"message", "type"}}`: 400 bad request, 404 unknown document, 413 too large,
503 no index yet or being built (retry after the `Retry-After` seconds).
With authentication on (RAG_AUTH / RAG_TOKENS): 401 without valid credentials
(`Authorization: Bearer TOKEN`, the OpenAI api_key, or HTTP Basic), 403 for a read-only user's
upload or delete; 429 too many questions (RAG_RATE_LIMIT) or failed sign-ins; 400 an unexpected
Host header or credentials in the URL; 403 `cross_site` for a change sent by another site's page;
408 a request body that stopped arriving."""
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
Log = Callable[[str], None]
SHUTDOWN_WAIT_S = 20  # running requests (an answer, an upload) get this long to finish at a stop


def _stderr(message: str) -> None:
    say(message)


async def _no_such_endpoint(request: Request):
    raise ApiError(404, f"No endpoint {request.method} {request.url.path}; see /docs.")


def create_app(pipeline: Pipeline, *, page: Callable | None = None) -> FastAPI:
    """The API around `pipeline`, and `page(app, pipeline, settings)` mounted last (a mount at /
    takes every path the API leaves), when given."""
    app = FastAPI(title=TITLE, version=__version__, description=DESCRIPTION, docs_url="/docs", redoc_url=None)
    app.state.rag = ServerState(pipeline)
    errors.install(app)
    origins = allowed_origins(pipeline.settings)
    app.add_middleware(BodyLimit)
    app.add_middleware(Guard.for_settings, settings=pipeline.settings, origins=origins)
    # Starlette's own CORSMiddleware on the parent app: Gradio then adds no CORS headers of its own
    # (its default lets any http://localhost:* page call the API with the user's cookies).
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True,
                       allow_methods=METHODS, allow_headers=["*"])
    app.add_middleware(BodyTimeouts, seconds=pipeline.settings.body_timeout_s)  # added last: runs first
    metrics.install(app, pipeline)  # /metrics; counts questions, errors and uploads
    app.include_router(routes.router)
    app.include_router(openai_compat.router)
    app.include_router(history.router)  # /api/conversations, /api/feedback
    mount_mcp(app, pipeline)  # /mcp: the MCP tools over streamable HTTP (rag/mcp_server.py; SDK loaded on first use)
    for prefix in ("/api", "/v1"):  # JSON 404s here, instead of the page's
        app.add_api_route(prefix + "/{rest:path}", _no_such_endpoint, methods=METHODS, include_in_schema=False)
    if page is not None:
        page(app, pipeline, pipeline.settings)
    return app


def allowed_origins(settings) -> list[str]:
    """Origins allowed cross-origin requests with credentials: the server's own (settings.host:port;
    a browser needs none for same-origin requests anyway) and those in RAG_ALLOWED_ORIGINS."""
    own = [url_of(settings.host, settings.port)]
    if settings.host in ("127.0.0.1", "localhost", "::1"):
        own = [url_of(h, settings.port) for h in ("127.0.0.1", "localhost", "::1")]
    extra = [o.strip().rstrip("/") for o in settings.allowed_origins.split(",")]
    return list(dict.fromkeys(own + [o for o in extra if o and o != "*"]))


def start_preparing(state: ServerState, progress=None, log: Log = _stderr) -> threading.Thread:
    """Build the index if there is none, then load the model and index, in a background thread."""
    state.preparing = "starting"  # set before the first request can arrive
    thread = threading.Thread(target=_prepare, args=(state, progress, log), name="rag-prepare", daemon=True)
    thread.start()
    return thread


def _prepare(state: ServerState, progress, log: Log) -> None:
    pipeline = state.pipeline
    settings = pipeline.settings
    try:
        if not pipeline.has_index():
            state.preparing = f"building the index from {settings.corpus_dir}"
            log(f"No index in {settings.index_dir}: building it from {settings.corpus_dir} ...")
            try:
                report = pipeline.build(progress=progress)
            except EmptyCorpus as err:
                log(f"Starting with an empty knowledge base: {err} Or upload documents with POST /api/documents.")
                return
            log(f"Indexed {report.documents} documents, {report.chunks} passages in {report.seconds:.1f} s.")
            for p in report.problems:
                log(f"  skipped {p.path}: {p.message}")
        state.preparing = "loading the model and the index"
        pipeline.warm_up()
        log("Ready.")
        from rag.documents import recover

        recover(pipeline, log)  # uploads a killed server left, passages without vectors
    except RagError as err:
        log(f"error: {err}")
    except Exception as err:  # a bug: keep serving (the page and the API report errors), say so
        log(f"error: unexpected {type(err).__name__} while preparing: {err}")
    finally:
        state.preparing = None


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(pipeline: Pipeline, *, page: Callable | None = None, prepare: bool = True, progress=None,
          log_level: str = "info", log: Log = _stderr) -> int:
    """Serve on settings.host:port until Ctrl+C or SIGTERM; 1 when the address cannot be used."""
    from rag.api.timeouts import uvicorn_config

    s = pipeline.settings
    Auth.from_settings(s)  # a malformed RAG_AUTH / RAG_TOKENS: a RagError before binding
    try:
        sock = bind(s.host, s.port)
    except OSError as err:
        log(f"error: cannot serve on {s.host}:{s.port} ({err.strerror or err}). Try another --port.")
        return 1
    for warning in startup_warnings(s):
        log(warning)
    log_to_console()  # the rag.* log: one line per user error, a traceback only for a bug
    dump_stacks_on_signal()
    app = create_app(pipeline, page=page)
    if prepare:
        start_preparing(app.state.rag, progress, log)
    url = url_of(s.host, s.port)
    print(f"Open {url} in a browser (Ctrl+C stops). API: {url}/docs; OpenAI-compatible: {url}/v1", flush=True)
    config = uvicorn_config(app, s, log_level)
    trust_proxies(config, s)
    use_log_format()  # RAG_LOG_FORMAT=json: after uvicorn's own logging set-up
    GracefulServer(config, pipeline, log).run(sockets=[sock])
    return 0


def dump_stacks_on_signal() -> None:
    """`kill -USR1 PID` writes every thread's stack to stderr (the service log), so a stuck
    request can be seen without stopping the server."""
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):
        try:
            faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)
        except (OSError, ValueError, AttributeError):  # stderr is no file (captured, closed): no dumps
            pass


def trusted_proxies(settings) -> str:
    """The addresses (or networks) whose forwarded headers are believed: RAG_TRUSTED_PROXIES, else
    uvicorn's own FORWARDED_ALLOW_IPS; empty: none, not even 127.0.0.1."""
    return (settings.trusted_proxies or os.environ.get("FORWARDED_ALLOW_IPS", "")).strip()


def trust_proxies(config, settings) -> None:
    """uvicorn's proxy headers on, for the trusted proxies only (uvicorn's default trusts 127.0.0.1,
    so that any local process could claim any client address)."""
    trusted = trusted_proxies(settings)
    config.proxy_headers = bool(trusted)
    config.forwarded_allow_ips = trusted or "0.0.0.0/32"  # never matched; unused when proxy_headers is off
    config.timeout_graceful_shutdown = SHUTDOWN_WAIT_S


class GracefulServer(uvicorn.Server):
    """uvicorn's server, tidying up after its graceful shutdown (SIGTERM, SIGINT)."""

    def __init__(self, config, pipeline: Pipeline, log: Log):
        super().__init__(config)
        self.pipeline, self.log = pipeline, log

    async def shutdown(self, sockets=None) -> None:
        await super().shutdown(sockets)
        await asyncio.to_thread(tidy_up, self.pipeline, self.log)


def tidy_up(pipeline: Pipeline, log: Log = _stderr) -> None:
    """After the last request: wait for a change to the index in flight (its write lock), then
    finish or remove uploads that did not get to their commit, so nothing is left half-done."""
    from rag.documents import indexed_files
    from rag.history.store import close_all as close_history
    from rag.staging import finish_uploads

    try:
        if pipeline.settings.store == "local" and not pipeline.settings.index_dir.parent.is_dir():
            return
        with pipeline.writing():
            indexed = indexed_files(pipeline)
            if indexed is not None:
                finished, removed = finish_uploads(pipeline.settings.corpus_dir, indexed)
                if finished or removed:
                    log(f"Stopping: finished {len(finished)} and removed {len(removed)} upload(s) cut short.")
        close_history()  # the conversation database's connections (SQLite: no -wal/-shm left)
        log("Stopped.")
    except RagError as err:
        log(f"error: while stopping: {err}")
