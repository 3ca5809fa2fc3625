"""The documents of one segment in SQLite (stdlib): metadata and full text, read on demand.

    write_docs(path, docs, hashes)        one table `docs`: row, id, title, date, source, file, hash, chars, text,
                                          pages (JSON of Document.pages and ocr_pages, NULL when none)
    DocStore(path)                        read-only (the file never changes once written)
        .get(row) -> Document             .meta() -> rows of (row, id, title, date, source, file, hash, chars)
        .find(doc_id) -> [row, ...]

A document's text is stored exactly as indexed, so chunk and citation offsets point into it.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from rag.types import Document

_COLUMNS = "row, id, title, date, source, file, hash, chars"


def write_docs(path: Path, docs: Sequence[Document], hashes: Sequence[str]) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")  # the whole folder is synced before it becomes visible
        con.execute("CREATE TABLE docs (row INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, date TEXT, "
                    "source TEXT, file TEXT, hash TEXT NOT NULL, chars INTEGER NOT NULL, text TEXT NOT NULL, "
                    "pages TEXT)")
        con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ((i, d.id, d.title, d.date, d.source, d.file, h, len(d.text), d.text, _pages_json(d))
                         for i, (d, h) in enumerate(zip(docs, hashes))))
        con.execute("CREATE INDEX docs_id ON docs (id)")
        con.commit()
    finally:
        con.close()


class DocStore:
    """Read-only access to a segment's documents; safe to share between threads."""

    def __init__(self, path: Path):
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
        self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._con.execute("SELECT count(*) FROM docs").fetchone()  # fails now, not mid-answer, if unreadable
        columns = {r[1] for r in self._con.execute("PRAGMA table_info(docs)")}
        self._get = "SELECT id, text, title, date, source, file" + (", pages" if "pages" in columns else "")

    def _query(self, sql: str, args=()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def get(self, row: int) -> Document:
        (r,) = self._query(self._get + " FROM docs WHERE row = ?", (int(row),))
        pages, ocr = _pages_of(r[6] if len(r) > 6 else None)
        return Document(*r[:6], pages=pages, ocr_pages=ocr)

    def meta(self) -> list[tuple]:
        return self._query(f"SELECT {_COLUMNS} FROM docs ORDER BY row")

    def find(self, doc_id: str) -> list[int]:
        return [r for (r,) in self._query("SELECT row FROM docs WHERE id = ? ORDER BY row", (doc_id,))]

    def close(self) -> None:
        with self._lock:
            self._con.close()


def _pages_json(doc: Document) -> str | None:
    if not doc.pages and not doc.ocr_pages:
        return None
    return json.dumps({"pages": [list(p) for p in doc.pages], "ocr": list(doc.ocr_pages)})


def _pages_of(value: str | None) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Document.pages and ocr_pages from the column (a segment written before it has none)."""
    if not value:
        return (), ()
    data = json.loads(value)
    return tuple((int(a), int(b)) for a, b in data.get("pages", ())), tuple(int(p) for p in data.get("ocr", ()))
