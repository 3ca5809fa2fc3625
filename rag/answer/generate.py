"""Hits -> a generated answer, verified sentence by sentence, from any OpenAI-compatible endpoint.

The model (reached through LangChain's ChatOpenAI: Ollama, vLLM, llama.cpp's server, DeepSeek,
DashScope, OpenAI...) gets the retrieved passages numbered [1]..[k], newest first, each with its
document's date, and is asked for a short answer in the question's language with [n] after each
claim, the newest value leading with its date and an older different one only as earlier. Its
tokens are passed on as they come (a draft); the finished reply goes through rag/answer/verify.py
and rag/answer/verify_time.py, and only the sentences the cited passages support, and no newer
passage contradicts, reach the answer, each with its verbatim quote. When nothing survives, when the
endpoint fails, or when it does not finish within the time allowed, the extractive answer is
given instead, with a note saying why.

The API key is handed to the client and nowhere else: it is never logged, shown or written, and
it is blanked out of any error text that echoes it.
"""
from __future__ import annotations

import datetime as _dt
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from rag.answer.verify import Checked, Source, is_refusal, verify_reply
from rag.answer.verify_time import check_times, is_stale, newest_first
from rag.errors import RagError
from rag.text import is_chinese
from rag.types import Answer, Citation

SYSTEM_ZH = (
    "你是新闻和政策文章的问答助手。只根据用户给出的编号资料回答，不用资料以外的知识。"
    "用中文简短回答（一到三句）。每句话末尾用[编号]标出它依据的资料，例如：该镇去年收入86万元[1]。"
    "数字、单位、日期、人名、地名照资料原样写。"
    "资料按日期从新到旧排列。同一事项在不同资料中数值不同时，以日期最新的为准，并写明它的日期，"
    "例如：……为每年X元（2025年3月）[1]。较早的不同数值只作为此前的情况提及并写明日期，"
    "例如：此前（2023年）为每年Y元[2]。"
    "资料不能回答问题时，只回答：资料中没有找到答案。"
)
SYSTEM_EN = (
    "You answer questions about news and policy articles using only the numbered passages the user "
    "gives you, never outside knowledge. Answer briefly in English (one to three sentences). End every "
    "sentence with the number of the passage it relies on in brackets, for example: The village "
    "earned 2.51 million yuan last year [1]. Copy numbers, units, dates and names exactly. The passages "
    "are listed newest first, each with its date. Where passages give different values for the same "
    "thing, give the newest one as the current value and say its date, for example: ... is X yuan a "
    "year (as of March 2025) [1]. Mention an older different value only as earlier, with its date, "
    "for example: previously (2023) it was Y yuan [2]. If the passages do not answer the question, "
    "reply only: The passages do not say."
)


class LLMFailure(RagError):
    """The endpoint could not give a reply (unreachable, refused, too slow); one line, key blanked."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 60.0
    max_tokens: int = 400

    @classmethod
    def from_settings(cls, s) -> "LLMConfig":
        return cls(s.llm_endpoint(), s.llm_model, s.llm_api_key, float(s.llm_timeout_s), s.llm_max_tokens)

    def blank(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    @property
    def shown_url(self) -> str:
        return display_url(self.base_url)


def display_url(url: str) -> str:
    """An endpoint as it may be shown or logged: no user:password@, query or fragment (where a key may hide)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "(unreadable URL)"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def sources_of(hits, index) -> list[Source]:
    """The passages of the prompt, newest first by their document's date (undated last, retrieval
    order among equals), numbered [1]..[k] in that order: the numbers verify.py reads back."""
    out = []
    for hit in hits:
        doc = index.document(hit.chunk.doc_id)
        if doc is not None:
            out.append(Source(len(out) + 1, doc, hit.chunk.start, hit.chunk.end))
    return newest_first(out)


def messages_for(question: str, history: Sequence[str], sources: Sequence[Source],
                 today: _dt.date | None = None) -> list[tuple[str, str]]:
    """The system and user messages: the passages as given (`sources_of`: newest first), each
    headed "[n] 日期：2025-02-10｜title" ("Date: ... | title"; 未知/unknown when not known), the
    earlier questions of the conversation, today's date and the question."""
    zh = is_chinese(question)
    today = today or _dt.date.today()
    blocks = []
    for s in sources:
        if zh:
            head = f"日期：{s.doc.date or '未知'}" + (f"｜{s.doc.title}" if s.doc.title else "")
        else:
            head = f"Date: {s.doc.date or 'unknown'}" + (f" | {s.doc.title}" if s.doc.title else "")
        blocks.append(f"[{s.n}] {head}\n{s.text}")
    earlier = [h for h in history if h.strip()]
    if zh:
        text = "资料（按日期从新到旧）：\n\n" + "\n\n".join(blocks)
        if earlier:
            text += "\n\n此前的问题：" + "；".join(earlier)
        text += f"\n\n今天是{today.isoformat()}。问题：{question}"
    else:
        text = "Passages (newest first):\n\n" + "\n\n".join(blocks)
        if earlier:
            text += "\n\nEarlier questions in this conversation: " + "; ".join(earlier)
        text += f"\n\nToday is {today.isoformat()}. Question: {question}"
    return [("system", SYSTEM_ZH if zh else SYSTEM_EN), ("human", text)]


