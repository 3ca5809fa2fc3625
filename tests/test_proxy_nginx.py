"""`rag serve` behind a real nginx (Debian's, scripts/install_system.sh) that terminates TLS with a
certificate made here, configured by deploy/nginx.conf with only its ports, certificate and
upstream swapped in.

Addresses: nginx reaches the app from 127.0.0.1 (RAG_TRUSTED_PROXIES=127.0.0.1); test clients
connect from other loopback addresses (127.0.0.3, .4, ...), so the app can tell them apart from
the proxy, and one connects to the app directly, claiming addresses in X-Forwarded-For.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.hostile_suite import rag_serve

REPO = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
DOC = ("雁鸣镇新建小型水库\n2024年，雁鸣镇建成了7座小型水库，总库容达到430万立方米。\n"
       "镇水利站站长说，水库建成后，下游的两千亩稻田不再担心干旱。\n")
QUESTION = "雁鸣镇2024年建成了多少座小型水库？"
RATE = 3  # RAG_RATE_LIMIT for the app under test

pytestmark = pytest.mark.skipif(not Path(NGINX).exists() or not Path(OPENSSL).exists(),
                                reason="nginx or openssl missing: run scripts/install_system.sh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def site_config(upstream_port: int, https_port: int, http_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx.conf with this test's ports and certificate; every swap must find its line."""
    text = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    swaps = [("server 127.0.0.1:7860;", f"server 127.0.0.1:{upstream_port};"),
             ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"), ("listen [::]:443 ssl;", ""),
             ("listen 80;", f"listen 127.0.0.1:{http_port};"), ("listen [::]:80;", ""),
             ("/etc/ssl/rag/fullchain.pem", str(cert)), ("/etc/ssl/rag/privkey.pem", str(key)),
             ("shared:rag_tls:10m", "shared:rag_tls:1m")]
    for old, new in swaps:
        assert text.count(old) == 1, f"deploy/nginx.conf changed: {old!r} not found once"
        text = text.replace(old, new)
    return text


@contextmanager
def nginx(folder: Path, upstream_port: int):
    """A foreground nginx (its own prefix, logs and temp folders under `folder`) in front of
    127.0.0.1:upstream_port; yields its HTTPS base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(folder)
    https_port, http_port = free_port(), free_port()
    (folder / "site.conf").write_text(site_config(upstream_port, https_port, http_port, cert, key), encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temps = " ".join(f"{kind}_temp_path {folder / kind};" for kind in kinds)
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers would be nobody, shut out of tmp_path
        + f"daemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} info;\nevents {{}}\n"
        f"http {{\n  access_log {folder / 'access.log'};\n  {temps}\n  include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8")
    conf = [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")]
    subprocess.run([*conf, "-t"], check=True, capture_output=True)
    proc = subprocess.Popen(conf, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, (folder / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.1)
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"
    finally:
        proc.terminate()
        proc.wait(10)


def client(source: str, **kwargs) -> httpx.Client:
    """An HTTP client connecting from the loopback address `source` (certificate not checked)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source, verify=False), verify=False,
                        timeout=120, **kwargs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(https base, http base, app base, app log) of rag serve behind nginx."""
    root = tmp_path_factory.mktemp("proxy")
    with rag_serve(root / "app", DOC, RAG_TRUSTED_PROXIES="127.0.0.1", RAG_RATE_LIMIT=str(RATE)) as (app, log):
        with nginx(root / "nginx", int(app.rsplit(":", 1)[1])) as (https, http):
            yield https, http, app, log


def ask(c: httpx.Client, base: str, **headers) -> httpx.Response:
    return c.post(base + "/api/ask", json={"question": QUESTION}, headers=headers)


def test_https_answers_and_plain_http_redirects(stack):
    https, http, _, _ = stack
    with client("127.0.0.2") as c:
        r = ask(c, https)
        assert r.status_code == 200, r.text
        assert "7座" in r.json()["answer"]
        assert r.headers["strict-transport-security"].startswith("max-age=")
        r = c.get(http + "/api/health")
        assert r.status_code == 301 and r.headers["location"].startswith("https://")


def test_v1_stream_arrives_as_events(stack):
    https = stack[0]
    body = {"model": "rag", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client("127.0.0.3") as c, c.stream("POST", https + "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert "content-length" not in r.headers  # streamed, not assembled by the proxy
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]" and len(events) >= 4
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(ch["choices"][0]["delta"].get("content", "") for ch in chunks)
    assert "7座" in text
    assert chunks[-1]["citations"] and chunks[-1]["choices"][0]["finish_reason"] == "stop"


class _SlowEvents(BaseHTTPRequestHandler):
    """Three server-sent events, 0.6 s apart, as an upstream that streams slowly."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for n in range(3):
            data = f"data: {n}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            time.sleep(0.6)
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


