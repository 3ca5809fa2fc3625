"""The rag.* log, and how every shell reports what goes wrong in it. No Gradio here.

A user's error (a RagError: an empty question, an unreadable upload, a busy index) is one line in
the server log and a one-line message in the page. A bug (any other exception) is logged once
with its traceback, and the user still gets one line. Nothing reaches the browser as a traceback.
The page (rag.ui) and the HTTP API (rag.api.errors) report through the same functions.

    failure(where, err) -> str        log err (one line, or a bug's traceback); what to show
    user_error(where, message) -> str log a user's error that is not a RagError (a bad HTTP request)
    log_to_console()                  the rag.* log on stderr, for the servers (app.py, `rag serve`)
    use_log_format()                  RAG_LOG_FORMAT=json: the rag.* and uvicorn logs as one JSON
                                      object a line (time, level, logger, message, traceback)
    say(line)                         one line of the server's own (start-up, shutdown) on stderr
    redact_access_log()               uvicorn's access log: control characters escaped, credentials
                                      in query strings (?token=, ?api_key=, ...) redacted

Nothing a client sends reaches the log raw: control characters (a newline or an escape sequence
in a request path, a bidi override in a file name) are written as \\n, \\x1b, \\u202e.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys

from rag.errors import RagError

log = logging.getLogger("rag.app")

BUG_MESSAGE = "出了点问题，请重试；若仍失败，请查看服务器日志。Something went wrong; try again, or see the server log."


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SECRET_PARAMS = ("token", "access_token", "api_key", "apikey", "api-key", "password", "auth")  # never in a URL
SECRET_QUERY = re.compile(r"(?i)((?:^|[?&;])(?:%s)=)[^&;]*" % "|".join(map(re.escape, SECRET_PARAMS)))


def escape_controls(text: str) -> str:
    """`text` with every control character (newlines and tabs included) and bidi control written
    as an escape (\\n, \\x1b, \\u202e), and anything that is not text (a lone surrogate) escaped."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                         text)


def one_line(text: str) -> str:
    """`text` on one line (runs of white space made one space), other control characters escaped."""
    return escape_controls(" ".join(str(text).split()))


def user_error(where: str, message: str) -> str:
    """Log a user's error as one line; return it as one line. `where` (it may hold a request path)
    is logged with its control characters escaped."""
    message = one_line(message)
    log.warning("%s: %s", escape_controls(where), message)
    return message


def failure(where: str, err: BaseException) -> str:
    """Log `err` (one line for a RagError, the traceback for anything else); return what to show."""
    if isinstance(err, RagError):
        return user_error(where, str(err))
    log.error("%s: unexpected %s: %s", escape_controls(where), type(err).__name__, one_line(str(err)), exc_info=err)
    return BUG_MESSAGE


def log_to_console() -> None:
    """The app's own log (rag.*) on stderr, with the time. Calling it again adds nothing."""
    logger = logging.getLogger("rag")
    if any(getattr(h, "rag_console", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs() else logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                                                               "%H:%M:%S"))
    handler.rag_console = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def redact_query(path: str) -> str:
    """A request path with the values of credential-like query parameters replaced."""
    return SECRET_QUERY.sub(r"\1[redacted]", path)


class _AccessLogFilter(logging.Filter):
    """uvicorn's access log line: (client, method, path with query, HTTP version, status)."""

    rag_access = True

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, escape_controls(redact_query(str(path))), version, status)
        return True


def redact_access_log() -> None:
    """Filter uvicorn's access log (once): control characters escaped, credentials redacted."""
    access = logging.getLogger("uvicorn.access")
    if not any(getattr(f, "rag_access", False) for f in access.filters):
        access.addFilter(_AccessLogFilter())


def json_logs() -> bool:
    """RAG_LOG_FORMAT=json asks for one JSON object a line (for journald, Loki, Elasticsearch)."""
    return os.environ.get("RAG_LOG_FORMAT", "text").strip().lower() == "json"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (ISO 8601, UTC), level, logger, message, and for a bug
    its traceback (a field, so it stays on the line); uvicorn's access lines add client, method,
    path and status."""

    def format(self, record: logging.LogRecord) -> str:
        import time

        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
                 "level": record.levelname, "logger": record.name, "message": escape_controls(record.getMessage())}
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, _version, status = record.args
            entry.update(client=str(client), method=str(method), path=str(path), status=status)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_log_format() -> None:
    """With RAG_LOG_FORMAT=json, every handler of the rag and uvicorn logs writes JSON lines.
    Call after uvicorn has set up its loggers (uvicorn.Config())."""
    if not json_logs():
        return
    for name in ("rag", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(JsonFormatter())


def say(message: str) -> None:
    """One line of the server's own on stderr (plain, or JSON with RAG_LOG_FORMAT=json)."""
    if json_logs():
        record = logging.LogRecord("rag.serve", logging.INFO, __file__, 0, message, None, None)
        message = JsonFormatter().format(record)
    print(message, file=sys.stderr, flush=True)
