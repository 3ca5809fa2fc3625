"""The three tables (SQLAlchemy Core): conversations, their turns (one row per answer given, also
answers asked outside a conversation, so that feedback can name them), and feedback."""
from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

conversations = Table(
    "rag_conversations", metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("kb", String(100), nullable=False),
    Column("title", String(200), nullable=False),
    Column("created", Float, nullable=False),  # seconds since the epoch (UTC)
    Column("updated", Float, nullable=False),
    Index("ix_rag_conversations_owner", "owner", "updated"),
)

turns = Table(
    "rag_turns", metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("conversation_id", String(32), nullable=True),  # None: asked through the API alone
    Column("owner", String(200), nullable=False),
    Column("kb", String(100), nullable=False),
    Column("n", Integer, nullable=False),  # the turn's number in its conversation (1, 2, ...)
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),  # JSON: Answer.to_dict(), citations included
    Column("shown", Text, nullable=True),  # JSON: the page's bubble and sources HTML, as shown
    Column("created", Float, nullable=False),
    Index("ix_rag_turns_conversation", "conversation_id", "n"),
    Index("ix_rag_turns_created", "created"),
)

feedback = Table(
    "rag_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(32), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("kb", String(100), nullable=False),
    Column("rating", String(4), nullable=False),  # up | down
    Column("comment", Text, nullable=True),
    Column("expected", Text, nullable=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),  # JSON, copied from the turn: kept when the turn expires
    Column("created", Float, nullable=False),
    UniqueConstraint("answer_id", "owner", name="uq_rag_feedback_answer_owner"),
    Index("ix_rag_feedback_kb", "kb", "rating", "created"),
)
