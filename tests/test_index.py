import json

import numpy as np
import pytest

from rag.index import store
from rag.models.embed import HashingEmbedder
from rag.index.fresh import build_index, index_documents
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


def _build(settings, docs, embedder=None):
    index_documents(settings.index_dir, docs, embedder or HashingEmbedder(), settings)
    return store.load(settings.index_dir)


def test_save_and_load_round_trip(fake_settings):
    idx, embedded, reused = build_index(DOCS, HashingEmbedder(), fake_settings)
    assert embedded == len(idx.chunks) and reused == 0
    store.save(idx, fake_settings.index_dir)
    loaded = store.load(fake_settings.index_dir)
    assert [d.id for d in loaded.documents] == ["a", "b", "c"]
    assert loaded.chunks == idx.chunks
    assert loaded.dense.ntotal == len(idx.chunks)
    m = json.loads((fake_settings.index_dir / "manifest.json").read_text())
    assert m["model"] == "fake-hashing" and m["dim"] == 256 and m["documents"] == 3 and m["format_version"] == 2
    assert not list(fake_settings.index_dir.rglob("*.pkl"))


def test_rebuild_embeds_only_changed_documents(fake_pipeline, fake_settings):
    emb = CountingEmbedder()
    fake_pipeline._embedder = emb
    corpus = fake_settings.corpus_dir
    for d in DOCS:
        (corpus / d.source).write_text(d.text, encoding="utf-8")
    first = fake_pipeline.build()
    assert emb.embedded == first.chunks == 3
    (corpus / "b.txt").write_text("大陈村接待游客约50万人次。", encoding="utf-8")
    (corpus / "c.txt").unlink()
    emb.embedded = 0
    second = fake_pipeline.build()
    assert emb.embedded == second.embedded == 1  # only the changed document's single passage
    assert second.reused == 1 and second.removed_documents == 1
    assert {d.id for d in fake_pipeline.index.documents} == {"a.txt", "b.txt"}
    # kept vectors are the same as freshly embedded ones
    rows, vecs = fake_pipeline.index.dense.reconstruct_rows()
    live = fake_pipeline.index.live
    got = {fake_pipeline.index.chunks[r].text: v for r, v in zip(rows, vecs) if live is None or live[r]}
    for text, v in got.items():
        assert np.allclose(v, HashingEmbedder().embed_passages([text])[0])


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissing, match="rag index"):
        store.load(tmp_path / "nope")


def test_corrupted_file_is_reported(fake_settings):
    _build(fake_settings, DOCS)
    (fake_settings.index_dir / "s000001" / "chunks.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt, match="Rebuild"):
        store.load(fake_settings.index_dir)


def test_model_mismatch_is_refused(fake_settings):
    idx = _build(fake_settings, DOCS)
    with pytest.raises(ModelMismatch, match="fake-hashing"):
        idx.check_model("some-other-model")


def test_failed_save_leaves_previous_index(fake_settings, monkeypatch):
    from rag.index import segment

    _build(fake_settings, DOCS)
    before = (fake_settings.index_dir / "manifest.json").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(segment, "write_docs", boom)
    with pytest.raises(OSError):
        from rag.index.build import update

        update(fake_settings.index_dir, fake_settings, "fake-hashing", 256, store.load(fake_settings.index_dir),
               [Document("d", "新的文章。")])
    assert (fake_settings.index_dir / "manifest.json").read_text() == before
    assert store.load(fake_settings.index_dir).manifest["documents"] == 3
    assert not list(fake_settings.index_dir.parent.glob(".index.tmp-*"))


def test_interrupted_swap_is_recovered(fake_settings):
    _build(fake_settings, DOCS)
    old = fake_settings.index_dir.parent / ".index.old-deadbeef"
    fake_settings.index_dir.rename(old)  # as if we crashed between the two renames
    assert store.load(fake_settings.index_dir).manifest["documents"] == 3
