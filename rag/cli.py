"""The `rag` command line: index, embed, status, ask, eval, docs, serve, doctor, kb. Library errors become
one-line messages. `--kb NAME` picks a knowledge base (rag/library) wherever `--index` is taken."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Sequence

from rag.errors import BadFilter, RagError
from rag.modes import ANSWER_SETTINGS, RETRIEVAL_MODES

EXIT_ERROR = 1
EXIT_USAGE = 2


class StderrProgress:
    """`stage done/total` on one line (a tty) or a line every ~10% (logs); with the rate and the
    time left once a stage has run a few seconds."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last: dict[str, int] = {}
        self._start: dict[str, tuple[float, int]] = {}

    def _rate(self, stage: str, done: int, total: int) -> str:
        now = time.monotonic()
        t0, d0 = self._start.setdefault(stage, (now, done))
        if now - t0 < 2 or done <= d0:
            return ""
        rate = (done - d0) / (now - t0)
        left = (total - done) / rate if rate else 0
        return f", {rate:.1f}/s, {_duration(left)} left" if done < total else f", {rate:.1f}/s"

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "wait":  # another process holds the index's write lock
            if not done:
                self.stream.write("waiting for another process that is changing the index...\n")
                self.stream.flush()
            return
        pct = int(100 * done / total) if total else 100
        rate = self._rate(stage, done, total)
        if self.tty:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{stage:9s} {done}/{total} ({pct}%{rate})\033[K" + end)
        elif pct // 10 != self._last.get(stage, -1) or done >= total:
            self._last[stage] = pct // 10
            self.stream.write(f"{stage:9s} {done}/{total} ({pct}%{rate})\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Cited answers from Chinese news and policy articles.")
    p.add_argument("--model", help="embedding model: the default offline e5-small, or a sentence-transformers name/path")
    sub = p.add_subparsers(dest="command", required=True)

    i = sub.add_parser("index", help="build or update the index from files and folders")
    i.add_argument("paths", nargs="*", help="files or folders (default: corpus/)")
    i.add_argument("--index", help="index directory (default: index/)")
    i.add_argument("--embed-later", action="store_true",
                   help="only make the documents searchable (BM25) now; embed their passages later with `rag embed`")

    em = sub.add_parser("embed", help="embed the passages that have no vectors yet (resumable; can run beside the app)")
    em.add_argument("--index")
    em.add_argument("--limit", type=int, help="stop after about this many passages")

    st = sub.add_parser("status", help="how much of the index is embedded")
    st.add_argument("--index")

    a = sub.add_parser("ask", help="answer one question with cited sources")
    a.add_argument("question")
    a.add_argument("--index")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    a.add_argument("--mode", choices=RETRIEVAL_MODES)
    a.add_argument("--top-k", type=int)
    _add_answer_args(a)
    _add_filter_args(a)

    e = _add_eval(sub)

    d = sub.add_parser("docs", help="list the indexed documents")
    d.add_argument("--index")

    v = sub.add_parser("serve", help="serve the chat page and the HTTP API (incl. OpenAI-compatible) on one port",
                       description="Serve the chat page at / and the HTTP API (/api, /v1, docs at /docs). "
                                   "A missing index is built from the corpus folder in the background; "
                                   "until it is ready the API answers 503.")
    v.add_argument("--host", help="address to listen on (default 127.0.0.1; env RAG_HOST)")
    v.add_argument("--port", type=int, help="port (default 7860; env RAG_PORT)")
    v.add_argument("--index", help="index directory (default: index/)")
    v.add_argument("--corpus", help="articles folder: built from when there is no index, uploads go here "
                                    "(default: corpus/)")
    v.add_argument("--mode", choices=RETRIEVAL_MODES, help="default retrieval mode")
    v.add_argument("--top-k", type=int, help="default number of passages the answerer reads")
    _add_answer_args(v)

    doc = sub.add_parser("doctor", help="check the index and its corpus, and say what to do")
    doc.add_argument("--index")
    doc.add_argument("--corpus", help="corpus folder (default: corpus/)")
    for cmd in (i, em, st, a, e, d, doc):
        cmd.add_argument("--kb", metavar="NAME", help="the knowledge base (`rag kb list`; default: default, i.e. "
                         "--index and --corpus)" + ("; several joined by , are asked together" if cmd is a else ""))
    from rag.cli_kb import add_kb_parser

    add_kb_parser(sub)
    from rag.cli_history import add_commands  # feedback export, mcp

    for cmd in (i, st, a, e, d, v, doc, *add_commands(sub)):
        cmd.add_argument("--store", metavar="STORE", help="where the index lives: local (default: the --index "
                         "folder) or milvus:URI (a Milvus Lite file.db or http://HOST:19530); env RAG_STORE")
    return p


def _add_eval(sub) -> argparse.ArgumentParser:
    e = sub.add_parser("eval", help="answer a QA set and print metrics (and write a report)")
    e.add_argument("qa", help="QA file (JSONL: id, question, answers, must_include, unanswerable, gold_doc, category)")
    e.add_argument("--index")
    e.add_argument("--predictions", help="write one JSON line per question here")
    e.add_argument("--mode", choices=RETRIEVAL_MODES)
    e.add_argument("--top-k", type=int, help="passages the answerer reads (default: settings, 5)")
    e.add_argument("--limit", type=int, help="only the first N questions")
    e.add_argument("--report", metavar="DIR",
                   help="write report.md, report.html (self-contained), charts/*.png, summary.json, predictions here")
    e.add_argument("--compare", metavar="VARIANTS",
                   help="compare variants side by side on the same documents, e.g. bm25,dense,hybrid,chunk=400,k=3 "
                        "(join with ':' to combine: dense:k=3)")
    e.add_argument("--title", default="Evaluation report", help="report title")
    _add_answer_args(e)
    _add_filter_args(e)
    return e


def _add_answer_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("answers", "extractive (quoted sentences, offline) or generative (a language model "
                                        "behind an OpenAI-compatible endpoint, every sentence checked)")
    g.add_argument("--answer", choices=ANSWER_SETTINGS,
                   help="default: env RAG_ANSWER or auto (generative when an endpoint is set)")
    g.add_argument("--llm-base-url", metavar="URL",
                   help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (env RAG_LLM_BASE_URL); "
                        "the API key is read from env RAG_LLM_API_KEY only")
    g.add_argument("--llm-model", metavar="NAME", help="model name at that endpoint (env RAG_LLM_MODEL)")
    g.add_argument("--today", metavar="YYYY-MM-DD", help="the asking date that 今年, 去年, 现在 are read against "
                                                      "(default: env RAG_TODAY, else the real date)")


def _llm_overrides(args) -> dict:
    return {"answer": getattr(args, "answer", None), "llm_base_url": getattr(args, "llm_base_url", None),
            "llm_model": getattr(args, "llm_model", None), "today": getattr(args, "today", None)}


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters", "answer only from documents that pass (applied before retrieval)")
    g.add_argument("--since", metavar="DATE", help="dated on or after DATE: yyyy, yyyy-mm or yyyy-mm-dd "
                                                   "(--since 2025 = from 2025-01-01)")
    g.add_argument("--until", metavar="DATE", help="dated on or before DATE (--until 2025-06 = to 2025-06-30)")
    g.add_argument("--source", metavar="PATTERN",
                   help="source path (relative to the corpus folder) contains PATTERN, ignoring case; "
                        "a glob when it has * ? or [ ] (e.g. 'news/*.jsonl')")
    g.add_argument("--undated", choices=["keep", "drop"], default="keep",
                   help="documents without a readable date: keep (default) or drop")


def _filters(args):
    """The Filters of the command's options, or None; BadFilter for a date that cannot be read."""
    from rag.retrieve.filters import make_filters

    return make_filters(args.since, args.until, args.source, args.undated)


def _library(args, **overrides):
    from rag.config import Settings
    from rag.library import Library

    settings = Settings.from_env(index_dir=getattr(args, "index", None), model=args.model,
                                 store=getattr(args, "store", None), **_llm_overrides(args), **overrides)
    settings.answer_mode()  # a misspelt RAG_ANSWER fails here, before the model loads
    return Library(settings)


def _kbs(args) -> list[str]:
    """The knowledge bases --kb names (default: default); --kb with --index is a usage error."""
    from rag.library import DEFAULT

    kb = getattr(args, "kb", None)
    if kb and getattr(args, "index", None):
        raise BadFilter("Give --kb (a knowledge base) or --index (a folder), not both.")
    return [n.strip() for n in kb.split(",")] if kb else [DEFAULT]


def _pipeline(args):
    names = _kbs(args)
    if len(names) > 1:
        raise BadFilter("Only `rag ask` takes several knowledge bases.")
    return _library(args).pipeline(names[0])


def cmd_index(args) -> int:
    pipe = _pipeline(args)
    report = pipe.build(args.paths or None, progress=StderrProgress(), embed=not args.embed_later)
    for prob in report.problems:
        print(f"skipped {prob.path}: {prob.message}", file=sys.stderr)
    print(
        f"Indexed {report.documents} documents, {report.chunks} passages into {_where(pipe.settings)} "
        f"({report.embedded} embedded, {report.reused} reused, {report.removed_documents} removed) "
        f"in {report.seconds:.1f}s."
    )
    if args.embed_later:
        print(_status_line(pipe.status()) + " Run `rag embed` to add the vectors (it resumes where it stopped).")
    return 0


def _where(settings) -> str:
    return settings.index_dir if settings.store in ("", "local") else f"{settings.store} ({settings.milvus_collection})"


def _status_line(st: dict) -> str:
    pct = 100 * st["embedded"] / st["passages"] if st["passages"] else 100.0
    return (f"{st['documents']} documents, {st['passages']} passages, {st['embedded']} with vectors ({pct:.1f}%); "
            f"{st['segments']} segment(s).")


def cmd_embed(args) -> int:
    pipe = _pipeline(args)
    t0 = time.perf_counter()
    n = pipe.embed(progress=StderrProgress(), limit=args.limit)
    print(f"Embedded {n} passages in {time.perf_counter() - t0:.1f}s. " + _status_line(pipe.status()))
    return 0


def cmd_status(args) -> int:
    print(_status_line(_pipeline(args).status()))
    return 0


def format_answer(ans) -> str:
    lines = [ans.answer]
    if ans.short_answer:
        lines.insert(0, f"» {ans.short_answer}")
    if ans.note:
        lines.insert(0, f"({ans.note})")
    if ans.model:
        lines.append(f"(written by {ans.model}; every sentence shown was checked against its quotes)"
                     if ans.mode == "generative" else f"(model: {ans.model})")
    for c in ans.checks:
        if not c.verified:
            lines.append(f"✗ left out, not verified ({c.reason}): {c.text}")
    if ans.searched_question:
        lines.append(f"(searched: {ans.searched_question})")
    for c in ans.citations:
        head = " · ".join(x for x in (c.title, c.date, c.source, c.kb and f"kb {c.kb}") if x)
        lines.append(f"[{c.n}] {head}\n    “{c.quote}” (chars {c.start}-{c.end})")
    return "\n".join(lines)


def cmd_ask(args) -> int:
    filters = _filters(args)  # a bad date fails before the model loads
    library, names = _library(args), _kbs(args)
    ans, drafted = None, False
    for ans in library.ask_stream(names, args.question, mode=args.mode, top_k=args.top_k, filters=filters):
        if isinstance(ans, str):  # a generated draft, unverified: shown on stderr as it is written
            if not args.json:
                if not drafted:
                    sys.stderr.write("draft (being checked): ")
                sys.stderr.write(ans)
                sys.stderr.flush()
            drafted = True
    if drafted and not args.json:
        sys.stderr.write("\n\n")
    if args.json:
        from rag.cli_history import record_cli_answer

        print(json.dumps(record_cli_answer(library.settings, ans, kb="+".join(names)).to_dict(), ensure_ascii=False))
    else:
        print(format_answer(ans))
    return 0


def cmd_eval(args) -> int:
    from rag.evaluate.runner import load_qa, summary_text
    from rag.evaluate.session import evaluate

    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    if args.compare:
        from rag.evaluate.compare import parse_variants

        parse_variants(args.compare)  # a typo fails before the model loads
    filters = _filters(args)
    items = load_qa(args.qa)[: args.limit] if args.limit else load_qa(args.qa)
    pipe = _pipeline(args)
    result = evaluate(pipe, items, report_dir=args.report, compare=args.compare, mode=args.mode,
                      top_k=args.top_k, progress=StderrProgress(), predictions_path=args.predictions,
                      title=args.title, qa_label=os.path.basename(args.qa), filters=filters)
    if result.compare:
        from rag.evaluate.compare import compare_text

        print(compare_text(result.compare))
        print(f"\ndetails for variant {result.compare[0].variant.name}:")
    print(summary_text(result.records))
    if result.report:
        print(f"\nreport: {result.report.markdown} and {result.report.html}")
    return 0


def cmd_docs(args) -> int:
    for d in _pipeline(args).documents():
        print(f"{d.id}\t{d.title or '-'}\t{d.date or '-'}\t{d.passages} passages\t{d.chars} chars")
    return 0


def cmd_serve(args) -> int:
    from rag.config import Settings

    if args.top_k is not None and args.top_k < 1:
        print("error: --top-k must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    settings = Settings.from_env(index_dir=args.index, corpus_dir=args.corpus, model=args.model, host=args.host,
                                 port=args.port, mode=args.mode, top_k=args.top_k, store=args.store,
                                 **_llm_overrides(args))
    settings.check_answer_mode()  # generative by default needs an endpoint: say so now
    from rag.api import serve  # imports fastapi, uvicorn and gradio
    from rag.library import Library

    from rag.ui import mount  # imports gradio: the chat page, mounted at / beside the API

    return serve(Library(settings).pipeline(), page=mount, progress=StderrProgress())


def cmd_doctor(args) -> int:
    from rag.doctor import PROBLEM, check, report_text

    library = _library(args, corpus_dir=args.corpus)
    settings = library.registry.settings_for(library.get(_kbs(args)[0]))
    findings = check(settings)
    print(report_text(findings))
    return EXIT_ERROR if any(f.level == PROBLEM for f in findings) else 0


def cmd_kb(args) -> int:
    from rag.cli_kb import cmd_kb as run

    return run(args, _library(args))


def cmd_feedback(args) -> int:
    from rag.cli_history import cmd_feedback as run

    return run(args)


def cmd_mcp(args) -> int:
    from rag.cli_history import cmd_mcp as run

    return run(args, _pipeline(args))


COMMANDS = {"index": cmd_index, "embed": cmd_embed, "status": cmd_status, "ask": cmd_ask, "eval": cmd_eval,
            "docs": cmd_docs, "serve": cmd_serve, "doctor": cmd_doctor,
            "kb": cmd_kb, "feedback": cmd_feedback, "mcp": cmd_mcp}


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BadFilter as err:  # a filter option the user mistyped: a usage error
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; the previous index is unchanged.", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line for the user, the traceback with RAG_DEBUG=1
        if os.environ.get("RAG_DEBUG"):
            raise
        print(f"error: unexpected {type(err).__name__}: {err}. Rerun with RAG_DEBUG=1 and report it.",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
