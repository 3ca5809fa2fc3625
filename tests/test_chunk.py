from rag.ingest.chunk import chunk_document
from rag.text import sentence_spans
from rag.types import Document

TEXT = "第一句话。第二句话很长很长！第三句？”\n第四段开始了，还有逗号，很多逗号，非常多。最后一句"


def test_sentence_spans_cover_sentences_and_keep_closing_quotes():
    spans = sentence_spans(TEXT)
    got = [TEXT[s:e] for s, e in spans]
    assert got == ["第一句话。", "第二句话很长很长！", "第三句？”", "第四段开始了，还有逗号，很多逗号，非常多。", "最后一句"]


def test_a_title_holding_an_exclamation_mark_is_not_cut():
    text = "她在《青石之夜！》节目中第一次登台。观众很多！《好吗？》"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "她在《青石之夜！》节目中第一次登台。", "观众很多！", "《好吗？》"]


def test_chunk_offsets_point_into_document_text():
    doc = Document("d", TEXT * 5)
    chunks = chunk_document(doc, size=30, overlap=1)
    assert len(chunks) > 3
    for i, c in enumerate(chunks):
        assert doc.text[c.start : c.end] == c.text
        assert c.ordinal == i and c.doc_id == "d"
        assert len(c.text) <= 30


def test_chunks_cover_every_sentence_and_overlap_by_one():
    doc = Document("d", TEXT * 5)
    chunks = chunk_document(doc, size=30, overlap=1)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for s, e in sentence_spans(doc.text):
        assert set(range(s, e)) <= covered
    # consecutive multi-sentence chunks share their boundary sentence
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:]))


def test_overlong_sentence_is_cut_at_commas():
    doc = Document("d", "，".join(["很长的从句内容"] * 20) + "。")
    chunks = chunk_document(doc, size=40, overlap=0)
    assert all(len(c.text) <= 40 for c in chunks)
    assert "".join(c.text for c in chunks) == doc.text


def test_no_overlap_when_zero():
    doc = Document("d", TEXT * 3)
    chunks = chunk_document(doc, size=25, overlap=0)
    assert all(b.start >= a.end for a, b in zip(chunks, chunks[1:]))
