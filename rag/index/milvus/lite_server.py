"""Serve a Milvus Lite file over TCP, so several processes share it (a Lite file opens in one process).

    python -m rag.index.milvus.lite_server data/rag.db 19530 [--host 127.0.0.1]

then every process uses RAG_STORE=milvus:http://127.0.0.1:19530. Runs until interrupted. This is
milvus-lite's own server mode (milvus_lite.server.Server with an address); for production run a
Milvus standalone or cluster instead (README: Scaling out on Milvus).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings


def start(db_file: str, port: int, host: str = "127.0.0.1"):
    """A started milvus_lite Server for `db_file` on host:port (call .stop() to end it); RagError if not."""
    from rag.errors import RagError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from milvus_lite.server import Server
    except ImportError:
        from rag.index.milvus.store import INSTALL

        raise RagError(f"Serving Milvus Lite needs milvus-lite; {INSTALL}.") from None
    import os

    os.environ.setdefault("RUST_LOG", "error")
    try:
        server = Server(db_file, f"{host}:{port}")
    except RuntimeError as err:
        raise RagError(f"Cannot serve {db_file}: {err}") from None
    if not server.init() or not server.start():
        raise RagError(f"Milvus Lite did not start on {host}:{port} for {db_file}: is the port taken, "
                       "or the file open in another process?")
    return server


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m rag.index.milvus.lite_server", description=__doc__.splitlines()[0])
    p.add_argument("db_file", help="the Milvus Lite file (created when missing); its name: letters, digits . - _")
    p.add_argument("port", type=int)
    p.add_argument("--host", default="127.0.0.1")
    args = p.parse_args(argv)
    from rag.errors import RagError

    try:
        server = start(args.db_file, args.port, args.host)
    except RagError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Milvus Lite serving {args.db_file} at http://{args.host}:{args.port}; "
          f"RAG_STORE=milvus:http://{args.host}:{args.port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(1.0):
            if server._p is not None and server._p.poll() is not None:
                print("error: the Milvus Lite server stopped", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
