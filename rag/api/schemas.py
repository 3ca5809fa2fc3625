"""Request and response bodies of the HTTP API (pydantic models; they also make the /docs page)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.modes import AnswerMode as AnswerShown
from rag.modes import AnswerSetting, RetrievalMode

if TYPE_CHECKING:
    from rag.retrieve.filters import Filters

Mode = RetrievalMode
MODE_HELP = "retrieval: hybrid (dense + BM25, default), dense or bm25"
TOP_K_HELP = "passages the answerer reads (default: the server's setting, 5)"
SINCE_HELP = "only documents dated on or after this: yyyy, yyyy-mm or yyyy-mm-dd (2025 = from 2025-01-01)"
UNTIL_HELP = "only documents dated on or before this: yyyy, yyyy-mm or yyyy-mm-dd (2025-06 = to 2025-06-30)"
SOURCE_HELP = ("only documents whose source path (relative to the corpus folder) contains this, ignoring case; "
               "a glob when it has * ? or [ ] (e.g. news/*.jsonl)")
UNDATED_HELP = "documents without a readable date: keep (default) or drop"
AnswerMode = AnswerSetting
ANSWER_HELP = ("extractive (quoted sentences) or generative (the server's language model; every sentence "
               "checked against its quotes, unverified ones left out); default: the server's setting")
KB_HELP = "the knowledge base to answer from (GET /api/kbs lists them; default: `default`)"
KBS_HELP = ("several knowledge bases, searched at once and their answers fused; every citation names its "
            "knowledge base (`kb`)")
CONVERSATION_HELP = ("continue this conversation of yours (the `conversation_id` of an earlier answer; 404 when "
                     "it is not yours or not there); without it, a new conversation is started. With no "
                     "history given, the follow-up is read against the conversation's last questions")
DateIn = str | int  # 2025 may come as a number
Undated = Literal["keep", "drop"]


class FiltersIn(BaseModel):
    """Which documents may be quoted (applied before retrieval). A malformed date is a 400."""

    model_config = ConfigDict(extra="forbid")  # a misspelt filter is an error, not silently ignored
    since: DateIn | None = Field(None, description=SINCE_HELP, examples=["2025"])
    until: DateIn | None = Field(None, description=UNTIL_HELP, examples=["2025-06"])
    source: str | None = Field(None, description=SOURCE_HELP)
    undated: Undated | None = Field(None, description=UNDATED_HELP)


# -- /api/ask -------------------------------------------------------------------------------
class AskRequest(BaseModel):
    question: str = Field(description="the question, in Chinese or English (at most 2000 characters)",
                          examples=["青石村2024年接待了多少游客？"])
    history: list[str] = Field(default_factory=list,
                               description="earlier questions of the same conversation, oldest first, "
                                           "so that a follow-up such as 那村民收入呢？ is understood "
                                           "(absent or empty with conversation_id: its stored questions)")
    mode: Mode | None = Field(None, description=MODE_HELP)
    top_k: int | None = Field(None, ge=1, le=50, description=TOP_K_HELP)
    since: DateIn | None = Field(None, description=SINCE_HELP, examples=["2025"])
    until: DateIn | None = Field(None, description=UNTIL_HELP)
    source: str | None = Field(None, description=SOURCE_HELP)
    undated: Undated | None = Field(None, description=UNDATED_HELP)
    answer: AnswerMode | None = Field(None, description=ANSWER_HELP)
    kb: str | None = Field(None, description=KB_HELP, examples=["default"])
    kbs: list[str] | None = Field(None, min_length=1, max_length=16, description=KBS_HELP)
    conversation_id: str | None = Field(None, min_length=1, max_length=64, description=CONVERSATION_HELP)


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str | None
    date: str | None
    source: str | None
    file: str | None = Field(None, description="the file the document was read from (which owns it); "
                             "`source` is what a record claims")
    quote: str = Field(description="verbatim: equals the document's text[start:end]")
    start: int
    end: int
    when: str | None = Field(None, description="the time the quote speaks of (a year written in it, else its "
                                               "document's date): yyyy, yyyy-mm or yyyy-mm-dd")
    status: Literal["current", "earlier", "superseded"] | None = Field(
        None, description="how it stands against other versions of the same fact among the retrieved passages; "
                          "null when no other version was retrieved")
    changed_on: str | None = Field(None, description="superseded: when the change that replaced it was made or "
                                                     "took effect (absent otherwise)")
    kb: str | None = Field(None, description="the knowledge base the quote comes from")


class SentenceCheckOut(BaseModel):
    text: str = Field(description="the sentence as the model wrote it, markers removed")
    cited: list[int] = Field(description="the passage numbers it cited")
    verified: bool
    reason: str | None = Field(description="why it was not verified")
    citations: list[int] = Field(description="the answer's citations (n) that support it")


class AnswerOut(BaseModel):
    """The object `rag ask --json` prints."""

    question: str
    answer: str = Field(description="the answer sentence(s) with [n] markers")
    short_answer: str | None
    short_answer_score: float | None
    answerable: bool
    citations: list[CitationOut]
    latency_ms: float
    searched_question: str | None = Field(None, description="present when a follow-up was rewritten")
    mode: AnswerShown = Field("extractive", description="how the answer shown was made")
    model: str | None = Field(None, description="generative asked: the language model that wrote the reply")
    verification: list[SentenceCheckOut] | None = Field(
        None, description="generative asked: every sentence of the model's reply and whether its cited passages "
                          "support it (only verified ones are in `answer`)")
    note: str | None = Field(None, description="generative asked: why the extractive answer is shown instead, "
                                               "or what was left out")
    answer_id: str | None = Field(None, description="names this answer in POST /api/feedback")
    conversation_id: str | None = Field(None, description="the conversation this answer is a turn of "
                                        "(GET /api/conversations/{id}); send it back to ask a follow-up")


# -- /api/documents -------------------------------------------------------------------------
class DocumentInfoOut(BaseModel):
    id: str
    title: str | None
    date: str | None
    source: str | None = Field(description="where the article comes from: its file's path relative to the corpus "
                                           "folder, or what a JSONL record says")
    chars: int
    passages: int


class DocumentListOut(BaseModel):
    documents: list[DocumentInfoOut]


class DocumentOut(DocumentInfoOut):
    text: str = Field(description="the stored (cleaned) text that citation offsets point into")


class IndexSummary(BaseModel):
    documents: int
    passages: int
    embedded: int = Field(description="passages embedded by this change (the rest were reused)")
    reused: int
    seconds: float


class AddedFile(BaseModel):
    filename: str = Field(description="the uploaded file's name")
    stored_as: str = Field(description="its (safe, unused) name in the corpus folder")
    documents: list[str] = Field(description="ids of the documents read from it")


class SkippedFile(BaseModel):
    filename: str
    message: str


class FileProblem(BaseModel):
    file: str = Field(description="the stored_as name of a file that was kept")
    message: str


class UploadOut(BaseModel):
    added: list[AddedFile]
    problems: list[FileProblem] = Field(
        default=[], description="what was skipped inside the files that were kept: a bad JSONL line, a "
                               "document whose id is already indexed from another file")
    skipped: list[SkippedFile] = Field(description="files no document could be indexed from; they were not kept")
    index: IndexSummary


class DeleteOut(BaseModel):
    deleted: str
    title: str | None
    file_removed: bool = Field(description="its file was deleted from the corpus folder too")
    file_kept: Literal["shared", "read-only", "unrecorded"] | None = Field(
        description="why the file stayed: it holds other documents, it is read-only, or the index (built "
                    "before documents recorded their file) does not say which file it was "
                    "(a rebuild from the corpus folder would bring the document back)")
    index: IndexSummary


# -- /api/kbs --------------------------------------------------------------------------------
class KnowledgeBaseOut(BaseModel):
    name: str
    title: str
    description: str
    store: Literal["local", "milvus"] = Field(description="where its index lives")
    mode: Mode | None = Field(None, description="its retrieval mode, when not the server's")
    may_change: bool = Field(description="the caller may upload, delete and rebuild in it")


class KnowledgeBaseListOut(BaseModel):
    knowledge_bases: list[KnowledgeBaseOut]


class KnowledgeBaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="a lowercase letter, then up to 39 lowercase letters, digits or _",
                      examples=["policy"])
    title: str | None = Field(None, max_length=200)
    description: str = Field("", max_length=2000)
    store: str | None = Field(None, description="local, or the server's own store (RAG_STORE); default: the server's")
    mode: Mode | None = Field(None, description="its retrieval mode (default: the server's)")


class ErrorDetail(BaseModel):
    message: str
    type: str


class ErrorOut(BaseModel):
    error: ErrorDetail


# -- /v1 (OpenAI-compatible) ----------------------------------------------------------------
class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str = Field(description="system, user, assistant...; only user turns are read")
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """An OpenAI chat-completions request. The last message is the question; earlier user
    messages are the conversation. Sampling options (temperature, max_tokens...) are accepted and
    ignored. Extensions: mode, top_k, filters, answer, kbs, conversation_id."""

    model_config = ConfigDict(extra="allow")
    model: str = Field("rag", description="the knowledge base to answer from (GET /v1/models); 'rag' is "
                                          "'default'; several joined by +, e.g. news+policy")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = Field(False, description="server-sent events in the OpenAI chunk format, ending with [DONE]")
    n: int | None = Field(None, ge=1, le=1, description="only 1")
    mode: Mode | None = Field(None, description="extension: " + MODE_HELP)
    top_k: int | None = Field(None, ge=1, le=50, description="extension: " + TOP_K_HELP)
    filters: FiltersIn | None = Field(None, description="extension: only documents that pass are quoted "
                                                        "(with the openai SDK: extra_body={'filters': {...}})")
    answer: AnswerMode | None = Field(None, description="extension: " + ANSWER_HELP)
    kbs: list[str] | None = Field(None, min_length=1, max_length=16, description="extension: " + KBS_HELP +
                                  " (instead of `model`)")
    conversation_id: str | None = Field(None, min_length=1, max_length=64, description="extension: " +
                                        CONVERSATION_HELP.replace("no history given", "no earlier user message"))


ERRORS = {status: {"model": ErrorOut} for status in (400, 404, 413, 503)}


def filters_of(body) -> Filters | None:
    """rag.retrieve.filters.Filters from a body's since / until / source / undated (BadFilter, a 400, when
    a date cannot be read); None when nothing filters."""
    from rag.retrieve.filters import make_filters

    if body is None:
        return None
    return make_filters(body.since, body.until, body.source, body.undated)
