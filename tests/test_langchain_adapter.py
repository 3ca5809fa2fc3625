from rag.types import Document


def test_retriever_returns_langchain_documents_with_checkable_offsets(fake_pipeline):
    from rag.index import store
    from rag.index.fresh import build_index
    from rag.integrations.langchain import make_retriever

    docs = [Document("a", "青石村接待游客约12万人次。村集体经济收入达86万元。", "青石村", None, "a.txt"),
            Document("b", "白云镇新建了一座图书馆。", "白云镇", None, "b.txt")]
    idx, _, _ = build_index(docs, fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)

    results = make_retriever(fake_pipeline, k=2).invoke("青石村接待了多少游客")
    assert 1 <= len(results) <= 2
    top = results[0]
    assert top.metadata["doc_id"] == "a"
    text = fake_pipeline.document("a").text
    assert text[top.metadata["start"] : top.metadata["end"]] == top.page_content
