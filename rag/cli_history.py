"""The command line's `rag feedback export` and `rag mcp` (rag/cli.py adds them to its parser)."""
from __future__ import annotations

import argparse
import sys


def add_commands(sub) -> list[argparse.ArgumentParser]:
    """Add `feedback` and `mcp` to the subparsers `sub`; returns the parsers that take --store."""
    f = sub.add_parser("feedback", help="the ratings given to answers (the chat's 👍/👎, POST /api/feedback)")
    fsub = f.add_subparsers(dest="feedback_command", required=True)
    x = fsub.add_parser("export", help="write 👎 answers as a QA file that `rag eval` reads (stdout)",
                        description="One JSONL line per rated answer: the question, the expected answer as gold "
                                    "when the user gave one, else marked \"review\": true for an evaluator to fill in.")
    x.add_argument("--kb", help="only this knowledge base's answers (default: all)")
    x.add_argument("--since", help="only feedback given on or after this date (yyyy-mm-dd)")
    x.add_argument("--rating", choices=["down", "up", "all"], default="down", help="which ratings (default: down)")
    x.add_argument("--index", help="index directory: the conversation database is beside it (or RAG_HOME, RAG_DB_URL)")

    m = sub.add_parser("mcp", help="serve the Model Context Protocol on stdin/stdout (tools: search, ask)",
                       description="For agents: an MCP server over stdio with the tools `search` and `ask`. "
                                   "`rag serve` serves the same tools over streamable HTTP at /mcp.")
    m.add_argument("--index")
    return [m]


def cmd_feedback(args) -> int:
    from rag.config import Settings
    from rag.history import open_history
    from rag.history.export import export_feedback, parse_since

    parse_since(args.since)  # a bad date: the error before anything is opened
    store = open_history(Settings.from_env(index_dir=args.index))
    rating = None if args.rating == "all" else args.rating
    count = export_feedback(store, sys.stdout, kb=args.kb, since=args.since, rating=rating)
    print(f"{count} cases", file=sys.stderr)
    return 0


def cmd_mcp(args, pipeline) -> int:
    import logging

    from rag.mcp_server import run_stdio

    logging.getLogger("mcp").setLevel(logging.WARNING)  # stdout carries the protocol; logs go to stderr
    run_stdio(pipeline)
    return 0


def record_cli_answer(settings, answer, kb: str = "default"):
    """`rag ask --json`: the answer recorded (rag.history, owner anonymous) with its answer_id; unchanged
    with a warning on stderr when the database cannot be written."""
    from rag.history import ANONYMOUS, open_history

    try:
        return open_history(settings).record(answer, ANONYMOUS, kb=kb)[0]
    except Exception as err:
        print(f"warning: the answer was not recorded ({type(err).__name__}); it has no answer_id.", file=sys.stderr)
        return answer

