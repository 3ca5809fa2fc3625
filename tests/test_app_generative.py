"""Fast tests of the chat's generated answers: draft, note and removed-sentence rendering, the
answer-settings panel, and the chat handler streaming a real (scripted) OpenAI-compatible server."""
from __future__ import annotations

import json
import re
import time

import pytest

gr = pytest.importorskip("gradio")

from rag.types import Answer, Citation, SentenceCheck  # noqa: E402
from rag.ui import build_app  # noqa: E402
from rag.ui.chat import ChatHandlers  # noqa: E402
from rag.ui.generated import Throttle, display_url, render_draft, render_llm_settings  # noqa: E402
from rag.ui.render import render_answer  # noqa: E402
from tests.llm_servers import Script, scripted_pipeline  # noqa: E402

ARTICLE = (
    "青石镇发布2024年发展报告\n"
    "2024年，青石镇接待游客约12万人次，镇集体经济收入达386万元。"
    "镇党委书记林晓峰表示，明年将建设三座新桥。\n"
)
QUESTION = "青石镇2024年集体经济收入多少？"
GOOD = "2024年，青石镇集体经济收入达到386万元[1]。"
MADE_UP = "镇里还收到捐款486万元[1]。"
EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def bubble_parts(html: str) -> tuple[str, str]:
    """(the answer's sentence div, everything else) of an answer bubble."""
    m = re.search(r'<div class="rag-sentence">.*?</div>', html)
    assert m, html
    return m.group(0), html[:m.start()] + html[m.end():]


# --- rendering ------------------------------------------------------------------------------

def test_draft_is_escaped_greyed_labelled_and_never_an_answer():
    html = render_draft(f"{EVIL} 386万元[1]", "zh")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'class="rag-draft"' in html and "rag-answer" not in html
    assert "草稿，正在核对来源…" in html
    assert "<a" not in html and "386万元[1]" in html  # a draft's markers are plain text, not source links
    assert "Draft, checking sources…" in render_draft("x", "en")


def _citation() -> Citation:
    quote = "2024年，青石镇接待游客约12万人次，镇集体经济收入达386万元。"
    start = ARTICLE.index(quote)
    return Citation(1, "d1", "青石镇发布2024年发展报告", None, "qingshi.txt", quote, start, start + len(quote))


def generated(note="1 sentence(s) of the model's reply could not be verified against the passages and were left out.",
              removed=("镇里还收到捐款486万元。",)) -> Answer:
    checks = (SentenceCheck("2024年，青石镇集体经济收入达到386万元。", (1,), True, None, (1,)),) + tuple(
        SentenceCheck(t, (1,), False, "“486万元” is not in [1]") for t in removed)
    return Answer(QUESTION, "2024年，青石镇集体经济收入达到386万元。[1]", "386万元", True, (_citation(),),
                  latency_ms=812, mode="generative", model="scripted-model", checks=checks, note=note)


def test_generated_answer_shows_note_under_it_and_removed_sentences_folded_as_not_verified():
    html = render_answer(generated(), 1)
    sentence, rest = bubble_parts(html)
    assert 'href="#src-1-1"' in sentence and "386万元" in sentence
    assert "486" not in sentence and "486" in rest
    assert html.count('class="rag-cite"') == 1  # a removed sentence links to no source
    assert html.index('class="rag-sentence"') < html.index('class="rag-answer-note"')
    assert "could not be verified" in html and "rag-fallback-note" not in html
    folded = re.search(r'<details class="rag-unverified">.*?</details>', html).group(0)
    assert "<details class=\"rag-unverified\" open" not in html
    assert "486万元" in folded and "未核实" in folded and "“486万元” is not in [1]" in folded
    assert "486" not in html.replace(folded, "")  # nowhere else
    assert 'data-mode="generative"' in html and "scripted-model" in html


def test_note_and_removed_sentences_are_escaped():
    html = render_answer(generated(note=EVIL, removed=(EVIL,)), 1)
    assert "<script" not in html and "<img" not in html and html.count("&lt;script&gt;") == 2


def test_fallback_note_stands_plainly_above_the_extractive_answer():
    ans = Answer(QUESTION, "2024年，青石镇接待游客约12万人次，镇集体经济收入达386万元。[1]", "386万元", True,
                 (_citation(),), mode="extractive", model="scripted-model",
                 checks=(SentenceCheck("青石镇集体经济收入486万元。", (1,), False, "“486万元” is not in [1]"),),
                 note="未使用生成的回答：no sentence of the model's reply could be verified against the passages；"
                      "以下为从文章中摘录的回答。")
    html = render_answer(ans, 2)
    assert html.index('class="rag-fallback-note"') < html.index('class="rag-short"') < html.index('class="rag-sentence"')
    assert "未使用生成的回答" in html and 'data-mode="extractive"' in html and "rag-answer-note" not in html
    sentence, _ = bubble_parts(html)
    assert "486" not in sentence and 'href="#src-2-1"' in sentence


