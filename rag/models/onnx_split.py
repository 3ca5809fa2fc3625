"""The token-embedding table taken out of an ONNX encoder: a smaller graph plus a memory-mapped table.

multilingual-e5-small's vocabulary is 250,037 rows of 384: the table is 96 MB of the int8
embedder's 118 MB and 384 MB of the fp32 reader's 470 MB. onnxruntime copies every initializer into
its own memory when a session opens, so the table alone made up most of a process's model RSS and
most of a session's load time, while one question reads a few dozen of its rows.

`split(src, graph_out, table_out)` rewrites the graph so that the word-embedding `Gather(table,
input_ids)` becomes a graph input `word_rows` (the same rows: int8 codes for the quantised
embedder, floats for the reader; everything after the Gather, DequantizeLinear included, stays in
the graph), and saves the table as a .npy file. `SplitSession` opens the two: it memory-maps the
table (pages the kernel shares and can drop, not the process's own memory), gathers the rows of each
batch's ids with numpy and runs the smaller session. A Gather is a copy, so the outputs are those of
the whole graph (tests/test_onnx_split.py compares them).

Derived files sit beside the source in the model cache and are written through
`rag.models.onnx_cache.ensure_file` (atomic, with a record), from the source file alone.
"""
from __future__ import annotations

from pathlib import Path

ROWS_INPUT = "word_rows"
MIN_ROWS = 10_000  # a Gather's table this large is the vocabulary (position tables have 514 rows)
SPLIT_VERSION = 1


def split_paths(src: Path) -> tuple[Path, Path]:
    """(graph file, table file) derived from `src`."""
    stem = src.name[: -len(".onnx")] if src.name.endswith(".onnx") else src.name
    return (src.with_name(f"{stem}.split{SPLIT_VERSION}.onnx"), src.with_name(f"{stem}.split{SPLIT_VERSION}.rows.npy"))


def _vocab_gather(model):
    """(node, initializer) of the Gather that reads the vocabulary table with `input_ids`."""
    inits = {i.name: i for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Gather" or len(node.input) != 2:
            continue
        table = inits.get(node.input[0])
        if table is not None and len(table.dims) == 2 and table.dims[0] >= MIN_ROWS and node.input[1] == "input_ids":
            return node, table
    raise ValueError("no Gather(vocabulary table, input_ids) in the graph")


def write_graph(src: Path, out: Path) -> None:
    """The graph of `src` with the vocabulary Gather replaced by the input `word_rows`."""
    import onnx
    from onnx import helper

    model = onnx.load(str(src))
    node, table = _vocab_gather(model)
    out_name, width = node.output[0], int(table.dims[1])
    model.graph.node.remove(node)
    model.graph.initializer.remove(table)
    model.graph.input.append(helper.make_tensor_value_info(ROWS_INPUT, table.data_type, ["batch", "seq", width]))
    for node2 in model.graph.node:  # consumers read the new input under its own name
        for i, name in enumerate(node2.input):
            if name == out_name:
                node2.input[i] = ROWS_INPUT
    onnx.save(model, str(out))


def write_table(src: Path, out: Path) -> None:
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    _, table = _vocab_gather(model)
    with open(out, "wb") as fh:  # out has no .npy suffix while temporary: np.save would add one
        np.save(fh, numpy_helper.to_array(table), allow_pickle=False)


class SplitSession:
    """run(None, {"input_ids": ids, "attention_mask": mask}) like an InferenceSession of the whole
    graph; the rows of `ids` come from the memory-mapped table."""

    def __init__(self, session, table_path: Path):
        import numpy as np

        self.session = session
        self.table = np.load(str(table_path), mmap_mode="r", allow_pickle=False)

    def run(self, outputs, feed: dict):
        feed = dict(feed)
        feed[ROWS_INPUT] = self.table[feed["input_ids"]]
        return self.session.run(outputs, feed)


def open_session(path: Path, threads: int, export, what: str, source: dict | None = None):
    """`rag.models.onnx_cache.session` of `path`, as a SplitSession when the graph has a vocabulary
    table (the split files are written once, beside it, from `path` alone); else the whole graph."""
    from rag.models import onnx_cache

    path = onnx_cache.ensure_file(Path(path), export, what, source)
    graph, table = split_paths(path)
    made_from = {"split_of": path.name, "split_of_bytes": path.stat().st_size,
                 "split_of_mtime_ns": path.stat().st_mtime_ns}
    for derived in (graph, table):  # a source exported again makes its split files stale
        if not _made_from(derived, made_from):
            onnx_cache.remove(derived)
    try:
        onnx_cache.ensure_file(table, lambda out: write_table(path, out), f"{what}: token table", made_from)
        onnx_cache.ensure_file(graph, lambda out: write_graph(path, out), f"{what}: graph without it", made_from)
    except ValueError:  # no vocabulary Gather: nothing to take out
        return onnx_cache.session(path, threads, export, what, source)
    rewrite = lambda out: write_graph(path, out)  # noqa: E731 (a damaged graph file is written again)
    return SplitSession(onnx_cache.session(graph, threads, rewrite, f"{what} (split)", made_from), table)


def _made_from(derived: Path, made_from: dict) -> bool:
    import json

    try:
        rec = json.loads(derived.with_name(derived.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # nothing there yet, or ensure_file's own checks will say it is damaged
    return all(_same(k, rec.get(k), v) for k, v in made_from.items())


MTIME_SLACK_NS = 1_000_000  # a copy through tar keeps the time as a float: within a microsecond or so


def _same(key: str, recorded, now) -> bool:
    if key.endswith("_ns") and isinstance(recorded, int):
        return abs(recorded - now) <= MTIME_SLACK_NS  # a re-export a millisecond later is still told apart
    return recorded == now
