"""The rag.* log on the console, for the servers (app.py, `rag serve`). No Gradio here.

What goes into it is decided by rag.ui.failures: one line per user error, a traceback only for a bug.
"""
from __future__ import annotations

import logging
import sys


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
