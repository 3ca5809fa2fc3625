"""Cited, extractive question answering over Chinese news and policy articles.

Importing this package is cheap: torch, sentence-transformers, faiss, jieba and gradio load
only when a function that needs them runs.
"""
import warnings

from rag.errors import RagError
from rag.types import Answer, BuildReport, Chunk, Citation, DocInfo, Document, Hit, Problem

__all__ = ["Answer", "BuildReport", "Chunk", "Citation", "DocInfo", "Document", "Hit", "Problem", "RagError"]
__version__ = "0.1.0"

# jieba (and milvus-lite) import pkg_resources when it exists, which setuptools<81 (the milvus extra's
# pin) still has: its deprecation warning says nothing a user of rag can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
