"""Crash-safe uploads: `rag serve` killed with SIGKILL in the middle of an upload, then started again.
The upload is either wholly indexed (every record, its file in the corpus folder) or absent (no
document, no file); nothing is left in the corpus folder or the temporary folder; passages left
without vectors are embedded at the start, and `rag doctor` says so until they are."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from rag.cli import main
from rag.config import Settings
from rag.documents import add_uploads
from rag.staging import STAGED, finish_uploads, stage_upload

REPO = Path(__file__).resolve().parents[1]
RECORDS = 2500
LAKE = "南湖镇建成污水处理厂\n2024年，南湖镇建成污水处理厂，日处理能力2万吨。\n"


def big_upload(path: Path) -> list[str]:
    """A JSONL file of made-up articles (~2.5 MB): long enough to read, index and embed that a kill
    lands in the middle; returns its ids."""
    ids, lines = [], []
    for i in range(RECORDS):
        ids.append(f"crash-{i:05d}")
        text = "".join(f"枫林镇第{i}期第{k}号工程投资{i * 7 + k}万元，修建道路{(i + k) % 90}公里，惠及{k + 3}个村。"
                       for k in range(12))
        lines.append(json.dumps({"id": ids[-1], "title": f"枫林镇工程{i}", "text": text}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


class Server:
    def __init__(self, root: Path):
        self.root = root
        self.corpus, self.index, self.tmp = root / "corpus", root / "index", root / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.proc = None
        self.log = root / "serve.log"

    def env(self) -> dict:
        return {**os.environ, "RAG_MODEL": "fake-hashing", "RAG_CORPUS_DIR": str(self.corpus),
                "RAG_INDEX_DIR": str(self.index), "TMPDIR": str(self.tmp), "GRADIO_TEMP_DIR": str(self.tmp / "g"),
                "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}

    def start(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        out = self.log.open("a")
        self.proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(self.port)],
                                     env=self.env(), cwd=self.root, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + 180
        while True:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/api/health", timeout=5).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.3)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


@pytest.fixture
def server(tmp_path):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    s = Server(tmp_path)
    s.corpus.mkdir()
    (s.corpus / "lake.txt").write_text(LAKE, encoding="utf-8")
    Pipeline(Settings(corpus_dir=s.corpus, index_dir=s.index, model="fake-hashing"), HashingEmbedder()).build()
    yield s
    s.stop()


def doctor(settings_root: Server, capsys) -> str:
    main(["--model", "fake-hashing", "doctor", "--index", str(settings_root.index), "--corpus",
          str(settings_root.corpus)])
    return capsys.readouterr().out


def upload_then_kill(s: Server, upload: Path, when) -> None:
    """POST the upload in a thread and kill the server with SIGKILL as soon as `when()` holds."""
    def post():
        try:
            with upload.open("rb") as fh:
                httpx.post(s.url + "/api/documents", files={"files": ("mill.jsonl", fh)}, timeout=120)
        except httpx.TransportError:
            pass  # the server died under it

    thread = threading.Thread(target=post)
    thread.start()
    deadline = time.monotonic() + 120
    while not when():
        assert thread.is_alive() and time.monotonic() < deadline, "the upload finished before the kill"
        time.sleep(0.01)
    s.kill()
    thread.join(30)


def pipeline(s: Server):
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    return Pipeline(Settings(corpus_dir=s.corpus, index_dir=s.index, model="fake-hashing"), HashingEmbedder())


def status(s: Server) -> dict:
    return pipeline(s).status()


def documents(s: Server) -> dict[str, str]:
    """id -> file of what the index holds, and the same ids as the server lists them."""
    got = {d.id: d.file for d in pipeline(s).documents()}
    listed = httpx.get(s.url + "/api/documents", timeout=30).json()["documents"]
    assert sorted(d["id"] for d in listed) == sorted(got)
    return got


def wait_recovered(s: Server) -> None:
    """The server puts things right in the background after it is ready."""
    deadline = time.monotonic() + 120
    while list(s.corpus.glob(STAGED + "*")) or (lambda st: st["embedded"] < st["passages"])(status(s)):
        assert time.monotonic() < deadline, s.log.read_text()
        time.sleep(0.3)


def assert_whole_or_absent(s: Server, ids: list[str]) -> bool:
    got = documents(s)
    mine = {i: f for i, f in got.items() if i.startswith("crash-")}
    if mine:
        assert sorted(mine) == ids and set(mine.values()) == {"mill.jsonl"}
        assert (s.corpus / "mill.jsonl").is_file()
    else:
        assert not (s.corpus / "mill.jsonl").exists()
    assert "lake.txt" in got
    assert sorted(p.name for p in s.corpus.iterdir()) == (["lake.txt", "mill.jsonl"] if mine else ["lake.txt"])
    assert not list(s.tmp.glob("rag-upload-*"))
    return bool(mine)


def test_killed_before_the_commit_the_upload_is_absent(server, tmp_path, capsys):
    ids = big_upload(tmp_path / "mill.jsonl")
    server.start()
    upload_then_kill(server, tmp_path / "mill.jsonl", lambda: list(server.corpus.glob(STAGED + "*")))
    assert [p.name for p in server.corpus.glob(STAGED + "*")] == [STAGED + "mill.jsonl"]  # cut short
    out = doctor(server, capsys)
    assert "1 upload(s) not committed (mill.jsonl)" in out and "All good." not in out
    server.start()
    wait_recovered(server)
    assert not assert_whole_or_absent(server, ids)
    assert doctor(server, capsys).rstrip().endswith("All good.")


def test_killed_after_the_commit_the_upload_is_whole_and_embedded_at_the_start(server, tmp_path, capsys):
    ids = big_upload(tmp_path / "mill.jsonl")
    server.start()
    upload_then_kill(server, tmp_path / "mill.jsonl", lambda: (server.corpus / "mill.jsonl").exists())
    st = status(server)
    assert st["documents"] == RECORDS + 1  # committed whole
    assert st["embedded"] < st["passages"]  # the kill landed while its ~7500 passages were embedded
    out = doctor(server, capsys)
    assert f"{st['passages'] - st['embedded']} passage(s) have no vectors yet" in out
    assert "All good." not in out and "rag embed" in out and "the server, at its start" in out
    server.start()
    wait_recovered(server)
    assert assert_whole_or_absent(server, ids)
    assert doctor(server, capsys).rstrip().endswith("All good.")
    r = httpx.post(server.url + "/api/ask", json={"question": "枫林镇第17期第3号工程投资多少"}, timeout=60)
    assert r.status_code == 200 and "122万元" in r.json()["answer"]


def test_a_copy_in_flight_is_left_alone_and_one_committed_is_finished(tmp_path):
    corpus = tmp_path / "corpus"
    source = tmp_path / "up.txt"
    source.write_text(LAKE, encoding="utf-8")
    flying = stage_upload(source, "flying.txt", corpus)
    left = stage_upload(source, "left.txt", corpus)
    committed = stage_upload(source, "done.txt", corpus)
    left.handle.close()  # as a killed process leaves them: unlocked
    committed.handle.close()
    finished, removed = finish_uploads(corpus, {"done.txt"})
    assert finished == ["done.txt"] and removed == ["left.txt"]
    assert sorted(p.name for p in corpus.iterdir()) == [STAGED + "flying.txt", "done.txt"]
    assert stage_upload(source, "flying.txt", corpus).final.name == "flying-2.txt"  # the name is reserved
    flying.done()


def test_an_upload_shows_in_the_folder_only_once_committed(fake_pipeline, fake_settings, tmp_path, monkeypatch):
    """While the upload is read, the corpus folder holds only its hidden copy; a failed upload leaves
    nothing."""
    seen = {}
    real = fake_pipeline.add_files

    def watching(paths, **kw):
        seen["during"] = sorted(p.name for p in fake_settings.corpus_dir.iterdir())
        return real(paths, **kw)

    monkeypatch.setattr(fake_pipeline, "add_files", watching)
    (fake_settings.corpus_dir / "lake.txt").write_text(LAKE, encoding="utf-8")
    source = tmp_path / "up.txt"
    source.write_text("青石村修建了12公里的乡村绿道。\n", encoding="utf-8")
    added = add_uploads(fake_pipeline, [(source, "road.txt")], fake_settings.corpus_dir)
    assert seen["during"] == [STAGED + "road.txt", "lake.txt"]
    assert [p.name for _, p in added.stored] == ["road.txt"] and added.documents == (("road.txt",),)
    assert sorted(p.name for p in fake_settings.corpus_dir.iterdir()) == ["lake.txt", "road.txt"]
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(Exception, match="empty.txt"):
        add_uploads(fake_pipeline, [(empty, "empty.txt")], fake_settings.corpus_dir)
    assert sorted(p.name for p in fake_settings.corpus_dir.iterdir()) == ["lake.txt", "road.txt"]
