"""Nothing lost, and clean failure (issue #10 items 2 and 3), with the fake embedder.

Uploads keep what they indexed; a document belongs to the file it was read from, whatever its
record says; a change made by another pipeline (another process) is seen and kept; a question that
is not text gets one line; user errors are one log line, bugs one traceback in the log; what killed
builds left behind goes at the next change. (Real processes: tests/test_crash_safety.py.)
"""
from __future__ import annotations

import json
import logging
import shutil

import pytest

from tests.helpers import ROAD, TEA, edit_documents

from rag.index import store
from rag.models.embed import HashingEmbedder
from rag.errors import BadQuestion, ModelMismatch
from rag.pipeline import Pipeline

gr = pytest.importorskip("gradio")

from rag.ui.chat import ChatHandlers  # noqa: E402
from rag.ui.knowledge import KnowledgeHandlers  # noqa: E402

NO_PROGRESS = lambda *args, **kwargs: None  # noqa: E731
LAKE = "南湖镇建成污水处理厂\n2024年，南湖镇建成日处理能力5000吨的污水处理厂。\n"


@pytest.fixture
def pipeline(fake_built):
    return fake_built({"tea.txt": TEA, "road.txt": ROAD})


def ids(pipe) -> set[str]:
    return {d.id for d in pipe.documents()}


def jsonl(path, *records) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return str(path)


# -- nothing lost -------------------------------------------------------------------------------

def test_an_uploaded_jsonl_with_bad_lines_keeps_its_file_and_survives_a_rebuild(pipeline, fake_settings, tmp_path):
    h = KnowledgeHandlers(pipeline, fake_settings)
    up = jsonl(tmp_path / "news.jsonl", {"id": "n1", "text": "东山村2024年修建水库一座，库容50万立方米。"},
               "{broken", {"id": "n2", "text": "南湖镇2024年新建学校两所。"})
    status, *_ = h.upload([up], progress=NO_PROGRESS)
    assert {"n1", "n2"} <= ids(pipeline) and "line 2" in status
    assert (fake_settings.corpus_dir / "news.jsonl").exists()
    pipeline.build()  # the corpus folder is the truth: what the upload indexed must still be there
    assert {"n1", "n2", "tea.txt", "road.txt"} <= ids(pipeline)


def test_a_record_naming_another_file_as_source_can_neither_replace_nor_delete_it(pipeline, fake_settings, tmp_path):
    corpus = fake_settings.corpus_dir
    h = KnowledgeHandlers(pipeline, fake_settings)
    tea = pipeline.document("tea.txt")
    up = jsonl(tmp_path / "evil.jsonl",
               {"id": "e1", "text": "北山村2024年种植杨梅200亩。", "source": "tea.txt"},
               {"id": "e2", "text": "北山村新建文化礼堂一座。", "source": str((corpus / "road.txt").resolve())},
               {"id": "e3", "text": "北山村修路3公里。", "source": "../outside.txt"})
    h.upload([up], progress=NO_PROGRESS)
    assert ids(pipeline) == {"tea.txt", "road.txt", "e1", "e2", "e3"}
    assert pipeline.document("tea.txt") == tea
    assert pipeline.document("e1").source == "tea.txt"  # the record's source is still shown as it says
    assert {d.file for d in pipeline.documents() if d.id.startswith("e")} == {"evil.jsonl"}

    h.delete("e1")
    assert (corpus / "tea.txt").exists() and (corpus / "evil.jsonl").exists()
    h.delete("e2")
    status, *_ = h.delete("e3")
    assert (corpus / "tea.txt").exists() and (corpus / "road.txt").exists()
    assert not (corpus / "evil.jsonl").exists() and "evil.jsonl 已从语料目录删除" in status
    assert ids(pipeline) == {"tea.txt", "road.txt"}
    pipeline.build()
    assert ids(pipeline) == {"tea.txt", "road.txt"}


def test_an_upload_cannot_take_over_another_files_document_id(pipeline, fake_settings, tmp_path):
    corpus = fake_settings.corpus_dir
    h = KnowledgeHandlers(pipeline, fake_settings)
    tea = pipeline.document("tea.txt")
    up = jsonl(tmp_path / "clash.jsonl", {"id": "tea.txt", "text": "假新闻：西湖村茶叶歉收。"},
               {"id": "ok1", "text": "东山村2024年修建水库一座。"})
    status, *_ = h.upload([up], progress=NO_PROGRESS)
    assert pipeline.document("tea.txt") == tea and "ok1" in ids(pipeline)
    assert "already indexed from tea.txt" in status and (corpus / "clash.jsonl").exists()

    only = jsonl(tmp_path / "only.jsonl", {"id": "road.txt", "text": "假新闻：绿道拆除。"})
    with pytest.warns(UserWarning, match="上传失败"):
        status, *_ = h.upload([only], progress=NO_PROGRESS)
    assert "知识库未改变" in status and not (corpus / "only.jsonl").exists()
    assert pipeline.document("road.txt").text.startswith("青石村建成乡村绿道")


