"""The rag.* log, and how every shell reports what goes wrong in it. No Gradio here.

A user's error (a RagError: an empty question, an unreadable upload, a busy index) is one line in
the server log and a one-line message in the page. A bug (any other exception) is logged once
with its traceback, and the user still gets one line. Nothing reaches the browser as a traceback.
The page (rag.ui) and the HTTP API (rag.api.errors) report through the same functions.

    failure(where, err) -> str        log err (one line, or a bug's traceback); what to show
    user_error(where, message) -> str log a user's error that is not a RagError (a bad HTTP request)
    log_to_console()                  the rag.* log on stderr, for the servers (app.py, `rag serve`)
"""
from __future__ import annotations

import logging
import sys

from rag.errors import RagError

log = logging.getLogger("rag.app")

BUG_MESSAGE = "出了点问题，请重试；若仍失败，请查看服务器日志。Something went wrong; try again, or see the server log."


def one_line(text: str) -> str:
    """`text` on one line, with anything that is not text (a lone surrogate) escaped."""
    return " ".join(str(text).encode("utf-8", "backslashreplace").decode("utf-8").split())


def user_error(where: str, message: str) -> str:
    """Log a user's error as one line; return it as one line."""
    message = one_line(message)
    log.warning("%s: %s", where, message)
    return message


def failure(where: str, err: BaseException) -> str:
    """Log `err` (one line for a RagError, the traceback for anything else); return what to show."""
    if isinstance(err, RagError):
        return user_error(where, str(err))
    log.error("%s: unexpected %s: %s", where, type(err).__name__, one_line(str(err)), exc_info=err)
    return BUG_MESSAGE


def log_to_console() -> None:
    """The app's own log (rag.*) on stderr, with the time. Calling it again adds nothing."""
    logger = logging.getLogger("rag")
    if any(getattr(h, "rag_console", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    handler.rag_console = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
