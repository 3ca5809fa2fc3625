"""Safe HTML for the chat bubbles and the sources panel.

Every piece of article text, title, file name and question goes through `html.escape` before it
reaches the page, so a document holding `<script>` or other markup is shown as text. The only
markup in the output is the fixed markup written here. Pure functions: no Gradio, no pipeline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Callable, Iterable, Sequence

from rag.dates.versions import Replacement, spoken_date
from rag.text import language
from rag.types import Answer, Citation, DocInfo, Document
from rag.ui.dated import fact_date, render_badge, render_speaks_of, render_when, replaced_text, status_of
from rag.ui.generated import generated_meta, render_note, render_removed, unverified

PASSAGE_WINDOW = 120  # characters either side of a quote when the citation carries no passage

_MARKER = re.compile(r"\[(\d{1,3})\]")

LABELS = {
    "zh": {
        "lang": "zh",
        "searched": "检索用的问题",
        "not_found": "所收录的文章中没有找到这个问题的答案。",
        "sources": "来源",
        "no_sources": "这次回答没有引用任何文章。",
        "empty_panel": "提问后，答案所引用的原文会显示在这里，引用的句子会高亮标出。",
        "read_full": "阅读全文",
        "untitled": "（无标题）",
        "date": "日期",
        "file": "文件",
        "unknown": "未知",
        "quote_only": "原文已不在知识库中，只显示引用的句子。",
        "earlier": "较早的问题",
        "question": "问题",
        "latency": "{seconds:.2f} 秒",
        "n_sources": "{n} 个来源",
        "error": "出错了：",
        "page": "第{page}页",
        "ocr": "OCR 识别的文字，数字请核对原件",
        "ocr_quotes": "引文 {ns} 由 OCR 识别",
    },
    "en": {
        "lang": "en",
        "searched": "Searched as",
        "not_found": "The articles do not contain an answer to this question.",
        "sources": "Sources",
        "no_sources": "This reply cites no articles.",
        "empty_panel": "Ask a question: the passages the answer quotes appear here, with the quoted sentence highlighted.",
        "read_full": "Read the whole article",
        "untitled": "(untitled)",
        "date": "Date",
        "file": "File",
        "unknown": "unknown",
        "quote_only": "The article is no longer in the knowledge base; only the quoted sentence is shown.",
        "earlier": "Earlier questions",
        "question": "Question",
        "latency": "{seconds:.2f} s",
        "n_sources": "{n} sources",
        "error": "Something went wrong: ",
        "page": "page {page}",
        "ocr": "text read by OCR: check figures against the original",
        "ocr_quotes": "quote {ns} read by OCR",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def anchor(turn: int, n: int) -> str:
    """The element id of source `n` of conversation turn `turn`; chat markers link to it."""
    return f"src-{turn}-{n}"


def text_block(text: str) -> str:
    """Escaped text; the CSS keeps its line breaks (white-space: pre-wrap)."""
    return escape(text or "", quote=True)


# --- chat bubbles ---------------------------------------------------------------------------


def render_question(question: str, filters: str | None = None) -> str:
    """The user's bubble. The chatbot shows HTML, so the question is escaped too. `filters`: the
    active document filters in words, shown under the question."""
    note = f'<div class="rag-filters-note">筛选 Filters: {text_block(filters)}</div>' if filters else ""
    return f'<div class="rag-question">{text_block(question)}{note}</div>'


def short_parts(answer: Answer) -> list[str]:
    """The verbatim pieces of a short answer: each labelled fact (Answer.short_parts), or the
    short answer whole."""
    if answer.short_parts:
        return [p.text for p in answer.short_parts]
    return [answer.short_answer] if answer.short_answer and answer.short_answer.strip() else []


def emphasise(text: str, parts: Sequence[str]) -> str:
    """Escaped `text` with the first occurrence of each part wrapped in <strong class="rag-hit">."""
    spans = []
    for part in parts:
        i = text.find(part)
        if i >= 0 and all(i >= e or i + len(part) <= s for s, e in spans):
            spans.append((i, i + len(part)))
    out, pos = [], 0
    for s, e in sorted(spans):
        out += [escape(text[pos:s]), '<strong class="rag-hit">', escape(text[s:e]), "</strong>"]
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


def link_markers(sentence: str, numbers: Iterable[int], turn: int, parts: Sequence[str] = ()) -> str:
    """Escape `sentence` and turn each `[n]` of a known citation into a link to its source card;
    the short answer's `parts` are emphasised where the sentence holds them.

    Citations the sentence does not mention get their markers appended, so every source shown
    in the panel is reachable from the reply.
    """
    numbers = list(dict.fromkeys(numbers))
    known = set(numbers)
    seen: set[int] = set()
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(sentence):
        n = int(m.group(1))
        if n not in known:
            continue
        out.append(emphasise(sentence[pos : m.start()], parts))
        out.append(_marker_link(n, turn))
        seen.add(n)
        pos = m.end()
    out.append(emphasise(sentence[pos:], parts))
    missing = [n for n in numbers if n not in seen]
    if missing:
        out.append(" " + "".join(_marker_link(n, turn) for n in missing))
    return "".join(out)


def _marker_link(n: int, turn: int) -> str:
    return f'<a class="rag-cite" href="#{anchor(turn, n)}" data-source="{n}">[{n}]</a>'


def render_answer(answer: Answer, turn: int) -> str:
    """The assistant's bubble: searched question (if rewritten), bold short answer, cited sentence.

    A generated answer (mode "generative") has its note under it; an extractive answer given
    instead of a generated one has the note (why) above it. Sentences of the model's reply that
    could not be verified are listed folded, tagged as not verified, never linked to a source."""
    lang = language(answer.question)
    lab = labels(lang)
    mode = "generative" if answer.mode == "generative" else "extractive"
    parts = [f'<div class="rag-answer" data-mode="{mode}">']
    if mode == "extractive":
        parts.append(render_note(answer, lang))
    if answer.searched_question and answer.searched_question != answer.question:
        parts.append(
            f'<div class="rag-searched">{lab["searched"]}: '
            f'<span class="rag-searched-q">{text_block(answer.searched_question)}</span></div>'
        )
    if answer.answerable:
        when = render_when(answer, lang)
        if answer.short_answer:
            parts.append(f'<div class="rag-short"><strong>{text_block(answer.short_answer)}</strong>{when}</div>')
        elif when and spoken_date(fact_date(answer), lang) in (answer.answer or ""):
            when = ""  # the sentence says its date already
        sentence = link_markers(answer.answer, (c.n for c in answer.citations), turn, short_parts(answer))
        parts.append(f'<div class="rag-sentence">{sentence}{"" if answer.short_answer else when}</div>')
    else:
        # no citations are shown for an unanswerable question, whatever the answer carries
        parts.append(f'<div class="rag-notfound">{text_block(answer.answer or lab["not_found"])}</div>')
    if mode == "generative":
        parts.append(render_note(answer, lang))
    parts.append(render_removed(unverified(answer), lang))
    meta = [lab["latency"].format(seconds=answer.latency_ms / 1000)]
    generated = generated_meta(answer, lang)
    if generated:
        meta.insert(0, generated)
    if answer.answerable and answer.citations:
        meta.append(lab["n_sources"].format(n=len(answer.citations)))
        ocr = [f"[{c.n}]" for c in answer.citations if c.ocr]
        if ocr:
            meta.append(f'<span class="rag-ocr">{lab["ocr_quotes"].format(ns="".join(ocr))}</span>')
    parts.append(f'<div class="rag-meta">{" · ".join(meta)}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_error(message: str, lang: str = "zh") -> str:
    return f'<div class="rag-error">{labels(lang)["error"]}{text_block(message)}</div>'


def render_notice(message: str) -> str:
    return f'<div class="rag-notice">{text_block(message)}</div>'


# --- sources panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where a citation's quote and its passage sit in the document text (None: quote only)."""

    text: str | None
    start: int
    end: int
    passage_start: int
    passage_end: int


