"""Feedback as a QA file that `rag eval` reads (rag/evaluate/runner.py `load_qa`).

One line per rated answer (👎 by default): the question, and as gold the answer the user said is
right (`expected`) when they gave one; without it the case is marked for review (`"review": true`,
category `feedback-review`): an evaluator fills in `answers` and drops the flag. The date it was
asked is the case's `today`, so that 今年 / 去年 are read as they were then. Fields `rag eval`
does not know (comment, the answer given, kb, answer_id) are carried along for the reviewer.
"""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone
from typing import Iterator, TextIO

from rag.errors import RagError


def parse_since(value: str | None) -> float | None:
    """yyyy-mm-dd (or yyyy-mm-ddThh:mm) as seconds since the epoch, UTC; None for None."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise RagError(f"--since must be a date like 2025-06-30, got {value!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def qa_case(row: dict) -> dict:
    """One feedback row (HistoryStore.feedback_rows) as a QA line."""
    given = row["answer"]
    expected = (row.get("expected") or "").strip()
    asked = date.fromtimestamp(row["created"]).isoformat()
    case = {
        "id": f"feedback-{row['answer_id'][:12]}",
        "question": row["question"],
        "answers": [expected] if expected else [],
        "category": "feedback" if expected else "feedback-review",
        "today": asked,
        "rating": row["rating"],
        "comment": row.get("comment") or "",
        "given_answer": given.get("answer", ""),
        "given_short_answer": given.get("short_answer"),
        "cited": [c.get("doc_id") for c in given.get("citations") or []],
        "kb": row["kb"],
        "answer_id": row["answer_id"],
    }
    if not expected:
        case["review"] = True
    return case


def cases(store, kb: str | None = None, since: float | None = None, rating: str | None = "down") -> Iterator[dict]:
    for row in store.feedback_rows(kb=kb, rating=rating, since=since):
        yield qa_case(row)


def export_feedback(store, out: TextIO, kb: str | None = None, since: str | None = None,
                    rating: str | None = "down") -> int:
    """Write the feedback as QA lines to `out`; returns how many."""
    count = 0
    for case in cases(store, kb=kb, since=parse_since(since), rating=rating):
        out.write(json.dumps(case, ensure_ascii=False) + "\n")
        count += 1
    return count


def day_of(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(seconds))
