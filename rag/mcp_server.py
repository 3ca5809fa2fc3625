"""The Model Context Protocol server (the official `mcp` SDK): tools an agent calls.

    search(query, kb, k, since, until, source)  -> passages, each with what a citation needs
    ask(question, kb, since, until, source)     -> the cited answer (the JSON of `rag ask --json`)

`rag mcp` serves it over stdio (an agent starts it as a subprocess); `rag serve` also serves it as
streamable HTTP at /mcp, behind the same authentication as /api (rag/api/guard.py; both tools only
read, so the read role suffices); there the SDK is imported on the first request to /mcp, not when
the app is made. Answers are recorded like the API's (rag.history), so an agent
can rate them with POST /api/feedback by their answer_id.

`kb` names a knowledge base (rag.library; `default` when not given): one the caller may not read is
answered like one that is not there.
"""
# no `from __future__ import annotations`: the SDK reads the tools' annotations, and Context is imported late

import contextlib
from typing import Any, Callable

from rag.errors import RagError
from rag.history import ANONYMOUS
from rag.logs import failure

DEFAULT_KB = "default"
MAX_K = 20
INSTRUCTIONS = ("Cited answers from the indexed Chinese local news and policy articles. Use `ask` for an "
                "answer quoted from the articles with numbered citations; use `search` for the passages "
                "themselves. Questions may be in Chinese or English.")


def library_kbs(library) -> Callable:
    """resolve(kb, who) -> (library, name) for knowledge base `kb` (`default` when empty) of `library`
    (rag.library), when `who` (an Identity; None: stdio, the local user) may read it. A malformed
    name is an error saying what a name may be; one not there or not readable, the same "No
    knowledge base" (names do not leak)."""
    from rag.library import check_name
    from rag.library.names import unknown

    def resolve(kb: str | None, who=None):
        name = check_name(kb or DEFAULT_KB)
        if (who is not None and not who.may_read(name)) or name not in library.names():
            raise unknown(name)
        return library, name
    return resolve


def _who(ctx):
    """The signed-in identity of the HTTP request (rag.api.guard), else None (stdio: the local user)."""
    try:
        request = ctx.request_context.request
        return request.scope.get("state", {}).get("rag_user") if request is not None else None
    except (AttributeError, ValueError):
        return None


def _owner(ctx) -> str:
    """Who asks, for the conversation store: the signed-in name, else anonymous (stdio)."""
    who = _who(ctx)
    return who.name if who is not None else ANONYMOUS


def _filters(since, until, source):
    from rag.retrieve.filters import make_filters

    return make_filters(since, until, source, None)


def passages(pipeline, query: str, k: int, filters) -> list[dict]:
    """The top `k` passages for `query`, with their document's title, date and source."""
    out = []
    for rank, hit in enumerate(pipeline.search(query, k=k, filters=filters), start=1):
        c = hit.chunk
        doc = pipeline.document(c.doc_id)
        out.append({"n": rank, "doc_id": c.doc_id, "title": doc.title, "date": doc.date, "source": doc.source,
                    "text": c.text, "start": c.start, "end": c.end, "score": round(hit.score, 4)})
    return out