def locate(citation: Citation, doc: Document | None) -> Located:
    """Find the quote in the document; fall back to a window around it, or to the quote alone."""
    if doc is None:
        return Located(None, 0, 0, 0, 0)
    text = doc.text
    start, end = citation.start, citation.end
    if text[start:end] != citation.quote:
        found = text.find(citation.quote) if citation.quote else -1
        if found < 0:
            return Located(None, 0, 0, 0, 0)
        start, end = found, found + len(citation.quote)
    ps, pe = citation.passage_start, citation.passage_end
    if not (0 <= ps <= start and end <= pe <= len(text)) or pe <= ps:
        ps, pe = max(0, start - PASSAGE_WINDOW), min(len(text), end + PASSAGE_WINDOW)
    return Located(text, start, end, ps, pe)


def highlight(text: str, start: int, end: int, lo: int = 0, hi: int | None = None, parts: Sequence[str] = ()) -> str:
    """Escaped `text[lo:hi]` with `text[start:end]` wrapped in <mark>, the short answer's
    `parts` emphasised inside it."""
    hi = len(text) if hi is None else hi
    return (
        escape(text[lo:start])
        + '<mark class="rag-quote">'
        + emphasise(text[start:end], parts)
        + "</mark>"
        + escape(text[end:hi])
    )