def test_an_index_changed_elsewhere_is_read_and_kept_by_the_next_upload(pipeline, fake_settings, tmp_path, monkeypatch):
    from rag.cli import main

    app = pipeline
    assert ids(app) == {"tea.txt", "road.txt"}  # the app holds the index in memory
    (fake_settings.corpus_dir / "lake.txt").write_text(LAKE, encoding="utf-8")
    for name, value in (("MODEL", "fake-hashing"), ("CORPUS_DIR", fake_settings.corpus_dir),
                        ("INDEX_DIR", fake_settings.index_dir), ("CACHE_DIR", fake_settings.cache_dir)):
        monkeypatch.setenv(f"RAG_{name}", str(value))
    assert main(["index"]) == 0  # `rag index` beside the running app

    assert "lake.txt" in ids(app)  # seen without a restart
    assert app.ask("南湖镇污水处理厂日处理能力多少吨？").answerable
    up = tmp_path / "绿道.txt"
    up.write_text("东山村建成健身步道\n2024年，东山村建成健身步道2公里。\n", encoding="utf-8")
    KnowledgeHandlers(app, fake_settings).upload([str(up)], progress=NO_PROGRESS)
    on_disk = {d.id for d in store.load(fake_settings.index_dir).documents}
    assert on_disk == {"tea.txt", "road.txt", "lake.txt", "绿道.txt"}


def test_a_partial_change_refuses_an_index_it_cannot_use_instead_of_dropping_it(pipeline, fake_settings, tmp_path):
    other = Pipeline(fake_settings.with_(model="fake-other"), HashingEmbedder(name="fake-other"))
    (fake_settings.corpus_dir / "lake.txt").write_text(LAKE, encoding="utf-8")
    with pytest.raises(ModelMismatch):
        other.add_files([fake_settings.corpus_dir / "lake.txt"])
    assert ids(pipeline) == {"tea.txt", "road.txt"}


def test_leftovers_of_killed_builds_go_at_the_next_change(pipeline, fake_settings, tmp_path):
    parent, name = fake_settings.index_dir.parent, fake_settings.index_dir.name
    tmp = parent / f".{name}.tmp-0badc0de"
    tmp.mkdir()
    (tmp / "manifest.json").write_text("{}", encoding="utf-8")
    old = parent / f".{name}.old-0badc0de"
    shutil.copytree(fake_settings.index_dir, old)
    (old / "s000001" / "docs.sqlite").unlink()  # killed halfway through removing it
    up = tmp_path / "lake.txt"
    up.write_text(LAKE, encoding="utf-8")
    pipeline.add_files([up])
    assert not tmp.exists() and not old.exists()
    assert sorted(p.name for p in parent.glob(f".{name}.*") if p.is_dir()) == []


def test_a_folder_given_to_add_files_replaces_only_its_own_files(pipeline, fake_settings, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "lake.txt").write_text(LAKE, encoding="utf-8")
    report = pipeline.add_files([folder])
    assert report.added == () and ids(pipeline) == {"tea.txt", "road.txt", "lake.txt"}
    assert pipeline.documents()[-1].file == str((folder / "lake.txt").resolve())


def test_deleting_from_an_index_that_predates_file_owners_removes_no_file(pipeline, fake_settings):
    edit_documents(fake_settings.index_dir, "UPDATE docs SET file = NULL")  # as an older version wrote it
    fresh = Pipeline(fake_settings, HashingEmbedder())
    status, *_ = KnowledgeHandlers(fresh, fake_settings).delete("tea.txt")
    assert "已删除" in status and "较旧的索引" in status and (fake_settings.corpus_dir / "tea.txt").exists()


