"""The app in a real browser: start `app.py` on a free port and drive it with Playwright.

Uses Debian's chromium (scripts/install_system.sh) and, unless RAG_MODEL says otherwise, the
real default model. Screenshots of the main states go to $RAG_TEST_ARTIFACTS (default
tests/artifacts/). Every page checks that the browser never contacted a host other than the app.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_2f3ce927338b60c1.txt"
CHROMIUM = os.environ.get("RAG_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("RAG_TEST_ARTIFACTS") or REPO / "tests" / "artifacts")
START_TIMEOUT = 300  # seconds: building the seed index with the real model on 2 cores
ANSWER_TIMEOUT = 90_000  # ms: generous, for a busy 2-core CI machine (two answers at once)

Q_VISITORS = "大陈村2024年接待了多少游客？"
Q_FOLLOW_UP = "那村集体经济收入呢？"
Q_MISSING = "永康市2025年的财政预算是多少？"
Q_ENGLISH = "How many tourists did Dachen village receive in 2024?"
Q_EVIL = "西湖村种植了多少亩茶叶？"
Q_UPLOADED = "青石村2024年修建了多少公里的绿道？"

EVIL_DOC = """西湖村茶叶丰收
<script>alert(1)</script><img src=x onerror="alert(2)"><b class="injected">粗体标签</b>
西湖村2024年种植茶叶300亩，茶叶收入达到80万元。<a href="javascript:alert(3)">链接</a>
"""
UPLOAD_DOC = """青石村建成乡村绿道
2024年，青石村修建了12公里的乡村绿道，串起了村里的三个景点。
村党支部书记说，绿道建成后，周末来骑行的游客明显增多。
"""


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory, artifacts):
    """(url, corpus folder) of a running app over the seed page plus a document full of markup."""
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    root = tmp_path_factory.mktemp("app")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "evil.txt").write_text(EVIL_DOC, encoding="utf-8")
    shutil.copy(REPO / "corpus" / "example_questions.json", corpus / "example_questions.json")
    with app_running(root, corpus, artifacts / "app.log") as url:
        yield url, corpus


@contextmanager
def app_running(root: Path, corpus: Path, log_path: Path, **env_vars):
    """Start app.py over `corpus` (index in root/index) on a free port with `env_vars` set; yield its
    URL once /api/health says ready; stop it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
           **env_vars}
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--port", str(port),
         "--index", str(root / "index"), "--corpus", str(corpus)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=2) as r:  # 200 once all is loaded
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not answer on {url} within {START_TIMEOUT} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """One browser tab on the app, recording every request and every dialog it sees."""

    def __init__(self, browser, url: str, artifacts: Path):
        self.url, self.artifacts = url, artifacts
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.alerts: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(url)
        self.page.wait_for_selector("#question textarea")

    def _dialog(self, dialog) -> None:
        if dialog.type == "confirm":  # the delete button asks first
            dialog.accept()
        else:
            self.alerts.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

    def send(self, question: str) -> int:
        """Type a question and press Enter; returns how many replies there were before."""
        before = self.page.locator("#chat .rag-answer, #chat .rag-error").count()
        self.page.fill("#question textarea", question)
        self.page.keyboard.press("Enter")
        return before

    def reply(self, before: int):
        """Wait for reply number `before + 1` and return its locator."""
        try:
            self.page.wait_for_function(
                "n => document.querySelectorAll('#chat .rag-answer, #chat .rag-error').length > n",
                arg=before, timeout=ANSWER_TIMEOUT,
            )
        except Exception:
            self.keep_evidence(f"timeout-{time.strftime('%H%M%S')}")
            raise
        return self.page.locator("#chat .rag-answer, #chat .rag-error").nth(before)

    def ask(self, question: str):
        return self.reply(self.send(question))

    def keep_evidence(self, name: str) -> None:
        """A screenshot, the chat's HTML and the page's requests in order, for a wait that timed out
        (a queue/join with no queue/data after it: an event whose results no stream reads)."""
        self.shot(name)
        (self.artifacts / f"{name}.html").write_text(self.page.locator("#chat").inner_html(), encoding="utf-8")
        (self.artifacts / f"{name}.requests.txt").write_text("\n".join(self.requests) + "\n", encoding="utf-8")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        foreign = sorted({u for u in self.requests
                          if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                          and urlsplit(u).hostname not in ("127.0.0.1", "localhost")})
        assert not foreign, f"the page contacted other hosts: {foreign}"
        assert not self.alerts, f"a script from a document ran: {self.alerts}"


@pytest.fixture
def session(browser, server, artifacts):
    s = Session(browser, server[0], artifacts)
    yield s
    s.close()