def _meta_line(date: str | None, source: str | None, lab: dict[str, str]) -> str:
    return (
        f'<span class="rag-date">{lab["date"]}: {text_block(date or lab["unknown"])}</span>'
        f'<span class="rag-file">{lab["file"]}: <code>{text_block(source or lab["unknown"])}</code></span>'
    )


def _page_mark(citation: Citation, lab: dict[str, str]) -> str:
    """"第3页" for a quote from a PDF or an image, and a mark when its text was read by OCR."""
    page = f'<span class="rag-page">{lab["page"].format(page=citation.page)}</span>' if citation.page else ""
    return page + (f'<span class="rag-ocr" title="{lab["ocr"]}">OCR</span>' if citation.ocr else "")


def render_source(citation: Citation, doc: Document | None, turn: int, lab: dict[str, str], full_text: bool,
                  parts: Sequence[str] = (), kb: str | None = None) -> str:
    """One source card: number, title, date, file; the passage with the quote marked; the article.
    `kb`: the knowledge base it came from, shown as a tag (an answer from several)."""
    loc = locate(citation, doc)
    title = citation.title or (doc.title if doc else None) or lab["untitled"]
    status, lang = status_of(citation), lab.get("lang", "zh")
    html = [
        f'<article class="rag-source{f" rag-status-{status}" if status else ""}" id="{anchor(turn, citation.n)}">',
        f'<header><span class="rag-n">[{citation.n}]</span> '
        f'<span class="rag-title">{text_block(title)}</span>{render_badge(citation, lang)}'
        + (f'<span class="rag-kb" title="知识库 knowledge base">{text_block(kb)}</span>' if kb else "") + '</header>',
        f'<div class="rag-source-meta">{_meta_line(citation.date, citation.source, lab)}{_page_mark(citation, lab)}'
        f'{render_speaks_of(citation, lang)}</div>',
    ]
    if loc.text is None:
        html.append(f'<blockquote class="rag-passage"><mark class="rag-quote">{emphasise(citation.quote, parts)}'
                    '</mark></blockquote>')
        html.append(f'<div class="rag-note">{lab["quote_only"]}</div>')
    else:
        before = "…" if loc.passage_start > 0 else ""
        after = "…" if loc.passage_end < len(loc.text) else ""
        passage = highlight(loc.text, loc.start, loc.end, loc.passage_start, loc.passage_end, parts)
        html.append(f'<blockquote class="rag-passage">{before}{passage}{after}</blockquote>')
        if full_text:
            html.append(
                f'<details class="rag-full"><summary>{lab["read_full"]}</summary>'
                f'<div class="rag-fulltext">{highlight(loc.text, loc.start, loc.end, parts=parts)}</div></details>'
            )
    html.append("</article>")
    return "".join(html)