def test_a_corpus_file_whose_name_is_not_utf8_is_skipped_in_one_line(pipeline, fake_settings, capsys, monkeypatch):
    import os

    from rag.cli import main

    bad = os.fsencode(fake_settings.corpus_dir) + b"/\xff\xfe-lake.txt"
    with open(bad, "w", encoding="utf-8") as f:
        f.write(LAKE)
    report = pipeline.build()
    assert ids(pipeline) == {"tea.txt", "road.txt"}
    assert [p.message for p in report.problems] == [
        "its name is not valid UTF-8 text, so it cannot be named in the index; rename the file"]
    assert "\\xff" in report.problems[0].path  # printable, not a lone surrogate
    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    code = main(["index", str(fake_settings.corpus_dir), "--index", str(fake_settings.index_dir)])
    assert code == 0 and "rename the file" in capsys.readouterr().err


# -- clean failure ------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["\ud800西湖村种植了多少亩茶叶？", "西湖村\udcff\udcfe种植", "\udfff"])
def test_a_question_that_is_not_text_is_refused_in_one_line(pipeline, question):
    with pytest.raises(BadQuestion, match="not text") as err:
        pipeline.ask(question)
    assert "\n" not in str(err.value)
    with pytest.raises(BadQuestion):
        pipeline.search(question)


def test_control_characters_in_a_question_are_dropped(pipeline):
    ans = pipeline.ask("西湖村\x00种植了多少亩\x07茶叶？\ufffe")
    assert ans.answerable and ans.question == "西湖村 种植了多少亩 茶叶？"
    with pytest.raises(BadQuestion, match="no visible"):
        pipeline.ask("\x00\x01")
    # an earlier question that is not text is left out of the conversation, not an error
    assert pipeline.ask("西湖村种植了多少亩茶叶？", history=["\ud800", "x" * 5000]).answerable


def test_cli_question_with_invalid_utf8_is_one_line(pipeline, fake_settings, monkeypatch, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    question = b"\xff\xfe\xe8\xa5".decode("utf-8", "surrogateescape") + "茶叶"  # how Python hands over bad argv bytes
    code = main(["ask", question, "--index", str(fake_settings.index_dir)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("error: ") and "not text" in err and "unexpected" not in err


def _rag_records(caplog):
    return [r for r in caplog.records if r.name.startswith("rag")]


def test_a_user_error_through_the_api_is_one_log_line_and_a_message(pipeline, caplog):
    h = ChatHandlers(pipeline)
    with caplog.at_level(logging.INFO, logger="rag"), pytest.raises(gr.Error) as err:
        h.api_ask("\ud800问")
    assert err.value.message and "not text" in err.value.message
    assert err.value.print_exception is False  # gradio prints no traceback for it
    records = _rag_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None and "\n" not in records[0].getMessage()


def test_a_question_that_is_not_text_in_the_chat_gets_a_reply_the_page_can_show(pipeline, caplog):
    h = ChatHandlers(pipeline)
    with caplog.at_level(logging.INFO, logger="rag"):
        *_, (_, messages, turns, _) = list(h.respond("\ud800西湖村\udcff", [], []))
    assert turns == [] and "rag-error" in messages[-1]["content"]
    json.dumps(messages, ensure_ascii=False).encode("utf-8")  # no lone surrogate left to break the page
    assert len(_rag_records(caplog)) == 1


def test_a_bug_is_one_traceback_in_the_log_and_one_line_for_the_user(pipeline, caplog, monkeypatch):
    from rag.logs import BUG_MESSAGE

    def broken(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(pipeline, "ask", broken)  # the API's
    monkeypatch.setattr(pipeline, "ask_stream", broken)  # the chat's
    h = ChatHandlers(pipeline)
    with caplog.at_level(logging.INFO, logger="rag"), pytest.raises(gr.Error) as err:
        h.api_ask("西湖村种植了多少亩茶叶？")
    assert err.value.message == BUG_MESSAGE and err.value.print_exception is False
    records = _rag_records(caplog)
    assert len(records) == 1 and records[0].levelno == logging.ERROR and records[0].exc_info
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rag"):
        *_, (_, messages, _, _) = list(h.respond("西湖村种植了多少亩茶叶？", [], []))
    assert "rag-error" in messages[-1]["content"] and "Traceback" not in messages[-1]["content"]
    assert len(_rag_records(caplog)) == 1


def test_a_failed_upload_is_one_log_line(pipeline, fake_settings, tmp_path, caplog):
    h = KnowledgeHandlers(pipeline, fake_settings)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with caplog.at_level(logging.INFO, logger="rag"), pytest.warns(UserWarning, match="上传失败"):
        h.upload([str(bad)], progress=NO_PROGRESS)
    records = _rag_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None and records[0].levelno == logging.WARNING