def test_answer_has_short_answer_markers_and_highlighted_quote(session):
    page = session.page
    session.shot("00-start")
    reply = session.ask(Q_VISITORS)
    assert "40万" in squash(reply.inner_text())
    assert "40万" in squash(reply.locator(".rag-short strong").inner_text())
    marker = reply.locator("a.rag-cite").first
    href = marker.get_attribute("href")
    assert re.fullmatch(r"#src-1-\d+", href)
    card = page.locator(f"#sources {href}")
    assert card.is_visible()
    title = card.locator(".rag-title").inner_text()
    assert title.strip()
    assert "000_2f3ce927338b60c1.txt" in card.locator(".rag-file").inner_text()
    quote = card.locator(".rag-passage mark.rag-quote").inner_text()
    passage = card.locator(".rag-passage").inner_text()
    assert "40" in quote and quote in passage and len(passage) > len(quote)
    marker.click()
    page.wait_for_function(f"document.querySelector('#sources {href}').classList.contains('rag-flash')")
    card.locator("details.rag-full summary").click()
    full = card.locator("details.rag-full .rag-fulltext")
    assert full.is_visible() and "千万工程" in full.inner_text() and quote in full.inner_text()
    session.shot("01-answer-with-sources")


def test_follow_up_is_about_the_same_village(session):
    session.ask(Q_VISITORS)
    reply = session.ask(Q_FOLLOW_UP)
    assert "251万" in squash(reply.inner_text())
    searched = reply.locator(".rag-searched-q").inner_text()
    assert "大陈村" in searched
    assert "251" in session.page.locator("#sources .rag-latest mark.rag-quote").first.inner_text()
    assert session.page.locator("#sources details.rag-turn").count() == 1  # the first turn, folded
    session.shot("02-follow-up")


def test_question_sent_while_the_answer_is_still_coming_is_answered_next(session):
    page = session.page
    before = session.send(Q_VISITORS)
    page.wait_for_function("() => document.querySelectorAll('#chat .rag-question').length === 1")  # in the chat
    page.fill("#question textarea", Q_FOLLOW_UP)  # the next question, typed and sent without waiting
    page.keyboard.press("Enter")
    assert "40万" in squash(session.reply(before).inner_text())
    assert "251万" in squash(session.reply(before + 1).inner_text())
    assert page.locator("#chat .rag-question").count() == 2


def test_unanswerable_question_says_so_and_shows_no_sources(session):
    reply = session.ask(Q_MISSING)
    assert reply.locator(".rag-notfound").is_visible()
    assert "没有找到" in reply.inner_text()
    assert reply.locator("a.rag-cite").count() == 0
    assert session.page.locator("#sources .rag-source").count() == 0
    assert session.page.locator("#sources .rag-nosources").is_visible()
    session.shot("03-not-found")


def test_english_question_gets_an_english_reply(session):
    reply = session.ask(Q_ENGLISH)
    text = reply.inner_text()
    session.shot("04-english")
    if reply.locator(".rag-notfound").count():
        assert "The articles do not contain" in text  # declined, but in the question's language
        pytest.xfail("the pipeline declines this English question (dense score below its threshold)")
    assert reply.locator("a.rag-cite").count() >= 1, text
    assert "40" in text
    assert "Sources" in session.page.locator("#sources .rag-panel-title").inner_text()


def test_markup_in_an_article_is_shown_as_text(session):
    page = session.page
    reply = session.ask(Q_EVIL)
    assert "300" in reply.inner_text()
    panel = page.locator("#sources")
    panel.locator("details.rag-full summary").first.click()
    text = panel.inner_text()
    assert "<script>alert(1)</script>" in text and 'onerror="alert(2)"' in text
    assert panel.locator("script, img, b.injected, a[href^='javascript']").count() == 0
    assert page.locator("b.injected, img[src='x'], #chat script").count() == 0
    session.shot("05-markup-as-text")


def test_empty_question_and_clear_chat(session):
    page = session.page
    page.fill("#question textarea", "   ")
    page.keyboard.press("Enter")
    page.get_by_text("请先输入一个问题").first.wait_for(timeout=10_000)
    assert page.locator("#chat .rag-answer").count() == 0
    session.ask(Q_VISITORS)
    page.click("#clear-button")
    page.wait_for_function("document.querySelectorAll('#chat .rag-answer').length === 0")
    assert page.locator("#sources .rag-empty").is_visible()
    reply = session.ask(Q_FOLLOW_UP)  # a fresh conversation: nothing to follow up on
    assert reply.locator(".rag-searched").count() == 0


def test_example_button_asks_at_once(session):
    page = session.page
    page.locator(".rag-example", has_text=Q_VISITORS).click()
    try:
        page.wait_for_selector("#chat .rag-answer", timeout=ANSWER_TIMEOUT)
    except Exception:
        session.keep_evidence(f"timeout-{time.strftime('%H%M%S')}")
        raise
    assert "40万" in squash(page.locator("#chat .rag-answer").first.inner_text())


