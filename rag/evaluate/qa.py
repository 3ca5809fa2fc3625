"""A QA set: one question per JSONL line (`QAItem`), read by `load_qa`.

QA lines: {"id", "question", "answers", "must_include", "unanswerable", "gold_doc", "category",
"today", "stale_answers"}; all but id and question optional, unknown fields ignored.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.dates import today_date
from rag.errors import BadInput
from rag.evaluate import metrics as M


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    unanswerable: bool = False
    gold_doc: tuple[str, ...] = ()
    category: str | None = None
    today: str | None = None  # yyyy-mm-dd: the asking date (relative words 今年/去年 are read against it)
    stale_answers: tuple[str, ...] = ()  # older values: an answer holding one and no current one is stale

    @property
    def lang(self) -> str:
        return M.detect_lang(self.question)


def load_qa(path: str | Path) -> list[QAItem]:
    items, path = [], Path(path)
    if not path.is_file():
        raise BadInput(f"QA file {path} not found. Give a JSONL file with one question per line.")
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                gold = r.get("gold_doc")
                items.append(QAItem(
                    id=str(r["id"]),
                    question=str(r["question"]),
                    answers=tuple(str(a) for a in r.get("answers") or ()),
                    must_include=tuple(str(a) for a in r.get("must_include") or ()),
                    unanswerable=bool(r.get("unanswerable", False)),
                    gold_doc=tuple(str(g) for g in (gold if isinstance(gold, list) else [gold])) if gold else (),
                    category=r.get("category"),
                    today=_today(r.get("today")),
                    stale_answers=tuple(str(a) for a in r.get("stale_answers") or ()),
                ))
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                raise BadInput(f"{path}:{n}: not a QA line ({type(err).__name__}: {err}); "
                               "each line needs at least \"id\" and \"question\".") from None
    if not items:
        raise BadInput(f"QA file {path} has no questions.")
    return items


def _today(value) -> str | None:
    """An item's asking date as yyyy-mm-dd; ValueError (reported with its line) when not a date."""
    return today_date(str(value)).isoformat() if value not in (None, "") else None
