"""Killed builds and concurrent writers, with real processes (tests/index_worker.py) and the fake
embedder: a build killed by SIGKILL anywhere (mid-build, mid-save, between the two renames, while
removing the old index) leaves an index that loads, and the next build succeeds and leaves nothing
behind; two processes adding files at once both land; a held lock makes a writer wait, then fail
with one line, and nobody tidies under another process's feet. Every wait is bounded."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag
from rag.index import store
from rag.config import Settings
from rag.models.embed import HashingEmbedder
from rag.errors import IndexBusy
from rag.pipeline import Pipeline

WORKER = Path(__file__).with_name("index_worker.py")
PACKAGE_ROOT = Path(rag.__file__).resolve().parents[1]  # the workers import the same rag as the tests
WAIT_S = 60

BASE = {
    "a.txt": "永康市召开经济工作会议\n会议总结了2024年的成绩，部署了2025年的工作。\n",
    "b.txt": "大陈村发展乡村旅游\n2024年，大陈村接待游客约40万人次，村集体经济收入达251万元。\n",
}
NEW = ("c.txt", "青石村修建乡村绿道\n2024年，青石村修建了12公里的乡村绿道。\n")
# The calls a build makes, in order; the worker pauses at one and is killed there. The build first
# commits the new document's segment (links to the kept files, .npy files, sync, two renames,
# removal of the old version), then its vectors (embed, the vector file, the same swap again).
CHECKPOINTS = ["link:1", "save:1", "fsync:1", "rename:1", "rename:2", "rmtree:1", "embed:1", "save:7",
               "rename:4", "rmtree:2"]


def settings_for(root: Path, **extra) -> Settings:
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index", model="fake-hashing",
                    cache_dir=root / "cache", **extra)


def prepare(root: Path) -> Settings:
    """An index of BASE, and NEW waiting in the corpus for the next build."""
    s = settings_for(root)
    s.corpus_dir.mkdir(parents=True)
    (root / "state").mkdir()
    for name, text in BASE.items():
        (s.corpus_dir / name).write_text(text, encoding="utf-8")
    Pipeline(s, HashingEmbedder()).build()
    (s.corpus_dir / NEW[0]).write_text(NEW[1], encoding="utf-8")
    return s


def start(*args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_file(path: Path, proc: subprocess.Popen, deadline: float) -> bool:
    """True once `path` exists; False if the process ended first. Fails the test at the deadline."""
    while not path.exists():
        if proc.poll() is not None:
            return path.exists()
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"worker did not reach {path.name} in time: {proc.communicate()[1][-2000:]}")
        time.sleep(0.02)
    return True


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=WAIT_S)


def leftovers(index_dir: Path) -> list[str]:
    """Folders beside the index other than the index itself (lock files are files)."""
    return sorted(p.name for p in index_dir.parent.glob(f".{index_dir.name}.*") if p.is_dir())


def assert_recovers(s: Settings, where: str) -> None:
    base, full = set(BASE), set(BASE) | {NEW[0]}
    loaded = {d.id for d in store.load(s.index_dir).documents}
    assert loaded in (base, full), f"{where}: the killed build left {loaded}"
    Pipeline(s, HashingEmbedder()).build()
    index = store.load(s.index_dir)
    assert {d.id for d in index.documents} == full, where
    assert index.status()["embedded"] == index.status()["passages"] == 3, where  # vectors finished too
    assert leftovers(s.index_dir) == [], f"{where}: left {leftovers(s.index_dir)}"


def test_a_build_killed_at_any_step_leaves_a_loadable_index_and_no_leftovers(tmp_path):
    cases = []
    deadline = time.monotonic() + WAIT_S
    for point in CHECKPOINTS:
        root = tmp_path / point.replace(":", "-")
        s = prepare(root)
        cases.append((point, s, root / "state", start("build", s.corpus_dir, s.index_dir, root / "state", point)))
    for point, s, state, proc in cases:  # all started at once: the imports overlap
        paused = wait_file(state / "paused", proc, deadline)
        out = proc.communicate()[1][-2000:] if not paused else ""
        assert paused, f"worker finished without reaching {point}: {out}"
        kill(proc)
    for point, s, _, _ in cases:
        assert_recovers(s, f"killed at {point}")


def test_a_build_killed_at_random_moments_recovers(tmp_path):
    seed = int(os.environ.get("RAG_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    cases = []
    deadline = time.monotonic() + WAIT_S
    for n in range(3):
        root = tmp_path / f"random-{n}"
        s = prepare(root)
        cases.append((s, root / "state", start("build", s.corpus_dir, s.index_dir, root / "state", "")))
    for s, state, proc in cases:
        wait_file(state / "started", proc, deadline)
        time.sleep(rng.uniform(0, 1.0))  # the build after `started` (jieba, embed, save) takes about 1 s
        kill(proc)
    for n, (s, _, _) in enumerate(cases):
        assert_recovers(s, f"random kill {n} (RAG_CRASH_SEED={seed})")


def test_two_processes_adding_at_once_both_land(tmp_path):
    s = prepare(tmp_path)
    (s.corpus_dir / NEW[0]).unlink()
    files = {"x.jsonl": '{"id": "x1", "text": "西湖村2024年种植茶叶300亩。"}\n',
             "y.jsonl": '{"id": "y1", "text": "东山村2024年修建水库一座。"}\n'}
    workers = []
    for name, text in files.items():
        (s.corpus_dir / name).write_text(text, encoding="utf-8")
        state = tmp_path / f"state-{name}"
        state.mkdir()
        workers.append((state, start("add", s.corpus_dir, s.index_dir, state, s.corpus_dir / name)))
    deadline = time.monotonic() + WAIT_S
    for state, proc in workers:  # both have loaded the same index before either writes
        assert wait_file(state / "ready", proc, deadline), proc.communicate()[1][-2000:]
    for state, _ in workers:
        (state / "go").write_text("")
    for _, proc in workers:
        _, err = proc.communicate(timeout=WAIT_S)
        assert proc.returncode == 0, err[-2000:]
    assert {d.id for d in store.load(s.index_dir).documents} == set(BASE) | {"x1", "y1"}
    assert leftovers(s.index_dir) == []


def test_a_held_lock_makes_a_writer_wait_and_nobody_tidies_under_it(tmp_path, capsys):
    from rag.cli import main

    s = prepare(tmp_path)
    stale = tmp_path / ".index.tmp-deadbeef"
    stale.mkdir()
    (stale / "documents.jsonl").write_text("", encoding="utf-8")
    state = tmp_path / "state"
    holder = start("hold", s.index_dir, state)
    try:
        assert wait_file(state / "ready", holder, time.monotonic() + WAIT_S), holder.communicate()[1][-2000:]
        t0 = time.monotonic()
        with pytest.raises(IndexBusy, match="Another process"):
            Pipeline(settings_for(tmp_path, lock_wait_s=1), HashingEmbedder()).build()
        assert 0.9 < time.monotonic() - t0 < 10
        assert stale.exists()  # it may be the other process's work in progress
        code = main(["--model", "fake-hashing", "doctor", "--index", str(s.index_dir), "--corpus", str(s.corpus_dir)])
        out = capsys.readouterr().out
        assert code == 0 and "another process is changing the index" in out and "left by builds" not in out
    finally:
        (state / "release").write_text("")
        holder.communicate(timeout=WAIT_S)
    report = Pipeline(s, HashingEmbedder()).build()
    assert report.documents == 3 and not stale.exists() and leftovers(s.index_dir) == []