def _open_knowledge(page):
    page.get_by_role("tab", name=re.compile("知识库")).click()
    page.wait_for_selector("#kb-table")


def test_upload_becomes_searchable_then_delete(session, server):
    page, corpus = session.page, server[1]
    _open_knowledge(page)
    page.get_by_text("篇文章").first.wait_for()
    session.shot("06-knowledge-base")
    page.set_input_files("#kb-upload input[type=file]", files=[{
        "name": "../../青石村 绿道.txt", "mimeType": "text/plain", "buffer": UPLOAD_DOC.encode("utf-8"),
    }])
    page.locator("#kb-status .rag-status-ok", has_text="已添加").wait_for(timeout=120_000)
    assert page.locator("#kb-table", has_text="青石村建成乡村绿道").count() == 1
    assert (corpus / "青石村 绿道.txt").exists()
    assert not (corpus.parent / "青石村 绿道.txt").exists() and not (corpus.parent.parent / "青石村 绿道.txt").exists()
    session.shot("07-uploaded")

    page.get_by_role("tab", name=re.compile("问答")).click()
    reply = session.ask(Q_UPLOADED)
    assert "12公里" in squash(reply.inner_text())
    assert "青石村 绿道.txt" in page.locator("#sources .rag-file").first.inner_text()

    _open_knowledge(page)
    page.click("#kb-picker input")
    page.get_by_role("option", name=re.compile("青石村建成乡村绿道")).click()
    page.locator("#kb-viewer", has_text="三个景点").wait_for()
    page.click("#kb-delete")
    page.locator("#kb-status .rag-status-ok", has_text="已删除").wait_for(timeout=60_000)
    assert page.locator("#kb-table", has_text="青石村建成乡村绿道").count() == 0
    assert not (corpus / "青石村 绿道.txt").exists()


def test_failed_upload_shows_reason_and_keeps_index(session, server):
    page, corpus = session.page, server[1]
    _open_knowledge(page)
    page.get_by_text("篇文章").first.wait_for()
    rows = page.locator("#kb-table tbody tr").count()
    before = sorted(p.name for p in corpus.iterdir())
    page.set_input_files("#kb-upload input[type=file]", files=[{
        "name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 this is not really a pdf",
    }])
    page.locator("#kb-status .rag-status-error", has_text="上传失败").wait_for(timeout=60_000)
    session.shot("08-upload-failed")
    assert page.locator("#kb-table tbody tr").count() == rows
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_two_conversations_at_once_stay_separate(browser, server, artifacts):
    a, b = Session(browser, server[0], artifacts), Session(browser, server[0], artifacts)
    try:
        pending = a.send(Q_VISITORS), b.send(Q_EVIL)  # both in flight together
        assert "40万" in squash(a.reply(pending[0]).inner_text())
        assert "300" in b.reply(pending[1]).inner_text()
        pending = a.send(Q_FOLLOW_UP), b.send(Q_MISSING)
        assert "251万" in squash(a.reply(pending[0]).inner_text())
        assert b.reply(pending[1]).locator(".rag-notfound").count() == 1
        assert "大陈村" not in b.page.locator("#chat").inner_text()
        assert "西湖村" not in a.page.locator("#chat").inner_text()
    finally:
        a.close()
        b.close()


def test_api_returns_the_json_of_rag_ask(server):
    from gradio_client import Client

    client = Client(server[0], verbose=False)
    assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    out = client.predict(Q_VISITORS, api_name="/ask")
    assert set(out) >= {"question", "answer", "short_answer", "answerable", "citations", "latency_ms"}
    assert out["answerable"] and "40万" in squash(out["answer"])
    c = out["citations"][0]
    assert set(c) == {"n", "doc_id", "title", "date", "source", "file", "quote", "start", "end", "when", "status", "kb"}
    follow = client.predict(Q_FOLLOW_UP, [Q_VISITORS], api_name="/ask")
    assert "251万" in squash(follow["answer"]) and follow.get("searched_question")
    missing = client.predict(Q_MISSING, api_name="/ask")
    assert not missing["answerable"] and missing["citations"] == []

    questions = [Q_VISITORS, Q_MISSING, Q_EVIL, Q_VISITORS, Q_EVIL, Q_MISSING]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outs = list(pool.map(lambda q: Client(server[0], verbose=False).predict(q, api_name="/ask"), questions))
    for q, o in zip(questions, outs):
        assert o["question"] == q
        assert o["answerable"] == (q != Q_MISSING)
    assert "40万" in squash(outs[0]["answer"]) and "300" in outs[2]["answer"]


