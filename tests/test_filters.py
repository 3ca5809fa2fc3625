"""Document filters (rag/retrieve/filters.py): matching, retrieval under filters, and every shell that takes
them (rag ask / rag eval, POST /api/ask, /v1/chat/completions via the openai client, the chat)."""
from __future__ import annotations

import json

import pytest

from rag.errors import BadFilter
from rag.retrieve.filters import Filters, document_date, make_filters, parse_date
from rag.types import Document

Q = "青石村接待了多少游客？"
OLD = "青石村旅游\n2024年3月5日，青石村接待游客约12万人次。\n"  # dated 2024-03-05
NEW = "青石村旅游新闻\n2025年3月5日，青石村接待游客约15万人次。\n"  # dated 2025-03-05
UNDATED = "青石村旅游报道\n青石村接待游客约20万人次。\n"  # no date; the best match without filters


def doc(date=None, source="news/a.txt") -> Document:
    return Document("x", "text", date=date, source=source)


def write_corpus(corpus):
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "old.txt").write_text(OLD, encoding="utf-8")
    (corpus / "new.txt").write_text(NEW, encoding="utf-8")
    (corpus / "undated.txt").write_text(UNDATED, encoding="utf-8")


def cited(answer: dict) -> set[str]:
    return {c["doc_id"] for c in answer["citations"]}


# -- matching ---------------------------------------------------------------------------------
@pytest.mark.parametrize("given, iso", [
    ("2025", "2025"), ("2025-1", "2025-01"), ("2025-01", "2025-01"), ("2025/01/05", "2025-01-05"),
    ("2025.1.5", "2025-01-05"), (" 2025-01-31 ", "2025-01-31"), ("2025年", "2025"), ("2025年1月", "2025-01"),
    ("2025年1月5日", "2025-01-05"), (2024, "2024"), ("2024-02-29", "2024-02-29"),
])
def test_filter_dates_are_prefix_normalised(given, iso):
    assert parse_date(given) == iso


@pytest.mark.parametrize("bad", ["2025-13", "2025-02-30", "2023-02-29", "25", "20250105", "2025-01-01-01",
                                 "yesterday", "2025-1-", "0000"])
def test_malformed_filter_dates_are_refused_with_one_line(bad):
    with pytest.raises(BadFilter) as err:
        Filters(since=bad)
    message = str(err.value)
    assert "since" in message and repr(bad) in message and "yyyy-mm-dd" in message and "\n" not in message


def test_document_dates_are_read_as_far_as_they_go():
    assert document_date("2025-03-05") == "2025-03-05"
    assert document_date("2025年3月") == "2025-03"
    assert document_date("2025") == "2025"
    assert document_date("2025-13-01") == "2025"  # an impossible month: the year still counts
    assert document_date("2025-02-30") == "2025-02"
    for none in (None, "", "Jan 2025", "12345", "去年"):
        assert document_date(none) is None


@pytest.mark.parametrize("date, since, until, passes", [
    ("2025-01-01", "2025", None, True),
    ("2024-12-31", "2025", None, False),
    ("2025-06-30", None, "2025-06", True),  # until a month keeps that month whole
    ("2025-07-01", None, "2025-06", False),
    ("2025-12-31", "2025", "2025", True),  # since = until = a year: that year
    ("2026-01-01", "2025", "2025", False),
    ("2025-03-05", "2025-03-05", "2025-03-05", True),
    ("2025-03-04", "2025-03-05", None, False),
    ("2025", "2025-06", None, True),  # a year-only date may be in the range: kept
    ("2025-05", "2025-06", None, False),
    ("2025-06", None, "2025-06-01", True),
    ("2024", "2025-01", None, False),
    ("2025年3月", "2025-02", "2025-03", True),  # a date as found in the text, read as 2025-03
])
def test_date_ranges_compare_partial_dates(date, since, until, passes):
    assert Filters(since=since, until=until).matches(doc(date)) is passes


def test_undated_documents_are_kept_or_dropped():
    for date in (None, "", "no date"):
        assert Filters(since="2025").matches(doc(date))
        assert not Filters(since="2025", undated="drop").matches(doc(date))
        assert not Filters(undated="drop").matches(doc(date))  # drop applies without a range too
        assert Filters(undated="DROP").matches(doc("2025-01-01"))
    with pytest.raises(BadFilter, match="keep.*drop"):
        Filters(undated="maybe")


