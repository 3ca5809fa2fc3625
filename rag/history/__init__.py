"""Conversations and feedback kept on the server (a SQL database through SQLAlchemy).

    store = open_history(settings)          # SQLite beside the data, or RAG_DB_URL (postgresql://...)
    answer, conversation = store.record(answer, owner="alice", kb="default", new_conversation=True)
    store.feedback(answer.answer_id, "down", owner="alice", expected="...", comment="...")
    store.conversations("alice"); store.conversation("alice", conversation_id); store.delete(...)
    store.questions("alice", conversation_id)   # its last questions, oldest first: a follow-up's history

`rag.history.export.export_feedback` turns the feedback into a QA file `rag eval` reads. Importing
this package imports nothing heavy; SQLAlchemy is imported when a store is opened.
"""
from __future__ import annotations

from rag.history.store import (
    ANONYMOUS,
    MAX_TEXT_CHARS,
    HistoryStore,
    UnknownAnswer,
    database_url,
    open_history,
)

__all__ = ["ANONYMOUS", "MAX_TEXT_CHARS", "HistoryStore", "UnknownAnswer", "database_url", "open_history"]
