"""Look and feel: a theme with system fonts only (nothing is fetched), the CSS, and one small
script that makes the `[n]` markers scroll to their source card. Everything is served inline by
the app itself, so the page works with no network at all.
"""
from __future__ import annotations

import gradio as gr

# Noto CJK comes from Debian's fonts-noto-cjk; the rest cover macOS and Windows readers.
SANS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
MONO = ["Noto Sans Mono CJK SC", "ui-monospace", "Menlo", "Consolas", "monospace"]


def theme() -> gr.themes.Base:
    # plain names (not GoogleFont/LocalFont) produce no @font-face and no font download
    return gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=SANS, font_mono=MONO)


CSS = """
.gradio-container { width: 100% !important; max-width: 1280px !important; margin: 0 auto; }
#app-title h1 { margin-bottom: 0; }
#app-title p { margin-top: 4px; color: var(--body-text-color-subdued); }
.rag-question { white-space: pre-wrap; }
.rag-question .rag-filters-note { font-size: 0.8em; opacity: 0.75; margin-top: 2px; }
#filters { align-items: end; }
.rag-answer .rag-short { font-size: 1.15em; margin-bottom: 6px; }
.rag-answer .rag-short strong { color: var(--color-accent); }
.rag-hit { color: var(--color-accent); }
.rag-answer .rag-sentence { line-height: 1.7; }
.rag-answer .rag-searched { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.rag-answer .rag-searched-q { font-weight: 600; }
.rag-answer .rag-meta { font-size: 0.78em; color: var(--body-text-color-subdued); margin-top: 6px; }
.rag-answer .rag-notfound { padding: 6px 10px; border-left: 3px solid #d97706; background: rgba(217,119,6,.08); }
.rag-error { padding: 6px 10px; border-left: 3px solid #dc2626; background: rgba(220,38,38,.08); }
.rag-notice { color: var(--body-text-color-subdued); font-style: italic; }
.rag-draft { opacity: 0.6; border-left: 3px dashed var(--border-color-primary); padding-left: 8px; }
.rag-draft-label { font-size: 0.8em; font-style: normal; margin-bottom: 2px; }
.rag-draft-text { font-style: italic; white-space: pre-wrap; line-height: 1.7; }
.rag-fallback-note { padding: 4px 10px; margin-bottom: 6px; font-size: 0.88em; border-left: 3px solid #d97706;
                     background: rgba(217,119,6,.08); }
.rag-answer-note { font-size: 0.82em; color: var(--body-text-color-subdued); margin-top: 6px; }
.rag-unverified { font-size: 0.82em; color: var(--body-text-color-subdued); margin-top: 4px; }
.rag-unverified summary { cursor: pointer; }
.rag-unverified ul { margin: 4px 0 0 0; padding-left: 18px; }
.rag-unverified-tag { font-size: 0.85em; padding: 0 4px; border: 1px solid #dc2626; color: #dc2626; border-radius: 3px; }
.rag-unverified-text { text-decoration: line-through; }
.rag-llm-settings { font-size: 0.9em; line-height: 1.7; }
a.rag-cite { text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 1px; cursor: pointer; }
a.rag-cite:hover { text-decoration: underline; }
.rag-placeholder { text-align: center; color: var(--body-text-color-subdued); line-height: 1.8; }
#sources .rag-panel { font-size: 0.95em; max-height: 78vh; overflow-y: auto; padding-right: 4px; }
.rag-panel .rag-empty, .rag-panel .rag-nosources { color: var(--body-text-color-subdued); padding: 12px 4px; }
.rag-panel-title { margin: 0 0 4px 0; }
.rag-turn-q { color: var(--body-text-color-subdued); margin-bottom: 8px; }
.rag-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
              margin-bottom: 10px; background: var(--background-fill-primary); scroll-margin-top: 12px; }
.rag-source header { font-weight: 600; margin-bottom: 2px; }
.rag-source .rag-n { color: var(--color-accent); }
.rag-source-meta { font-size: 0.82em; color: var(--body-text-color-subdued); display: flex; flex-wrap: wrap;
                   gap: 4px 14px; margin-bottom: 6px; }
.rag-source-meta code { font-size: 0.95em; }
#sources .rag-passage, .rag-passage { margin: 6px 0 !important; padding: 6px 10px; border-left: 3px solid var(--border-color-accent);
               white-space: pre-wrap; line-height: 1.7; }
mark.rag-quote { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.rag-full summary, .rag-turn summary { cursor: pointer; color: var(--color-accent); font-size: 0.9em; }
.rag-fulltext { white-space: pre-wrap; line-height: 1.7; max-height: 420px; overflow-y: auto;
                padding: 8px; border-radius: 6px; background: var(--background-fill-secondary); }
.rag-note { font-size: 0.8em; color: var(--body-text-color-subdued); }
.rag-earlier-title { margin: 14px 0 6px 0; color: var(--body-text-color-subdued); }
.rag-flash { animation: rag-flash 1.6s ease-out; }
@keyframes rag-flash { from { box-shadow: 0 0 0 3px #f59e0b; } to { box-shadow: 0 0 0 0 transparent; } }
.rag-status { padding: 8px 12px; border-radius: 6px; }
.rag-status-ok { background: rgba(22,163,74,.08); border-left: 3px solid #16a34a; }
.rag-status-warn { background: rgba(217,119,6,.08); border-left: 3px solid #d97706; }
.rag-status-error { background: rgba(220,38,38,.08); border-left: 3px solid #dc2626; }
.rag-doc h3 { margin-top: 0; }
.rag-when { font-size: 0.72em; font-weight: normal; color: var(--body-text-color-subdued); white-space: nowrap; }
.rag-badge { font-size: 0.78em; font-weight: 600; padding: 0 6px; margin-left: 6px; border-radius: 9px;
             white-space: nowrap; border: 1px solid currentColor; }
.rag-badge-current { color: #16a34a; }
.rag-badge-earlier { color: #b45309; }
.rag-badge-superseded { color: #dc2626; }
.rag-source.rag-status-earlier, .rag-source.rag-status-superseded { border-style: dashed; }
.rag-source.rag-status-superseded .rag-passage { opacity: 0.75; }
.rag-replaced { display: inline-block; margin-bottom: 6px; padding: 2px 8px; font-size: 0.88em; color: #dc2626;
                border: 1px solid #dc2626; border-radius: 6px; }
.rag-example { flex: 0 1 auto !important; min-width: 0 !important; }
"""

# Inline script (no src=): a click on a [n] marker opens the folded turn holding its source card,
# scrolls the sources panel to it and flashes it. Plain anchors would also work, but Gradio's
# panels scroll on their own, so the browser's fragment jump alone is unreliable.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.rag-cite") : null;
  if (!link) return;
  var id = (link.getAttribute("href") || "").slice(1);
  var card = id && document.getElementById(id);
  if (!card) return;
  event.preventDefault();
  for (var p = card.parentElement; p; p = p.parentElement) {
    if (p.tagName === "DETAILS") p.open = true;
  }
  card.scrollIntoView({behavior: "smooth", block: "nearest"});
  card.classList.remove("rag-flash");
  void card.offsetWidth;
  card.classList.add("rag-flash");
});
</script>
"""
