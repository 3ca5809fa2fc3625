"""Fast tests of the app's event handlers over a real pipeline with the fake embedder (no browser)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SEED

gr = pytest.importorskip("gradio")

from rag.ui import TABS, build_app  # noqa: E402
from rag.ui.chat import ChatHandlers  # noqa: E402
from rag.ui.knowledge import KnowledgeHandlers  # noqa: E402

NO_PROGRESS = lambda *args, **kwargs: None  # noqa: E731

TEA = "西湖村茶叶丰收\n<script>alert(1)</script>\n西湖村2024年种植茶叶300亩，茶叶收入达到80万元。\n"


@pytest.fixture
def pipeline(fake_pipeline, fake_settings):
    corpus = fake_settings.corpus_dir
    if SEED.exists():
        shutil.copy(SEED, corpus / SEED.name)
    (corpus / "tea.txt").write_text(TEA, encoding="utf-8")
    fake_pipeline.build()
    return fake_pipeline


def run(gen):
    return list(gen)


def test_respond_shows_question_first_then_answer_and_sources(pipeline):
    h = ChatHandlers(pipeline)
    steps = run(h.respond("西湖村种植了多少亩茶叶？", [], []))
    box, messages, turns, panel = steps[0]
    assert box == "" and messages[-1]["role"] == "assistant" and "rag-notice" in messages[-1]["content"]
    box, messages, turns, panel = steps[-1]
    assert box == gr.update()  # a question typed while this one was answered stays in the box
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "300" in messages[1]["content"] and 'href="#src-1-1"' in messages[1]["content"]
    assert len(turns) == 1 and 'id="src-1-1"' in panel and "<mark" in panel
    assert "&lt;script&gt;" in panel and "<script>" not in panel


@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_follow_up_uses_the_conversation(pipeline):
    h = ChatHandlers(pipeline)
    *_, (_, messages, turns, _) = run(h.respond("大陈村2024年接待了多少游客？", [], []))
    *_, (_, messages, turns, panel) = run(h.respond("那村集体经济收入呢？", messages, turns))
    assert len(messages) == 4 and len(turns) == 2
    assert "rag-searched" in messages[-1]["content"] and "251" in messages[-1]["content"]
    assert 'details class="rag-turn" data-turn="1"' in panel


def test_empty_question_changes_nothing(pipeline):
    h = ChatHandlers(pipeline)
    with pytest.warns(UserWarning, match="请先输入一个问题"):  # shown as a toast in the app
        steps = run(h.respond("   ", [{"role": "user", "content": "x"}], []))
    assert len(steps) == 1 and steps[0][1] == [{"role": "user", "content": "x"}] and steps[0][2] == []


def test_pipeline_error_becomes_a_friendly_reply(fake_pipeline):
    h = ChatHandlers(fake_pipeline)  # nothing indexed yet
    *_, (_, messages, turns, _) = run(h.respond("大陈村接待了多少游客？", [], []))
    assert "rag-error" in messages[-1]["content"] and "Traceback" not in messages[-1]["content"]
    assert turns == []


def test_clear_resets_everything():
    messages, turns, panel, box = ChatHandlers.clear()
    assert messages == [] and turns == [] and "rag-empty" in panel and box == ""


def test_api_returns_answer_json_and_errors_as_gradio_errors(pipeline):
    h = ChatHandlers(pipeline)
    out = h.api_ask("西湖村种植了多少亩茶叶？")
    assert out["answerable"] and out["citations"][0]["source"] == "tea.txt"
    with pytest.raises(gr.Error):
        h.api_ask("  ")


def test_upload_copies_safely_and_indexes(pipeline, fake_settings, tmp_path):
    h = KnowledgeHandlers(pipeline, fake_settings)
    up = tmp_path / "up" / "..secret 绿道.txt"
    up.parent.mkdir()
    up.write_text("青石村建成乡村绿道\n2024年，青石村修建了12公里的乡村绿道。\n", encoding="utf-8")
    status, rows, picker = h.upload([str(up)], progress=NO_PROGRESS)
    assert "rag-status-ok" in status and "secret 绿道.txt" in status
    assert (fake_settings.corpus_dir / "secret 绿道.txt").exists()
    assert any(r[0] == "青石村建成乡村绿道" for r in rows)
    assert pipeline.ask("青石村修建了多少公里的绿道？").answerable


def test_failed_upload_leaves_corpus_and_index_unchanged(pipeline, fake_settings, tmp_path):
    h = KnowledgeHandlers(pipeline, fake_settings)
    before_files = sorted(p.name for p in fake_settings.corpus_dir.iterdir())
    before_docs = [d.id for d in pipeline.documents()]
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.warns(UserWarning, match="上传失败"):
        status, rows, _ = h.upload([str(bad)], progress=NO_PROGRESS)
    assert "rag-status-error" in status and "上传失败" in status and str(tmp_path) not in status
    assert sorted(p.name for p in fake_settings.corpus_dir.iterdir()) == before_files
    assert [d.id for d in pipeline.documents()] == before_docs
    with pytest.warns(UserWarning, match="上传失败"):
        status, *_ = h.upload([str(tmp_path / "run.sh")], progress=NO_PROGRESS)
    assert "上传失败" in status and ".sh" in status


def test_delete_removes_document_and_its_own_file(pipeline, fake_settings):
    h = KnowledgeHandlers(pipeline, fake_settings)
    tea = next(d for d in pipeline.documents() if d.source == "tea.txt")
    status, rows, picker, viewer = h.delete(tea.id)
    assert "已删除" in status and not (fake_settings.corpus_dir / "tea.txt").exists()
    assert all(r[4] != "tea.txt" for r in rows)
    status, *_ = h.delete(None)
    assert "请先" in status


@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_delete_keeps_a_file_that_holds_other_documents(pipeline, fake_settings):
    h = KnowledgeHandlers(pipeline, fake_settings)
    part = next(d for d in pipeline.documents() if d.source == SEED.name)
    status, *_ = h.delete(part.id)
    assert (fake_settings.corpus_dir / SEED.name).exists() and "保留" in status
    assert part.id not in [d.id for d in pipeline.documents()]


def test_show_document_escapes(pipeline):
    h = KnowledgeHandlers(pipeline, pipeline.settings)
    tea = next(d for d in pipeline.documents() if d.source == "tea.txt")
    html = h.show(tea.id)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert h.show(None) == "" and "rag-status-error" in h.show("no-such-id")


def test_build_app_exposes_the_ask_api_and_a_tab_list(pipeline, fake_settings):
    app = build_app(pipeline, fake_settings)
    public = {d.api_name for d in app.fns.values() if d.api_visibility == "public"}
    assert "ask" in public
    asks = [d for d in app.fns.values() if getattr(d.fn, "__name__", "") == "respond"]
    assert asks and all(d.trigger_mode == "always_last" for d in asks)  # asked while busy: asked next, not dropped
    for d in app.fns.values():  # chat and knowledge-base events are for the page only
        owner = getattr(d.fn, "__self__", None)
        if isinstance(owner, (ChatHandlers, KnowledgeHandlers)) and d.fn.__name__ != "api_ask":
            assert d.api_visibility == "private", d.fn.__name__
    assert [elem_id for _, elem_id, _ in TABS][:2] == ["tab-ask", "tab-knowledge"]


def test_rebuild_reports_and_keeps_the_index_on_failure(pipeline, fake_settings):
    h = KnowledgeHandlers(pipeline, fake_settings)
    status, rows, _ = h.rebuild(progress=NO_PROGRESS)
    assert "rag-status-ok" in status and "重建" in status and rows
    for f in fake_settings.corpus_dir.iterdir():
        f.unlink()
    status, rows_after, _ = h.rebuild(progress=NO_PROGRESS)
    assert "rag-status-error" in status and "原索引保持不变" in status
    assert rows_after == rows


def test_example_questions_come_from_the_corpus_folder(tmp_path):
    from rag.ui.chat import EXAMPLES_FILE, load_examples

    assert load_examples(tmp_path) == ()
    (tmp_path / EXAMPLES_FILE).write_text('["问题一？", "", 3, "Question two?"]', encoding="utf-8")
    assert load_examples(tmp_path) == ("问题一？", "Question two?")
    (tmp_path / EXAMPLES_FILE).write_text("not json", encoding="utf-8")
    assert load_examples(tmp_path) == ()
