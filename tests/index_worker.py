"""A separate process that changes an index, for the crash and concurrency tests (not a test itself).

    python tests/index_worker.py build CORPUS INDEX STATE_DIR PAUSE_AT
        build CORPUS into INDEX with the fake embedder; write STATE_DIR/started when the build begins;
        at the checkpoint PAUSE_AT (e.g. "rename:2": the second os.rename call; see CHECKPOINTS in
        tests/test_crash_safety.py) write
        STATE_DIR/paused and sleep, so that the test can kill it exactly there ("" never pauses)
    python tests/index_worker.py build CORPUS INDEX STATE_DIR PAUSE_AT SEGMENT_DOCS EMBED_BLOCK
        the same with small batches: SEGMENT_DOCS documents a segment, EMBED_BLOCK passages a vector block
    python tests/index_worker.py add CORPUS INDEX STATE_DIR FILE
        load the index, write STATE_DIR/ready, wait for STATE_DIR/go, then add FILE
    python tests/index_worker.py hold INDEX STATE_DIR
        hold the index's write lock, write STATE_DIR/ready, wait for STATE_DIR/release

Every wait is bounded (WAIT_S), so a test that goes wrong fails instead of hanging.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

WAIT_S = 60


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {path}")
        time.sleep(0.02)


def pipeline(corpus: str, index: str):
    from rag.config import Settings
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    extra = {"lock_wait_s": WAIT_S} if "lock_wait_s" in Settings.__dataclass_fields__ else {}
    settings = Settings(corpus_dir=Path(corpus), index_dir=Path(index), model="fake-hashing",
                        cache_dir=Path(index).parent / "cache", **extra)
    return Pipeline(settings, HashingEmbedder())


def checkpoints(state: Path, pause_at: str) -> None:
    """Count calls of the functions a build and a save go through; pause at `pause_at`."""
    import numpy as np

    from rag.models.embed import HashingEmbedder

    calls: dict[str, int] = {}

    def reached(name: str, args) -> None:
        calls[name] = calls.get(name, 0) + 1
        label = f"{name}:{calls[name]}"
        if label != pause_at:
            return
        if name == "rmtree":  # killed halfway through removing the old index
            files = sorted(f for f in Path(args[0]).rglob("*") if f.is_file())
            for f in files[: len(files) // 2 + 1]:
                f.unlink()
        (state / "paused").write_text(label)
        time.sleep(WAIT_S)
        sys.exit("was not killed")

    def wrap(owner, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args, **kwargs):
            reached(name, args)
            return original(*args, **kwargs)

        setattr(owner, attr, wrapper)

    wrap(HashingEmbedder, "embed_passages", "embed")
    wrap(np, "save", "save")
    wrap(os, "link", "link")
    wrap(os, "fsync", "fsync")
    wrap(os, "rename", "rename")
    wrap(shutil, "rmtree", "rmtree")


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "build":
        corpus, index, state, pause_at = argv[1], argv[2], Path(argv[3]), argv[4]
        if len(argv) > 5:
            from rag.index import backfill, build

            build.SEGMENT_DOCS, backfill.EMBED_BLOCK = int(argv[5]), int(argv[6])
        pipe = pipeline(corpus, index)
        checkpoints(state, pause_at)
        (state / "started").write_text("")
        pipe.build()
        return 0
    if mode == "add":
        corpus, index, state, file = argv[1], argv[2], Path(argv[3]), argv[4]
        pipe = pipeline(corpus, index)
        pipe.documents()  # this process now holds the index in memory, as the app does
        (state / "ready").write_text("")
        wait_for(state / "go")
        report = pipe.add_files([file])
        print(report.documents)
        return 0
    if mode == "hold":
        from rag import locks

        index, state = Path(argv[1]), Path(argv[2])
        with locks.writing(index, WAIT_S):
            (state / "ready").write_text("")
            wait_for(state / "release")
        return 0
    sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
