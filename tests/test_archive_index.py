"""The archive-size index: searchable before it is embedded, resumable after SIGKILL, incremental
adds and deletes that cost what they change, the approximate index's recall, and the text store."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.config import Settings
from rag.index import store
from rag.models.embed import HashingEmbedder
from rag.pipeline import Pipeline

WORKER = Path(__file__).with_name("index_worker.py")
PACKAGE_ROOT = Path(rag.__file__).resolve().parents[1]
WAIT_S = 60
TOPICS = ["茶园", "绿道", "水库", "学校", "医院", "桥梁", "公园", "图书馆", "工厂", "码头"]


class CountingEmbedder(HashingEmbedder):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def embed_passages(self, texts, progress=None):
        self.texts.extend(texts)
        return super().embed_passages(texts, progress)


def article(n: int) -> str:
    topic = TOPICS[n % len(TOPICS)]
    return (f"第{n}号村建设{topic}\n2024年，第{n}号村投入{n * 7 + 3}万元建设{topic}。"
            f"村民说，{topic}建成以后，生活方便了很多。\n项目计划于2025年{n % 12 + 1}月完工。\n")


def write_corpus(corpus: Path, n: int) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (corpus / f"v{i:03d}.txt").write_text(article(i), encoding="utf-8")


def settings_for(root: Path) -> Settings:
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index", model="fake-hashing",
                    cache_dir=root / "cache")


def inodes(index_dir: Path, segment: str) -> dict[str, tuple[int, int]]:
    return {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in (index_dir / segment).iterdir()}


# -- searchable at once, better by the hour --------------------------------------------------------
def test_bm25_finds_everything_before_embedding_and_hybrid_after(tmp_path):
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 12)
    emb = CountingEmbedder()
    pipe = Pipeline(s, emb)
    report = pipe.build(embed=False)
    assert report.embedded == 0 and emb.texts == []
    st = pipe.status()
    assert st["embedded"] == 0 and st["passages"] == report.chunks > 0
    hits = pipe.search("第7号村建设", k=3)  # hybrid mode, no vectors yet: BM25 alone
    assert hits[0].chunk.doc_id == "v007.txt" and hits[0].dense_score is None and hits[0].sparse_score
    assert pipe.ask("第7号村投入多少万元建设公园？").answerable

    assert pipe.embed() == st["passages"] == len(emb.texts)
    hits = pipe.search("第7号村建设", k=3)
    assert hits[0].chunk.doc_id == "v007.txt" and hits[0].dense_score is not None
    assert pipe.status()["embedded"] == st["passages"]


def test_a_partly_embedded_index_uses_vectors_where_they_exist_and_bm25_elsewhere(tmp_path):
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 10)
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build(embed=False)
    assert pipe.embed(limit=4) == 4
    assert pipe.status()["embedded"] == 4
    rows = {h.chunk.doc_id: h for h in pipe.search("第9号村建设码头", k=10)}
    assert rows["v009.txt"].dense_score is None and rows["v009.txt"].sparse_rank == 1  # not embedded yet
    assert any(h.dense_score is not None for h in rows.values())


def test_cli_index_embed_later_then_embed_and_status(tmp_path, capsys, monkeypatch):
    from rag.cli import main

    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 5)
    for name, value in (("CORPUS_DIR", s.corpus_dir), ("INDEX_DIR", s.index_dir), ("CACHE_DIR", s.cache_dir)):
        monkeypatch.setenv(f"RAG_{name}", str(value))
    assert main(["--model", "fake-hashing", "index", "--embed-later"]) == 0
    out = capsys.readouterr().out
    assert "0 with vectors (0.0%)" in out and "rag embed" in out
    assert main(["--model", "fake-hashing", "status"]) == 0
    assert "0 with vectors" in capsys.readouterr().out
    assert main(["--model", "fake-hashing", "embed"]) == 0
    assert "(100.0%)" in capsys.readouterr().out
    assert main(["--model", "fake-hashing", "doctor"]) == 0


# -- killed and resumed -----------------------------------------------------------------------------
def start(*args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_at(tmp_path: Path, s: Settings, pause_at: str, segment_docs: int, block: int) -> None:
    state = tmp_path / "state"
    state.mkdir()
    proc = start("build", s.corpus_dir, s.index_dir, state, pause_at, segment_docs, block)
    deadline = time.monotonic() + WAIT_S
    while not (state / "paused").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"worker did not reach {pause_at}: {proc.communicate()[1][-2000:]}")
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=WAIT_S)


def test_a_build_killed_while_embedding_resumes_where_it_stopped(tmp_path):
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 30)
    # segments of 10 documents (3 commits: renames 1-5), then vector blocks of up to 8 passages,
    # each a commit of two renames: killed just before the swap of the fourth block
    kill_at(tmp_path, s, "rename:12", 10, 8)
    left = store.load(s.index_dir).status()
    assert left["documents"] == 30 and 0 < left["embedded"] < left["passages"]
    assert left["embedded"] == sum(c for seg in store.load(s.index_dir).segments for _, c in seg.info["vectors"])

    emb = CountingEmbedder()
    report = Pipeline(s, emb).build()
    assert report.embedded == len(emb.texts) == left["passages"] - left["embedded"]  # only what was not committed
    st = store.load(s.index_dir).status()
    assert st["embedded"] == st["passages"] == left["passages"]


def test_a_build_killed_between_batches_tokenises_only_the_rest(tmp_path, monkeypatch):
    from rag.index import tokenize

    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 30)
    kill_at(tmp_path, s, "rename:3", 10, 8)  # the first batch is in, the second not yet swapped in
    assert store.load(s.index_dir).status()["documents"] == 10

    calls = []
    real = tokenize.tokenize
    monkeypatch.setattr(tokenize, "tokenize", lambda text: calls.append(text) or real(text))
    report = Pipeline(s, HashingEmbedder()).build()
    first = store.load(s.index_dir).segments[0]
    assert report.documents == 30 and len(calls) == report.chunks - first.n_rows
    assert all("第1" in t or "第2" in t for t in calls)  # documents v010-v029 only


# -- incremental ------------------------------------------------------------------------------------
def built_twenty(tmp_path):
    """(settings, counting embedder, pipeline, inodes of the first segment) over 20 built articles."""
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 20)
    emb = CountingEmbedder()
    pipe = Pipeline(s, emb)
    pipe.build()
    before = inodes(s.index_dir, "s000001")
    emb.texts.clear()
    return s, emb, pipe, before


def test_adding_documents_costs_only_them_and_leaves_segments_untouched(tmp_path, monkeypatch):
    from rag.index import tokenize

    s, emb, pipe, before = built_twenty(tmp_path)
    calls = []
    real = tokenize.tokenize
    monkeypatch.setattr(tokenize, "tokenize", lambda text: calls.append(text) or real(text))
    new = tmp_path / "new.txt"
    new.write_text("东山村修建健身步道\n2024年，东山村修建了2公里的健身步道。\n", encoding="utf-8")
    report = pipe.add_files([new])
    assert len(calls) == len(emb.texts) == report.embedded == 1  # the new passage, nothing else
    assert inodes(s.index_dir, "s000001") == before  # the old segment's files are the same files
    assert [seg.name for seg in pipe.index.segments] == ["s000001", "s000002"]
    assert pipe.search("东山村健身步道", k=1)[0].chunk.doc_id == "new.txt"


def test_deleting_documents_writes_a_tombstone_only(tmp_path, monkeypatch):
    from rag.index import tokenize

    s, emb, pipe, before = built_twenty(tmp_path)
    monkeypatch.setattr(tokenize, "tokenize", lambda text: pytest.fail("tokenised on delete"))
    report = pipe.delete_documents(["v003.txt", "v013.txt"])
    monkeypatch.undo()
    assert emb.texts == [] and report.documents == 18 and report.removed_documents == 2
    after = inodes(s.index_dir, "s000001")
    assert {k: v for k, v in after.items() if k != "deleted.npy"} == before and "deleted.npy" in after
    assert pipe.document("v004.txt") is not None
    assert "v003.txt" not in {d.id for d in pipe.documents()}
    for mode in ("hybrid", "dense", "bm25"):
        assert all(h.chunk.doc_id not in ("v003.txt", "v013.txt")
                   for h in pipe.search("第3号村建设图书馆", k=20, mode=mode))
    # added again: found again, from a new segment
    pipe.add_files([s.corpus_dir / "v003.txt"])
    assert pipe.search("第3号村建设学校", k=1, mode="bm25")[0].chunk.doc_id == "v003.txt"


def test_a_changed_document_replaces_its_old_version(tmp_path):
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 5)
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build()
    (s.corpus_dir / "v002.txt").write_text("第2号村建设游泳馆\n2024年，第2号村建设了游泳馆。\n", encoding="utf-8")
    report = pipe.build()
    assert report.documents == 5 and report.embedded == 1
    assert "游泳馆" in pipe.document("v002.txt").text
    assert [h.chunk.doc_id for h in pipe.search("第2号村建设", k=10, mode="bm25")].count("v002.txt") == 1


# -- approximate search -----------------------------------------------------------------------------
def clustered(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, dim)).astype(np.float32)
    v = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_hnsw_recall_at_10_against_exact_search():
    from rag.index.dense import Dense, build_ann

    vecs = clustered(6000, 64)
    q = clustered(200, 64, seed=1)
    exact = Dense(64, len(vecs), [(0, vecs)])
    approx = Dense(64, len(vecs), anns=[(0, len(vecs), build_ann(vecs))])
    _, truth = exact.search(q, 10)
    _, got = approx.search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got)])
    assert recall >= 0.98, recall
    mask = np.zeros(len(vecs), bool)
    mask[::7] = True  # a filter that leaves one row in seven
    _, truth = exact.search_masked(q, 10, mask)
    _, got = approx.search_masked(q, 10, mask)
    assert mask[got[got >= 0]].all() and (got >= 0).sum(axis=1).min() == 10
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got)]) >= 0.95


def test_large_indexes_get_an_approximate_index_per_segment(tmp_path, monkeypatch):
    from rag.index import backfill, build

    monkeypatch.setattr(backfill, "ANN_MIN_ROWS", 10)
    monkeypatch.setattr(build, "SEGMENT_DOCS", 8)
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 16)
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build()
    idx = pipe.index
    assert [seg.ann is not None for seg in idx.segments] == [True, True]
    assert (s.index_dir / "s000001" / "ann.faiss").is_file()
    assert pipe.search("第5号村建设桥梁", k=1, mode="dense")[0].chunk.doc_id == "v005.txt"


# -- the text store ---------------------------------------------------------------------------------
def test_stored_text_and_citation_offsets_are_exact(tmp_path):
    s = settings_for(tmp_path)
    s.corpus_dir.mkdir(parents=True)
    odd = ("青石村修建乡村绿道\n2024年，青石村修建了12公里的乡村绿道，投资𠀋 251 万元。\n"
           "绿道全长 12 公里 😀，沿途设有 3 个驿站。\r\n\n结尾\u3000空格。\n")
    (s.corpus_dir / "odd.txt").write_text(odd, encoding="utf-8")
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build()
    doc = pipe.document("odd.txt")
    fresh = Pipeline(s, HashingEmbedder())  # read back from disk in another Pipeline
    assert fresh.document("odd.txt").text == doc.text
    for c in fresh.index.chunks:
        assert c.text == doc.text[c.start : c.end]
    ans = fresh.ask("青石村修建了多少公里的乡村绿道？")
    assert ans.answerable and ans.citations
    for c in ans.citations:
        assert fresh.document(c.doc_id).text[c.start : c.end] == c.quote


def test_the_knowledge_tab_says_how_much_is_embedded(tmp_path):
    pytest.importorskip("gradio")
    from rag.ui.knowledge import KnowledgeHandlers

    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 6)
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build(embed=False)
    pipe.embed(limit=2)
    status = KnowledgeHandlers(pipe, s).listing()[0]
    assert "6 篇文章" in status and "已编码 2 个（33.3%）" in status and "rag embed" in status
    pipe.embed()
    assert "已编码" not in KnowledgeHandlers(pipe, s).listing()[0]


def test_many_small_additions_are_merged_without_tokenising_or_embedding_again(tmp_path, monkeypatch):
    from rag.index import merge, tokenize

    monkeypatch.setattr(merge, "MAX_SMALL", 4)
    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 4)
    emb = CountingEmbedder()
    pipe = Pipeline(s, emb)
    pipe.build()
    pipe.delete_documents(["v001.txt"])
    for i in range(4, 7):
        pipe.add_files([_one(s.corpus_dir, i)])
    before = {h.chunk.doc_id: (h.sparse_score, h.dense_score) for h in pipe.search("第5号村建设医院", k=10)}
    assert len(pipe.index.segments) == 4
    emb.texts.clear()
    calls = []
    real = tokenize.tokenize
    monkeypatch.setattr(tokenize, "tokenize", lambda text: calls.append(text) or real(text))
    pipe.add_files([_one(s.corpus_dir, 7)])  # the fifth small segment: more than 4, merged
    monkeypatch.undo()
    assert len(emb.texts) == 1 and len(calls) == 1  # the new document only
    idx = pipe.index
    assert len(idx.segments) == 1 and idx.live is None  # the deleted document is gone for good
    assert sorted(d.id for d in idx.documents) == ["v000.txt", "v002.txt", "v003.txt", "v004.txt", "v005.txt",
                                                    "v006.txt", "v007.txt"]
    assert idx.status()["embedded"] == idx.status()["passages"] == 7
    after = {h.chunk.doc_id: (h.sparse_score, h.dense_score) for h in pipe.search("第5号村建设医院", k=10)}
    assert after["v005.txt"][1] == pytest.approx(before["v005.txt"][1])  # the same vector
    assert pipe.document("v006.txt").text == article(6).strip()


def _one(corpus: Path, i: int) -> Path:
    path = corpus / f"v{i:03d}.txt"
    path.write_text(article(i), encoding="utf-8")
    return path


def test_long_stages_print_their_rate_and_time_left(monkeypatch):
    import io

    from rag import cli

    clock = iter([0.0, 10.0, 20.0])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    progress = cli.StderrProgress(out)
    progress("embed", 0, 3000)
    progress("embed", 1000, 3000)  # 1000 in 10 s: 100/s, 2000 left
    progress("embed", 3000, 3000)
    lines = out.getvalue().splitlines()
    assert lines[1] == "embed     1000/3000 (33%, 100.0/s, 20 s left)"
    assert lines[2] == "embed     3000/3000 (100%, 150.0/s)"


def test_the_first_vectors_record_how_they_were_computed_and_later_versions_keep_it(tmp_path):
    import json

    from rag.models.embed import describe, index_precision

    s = settings_for(tmp_path)
    write_corpus(s.corpus_dir, 4)
    pipe = Pipeline(s, HashingEmbedder())
    pipe.build(embed=False)
    manifest = lambda: json.loads((s.index_dir / "manifest.json").read_text(encoding="utf-8"))  # noqa: E731
    assert "embedding_runtime" not in manifest()
    assert index_precision(s.index_dir, "int8") == "int8"  # no vectors yet: the configured precision
    pipe.embed()
    assert manifest()["embedding_runtime"] == describe(HashingEmbedder())
    assert index_precision(s.index_dir, "int8") == "fp32"  # vectors not built by the int8 model
    (s.corpus_dir / "v100.txt").write_text(article(100), encoding="utf-8")
    pipe.build()
    assert manifest()["embedding_runtime"] == describe(HashingEmbedder()) and manifest()["documents"] == 5
