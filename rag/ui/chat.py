"""The "Ask" tab: a chat over the indexed articles, with the cited passages beside it.

Each browser session keeps its own conversation in a gr.State (a list of TurnView); the
pipeline is shared and answers concurrent questions. All answering is `pipeline.ask_stream`: a
generated answer's draft is shown (greyed, "checking sources") as it streams in, then replaced by
the verified answer. The answer mode is chosen per session in the "answer settings" accordion; the
language model endpoint is the server's (RAG_LLM_*), shown there but never changeable by the page.

The knowledge-base picker (rag.library) lists those the signed-in user may read, `default` ticked;
a question goes to the ticked ones (several: searched at once, answers fused, each source card
naming its knowledge base). On a phone the sources follow the answer and the picker and filters
fold away (PHONE_CSS, PHONE_JS).
"""
from __future__ import annotations

from contextlib import closing
from typing import Iterator

import gradio as gr

from rag.auth import Auth
from rag.errors import RagError
from rag.library import DEFAULT, Library
from rag.library.names import unknown
from rag.retrieve.filters import make_filters
from rag.pipeline import Pipeline, bounded_history
from rag.text import language
from rag.types import Answer, Document
from rag.logs import failure
from rag.ui.generated import Throttle, render_draft, render_llm_settings
from rag.ui.history import attach_history
from rag.ui.render import (
    TurnView,
    render_answer,
    render_error,
    render_notice,
    render_panel,
    render_question,
    render_turn_sources,
)

EXAMPLES_FILE = "example_questions.json"  # in the corpus folder: a JSON list of questions it answers
DEFAULT_EXAMPLES: tuple[str, ...] = ()


def load_examples(corpus_dir) -> tuple[str, ...]:
    """Example questions shipped beside a corpus (the product itself knows no article)."""
    import json
    from pathlib import Path

    path = Path(corpus_dir) / EXAMPLES_FILE
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(str(q) for q in items if isinstance(q, str) and q.strip())[:6]
CHAT_CONCURRENCY = 4  # answers running at once; more wait in the queue
EMPTY_QUESTION = "请先输入一个问题，例如：某村去年接待了多少游客？ Please type a question first."
SEARCHING = {"zh": "正在查找相关文章…", "en": "Searching the articles…"}
DRAFT_INTERVAL_S = 0.1  # the draft bubble is updated at most this often
ANSWER_MODES = [("摘录 Extractive", "extractive"), ("生成 Generative", "generative")]


