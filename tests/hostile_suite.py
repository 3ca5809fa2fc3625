"""A hostile client's battery against `rag serve` (127.0.0.1 only), with counts for the README.

    python -m tests.hostile_suite            # prints one line per kind of attack: attempts, failures

Two servers, started as documented: one with auth off (the default) and one with RAG_AUTH and
RAG_TOKENS, both with short timeouts (2 s headers and bodies, 1 s keep-alive). A failure is
anything the server should not have done: a cross-site change accepted, a malformed Host or a
credential in a URL let through, a slow or idle connection kept open, a session with another
credential's role, a guess not locked out, a server path taken by a page event, a raw control
character or a secret in the log, a 500.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DOC = "青石村发展乡村旅游\n2024年，青石村接待游客约12万人次，旅游收入达86万元。\n"
USERS = "alice:secret-a:admin,bob:secret-b:read"
ADMIN_TOKEN, READ_TOKEN = "tok-suite-admin-1", "tok-suite-read-22"
TIMEOUTS = {"RAG_HEADER_TIMEOUT_S": "2", "RAG_KEEP_ALIVE_S": "1", "RAG_BODY_TIMEOUT_S": "2"}


@contextmanager
def rag_serve(root: Path, doc: str = DOC, **env_extra):
    """`rag serve` on a free port with the fake embedder over one article (`doc`), auth off unless
    `env_extra` sets it, short timeouts; yields (base URL, log path)."""
    (root / "corpus").mkdir(parents=True)
    (root / "corpus" / "qingshi.txt").write_text(doc, encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_MODEL="fake-hashing", HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO), **TIMEOUTS, **env_extra)
    log = root / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--index",
                                 str(root / "index"), "--corpus", str(root / "corpus")],
                                cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    (root / "serve.pid").write_text(str(proc.pid))  # `kill -USR1` it to log every thread's stack
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text())
            try:
                if httpx.get(base + "/api/health", timeout=5).json().get("status") == "ready":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Tally:
    def __init__(self):
        self.rows: dict[str, list[int]] = {}
        self.notes: list[str] = []

    def check(self, kind: str, ok: bool, what: str = "") -> None:
        row = self.rows.setdefault(kind, [0, 0])
        row[0] += 1
        if not ok:
            row[1] += 1
            self.notes.append(f"{kind}: {what}")

    def failures(self) -> int:
        return sum(f for _, f in self.rows.values())

    def table(self) -> str:
        lines = [f"{kind:<44} {n:>5} attempts  {f:>3} failures" for kind, (n, f) in self.rows.items()]
        return "\n".join(lines + self.notes[:20])


def _raw(port: int, data: bytes, timeout: float = 15) -> tuple[bytes, float]:
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(data)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
    except (socket.timeout, ConnectionResetError):
        return b"<still open>", time.monotonic() - start
    return out, time.monotonic() - start


def _drip(port: int, data: bytes, every_s: float = 0.25, limit_s: float = 30) -> float | None:
    """Seconds until the server cut a connection sending `data` a byte at a time; None if never."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s) as s:
        try:
            for b in data:
                s.sendall(bytes([b]))
                time.sleep(every_s)
                s.setblocking(False)
                try:
                    s.recv(65536)
                    return time.monotonic() - start
                except BlockingIOError:
                    pass
                finally:
                    s.setblocking(True)
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start
    return None


