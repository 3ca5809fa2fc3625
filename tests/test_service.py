"""`rag serve` as a service: the systemd unit checked by systemd itself, a real SIGTERM during an
answer and during an upload (the index stays valid, nothing is left behind), the forwarded
headers' default, and JSON log lines."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.llm_servers import Script, ScriptedLLM

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "deploy" / "rag.service"
DOC = "松岭村修建蓄水池\n2024年，松岭村修建了4座蓄水池，可灌溉果园约300亩。\n"
UPLOAD = "松岭村开通公交\n2024年9月，松岭村开通了到县城的公交线路，每天往返6班。\n"
QUESTION = "松岭村2024年修建了几座蓄水池？"


def test_unit_has_the_sandbox_and_passes_systemd_analyze(tmp_path):
    text = UNIT.read_text(encoding="utf-8")
    settings = dict(re.findall(r"^(\w+)=(.*)$", text, re.M))
    assert settings["User"] == "rag" and settings["Restart"] == "on-failure"
    assert settings["ProtectSystem"] == "strict" and settings["NoNewPrivileges"] == "yes"
    assert settings["PrivateTmp"] == "yes" and settings["ReadWritePaths"] == "/var/lib/rag"
    assert "--host 127.0.0.1" in settings["ExecStart"]  # only the proxy reaches it
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (Debian: apt-get install systemd)")
    # /opt/rag is where install.sh would put the program; here any executable stands for it
    unit = tmp_path / "rag.service"
    unit.write_text(text.replace("/opt/rag/bin/rag", str(Path(sys.executable))), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "rag.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr
    done = subprocess.run([analyze, "security", "--offline=true", str(unit)], capture_output=True, text=True,
                          timeout=60)
    level = re.search(r"Overall exposure level for rag\.service: ([0-9.]+)", done.stdout + done.stderr)
    assert level and float(level.group(1)) <= 4.0, done.stdout[-2000:] + done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: Path, **env_extra) -> tuple[subprocess.Popen, str, Path]:
    """`rag serve` over one article with the fake embedder, as a service would run it."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "songling.txt").write_text(DOC, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_MODEL="fake-hashing", HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO), TMPDIR=str(root / "tmp"),
               GRADIO_TEMP_DIR=str(root / "gradio"), **env_extra)
    (root / "tmp").mkdir(exist_ok=True)
    log = root / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--index",
                                 str(root / "index"), "--corpus", str(corpus)],
                                cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        try:
            if httpx.get(base + "/api/health", timeout=5).json().get("status") == "ready":
                return proc, base, log
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)


def stopped(proc: subprocess.Popen, log: Path) -> str:
    """SIGTERM, then wait for the process to end by itself; its log."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(45)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("rag serve did not stop within 45 s of SIGTERM:\n" + log.read_text())
    assert proc.returncode in (0, -signal.SIGTERM), log.read_text()
    return log.read_text()


def assert_clean(root: Path) -> None:
    """A valid index (`rag doctor` says all good) and nothing left behind: no upload copies, no
    temporary folders, only the index, the corpus and the lock files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_MODEL="fake-hashing", HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    doctor = subprocess.run([sys.executable, "-m", "rag.cli", "doctor", "--index", str(root / "index"),
                             "--corpus", str(root / "corpus")], capture_output=True, text=True, env=env, timeout=120)
    assert doctor.returncode == 0 and "All good." in doctor.stdout, doctor.stdout + doctor.stderr
    assert not [p.name for p in (root / "corpus").iterdir() if p.name.startswith(".")]
    left = [p.name for p in (root / "tmp").iterdir() if p.name != "jieba.cache"]  # jieba's dictionary cache
    assert not left, left
    # history.db: the conversations, kept; its -wal / -shm must be folded back in on a clean stop
    beside = {p.name for p in root.iterdir()} - {"corpus", "index", "tmp", "gradio", "serve.log", "history.db"}
    assert all(name.endswith(".lock") for name in beside), beside