def test_source_is_a_substring_or_a_glob_ignoring_case():
    assert Filters(source="daily").matches(doc(source="yongkang-Daily-2025.txt"))
    assert not Filters(source="daily").matches(doc(source="weekly.txt"))
    assert Filters(source="news/*.jsonl").matches(doc(source="news/2025/a.JSONL"))  # * crosses /
    assert not Filters(source="*.jsonl").matches(doc(source="news/a.jsonl.gz"))  # a glob matches the whole path
    assert Filters(source="news/a.jsonl*").matches(doc(source="news/a.jsonl.gz"))
    assert Filters(source="[ab].txt").matches(doc(source="b.txt"))
    assert not Filters(source="a").matches(doc(source=None))


def test_construction_checks_and_normalises():
    f = Filters(since=" 2025-1 ", until="", source="  ", undated=" Keep ")
    assert (f.since, f.until, f.source, f.undated) == ("2025-01", None, None, "keep") and f.active
    assert not Filters(since=" ", source="", undated="keep").active
    assert make_filters("", None, "", None) is None and make_filters(undated="drop") == Filters(undated="drop")
    assert Filters(since="2025-1") == Filters(since="2025年1月")  # one cache key per meaning
    with pytest.raises(BadFilter, match="after the until date"):
        Filters(since="2025-06", until="2025-05-31")
    Filters(since="2025-06", until="2025")  # June 2025 is inside 2025
    with pytest.raises(AttributeError):
        f.since = "2020"  # frozen
    assert Filters(since="2025", source="x", undated="drop").describe() == "since 2025, source x, undated dropped"


# -- retrieval ----------------------------------------------------------------------------------
STRONG = 80  # 2024 articles that answer the question best
WEAK = 6  # 2025 articles that only share a word with it


@pytest.fixture
def big(fake_settings):
    """86 one-passage documents in one JSONL file; 10 candidates per retriever."""
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    corpus = fake_settings.corpus_dir
    corpus.mkdir(parents=True)
    lines = [{"id": f"s{i}", "date": f"2024-{i % 12 + 1:02d}-01", "text": f"青石村接待游客约{i}万人次。"}
             for i in range(STRONG)]
    lines += [{"id": f"w{i}", "date": f"2025-0{i + 1}-15", "text": f"县里召开会议，游客服务中心第{i}号窗口启用。"}
              for i in range(WEAK)]
    (corpus / "news.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    pipe = Pipeline(fake_settings.with_(candidates=10), HashingEmbedder())
    pipe.build()
    return pipe


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_retrieval_returns_k_matching_passages_when_the_best_are_filtered_out(big, mode):
    unfiltered = big.search(Q, k=10, mode=mode)
    assert len(unfiltered) == 10 and all(h.chunk.doc_id.startswith("s") for h in unfiltered)
    hits = big.search(Q, k=5, mode=mode, filters=Filters(since="2025"))
    assert len(hits) == 5 and all(h.chunk.doc_id.startswith("w") for h in hits)
    hits = big.search(Q, k=5, mode=mode, filters=Filters(since="2024-03", until="2024-03"))
    assert hits and all(big.document(h.chunk.doc_id).date == "2024-03-01" for h in hits)


def test_fewer_matching_passages_than_k_and_none_at_all(big):
    hits = big.search(Q, k=5, filters=Filters(since="2025-02-01", until="2025-02"))
    assert [h.chunk.doc_id for h in hits] == ["w1"]
    assert big.search(Q, k=5, filters=Filters(since="2030")) == []
    answer = big.ask(Q, filters=Filters(since="2030"))
    assert not answer.answerable and answer.citations == ()


def test_dense_search_goes_deeper_on_an_index_without_id_selectors(big):
    from rag.index.local_search import dense_search

    index = big.index
    mask = index.chunk_mask(Filters(since="2025"))
    qv = big.embedder.embed_queries([Q])
    exact = dense_search(index.dense, qv, 5, mask)

    class NoSelectors:  # an index type whose search takes no ID selector
        def __init__(self, inner):
            self.inner, self.depths = inner, []

        def search(self, x, k):
            self.depths.append(k)
            return self.inner.search(x, k)

    plain = NoSelectors(index.dense)
    assert dense_search(plain, qv, 5, mask) == exact
    assert [index.chunks[r].doc_id[0] for r, _ in exact[0]] == ["w"] * 5
    assert plain.depths[-1] == len(index.chunks) and len(plain.depths) > 1


def test_ask_answers_only_from_matching_documents(fake_pipeline, fake_settings):
    write_corpus(fake_settings.corpus_dir)
    fake_pipeline.build()
    assert {c.doc_id for c in fake_pipeline.ask(Q).citations} == {"undated.txt"}
    assert "15万" in fake_pipeline.ask(Q, filters=Filters(since="2025", undated="drop")).answer
    answer = fake_pipeline.ask(Q, (), "hybrid", 3, Filters(until="2024", undated="drop"))  # positional still works
    assert {c.doc_id for c in answer.citations} == {"old.txt"} and "12万" in answer.short_answer
    assert {c.doc_id for c in fake_pipeline.ask(Q, filters=Filters(source="new")).citations} == {"new.txt"}
    with pytest.raises(BadFilter):
        fake_pipeline.ask(Q, filters={"since": "2025"})  # a dict is not a Filters


# -- command line -------------------------------------------------------------------------------
@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    write_corpus(tmp_path / "corpus")
    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    from rag.cli import main

    assert main(["index"]) == 0
    return tmp_path


def run_cli(capsys, *argv):
    from rag.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rag_ask_with_since_until_source_and_undated(cli_env, capsys):
    code, out, _ = run_cli(capsys, "ask", Q, "--json")
    assert code == 0 and cited(json.loads(out)) == {"undated.txt"}
    code, out, _ = run_cli(capsys, "ask", Q, "--json", "--since", "2025", "--undated", "drop")
    assert code == 0 and cited(json.loads(out)) == {"new.txt"} and "15万" in json.loads(out)["answer"]
    code, out, _ = run_cli(capsys, "ask", Q, "--until", "2024-12", "--undated", "drop")
    assert code == 0 and "12万" in out and "old.txt" in out and "new.txt" not in out
    code, out, _ = run_cli(capsys, "ask", Q, "--json", "--source", "N*.TXT")
    assert code == 0 and cited(json.loads(out)) == {"new.txt"}


def test_rag_ask_refuses_a_malformed_date_in_one_line(cli_env, capsys):
    code, out, err = run_cli(capsys, "ask", Q, "--since", "2025-13")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()] and "Cannot read the since date '2025-13'" in err
    code, _, err = run_cli(capsys, "ask", Q, "--since", "2025", "--until", "2024")
    assert code == 2 and "after the until date" in err


