"""The vocabulary table taken out of an ONNX graph (rag/models/onnx_split.py): same outputs, files
derived once and again when their source changes. A made-up tiny graph, no real model."""
from __future__ import annotations

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from rag.models import onnx_cache, onnx_split  # noqa: E402

ROWS, WIDTH = onnx_split.MIN_ROWS + 7, 6


def tiny_graph(path, quantized: bool, seed: int = 0) -> None:
    """input_ids -> Gather(vocabulary) [-> DequantizeLinear] -> + position rows * mask -> out."""
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array(rng.normal(size=(4, WIDTH)).astype(np.float32), "pos")]
    nodes = []
    if quantized:
        inits += [numpy_helper.from_array(rng.integers(0, 255, size=(ROWS, WIDTH)).astype(np.uint8), "vocab"),
                  numpy_helper.from_array(np.array(0.02, np.float32), "scale"),
                  numpy_helper.from_array(np.array(128, np.uint8), "zero")]
        nodes += [helper.make_node("Gather", ["vocab", "input_ids"], ["rows_q"]),
                  helper.make_node("DequantizeLinear", ["rows_q", "scale", "zero"], ["rows"])]
    else:
        inits.append(numpy_helper.from_array(rng.normal(size=(ROWS, WIDTH)).astype(np.float32), "vocab"))
        nodes.append(helper.make_node("Gather", ["vocab", "input_ids"], ["rows"]))
    nodes += [helper.make_node("Add", ["rows", "pos"], ["summed"]),
              helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
              helper.make_node("Unsqueeze", ["maskf", "axis"], ["mask3"]),
              helper.make_node("Mul", ["summed", "mask3"], ["out"])]
    inits.append(numpy_helper.from_array(np.array([2], np.int64), "axis"))
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", 4]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["b", 4, WIDTH])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def exporter(quantized: bool, seed: int = 0):
    def export(out):
        tiny_graph(out, quantized, seed)
    return export


def feed():
    ids = np.array([[0, 5, ROWS - 1, 1], [0, 9999, 3, 2]], dtype=np.int64)
    return {"input_ids": ids, "attention_mask": np.array([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=np.int64)}


@pytest.mark.parametrize("quantized", [False, True])
def test_split_session_gives_the_whole_graphs_outputs(tmp_path, quantized):
    path = tmp_path / "tiny.onnx"
    sess = onnx_split.open_session(path, 1, exporter(quantized), "tiny model")
    assert isinstance(sess, onnx_split.SplitSession)
    whole = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expect = whole.run(None, feed())[0]
    assert np.array_equal(sess.run(None, feed())[0], expect)
    graph, table = onnx_split.split_paths(path)
    assert onnx_cache.is_complete(graph) and onnx_cache.is_complete(table)
    assert graph.stat().st_size < path.stat().st_size / 4  # the table is what made it big
    assert np.load(table, mmap_mode="r").shape == (ROWS, WIDTH)


def test_split_files_are_made_again_when_the_source_is_exported_again(tmp_path):
    path = tmp_path / "tiny.onnx"
    onnx_split.open_session(path, 1, exporter(False, seed=0), "tiny model")
    onnx_cache.remove(path)  # as a damaged file is: exported again, with other weights
    sess = onnx_split.open_session(path, 1, exporter(False, seed=1), "tiny model")
    whole = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert np.array_equal(sess.run(None, feed())[0], whole.run(None, feed())[0])
    rec = json.loads(onnx_split.split_paths(path)[1].with_name("tiny.split1.rows.npy.json").read_text())
    assert rec["split_of_mtime_ns"] == path.stat().st_mtime_ns


def test_a_graph_without_a_vocabulary_table_opens_whole(tmp_path):
    path = tmp_path / "small.onnx"
    x = helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, [2])
    model = helper.make_model(helper.make_graph([helper.make_node("Relu", ["input_ids"], ["out"])], "g", [x], [y]),
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    sess = onnx_split.open_session(path, 1, lambda out: onnx.save(model, str(out)), "small model")
    assert not isinstance(sess, onnx_split.SplitSession)
    assert sess.run(None, {"input_ids": np.array([-1.0, 2.0], np.float32)})[0].tolist() == [0.0, 2.0]


def test_a_copy_that_keeps_the_time_to_a_microsecond_keeps_its_split(tmp_path):
    """The offline bundle goes through tar and cp -p: the source's time comes back as a float."""
    import os

    path = tmp_path / "tiny.onnx"
    onnx_split.open_session(path, 1, exporter(False, seed=0), "tiny model")
    table = onnx_split.split_paths(path)[1]
    made = table.stat().st_mtime_ns
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 300))
    onnx_split.open_session(path, 1, exporter(False, seed=0), "tiny model")
    assert table.stat().st_mtime_ns == made  # not split again
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000))
    onnx_split.open_session(path, 1, exporter(False, seed=0), "tiny model")
    assert table.stat().st_mtime_ns != made  # 5 ms apart: another export, split again