def test_evaluate_tab_runs_an_uploaded_qa_file(session):
    """The Evaluate tab's file input still takes what the user uploads (the page's file guard lets
    this caller's own upload through) and refuses a rebuilding variant list that is too long."""
    page = session.page
    page.get_by_role("tab", name=re.compile("评估")).click()
    qa = json.dumps({"id": "b1", "question": Q_UPLOADED, "answers": ["12公里"]}, ensure_ascii=False) + "\n"
    page.set_input_files("#eval-file input[type=file]", files=[{
        "name": "qa.jsonl", "mimeType": "application/json", "buffer": qa.encode("utf-8")}])
    page.fill("#eval-compare textarea, #eval-compare input", "chunk=100,chunk=200,chunk=300")
    page.click("#eval-run")
    page.locator("#eval-status .rag-status-error", has_text="At most 2").wait_for(timeout=60_000)
    page.fill("#eval-compare textarea, #eval-compare input", "")
    page.click("#eval-run")
    page.locator("#eval-status .rag-status-ok", has_text="1 个问题").wait_for(timeout=120_000)
    session.shot("12-evaluate")


# -- dates and versions (issue #19) ---------------------------------------------------------------
NOTICE_2023 = """杉木镇发放育儿补贴
2023年5月10日，杉木镇出台育儿补贴办法，对本镇户籍0至3岁婴幼儿家庭发放补贴。杉木镇育儿补贴标准为每年3000元，每年6月集中发放。
镇社会事务办主任周岚介绍，今年预计有420户家庭受益。
"""
NOTICE_2025 = """关于提高杉木镇育儿补贴标准的通知
2025年2月20日，杉木镇人民政府发布通知。自2025年3月1日起，杉木镇育儿补贴标准提高至每年5000元，原有标准同时废止。
补贴仍于每年6月集中发放，申请材料不变。
"""
Q_SUBSIDY = "杉木镇育儿补贴每年多少钱？"


@pytest.fixture(scope="module")
def versions_server(tmp_path_factory, artifacts):
    """URL of app.py (fake embedder, no reader) over two versions of a notice: 2023's standard and
    2025's, which raises it and abolishes the old one."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    root = tmp_path_factory.mktemp("versions")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "shanmu-2023.txt").write_text(NOTICE_2023, encoding="utf-8")
    (corpus / "shanmu-2025.txt").write_text(NOTICE_2025, encoding="utf-8")
    with app_running(root, corpus, artifacts / "app-versions.log", RAG_MODEL="fake-hashing", RAG_READER="off",
                     RAG_TODAY="2025-06-01") as url:
        yield url


def test_knowledge_base_marks_the_superseded_notice_with_the_date_of_the_change(browser, versions_server, artifacts):
    s = Session(browser, versions_server, artifacts)
    try:
        page = s.page
        _open_knowledge(page)
        page.get_by_text("篇文章").first.wait_for()
        old = page.locator("#kb-table .virtual-row[role=row]", has_text="杉木镇发放育儿补贴")  # shown rows
        assert "已被取代（2025-03-01，见《关于提高杉木镇育儿补贴标准的通知》）" in old.inner_text()
        assert "2023-05-10" in old.inner_text()
        new = page.locator("#kb-table .virtual-row[role=row]", has_text="关于提高杉木镇育儿补贴标准的通知").filter(
            has_not_text="杉木镇发放育儿补贴")
        assert "2025-02-20" in new.inner_text() and "已被取代" not in new.inner_text()
        page.click("#kb-picker input")
        page.get_by_role("option", name=re.compile("杉木镇发放育儿补贴")).click()
        page.locator("#kb-viewer .rag-replaced", has_text="已被取代（2025-03-01").wait_for()
        s.shot("13-kb-superseded")
    finally:
        s.close()


def _timeline_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("rag.answer.timeline") is None


@pytest.mark.skipif(_timeline_missing(), reason="the answering side of issue #19 (rag/answer/timeline.py) is not here")
def test_chat_leads_with_the_current_standard_dated_and_marks_the_old_one(browser, versions_server, artifacts):
    s = Session(browser, versions_server, artifacts)
    try:
        reply = s.ask(Q_SUBSIDY)
        text = squash(reply.inner_text())
        assert "5000" in squash(reply.locator(".rag-short strong").inner_text()), text
        assert "2025年" in reply.locator(".rag-when").inner_text()
        lead = s.page.locator(f"#sources {reply.locator('a.rag-cite').first.get_attribute('href')}")
        assert "关于提高杉木镇育儿补贴标准的通知" in lead.locator(".rag-title").inner_text()
        old = s.page.locator("#sources .rag-latest .rag-source", has_text="杉木镇发放育儿补贴")
        assert old.count() == 1, "the answer should cite the abolished standard as superseded"
        assert "已被取代" in old.locator(".rag-badge-superseded").inner_text()
        assert "2023-05-10" in old.locator(".rag-date").inner_text()
        s.shot("14-chat-superseded")
    finally:
        s.close()
