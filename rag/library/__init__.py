"""Knowledge bases: any number of named collections on one server, each with its own corpus folder
and index (or Milvus collection), title, description and settings where they differ.

    lib = Library(settings)              # RAG_HOME's knowledge bases; `default` is today's index/ + corpus/
    lib.names() / lib.infos()            # what exists (a shell filters them by who may read)
    lib.create("news", title="日报", corpus=None, store=None, mode=None) -> KnowledgeBase
    lib.delete("news")                   # waits for questions in flight, then removes its folder
    lib.pipeline("news") -> Pipeline     # opened on first use, one per knowledge base
    lib.ask(["news", "policy"], question, ...) -> Answer   # several: searched concurrently, fused

Layout under RAG_HOME (default: the current folder, where index/ and corpus/ are):

    index/  corpus/                      the knowledge base `default` (Settings.index_dir / corpus_dir)
    kbs/NAME/kb.json                     one file per other knowledge base (title, description, store, mode)
    kbs/NAME/corpus/  kbs/NAME/index/    its articles and its local index

Imports the pipeline; nothing below imports this package.
"""
from rag.library.names import ALIAS, DEFAULT, UnknownKnowledgeBase, check_name
from rag.library.registry import KnowledgeBase
from rag.library.library import Library

__all__ = ["ALIAS", "DEFAULT", "KnowledgeBase", "Library", "UnknownKnowledgeBase", "check_name"]
