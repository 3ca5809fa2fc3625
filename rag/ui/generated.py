"""Safe HTML for generated answers: the streaming draft, the note under (or above) an answer, the
sentences that were removed because they could not be verified, and the answer-settings panel.

Pure functions, no Gradio: every piece of model output, note and URL is escaped. A draft is the
model's text as it streams in, *not yet checked*: it is shown greyed under a "checking sources"
label, its [n] markers as plain text (no links), and it is always replaced by the verified answer.
Removed sentences are shown only folded, each tagged as not verified, never with a source link.
"""
from __future__ import annotations

import time
from html import escape
from typing import Sequence

from rag.answer.generate import display_url
from rag.types import Answer, SentenceCheck

LABELS = {
    "zh": {
        "draft": "草稿，正在核对来源…",
        "note": "说明",
        "fallback": "未使用生成的回答",
        "removed": "{n} 句未能与来源核对，已删去（未核实，不是答案的一部分）",
        "unverified": "未核实",
        "generated": "由 {model} 生成，逐句核对来源",
        "generated_anon": "模型生成，逐句核对来源",
    },
    "en": {
        "draft": "Draft, checking sources…",
        "note": "Note",
        "fallback": "Generated answer not used",
        "removed": "{n} sentence(s) removed: not verified against the sources, not part of the answer",
        "unverified": "not verified",
        "generated": "written by {model}, each sentence checked against its source",
        "generated_anon": "generated, each sentence checked against its source",
    },
}


def _lab(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def _text(text: str | None) -> str:
    return escape(text or "", quote=True)


def render_draft(text: str, lang: str = "zh") -> str:
    """The assistant's bubble while the model writes: its unverified text, greyed, under a label.
    Not a `rag-answer` (nothing in it is a checked answer)."""
    return (f'<div class="rag-draft" aria-busy="true"><div class="rag-draft-label">{_lab(lang)["draft"]}</div>'
            f'<div class="rag-draft-text">{_text(text)}</div></div>')


def unverified(answer: Answer) -> list[SentenceCheck]:
    return [c for c in answer.checks if not c.verified]


def render_note(answer: Answer, lang: str = "zh") -> str:
    """Answer.note as a plain line: above an extractive fallback (`rag-fallback-note`, why the
    generated answer was not used), under a generated answer (`rag-answer-note`). '' when none."""
    if not answer.note:
        return ""
    lab = _lab(lang)
    if answer.mode == "generative":
        return f'<div class="rag-answer-note">{lab["note"]}: {_text(answer.note)}</div>'
    return f'<div class="rag-fallback-note" role="note"><strong>{lab["fallback"]}</strong> · {_text(answer.note)}</div>'


def render_removed(checks: Sequence[SentenceCheck], lang: str = "zh") -> str:
    """The sentences left out, folded, each tagged as not verified with the reason; '' when none."""
    if not checks:
        return ""
    lab = _lab(lang)
    items = "".join(
        f'<li><span class="rag-unverified-tag">{lab["unverified"]}</span> '
        f'<span class="rag-unverified-text">{_text(c.text)}</span>'
        + (f' <span class="rag-unverified-why">（{_text(c.reason)}）</span>' if c.reason else "")
        + "</li>"
        for c in checks
    )
    return (f'<details class="rag-unverified"><summary>{lab["removed"].format(n=len(checks))}</summary>'
            f"<ul>{items}</ul></details>")


def generated_meta(answer: Answer, lang: str = "zh") -> str | None:
    """The meta-line entry of a generated answer (escaped), None for an extractive one."""
    if answer.mode != "generative":
        return None
    lab = _lab(lang)
    return lab["generated"].format(model=_text(answer.model)) if answer.model else lab["generated_anon"]


# --- the answer-settings panel --------------------------------------------------------------


def render_llm_settings(base_url: str, model: str, has_key: bool, timeout_s: float) -> str:
    """What the page says about the language model: the endpoint and model (never the key), or
    how the server's administrator turns generated answers on."""
    fixed = ("端点只能在服务器上配置（RAG_LLM_BASE_URL、RAG_LLM_MODEL、RAG_LLM_API_KEY 或命令行参数），"
             "页面不能更改。The endpoint is configured on the server only; this page cannot change it.")
    if not base_url:
        return ('<div class="rag-llm-settings rag-llm-off">未配置语言模型端点，只能使用摘录回答。'
                "No language model endpoint is configured, so answers are extracted from the articles. "
                f'<div class="rag-note">{fixed}</div></div>')
    key = "已设置（不显示） set, hidden" if has_key else "未设置 none"
    return (
        '<div class="rag-llm-settings">'
        f'<div>端点 Endpoint: <code class="rag-llm-url">{_text(display_url(base_url))}</code></div>'
        f'<div>模型 Model: <code class="rag-llm-model">{_text(model or "(endpoint default)")}</code></div>'
        f"<div>API key: {key} · 超时 Timeout: {timeout_s:g} s</div>"
        '<div class="rag-note">生成的回答逐句与引用的原文核对，核对不通过的句子不显示为答案；'
        "没有句子通过时显示摘录回答。Every generated sentence is checked against the passage it cites; "
        f"unverified sentences are never shown as the answer.</div><div class=\"rag-note\">{fixed}</div></div>"
    )


# --- streaming ------------------------------------------------------------------------------


class Throttle:
    """`ready()` is True at most once every `interval` seconds (the first call always)."""

    def __init__(self, interval: float = 0.1, clock=time.monotonic):
        self.interval, self.clock = interval, clock
        self._last: float | None = None

    def ready(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True
