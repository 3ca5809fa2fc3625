"""Merging small segments, so that many small additions do not leave many small segments.

    merge_small(directory, index) -> str | None      the merged segment's name, or None if nothing to do

When more than MAX_SMALL segments hold fewer than SMALL_ROWS passages each, and all of them are
fully embedded, they are rewritten as one segment without their deleted documents: documents are
copied from SQLite, postings and vectors from the arrays (nothing is tokenised or embedded again).
The cost is that of the small segments, never of the archive. The caller holds the write lock.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.index.bm25 import Postings
from rag.index.segment import vec_file
from rag.index.textstore import write_docs
from rag.index.versions import new_version

MAX_SMALL = 8
SMALL_ROWS = 2000


def candidates(index) -> list[int]:
    small = [s for s, seg in enumerate(index.segments)
             if seg.n_rows < SMALL_ROWS and seg.embedded == seg.n_rows and seg.ann is None]
    return small if len(small) > MAX_SMALL else []


def _postings(seg, keep_rows: np.ndarray, offset: int):
    """(term hashes, new rows, counts) of the kept rows of one segment, rows renumbered from `offset`."""
    p = seg.postings
    terms = np.repeat(np.asarray(p.terms), np.diff(np.asarray(p.ptr)))
    rows, tf = np.asarray(p.rows), np.asarray(p.tf)
    new_row = np.full(seg.n_rows, -1, np.int64)
    new_row[keep_rows] = np.arange(len(keep_rows)) + offset
    ok = new_row[rows] >= 0
    return terms[ok], new_row[rows[ok]], tf[ok]


def _gather(index, picked: list[int]):
    """The live documents, hashes, passage table, postings and vectors of the picked segments."""
    docs, hashes, chunks, lengths, vecs, terms, rows, tfs = [], [], [], [], [], [], [], []
    for s in picked:
        seg = index.segments[s]
        dead = seg.dead_docs()
        doc_map = np.full(seg.n_docs, -1, np.int64)
        metas = {m[0]: m for m in seg.docs.meta()}
        for r in np.flatnonzero(~dead).tolist():
            doc_map[r] = len(docs)
            docs.append(seg.docs.get(r))
            hashes.append(metas[r][6])
        table = np.asarray(seg.chunks)
        keep = np.flatnonzero(doc_map[table[:, 0]] >= 0)
        t, r, f = _postings(seg, keep, sum(len(c) for c in chunks))
        terms.append(t), rows.append(r), tfs.append(f)
        chunks.append(np.column_stack([doc_map[table[keep, 0]], table[keep, 1:]]).astype(np.int32))
        lengths.append(np.asarray(seg.postings.lengths)[keep])
        all_vecs = np.concatenate([np.asarray(b) for _, b in seg.blocks]) if seg.blocks else \
            np.zeros((0, index.dense.dim), np.float32)
        vecs.append(all_vecs[keep])
    postings = _joined_postings(terms, rows, tfs, lengths)
    return docs, hashes, np.concatenate(chunks), postings, np.concatenate(vecs).astype(np.float32)


def _joined_postings(terms: list, rows: list, tfs: list, lengths: list) -> Postings:
    """One Postings from the per-segment (terms, rows, counts), sorted by term then row."""
    terms, rows, tfs = np.concatenate(terms), np.concatenate(rows), np.concatenate(tfs)
    order = np.lexsort((rows, terms))
    terms, rows, tfs = terms[order], rows[order], tfs[order]
    uniq, starts = np.unique(terms, return_index=True)
    return Postings(uniq, np.append(starts, len(terms)).astype(np.int64), rows.astype(np.int32),
                    tfs.astype(np.float32), np.concatenate(lengths).astype(np.float32))


def merge_small(directory: Path, index) -> str | None:
    from rag.index.build import _State  # the manifest counts, as a build computes them

    picked = candidates(index)
    if not picked:
        return None
    directory = Path(directory)
    docs, hashes, table, postings, vectors = _gather(index, picked)

    state = _State(index)
    gone = {index.segments[s].name for s in picked}
    first = picked[0]
    name = f"s{state.next_segment:06d}"
    state.next_segment += 1
    info = {"name": name, "documents": len(docs), "passages": len(table),
            "vectors": [[0, len(vectors)]] if len(vectors) else [], "deleted": 0, "ann": False}
    kept_infos = [i for i in state.infos if i["name"] not in gone]
    state.infos = kept_infos[:first] + [info] + kept_infos[first:]
    state.dead[name], state.row_docs[name] = set(), table[:, 0]
    _write_version(directory, index, state, name, (docs, hashes, table, postings, vectors))
    return name


def _write_version(directory: Path, index, state, name: str, merged: tuple) -> None:
    """A new index version: the other segments linked, the merged one written, a new manifest."""
    docs, hashes, table, postings, vectors = merged
    with new_version(directory) as v:
        for i in state.infos:
            if i["name"] != name:
                v.link(directory / i["name"], i["name"])
        folder = v.folder / name
        folder.mkdir()
        write_docs(folder / "docs.sqlite", docs, hashes)
        np.save(folder / "chunks.npy", table)
        postings.save(folder)
        if len(vectors):
            np.save(folder / vec_file(0), vectors)
        from rag.index.store import make_manifest

        m = index.manifest
        manifest = make_manifest(_Chunking(m), m["model"], m["dim"], m["tokenizer"], state.infos,
                                 state.next_segment, state.counts(), m["corpus_hash"],
                                 m.get("embedding_runtime"))
        v.write_json("manifest.json", manifest)


class _Chunking:
    def __init__(self, manifest: dict):
        self.chunk_size, self.chunk_overlap = manifest["chunk_size"], manifest["chunk_overlap"]