def test_an_extractive_answer_without_note_looks_as_before():
    ans = Answer(QUESTION, "镇集体经济收入达386万元。[1]", None, True, (_citation(),))
    html = render_answer(ans, 1)
    for cls in ("rag-fallback-note", "rag-answer-note", "rag-unverified", "rag-draft"):
        assert cls not in html


@pytest.mark.parametrize("url, shown", [
    ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
    ("https://user:sk-pass@api.example.com/v1?api-key=sk-q#frag", "https://api.example.com/v1"),
    ("http://[::1]:8000/v1/", "http://[::1]:8000/v1/"),
])
def test_endpoint_is_shown_without_credentials_or_query(url, shown):
    assert display_url(url) == shown
    html = render_llm_settings(url, "qwen2.5:7b", True, 60)
    assert shown in html and "qwen2.5:7b" in html and "sk-" not in html and "不能更改" in html


def test_without_an_endpoint_the_panel_says_answers_are_extracted():
    html = render_llm_settings("", "", False, 60)
    assert "未配置语言模型端点" in html and "Endpoint:" not in html


def test_throttle_lets_through_at_most_one_update_per_interval():
    now = [0.0]
    t = Throttle(0.1, clock=lambda: now[0])
    seen = []
    for step in range(30):  # 30 pieces 0.02 s apart: 0.58 s
        now[0] = step * 0.02
        seen.append(t.ready())
    assert seen[0] and sum(seen) == 6  # 0.0, 0.1, 0.2, 0.3, 0.4, 0.5


# --- the chat over a scripted OpenAI-compatible server --------------------------------------

@pytest.fixture
def gen_pipeline(tmp_path, llm):
    return scripted_pipeline(tmp_path, llm, {"qingshi.txt": ARTICLE})


def timed_steps(gen):
    out = []
    for step in gen:
        out.append((time.monotonic(), step))
    return out


def test_chat_streams_the_draft_then_replaces_it_with_the_verified_answer(gen_pipeline, llm):
    llm.script = Script(reply=GOOD + MADE_UP, chunk_chars=3, delay_s=0.12)
    steps = [s for _, s in timed_steps(ChatHandlers(gen_pipeline).respond(QUESTION, [], [], answer_mode="generative"))]
    assert llm.requests, steps[-1][1][-1]["content"]  # the model was asked (else: what the chat showed)
    prompt = llm.requests[-1]["body"]["messages"][-1]["content"]
    assert "[1]" in prompt and "[2]" not in prompt  # one passage: the script's [1] is the right one
    drafts = [s[1][-1]["content"] for s in steps if 'class="rag-draft"' in s[1][-1]["content"]]
    assert len(drafts) >= 3
    texts = [re.search(r'<div class="rag-draft-text">(.*?)</div>', d).group(1) for d in drafts]
    assert all(len(a) < len(b) for a, b in zip(texts, texts[1:]))  # growing as the model writes
    assert all((GOOD + MADE_UP).startswith(t) for t in texts)
    assert steps.index(next(s for s in steps if 'class="rag-draft"' in s[1][-1]["content"])) < len(steps) - 1
    box, messages, turns, panel = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]  # the draft is gone, replaced
    final = messages[-1]["content"]
    assert "rag-draft" not in final and 'data-mode="generative"' in final
    sentence, rest = bubble_parts(final)
    assert "386万元" in sentence and 'href="#src-1-1"' in sentence and "486" not in sentence
    assert "486万元" in re.search(r'<details class="rag-unverified">.*?</details>', final).group(0)
    assert "rag-answer-note" in final
    assert '<mark class="rag-quote">' in panel and "386万元" in panel and "486" not in panel
    assert box == gr.update() and len(turns) == 1


def test_draft_updates_are_throttled(gen_pipeline, llm):
    reply = GOOD * 8  # 8 sentences, one character a chunk: some 260 chunks in about a second
    llm.script = Script(reply=reply, chunk_chars=1, delay_s=0.003)
    t0 = time.monotonic()
    steps = timed_steps(ChatHandlers(gen_pipeline).respond(QUESTION, [], [], answer_mode="generative"))
    drafts = [t for t, s in steps if 'class="rag-draft"' in s[1][-1]["content"]]
    elapsed = steps[-1][0] - t0
    assert drafts and len(drafts) <= elapsed / 0.1 + 2, (len(drafts), elapsed)
    assert all(b - a >= 0.09 for a, b in zip(drafts, drafts[1:]))
    assert 'data-mode="generative"' in steps[-1][1][1][-1]["content"]


