"""Saved conversations and 👍/👎 on the chat page (rag.history keeps them on the server).

    attach_history(handlers, chatbot, turns, sources, settings)   # in build_chat_tab, before its events

Every answer the chat gives is stored as a turn of the page's current conversation, with the
bubbles and sources as shown, under the signed-in user (a RAG_AUTH name, `token:<id>` for a token
login, everyone alike with authentication off). The page's address carries the conversation
(`?c=ID`): a reload, or the link opened later, reopens it with its sources, when it is the user's.
The list under the chat reopens, starts or deletes conversations. The chatbot's 👍/👎 rate an
answer; 👎 opens a box for the right answer and what was wrong (`rag feedback export`).

Every event here needs the read role (rag/ui/guard.py wraps them); the list of 👎 answers on the
knowledge-base tab (`feedback_panel`) needs admin.
"""
# no `from __future__ import annotations`: Gradio reads gr.LikeData from the handlers' annotations
import functools
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from html import escape

import gradio as gr

from rag.auth import PAGE_TOKEN_MARK, Auth
from rag.history import ANONYMOUS, MAX_TEXT_CHARS, open_history
from rag.logs import failure
from rag.ui.guard import needs_admin
from rag.ui.render import TurnView, render_panel

DEFAULT_KB = "default"
MAX_SESSIONS = 10_000
ANSWER_ID = re.compile(r'data-answer-id=\\?"([0-9a-f]{32})')
URL_JS = """(c) => { const u = new URL(window.location.href);
  if (c) { u.searchParams.set('c', c); } else { u.searchParams.delete('c'); }
  window.history.replaceState(null, '', u.toString()); return []; }"""
READ_URL_JS = "(c) => [new URLSearchParams(window.location.search).get('c') || '']"
THANKS = "谢谢！Thanks for the feedback."
ONLY_ANSWERS = "只能评价有出处的回答。Only answers can be rated."


def _request():
    from gradio.context import LocalContext

    return LocalContext.request.get(None)


def kb_of(answer) -> str:
    """The knowledge base(s) an answer came from, as its citations name them ("a+b"; `default` when none)."""
    return "+".join(sorted({c.kb for c in answer.citations if c.kb})) or DEFAULT_KB


def mark(bubble: str, answer_id: str) -> str:
    """The answer's bubble carrying its id (read back when the bubble is rated)."""
    return bubble.replace('<div class="rag-answer"', f'<div class="rag-answer" data-answer-id="{answer_id}"', 1)


