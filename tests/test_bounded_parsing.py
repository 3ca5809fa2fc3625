"""Work bounded per file: a PDF's pages and the bytes its text extraction would parse are capped
before parsing starts (a small file of pages sharing one big compressed stream is refused in
moments, not parsed for minutes), and an upload is parsed outside the index's write lock."""
from __future__ import annotations

import io
import threading
import time

import pytest

from rag.errors import BadInput
from rag.ingest import Limits, load_paths, read_file
from rag.ingest.guards import MB

LINE = b"BT /F1 12 Tf 72 700 Td (Maple Falls water works opened) Tj ET\n"


def pdf(pages: int, content_bytes: int = 0, form_draws: int = 0, cmap_bytes: int = 0) -> bytes:
    """A PDF of `pages` pages that all share one compressed content stream of `content_bytes`
    (inflated), or draw one shared form `form_draws` times, in a font with a ToUnicode map of
    `cmap_bytes`."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    w = PdfWriter()

    def stream(data: bytes, **entries):
        s = DecodedStreamObject()
        s.set_data(data)
        s = s.flate_encode()
        for key, value in entries.items():
            s[NameObject(key)] = value
        return w._add_object(s)

    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    if cmap_bytes:
        font[NameObject("/ToUnicode")] = stream(b"%" + b"x" * cmap_bytes + b"\n")
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)})})
    body = LINE * max(1, content_bytes // len(LINE))
    if form_draws:
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Fm1"): stream(
            body, **{"/Type": NameObject("/XObject"), "/Subtype": NameObject("/Form"), "/Resources": resources})})
        body = LINE + b"/Fm1 Do\n" * form_draws
    contents = stream(body)
    for _ in range(pages):
        page = w.add_blank_page(612, 792)
        page[NameObject("/Contents")] = contents
        page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def timed_read(path, limits=None):
    t0 = time.perf_counter()
    try:
        return read_file(path, path.name, limits), time.perf_counter() - t0
    except BadInput as err:
        return err, time.perf_counter() - t0


def test_a_small_pdf_of_pages_sharing_a_big_stream_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdf(pages=200, content_bytes=1 * MB))  # 200 MB to parse, from ~20 KB
    assert path.stat().st_size < 100_000
    got, seconds = timed_read(path)
    assert isinstance(got, BadInput) and seconds < 5
    assert "RAG_MAX_INFLATED_MB" in str(got) and "50 MB" in str(got)
    docs, problems = load_paths([path])
    assert docs == [] and "RAG_MAX_INFLATED_MB" in problems[0].message


def test_the_limit_counts_each_page_and_a_smaller_pdf_is_read(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf(pages=3, content_bytes=20_000))  # 60 KB to parse
    docs, _ = timed_read(path)
    assert "Maple Falls water works" in docs[0].text
    got, _ = timed_read(path, Limits(max_inflated_bytes=50_000))
    assert isinstance(got, BadInput) and "RAG_MAX_INFLATED_MB" in str(got)


def test_forms_count_each_time_they_are_drawn_and_font_maps_each_page(tmp_path):
    drawn = tmp_path / "drawn.pdf"
    drawn.write_bytes(pdf(pages=1, content_bytes=100_000, form_draws=600))  # one page, 60 MB through one form
    got, seconds = timed_read(drawn)
    assert isinstance(got, BadInput) and "RAG_MAX_INFLATED_MB" in str(got) and seconds < 5
    mapped = tmp_path / "mapped.pdf"
    mapped.write_bytes(pdf(pages=60, content_bytes=100, cmap_bytes=1 * MB))  # 60 MB of ToUnicode map
    got, seconds = timed_read(mapped)
    assert isinstance(got, BadInput) and "RAG_MAX_INFLATED_MB" in str(got) and seconds < 5


def test_pages_are_capped_before_anything_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf(pages=30, content_bytes=100))
    monkeypatch.setenv("RAG_MAX_PDF_PAGES", "20")
    got, _ = timed_read(path)
    assert isinstance(got, BadInput) and "30 pages" in str(got) and "RAG_MAX_PDF_PAGES" in str(got)
    monkeypatch.setenv("RAG_MAX_PDF_PAGES", "0")
    with pytest.raises(Exception, match="at least 1"):
        Limits.from_settings()


def test_an_upload_is_parsed_outside_the_write_lock(fake_pipeline, fake_settings, tmp_path, monkeypatch):
    """While one upload is being read (held up here inside the reader), another thread can take the
    index's write lock and delete a document."""
    import rag.ingest.readers as readers
    from rag.documents import add_uploads

    corpus = fake_settings.corpus_dir
    (corpus / "lake.txt").write_text("南湖镇建成污水处理厂，日处理能力2万吨。\n", encoding="utf-8")
    (corpus / "road.txt").write_text("青石村修建了12公里的乡村绿道。\n", encoding="utf-8")
    fake_pipeline.build()
    reading, release = threading.Event(), threading.Event()
    real = readers._read_one

    def slow(path, suffix, source, limits, *rest):
        reading.set()
        assert release.wait(30)
        return real(path, suffix, source, limits, *rest)

    monkeypatch.setattr(readers, "_read_one", slow)
    upload = tmp_path / "up.txt"
    upload.write_text("枫林镇建成新水厂，日供水能力达到4万吨。\n", encoding="utf-8")
    result = {}
    worker = threading.Thread(target=lambda: result.update(added=add_uploads(fake_pipeline, [(upload, "mill.txt")],
                                                                             corpus)))
    worker.start()
    try:
        assert reading.wait(30)
        t0 = time.perf_counter()
        got = threading.Thread(target=lambda: result.update(deleted=fake_pipeline.delete_documents(["road.txt"])))
        got.start()
        got.join(10)
        assert not got.is_alive() and time.perf_counter() - t0 < 10  # the lock was free while parsing
    finally:
        release.set()
        worker.join(30)
    assert [p.name for _, p in result["added"].stored] == ["mill.txt"]
    assert sorted(d.id for d in fake_pipeline.documents()) == ["lake.txt", "mill.txt"]
