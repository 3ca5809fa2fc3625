"""Signing in to the page in a real browser (Debian's chromium, 127.0.0.1 only) with the same name and
two tokens: Gradio's own login form goes through rag.api.login, each session keeps its token's role,
and the page's own changes (same-origin, with the browser's Origin and Sec-Fetch-Site) still pass
the cross-site check."""
from __future__ import annotations

import dataclasses

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

from rag.api import create_app  # noqa: E402
from rag.ui import mount  # noqa: E402
from rag.ui.guard import NEEDS_ADMIN  # noqa: E402
from tests.test_api import fake_pipeline, running  # noqa: E402
from tests.test_app_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ADMIN_TOKEN, READ_TOKEN = "tok-browser-admin", "tok-browser-read"


def _sign_in(browser, base, name, password):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base)
    page.fill("input[type=text], input[name=username]", name)
    page.fill("input[type=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#app-title", timeout=60_000)
    return context, page


def _delete_says(page, expected: str) -> str:
    """Press Delete with no article chosen and wait for `expected` in the status or a toast: an
    admin is asked to choose an article, a reader is refused. Returns what the page says."""
    page.get_by_role("tab", name="知识库 Knowledge base").click()
    page.click("#kb-delete")
    said = ("() => (document.querySelector('#kb-status')?.innerText || '') + ' ' + "
            "[...document.querySelectorAll('.toast-body')].map(t => t.innerText).join(' ')")
    try:
        page.wait_for_function(f"expected => ({said})().includes(expected)", arg=expected, timeout=60_000)
    except Exception:
        pass  # the assertion below shows what it said instead
    return page.evaluate(said)


def test_same_name_two_tokens_in_a_browser(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    pipe = fake_pipeline(tmp_path)
    pipe.settings = dataclasses.replace(pipe.settings, tokens=f"{ADMIN_TOKEN}:admin,{READ_TOKEN}:read")
    with running(create_app(pipe, page=mount)) as base, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            admin_ctx, admin = _sign_in(browser, base, "ops", ADMIN_TOKEN)
            reader_ctx, reader = _sign_in(browser, base, "ops", READ_TOKEN)
            said_reader = _delete_says(reader, "admin")
            said_admin = _delete_says(admin, "请先在上面选择要删除的文章")
            assert NEEDS_ADMIN.split("；")[0] in said_reader, said_reader
            assert "请先在上面选择要删除的文章" in said_admin and "admin" not in said_admin, said_admin
            assert "admin" in _delete_says(reader, "admin")  # the admin's session changed nothing
            admin_ctx.close()
            reader_ctx.close()
        finally:
            browser.close()
