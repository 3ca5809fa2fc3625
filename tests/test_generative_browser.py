"""A generated answer in a real browser: `app.py` (fake embedder, one small article) pointed at a
scripted OpenAI-compatible server whose reply streams slowly and invents one number.

The draft must show (greyed, "checking sources") before the answer; the answer must show the
verified sentence linked to its highlighted quote, and the invented number only folded away as
not verified. One server start; the browser, screenshots and foreign-host check are
tests/test_app_browser.py's.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.llm_servers import Script
from tests.test_app_generative import ARTICLE, GOOD, MADE_UP, QUESTION  # 486万元 is in no passage
from tests.test_app_browser import (  # noqa: F401 - browser and artifacts are fixtures
    ANSWER_TIMEOUT, CHROMIUM, Session, app_running, artifacts, browser, squash,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

KEY = "sk-browser-secret-42"
START_TIMEOUT = 120


@pytest.fixture(scope="module")
def gen_server(tmp_path_factory, artifacts, llm):  # noqa: F811
    """URL of app.py over one article (fake embedder), its language model the scripted server."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    root = tmp_path_factory.mktemp("genapp")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "qingshi.txt").write_text(ARTICLE, encoding="utf-8")
    with app_running(root, corpus, artifacts / "app-generative.log", RAG_MODEL="fake-hashing", RAG_READER="off",
                     RAG_LLM_BASE_URL=llm.base_url, RAG_LLM_MODEL="scripted-model", RAG_LLM_API_KEY=KEY,
                     RAG_LLM_TIMEOUT_S="60", RAG_ANSWER="auto") as url:
        yield url


def test_draft_streams_then_only_the_verified_sentence_is_shown_as_supported(browser, gen_server, artifacts,  # noqa: F811
                                                                              llm):
    s = Session(browser, gen_server, artifacts)
    page = s.page
    try:
        page.click("#answer-settings button, #answer-settings .label-wrap")  # open the accordion
        settings = page.locator("#llm-settings")
        settings.wait_for()
        assert llm.base_url in settings.inner_text() and "scripted-model" in settings.inner_text()
        assert page.locator("#answer-mode input[value=generative]").is_checked()
        assert KEY not in page.content()

        llm.script = Script(reply=GOOD + MADE_UP, chunk_chars=2, delay_s=0.25)  # about 4.5 s of streaming
        before = s.send(QUESTION)
        draft = page.locator("#chat .rag-draft")
        try:
            draft.wait_for(timeout=ANSWER_TIMEOUT)
        except Exception:
            s.keep_evidence(f"gen-timeout-{time.strftime('%H%M%S')}")
            raise
        assert page.locator("#chat .rag-answer").count() == before  # the draft comes first
        assert "草稿，正在核对来源" in draft.inner_text()
        shown = squash(draft.locator(".rag-draft-text").inner_text())
        assert shown and (GOOD + MADE_UP).startswith(shown), shown
        assert draft.locator("a").count() == 0  # a draft's markers link nowhere
        s.shot("10-generative-draft")

        reply = s.reply(before)
        assert page.locator("#chat .rag-draft").count() == 0  # replaced by the verified answer
        sentence = reply.locator(".rag-sentence")
        assert "386万元" in squash(sentence.inner_text()) and "486" not in sentence.inner_text()
        marker = sentence.locator("a.rag-cite").first
        card = page.locator(f"#sources {marker.get_attribute('href')}")
        assert "386万元" in squash(card.locator(".rag-passage mark.rag-quote").inner_text())
        assert "486" not in page.locator("#sources").inner_text()
        assert reply.locator(".rag-answer-note").is_visible()
        removed = reply.locator("details.rag-unverified")
        assert removed.count() == 1 and removed.get_attribute("open") is None  # folded
        assert "486" not in reply.inner_text()  # folded away: not shown unless opened
        removed.locator("summary").click()
        assert "486万元" in squash(removed.inner_text()) and "未核实" in removed.inner_text()
        assert removed.locator("a").count() == 0
        s.shot("11-generative-answer")
        assert KEY not in page.content()
    finally:
        s.close()


def test_the_ask_api_takes_the_answer_mode(gen_server, llm):
    from gradio_client import Client

    llm.script = Script(reply=GOOD + MADE_UP)
    client = Client(gen_server, verbose=False)
    out = client.predict(QUESTION, None, None, None, None, None, "generative", api_name="/ask")
    assert out["mode"] == "generative" and "486" not in out["answer"]
    assert [v["verified"] for v in out["verification"]] == [True, False]
    asked = len(llm.requests)
    out = client.predict(QUESTION, None, None, None, None, None, "extractive", api_name="/ask")
    assert out["mode"] == "extractive" and len(llm.requests) == asked
