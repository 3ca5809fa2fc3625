"""Cited, extractive question answering over Chinese news and policy articles.

Importing this package is cheap: torch, sentence-transformers, faiss, jieba and gradio load
only when a function that needs them runs.
"""
from rag.errors import RagError
from rag.types import Answer, BuildReport, Chunk, Citation, DocInfo, Document, Hit, Problem

__all__ = ["Answer", "BuildReport", "Chunk", "Citation", "DocInfo", "Document", "Hit", "Problem", "RagError"]
__version__ = "0.1.0"