class ChatHandlers:
    """The chat's event handlers, bound to the shared knowledge bases (no Gradio layout here)."""

    def __init__(self, pipeline: Pipeline, library: Library | None = None):
        self.pipeline = pipeline  # the knowledge base `default`
        self.library = library or Library(default=pipeline)
        self.auth = Auth.from_settings(pipeline.settings)

    def _document(self, doc_id: str, kb: str = DEFAULT) -> Document | None:
        try:
            return self.library.pipeline(kb).document(doc_id)
        except RagError:
            return None

    def turn_view(self, answer: Answer, turn: int) -> TurnView:
        titles = self._titles()
        return TurnView(
            turn=turn,
            question=answer.question,
            html=render_turn_sources(answer, turn, self._document, full_text=True, kb_titles=titles),
            brief_html=render_turn_sources(answer, turn, self._document, full_text=False, kb_titles=titles),
        )

    def _titles(self) -> dict[str, str]:
        return {kb.name: kb.title for kb in self.library.infos()}

    def readable(self, request=None) -> list:
        """The knowledge bases the page's user may read (all, with auth off)."""
        who = self.auth.page_identity(getattr(request, "username", None))
        return [kb for kb in self.library.infos() if who is not None and who.may_read(kb.name)]

    def asked(self, kbs, request=None) -> list[str]:
        """The ticked knowledge bases (`default` when none is given), each one the user may read
        (else the same error as for one that does not exist)."""
        names = [kbs] if isinstance(kbs, str) else list(kbs or [DEFAULT])
        readable = {kb.name for kb in self.readable(request)}
        if not names:
            raise RagError("请至少勾选一个知识库。Tick at least one knowledge base.")
        for name in names:
            if name not in readable:
                raise unknown(str(name))
        return names

    def kb_choices(self, request: gr.Request = None):
        """The picker: the readable knowledge bases, `default` (else the first) ticked."""
        kbs = self.readable(request)
        names = [kb.name for kb in kbs]
        value = [DEFAULT] if DEFAULT in names else names[:1]
        return gr.update(choices=[(kb.title if kb.title == kb.name else f"{kb.title} ({kb.name})", kb.name)
                                  for kb in kbs], value=value)

    def source_choices(self, kbs=None, request: gr.Request = None):
        """The filter's source dropdown: every indexed document's source path in the ticked knowledge
        bases (none without an index)."""
        try:
            docs = [d for name in self.asked(kbs, request) for d in self.library.pipeline(name).documents()]
            sources = sorted({d.source for d in docs if d.source})
        except RagError:  # no index yet, or one that cannot be used: the ask itself says so
            sources = []
        except Exception as err:  # a bug: one traceback in the log, an empty dropdown on the page
            failure("sources", err)
            sources = []
        return gr.update(choices=sources)

    def respond(self, question: str | None, messages: list | None, turns: list[TurnView] | None,
                since: str | None = None, until: str | None = None, source: str | None = None,
                undated: str | None = None, kbs: list[str] | None = None, answer_mode: str | None = None,
                request: gr.Request = None) -> Iterator[tuple]:
        """Chat event: show the question at once, then (generative) the draft as it streams in,
        then the answer and its sources.

        since / until / source / undated: the filter row (rag.retrieve.filters); only documents that pass
        are searched. A date that cannot be read is answered with the error, nothing searched.
        kbs: the ticked knowledge bases (None: default). answer_mode: extractive | generative | None (the server's).
        Yields (question box, chatbot messages, turns state, sources panel). The box is emptied once,
        when the question moves into the chat; the answer leaves it alone, so a question typed while
        the answer was being found is not wiped.
        """
        messages, turns = list(messages or []), list(turns or [])
        q = (question if isinstance(question, str) else "").strip()
        if not q:
            gr.Warning(EMPTY_QUESTION)
            yield gr.update(), messages, turns, gr.update()
            return
        lang, shown = language(q), _showable(q)
        try:
            filters = make_filters(since, until, source, undated)
            names = self.asked(kbs, request)
        except Exception as err:  # a BadFilter is the user's (one log line); anything else a bug
            messages.append({"role": "user", "content": render_question(shown)})
            messages.append({"role": "assistant", "content": render_error(failure("ask", err), lang)})
            yield gr.update(), messages, turns, gr.update()  # the question stays in the box to retry
            return
        note = _showable(filters.describe()) if filters else None  # a typed source may hold a lone surrogate too
        messages.append({"role": "user", "content": render_question(shown, note)})
        yield "", messages + [{"role": "assistant", "content": render_notice(SEARCHING[lang])}], turns, gr.update()

        history = bounded_history([t.question for t in turns])
        try:
            answer = None
            draft: list[str] = []
            throttle = Throttle(DRAFT_INTERVAL_S)
            stream = self.library.ask_stream(names, q, history=history, filters=filters, answer=answer_mode or None)
            with closing(stream):  # the page went away: the model's reply is dropped at once
                for event in stream:
                    if isinstance(event, Answer):
                        answer = event
                    elif event:
                        draft.append(event)
                        if throttle.ready():
                            bubble = {"role": "assistant", "content": render_draft("".join(draft), lang)}
                            yield gr.update(), messages + [bubble], turns, gr.update()
            if answer is None:
                raise RuntimeError("the pipeline gave no answer")
            turn = len(turns) + 1
            view = self.turn_view(answer, turn)
        except Exception as err:  # a RagError is the user's (one log line); anything else a bug
            messages.append({"role": "assistant", "content": render_error(failure("ask", err), lang)})
            yield gr.update(), messages, turns, gr.update()
            return
        turns.append(view)
        messages.append({"role": "assistant", "content": render_answer(answer, turn)})
        yield gr.update(), messages, turns, render_panel(turns)  # the box keeps what was typed meanwhile

    @staticmethod
    def clear() -> tuple:
        return [], [], render_panel([]), ""

    def api_ask(self, question: str, history: list[str] | None = None, since: str | None = None,
                until: str | None = None, source: str | None = None, undated: str | None = None,
                answer: str | None = None, kb: str | None = None) -> dict:
        """Answer a question from the indexed articles, quoting them; the JSON of `rag ask --json`.

        Args:
            question: the question, in Chinese or English.
            history: earlier questions of the same conversation, oldest first, so that a follow-up
                such as 那村民收入呢？ is understood; only the last 8 are used, and one longer
                than the question limit is ignored.
            since: only documents dated on or after this (yyyy, yyyy-mm or yyyy-mm-dd).
            until: only documents dated on or before this (yyyy, yyyy-mm or yyyy-mm-dd).
            source: only documents whose source path contains this (a glob with * ? [ ]).
            undated: documents without a date: keep (default) or drop.
            answer: extractive, generative or auto (default: the server's setting). generative asks
                the server's language model and keeps only the sentences its sources support; it is
                refused when the server has no endpoint configured.
            kb: the knowledge base to answer from (default: default); several joined by +.
        Returns:
            question, answer (the cited sentence(s) with [n] markers), short_answer, answerable,
            citations (n, doc_id, title, date, source, quote, start, end), latency_ms, mode
            (extractive or generative: what was given), searched_question when a follow-up was
            rewritten before searching; model, verification (every sentence of the model's reply:
            text, cited, verified, reason, citations) and note when a language model was asked.
        """
        try:
            if not isinstance(history, (list, tuple, type(None))):
                raise RagError("history must be a list of earlier questions.")
            filters = make_filters(since, until, source, undated)
            limit = self.pipeline.settings.max_question_chars
            history = [h for h in bounded_history(history) if len(h) <= 2 * limit]  # Pipeline.ask checks them
            if answer is not None and not isinstance(answer, str):
                raise RagError("answer must be extractive, generative or auto.")
            from gradio.context import LocalContext

            if kb is not None and not isinstance(kb, str):
                raise RagError("kb must be a knowledge base's name.")
            names = self.asked(kb.split("+") if kb else None, LocalContext.request.get(None))
            return self.library.ask(names, question, history=history, filters=filters, answer=answer or None).to_dict()
        except Exception as err:  # one line to the caller, never a traceback on the console for their error
            raise gr.Error(failure("api ask", err), print_exception=False) from None


