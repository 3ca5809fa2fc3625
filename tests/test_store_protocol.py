"""Both stores keep the Store protocol (rag/index/backend.py): the same calls, the same answers.
Made-up documents and the deterministic fake embedder; Milvus Lite in a temporary file."""
from contextlib import nullcontext

import pytest

from rag.config import Settings
from rag.errors import IndexMissing, ModelMismatch
from rag.retrieve.filters import Filters
from rag.retrieve.search import search_batch
from rag.types import Document



def _have_milvus() -> bool:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # milvus-lite imports pkg_resources
            import milvus_lite  # noqa: F401
            import pymilvus  # noqa: F401
        return True
    except Exception:  # pragma: no cover - depends on the environment
        return False


needs_milvus = pytest.mark.skipif(not _have_milvus(), reason="pymilvus / milvus-lite not importable")

DOCS = [
    Document("a", "白鹭镇2031年新修水渠十二公里，灌溉农田三千亩。", "白鹭镇水渠", "2031-04-02", "news/a.txt", "a.txt"),
    Document("b", "青松乡2029年种下果树八千株，村民人均增收一千元。", "青松乡果树", "2029", "news/b.txt", "b.txt"),
    Document("c", "云岭村的茶园没有写明年份，面积约四百亩。", None, None, "misc/c.txt", "c.txt"),
]
METHODS = ["exists", "view", "writing", "compatible", "update", "embed", "compact", "search", "embed_precision",
           "fill", "discard", "close"]


def _settings(tmp_path, store: str) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", model="fake-hashing",
                    cache_dir=tmp_path / "cache", reader="off", store=store)


@pytest.fixture(params=["local", pytest.param("milvus", marks=needs_milvus)])
def opened(request, tmp_path):
    from rag.index.stores import close_all, open_store

    store = "local" if request.param == "local" else f"milvus:{tmp_path / 'proto.db'}"
    settings = _settings(tmp_path, store)
    yield settings, open_store(settings)
    close_all()


def _search(store, view, embedder, q, **kw):
    return search_batch(store, view, embedder, [q], k=kw.pop("k", 3), **kw)[0]


def test_every_protocol_method_is_there(opened):
    _, store = opened
    assert store.kind in ("local", "milvus")
    for name in METHODS:
        assert callable(getattr(store, name)), name


def test_update_view_search_and_remove(opened):
    from rag.models.embed import HashingEmbedder

    settings, store = opened
    emb = HashingEmbedder()
    assert not store.exists()
    with pytest.raises(IndexMissing):
        store.view(emb.name)
    with store.writing():
        change = store.update(settings, emb.name, lambda: emb, None, DOCS, (), None)
    store.embed(emb.name, emb, nullcontext)  # the local store embeds afterwards; Milvus did already
    assert store.exists() and change.documents == 3
    view = store.view(emb.name)
    st = view.status()
    assert (st["documents"], st["passages"] == st["embedded"]) == (3, True)
    assert view.document("b").text == DOCS[1].text and view.document("nope") is None
    assert set(view.doc_keys()) == {"a", "b", "c"} and view.doc_files()["a"] == "a.txt"
    assert store.compatible(view, settings, emb.name) and not store.compatible(view, settings, "other")
    for mode in ("bm25", "dense", "hybrid"):
        hits = _search(store, view, emb, "白鹭镇水渠多少公里", mode=mode)
        assert hits and hits[0].chunk.doc_id == "a", mode
    dated = _search(store, view, emb, "果树 茶园 水渠", k=5, mode="bm25", filters=Filters(since="2030"))
    assert {h.chunk.doc_id for h in dated} == {"a", "c"}  # c is undated: kept
    dropped = _search(store, view, emb, "果树 茶园 水渠", k=5, mode="bm25", filters=Filters(undated="drop"))
    assert "c" not in {h.chunk.doc_id for h in dropped}
    with store.writing():
        store.update(settings, emb.name, lambda: emb, view, [], ["b"], None)
    view = store.view(emb.name)
    assert view.status()["documents"] == 2 and view.document("b") is None
    with pytest.raises(ModelMismatch):
        store.view("another-model")


def test_fill_makes_a_scratch_copy_of_exactly_these_documents(opened):
    from rag.models.embed import HashingEmbedder

    settings, store = opened
    emb = HashingEmbedder()
    store.fill(settings, DOCS[:2], emb)
    view = store.view(emb.name)
    assert [d.id for d in view.documents] == ["a", "b"]
    assert view.status()["embedded"] == view.status()["passages"]
    assert store.compact(emb.name, nullcontext) is False  # two documents: nothing to merge
    store.discard()