def cross_site(base: str, t: Tally) -> None:
    port = int(base.rsplit(":", 1)[1])
    before = len(httpx.get(base + "/api/documents").json()["documents"])
    variants = [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://127.0.0.1:{port + 1}"},
                {"Origin": f"http://127.0.0.1.evil.example:{port}"}, {"Origin": f"https://127.0.0.1:{port}.evil.example"},
                {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                {"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}]
    upload = {"files": ("planted.txt", "西湖村2024年种植茶叶999亩。".encode(), "text/plain")}
    calls = [("POST", "/api/documents", {"files": upload}), ("POST", "/api/documents/", {"files": upload}),
             ("DELETE", "/api/documents/qingshi.txt", {}), ("POST", "/gradio_api/upload", {"files": upload}),
             ("POST", "/gradio_api/queue/join", {"json": {"data": [], "fn_index": 0, "session_hash": "x"}}),
             ("POST", "/api/ask", {"json": {"question": "青石村接待了多少游客？"}}),
             ("POST", "/api/documents", {"content": b"files=x", "headers": {"Content-Type": "text/plain"}}),
             ("PUT", "/api/documents/qingshi.txt", {}), ("PATCH", "/api/documents/qingshi.txt", {})]
    for headers in variants:
        for method, path, kw in calls:
            kw = dict(kw)
            extra = {**kw.pop("headers", {}), **headers}
            r = httpx.request(method, base + path, headers=extra, timeout=30, **kw)
            t.check("cross-site change (auth off)", r.status_code == 403, f"{method} {path} {headers} -> {r.status_code}")
    t.check("cross-site change (auth off)", len(httpx.get(base + "/api/documents").json()["documents"]) == before, "count changed")


def in_urls_hosts_and_log(base: str, log: Path, t: Tally) -> None:
    port = int(base.rsplit(":", 1)[1])
    secret = f"sk-suite-{uuid.uuid4().hex}"
    for name in ("token", "TOKEN", "api_key", "access_token", "apikey", "api-key", "password", "auth"):
        for path in ("/api/documents", "/v1/models", "/", "/gradio_api/info", "/api/health"):
            r = httpx.get(f"{base}{path}?x=1&{name}={secret}", timeout=30)
            t.check("credential in a URL", r.status_code == 400, f"{path}?{name}= -> {r.status_code}")
    for host in ("localhost:80@evil.com", "localhost@evil.com", "evil.com#@localhost", "localhost/x", "localhost:8x",
                 "127.0.0.1:80 evil", "localhost:-1", "localhost:999999", "[::1", "evil.example", "localhost:80:80",
                 "localhost\\evil", "localhost%00"):
        out, _ = _raw(port, f"GET /api/documents HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        t.check("malformed or foreign Host", out.startswith(b"HTTP/1.1 400"), f"{host!r} -> {out[:40]!r}")
    for path in ("/api/x%0aFAKE%20LINE", "/api/x%0d%0aFAKE", "/api/%1b[2J%1b[31mred", "/api/%e2%80%aeevil",
                 "/x%0a%0dFAKE", "/api/documents/%0a%1b[31m.txt", "/api/documents/a%00b"):
        r = httpx.get(base + path, timeout=30)
        t.check("control characters in a path", r.status_code < 500, f"{path} -> {r.status_code}")
    time.sleep(0.5)
    text = log.read_text("utf-8", "replace")
    t.check("control characters in a path", not any(c in text for c in "\x1b\x00\u202e\r"), "raw control in log")
    t.check("control characters in a path", not any(line.startswith(("FAKE", "red")) for line in text.splitlines()),
            "forged log line")
    t.check("credential in a URL", secret not in text, "secret in the log")


JSON = "application/json"
FORM = "multipart/form-data; boundary=xyz"
STALLED = [("/api/ask", JSON), ("/v1/chat/completions", JSON), ("/api/documents", FORM),
           ("/gradio_api/upload", FORM), ("/gradio_api/queue/join", JSON), ("/login", "application/x-www-form-urlencoded")]


def _stalled(path: str, content_type: str) -> bytes:
    """A request whose body stops after a few bytes (500 announced)."""
    start = "--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nab" \
        if content_type == FORM else "{\"q"
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: 500\r\n\r\n{start}").encode()


def timeouts(base: str, t: Tally) -> None:
    port = int(base.rsplit(":", 1)[1])
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60 + b"\r\n\r\n"
    with ThreadPoolExecutor(20) as pool:
        cut = list(pool.map(lambda _: _drip(port, head), range(20)))
        idle = list(pool.map(lambda _: _raw(port, b""), range(20)))
        kept = list(pool.map(lambda _: _raw(port, b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), range(20)))
        stalled = list(pool.map(lambda pc: _raw(port, _stalled(*pc)), STALLED * 2))
    for took in cut:
        t.check("slow headers (1 byte / 0.25 s)", took is not None and took <= 8, f"cut after {took}")
    for out, took in idle:
        t.check("idle new connection", out == b"" and took <= 8, f"{out[:20]!r} after {took:.1f} s")
    for out, took in kept:
        t.check("idle kept-alive connection", b"ready" in out and took <= 8, f"{out[:20]!r} after {took:.1f} s")
    for out, took in stalled:
        t.check("stalled body", out.startswith(b"HTTP/1.1 408") and took <= 10, f"{out[:30]!r} after {took:.1f} s")
    t.check("server still answers", httpx.get(base + "/api/health", timeout=10).status_code == 200)


def sessions_and_guessing(base: str, t: Tally) -> None:
    sessions = []
    for password in (ADMIN_TOKEN, READ_TOKEN) * 3:
        c = httpx.Client(base_url=base, timeout=60)
        t.check("same name, different tokens", c.post("/login", data={"username": "ops", "password": password})
                .status_code == 200, "login refused")
        sessions.append((password, c))
    config = sessions[0][1].get("/config").json()
    deletes = [d for d in config["dependencies"] if d.get("backend_fn") and len(d["inputs"]) <= 2
               and d.get("api_name") == "delete"]  # the article's delete: (article, knowledge base)
    t.check("same name, different tokens", len(deletes) == 1, "no delete event found")
    for password, c in sessions:
        for dep in deletes:
            msg = _event(c, dep["id"], [None] * len(dep["inputs"]))
            admin_ok = msg is not None and "admin" not in json.dumps(msg.get("output", {}), ensure_ascii=False)
            t.check("same name, different tokens", admin_ok == (password == ADMIN_TOKEN), f"{password[:9]} {msg}")
        c.close()
    with httpx.Client(base_url=base, timeout=30) as c:
        t.check("user name with a token", c.post("/login", data={"username": "alice", "password": ADMIN_TOKEN})
                .status_code == 400)
        for n in range(5):
            c.get("/api/documents", auth=("alice", f"guess-{n}"))
        for attempt in (lambda: c.get("/api/documents", auth=("alice", "secret-a")),
                        lambda: c.post("/login", data={"username": "alice", "password": "secret-a"}),
                        lambda: c.get("/api/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})):
            t.check("guessing locked out", attempt().status_code == 429)


def _event(c: httpx.Client, fn_index: int, data: list) -> dict | None:
    session = uuid.uuid4().hex
    r = c.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": session})
    if r.status_code != 200:
        return {"output": {"error": r.text}}
    with c.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as s:
        for line in s.iter_lines():
            if line.startswith("data:") and (msg := json.loads(line[5:])).get("msg") == "process_completed":
                return msg
    return None


def page_files(base: str, t: Tally) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        c.post("/login", data={"username": "bob", "password": "secret-b"})
        config = c.get("/config").json()
        kinds = {comp["id"]: comp.get("type") for comp in config["components"]}
        takers = [d for d in config["dependencies"] if d.get("backend_fn")
                  and any(kinds.get(i) == "file" for i in d["inputs"])]
        for dep in takers:
            for target in ("/etc/passwd", "/etc/hostname", "/proc/self/environ", "../../etc/passwd",
                           "/tmp/none-such.jsonl", "http://127.0.0.1:9/x.jsonl", "file:///etc/passwd"):
                file = {"path": target, "orig_name": "x.jsonl", "meta": {"_type": "gradio.FileData"}}
                data = [file if kinds.get(i) == "file" else None for i in dep["inputs"]]
                r = c.post("/gradio_api/queue/join", json={"data": data, "fn_index": dep["id"], "session_hash": "s"})
                t.check("server path in a page event", r.status_code == 403 and "root:" not in r.text,
                        f"{target} -> {r.status_code}")


def run(root: Path) -> Tally:
    t = Tally()
    with rag_serve(root / "open") as (base, log):
        cross_site(base, t)
        in_urls_hosts_and_log(base, log, t)
        timeouts(base, t)
        text = log.read_text("utf-8", "replace")
        t.check("no 500 or traceback in the log", " 500 " not in text and "Traceback" not in text, text[-3000:])
    with rag_serve(root / "auth", RAG_AUTH=USERS, RAG_TOKENS=f"{ADMIN_TOKEN}:admin,{READ_TOKEN}:read") as (base, log):
        page_files(base, t)
        sessions_and_guessing(base, t)
        text = log.read_text("utf-8", "replace")
        t.check("no 500 or traceback in the log", " 500 " not in text and "Traceback" not in text, text[-3000:])
    return t


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="rag-hostile-") as tmp:
        tally = run(Path(tmp))
    print(tally.table())
    print(f"total: {sum(n for n, _ in tally.rows.values())} attempts, {tally.failures()} failures")
    sys.exit(1 if tally.failures() else 0)