def test_rag_eval_answers_under_the_filters_and_reports_them(cli_env, capsys):
    qa = cli_env / "qa.jsonl"
    qa.write_text(json.dumps({"id": "q1", "question": Q, "answers": ["15万人次"]}, ensure_ascii=False) + "\n",
                  encoding="utf-8")
    code, out, _ = run_cli(capsys, "eval", str(qa), "--predictions", str(cli_env / "plain.jsonl"))
    assert code == 0 and "answer_accuracy        0.000" in out
    code, out, err = run_cli(capsys, "eval", str(qa), "--since", "2025", "--undated", "drop",
                             "--predictions", str(cli_env / "p.jsonl"), "--report", str(cli_env / "rep"))
    assert code == 0, err
    assert "answer_accuracy        1.000" in out
    pred = json.loads((cli_env / "p.jsonl").read_text(encoding="utf-8"))
    assert cited(pred) == {"new.txt"} and pred["eval"]["retrieved"] == ["new.txt"]
    assert "| document filters | since 2025, undated dropped |" in (cli_env / "rep" / "report.md").read_text("utf-8")
    code, _, err = run_cli(capsys, "eval", str(qa), "--until", "2025-02-30")
    assert code == 2 and "until date '2025-02-30'" in err


# -- HTTP API (the real server) --------------------------------------------------------------
@pytest.fixture(scope="module")
def api_url(tmp_path_factory):
    pytest.importorskip("uvicorn")
    from test_api import running

    from rag.api import create_app
    from rag.ui import mount
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    root = tmp_path_factory.mktemp("filters-api")
    write_corpus(root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", model="fake-hashing",
                        cache_dir=root / "cache")
    pipe = Pipeline(settings, HashingEmbedder())
    pipe.build()
    with running(create_app(pipe)) as base:
        yield base


@pytest.fixture
def http(api_url):
    httpx = pytest.importorskip("httpx")
    with httpx.Client(base_url=api_url, timeout=30) as client:
        yield client


