"""HistoryStore: conversations, turns and feedback in one SQL database (SQLAlchemy Core).

Where: `RAG_DB_URL` (`Settings.db_url`, e.g. postgresql://user:pw@host/db, so that several servers
share conversations and feedback), else SQLite in `history.db` under RAG_HOME when set, else beside
the index folder. Owners are plain strings: a RAG_AUTH user's name, `token:<token id>` for a token,
ANONYMOUS for everyone when authentication is off. Every read and delete is scoped to its owner:
another owner's conversation or answer is the same as an unknown one.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import replace
from pathlib import Path

from rag.errors import RagError
from rag.types import Answer

ANONYMOUS = "anonymous"
DB_FILE = "history.db"
MAX_TEXT_CHARS = 10_000  # a feedback comment or expected answer
RATINGS = ("up", "down")
PRUNE_EVERY_S = 600.0
DAY_S = 86_400.0

_ENGINES: dict[str, object] = {}
_ENGINES_LOCK = threading.Lock()


class UnknownAnswer(RagError):
    """No answer with that id for this owner (or it has expired)."""


def database_url(settings) -> str:
    """The SQLAlchemy URL of the history database for `settings`."""
    url = (getattr(settings, "db_url", "") or "").strip()
    if url.startswith(("postgresql://", "postgres://")):  # the driver we install: psycopg 3
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url:
        return url
    home = getattr(settings, "home", None)
    if home is None or Path(home) == Path("."):  # Settings.home's default: RAG_HOME not set
        home = os.environ.get("RAG_HOME")
    folder = Path(home).resolve() if home else Path(settings.index_dir).resolve().parent
    return f"sqlite:///{folder / DB_FILE}"


def close_all() -> None:
    """Close every database connection (a stopping server): SQLite folds its write-ahead log back
    into history.db and removes history.db-wal / -shm."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def _engine(url: str):
    from sqlalchemy import create_engine, event

    with _ENGINES_LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        if url.startswith("sqlite"):
            Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @event.listens_for(engine, "connect")
            def _wal(conn, _record):  # readers do not wait for a writer
                conn.execute("PRAGMA journal_mode=WAL")
        else:
            engine = create_engine(url, pool_pre_ping=True)
        from rag.history.tables import metadata

        metadata.create_all(engine)
        _ENGINES[url] = engine
        return engine


def open_history(settings) -> "HistoryStore":
    """The history store `settings` name (created on first use); RagError when it cannot be opened."""
    from sqlalchemy.exc import SQLAlchemyError

    url = database_url(settings)
    try:
        return HistoryStore(_engine(url), keep_days=int(getattr(settings, "keep_days", 0) or 0))
    except SQLAlchemyError as err:
        raise RagError(f"Cannot open the conversation database ({_safe(url)}): {type(err).__name__}. "
                       "Check RAG_DB_URL, or unset it to use SQLite beside the index.") from None


