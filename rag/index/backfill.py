"""Embedding what has no vectors yet, resumably: the dense phase of a build, or `rag embed` later.

    embed_missing(directory, embedder, load, lock, progress=None, block=EMBED_BLOCK, limit=None) -> int

Passages are embedded a block at a time, oldest segment first, *without* the write lock; each
block is then committed as a new version (a `vec-*.npy` file in its segment) under the lock, so
documents can be added meanwhile and a killed run loses at most one block: the next run starts
where the committed vectors end. A block whose segment changed meanwhile (merged away, or
embedded by another process) is dropped. Once a segment is fully embedded and the index is large
(dense.ANN_MIN_ROWS), the segment also gets an HNSW index. Passages of deleted documents get zero
vectors (they are never returned).
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable

import numpy as np

from rag.models.embed import describe
from rag.index.build import passage_input
from rag.index.dense import ANN_MIN_ROWS, build_ann, write_ann
from rag.index.segment import vec_file
from rag.index.versions import new_version

EMBED_BLOCK = 1024  # passages between checkpoints (~90 s of the e5-small model on 2 CPU cores)
StageProgress = Callable[[str, int, int], None]


def missing(index, only=None) -> int:
    """Live passages without vectors (of the segments named in `only`, if given)."""
    return sum(int((~seg.dead_rows()[seg.embedded :]).sum()) for seg in index.segments
               if only is None or seg.name in only)


def _next_block(index, block: int, only=None):
    for s, seg in enumerate(index.segments):
        if seg.embedded < seg.n_rows and (only is None or seg.name in only):
            return s, seg.embedded, min(seg.embedded + block, seg.n_rows)
    return None


def _unindexed_ann(index):
    """A fully embedded segment that should have an HNSW index and has none."""
    if index.n_rows < ANN_MIN_ROWS:
        return None
    for s, seg in enumerate(index.segments):
        if seg.embedded == seg.n_rows and seg.n_rows and seg.ann is None:
            return s
    return None


def _texts(index, s: int, start: int, end: int) -> tuple[list[str], np.ndarray]:
    """Inputs of rows start..end of segment s, and which of them are live."""
    seg = index.segments[s]
    rows = np.asarray(seg.chunks[start:end]).tolist()
    dead = seg.dead_docs()
    texts, live = [], np.zeros(len(rows), bool)
    for i, (d, ordinal, a, b) in enumerate(rows):
        if dead[d]:
            continue
        doc = index.doc_at(s, d)
        from rag.types import Chunk

        texts.append(passage_input(doc, Chunk(doc.id, ordinal, a, b, doc.text[a:b])))
        live[i] = True
    return texts, live


def embed_missing(directory: Path, embedder, load: Callable, lock: Callable[[], AbstractContextManager],
                  progress: StageProgress | None = None, block: int | None = None, limit: int | None = None,
                  only=None) -> int:
    """Embed passages without vectors until none are left (or `limit` passages were embedded; or
    only those of the segments named in `only`); returns how many were embedded and committed.
    `load()` gives the index on disk now; `lock()` holds its write lock."""
    directory = Path(directory)
    block = block or EMBED_BLOCK
    done = 0
    index = load()
    total = missing(index, only) if limit is None else min(limit, missing(index, only))
    while limit is None or done < limit:
        job = _next_block(index, block if limit is None else min(block, limit - done), only)
        if job is None:
            break
        s, start, end = job
        texts, live = _texts(index, s, start, end)
        vecs = np.zeros((end - start, int(index.manifest["dim"])), np.float32)
        if texts:
            vecs[live] = embedder.embed_passages(
                texts, progress=(lambda d, t: progress("embed", done + d, total)) if progress else None)
        name = index.segments[s].name
        with lock():
            index = load()
            if _commit_block(directory, index, name, start, vecs, describe(embedder)):
                done += end - start
                if progress:
                    progress("embed", min(done, total), total)
            index = load()
    while only is None and (limit is None or done < limit):
        s = _unindexed_ann(index)
        if s is None:
            break
        with lock():
            index = load()
            if s < len(index.segments) and index.segments[s].ann is None:
                _commit_ann(directory, index, s)
            index = load()
    return done


def _commit_block(directory: Path, index, name: str, start: int, vecs: np.ndarray, runtime: str) -> bool:
    infos = [{**seg.info, "vectors": [list(v) for v in seg.info.get("vectors", [])]} for seg in index.segments]
    target = next((i for i in infos if i["name"] == name), None)
    seg = next((x for x in index.segments if x.name == name), None)
    if target is None or seg is None or seg.embedded != start:
        return False  # merged away or embedded meanwhile
    target["vectors"].append([start, len(vecs)])
    with new_version(directory) as v:
        for info in infos:
            v.link(directory / info["name"], info["name"])
        np.save(v.folder / name / vec_file(start), np.ascontiguousarray(vecs, np.float32))
        first = {"embedding_runtime": index.manifest.get("embedding_runtime") or runtime}  # the first vectors decide
        v.write_json("manifest.json", {**index.manifest, **first, "segments": infos,
                                       "embedded": index.status()["embedded"] + int(_live_count(seg, start, len(vecs)))})
    return True


def _live_count(seg, start: int, n: int) -> int:
    return int((~seg.dead_rows()[start : start + n]).sum())


def _commit_ann(directory: Path, index, s: int) -> None:
    seg = index.segments[s]
    vecs = np.concatenate([np.asarray(b) for _, b in seg.blocks])
    ann = build_ann(vecs)
    infos = [dict(x.info) for x in index.segments]
    infos[s]["ann"] = True
    with new_version(directory) as v:
        for info in infos:
            v.link(directory / info["name"], info["name"])
        write_ann(ann, v.folder / seg.name / "ann.faiss")
        v.write_json("manifest.json", {**index.manifest, "segments": infos})