def _showable(text: str) -> str:
    """`text` as the page can show it: what is not text (a lone surrogate) becomes U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def answer_settings(settings) -> gr.Radio:
    """The folded "answer settings" panel: the answer mode of this page, and the server's language
    model endpoint and model as text (never its key; the page cannot change them). Without an
    endpoint, the mode is fixed to extractive and the panel says how to enable generated answers."""
    try:
        current = settings.answer_mode()
    except RagError:  # a bad RAG_ANSWER: the questions say so; the radio shows the safe choice
        current = "extractive"
    configured = bool(settings.llm_base_url)
    with gr.Accordion("回答方式 Answer settings", open=False, elem_id="answer-settings"):
        mode = gr.Radio(ANSWER_MODES, value=current if configured else "extractive", label="回答方式 Answer mode",
                        info=("生成的回答逐句核对来源 Generated answers are checked sentence by sentence"
                              if configured else "未配置语言模型 No language model configured"),
                        interactive=configured, elem_id="answer-mode")
        gr.HTML(render_llm_settings(settings.llm_base_url, settings.llm_model, bool(settings.llm_api_key),
                                    settings.llm_timeout_s), elem_id="llm-settings")
    return mode


def _filter_row() -> tuple:
    """The knowledge-base picker and the row of document filters under the question: since, until,
    source, undated; folded away on a phone (PHONE_JS)."""
    with gr.Accordion("知识库与筛选 Knowledge bases & filters", open=True, elem_id="ask-options"):
        picker = gr.CheckboxGroup(label="知识库 Knowledge bases", choices=[(DEFAULT, DEFAULT)], value=[DEFAULT],
                                  elem_id="kb-pick")
        since, until, source, undated = _filters()
    return picker, since, until, source, undated


def _filters() -> tuple:
    with gr.Row(elem_id="filters", equal_height=False):
        since = gr.Textbox(label="起始日期 Since", placeholder="2025 · 2025-01 · 2025-01-31", max_lines=1,
                           elem_id="filter-since", min_width=120)
        until = gr.Textbox(label="截止日期 Until", placeholder="2025-06", max_lines=1,
                           elem_id="filter-until", min_width=120)
        source = gr.Dropdown(label="来源 Source", choices=[], value=None, allow_custom_value=True,
                             elem_id="filter-source", min_width=180, scale=2)
        undated = gr.Radio([("保留 keep", "keep"), ("排除 drop", "drop")], value="keep",
                           label="无日期文章 Undated", elem_id="filter-undated", min_width=160)
    return since, until, source, undated


def _wire(h: ChatHandlers, question, ask, example_buttons, clear, chatbot, turns, sources, extra_inputs) -> None:
    """The chat's events: a question asked (Enter, the button, an example), and clearing."""
    outputs = [question, chatbot, turns, sources]
    common = dict(
        outputs=outputs,
        show_progress="hidden",
        trigger_mode="always_last",  # asked while the page's last answer is still running: asked right after it
        concurrency_limit=CHAT_CONCURRENCY,
        concurrency_id="chat",
        api_visibility="private",
    )
    question.submit(h.respond, inputs=[question, chatbot, turns, *extra_inputs], **common)
    ask.click(h.respond, inputs=[question, chatbot, turns, *extra_inputs], **common)
    for button in example_buttons:  # a button's value is its label: the example question
        button.click(h.respond, inputs=[button, chatbot, turns, *extra_inputs], **common)
    clear.click(h.clear, outputs=[chatbot, turns, sources, question], api_visibility="private", queue=False)
    chatbot.clear(h.clear, outputs=[chatbot, turns, sources, question], api_visibility="private", queue=False)


