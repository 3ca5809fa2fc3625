"""The chat at phone width (390 px) in a real browser, over two knowledge bases: the sources follow
the answer they belong to, the picker and filters fold away (and open again); the picker asks
several. Started like tests/test_app_browser.py (Debian's chromium), with the fake embedder."""
from __future__ import annotations

import pytest

from tests.kb_data import DEFAULT_DOCS, NEWS, POLICY, Q_BOTH, Q_NEWS, write
from tests.test_app_browser import CHROMIUM, Session, app_running, artifacts, browser, squash  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def kb_server(tmp_path_factory, artifacts):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    root = tmp_path_factory.mktemp("kbapp")
    notices = {f"notice{i:03d}.txt": f"第{i}号会议通知\n2024年，石岭镇第{i}次会议召开。\n" for i in range(60)}
    corpus = write(root / "corpus", {**DEFAULT_DOCS, **NEWS, **notices})  # 63 documents: two pages
    (root / "kbs" / "policy" / "corpus").mkdir(parents=True)  # made as `rag kb create` makes it, filled by upload
    (root / "kbs" / "policy" / "kb.json").write_text('{"title": "政策 Policy"}', encoding="utf-8")
    with app_running(root, corpus, artifacts / "kb-app.log", RAG_MODEL="fake-hashing") as url:
        import httpx

        httpx.post(url + "/api/documents", params={"kb": "policy"}, timeout=60,
                   files={"files": ("subsidy.txt", POLICY["subsidy.txt"].encode())}).raise_for_status()
        yield url


@pytest.fixture
def phone(browser, kb_server, artifacts):
    s = Session(browser, kb_server, artifacts)
    s.page.set_viewport_size(PHONE)
    s.page.reload()
    s.page.wait_for_selector("#question textarea")
    yield s
    s.close()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_phone_sources_follow_the_answer_and_options_fold_away(phone):
    page = phone.page
    page.wait_for_timeout(500)  # the load events: picker filled, options folded
    assert not page.locator("#kb-pick").is_visible() and not page.locator("#filter-since").is_visible()
    reply = phone.ask(Q_NEWS)
    assert "320米" in squash(reply.inner_text())
    phone.shot("kb-phone-answer")
    chat, ask_box, sources = box(page, "#chat"), box(page, "#ask-box"), box(page, "#sources")
    examples_or_options = box(page, "#ask-options")
    assert chat["x"] >= 0 and chat["x"] + chat["width"] <= PHONE["width"] + 1  # nothing wider than the phone
    assert chat["y"] < ask_box["y"] < sources["y"] < examples_or_options["y"]  # sources right after the question box
    assert sources["y"] - (ask_box["y"] + ask_box["height"]) < 80
    card = page.locator("#sources .rag-source").first
    assert card.is_visible() and "320" in card.inner_text()
    page.locator("#ask-options .label-wrap").first.click()  # the folded options open again
    page.locator("#kb-pick").wait_for(state="visible")
    labels = page.locator("#kb-pick label").all_inner_texts()
    assert any("Policy" in t for t in labels) and any("default" in t for t in labels)


def test_picker_asks_several_and_cards_name_their_knowledge_base(browser, kb_server, artifacts):
    s = Session(browser, kb_server, artifacts)
    try:
        page = s.page
        page.wait_for_selector("#kb-pick label")
        assert page.locator("#kb-pick").is_visible() and page.locator("#filter-since").is_visible()  # desktop: open
        page.locator("#kb-pick label", has_text="Policy").click()
        page.wait_for_timeout(300)
        reply = s.ask(Q_BOTH)
        text = squash(reply.inner_text())
        assert "12万人次" in text and "45万人次" in text
        tags = page.locator("#sources .rag-latest .rag-kb").all_inner_texts()
        assert "政策 Policy" in tags and "默认知识库 Default" in tags
        s.shot("kb-desktop-several")
    finally:
        s.close()


def test_knowledge_base_tab_is_paged_searchable_and_manages_the_chosen_one(browser, kb_server, artifacts):
    s = Session(browser, kb_server, artifacts)
    try:
        page = s.page
        page.get_by_role("tab", name="知识库 Knowledge base").click()
        page.wait_for_selector("#kb-pages")
        assert "1/2" in page.locator("#kb-pages").inner_text()
        assert page.locator("#kb-table", has_text="第0号会议通知").count() == 1
        page.click("#kb-next")
        page.wait_for_function("document.querySelector('#kb-pages').innerText.includes('2/2')")
        page.click("#kb-next")  # past the last page: stays on it
        page.wait_for_timeout(500)
        assert "2/2" in page.locator("#kb-pages").inner_text() and page.locator("#kb-page input").input_value() == "2"
        page.fill("#kb-search textarea, #kb-search input", "柳溪")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('#kb-pages').innerText.includes('找到 1')")
        assert page.locator("#kb-table", has_text="柳溪镇新桥通车").count() == 1
        page.fill("#kb-search textarea, #kb-search input", "补贴")  # kept when another knowledge base is chosen
        page.click("#kb-choose input")
        page.get_by_role("option", name="政策 Policy (policy)").click()
        page.locator("#kb-table", has_text="石门县民宿补贴办法").wait_for(timeout=30_000)
        assert page.locator("#kb-table", has_text="柳溪镇新桥通车").count() == 0
        assert "找到 1" in page.locator("#kb-pages").inner_text()
        s.shot("kb-tab-policy")
    finally:
        s.close()