def test_extractive_mode_asks_no_model_and_shows_no_draft(gen_pipeline, llm):
    llm.script = Script(reply=GOOD)
    steps = list(ChatHandlers(gen_pipeline).respond(QUESTION, [], [], answer_mode="extractive"))
    assert llm.requests == []
    assert not any("rag-draft" in s[1][-1]["content"] for s in steps)
    assert 'data-mode="extractive"' in steps[-1][1][-1]["content"] and "386" in steps[-1][1][-1]["content"]


def test_a_dead_endpoint_gives_the_extractive_answer_with_the_note_above_it(gen_pipeline):
    from dataclasses import replace

    from rag.pipeline import Pipeline

    dead = Pipeline(replace(gen_pipeline.settings, llm_base_url="http://127.0.0.1:9/v1"), gen_pipeline.embedder)
    *_, (_, messages, _, _) = ChatHandlers(dead).respond(QUESTION, [], [], answer_mode="generative")
    final = messages[-1]["content"]
    assert final.index("rag-fallback-note") < final.index("rag-sentence") and "无法连接语言模型" in final
    assert "sk-secret-123" not in final


def test_a_bug_after_the_draft_began_leaves_an_error_and_no_draft(gen_pipeline, monkeypatch):
    def broken(*args, **kwargs):
        yield "2024年，青石镇"
        raise TypeError("a bug")

    monkeypatch.setattr(gen_pipeline, "ask_stream", broken)
    steps = list(ChatHandlers(gen_pipeline).respond(QUESTION, [], [], answer_mode="generative"))
    assert any("rag-draft" in s[1][-1]["content"] for s in steps)
    box, messages, turns, panel = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"] and "rag-error" in messages[-1]["content"]
    assert "rag-draft" not in messages[-1]["content"] and "Traceback" not in messages[-1]["content"]
    assert turns == [] and panel == gr.update()


def test_api_ask_takes_the_answer_mode(gen_pipeline, llm):
    h = ChatHandlers(gen_pipeline)
    llm.script = Script(reply=GOOD + MADE_UP)
    out = h.api_ask(QUESTION, answer="generative")
    assert out["mode"] == "generative" and "486" not in out["answer"] and "386万元" in out["answer"]
    assert [v["verified"] for v in out["verification"]] == [True, False]
    asked = len(llm.requests)
    out = h.api_ask(QUESTION, answer="extractive")
    assert out["mode"] == "extractive" and len(llm.requests) == asked
    with pytest.raises(gr.Error, match="extractive, generative or auto"):
        h.api_ask(QUESTION, answer="poetic")
    with pytest.raises(gr.Error):
        h.api_ask(QUESTION, answer=3)


def test_api_ask_generative_without_an_endpoint_is_a_clear_error(fake_pipeline):
    (fake_pipeline.settings.corpus_dir / "a.txt").write_text(ARTICLE, encoding="utf-8")
    fake_pipeline.build()
    with pytest.raises(gr.Error, match="RAG_LLM_BASE_URL"):
        ChatHandlers(fake_pipeline).api_ask(QUESTION, answer="generative")


def _radio(app):
    (radio,) = [b for b in app.blocks.values() if getattr(b, "elem_id", None) == "answer-mode"]
    return radio


def test_settings_panel_shows_endpoint_and_model_never_the_key(gen_pipeline):
    from dataclasses import replace

    from rag.pipeline import Pipeline

    s = replace(gen_pipeline.settings, llm_base_url="https://bob:pw-in-url@llm.example.com/v1?key=sk-in-query")
    app = build_app(Pipeline(s, gen_pipeline.embedder), s)  # the panel shows what the pipeline will use
    config = json.dumps(app.get_config_file(), ensure_ascii=False, default=str)
    assert "https://llm.example.com/v1" in config and "scripted-model" in config
    for secret in ("sk-secret-123", "pw-in-url", "sk-in-query"):
        assert secret not in config
    radio = _radio(app)
    assert radio.interactive is not False and radio.value == "generative"
    respond = [d for d in app.fns.values() if getattr(d.fn, "__name__", "") == "respond"]
    assert respond and all(d.inputs[-1] is radio for d in respond)  # each question is asked in the page's mode
    urls = [b for b in app.blocks.values() if isinstance(b, gr.Textbox) and "llm.example.com" in str(b.value)]
    assert urls == []  # shown as text only: nothing on the page edits the endpoint


def test_without_an_endpoint_the_mode_is_fixed_to_extractive(fake_pipeline, fake_settings):
    app = build_app(fake_pipeline, fake_settings)
    radio = _radio(app)
    assert radio.interactive is False and radio.value == "extractive"
    assert "未配置语言模型端点" in json.dumps(app.get_config_file(), ensure_ascii=False, default=str)
