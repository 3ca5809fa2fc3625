"""The `rag` command line, driven through rag.cli.main with the fast fake embedder."""
import json

import pytest

from rag.cli import main
from tests.conftest import SEED

ARTICLE = (
    "青石村发展乡村旅游\n"
    "2024年，青石村接待游客约12万人次，村集体经济收入达86万元。\n"
    "村党支部书记王建国表示，明年将继续发展民宿产业。\n"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "qingshi.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("RAG_MODEL", "fake-hashing")
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_then_ask_json(env, capsys):
    code, out, err = run(capsys, "index")
    assert code == 0 and "Indexed 1 documents" in out
    code, out, _ = run(capsys, "ask", "青石村2024年接待了多少游客？", "--json")
    assert code == 0
    ans = json.loads(out)
    assert set(ans) >= {"question", "answer", "short_answer", "answerable", "citations", "latency_ms"}
    assert ans["answerable"] and "12万人次" in ans["short_answer"]
    cite = ans["citations"][0]
    assert set(cite) == {"n", "doc_id", "title", "date", "source", "file", "quote", "start", "end", "when", "status",
                         "kb"}  # the knowledge base it came from (rag/library)
    text = (env / "corpus" / "qingshi.txt").read_text(encoding="utf-8")
    assert cite["quote"] in text and "[1]" in ans["answer"]


def test_ask_plain_text_lists_sources(env, capsys):
    run(capsys, "index")
    code, out, _ = run(capsys, "ask", "青石村村集体经济收入多少？")
    assert code == 0 and "86万元" in out and "[1]" in out and "qingshi.txt" in out


def test_unanswerable_question_is_declined(env, capsys):
    run(capsys, "index")
    code, out, _ = run(capsys, "ask", "青石村的小学有多少名学生？", "--json")
    ans = json.loads(out)
    assert code == 0 and ans["answerable"] is False and ans["citations"] == []
    assert "没有" in ans["answer"]


@pytest.mark.parametrize("question,needle", [("   ", "empty"), ("问" * 10000, "limit")])
def test_bad_questions_get_one_line_errors(env, capsys, question, needle):
    run(capsys, "index")
    code, out, err = run(capsys, "ask", question)
    assert code == 1 and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_index_says_what_to_do(env, capsys):
    code, _, err = run(capsys, "ask", "问题？")
    assert code == 1 and "rag index" in err


def test_corrupted_index_is_reported_and_rebuild_fixes_it(env, capsys):
    run(capsys, "index")
    (env / "index" / "s000001" / "chunks.npy").write_bytes(b"\x00garbage")
    code, _, err = run(capsys, "ask", "青石村接待了多少游客？")
    assert code == 1 and "Rebuild" in err
    assert run(capsys, "index")[0] == 0
    assert run(capsys, "ask", "青石村接待了多少游客？")[0] == 0


def test_bad_files_are_skipped_and_the_build_goes_on(env, capsys):
    corpus = env / "corpus"
    (corpus / "photo.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "news.jsonl").write_text(
        '{"id": "n1", "text": "白云镇新建了一座图书馆。"}\n{broken json\n', encoding="utf-8"
    )
    code, out, err = run(capsys, "index")
    assert code == 0 and "Indexed 2 documents" in out
    assert "photo.txt" in err and "line 2" in err


def test_empty_corpus_is_an_error_and_keeps_the_old_index(env, capsys):
    run(capsys, "index")
    empty = env / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "index", str(empty))
    assert code == 1 and "No documents" in err
    assert run(capsys, "ask", "青石村接待了多少游客？")[0] == 0


def test_index_built_with_another_model_is_refused(env, capsys, monkeypatch):
    run(capsys, "index")
    monkeypatch.setenv("RAG_MODEL", "fake-hashing-v2")
    code, _, err = run(capsys, "ask", "青石村接待了多少游客？")
    assert code == 1 and "fake-hashing" in err and "rag index" in err


def test_reindex_embeds_only_changes(env, capsys):
    run(capsys, "index")
    (env / "corpus" / "second.txt").write_text("白云镇新建了一座图书馆。", encoding="utf-8")
    code, out, _ = run(capsys, "index")
    assert "1 embedded" in out or "reused" in out
    assert "0 removed" in out
    (env / "corpus" / "second.txt").unlink()
    code, out, _ = run(capsys, "index")
    assert "1 removed" in out and "0 embedded" in out


def test_docs_lists_documents(env, capsys):
    run(capsys, "index")
    code, out, _ = run(capsys, "docs")
    assert code == 0 and "qingshi.txt" in out and "青石村发展乡村旅游" in out


@pytest.mark.skipif(not SEED.exists(), reason="shared seed page not present")
def test_seed_page_is_split_into_articles(env, capsys):
    code, out, _ = run(capsys, "index", str(SEED))
    assert code == 0 and "Indexed 3 documents" in out


def test_help_is_fast_and_light():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", "import sys; from rag.cli import main\n"
                        "try: main(['--help'])\nexcept SystemExit: pass\n"
                        "print('torch' in sys.modules)"], capture_output=True, text=True)
    assert "index" in r.stdout and r.stdout.strip().endswith("False")


def test_unexpected_errors_are_one_line(env, capsys, monkeypatch):
    run(capsys, "index")
    from rag.pipeline import Pipeline

    def boom(self, *a, **k):
        raise ValueError("something broke")

    monkeypatch.setattr(Pipeline, "ask_stream", boom)
    code, _, err = run(capsys, "ask", "青石村接待了多少游客？")
    assert code == 1 and "something broke" in err and "Traceback" not in err