def test_sigterm_during_an_answer_finishes_it(tmp_path):
    llm = ScriptedLLM(Script(reply="松岭村2024年修建了4座蓄水池[1]。", first_delay_s=3))
    try:
        proc, base, log = start(tmp_path, RAG_LLM_BASE_URL=llm.base_url, RAG_LLM_MODEL="scripted-model",
                                RAG_ANSWER="generative")
        result = {}
        asking = threading.Thread(target=lambda: result.update(
            r=httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=60)))
        asking.start()
        while not llm.requests:  # the answer is under way: the language model has been asked
            time.sleep(0.05)
        text = stopped(proc, log)
        asking.join(30)
        assert result["r"].status_code == 200 and "4座" in result["r"].json()["answer"]
        assert "Stopped." in text and "Traceback" not in text
        assert_clean(tmp_path)
    finally:
        llm.close()


def slow_upload(base: str, result: dict, seconds: float = 3.0) -> None:
    """POST /api/documents whose body arrives in pieces over `seconds`."""
    boundary = "rag-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"bus.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{UPLOAD}" + " " * 30000 + f"\r\n--{boundary}--\r\n").encode()

    def pieces():
        step = len(body) // 10 + 1
        for n in range(0, len(body), step):
            yield body[n:n + step]
            time.sleep(seconds / 10)

    try:
        result["r"] = httpx.post(base + "/api/documents", content=pieces(), timeout=60,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    except httpx.HTTPError as err:
        result["error"] = err


def test_sigterm_during_an_upload_commits_it_whole_or_not_at_all(tmp_path):
    proc, base, log = start(tmp_path)
    result = {}
    uploading = threading.Thread(target=slow_upload, args=(base, result))
    uploading.start()
    time.sleep(1.0)  # part of the body has arrived
    text = stopped(proc, log)
    uploading.join(30)
    assert "Traceback" not in text
    names = {p.name for p in (tmp_path / "corpus").iterdir()}
    if "r" in result and result["r"].status_code == 201:  # finished before the stop (the usual case)
        assert "bus.txt" in names
    else:
        assert "bus.txt" not in names, result
    assert_clean(tmp_path)
    proc, base, log = start(tmp_path)  # and the next start serves what was committed
    try:
        docs = httpx.get(base + "/api/documents", timeout=30).json()
        assert ("bus.txt" in names) == ("bus.txt" in json.dumps(docs, ensure_ascii=False))
    finally:
        stopped(proc, log)


def test_forwarded_headers_need_a_trusted_proxy():
    import uvicorn

    from rag.api.server import trust_proxies
    from rag.config import Settings

    config = uvicorn.Config(app=None)
    trust_proxies(config, Settings.from_env({}))
    assert config.proxy_headers is False  # uvicorn's default would believe 127.0.0.1
    trust_proxies(config, Settings.from_env({"RAG_TRUSTED_PROXIES": "10.0.0.2, 10.0.1.0/24"}))
    assert config.proxy_headers is True and config.forwarded_allow_ips == "10.0.0.2, 10.0.1.0/24"


def test_json_log_lines(tmp_path):
    proc, base, log = start(tmp_path, RAG_LOG_FORMAT="json")
    httpx.get(base + "/api/documents/no-such-doc", timeout=30)
    text = stopped(proc, log)
    lines = [line for line in text.splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    access = [e for e in entries if e["logger"] == "uvicorn.access" and e.get("path") == "/api/documents/no-such-doc"]
    assert access and access[0]["status"] == 404
    assert any(e["message"] == "Stopped." for e in entries)


def test_usr1_logs_every_threads_stack_and_the_server_goes_on(tmp_path):
    proc, base, log = start(tmp_path)
    proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 30

    def dumped(text):  # faulthandler writes the stack line by line: wait for its bottom frame
        return "Current thread" in text and "rag/cli.py" in text.split("Current thread", 1)[1]

    while not dumped(log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert dumped(log.read_text(errors="replace"))  # the main thread, serving
    r = httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200 and "4座" in r.json()["answer"]
    assert "Stopped." in stopped(proc, log)
