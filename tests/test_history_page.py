"""The chat's saved conversations and 👍/👎 handlers (rag/ui/history.py) over a real pipeline with the
fake embedder, with authentication on: each page user (a RAG_AUTH name, a token login) keeps their
own conversations, and ?c=ID of someone else's opens nothing. No browser."""
from __future__ import annotations

import dataclasses
import json

import pytest

gr = pytest.importorskip("gradio")

from gradio.context import LocalContext  # noqa: E402

from rag.auth import Auth, token_id  # noqa: E402
from rag.history import open_history  # noqa: E402
from rag.ui.chat import ChatHandlers  # noqa: E402
from rag.ui.history import PageHistory  # noqa: E402

FERRY = "雾港镇开通夜间渡轮\n2025年，雾港镇开通夜间渡轮航线2条，每晚运行至23时。\n"
TOKEN = "tok-page-hist-9"


class Req:
    def __init__(self, username, session):
        self.username, self.session_hash = username, session


@pytest.fixture
def page(fake_pipeline, fake_settings):
    (fake_settings.corpus_dir / "ferry.txt").write_text(FERRY, encoding="utf-8")
    fake_pipeline.build()
    fake_pipeline.settings = dataclasses.replace(fake_pipeline.settings, auth="dora:pw-dora-1:read",
                                                 tokens=f"{TOKEN}:read")
    history = PageHistory(ChatHandlers(fake_pipeline), fake_pipeline.settings)
    history.wrap()
    return history


@pytest.fixture(autouse=True)
def _no_request_left_behind():
    token = LocalContext.request.set(None)
    yield
    LocalContext.request.reset(token)


def as_user(username, session="s1"):
    LocalContext.request.set(Req(username, session))


def ask(history, question, messages=(), turns=()):
    *_, last = list(history.handlers.respond(question, list(messages), list(turns),
                                             request=LocalContext.request.get()))
    return last


def test_turns_are_saved_per_user_and_reopened_with_sources(page, monkeypatch):
    as_user("dora")
    _, messages, turns, _ = ask(page, "雾港镇开通了几条夜间渡轮航线？")
    conversation, listing = page.sync_conversation(turns)
    assert conversation and 'data-answer-id="' in messages[-1]["content"]
    _, messages, turns, _ = ask(page, "每晚运行到几点？", messages, turns)
    assert page.sync_conversation(turns)[0] == conversation  # the follow-up continues the same conversation
    stored = open_history(page.settings).conversation("dora", conversation)
    assert [t["n"] for t in stored["turns"]] == [1, 2] and stored["turns"][0]["shown"]["sources"]

    as_user("dora", "s2")  # another tab (or a reload): ?c=ID reopens it
    assert all(update == gr.skip() for update in page.restore_from_url(""))  # no ?c=: the chat is left alone
    shown, views, panel, opened = page.restore_from_url(conversation)
    assert opened == conversation and len(shown) == 4 and [v.question for v in views][0].startswith("雾港镇")
    assert 'id="src-1-1"' in panel and "ferry.txt" in panel

    warned = []
    monkeypatch.setattr(gr, "Warning", lambda message: warned.append(message))
    login = Auth.from_settings(page.settings).page_name("ops", TOKEN)  # a token's page login: ops#<token id>
    as_user(login, "s3")
    assert page.owner() == f"token:{token_id(TOKEN)}"
    assert page.open_conversation(conversation) == ([], [], page.open_conversation("")[2], "") and warned
    assert page.sync_conversation([])[0] == "" and page.choices() == []


def test_thumbs_record_feedback_for_the_rated_answer(page, monkeypatch):
    monkeypatch.setattr(gr, "Info", lambda message: None)
    as_user("dora")
    _, messages, turns, _ = ask(page, "雾港镇开通了几条夜间渡轮航线？")
    index = len(messages) - 1

    box, pending = page.rate_answer(messages, gr.LikeData(None, {"index": index, "value": None, "liked": False}))
    assert box["visible"] is True and len(pending) == 32
    page.explain_rating(pending, "2条航线", "少了单位")
    rows = open_history(page.settings).feedback_rows(rating="down")
    assert [(r["owner"], r["expected"], r["comment"]) for r in rows] == [("dora", "2条航线", "少了单位")]
    assert json.dumps(rows[0]["answer"]["citations"], ensure_ascii=False).count("ferry.txt") >= 1

    box, pending = page.rate_answer(messages, gr.LikeData(None, {"index": index, "value": None, "liked": True}))
    assert box["visible"] is False and pending == ""
    assert [r["rating"] for r in open_history(page.settings).feedback_rows()] == ["up"]
    box, _ = page.rate_answer(messages, gr.LikeData(None, {"index": 0, "value": None, "liked": False}))  # the question
    assert box["visible"] is False



def test_a_step_on_another_thread_does_not_fail(fake_settings):
    """Gradio runs every step of a generator handler on whichever worker thread is free: a step on
    a thread where no earlier step ran (a streamed draft, before any answer is captured) must not
    fail, and the answer captured in the last step is still saved."""
    import threading
    from types import SimpleNamespace

    def respond(question, messages, turns, request=None):
        for n in range(3):  # drafts: no turn_view called in these steps
            yield "", messages + [{"role": "assistant", "content": "draft " * n}], turns, ""
        handlers.turn_view("the answer", "turn")
        yield "", messages + [{"role": "assistant", "content": "final"}], turns, ""

    handlers = SimpleNamespace(turn_view=lambda answer, turn: SimpleNamespace(html="", brief_html=""),
                               respond=respond)
    history = PageHistory(handlers, fake_settings)
    history.wrap()
    saved = []
    history._saved = lambda out, answer, view: saved.append(answer) or out
    steps = handlers.respond("q", [], [])
    outs, errors = [], []

    def step():
        try:
            outs.append(next(steps, None))
        except Exception as err:  # noqa: BLE001 - the failure under test
            errors.append(err)

    while not outs or outs[-1] is not None:
        worker = threading.Thread(target=step)  # a new thread for each step, as the pool may give
        worker.start()
        worker.join()
        assert errors == []
    assert len(outs) == 5 and saved == ["the answer"]