def render_turn_sources(
    answer: Answer, turn: int, get_document: Callable[..., Document | None], full_text: bool = True,
    kb_titles: dict[str, str] | None = None,
) -> str:
    """The sources of one answer. An unanswerable reply shows a note and no source cards. A citation
    that names its knowledge base is looked up with get_document(doc_id, kb); when the answer comes
    from several, or from one other than `default`, each card shows its knowledge base's title
    (`kb_titles`, else its name)."""
    lab = labels(language(answer.question))
    if not answer.answerable or not answer.citations:
        return f'<div class="rag-nosources">{lab["no_sources"]}</div>'
    docs: dict[tuple, Document | None] = {}
    kbs = {c.kb for c in answer.citations}
    show_kb = len(kbs) > 1 or (kbs - {None, "default"})
    cards = []
    for c in answer.citations:
        key = (c.kb, c.doc_id)
        if key not in docs:
            docs[key] = get_document(c.doc_id) if c.kb is None else get_document(c.doc_id, c.kb)
        kb = (kb_titles or {}).get(c.kb, c.kb) if show_kb and c.kb else None
        cards.append(render_source(c, docs[key], turn, lab, full_text, short_parts(answer), kb))
    return "".join(cards)


@dataclass(frozen=True)
class TurnView:
    """What the sources panel keeps of one conversation turn."""

    turn: int
    question: str
    html: str  # sources of this turn, with the whole articles (shown while it is the latest turn)
    brief_html: str  # the same sources without the whole articles (shown folded once it is older)


def render_panel(turns: Sequence[TurnView], lang: str = "zh") -> str:
    """Newest turn open at the top; earlier turns folded below, still reachable from their markers."""
    if not turns:
        return f'<div class="rag-panel"><div class="rag-empty">{labels(lang)["empty_panel"]}</div></div>'
    latest, earlier = turns[-1], list(reversed(turns[:-1]))
    lab = labels(language(latest.question))
    parts = [
        '<div class="rag-panel">',
        f'<section class="rag-turn rag-latest" data-turn="{latest.turn}">',
        f'<h3 class="rag-panel-title">{lab["sources"]}</h3>',
        f'<div class="rag-turn-q">{lab["question"]}: {text_block(latest.question)}</div>',
        latest.html,
        "</section>",
    ]
    if earlier:
        parts.append(f'<h4 class="rag-earlier-title">{lab["earlier"]}</h4>')
        for t in earlier:
            parts.append(
                f'<details class="rag-turn" data-turn="{t.turn}"><summary>{text_block(t.question)}</summary>'
                f"{t.brief_html}</details>"
            )
    parts.append("</div>")
    return "".join(parts)


# --- knowledge base -------------------------------------------------------------------------


def document_rows(docs: Iterable[DocInfo], replaced: dict[str, Replacement] | None = None) -> list[list]:
    """Rows for the documents table: title, date, passages, characters, file (plain text). A
    document a later one replaced (rag.dates.versions.replaced) has that said after its title."""
    replaced = replaced or {}
    return [[(d.title or "") + (f" · {replaced_text(replaced[d.id])}" if d.id in replaced else ""), d.date or "",
             d.passages, d.chars, d.source or ""] for d in docs]


def document_choice(d: DocInfo) -> tuple[str, str]:
    """(label, value) for the document picker."""
    name = d.title or d.source or d.id
    return (f"{name} ({d.date})" if d.date else name, d.id)


def render_document(doc: Document, lang: str = "zh", replacement: Replacement | None = None) -> str:
    """A whole article for the knowledge-base viewer, as text; marked when a later one replaced it."""
    lab = labels(lang)
    mark = (f'<div class="rag-replaced">{text_block(replaced_text(replacement, lang))}</div>'
            if replacement else "")
    return (
        f'<article class="rag-doc"><h3>{text_block(doc.title or lab["untitled"])}</h3>{mark}'
        f'<div class="rag-source-meta">{_meta_line(doc.date, doc.source, lab)}</div>'
        f'<div class="rag-fulltext">{text_block(doc.text)}</div></article>'
    )