def test_api_ask_with_filters(http):
    assert cited(http.post("/api/ask", json={"question": Q}).json()) == {"undated.txt"}
    r = http.post("/api/ask", json={"question": Q, "since": "2025", "undated": "drop"})
    assert r.status_code == 200 and cited(r.json()) == {"new.txt"} and "15万" in r.json()["answer"]
    r = http.post("/api/ask", json={"question": Q, "until": 2024, "undated": "drop"})  # a year may be a number
    assert r.status_code == 200 and cited(r.json()) == {"old.txt"}
    r = http.post("/api/ask", json={"question": Q, "source": "old"})
    assert cited(r.json()) == {"old.txt"}


@pytest.mark.parametrize("body, words", [
    ({"since": "2025-13"}, ["since date '2025-13'", "yyyy-mm-dd"]),
    ({"until": "March"}, ["until date 'March'"]),
    ({"since": "2025", "until": "2024"}, ["after the until date"]),
    ({"undated": "maybe"}, ["undated"]),
])
def test_api_ask_bad_filters_are_400(http, body, words):
    r = http.post("/api/ask", json={"question": Q, **body})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and all(w in error["message"] for w in words)


def test_chat_completions_take_filters_through_the_openai_extra_body(api_url):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=api_url + "/v1", api_key="x", max_retries=0)
    messages = [{"role": "user", "content": Q}]
    plain = client.chat.completions.create(model="rag", messages=messages)
    assert {c["doc_id"] for c in plain.model_extra["citations"]} == {"undated.txt"}
    out = client.chat.completions.create(model="rag", messages=messages,
                                         extra_body={"filters": {"until": "2024", "undated": "drop"}})
    assert {c["doc_id"] for c in out.model_extra["citations"]} == {"old.txt"}
    assert "12万" in out.choices[0].message.content and "(2024-03-05)" in out.choices[0].message.content
    last = list(client.chat.completions.create(model="rag", messages=messages, stream=True,
                                               extra_body={"filters": {"since": "2025-03", "undated": "drop"}}))[-1]
    assert {c["doc_id"] for c in last.model_extra["citations"]} == {"new.txt"}
    for extra, words in (({"filters": {"since": "2025-00"}}, "since date '2025-00'"),
                         ({"filters": {"sinse": "2025"}}, "filters.sinse"),
                         ({"since": "2025"}, 'inside "filters"')):
        with pytest.raises(openai.BadRequestError) as err:
            client.chat.completions.create(model="rag", messages=messages, extra_body=extra)
        assert words in err.value.body["message"]


# -- the chat -----------------------------------------------------------------------------------
@pytest.fixture
def chat(fake_pipeline, fake_settings):
    pytest.importorskip("gradio")
    from rag.ui.chat import ChatHandlers

    write_corpus(fake_settings.corpus_dir)
    fake_pipeline.build()
    return ChatHandlers(fake_pipeline)


def test_chat_answers_under_the_filter_row(chat):
    *_, (box, messages, turns, panel) = list(chat.respond(Q, [], []))
    assert "20万" in messages[-1]["content"] and "rag-filters-note" not in messages[0]["content"]
    steps = list(chat.respond(Q, [], [], "2025", "", None, "drop"))
    (box, *_), (_, messages, turns, panel) = steps[0], steps[-1]
    assert box == "" and len(turns) == 1  # the question left the box for the chat
    assert "15万" in messages[-1]["content"] and "20万" not in messages[-1]["content"]
    assert "筛选 Filters: since 2025, undated dropped" in messages[0]["content"]
    assert "new.txt" in panel and "undated.txt" not in panel
    *_, (_, messages, turns, _) = list(chat.respond(Q, messages, turns, None, "2024", "old", "keep"))
    assert "12万" in messages[-1]["content"] and len(turns) == 2


def test_chat_refuses_a_malformed_date_and_keeps_the_question(chat):
    steps = list(chat.respond(Q, [], [], "2025-13", "", None, "keep"))
    assert len(steps) == 1
    box, messages, turns, _ = steps[0]
    assert box == {"__type__": "update"} and turns == []  # the question stays in the box
    assert "rag-error" in messages[-1]["content"] and "2025-13" in messages[-1]["content"]


def test_chat_source_choices_and_the_ask_api_with_filters(chat):
    import gradio as gr

    assert chat.source_choices()["choices"] == ["new.txt", "old.txt", "undated.txt"]
    assert cited(chat.api_ask(Q, since="2025", undated="drop")) == {"new.txt"}
    with pytest.raises(gr.Error, match="until date"):
        chat.api_ask(Q, until="2024-99")


