"""The plain data types that flow through the pipeline.

Document -> Chunk -> Hit -> Answer(citations). Nothing here imports the rest of the package.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One article, its text already cleaned. Offsets of chunks and quotes point into `text`."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd where known, else as found
    source: str | None = None  # where the article says it comes from (a JSONL record may name any)
    file: str | None = None  # the file it was read from, which owns it: relative to the corpus
    # folder when inside it, else an absolute path; None in indexes built before ownership was kept
    # a PDF's or an image's pages: (offset in `text` where the page begins, page number), in order
    pages: tuple[tuple[int, int], ...] = ()
    ocr_pages: tuple[int, ...] = ()  # the page numbers whose text was read by OCR

    def page_at(self, offset: int) -> int | None:
        """The page number of the text at `offset`; None for a document without pages."""
        page = self.pages[0][1] if self.pages else None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    def ocr_at(self, start: int, end: int) -> bool:
        """Whether any of text[start:end] was read by OCR."""
        if not self.ocr_pages:
            return False
        first, last = self.page_at(start), self.page_at(max(start, end - 1))
        return any(first <= p <= last for p in self.ocr_pages) if first is not None else False


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: `doc.text[start:end] == text`."""

    doc_id: str
    ordinal: int  # position of the chunk inside its document
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks it got from each retriever."""

    chunk: Chunk
    score: float
    dense_score: float | None = None  # cosine similarity, when the dense retriever saw it
    sparse_score: float | None = None  # BM25 score, when BM25 saw it
    dense_rank: int | None = None
    sparse_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str | None
    date: str | None
    source: str | None
    quote: str  # verbatim substring of the stored document text
    start: int
    end: int
    passage_start: int = 0  # the surrounding chunk, for display
    passage_end: int = 0
    # time (rag/answer/timeline.py): what the quote speaks of, and how it stands against the others
    when: str | None = None  # the time the sentence speaks of (a year written in it, else its document's date)
    status: str | None = None  # None (no other version retrieved) | "current" | "earlier" | "superseded"
    changed_on: str | None = None  # superseded: when the change that replaced it was made or took effect
    file: str | None = None  # the file the document was read from (Document.file), whatever `source` it claims
    page: int | None = None  # the page of a PDF or image the quote starts on
    ocr: bool = False  # the quote's text was read by OCR (a misread character is possible)
    kb: str | None = None  # the knowledge base it came from (rag/library), when asked through one


@dataclass(frozen=True)
class SentenceCheck:
    """How one sentence of a generated reply fared against the passages it cited."""

    text: str  # the sentence as the model wrote it, its [n] markers removed
    cited: tuple[int, ...]  # the passage numbers it cited ([n] of the prompt)
    verified: bool
    reason: str | None = None  # why it was not verified (no citation, a number not in [2], ...)
    citations: tuple[int, ...] = ()  # Answer.citations (their n) that support it, when verified

    def to_dict(self) -> dict:
        return {"text": self.text, "cited": list(self.cited), "verified": self.verified, "reason": self.reason,
                "citations": list(self.citations)}


@dataclass(frozen=True)
class ShortPart:
    """One verbatim piece of a short answer: the whole short answer, or one of the labelled facts
    a question fits ("产值多少" -> "工业产值达3.1亿元" and "农业产值约8千万元", each with its label)."""

    text: str
    doc_id: str
    start: int  # offsets in the document's text: document.text[start:end] == text
    end: int


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    short_answer: str | None
    answerable: bool
    citations: tuple[Citation, ...] = ()
    latency_ms: float = 0.0
    searched_question: str | None = None  # set when a follow-up was rewritten before searching
    hits: tuple[Hit, ...] = field(default=(), compare=False)  # what retrieval returned, for evaluation
    short_answer_score: float | None = None  # the reader's probability for the short answer shown
    # the reader's best span, shown or not, its probability, and whether the rules marked it too (for eval)
    reader_guess: tuple[str, float, bool] | None = field(default=None, compare=False)
    mode: str = "extractive"  # extractive | generative (a generated reply, verified sentence by sentence)
    model: str | None = None  # the language model that wrote a generative answer
    checks: tuple[SentenceCheck, ...] = ()  # generative: every sentence of the reply, kept or removed
    note: str | None = None  # generative: why the extractive answer is shown instead, or what was removed
    # the pieces of short_answer where they stand in the documents (short_answer joins them with "；")
    short_parts: tuple[ShortPart, ...] = ()
    decline_reason: str | None = field(default=None, compare=False)  # unanswerable: why (for evaluation)
    answer_id: str | None = None  # set where the answer is recorded (rag.history): feedback names it

    def to_dict(self) -> dict:
        """The JSON contract of `rag ask --json`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "short_answer": self.short_answer,
            "short_answer_score": None if self.short_answer_score is None else round(self.short_answer_score, 3),
            "answerable": self.answerable,
            "citations": [
                {
                    "n": c.n,
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "date": c.date,
                    "source": c.source,
                    "file": c.file,
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                    "when": c.when,
                    "status": c.status,
                    **({"changed_on": c.changed_on} if c.changed_on else {}),
                    **({"page": c.page} if c.page is not None else {}),
                    **({"ocr": True} if c.ocr else {}),
                    **({"kb": c.kb} if c.kb else {}),
                }
                for c in self.citations
            ],
            "latency_ms": round(self.latency_ms, 1),
            **({"searched_question": self.searched_question} if self.searched_question else {}),
            "mode": self.mode,
            **({"model": self.model, "verification": [c.to_dict() for c in self.checks], "note": self.note}
               if self.model is not None or self.checks or self.note else {}),
            **({"answer_id": self.answer_id} if self.answer_id else {}),
        }


@dataclass(frozen=True)
class Problem:
    """Something that went wrong with one input file; the build goes on without it."""

    path: str
    message: str


@dataclass(frozen=True)
class DocInfo:
    """What the knowledge-base view lists about an indexed document."""

    id: str
    title: str | None
    date: str | None
    source: str | None
    chars: int
    passages: int
    file: str | None = None  # the file that owns the document (see Document.file)


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    embedded: int  # chunks embedded in this build (the rest were reused)
    reused: int
    removed_documents: int
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0
    added: tuple[tuple[str, int], ...] = ()  # add_files: (path as given, documents indexed from it)
