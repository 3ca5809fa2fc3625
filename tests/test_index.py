import json

import pytest

from rag.index import store
from rag.index.build import build_index
from rag.index.embed import HashingEmbedder
from rag.errors import IndexCorrupt, IndexMissing, ModelMismatch
from rag.types import Document

DOCS = [
    Document("a", "永康市召开经济工作会议。会议总结了2024年的成绩。", "会议", "2025-01-03", "a.txt"),
    Document("b", "大陈村接待游客约40万人次。村集体经济收入达251万元。", "大陈村", None, "b.txt"),
    Document("c", "职业教育培养高技能人才。学校深化校企合作。", None, None, "c.txt"),
]


class CountingEmbedder(HashingEmbedder):
    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_passages(self, texts, progress=None):
        self.embedded += len(texts)
        return super().embed_passages(texts, progress)


def _build(settings, docs, previous=None, embedder=None):
    idx, embedded, reused = build_index(docs, embedder or HashingEmbedder(), settings, previous)
    store.save(idx, settings.index_dir)
    return idx, embedded, reused


def test_save_and_load_round_trip(fake_settings):
    idx, embedded, reused = _build(fake_settings, DOCS)
    assert embedded == len(idx.chunks) and reused == 0
    loaded = store.load(fake_settings.index_dir)
    assert [d.id for d in loaded.documents] == ["a", "b", "c"]
    assert loaded.chunks == idx.chunks
    assert loaded.dense.ntotal == len(idx.chunks)
    m = json.loads((fake_settings.index_dir / "manifest.json").read_text())
    assert m["model"] == "fake-hashing" and m["dim"] == 256 and m["documents"] == 3
    assert not list(fake_settings.index_dir.glob("*.pkl"))


def test_rebuild_embeds_only_changed_documents(fake_settings):
    emb = CountingEmbedder()
    first, _, _ = _build(fake_settings, DOCS, embedder=emb)
    changed = [DOCS[0], Document("b", "大陈村接待游客约50万人次。", "大陈村", None, "b.txt")]
    emb.embedded = 0
    second, embedded, reused = _build(fake_settings, changed, store.load(fake_settings.index_dir), emb)
    assert emb.embedded == embedded == 1  # only the changed document's single passage
    assert reused == sum(1 for c in first.chunks if c.doc_id == "a")
    assert {d.id for d in second.documents} == {"a", "b"}  # c was deleted
    # reused vectors are the same as freshly embedded ones
    fresh, _, _ = build_index(changed, HashingEmbedder(), fake_settings)
    assert (second.dense.reconstruct_n(0, second.dense.ntotal) == fresh.dense.reconstruct_n(0, fresh.dense.ntotal)).all()


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissing, match="rag index"):
        store.load(tmp_path / "nope")


def test_corrupted_file_is_reported(fake_settings):
    _build(fake_settings, DOCS)
    (fake_settings.index_dir / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match="Rebuild"):
        store.load(fake_settings.index_dir)


def test_model_mismatch_is_refused(fake_settings):
    _build(fake_settings, DOCS)
    idx = store.load(fake_settings.index_dir)
    with pytest.raises(ModelMismatch, match="fake-hashing"):
        idx.check_model("some-other-model")


def test_failed_save_leaves_previous_index(fake_settings, monkeypatch):
    _build(fake_settings, DOCS)
    before = (fake_settings.index_dir / "manifest.json").read_text()
    idx, _, _ = build_index(DOCS[:1], HashingEmbedder(), fake_settings)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(type(idx.bm25), "save", boom)
    with pytest.raises(OSError):
        store.save(idx, fake_settings.index_dir)
    assert (fake_settings.index_dir / "manifest.json").read_text() == before
    assert store.load(fake_settings.index_dir).manifest["documents"] == 3
    assert not list(fake_settings.index_dir.parent.glob(".index.tmp-*"))


def test_interrupted_swap_is_recovered(fake_settings):
    _build(fake_settings, DOCS)
    old = fake_settings.index_dir.parent / ".index.old-deadbeef"
    fake_settings.index_dir.rename(old)  # as if we crashed between the two renames
    assert store.load(fake_settings.index_dir).manifest["documents"] == 3