def build_chat_tab(pipeline: Pipeline, examples: tuple[str, ...] = DEFAULT_EXAMPLES,
                   library: Library | None = None) -> tuple[ChatHandlers, gr.Dropdown, gr.CheckboxGroup]:
    """Lay out the chat inside the current gr.Tab and wire its events; also adds the `ask` API.
    Returns the handlers, the filter row's source dropdown and the knowledge-base picker (their
    choices are filled on page load)."""
    h = ChatHandlers(pipeline, library)
    turns = gr.State([])
    with gr.Row(equal_height=False, elem_id="ask-row"):
        with gr.Column(scale=3, min_width=360, elem_id="ask-main"):
            chatbot = gr.Chatbot(
                elem_id="chat",
                show_label=False,
                height=560,
                render_markdown=False,  # messages are HTML built (and escaped) by rag.ui.render
                sanitize_html=True,
                feedback_options=None,
                buttons=[],
                placeholder=(
                    "<div class='rag-placeholder'><b>向本地新闻和政策文章提问</b><br>"
                    "答案直接摘自文章原文，并标注来源。Ask in Chinese or English.</div>"
                ),
            )
            with gr.Row(elem_id="ask-box"):
                question = gr.Textbox(
                    elem_id="question",
                    show_label=False,
                    placeholder="输入问题，按回车提问 · Type a question and press Enter",
                    lines=1,
                    max_lines=4,
                    scale=5,
                    autofocus=True,
                )
                ask = gr.Button("提问 Ask", variant="primary", scale=1, min_width=90, elem_id="ask-button")
            picker, since, until, source, undated = _filter_row()
            mode = answer_settings(pipeline.settings)
            with gr.Row(elem_id="examples"):
                example_buttons = [
                    gr.Button(q, size="sm", variant="secondary", elem_classes=["rag-example"]) for q in examples
                ]
            with gr.Row():
                clear = gr.Button("清空对话 Clear chat", size="sm", variant="stop", elem_id="clear-button")
        with gr.Column(scale=2, min_width=320, elem_id="sources-column"):
            sources = gr.HTML(render_panel([]), elem_id="sources", js_on_load=None)

    attach_history(h, chatbot, turns, sources, pipeline.settings)  # saved conversations, 👍/👎 (rag/ui/history.py)
    _wire(h, question, ask, example_buttons, clear, chatbot, turns, sources,
          [since, until, source, undated, picker, mode])
    picker.change(h.source_choices, inputs=[picker], outputs=[source], api_visibility="private")
    gr.api(h.api_ask, api_name="ask", concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat")
    return h, source, picker


# On a narrow screen (a phone, 390 px): the columns stack, and the sources panel comes right after
# the chat and the question box instead of after the picker, filters and examples; those fold away.
PHONE_WIDTH = 640
PHONE_CSS = f"""
.rag-kb {{ margin-left: 0.5em; padding: 0 0.45em; border-radius: 0.6em; font-size: 0.78em; white-space: nowrap;
  background: var(--color-accent-soft, #e8f0fe); color: var(--body-text-color-subdued, #555); }}
@media (max-width: {PHONE_WIDTH}px) {{
  #ask-row {{ flex-direction: column !important; flex-wrap: nowrap !important; }}
  #ask-main {{ display: contents !important; }}
  #ask-main > * {{ order: 5; }}
  #ask-main > #chat {{ order: 1; }}
  #ask-main > #ask-box {{ order: 2; }}
  #sources-column {{ order: 3; min-width: 0 !important; width: 100% !important; }}
  #ask-main > #ask-options {{ order: 4; }}
  #chat {{ height: 55vh !important; }}
}}
"""
PHONE_JS = f"""
() => {{
  if (window.innerWidth > {PHONE_WIDTH}) return;
  for (const id of ["ask-options"]) {{
    const open = document.querySelector(`#${{id}} > button.label-wrap.open, #${{id}} .label-wrap.open`);
    if (open) open.click();
  }}
}}
"""