class PageHistory:
    def __init__(self, handlers, settings):
        self.handlers = handlers
        self.settings = settings
        self.auth = Auth.from_settings(settings)
        self.current: OrderedDict[str, str] = OrderedDict()  # the page session -> its conversation
        self.lock = threading.Lock()
        self.local = threading.local()

    # -- who and where -------------------------------------------------------------------------
    def owner(self) -> str:
        if not self.auth.enabled:
            return ANONYMOUS
        name = getattr(_request(), "username", None) or ""
        user, sign, tid = name.rpartition(PAGE_TOKEN_MARK)
        return f"token:{tid}" if sign and user and name not in self.auth.users else name

    def _session(self) -> str:
        return getattr(_request(), "session_hash", None) or ""

    def _set_current(self, conversation: str | None) -> None:
        with self.lock:
            session = self._session()
            self.current.pop(session, None)
            if conversation:
                self.current[session] = conversation
            while len(self.current) > MAX_SESSIONS:
                self.current.popitem(last=False)

    def store(self):
        return open_history(self.settings)

    # -- answers become turns ----------------------------------------------------------------
    def wrap(self) -> None:
        """Make the handlers' respond save each answer (and its id in the bubble)."""
        h, local = self.handlers, self.local
        turn_view, respond = h.turn_view, h.respond

        @functools.wraps(turn_view)
        def captured(answer, turn):
            view = turn_view(answer, turn)
            local.captured = (answer, view)
            return view

        @functools.wraps(respond)
        def saving(*args, **kwargs):
            # Gradio runs each step of a generator on whichever worker thread is free, so the
            # thread-local holds only what this step's turn_view captured (a step calls turn_view
            # and yields on one thread), and may never have been set on this thread at all.
            local.captured = None
            for out in respond(*args, **kwargs):
                got, local.captured = getattr(local, "captured", None), None
                yield self._saved(out, *got) if got is not None and isinstance(out[1], list) else out

        h.turn_view, h.respond = captured, saving

    def _saved(self, out: tuple, answer, view: TurnView) -> tuple:
        box, messages, turns, panel = out
        if len(messages) < 2 or not isinstance(messages[-1], dict):
            return out
        answer_id = secrets.token_hex(16)
        bubble = mark(str(messages[-1].get("content", "")), answer_id)
        shown = {"user": messages[-2].get("content", ""), "bubble": bubble, "sources": view.html,
                 "brief": view.brief_html}
        with self.lock:
            conversation = self.current.get(self._session())
        try:
            _, conversation = self.store().record(answer, self.owner(), kb=kb_of(answer), conversation=conversation,
                                                  shown=shown, new_conversation=True, answer_id=answer_id)
        except Exception as err:  # the database down: the answer is still shown, unsaved and unrated
            failure("page history", err)
            return out
        self._set_current(conversation)
        messages = messages[:-1] + [{**messages[-1], "content": bubble}]
        return box, messages, turns, panel

    # -- the list ------------------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        try:
            rows = self.store().conversations(self.owner())
        except Exception as err:
            failure("page history", err)
            return []
        return [(f"{time.strftime('%m-%d %H:%M', time.localtime(r['updated']))} · {r['title'][:40]}", r["id"])
                for r in rows]

    def list_conversations(self):
        return gr.update(choices=self.choices())

    def sync_conversation(self, turns):
        """After every change of the conversation: its id (for the address) and the list."""
        if not turns:  # cleared: the next question starts a new conversation
            self._set_current(None)
        with self.lock:
            conversation = self.current.get(self._session(), "")
        return conversation, gr.update(choices=self.choices(), value=conversation or None)

    def open_conversation(self, conversation_id):
        """Reopen one of the user's conversations: its bubbles, sources and follow-up context."""
        empty = ([], [], render_panel([]), "")
        if not conversation_id:
            return empty
        found = self.store().conversation(self.owner(), str(conversation_id)[:64])
        if found is None:
            gr.Warning("没有找到这个对话。No such conversation of yours.")
            return empty
        messages, views = [], []
        for t in found["turns"]:
            shown = t["shown"] or {}
            messages.append({"role": "user", "content": shown.get("user") or escape(t["question"])})
            messages.append({"role": "assistant", "content": shown.get("bubble") or mark(
                f'<div class="rag-answer">{escape(t["answer"].get("answer", ""))}</div>', t["answer_id"])})
            views.append(TurnView(turn=len(views) + 1, question=t["question"], html=shown.get("sources", ""),
                                  brief_html=shown.get("brief", "")))
        self._set_current(found["id"])
        return messages, views, render_panel(views), found["id"]

    def restore_from_url(self, conversation_id):
        """The page's load event: the conversation named by ?c= reopened. Without one nothing
        changes: the event may finish after the user's first question (a busy server), and an
        empty chat sent then would wipe that question and its answer from the page."""
        if not conversation_id:
            return (gr.skip(),) * 4
        return self.open_conversation(conversation_id)

    def new_conversation(self):
        self._set_current(None)
        return [], [], render_panel([]), ""

    def delete_conversation(self, conversation_id):
        """Delete the selected conversation (the chat is emptied when it is the one shown)."""
        if conversation_id:
            self.store().delete(self.owner(), str(conversation_id))
        with self.lock:
            current = self.current.get(self._session())
        listed = gr.update(choices=self.choices(), value=None)
        if current and current == conversation_id:
            return (*self.new_conversation(), listed)
        return gr.update(), gr.update(), gr.update(), gr.update(), listed

    # -- 👍 / 👎 -------------------------------------------------------------------------------
    def rate_answer(self, messages, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        try:
            message = (messages or [])[int(index)]
        except (IndexError, TypeError, ValueError):
            message = None
        found = ANSWER_ID.search(json.dumps(message, ensure_ascii=False)) if message is not None else None
        if found is None or data.liked in (None, ""):
            if found is None:
                gr.Info(ONLY_ANSWERS)
            return gr.update(visible=False), ""
        down = data.liked is False or str(data.liked).lower() in ("dislike", "false")
        try:
            self.store().feedback(found.group(1), "down" if down else "up", self.owner())
        except Exception as err:
            gr.Warning(failure("page feedback", err))
            return gr.update(visible=False), ""
        if not down:
            gr.Info(THANKS)
        return gr.update(visible=down), found.group(1) if down else ""

    def explain_rating(self, answer_id, expected, comment):
        if answer_id:
            try:
                self.store().feedback(answer_id, "down", self.owner(), comment=comment or None,
                                      expected=expected or None)
            except Exception as err:
                gr.Warning(failure("page feedback", err))
                return gr.update(), answer_id, gr.update(), gr.update()
            gr.Info(THANKS)
        return gr.update(visible=False), "", "", ""


def attach_history(handlers, chatbot, turns, sources, settings) -> PageHistory:
    """Lay out the conversation list and the 👎 box (under the chat) and wire them; call it inside
    the chat tab, before the chat's own events are wired (it wraps handlers.respond)."""
    from gradio.context import Context

    page = PageHistory(handlers, settings)
    page.wrap()
    chatbot.feedback_options = ("Like", "Dislike")  # the chatbot's own 👍/👎 under each reply
    with gr.Column(visible=False, elem_id="feedback-box") as box:
        gr.Markdown("这个回答哪里不对？（可不填）What was wrong? (optional)")
        expected = gr.Textbox(label="正确答案 The right answer", max_lines=3, max_length=MAX_TEXT_CHARS,
                              elem_id="feedback-expected")
        comment = gr.Textbox(label="问题所在 What was wrong", max_lines=5, max_length=MAX_TEXT_CHARS,
                             elem_id="feedback-comment")
        send = gr.Button("提交 Send", size="sm", elem_id="feedback-send")
    pending = gr.State("")
    with gr.Accordion("对话记录 Conversations", open=False, elem_id="conversations"):
        listing = gr.Radio(choices=[], label="过去的对话 Past conversations", elem_id="conversation-list")
        with gr.Row():
            new = gr.Button("新对话 New conversation", size="sm", elem_id="conversation-new")
            delete = gr.Button("删除所选 Delete selected", size="sm", variant="stop", elem_id="conversation-delete")
    current = gr.Textbox(visible=False, elem_id="conversation-id")
    private = dict(api_visibility="private")
    shown = [chatbot, turns, sources, current]
    chatbot.like(page.rate_answer, inputs=[chatbot], outputs=[box, pending], **private)
    send.click(page.explain_rating, inputs=[pending, expected, comment], outputs=[box, pending, expected, comment],
               **private)
    turns.change(page.sync_conversation, inputs=[turns], outputs=[current, listing], **private).then(
        None, inputs=[current], js=URL_JS, **private)
    listing.input(page.open_conversation, inputs=[listing], outputs=shown, **private)
    new.click(page.new_conversation, outputs=shown, **private)
    delete.click(page.delete_conversation, inputs=[listing], outputs=[*shown, listing], **private)
    root = Context.root_block  # the page's Blocks, being built
    root.load(page.restore_from_url, inputs=[current], outputs=shown, js=READ_URL_JS, **private)
    root.load(page.list_conversations, outputs=[listing], **private)
    return page


def render_feedback(rows: list[dict]) -> str:
    if not rows:
        return '<div class="rag-empty">还没有 👎 的回答。No answers marked wrong yet.</div>'
    items = []
    for r in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["created"]))
        extra = "".join(f"<div><b>{label}</b> {escape(r[key])}</div>"
                        for key, label in (("expected", "正确答案 Right answer:"), ("comment", "意见 Comment:"))
                        if r.get(key))
        items.append(f'<li class="rag-feedback"><div><b>{escape(r["question"])}</b> <small>{when} · '
                     f'{escape(r["owner"])}</small></div><div>{escape(r["answer"].get("answer", ""))}</div>{extra}</li>')
    return f'<ul class="rag-feedback-list">{"".join(items)}</ul>'


def feedback_panel(settings, chosen=None) -> None:
    """On the knowledge-base tab: the answers users marked 👎 in the chosen knowledge base (`chosen`,
    the tab's dropdown; `default` without one), newest first, for that knowledge base's admins."""
    auth = Auth.from_settings(settings)

    @needs_admin
    def answers_marked_wrong(kb: str | None = None, request: gr.Request = None):
        kb = kb or DEFAULT_KB
        if not auth.page_may_write(request, kb):
            raise gr.Error("只有这个知识库的管理员可以查看。Only this knowledge base's admins may see them.",
                           print_exception=False)
        try:
            return render_feedback(open_history(settings).feedback_rows(kb=kb, rating="down", limit=100))
        except Exception as err:
            raise gr.Error(failure("page feedback", err), print_exception=False) from None

    with gr.Accordion("👎 被标为错误的回答 Answers marked wrong", open=False, elem_id="feedback-admin"):
        button = gr.Button("显示 Show (admin)", size="sm", elem_id="feedback-show")
        listing = gr.HTML(elem_id="feedback-list")
    button.click(answers_marked_wrong, inputs=[chosen] if chosen is not None else None, outputs=listing,
                 api_visibility="private")
