"""`rag doctor`: checks an index and its corpus without changing them, and says what to do."""
from __future__ import annotations

import json

import pytest

from tests.helpers import ROAD, TEA, edit_documents

from rag.cli import main


@pytest.fixture
def built(fake_built, fake_settings):
    fake_built({"tea.txt": TEA, "road.txt": ROAD})
    return fake_settings


def doctor(capsys, settings, model="fake-hashing"):
    code = main(["--model", model, "doctor", "--index", str(settings.index_dir), "--corpus", str(settings.corpus_dir)])
    return code, capsys.readouterr().out


def snapshot(settings) -> dict:
    root = settings.index_dir.parent
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_a_healthy_index_is_all_good(built, capsys):
    before = snapshot(built)
    code, out = doctor(capsys, built)
    assert code == 0 and out.rstrip().endswith("All good.")
    assert "2 documents" in out and "all 2 indexed files are present" in out
    assert snapshot(built) == before  # it only looks


def test_no_index_says_how_to_build_one(fake_settings, capsys):
    code, out = doctor(capsys, fake_settings)
    assert code == 1 and "no index at" in out and "rag index" in out


def test_a_missing_source_file_and_a_new_one_are_named(built, capsys):
    (built.corpus_dir / "tea.txt").unlink()
    (built.corpus_dir / "lake.txt").write_text("南湖镇建成污水处理厂。\n", encoding="utf-8")
    code, out = doctor(capsys, built)
    assert code == 1
    assert "1 indexed file(s) are gone (tea.txt)" in out and "rag index" in out
    assert "1 file(s) in" in out and "lake.txt" in out


def test_another_model_is_named_with_the_fix(built, capsys):
    code, out = doctor(capsys, built, model="fake-other")
    assert code == 1 and "'fake-hashing'" in out and "'fake-other'" in out and "RAG_MODEL" in out


def test_an_unreadable_manifest_and_inconsistent_counts_are_problems(built, capsys):
    manifest = built.index_dir / "manifest.json"
    m = json.loads(manifest.read_text("utf-8"))
    m["documents"] = 5
    manifest.write_text(json.dumps(m), "utf-8")
    code, out = doctor(capsys, built)
    assert code == 1 and "counts 5 documents" in out
    manifest.write_text("{not json", "utf-8")
    code, out = doctor(capsys, built)
    assert code == 1 and "manifest" in out and "cannot be read" in out and "rag index" in out


def test_a_changed_document_is_a_problem(built, capsys):
    edit_documents(built.index_dir, "UPDATE docs SET text = replace(text, '300亩', '900亩')")
    code, out = doctor(capsys, built)
    assert code == 1 and "differ from their hash (tea.txt)" in out


def test_leftovers_and_an_index_lost_between_renames_are_explained(built, capsys):
    parent = built.index_dir.parent
    (parent / ".index.tmp-0badc0de").mkdir()
    code, out = doctor(capsys, built)
    assert code == 1 and "1 folder(s) left by builds" in out and ".index.tmp-0badc0de" in out
    built.index_dir.rename(parent / ".index.old-12345678")  # killed between the two renames
    code, out = doctor(capsys, built)
    assert code == 1 and "previous index is intact in .index.old-12345678" in out
    assert not built.index_dir.exists()  # doctor does not repair


def test_an_index_without_file_owners_says_to_rebuild(built, capsys, monkeypatch):
    edit_documents(built.index_dir, "UPDATE docs SET file = NULL")  # as an older version wrote it
    code, out = doctor(capsys, built)
    assert code == 1 and "2 document(s) do not record the file" in out and "rag index" in out
    monkeypatch.setenv("RAG_CORPUS_DIR", str(built.corpus_dir))
    assert main(["--model", "fake-hashing", "index", "--index", str(built.index_dir)]) == 0
    code, out = doctor(capsys, built)
    assert code == 0 and "All good." in out


def test_a_configured_language_model_endpoint_is_checked(built, capsys, monkeypatch):
    from tests.llm_servers import Script, ScriptedLLM

    llm = ScriptedLLM(Script(model="qwen-test"))
    try:
        monkeypatch.setenv("RAG_LLM_BASE_URL", llm.base_url)
        monkeypatch.setenv("RAG_LLM_MODEL", "qwen-test")
        code, out = doctor(capsys, built)
        assert code == 0 and f"language model endpoint {llm.base_url} answers; model 'qwen-test' listed" in out
        monkeypatch.setenv("RAG_LLM_MODEL", "qwen-typo")
        code, out = doctor(capsys, built)
        assert code == 1 and "does not list the model 'qwen-typo'" in out and "qwen-test" in out
    finally:
        llm.close()
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    code, out = doctor(capsys, built)
    assert code == 1 and "cannot be reached" in out and "RAG_LLM_BASE_URL" in out