def _safe(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _now() -> float:
    return time.time()


def _checked_text(value, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RagError(f"{what} must be text.")
    if len(value) > MAX_TEXT_CHARS:
        raise RagError(f"{what} is too long: at most {MAX_TEXT_CHARS} characters.")
    return value


class HistoryStore:
    def __init__(self, engine, keep_days: int = 0):
        self.engine = engine
        self.keep_days = keep_days
        self._pruned = 0.0

    # -- answers and conversations -----------------------------------------------------------
    def record(self, answer: Answer, owner: str, kb: str = "default", conversation: str | None = None,
               shown: dict | None = None, new_conversation: bool = False,
               answer_id: str | None = None) -> tuple[Answer, str | None]:
        """Store `answer` as a turn (of `conversation`, of a new one when `new_conversation`, else of
        none); returns the answer with its answer_id (`answer_id`, or a new random one) and the
        conversation's id."""
        from sqlalchemy import func, insert, select, update

        from rag.history.tables import conversations, turns

        self.prune()
        answer = replace(answer, answer_id=answer_id or secrets.token_hex(16))
        now = _now()
        with self.engine.begin() as db:
            if conversation is not None and db.execute(select(conversations.c.id).where(
                    conversations.c.id == conversation, conversations.c.owner == owner)).first() is None:
                conversation, new_conversation = None, True  # gone (deleted, expired) or not theirs
            if conversation is None and new_conversation:
                conversation = secrets.token_urlsafe(12)
                db.execute(insert(conversations).values(id=conversation, owner=owner, kb=kb, created=now,
                                                        updated=now, title=answer.question[:200]))
            n = 1
            if conversation is not None:
                last = db.execute(select(func.max(turns.c.n)).where(turns.c.conversation_id == conversation)).scalar()
                n = (last or 0) + 1
                db.execute(update(conversations).where(conversations.c.id == conversation).values(updated=now))
            db.execute(insert(turns).values(
                answer_id=answer.answer_id, conversation_id=conversation, owner=owner, kb=kb, n=n,
                question=answer.question, answer=json.dumps(answer.to_dict(), ensure_ascii=False),
                shown=None if shown is None else json.dumps(shown, ensure_ascii=False), created=now))
        return answer, conversation

    def conversations(self, owner: str, limit: int = 100) -> list[dict]:
        """The owner's conversations, the most recently continued first."""
        from sqlalchemy import select

        from rag.history.tables import conversations as c

        with self.engine.connect() as db:
            rows = db.execute(select(c).where(c.c.owner == owner).order_by(c.c.updated.desc()).limit(limit))
            return [_conversation_row(r) for r in rows.mappings()]

    def conversation(self, owner: str, conversation_id: str) -> dict | None:
        """One conversation with its turns (question, answer with citations, what the page showed);
        None when there is none of that id for this owner."""
        from sqlalchemy import select

        from rag.history.tables import conversations as c
        from rag.history.tables import turns as t

        with self.engine.connect() as db:
            head = db.execute(select(c).where(c.c.id == conversation_id, c.c.owner == owner)).mappings().first()
            if head is None:
                return None
            rows = db.execute(select(t).where(t.c.conversation_id == conversation_id).order_by(t.c.n)).mappings()
            return {**_conversation_row(head), "turns": [_turn_row(r) for r in rows]}

    def questions(self, owner: str, conversation_id: str, limit: int = 8) -> list[str] | None:
        """The last `limit` questions of one of the owner's conversations, oldest first (what a
        follow-up is read against); None when there is none of that id for this owner."""
        from sqlalchemy import select

        from rag.history.tables import conversations as c
        from rag.history.tables import turns as t

        with self.engine.connect() as db:
            if db.execute(select(c.c.id).where(c.c.id == conversation_id, c.c.owner == owner)).first() is None:
                return None
            rows = db.execute(select(t.c.question).where(t.c.conversation_id == conversation_id)
                              .order_by(t.c.n.desc()).limit(max(0, limit))).scalars().all()
        return rows[::-1]

    def delete(self, owner: str, conversation_id: str) -> bool:
        from sqlalchemy import delete

        from rag.history.tables import conversations as c
        from rag.history.tables import turns as t

        with self.engine.begin() as db:
            gone = db.execute(delete(c).where(c.c.id == conversation_id, c.c.owner == owner)).rowcount
            if gone:
                db.execute(delete(t).where(t.c.conversation_id == conversation_id))
        return bool(gone)

    def prune(self, force: bool = False) -> int:
        """Delete conversations not continued for keep_days (none when 0), and answers given outside a
        conversation that long ago; at most every 10 minutes."""
        from sqlalchemy import delete, select

        from rag.history.tables import conversations as c
        from rag.history.tables import turns as t

        now = _now()
        if self.keep_days <= 0 or (not force and now - self._pruned < PRUNE_EVERY_S):
            return 0
        self._pruned = now
        cutoff = now - self.keep_days * DAY_S
        with self.engine.begin() as db:  # a conversation goes whole; an answer outside one by its own age
            old = select(c.c.id).where(c.c.updated < cutoff).scalar_subquery()
            db.execute(delete(t).where(t.c.conversation_id.in_(old)))
            gone = db.execute(delete(c).where(c.c.updated < cutoff)).rowcount
            db.execute(delete(t).where(t.c.conversation_id.is_(None), t.c.created < cutoff))
        return gone

    # -- feedback ----------------------------------------------------------------------------
    def feedback(self, answer_id: str, rating: str, owner: str, comment: str | None = None,
                 expected: str | None = None) -> dict:
        """Record (or replace) `owner`'s rating of one of their answers; UnknownAnswer when they were
        given no answer of that id, RagError for a bad rating or an over-long text."""
        from sqlalchemy import insert, select, update

        from rag.history.tables import feedback as f
        from rag.history.tables import turns as t

        if rating not in RATINGS:
            raise RagError(f"rating must be one of {', '.join(RATINGS)}.")
        comment = _checked_text(comment, "comment") or None
        expected = _checked_text(expected, "expected") or None
        if not isinstance(answer_id, str) or not answer_id:
            raise UnknownAnswer("answer_id is missing.")
        with self.engine.begin() as db:
            turn = db.execute(select(t).where(t.c.answer_id == answer_id, t.c.owner == owner)).mappings().first()
            if turn is None:
                raise UnknownAnswer(f"No answer with id {answer_id[:40]!r} was given to you (or it has expired).")
            values = dict(rating=rating, comment=comment, expected=expected, created=_now())
            done = db.execute(update(f).where(f.c.answer_id == answer_id, f.c.owner == owner).values(**values))
            if not done.rowcount:
                db.execute(insert(f).values(answer_id=answer_id, owner=owner, kb=turn["kb"],
                                            question=turn["question"], answer=turn["answer"], **values))
        return {"answer_id": answer_id, "rating": rating, "kb": turn["kb"]}

    def feedback_rows(self, kb: str | None = None, rating: str | None = None, since: float | None = None,
                      limit: int | None = None) -> list[dict]:
        """Feedback, oldest first (or the newest `limit`, newest first), with the answer as a dict."""
        from sqlalchemy import or_, select

        from rag.history.tables import feedback as f

        query = select(f)
        if kb is not None:  # an answer from several knowledge bases is kept under "a+b": it belongs to each
            query = query.where(or_(f.c.kb == kb, f.c.kb.startswith(kb + "+", autoescape=True),
                                    f.c.kb.endswith("+" + kb, autoescape=True),
                                    f.c.kb.contains("+" + kb + "+", autoescape=True)))
        if rating is not None:
            query = query.where(f.c.rating == rating)
        if since is not None:
            query = query.where(f.c.created >= since)
        query = query.order_by(f.c.created.desc()).limit(limit) if limit else query.order_by(f.c.created, f.c.id)
        with self.engine.connect() as db:
            return [{**r, "answer": json.loads(r["answer"])} for r in db.execute(query).mappings()]


def _conversation_row(r) -> dict:
    return {"id": r["id"], "title": r["title"], "kb": r["kb"], "created": r["created"], "updated": r["updated"]}


def _turn_row(r) -> dict:
    return {"answer_id": r["answer_id"], "n": r["n"], "question": r["question"], "kb": r["kb"],
            "answer": json.loads(r["answer"]), "shown": json.loads(r["shown"]) if r["shown"] else None,
            "created": r["created"]}
