"""Knowledge bases (rag/library): names, the registry on disk, one pipeline each, questions over one
or several, deleting one while a question runs, and `rag kb` / `--kb` on the command line."""
from __future__ import annotations

import threading
import time

import pytest

from rag.errors import RagError
from rag.library import DEFAULT, Library, UnknownKnowledgeBase, check_name
from rag.library.fuse import fuse, tagged
from rag.types import Answer, Citation
from tests.kb_data import NEWS, POLICY, Q_BOTH, Q_NEWS, Q_POLICY, library_with_two, write


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    root = tmp_path_factory.mktemp("kbs")
    default, lib = library_with_two(root)
    return root, default, lib


def kbs_of(answer: Answer) -> set:
    return {c.kb for c in answer.citations}


@pytest.mark.parametrize("bad", ["../x", "a/b", "News", "", ".", "x" * 41, "1abc", "a b", "a-b", None, 7, "ä"])
def test_malformed_names_are_refused(bad):
    with pytest.raises(RagError, match="Invalid knowledge-base name"):
        check_name(bad)


def test_each_question_is_answered_only_from_the_knowledge_bases_asked(two):
    _, _, lib = two
    news = lib.ask(["news"], Q_NEWS)
    assert news.answerable and "320米" in news.answer and kbs_of(news) == {"news"}
    policy = lib.ask(["policy"], Q_POLICY)
    assert policy.answerable and "3000元" in policy.answer and kbs_of(policy) == {"policy"}
    wrong = lib.ask(["policy"], Q_NEWS)  # policy does not hold it: nothing from news can come back
    assert "320米" not in wrong.answer and kbs_of(wrong) <= {"policy"}
    assert all(c.doc_id in POLICY for c in wrong.citations)


def test_a_question_over_several_cites_each_that_holds_an_answer(two):
    _, _, lib = two
    both = lib.ask(["news", "policy"], Q_BOTH)
    assert both.answerable and kbs_of(both) == {"news", "policy"}
    assert "12万人次" in both.answer and "45万人次" in both.answer
    assert [c.n for c in both.citations] == list(range(1, len(both.citations) + 1))
    for c in both.citations:  # every [n] in the text is a citation of the knowledge base that holds its quote
        assert f"[{c.n}]" in both.answer
        assert c.doc_id in (NEWS if c.kb == "news" else POLICY)
    one = lib.ask(["news", "policy"], Q_POLICY)  # only one holds it: only it is cited
    assert kbs_of(one) == {"policy"}


def test_a_new_empty_one_asked_with_others_is_left_out(two):
    _, _, lib = two
    lib.create("empty")
    try:
        got = lib.ask(["empty", "news"], Q_NEWS)
        assert "320米" in got.answer and kbs_of(got) == {"news"}
        with pytest.raises(RagError, match="[Ii]ndex"):
            lib.ask(["empty"], Q_NEWS)
    finally:
        lib.delete("empty")


def test_fuse_renumbers_markers_and_keeps_a_decline_when_none_found():
    def answer(text, n, ok=True, score=None):
        cites = tuple(Citation(i, f"d{i}", None, None, None, "q", 0, 1) for i in range(1, n + 1))
        return Answer("q", text, None, ok, cites, short_answer_score=score)

    fused = fuse([("a", answer("x[1][2]", 2, score=0.4)), ("b", answer("y[1]", 1, score=0.9))])
    assert fused.answer == "y[1]\n\nx[2][3]" and [(c.n, c.kb) for c in fused.citations] == [(1, "b"), (2, "a"), (3, "a")]
    declined = fuse([("a", answer("no", 0, ok=False)), ("b", answer("none", 0, ok=False))])
    assert declined.answer == "no" and not declined.answerable
    assert tagged(answer("z[1]", 1), "c").citations[0].kb == "c"


def test_listing_creating_and_bad_input_change_nothing(two, tmp_path):
    root, _, lib = two
    assert lib.names() == [DEFAULT, "news", "policy"]
    assert lib.get("news").title == "news title"
    before = sorted(p.name for p in (root / "kbs").iterdir())
    for bad, why in (("news", "exists already"), ("default", "reserved"), ("rag", "reserved"), ("../up", "Invalid")):
        with pytest.raises(RagError, match=why):
            lib.create(bad)
    with pytest.raises(RagError, match="Unknown store"):
        lib.create("odd", store="ftp:somewhere")
    with pytest.raises(RagError, match="No folder"):
        lib.create("odd", corpus=tmp_path / "missing")
    with pytest.raises(UnknownKnowledgeBase):
        lib.ask(["nope"], Q_NEWS)
    with pytest.raises(RagError, match="Invalid"):
        lib.ask(["../policy"], Q_NEWS)
    with pytest.raises(RagError, match="cannot be deleted"):
        lib.delete(DEFAULT)
    assert sorted(p.name for p in (root / "kbs").iterdir()) == before


def test_one_model_in_memory_for_all(two):
    _, default, lib = two
    assert lib.pipeline("news").embedder is default.embedder


