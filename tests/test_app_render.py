"""Fast tests of the app's HTML rendering and upload-name handling (no browser, no model)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.errors import BadInput
from rag.types import Answer, Citation, DocInfo, Document, ShortPart
from rag.ui import render
from rag.documents import copy_into_corpus, corpus_file, safe_filename

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)"><b class="injected">粗体</b> & "引号"'
TEXT = "前仓镇大陈村诠释了精彩蝶变。2024 年，该村接待游客约40 万人次，村集体经济收入达 251 万元。村民很高兴。"
QUOTE = "2024 年，该村接待游客约40 万人次，村集体经济收入达 251 万元。"


def doc(text=TEXT, title="大陈村的蝶变", doc_id="d1") -> Document:
    return Document(id=doc_id, text=text, title=title, date="2025-01-03", source="000_seed.txt")


def citation(d: Document, quote=QUOTE, n=1, passage=(0, None)) -> Citation:
    start = d.text.index(quote)
    ps, pe = passage
    return Citation(n, d.id, d.title, d.date, d.source, quote, start, start + len(quote),
                    ps, len(d.text) if pe is None else pe)


def answer(question="大陈村2024年接待了多少游客？", cits=None, short="约40 万人次", searched=None) -> Answer:
    d = doc()
    cits = (citation(d),) if cits is None else cits
    body = "".join(f"{c.quote}[{c.n}]" for c in cits)
    return Answer(question, body, short, True, tuple(cits), latency_ms=123.4, searched_question=searched)


def tags(html: str) -> set[str]:
    return set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)", html))


ALLOWED_TAGS = {"div", "span", "strong", "a", "article", "header", "code", "blockquote", "mark", "details",
                "summary", "section", "h3", "h4"}


# --- language --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("大陈村2024年接待了多少游客？", "zh"),
    ("那村集体经济收入呢？", "zh"),
    ("How many tourists did Dachen village receive in 2024?", "en"),
    ("How many tourists did 大陈村 receive?", "en"),
    ("", "zh"),  # no letters: the corpus language (the one detector, rag.text.language)
])
def test_language(text, lang):
    assert render.language(text) == lang


# --- chat bubbles ----------------------------------------------------------------------------

def test_answer_bubble_has_bold_short_answer_above_sentence_and_linked_marker():
    html = render.render_answer(answer(), turn=3)
    assert html.index("<strong>约40 万人次</strong>") < html.index('class="rag-sentence"')
    assert '<a class="rag-cite" href="#src-3-1" data-source="1">[1]</a>' in html
    assert "[1]</a>" in html and "万元。[1]" not in html  # the marker became a link, not text
    assert "0.12" in html  # latency


def test_markers_of_unknown_citations_stay_text_and_missing_ones_are_appended():
    out = render.link_markers("甲[1]乙[7]", [1, 2], turn=1)
    assert out.count('class="rag-cite"') == 2
    assert "乙[7]" in out  # [7] is not a citation: left as text
    assert out.endswith('<a class="rag-cite" href="#src-1-2" data-source="2">[2]</a>')


def test_rewritten_question_is_shown():
    html = render.render_answer(answer("那村集体经济收入呢？", searched="大陈村 村集体经济收入"), turn=2)
    assert "检索用的问题" in html and "大陈村 村集体经济收入" in html


def test_english_question_gets_english_labels():
    html = render.render_answer(answer("How much collective income?", searched="Dachen collective income"), 1)
    assert "Searched as" in html and "检索" not in html


def test_not_found_shows_message_and_no_markers_even_if_citations_were_passed():
    a = Answer("永康市2025年的财政预算是多少？", "抱歉，现有文章中没有找到这个问题的答案。", None, False,
               (citation(doc()),))
    html = render.render_answer(a, turn=1)
    assert "没有找到" in html and "rag-cite" not in html and "<strong>" not in html
    panel = render.render_turn_sources(a, 1, lambda _id: doc())
    assert "rag-source" not in panel and "没有引用" in panel


def test_not_found_without_text_uses_label():
    a = Answer("What is the 2025 budget?", "", None, False)
    assert render.LABELS["en"]["not_found"] in render.render_answer(a, 1)


def test_question_and_error_are_escaped():
    assert "<script>" not in render.render_question(EVIL)
    assert "&lt;script&gt;" in render.render_question(EVIL)
    assert "<script>" not in render.render_error(EVIL)


def test_short_answer_is_emphasised_inside_the_cited_sentence_each_labelled_part_too():
    d = doc(text="村集体经济收入达251万元，村民人均收入约5万元。")
    c = citation(d, quote=d.text)
    facts = tuple(ShortPart(t, d.id, d.text.index(t), d.text.index(t) + len(t))
                  for t in ("村集体经济收入达251万元", "村民人均收入约5万元"))
    a = Answer("收入多少？", f"{d.text}[1]", "村集体经济收入达251万元；村民人均收入约5万元", True, (c,), short_parts=facts)
    html = render.render_answer(a, 1)
    sentence = re.search(r'<div class="rag-sentence">(.*?)</div>', html).group(1)
    assert re.findall(r'<strong class="rag-hit">(.*?)</strong>', sentence) == ["村集体经济收入达251万元", "村民人均收入约5万元"]
    card = render.render_turn_sources(a, 1, lambda _id: d)
    assert card.count('<strong class="rag-hit">') == 2 * 2  # passage and the whole article
    assert tags(html) <= ALLOWED_TAGS | {"strong"}


def test_emphasis_escapes_markup_in_the_short_answer():
    html = render.emphasise("前<b>后", ["<b>"])
    assert html == '前<strong class="rag-hit">&lt;b&gt;</strong>后'


def test_answer_with_markup_in_article_text_is_escaped():
    d = doc(text="前言。" + EVIL + "。后记。")
    c = citation(d, quote=EVIL)
    a = Answer("问题？", f"{EVIL}[1]", EVIL, True, (c,))
    html = render.render_answer(a, 1)
    assert tags(html) <= ALLOWED_TAGS
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- sources panel ---------------------------------------------------------------------------

def test_source_card_marks_quote_inside_passage_with_title_date_file_and_anchor():
    d = doc()
    html = render.render_turn_sources(answer(), 2, lambda _id: d)
    assert 'id="src-2-1"' in html
    assert "大陈村的蝶变" in html and "2025-01-03" in html and "000_seed.txt" in html
    short = answer().short_answer
    marked = QUOTE.replace(short, f'<strong class="rag-hit">{short}</strong>')
    assert short in QUOTE and f'<mark class="rag-quote">{marked}</mark>' in html
    passage = re.search(r'<blockquote class="rag-passage">(.*?)</blockquote>', html).group(1)
    assert "前仓镇大陈村诠释了精彩蝶变。" in passage and "村民很高兴" in passage
    assert "<details" in html and "阅读全文" in html


def test_passage_uses_citation_offsets_and_adds_ellipses():
    d = doc()
    s = d.text.index(QUOTE)
    c = citation(d, passage=(s - 3, s + len(QUOTE) + 2))
    html = render.render_source(c, d, 1, render.labels("zh"), full_text=False)
    passage = re.search(r'<blockquote class="rag-passage">(.*?)</blockquote>', html).group(1)
    assert passage.startswith("…" + d.text[s - 3 : s]) and passage.endswith("…")
    assert "<details" not in html


def test_bad_passage_offsets_fall_back_to_a_window_around_the_quote():
    d = doc()
    c = citation(d, passage=(0, 5))  # passage that does not contain the quote
    loc = render.locate(c, d)
    assert loc.passage_start <= loc.start < loc.end <= loc.passage_end


def test_quote_found_by_search_when_offsets_are_stale():
    d = doc()
    c = Citation(1, d.id, d.title, d.date, d.source, QUOTE, 0, len(QUOTE), 0, len(d.text))
    loc = render.locate(c, d)
    assert d.text[loc.start : loc.end] == QUOTE


def test_missing_document_shows_the_quote_alone():
    html = render.render_turn_sources(answer(), 1, lambda _id: None)
    marked = QUOTE.replace("约40 万人次", '<strong class="rag-hit">约40 万人次</strong>')
    assert f'<mark class="rag-quote">{marked}</mark>' in html and "只显示引用的句子" in html


def test_script_in_article_renders_as_text_everywhere():
    text = "标题行\n" + EVIL + "\n大陈村接待游客约40 万人次。\n<p onclick=alert(3)>段落</p>"
    d = Document("evil", text, title="<i>标题</i><script>t()</script>", date="<b>2025</b>", source="<x>.txt")
    c = citation(d, quote="大陈村接待游客约40 万人次。")
    a = Answer("大陈村接待了多少游客？", f"{c.quote}[1]", "约40 万人次", True, (c,))
    for html in (
        render.render_turn_sources(a, 1, lambda _id: d),
        render.render_document(d),
        render.render_panel([render.TurnView(1, EVIL, render.render_turn_sources(a, 1, lambda _id: d), "")]),
    ):
        assert tags(html) <= ALLOWED_TAGS, tags(html) - ALLOWED_TAGS
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "onerror=" not in html.replace("onerror=&quot;", "")  # only the escaped form remains


def test_panel_shows_latest_turn_open_and_earlier_turns_folded():
    t1 = render.TurnView(1, "第一个问题？", "<p>full-1</p>", "<p>brief-1</p>")
    t2 = render.TurnView(2, "第二个问题？", "<p>full-2</p>", "<p>brief-2</p>")
    html = render.render_panel([t1, t2])
    assert html.index("full-2") < html.index("brief-1")
    assert "full-1" not in html and "brief-2" not in html
    assert '<details class="rag-turn" data-turn="1">' in html


def test_empty_panel_invites_a_question():
    assert "提问后" in render.render_panel([])


def test_document_rows_and_choices():
    info = DocInfo("id1", "标题", "2025-01-03", "a.txt", 120, 3)
    assert render.document_rows([info]) == [["标题", "2025-01-03", 3, 120, "a.txt"]]
    assert render.document_choice(info) == ("标题 (2025-01-03)", "id1")
    assert render.document_choice(DocInfo("id2", None, None, "b.txt", 1, 1)) == ("b.txt", "id2")


# --- dates and versions (issue #19) ----------------------------------------------------------

OLD_TEXT = "杉木镇育儿补贴标准为每年3000元。"
NEW_TEXT = "自2025年3月1日起，杉木镇育儿补贴标准提高至每年5000元。"


def versions(status_old="superseded", changed_on="2025-03-01", lead_when="2025-03-01"):
    """An answer leading with the 2025 standard [1], the 2023 one [2] cited as earlier or superseded."""
    old = Document("old", OLD_TEXT, title="杉木镇发放育儿补贴", date="2023-05-10", source="old.txt")
    new = Document("new", NEW_TEXT, title="关于提高育儿补贴标准的通知", date="2025-02-20", source="new.txt")
    c_new = Citation(1, "new", new.title, new.date, new.source, NEW_TEXT, 0, len(NEW_TEXT), 0, len(NEW_TEXT),
                     when=lead_when, status="current")
    c_old = Citation(2, "old", old.title, old.date, old.source, OLD_TEXT, 0, len(OLD_TEXT), 0, len(OLD_TEXT),
                     when="2023-05-10", status=status_old, changed_on=changed_on)
    a = Answer("杉木镇育儿补贴每年多少钱？", f"{NEW_TEXT}[1]此前为每年3000元[2]。", "每年5000元", True, (c_new, c_old))
    return a, {"old": old, "new": new}


def card(html: str, n: int) -> str:
    return re.search(rf'<article [^>]*id="src-1-{n}">.*?</article>', html, re.S).group()


def test_answer_shows_the_date_of_the_fact_it_leads_with():
    a, _ = versions()
    html = render.render_answer(a, 1)
    short = re.search(r'<div class="rag-short">(.*?)</div>', html).group(1)
    assert '<span class="rag-when" data-when="2025-03-01">（2025年3月1日）</span>' in short
    a, _ = versions(lead_when=None)  # no time read from the quote: its document's date
    assert "（2025年2月20日）" in render.render_answer(a, 1)
    plain = answer()  # a citation with a date and no time of its own: the document's date, at its precision
    assert "（2025年1月3日）" in render.render_answer(plain, 1)
    english = Answer("How much is the subsidy?", f"{NEW_TEXT}[1]", "5000元", True, (a.citations[0],))
    assert "(as of Feb 20, 2025)" in render.render_answer(english, 1)


def test_the_date_tag_follows_the_first_marker_and_is_left_out_when_unknown():
    a, _ = versions()
    led_by_old = Answer(a.question, "此前为每年3000元[2]。", None, True, a.citations)
    html = render.render_answer(led_by_old, 1)
    sentence = re.search(r'<div class="rag-sentence">(.*?)</div>$', html.split('<div class="rag-meta">')[0]).group(1)
    assert "（2023年5月10日）" in sentence and "rag-short" not in html
    undated = Citation(1, "d1", "t", None, "a.txt", QUOTE, 0, len(QUOTE), when=None)
    assert "rag-when" not in render.render_answer(answer(cits=(undated,)), 1)
    junk = Citation(1, "d1", "t", "<b>不详</b>", "a.txt", QUOTE, 0, len(QUOTE))  # not a date: no tag
    assert "rag-when" not in render.render_answer(answer(cits=(junk,)), 1)


def test_source_cards_mark_superseded_and_earlier_versions_with_their_dates():
    a, docs = versions()
    html = render.render_turn_sources(a, 1, docs.get)
    new, old = card(html, 1), card(html, 2)
    assert 'class="rag-source rag-status-superseded"' in old
    assert '<span class="rag-badge rag-badge-superseded">已被取代（2025年3月1日起）</span>' in old
    assert "2023-05-10" in old and "2025-02-20" in new
    assert 'rag-badge-current">最新</span>' in new and "rag-status-current" in new
    earlier = render.render_turn_sources(versions(status_old="earlier", changed_on=None)[0], 1, docs.get)
    assert '<span class="rag-badge rag-badge-earlier">较早</span>' in card(earlier, 2)
    assert tags(html) <= ALLOWED_TAGS


def test_a_card_shows_the_time_its_quote_speaks_of_when_not_its_documents_date():
    a, docs = versions(lead_when="2025-03-01")
    assert "所述时间: 2025年3月1日" in card(render.render_turn_sources(a, 1, docs.get), 1)
    assert "所述时间" not in card(render.render_turn_sources(a, 1, docs.get), 2)  # when == its date


def test_a_citation_without_status_renders_as_before():
    d = doc()
    plain = citation(d)
    timed = Citation(*[getattr(plain, f) for f in ("n", "doc_id", "title", "date", "source", "quote", "start", "end",
                                                   "passage_start", "passage_end")], when="2024")
    lab = render.labels("zh")
    assert render.render_source(timed, d, 1, lab, True) == render.render_source(plain, d, 1, lab, True)
    unknown = Citation(**{**timed.__dict__, "status": "<script>x</script>"})  # not a status: ignored
    assert render.render_source(unknown, d, 1, lab, True) == render.render_source(plain, d, 1, lab, True)


def test_markup_in_dates_and_titles_of_versions_is_escaped():
    a, docs = versions(changed_on="<img src=x onerror=alert(1)>")
    bad = Citation(**{**a.citations[1].__dict__, "title": EVIL, "when": "<b>2023</b>"})
    a = Answer(a.question, a.answer, a.short_answer, True, (a.citations[0], bad))
    html = render.render_turn_sources(a, 1, docs.get) + render.render_answer(a, 1)
    assert tags(html) <= ALLOWED_TAGS and "<img" not in html and "&lt;img" in html


def test_knowledge_base_rows_and_viewer_mark_a_replaced_document():
    from rag.dates.versions import Replacement

    old, new = DocInfo("old", "杉木镇发放育儿补贴", "2023-05-10", "old.txt", 20, 1), \
        DocInfo("new", "关于提高育儿补贴标准的通知", "2025-02-20", "new.txt", 30, 1)
    marks = {"old": Replacement("new", "2025-03-01", "关于提高育儿补贴标准的通知")}
    rows = render.document_rows([old, new], marks)
    assert rows[0][0] == "杉木镇发放育儿补贴 · 已被取代（2025-03-01，见《关于提高育儿补贴标准的通知》）"
    assert rows[1][0] == "关于提高育儿补贴标准的通知" and rows[0][1] == "2023-05-10"
    evil = Replacement("new", "2025-03-01", EVIL)
    html = render.render_document(Document("old", OLD_TEXT, title="杉木镇发放育儿补贴", date="2023-05-10"),
                                  replacement=evil)
    assert '<div class="rag-replaced">已被取代（2025-03-01，见《&lt;script&gt;' in html
    assert tags(html) <= ALLOWED_TAGS
    assert "rag-replaced" not in render.render_document(Document("x", "t"))


# --- uploaded file names ---------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("新闻.txt", "新闻.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("/abs/path/report.PDF", "report.pdf"),
    (".hidden.html", "hidden.html"),
    ("...txt", "upload.txt"),
    ("a\x00b<>|.jsonl", "a_b___.jsonl"),
    ("CON.docx", "upload-CON.docx"),
    ("  spaced   name .md", "spaced name.md"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["run.sh", "noext", "archive.tar.gz", "../.bashrc"])
def test_safe_filename_rejects_unknown_types(name):
    with pytest.raises(BadInput):
        safe_filename(name)


def test_copy_into_corpus_stays_inside_and_never_overwrites(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("old", encoding="utf-8")
    src = tmp_path / "upload.bin"
    src.write_text("new", encoding="utf-8")
    first = copy_into_corpus(src, "../../a.txt", corpus)
    second = copy_into_corpus(src, "a.txt", corpus)
    assert first == corpus.resolve() / "a-2.txt" and second == corpus.resolve() / "a-3.txt"
    assert (corpus / "a.txt").read_text(encoding="utf-8") == "old"
    assert not (tmp_path / "a.txt").exists()
    assert sorted(p.name for p in tmp_path.rglob("*.txt")) == ["a-2.txt", "a-3.txt", "a.txt"]


def test_corpus_file_only_inside_corpus(tmp_path: Path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "x.txt").write_text("x", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("o", encoding="utf-8")
    assert corpus_file(corpus, "sub/x.txt") == (corpus / "sub" / "x.txt").resolve()
    assert corpus_file(corpus, "../outside.txt") is None
    assert corpus_file(corpus, str(tmp_path / "outside.txt")) is None
    assert corpus_file(corpus, None) is None
    assert corpus_file(corpus, "missing.txt") is None
