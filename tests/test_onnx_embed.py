"""The ONNX Runtime path of the default model: cache files, pooling, dispatch (fast), and the real
exported embedder and reader against sentence-transformers and the torch reader (slow)."""
import json
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import RagError
from rag.models import onnx_cache



# ------------------------------------------------------------------ cache files (fast)


def _tiny_onnx(out: Path) -> None:
    """A valid one-node model (Identity on a float vector), standing in for an export."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "tiny", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(out))


class Exporter:
    def __init__(self, fail: bool = False):
        self.calls, self.fail = 0, fail

    def __call__(self, out: Path) -> None:
        self.calls += 1
        out.write_bytes(b"half a model")
        if self.fail:
            raise KeyboardInterrupt  # an interrupted export
        _tiny_onnx(out)


def test_a_file_is_exported_once_with_its_record(tmp_path):
    path, export = tmp_path / "m-onnx-v1" / "encoder-fp32.onnx", Exporter()
    assert onnx_cache.ensure_file(path, export, "test model", {"from": "here"}) == path
    assert onnx_cache.ensure_file(path, export, "test model") == path
    assert export.calls == 1
    rec = json.loads(path.with_name(path.name + ".json").read_text())
    assert rec["bytes"] == path.stat().st_size and rec["from"] == "here"


def test_an_interrupted_export_leaves_nothing_and_the_next_use_exports_again(tmp_path, capsys):
    path = tmp_path / "encoder-fp32.onnx"
    with pytest.raises(KeyboardInterrupt):
        onnx_cache.ensure_file(path, Exporter(fail=True), "test model")
    assert list(tmp_path.iterdir()) == []  # no file, no record, no temporary
    export = Exporter()
    onnx_cache.ensure_file(path, export, "test model")
    assert export.calls == 1 and onnx_cache.is_complete(path)


def test_temporaries_of_killed_exports_are_removed_once_stale(tmp_path):
    import os
    import time

    path = tmp_path / "encoder-fp32.onnx"
    old, recent = tmp_path / ".encoder-fp32.onnx.tmp-old", tmp_path / ".encoder-fp32.onnx.tmp-recent"
    for f in (old, recent):
        f.write_bytes(b"part of a model")
    hours_ago = time.time() - 2 * onnx_cache.STALE_TMP_SECONDS
    os.utime(old, (hours_ago, hours_ago))
    onnx_cache.ensure_file(path, Exporter(), "test model")
    assert not old.exists() and recent.exists()  # a recent one may be another process's export


@pytest.mark.parametrize("damage", ["no record", "truncated"])
def test_an_incomplete_file_is_exported_again_with_a_message(tmp_path, capsys, damage):
    path = tmp_path / "encoder-fp32.onnx"
    onnx_cache.ensure_file(path, Exporter(), "test model")
    if damage == "no record":
        path.with_name(path.name + ".json").unlink()  # killed between the rename and the record
    else:
        path.write_bytes(path.read_bytes()[:10])
    capsys.readouterr()
    export = Exporter()
    onnx_cache.ensure_file(path, export, "test model")
    assert export.calls == 1 and onnx_cache.is_complete(path)
    assert "incomplete or damaged" in capsys.readouterr().err


def test_a_file_onnxruntime_cannot_read_is_exported_again(tmp_path, capsys):
    import numpy as np

    path = tmp_path / "encoder-fp32.onnx"
    onnx_cache.ensure_file(path, Exporter(), "test model")
    size = path.stat().st_size
    path.write_bytes(b"\x00garbage" * (size // 8) + b"\x00" * (size % 8))  # same size, not a model
    assert onnx_cache.is_complete(path)
    export = Exporter()
    sess = onnx_cache.session(path, 1, export, "test model")
    assert export.calls == 1
    assert "cannot read" in capsys.readouterr().err
    assert sess.run(None, {"x": np.array([1.0, 2.0], np.float32)})[0].tolist() == [1.0, 2.0]


def test_an_unwritable_cache_is_a_clear_error(tmp_path):
    from rag.errors import ModelUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelUnavailable, match="RAG_CACHE_DIR|RAG_EMBED_RUNTIME"):
        onnx_cache.ensure_file(blocker / "sub" / "encoder-fp32.onnx", Exporter(), "test model")


# ------------------------------------------------------------------ pooling and dispatch (fast)


def test_pool_is_a_masked_mean_then_unit_length():
    import numpy as np

    from rag.models.onnx_embed import pool

    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], np.float32)  # last token is padding
    out = pool(hidden, np.array([[1, 1, 0]]))
    mean = np.array([2.0, 2.0])
    assert np.allclose(out[0], mean / np.linalg.norm(mean))


def test_runtime_and_precision_come_from_the_environment():
    s = Settings.from_env({"RAG_EMBED_RUNTIME": "torch", "RAG_EMBED_PRECISION": "fp32"})
    assert (s.embed_runtime, s.embed_precision) == ("torch", "fp32")
    assert (Settings().embed_runtime, Settings().embed_precision) == ("onnx", "fp32")


@pytest.fixture
def no_build(monkeypatch, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 384}')
    monkeypatch.setattr("rag.models.offline_model.ensure_default_model", lambda cache_dir: folder)
    return folder


def test_the_default_model_runs_on_onnx_unless_torch_is_asked_for(no_build, tmp_path):
    from rag.models.embed import SentenceTransformerEmbedder, describe, load_embedder
    from rag.models.onnx_embed import OnnxEmbedder

    onnx = load_embedder("multilingual-e5-small", tmp_path, 16, "onnx", "fp32")
    assert isinstance(onnx, OnnxEmbedder) and onnx.name == "multilingual-e5-small" and onnx.dim == 384
    assert describe(onnx) == "onnx-fp32"
    torch = load_embedder("multilingual-e5-small", tmp_path, 16, "torch", "int8")
    assert isinstance(torch, SentenceTransformerEmbedder) and describe(torch) == "sentence-transformers"
    other = load_embedder("some/other-model", tmp_path, 16, "onnx", "int8")  # any other model: sentence-transformers
    assert isinstance(other, SentenceTransformerEmbedder)
    with pytest.raises(RagError, match="RAG_EMBED_RUNTIME"):
        load_embedder("multilingual-e5-small", tmp_path, 16, "tensorflow", "int8")
    with pytest.raises(RagError, match="precision"):
        load_embedder("multilingual-e5-small", tmp_path, 16, "onnx", "int4")


# ------------------------------------------------------------------ the real model (slow)

TEXTS = [
    "大陈村2024年接待游客约40万人次，村集体经济收入达251万元。",
    "市政府发布《关于进一步优化营商环境的若干措施》，共20条。",
    "How many tourists did Dachen village receive in 2024?",
    "The city budget for 2025 has not been published.",
    "永康五金技师学院 (Yongkang Hardware Technician College) 于9月1日开学，招收新生约800名 students.",
    "GDP同比增长5.8%，高于全省平均水平 ",  # a trailing space is tokenised, not stripped
    "",
    "长" * 700,  # beyond 512 tokens: truncated alike
]


@pytest.fixture(scope="session")
def real_embedders():
    from rag.models.embed import load_embedder

    s = Settings()
    return {name: load_embedder(s.model, s.cache_dir, 16, runtime, precision)
            for name, runtime, precision in [("st", "torch", "int8"), ("fp32", "onnx", "fp32"),
                                             ("int8", "onnx", "int8")]}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_onnx_fp32_gives_the_sentence_transformers_vectors(real_embedders, kind):
    vecs = {n: getattr(e, f"embed_{kind}")(TEXTS) for n, e in real_embedders.items()}
    assert vecs["fp32"].shape == vecs["st"].shape == (len(TEXTS), 384)
    cos = (vecs["fp32"] * vecs["st"]).sum(1)
    assert cos.min() >= 0.999, cos
    assert abs(float((vecs["fp32"] ** 2).sum(1).max()) - 1) < 1e-4
    # int8: measured min 0.966 (the empty and the 700-character text), mean 0.985 on these texts
    cos8 = (vecs["int8"] * vecs["fp32"]).sum(1)
    assert cos8.min() >= 0.95 and cos8.mean() >= 0.975, cos8


@pytest.mark.slow
def test_queries_and_passages_get_their_own_prompts(real_embedders):
    e = real_embedders["fp32"]
    assert float((e.embed_queries(TEXTS[:1]) * e.embed_passages(TEXTS[:1])).sum()) < 0.99


@pytest.mark.slow
def test_onnx_embedder_ranks_the_answer_first(real_embedders):
    import numpy as np

    passages = [TEXTS[0], TEXTS[1], TEXTS[3], "学校将于9月1日正式开学，预计招收新生约800名。"]
    for name in ("fp32", "int8"):
        e = real_embedders[name]
        q = e.embed_queries(["大陈村接待了多少游客", "How many tourists did Dachen village receive"])
        assert (np.argmax(q @ e.embed_passages(passages).T, axis=1) == 0).all(), name


@pytest.mark.parametrize("manifest, expected", [
    (None, "int8"),  # no index yet: the setting
    ({"model": "multilingual-e5-small", "embedding_runtime": "onnx-int8"}, "int8"),
    ({"model": "multilingual-e5-small", "embedding_runtime": "onnx-fp32"}, "fp32"),
    ({"model": "multilingual-e5-small", "embedding_runtime": "sentence-transformers"}, "fp32"),
    ({"model": "multilingual-e5-small"}, "fp32"),  # built before the manifest said: on torch
    ("not json", "int8"),
])
def test_an_index_keeps_the_precision_it_was_built_with(tmp_path, manifest, expected):
    from rag.models.embed import index_precision

    if manifest is not None:
        text = manifest if isinstance(manifest, str) else json.dumps(manifest)
        (tmp_path / "manifest.json").write_text(text)
    assert index_precision(tmp_path, "int8") == expected


def test_the_pipeline_queries_a_torch_built_index_in_fp32(no_build, tmp_path):
    from rag.pipeline import Pipeline

    index = tmp_path / "index"
    index.mkdir()
    (index / "manifest.json").write_text(json.dumps({"model": "multilingual-e5-small",
                                                     "embedding_runtime": "sentence-transformers"}))
    assert Pipeline(Settings(index_dir=index, cache_dir=tmp_path)).embedder.precision == "fp32"
    assert Pipeline(Settings(index_dir=tmp_path / "none", cache_dir=tmp_path)).embedder.precision == "fp32"
    assert Pipeline(Settings(index_dir=tmp_path / "none", cache_dir=tmp_path,
                             embed_precision="int8")).embedder.precision == "int8"


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_two_passage_sessions_give_the_same_vectors_as_one(real_embedders, precision):
    from rag.models.onnx_embed import OnnxEmbedder

    made = real_embedders[precision]
    one, two = (OnnxEmbedder(made.name, made._dir, precision, batch_size=2, passage_sessions=n) for n in (1, 2))
    texts = TEXTS * 3  # several batches, so both sessions work
    assert np.array_equal(two.embed_passages(texts), one.embed_passages(texts))


class _RecordingSession:
    """Stands in for an onnxruntime session: hidden states from the ids, and the batches it saw."""

    def __init__(self, seen):
        self.seen = seen

    def run(self, outputs, feed):
        ids = feed["input_ids"]
        self.seen.append((id(self), ids.shape[0], ids.shape[1]))
        __import__("time").sleep(0.05)  # long enough for the other worker to take the other session
        return [np.repeat(ids[..., None].astype(np.float32), 4, axis=2) + np.arange(4, dtype=np.float32)]


def test_passages_go_in_batches_sorted_by_length_on_every_session(monkeypatch):
    from rag.models import onnx_embed

    class Tok:
        def enable_truncation(self, n):
            pass

        def no_padding(self):
            pass

        def encode_batch(self, texts):
            return [type("E", (), {"ids": [0] + [5 + len(t) % 7] * len(t) + [2]})() for t in texts]

    texts = ["x" * n for n in (9, 1, 5, 3, 7, 2, 8, 4, 6)]
    results = {}
    for sessions in (1, 2):
        seen = []
        e = onnx_embed.OnnxEmbedder("fake", ".", "int8", batch_size=2, passage_sessions=sessions)
        e._tokenizer, e._dim = (Tok(), __import__("threading").Lock()), 4
        monkeypatch.setattr(e, "_open", lambda threads, seen=seen: _RecordingSession(seen))
        results[sessions] = e.embed_passages(texts)
        # lengths 1-2, 3-4, 5-6, 7-8 and 9, each with "passage: " (9) and <s> </s>
        assert sorted(w for _, _, w in seen) == [13, 15, 17, 19, 20]
        assert len({s for s, _, _ in seen}) == sessions
    assert np.array_equal(results[1], results[2])


def test_batches_are_sorted_by_tokens_for_fp32_and_by_characters_for_int8(monkeypatch):
    from rag.models import onnx_embed

    class Tok:  # a text's tokens: one per character, but a "#" is eight
        def enable_truncation(self, n):
            pass

        def no_padding(self):
            pass

        def encode_batch(self, texts):
            return [type("E", (), {"ids": [0] + [7] * sum(8 if c == "#" else 1 for c in t) + [2]})() for t in texts]

    texts = ["aaaa", "#", "aaa", "##", "aaaaaa", "b"]  # ids with "passage: " (9), <s>, </s>: 15 19 14 27 17 12
    monkeypatch.setattr(onnx_embed, "CALL_TOKENS", 10**6)  # full batches (fp32's cheaper cuts: tests/test_speed_batches.py)
    widths = {}
    for precision, sort_by in (("fp32", None), ("int8", None), ("int8", "tokens"), ("fp32", "chars")):
        seen = []
        e = onnx_embed.OnnxEmbedder("fake", ".", precision, batch_size=2, sort_by=sort_by)
        e._tokenizer, e._dim = (Tok(), __import__("threading").Lock()), 4
        monkeypatch.setattr(e, "_open", lambda threads, seen=seen: _RecordingSession(seen))
        out = e.embed_passages(texts)
        widths[precision, sort_by] = sorted(w for _, _, w in seen)
        assert out.shape == (6, 4) and np.allclose(np.linalg.norm(out, axis=1), 1)
    by_chars = [17, 19, 27]  # "#"+"b", "##"+"aaa", "aaaa"+"aaaaaa": 126 ids with padding
    by_tokens = [14, 17, 27]  # "b"+"aaa", "aaaa"+"aaaaaa", "#"+"##": 116
    assert widths == {("fp32", None): by_tokens, ("int8", None): by_chars,
                      ("int8", "tokens"): by_tokens, ("fp32", "chars"): by_chars}


@pytest.mark.slow
def test_fp32_vectors_do_not_depend_on_how_the_batches_are_sorted(real_embedders):
    from rag.models.onnx_embed import OnnxEmbedder

    made = real_embedders["fp32"]
    texts = [t * k for k in (1, 3, 2) for t in TEXTS]  # lengths that sort differently by characters and tokens
    chars, tokens = (OnnxEmbedder(made.name, made._dir, "fp32", batch_size=2, sort_by=s).embed_passages(texts)
                     for s in ("chars", "tokens"))
    assert np.abs(chars - tokens).max() < 1e-5