def client(cfg: LLMConfig):
    """LangChain's ChatOpenAI for the endpoint: streaming, greedy, one retry, the time limit per read."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=cfg.model or "default", base_url=cfg.base_url, api_key=cfg.api_key or "none",
                      timeout=cfg.timeout_s, max_retries=1, temperature=0, max_tokens=cfg.max_tokens,
                      streaming=True)


class Reply:
    """One streamed reply. `deltas()` yields text as it arrives and stops at the deadline; then
    `complete` says whether the model finished on its own and `model` what the endpoint called itself."""

    def __init__(self, cfg: LLMConfig, messages):
        self.cfg = cfg
        self.complete = False
        self.model = cfg.model or None
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        llm = client(cfg)  # made here, so that the time allowed is the model's, not our imports'
        threading.Thread(target=self._run, args=(llm, messages), daemon=True, name="llm-reply").start()

    def _run(self, llm, messages) -> None:
        try:
            finish = None
            for chunk in llm.stream(messages):
                if self._stop.is_set():
                    return
                meta = chunk.response_metadata or {}
                finish = meta.get("finish_reason") or finish
                if meta.get("model_name"):
                    self._queue.put(("model", meta["model_name"]))
                if chunk.content:
                    self._queue.put(("delta", chunk.content if isinstance(chunk.content, str) else str(chunk.content)))
            self._queue.put(("end", finish))
        except Exception as err:  # reported to the reader of the queue, as one line
            self._queue.put(("error", err))

    def deltas(self) -> Iterator[str]:
        deadline = time.monotonic() + self.cfg.timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._stop.set()
                raise LLMFailure(f"the language model did not finish within {self.cfg.timeout_s:g} s")
            try:
                kind, value = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if kind == "delta":
                yield value
            elif kind == "model":
                self.model = value
            elif kind == "end":
                self.complete = value in (None, "stop", "eos")
                return
            else:
                raise LLMFailure(self._describe(value)) from None

    def close(self) -> None:
        self._stop.set()

    def _describe(self, err: Exception) -> str:
        name = type(err).__name__
        if "Connection" in name or "Connect" in name:
            what = f"could not reach the language model at {self.cfg.shown_url}"
        elif "Timeout" in name:
            what = f"the language model at {self.cfg.shown_url} did not answer within {self.cfg.timeout_s:g} s"
        elif "Authentication" in name or "PermissionDenied" in name:
            what = f"the language model at {self.cfg.shown_url} refused the API key (RAG_LLM_API_KEY)"
        elif "NotFound" in name:
            what = f"the endpoint {self.cfg.shown_url} does not know the model {self.cfg.model!r} (RAG_LLM_MODEL)"
        else:
            detail = " ".join(str(err).split())[:200]
            what = f"the language model failed ({name}: {detail})"
        return self.cfg.blank(what)


def generate(cfg: LLMConfig, question: str, history: Sequence[str], sources: Sequence[Source],
             extractive: Answer, today: _dt.date | None = None) -> Iterator[str | Answer]:
    """Draft text as it streams in, then the verified Answer (or the extractive one, with a note).
    `today`: the asking date (RAG_TODAY), for the prompt and the check for stale values (None: the real date)."""
    reply = None
    parts: list[str] = []
    failure = None
    try:
        if not sources:
            yield _fallback(extractive, cfg.model or None, (), "no passages were found to give the model")
            return
        reply = Reply(cfg, messages_for(question, history, sources, today))
        for delta in reply.deltas():
            parts.append(delta)
            yield delta
    except LLMFailure as err:  # unreachable, refused, too slow, or the stream broke off
        failure = str(err)
    finally:
        if reply is not None:
            reply.close()
    model = reply.model if reply else cfg.model or None
    text = "".join(parts)
    if failure and not text.strip():
        yield _fallback(extractive, model, (), failure)
        return
    checked = check_times(verify_reply(text, sources, complete=reply.complete and not failure), sources,
                          question, today)
    answer = compose(question, checked, extractive, model, refused=is_refusal(text), cut=failure)
    yield answer


def compose(question: str, checked: Sequence[Checked], extractive: Answer, model: str | None,
            refused: bool = False, cut: str | None = None) -> Answer:
    """The verified sentences with their quotes renumbered as citations; if none, the extractive
    answer. `cut`: why the reply ended early (what arrived is used, its last unfinished sentence not)."""
    kept = [c for c in checked if c.check.verified]
    stale = sum(is_stale(c.check.reason) for c in checked)
    if not kept:
        why = cut or ("the model found no answer in the passages" if refused or not checked
                      else "the model's reply gave a value that a newer passage changes" if stale
                      else "no sentence of the model's reply could be verified against the passages")
        return _fallback(extractive, model, tuple(c.check for c in checked), why)
    numbers: dict = {}
    citations: list[Citation] = []
    checks, parts = [], []
    for c in checked:
        if not c.check.verified:
            checks.append(c.check)
            continue
        ns = []
        for q in c.quotes:
            if q.key not in numbers:
                numbers[q.key] = len(citations) + 1
                d = q.source.doc
                citations.append(Citation(numbers[q.key], d.id, d.title, d.date, d.source, d.text[q.start:q.end],
                                          q.start, q.end, min(q.source.start, q.start), max(q.source.end, q.end)))
            ns.append(numbers[q.key])
        ns = list(dict.fromkeys(ns))
        checks.append(replace(c.check, citations=tuple(ns)))
        parts.append(c.check.text + "".join(f"[{n}]" for n in ns))
    zh = is_chinese(question)
    short, score, short_parts = extractive.short_answer, extractive.short_answer_score, extractive.short_parts
    if short and not any(short in c.quote for c in citations):
        short, score, short_parts = None, None, ()  # a short answer must be a verbatim span of a cited quote
    removed = len(checked) - len(kept) - stale
    if zh:
        notes = [f"模型的回答提前结束（{cut}）。"] if cut else []
        if removed:
            notes.append(f"模型回答中有{removed}句未能与所引资料核对，已删去。")
        if stale:
            notes.append(f"模型回答中有{stale}句把已被较新资料更改的数值当作现行数值，已删去。")
    else:
        notes = [f"The reply ended early: {cut}."] if cut else []
        if removed:
            notes.append(f"{removed} sentence(s) of the model's reply could not be verified against the passages "
                         "and were left out.")
        if stale:
            notes.append(f"{stale} sentence(s) gave as current a value that a newer passage changes, and were "
                         "left out.")
    note = ("" if zh else " ").join(notes) or None
    return replace(extractive, answer=("" if zh else " ").join(parts), short_answer=short,
                   short_answer_score=score, short_parts=short_parts, answerable=True, citations=tuple(citations),
                   mode="generative", model=model, checks=tuple(checks), note=note)


_WHY_ZH = [  # the reasons a generated answer is not used, for a Chinese question
    (re.compile(r"could not reach the language model at (\S+)"), r"无法连接语言模型 \1"),
    (re.compile(r"the language model at (\S+) did not answer within (\S+) s"), r"语言模型 \1 在 \2 秒内没有回应"),
    (re.compile(r"the language model did not finish within (\S+) s"), r"语言模型在 \1 秒内没有写完"),
    (re.compile(r"the language model at (\S+) refused the API key"), r"语言模型 \1 拒绝了 API 密钥"),
    (re.compile(r"the endpoint (\S+) does not know the model"), r"端点 \1 没有这个模型"),
    (re.compile(r"the model found no answer in the passages"), "模型认为资料中没有答案"),
    (re.compile(r"no sentence of the model's reply could be verified against the passages"),
     "模型回答中没有一句能与所引资料核对"),
    (re.compile(r"no passages were found to give the model"), "没有找到可交给模型的资料"),
    (re.compile(r"the model's reply gave a value that a newer passage changes"), "模型回答给出的数值已被较新的资料更改"),
]


def _fallback(extractive: Answer, model: str | None, checks, why: str) -> Answer:
    zh = is_chinese(extractive.question)
    if zh:
        for pattern, chinese in _WHY_ZH:
            if pattern.match(why):
                why = pattern.sub(chinese, why, count=1)
                break
    note = (f"未使用生成的回答：{why}；以下为从文章中摘录的回答。" if zh
            else f"Generated answer not used: {why}; the answer extracted from the articles is shown instead.")
    return replace(extractive, mode="extractive", model=model, checks=tuple(checks), note=note)
