"""Shared test helpers and made-up articles (not fixtures)."""
import json
import socket
import threading
import time
from contextlib import contextmanager

# Two made-up articles several tests index with the fake embedder.
TEA = "西湖村茶叶丰收\n西湖村2024年种植茶叶300亩，茶叶收入达到80万元。\n"
ROAD = "青石村建成乡村绿道\n2024年，青石村修建了12公里的乡村绿道。\n"


class FirstFigureReader:
    """A stand-in reader that marks the first of `figures` found in a text, with probability `score`."""

    def __init__(self, figures, score=0.8):
        self.figures, self.score = figures, score

    def read(self, question, texts):
        from rag.models.reader_common import Span

        out = []
        for i, t in enumerate(texts):
            hits = [(t.find(f), f) for f in self.figures if f in t]
            j, f = min(hits) if hits else (-1, "")
            out.append(Span(i, j, j + len(f), self.score, 0.01) if hits else None)
        return out


def write_jsonl(path, rows):
    """Write `rows` (dicts) to `path` as JSON lines; return the path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def print_columns(paragraphs: list[str], width: int = 14) -> str:
    """Lay paragraphs out like a printed page: first lines indented by two characters (the indent
    itself lost in extraction), lines cut at `width` but never starting with punctuation, and a
    blank line after every line."""
    lines = []
    for para in paragraphs:
        rest, room = para, width - 2
        while rest:
            line, rest = rest[:room], rest[room:]
            while rest and rest[0] in "，。、；：！？”":
                line, rest = line + rest[0], rest[1:]
            lines.append(line)
            room = width
    return "\n\n".join(lines)


@contextmanager
def running(app):
    """Serve `app` with uvicorn in a background thread on a free port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def edit_documents(index_dir, sql: str, *args) -> None:
    """Change the stored documents of an index in place with one SQL statement on every segment
    (to stand for an index written by an older version, or damaged on disk)."""
    import sqlite3
    from pathlib import Path

    for db in sorted(Path(index_dir).glob("s*/docs.sqlite")):
        con = sqlite3.connect(db)
        con.execute(sql, args)
        con.commit()
        con.close()


def hashing_pipeline(root, docs: dict[str, str]):
    """A built Pipeline over `docs` (file name -> text) in `root`, with the fake hashing embedder:
    the answer steps on a real index, without a model."""
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in docs.items():
        (corpus / name).write_text(text, encoding="utf-8")
    p = Pipeline(Settings(corpus_dir=corpus, index_dir=root / "index", model="fake-hashing",
                          cache_dir=root / "cache"), HashingEmbedder())
    p.build()
    return p


def dated_candidate(doc_id: str, date: str, text: str, title: str = ""):
    """A Candidate for the whole of a one-sentence article `text` dated `date` (the answer steps'
    unit), found first by retrieval with score 1."""
    from rag.answer.candidates import Candidate
    from rag.types import Chunk, Document, Hit

    doc = Document(doc_id, text, title, date, doc_id + ".md")
    return Candidate(0, Hit(Chunk(doc_id, 0, 0, len(text), text), 1.0), doc, 0, len(text))