@contextlib.contextmanager
def _told_to_the_agent():
    """A RagError (unknown knowledge base, bad date, question too long) becomes the tool's error
    message, one line in the log; anything else stays the SDK's generic tool error."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except RagError as err:
        raise ToolError(failure("mcp", err)) from None


def build_server(resolve: Callable, record: Callable | None = None):
    """An MCPServer with the two tools. `record(answer, owner, kb)` returns the answer with its
    answer_id (rag.history), or is None."""
    from mcp.server.mcpserver import Context, MCPServer

    server = MCPServer(name="rag", instructions=INSTRUCTIONS)

    @server.tool(structured_output=True)
    def search(query: str, ctx: Context, kb: str = DEFAULT_KB, k: int = 5, since: str | None = None, until: str | None = None,
               source: str | None = None) -> dict[str, Any]:
        """Passages of the indexed articles that match `query` (hybrid dense + BM25 search), best first.
        Each has doc_id, title, date, source and the passage text with its offsets (start, end) in the
        document. since / until: yyyy, yyyy-mm or yyyy-mm-dd; source: part of the source path or a glob."""
        with _told_to_the_agent():
            (library, name), k = resolve(kb, _who(ctx)), max(1, min(int(k), MAX_K))
            with library.using([name]) as (pipeline,):
                found = passages(pipeline, query, k, _filters(since, until, source))
            return {"kb": name, "query": query, "passages": found}

    @server.tool(structured_output=True)
    def ask(question: str, ctx: Context, kb: str = DEFAULT_KB, since: str | None = None,
            until: str | None = None, source: str | None = None) -> dict[str, Any]:
        """Answer `question` from the indexed articles, quoting them: answer (sentences with [n]
        markers), short_answer, answerable (false: the articles do not say), citations (n, doc_id,
        title, date, source, the verbatim quote and its offsets) and answer_id."""
        with _told_to_the_agent():
            library, name = resolve(kb, _who(ctx))
            answer = library.ask([name], question, filters=_filters(since, until, source))
        if record is not None:
            answer = record(answer, _owner(ctx), name)
        return {"kb": name, **answer.to_dict()}

    return server


def history_recorder(settings) -> Callable:
    """record(answer, owner, kb) for build_server: the answer stored in rag.history, with its id
    (unchanged, and one log line, when the database cannot be written)."""
    def record(answer, owner: str, kb: str):
        try:
            from rag.history import open_history

            return open_history(settings).record(answer, owner, kb=kb)[0]
        except Exception as err:
            failure("mcp history", err)
            return answer
    return record


def run_stdio(pipeline):
    """Serve the tools on stdin/stdout until the client closes them: every knowledge base of the
    pipeline's RAG_HOME (the local user may read them all)."""
    from rag.library import Library

    build_server(library_kbs(Library(default=pipeline)), history_recorder(pipeline.settings)).run("stdio")


def mount_http(app, pipeline, path: str = "/mcp") -> None:
    """Serve the tools as streamable HTTP at `path` of the FastAPI `app` (stateless, JSON replies).
    Lazily: the SDK is imported and the server built on the first request to `path` (LazyEndpoint),
    so that creating the app, and every server start, does not wait for it. Mount it before a page at "/"."""
    from starlette.routing import Route

    def build():
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
        from mcp.server.transport_security import TransportSecuritySettings

        def resolve(kb, who):  # the server's knowledge bases, as the caller may read them
            return library_kbs(app.state.rag.library)(kb, who)

        server = build_server(resolve, history_recorder(pipeline.settings))
        server.streamable_http_app(  # sets up its session manager; the Host header is checked by rag.api.guard
            streamable_http_path=path, stateless_http=True, json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        return server.session_manager, StreamableHTTPASGIApp(server.session_manager)

    endpoint = LazyEndpoint(build)
    app.router.routes.append(Route(path, endpoint=endpoint))
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(owner):
        try:
            async with previous(owner) as state:
                yield state
        finally:
            await endpoint.close()  # its session manager stops with the app

    app.router.lifespan_context = lifespan


def _import_sdk() -> None:
    """What build_server and the transport need (about a second here; the slow part of /mcp's first request)."""
    import importlib

    for module in ("mcp.server.mcpserver", "mcp.server.streamable_http_manager"):
        importlib.import_module(module)


class LazyEndpoint:
    """An ASGI endpoint made on its first request: the SDK imported in a worker thread (the event loop
    keeps answering meanwhile; concurrent first requests wait for the one import), then `build()` ->
    (session manager, endpoint); the session manager runs in a task of its own until `close()` (the
    app's lifespan ending), after which the next request builds a fresh one."""

    def __init__(self, build: Callable):
        self.build = build
        self.endpoint = None
        self._lock = self._task = self._stop = None

    async def __call__(self, scope, receive, send) -> None:
        endpoint = self.endpoint or await self._start()
        await endpoint(scope, receive, send)

    async def _start(self):
        import asyncio

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.endpoint is None:
                await asyncio.to_thread(_import_sdk)
                manager, endpoint = self.build()
                ready, self._stop = asyncio.Event(), asyncio.Event()
                self._task = asyncio.create_task(self._run(manager, ready))
                await ready.wait()
                if self._task.done():  # it could not start: say why, and try afresh next time
                    failed, self._task = self._task, None
                    failed.result()
                self.endpoint = endpoint
        return self.endpoint

    async def _run(self, manager, ready) -> None:
        try:
            async with manager.run():
                ready.set()
                await self._stop.wait()
        finally:
            ready.set()

    async def close(self) -> None:
        task, stop = self._task, self._stop
        self.endpoint = self._lock = self._task = self._stop = None
        if task is not None:
            stop.set()
            await task