def test_a_knowledge_base_deleted_while_a_question_runs(tmp_path):
    default, lib = library_with_two(tmp_path)
    slow = lib.pipeline("news")
    real = slow.ask

    def ask(*args, **kwargs):
        started.set()
        time.sleep(0.8)
        return real(*args, **kwargs)

    started, results = threading.Event(), []
    slow.ask = ask
    asking = threading.Thread(target=lambda: results.append(lib.ask(["news"], Q_NEWS)))
    asking.start()
    started.wait(5)
    t0 = time.monotonic()
    lib.delete("news")  # waits for the question in flight, which gets its answer
    asking.join(5)
    assert time.monotonic() - t0 > 0.3 and results and "320米" in results[0].answer
    assert not (tmp_path / "kbs" / "news").exists() and lib.names() == [DEFAULT, "policy"]
    with pytest.raises(UnknownKnowledgeBase):
        lib.ask(["news"], Q_NEWS)
    with pytest.raises(UnknownKnowledgeBase):
        lib.ask(["news", "policy"], Q_BOTH)
    assert lib.ask(["policy"], Q_POLICY).answerable  # the others are as they were
    assert default.status()["documents"] == 1


def test_deleted_by_another_process_meanwhile_is_a_clear_error(tmp_path):
    _, lib = library_with_two(tmp_path)
    other = Library(lib.settings)  # another process: its own registry over the same folder
    pipe = lib.pipeline("policy")
    real = pipe.ask

    def ask(*args, **kwargs):
        answer = real(*args, **kwargs)
        other.registry.remove("policy")  # gone before the answer is given
        return answer

    pipe.ask = ask
    with pytest.raises(UnknownKnowledgeBase, match="policy"):
        lib.ask(["policy"], Q_POLICY)
    assert lib.names() == [DEFAULT, "news"]


# -- the command line ---------------------------------------------------------------------------------
def rag(capsys, *argv):
    from rag.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_kb_create_index_ask_list_delete(tmp_path, monkeypatch, capsys):
    import json

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    outside = write(tmp_path / "policy-files", POLICY)
    code, out, _ = rag(capsys, "kb", "create", "news", "--title", "日报 News")
    assert code == 0 and "kbs/news/corpus" in out
    code, out, _ = rag(capsys, "kb", "create", "policy", "--corpus", str(outside))
    assert code == 0 and str(outside) in out
    write(tmp_path / "home" / "kbs" / "news" / "corpus", NEWS)
    for name in ("news", "policy"):
        assert rag(capsys, "index", "--kb", name)[0] == 0
    code, out, _ = rag(capsys, "ask", "--kb", "news", "--json", Q_NEWS)
    got = json.loads(out)
    assert code == 0 and "320米" in got["answer"] and {c["kb"] for c in got["citations"]} == {"news"}
    code, out, _ = rag(capsys, "ask", "--kb", "news,policy", "--json", Q_BOTH)
    assert {c["kb"] for c in json.loads(out)["citations"]} == {"news", "policy"}
    code, out, _ = rag(capsys, "kb", "list")
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["default", "news", "policy"]
    assert "2 documents" in lines[1] and "no index" in lines[0]
    code, out, _ = rag(capsys, "docs", "--kb", "policy")
    assert "subsidy.txt" in out and "qingshi" not in out
    for argv, want in ((("status", "--kb", "nope"), "No knowledge base 'nope'"),
                       (("docs", "--kb", "news", "--index", "x"), "not both"),
                       (("kb", "create", "../evil"), "Invalid knowledge-base name"),
                       (("kb", "delete", "default", "--yes"), "cannot be deleted")):
        code, _, err = rag(capsys, *argv)
        assert code != 0 and want in err
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    code, _, err = rag(capsys, "kb", "delete", "policy")  # no terminal to confirm on: nothing deleted
    assert code == 2 and "--yes" in err
    assert rag(capsys, "kb", "delete", "policy", "--yes")[0] == 0
    assert outside.is_dir() and (outside / "subsidy.txt").exists()  # an outside corpus folder stays
    assert [line.split("\t")[0] for line in rag(capsys, "kb", "list")[1].splitlines()] == ["default", "news"]


def test_a_knowledge_base_in_milvus_lite_has_its_own_collection_and_is_dropped(tmp_path):
    from tests.test_milvus_store import HAVE_MILVUS, WHY

    if not HAVE_MILVUS:
        pytest.skip(WHY)
    from rag.index.stores import close_all

    default, lib = library_with_two(tmp_path)
    uri = f"milvus:{tmp_path / 'kb.db'}"
    try:
        kb = lib.create("archive", store=uri, mode="bm25")
        pipe = lib.pipeline("archive")
        assert pipe.settings.milvus_collection == "kb_archive" and pipe.settings.mode == "bm25"
        write(tmp_path / "kbs" / "archive" / "corpus", NEWS)
        pipe.build()
        got = lib.ask(["archive", "policy"], Q_BOTH)
        assert kbs_of(got) == {"archive", "policy"} and kb.store == uri
        store = pipe.store
        lib.delete("archive")
        assert not store.exists()  # its collection is dropped with it
        assert lib.ask(["news"], Q_NEWS).answerable
    finally:
        close_all()
