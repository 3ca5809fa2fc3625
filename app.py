"""Start the web app: `python app.py` serves the chat on http://127.0.0.1:7860.

    python app.py [--model NAME] [rag serve's options: --host, --port, --index, --corpus, --store, ...]

It is `rag serve` (rag/cli.py, rag/api/server.py), nothing more: the chat at /, the HTTP API at
/api and /v1 (docs at /docs). Settings come from defaults < RAG_* environment variables < these
flags. A missing index is built from the corpus folder in the background, with progress (rate and
time left) printed; the page opens at once and answers when it is ready. Works with no network.
"""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    from rag.cli import main as rag

    front = argparse.ArgumentParser(add_help=False)
    front.add_argument("--model")
    known, rest = front.parse_known_args(sys.argv[1:] if argv is None else argv)
    return rag([*(["--model", known.model] if known.model else []), "serve", *rest])


if __name__ == "__main__":
    sys.exit(main())
