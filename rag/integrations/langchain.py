"""A LangChain retriever over a built index, for users who compose LangChain chains.

    from rag.integrations.langchain import make_retriever
    retriever = make_retriever(pipeline, k=5)
    docs = retriever.invoke("青石村2024年接待了多少游客？")

Each result is a `langchain_core.documents.Document` whose `page_content` is the passage and
whose metadata carries the source (doc_id, title, date, source, start, end) and the scores, so
citations stay checkable against the stored text: document(doc_id).text[start:end] == page_content.
"""
from __future__ import annotations


def make_retriever(pipeline, k: int | None = None, mode: str | None = None):
    from langchain_core.documents import Document as LCDocument
    from langchain_core.retrievers import BaseRetriever

    class RagRetriever(BaseRetriever):
        """Hybrid (dense + BM25) retrieval from a rag index."""

        top_k: int | None = None
        search_mode: str | None = None

        def _get_relevant_documents(self, query: str, *, run_manager=None) -> list[LCDocument]:
            out = []
            for hit in pipeline.search(query, k=self.top_k, mode=self.search_mode):
                doc = pipeline.document(hit.chunk.doc_id)
                out.append(LCDocument(
                    page_content=hit.chunk.text,
                    metadata={
                        "doc_id": doc.id, "title": doc.title, "date": doc.date, "source": doc.source,
                        "start": hit.chunk.start, "end": hit.chunk.end, "score": hit.score,
                        "dense_score": hit.dense_score, "bm25_score": hit.sparse_score,
                    },
                ))
            return out

    return RagRetriever(top_k=k, search_mode=mode)