def test_streams_are_not_buffered(tmp_path):
    """The configuration's streaming (the same location block, upstream swapped for one that
    writes an event every 0.6 s): each event arrives when it is written, not at the end."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _SlowEvents)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with nginx(tmp_path / "nginx", upstream.server_address[1]) as (https, _), client("127.0.0.2") as c:
            arrivals = []
            with c.stream("GET", https + "/events") as r:
                start = time.monotonic()
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        arrivals.append(time.monotonic() - start)
        assert len(arrivals) == 3
        assert arrivals[0] < 0.4 and arrivals[2] - arrivals[0] > 0.9, arrivals
    finally:
        upstream.shutdown()


def test_fifteen_megabyte_upload_goes_through(stack):
    https = stack[0]
    record = {"id": "dam-notes", "title": "雁鸣镇水库档案", "date": "2024-06-01",
              "text": "雁鸣镇水库档案\n2024年，雁鸣镇水利站整理了全部水库的巡查记录，共计两百余份。",
              "notes": "巡" * (5 * 1024 * 1024)}  # 15 MB of UTF-8 in a field the reader ignores
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    assert 15 * 1024 * 1024 <= len(data) < 20 * 1024 * 1024
    with client("127.0.0.2") as c:
        r = c.post(https + "/api/documents", files={"files": ("dams.jsonl", data, "application/jsonl")})
        assert r.status_code == 201, r.text[:500]
        assert r.json()["added"] == ["dam-notes"] or "dam-notes" in json.dumps(r.json())
        r = c.post(https + "/api/documents", files={"files": ("big.txt", b"x" * (21 * 1024 * 1024), "text/plain")})
        assert r.status_code == 413  # refused by nginx (client_max_body_size) before the app


def test_rate_limit_sees_the_client_behind_the_proxy(stack):
    https, _, app, log = stack
    with client("127.0.0.4") as a, client("127.0.0.5") as b:
        codes = [ask(a, https, **{"X-Forwarded-For": f"10.1.1.{n}"}).status_code for n in range(RATE + 1)]
        assert codes == [200] * RATE + [429], codes  # a claimed address through the proxy changes nothing
        assert ask(b, https).status_code == 200  # another client behind the same proxy has its own count
    text = Path(log).read_text(encoding="utf-8")
    assert re.search(r"127\.0\.0\.4:\d+ - \"POST /api/ask", text), "the access log shows the proxy, not the client"
    assert "10.1.1." not in text


def test_spoofed_header_sent_directly_is_ignored(stack):
    app = stack[2]
    with client("127.0.0.6") as c:
        codes = [ask(c, app, **{"X-Forwarded-For": f"10.2.2.{n}"}).status_code for n in range(RATE + 1)]
    assert codes == [200] * RATE + [429], codes  # counted against 127.0.0.6, not the addresses it claimed


@pytest.mark.slow
@pytest.mark.browser
def test_chat_page_over_https(stack):
    from tests.test_app_browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/install_system.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(ignore_https_errors=True, locale="zh-CN")
            page = context.new_page()
            page.goto(stack[0] + "/")
            page.wait_for_selector("#question textarea")
            page.fill("#question textarea", QUESTION)
            page.keyboard.press("Enter")
            reply = page.locator("#chat .rag-answer, #chat .rag-error").first
            try:
                reply.wait_for(timeout=240_000)  # the first answer loads the models; CI machines are busy
            except Exception as e:  # say what the page and the app showed, so a slow run can be told from a hang
                log = Path(stack[3])
                os.kill(int((log.parent / "serve.pid").read_text()), signal.SIGUSR1)  # every thread's stack
                time.sleep(2)
                tail = log.read_text(encoding="utf-8", errors="replace")[-12000:]
                raise AssertionError(f"no answer on the page: {page.inner_text('body')[:1500]!r}\n"
                                     f"app log tail:\n{tail}") from e
            assert "7座" in reply.inner_text()
            assert page.url.startswith("https://")
        finally:
            browser.close()
