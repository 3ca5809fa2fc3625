"""Conversations and feedback in a real browser: a conversation survives a page reload and a server
restart, ?c=ID reopens it with its sources, 👎 with the right answer shows up in `rag feedback
export`, and the exported file runs under `rag eval`. The app runs with the fake embedder over an
invented corpus (the page, not the model, is under test)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_app_browser import CHROMIUM, REPO, Session, app_running, squash

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTICLE = ("白鹭洲修建跨江步行桥\n2025年，白鹭洲新建跨江步行桥一座，全长480米，总投资1.6亿元。\n"
           "桥面设有观景平台三处，预计年底通行。\n")
QUESTION = "白鹭洲跨江步行桥全长多少米？"
RIGHT = "全长480米"
ENV = {"RAG_MODEL": "fake-hashing"}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    from playwright.sync_api import sync_playwright

    from tests.test_app_browser import CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _conversation_in_url(page) -> str:
    page.wait_for_function("() => new URLSearchParams(location.search).get('c')", timeout=30_000)
    return page.evaluate("() => new URLSearchParams(location.search).get('c')")


def _wait_restored(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('#chat .rag-answer').length >= 1", timeout=30_000)


def test_conversation_survives_reload_and_restart_and_feedback_is_exported(browser, tmp_path):
    root, corpus = tmp_path, tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bailuzhou.txt").write_text(ARTICLE, encoding="utf-8")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    with app_running(root, corpus, artifacts / "app1.log", **ENV) as url:
        s = Session(browser, url, artifacts)
        reply = s.ask(QUESTION)
        assert "480" in squash(reply.inner_text())
        cid = _conversation_in_url(s.page)
        s.page.reload()
        s.page.wait_for_selector("#question textarea")
        _wait_restored(s.page)
        assert "480" in squash(s.page.locator("#chat .rag-answer").first.inner_text())
        assert "480" in squash(s.page.locator("#sources").inner_text())  # its sources came back too
        assert _conversation_in_url(s.page) == cid
        # 👎 under the answer, then the right answer in the box that opens
        s.page.locator("#chat button[aria-label='Dislike'], #chat button[aria-label='踩']").last.click()  # zh-CN
        s.page.wait_for_selector("#feedback-box textarea", state="visible", timeout=30_000)
        s.page.fill("#feedback-expected textarea", RIGHT)
        s.page.fill("#feedback-comment textarea", "数字要带单位")
        s.page.click("#feedback-send")
        s.page.wait_for_selector("#feedback-box", state="hidden", timeout=30_000)
        s.close()
    with app_running(root, corpus, artifacts / "app2.log", **ENV) as url:
        s = Session(browser, f"{url}/?c={cid}", artifacts)
        _wait_restored(s.page)
        assert "480" in squash(s.page.locator("#chat .rag-answer").first.inner_text())
        s.page.click("#conversations")  # the list holds it
        assert QUESTION[:8] in s.page.locator("#conversation-list").inner_text()
        s.close()
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "rag.cli", "feedback", "export", "--kb", "default",
                          "--index", str(root / "index")], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    cases = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(c["question"], c["answers"], c["comment"]) for c in cases] == [(QUESTION, [RIGHT], "数字要带单位")]
    qa = tmp_path / "cases.jsonl"
    qa.write_text(out.stdout, encoding="utf-8")
    ran = subprocess.run([sys.executable, "-m", "rag.cli", "--model", "fake-hashing", "eval", str(qa), "--index",
                          str(root / "index")], capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert "1" in ran.stdout