# -- with safe-writes: reloads, one-line failures, rag doctor ------------------------------------
def _rag_records(caplog):
    return [r for r in caplog.records if r.name.startswith("rag")]


def test_filters_follow_an_index_changed_by_another_pipeline(fake_pipeline, fake_settings):
    """A cached filter mask belongs to one version of the index: after another process (here,
    another Pipeline) adds and deletes documents, the same filters see the new version."""
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    corpus = fake_settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "old.txt").write_text(OLD, encoding="utf-8")
    fake_pipeline.build()
    since = Filters(since="2025")
    assert fake_pipeline.search(Q, filters=since) == []  # a mask with no allowed row, cached
    other = Pipeline(fake_settings, HashingEmbedder())
    (corpus / "new.txt").write_text(NEW, encoding="utf-8")
    other.add_files([corpus / "new.txt"])
    assert {h.chunk.doc_id for h in fake_pipeline.search(Q, filters=since)} == {"new.txt"}
    assert {c.doc_id for c in fake_pipeline.ask(Q, filters=since).citations} == {"new.txt"}
    other.delete_documents(["new.txt"])
    assert fake_pipeline.search(Q, filters=since) == []
    assert {h.chunk.doc_id for h in fake_pipeline.search(Q, filters=Filters(until="2024"))} == {"old.txt"}


def test_a_record_source_is_what_the_source_filter_matches_and_its_file_keeps_it(fake_pipeline, fake_settings):
    """--source matches the source rag docs shows (a JSONL record may give its own); ownership
    (Document.file) is not changed by filtering."""
    corpus = fake_settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    rec = {"id": "r1", "date": "2025-03-05", "source": "yongkang-daily", "text": NEW}
    (corpus / "feed.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    (corpus / "old.txt").write_text(OLD, encoding="utf-8")
    fake_pipeline.build()
    assert {h.chunk.doc_id for h in fake_pipeline.search(Q, filters=Filters(source="daily"))} == {"r1"}
    assert fake_pipeline.search(Q, filters=Filters(source="feed.jsonl")) == []
    assert fake_pipeline.document("r1").file == "feed.jsonl"


def test_a_bad_filter_in_the_chat_is_one_log_line_and_a_reply_the_page_can_show(chat, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="rag"):
        (box, messages, turns, _), = list(chat.respond(Q, [], [], "2025-13", "", None, "keep"))
    records = _rag_records(caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].exc_info is None
    assert "2025-13" in records[0].getMessage() and "\n" not in records[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rag"):  # a source that is not text (a lone surrogate)
        *_, (_, messages, turns, _) = list(chat.respond("\ud800" + Q, [], [], "", "", "new\udcff", "keep"))
    json.dumps(messages, ensure_ascii=False).encode("utf-8")  # nothing left to break the page
    assert not [r for r in _rag_records(caplog) if r.exc_info]


@pytest.mark.parametrize("kwargs, words", [
    ({"until": "2024-99"}, "until date"),
    ({"undated": 5}, "undated"),  # the page's API takes any JSON: not a string is the caller's error too
    ({"undated": ["drop"]}, "undated"),
])
def test_a_bad_filter_in_the_page_api_is_one_log_line_and_no_traceback(chat, caplog, kwargs, words):
    import logging

    import gradio as gr

    with caplog.at_level(logging.INFO, logger="rag"), pytest.raises(gr.Error) as err:
        chat.api_ask(Q, **kwargs)
    assert words in err.value.message and err.value.print_exception is False
    records = _rag_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None and records[0].levelno == logging.WARNING


def test_a_bad_filter_in_the_http_api_is_one_log_line(http, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="rag"):
        r = http.post("/api/ask", json={"question": Q, "since": "2025-13"})
        r2 = http.post("/v1/chat/completions", json={"model": "rag", "messages": [{"role": "user", "content": Q}],
                                                     "filters": {"until": "March"}})
    assert r.status_code == 400 and r2.status_code == 400
    records = _rag_records(caplog)
    assert len(records) == 2 and all(x.exc_info is None and x.levelno == logging.WARNING for x in records)
    assert "api POST /api/ask" in records[0].getMessage() and "2025-13" in records[0].getMessage()
    assert "api POST /v1/chat/completions" in records[1].getMessage() and "March" in records[1].getMessage()


def test_rag_doctor_finds_nothing_wrong_with_a_filtered_index(cli_env, capsys):
    code, _, _ = run_cli(capsys, "ask", Q, "--since", "2025", "--undated", "drop")
    assert code == 0
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0, out
