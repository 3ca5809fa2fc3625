"""The Model Context Protocol server (the official `mcp` SDK): tools an agent calls.

    search(query, kb, k, since, until, source)  -> passages, each with what a citation needs
    ask(question, kb, since, until, source)     -> the cited answer (the JSON of `rag ask --json`)

`rag mcp` serves it over stdio (an agent starts it as a subprocess); `rag serve` also serves it as
streamable HTTP at /mcp, behind the same authentication as /api (rag/api/guard.py; both tools only
read, so the read role suffices). Answers are recorded like the API's (rag.history), so an agent
can rate them with POST /api/feedback by their answer_id.

`kb` names a knowledge base; `resolve(kb)` gives its pipeline (by default only "default" exists).
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


def one_kb(pipeline) -> Callable:
    """A resolver for a server with one knowledge base, `default`."""
    def resolve(kb: str | None):
        if kb not in (None, "", DEFAULT_KB):
            raise RagError(f"Unknown knowledge base {str(kb)[:60]!r}; this server has only {DEFAULT_KB!r}.")
        return pipeline
    return resolve


def _owner(ctx) -> str:
    """Who asks: the signed-in identity of the HTTP request (rag.api.guard), else anonymous (stdio)."""
    try:
        request = ctx.request_context.request
        who = request.scope.get("state", {}).get("rag_user") if request is not None else None
    except (AttributeError, ValueError):
        who = None
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
    def search(query: str, kb: str = DEFAULT_KB, k: int = 5, since: str | None = None, until: str | None = None,
               source: str | None = None) -> dict[str, Any]:
        """Passages of the indexed articles that match `query` (hybrid dense + BM25 search), best first.
        Each has doc_id, title, date, source and the passage text with its offsets (start, end) in the
        document. since / until: yyyy, yyyy-mm or yyyy-mm-dd; source: part of the source path or a glob."""
        with _told_to_the_agent():
            pipeline, k = resolve(kb), max(1, min(int(k), MAX_K))
            return {"kb": kb, "query": query, "passages": passages(pipeline, query, k, _filters(since, until, source))}

    @server.tool(structured_output=True)
    def ask(question: str, ctx: Context, kb: str = DEFAULT_KB, since: str | None = None,
            until: str | None = None, source: str | None = None) -> dict[str, Any]:
        """Answer `question` from the indexed articles, quoting them: answer (sentences with [n]
        markers), short_answer, answerable (false: the articles do not say), citations (n, doc_id,
        title, date, source, the verbatim quote and its offsets) and answer_id."""
        with _told_to_the_agent():
            answer = resolve(kb).ask(question, filters=_filters(since, until, source))
        if record is not None:
            answer = record(answer, _owner(ctx), kb)
        return {"kb": kb, **answer.to_dict()}

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
    """Serve the tools on stdin/stdout until the client closes them."""
    build_server(one_kb(pipeline), history_recorder(pipeline.settings)).run("stdio")


def mount_http(app, pipeline, path: str = "/mcp") -> None:
    """Serve the tools as streamable HTTP at `path` of the FastAPI `app` (stateless, JSON replies);
    its session manager runs inside the app's lifespan. Mount it before a page at "/"."""
    from mcp.server.transport_security import TransportSecuritySettings

    server = build_server(one_kb(pipeline), history_recorder(pipeline.settings))
    http = server.streamable_http_app(  # the Host header is checked by rag.api.guard already
        streamable_http_path=path, stateless_http=True, json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    app.router.routes.extend(http.routes)
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(owner):
        async with server.session_manager.run():
            async with previous(owner) as state:
                yield state

    app.router.lifespan_context = lifespan
