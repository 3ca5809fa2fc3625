"""The Gradio shell: `build_app(pipeline, settings)` lays out the tabs; `mount(fastapi_app,
pipeline, settings)` puts them on a FastAPI app (what `rag serve` and app.py do, beside the HTTP
API), `launch(app, settings)` serves them alone. Offline either way. The UI calls only the
Pipeline; it holds no retrieval or answering logic.

Importing this package imports gradio; `import rag` does not.
"""
from __future__ import annotations

import os
from typing import Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.library import Library  # noqa: E402
from rag.ui.chat import PHONE_CSS, PHONE_JS, build_chat_tab, load_examples  # noqa: E402
from rag.ui.evaluate import build_evaluate_tab  # noqa: E402
from rag.ui.history import feedback_panel  # noqa: E402
from rag.ui.knowledge import build_knowledge_tab  # noqa: E402
from rag.ui.queue_stream import SCRIPT as QUEUE_STREAM_SCRIPT  # noqa: E402
from rag.ui.theme import CSS, HEAD, theme  # noqa: E402

TITLE = "本地新闻问答 · Local News Q&A"
MAX_UPLOAD = "50mb"


def _ask_tab(pipeline: Pipeline, settings: Settings, library: Library | None = None) -> Callable | None:
    handlers, source_filter, picker = build_chat_tab(pipeline, load_examples(settings.corpus_dir), library)

    def on_load(app: gr.Blocks) -> None:  # the picker lists what the user may read, the source dropdown
        app.load(handlers.kb_choices, outputs=picker, api_visibility="private").then(  # what is indexed there
            handlers.source_choices, inputs=picker, outputs=source_filter, api_visibility="private")
        app.load(None, js=PHONE_JS)  # on a phone, the picker and filters fold away

    return on_load


def _knowledge_tab(pipeline: Pipeline, settings: Settings, library: Library | None = None) -> Callable | None:
    handlers, chosen, listing = build_knowledge_tab(pipeline, settings, library)
    feedback_panel(settings, chosen)  # the answers marked 👎 in the chosen knowledge base, for its admins

    def on_load(app: gr.Blocks) -> None:
        app.load(handlers.kb_choices, outputs=chosen, api_visibility="private").then(
            handlers.view, inputs=handlers.view_inputs, outputs=listing, api_visibility="private")

    return on_load


_ask_tab.takes_library = _knowledge_tab.takes_library = True  # build_app hands them the knowledge bases

# The tabs, in order: (label, elem_id, builder). A builder lays out its tab inside the open
# gr.Tab and may return a callback that receives the finished Blocks (e.g. to add app.load).
# To add a tab, append a builder here, e.g. ("评估 Evaluate", "tab-evaluate", build_evaluate_tab)
# from rag/ui/evaluate.py.
TABS: list[tuple[str, str, Callable[[Pipeline, Settings], Callable | None]]] = [
    ("问答 Ask", "tab-ask", _ask_tab),
    ("知识库 Knowledge base", "tab-knowledge", _knowledge_tab),
    ("评估 Evaluate", "tab-evaluate", build_evaluate_tab),
]


def build_app(pipeline: Pipeline, settings: Settings, tabs=None, library: Library | None = None) -> gr.Blocks:
    """The whole app as a gr.Blocks (not launched); `library`: the knowledge bases (default: those
    of RAG_HOME around `pipeline`, the knowledge base `default`)."""
    library = library or Library(default=pipeline)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(
            f"# {TITLE}\n答案逐字摘自收录的文章，每一句都标明出处。"
            "Answers are quoted from the indexed articles, each with its source.",
            elem_id="app-title",
        )
        callbacks = []
        with gr.Tabs():
            for label, elem_id, builder in tabs or TABS:
                with gr.Tab(label, elem_id=elem_id):
                    callback = (builder(pipeline, settings, library) if getattr(builder, "takes_library", False)
                                else builder(pipeline, settings))
                    if callback:
                        callbacks.append(callback)
        for callback in callbacks:
            callback(app)
    app.queue(default_concurrency_limit=1)
    return app


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for `Blocks.launch`: offline, local fonts, our CSS and scripts."""
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        theme=theme(),
        css=CSS + PHONE_CSS,
        head=HEAD + QUEUE_STREAM_SCRIPT,  # the second keeps Gradio's event stream whole (no lost question)
        ssr_mode=False,  # no Node server
        share=False,
        show_error=False,  # RagError messages are shown by the handlers; never a traceback
        max_file_size=MAX_UPLOAD,
        footer_links=["api"],
        quiet=True,
    )


def launch(app: gr.Blocks, settings: Settings, **overrides):
    return app.launch(**{**launch_options(settings), **overrides})


def mount(server, pipeline: Pipeline, settings: Settings, path: str = "/"):
    """Build the app and mount it at `path` of the FastAPI app `server`, with the launch options and
    the page's guards (rag/ui/guard.py): a role check on every event, and files only from this
    caller's uploads.

    Mount it after the server's own routes: a mount at "/" takes every path they leave."""
    from rag.auth import Auth
    from rag.ui.guard import FileGuard, Uploads, guard_events
    from rag.documents import upload_folder

    options = {k: v for k, v in launch_options(settings).items() if k not in ("share", "quiet")}
    auth = Auth.from_settings(settings)
    if auth.enabled:  # Gradio's login page guards the page and its own API
        options["auth"] = auth.page_login
        options["auth_message"] = "请登录（RAG_AUTH 用户名和密码；或任意用户名加 RAG_TOKENS 令牌）"
    state = getattr(getattr(server, "state", None), "rag", None)  # the API's knowledge bases, when mounted there
    blocks = build_app(pipeline, settings, library=getattr(state, "library", None))
    guard_events(blocks, auth)
    blocks.has_launched = True  # Gradio's own check of event files (inputs only from its upload folder) runs when launched
    server = gr.mount_gradio_app(server, blocks, path=path, **options)
    page = server.routes[-1].app  # the Gradio app just mounted
    page.add_middleware(FileGuard, uploads=Uploads(upload_folder))
    return server
