"""The trained reader on ONNX Runtime (rag/models/reader_onnx.py): the runtime is passed on (fast);
the same spans as the torch reader, and an answer path without torch (slow, real model)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_build(monkeypatch, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    monkeypatch.setattr("rag.models.offline_model.ensure_default_model", lambda cache_dir: folder)
    return folder


def test_the_pipeline_passes_the_runtime_to_the_reader(no_build, monkeypatch, tmp_path):
    from rag.pipeline import Pipeline

    seen = []
    monkeypatch.setattr("rag.models.reader.load_reader", lambda folder, runtime, threads: seen.append(runtime) or "R")
    for runtime in ("onnx", "torch"):
        pipe = Pipeline(Settings(index_dir=tmp_path / "i", cache_dir=tmp_path, embed_runtime=runtime))
        assert pipe.reader == "R"
    assert seen == ["onnx", "torch"]


@pytest.fixture(scope="session")
def readers():
    from rag.models.reader_torch import Reader
    from rag.models.reader_onnx import OnnxReader
    from rag.models.offline_model import ensure_default_model

    folder = ensure_default_model(Settings().cache_dir)
    return Reader(folder), OnnxReader(folder)


WINDOWS = [
    ("青石村共有多少农户？", ["青石村位于河谷北岸，全村共有农户320户。", "今年春天，青石村新修了一座石桥。"]),
    ("大陈村2024年接待了多少游客？", ["2024年，该村接待游客约40万人次，村集体经济收入达251万元。"]),
    ("城投集团的董事长是谁", ["城投集团董事长应开华表示，将加快推进重点项目建设。", "会议由副市长主持。",
                          "应开华强调，要守牢安全底线。"]),
    ("Who chairs the group?", ["城投集团董事长应开华表示，将加快推进重点项目建设。"]),
    ("固定资产投资连续多少个月保持两位数增长", ["全市固定资产投资连续40个月保持两位数增长，" * 12]),  # truncated
    ("大陈村2024年接待了多少游客" * 25 + "？", ["2024年，该村接待游客约40万人次。"]),  # a question over max_len
]


@pytest.mark.slow
def test_the_onnx_reader_chooses_the_torch_readers_spans(readers):
    torch_reader, onnx_reader = readers
    for question, texts in WINDOWS:
        a, b = torch_reader.read(question, texts), onnx_reader.read(question, texts)
        assert len(a) == len(b) == len(texts)
        for x, y in zip(a, b):
            assert (x is None) == (y is None)
            if x is not None:
                assert (x.start, x.end) == (y.start, y.end), (question, x, y)
                assert abs(x.score - y.score) < 1e-3 and abs(x.null_score - y.null_score) < 1e-3


@pytest.mark.slow
def test_pair_tokenisation_equals_the_transformers_tokenizer(readers):
    import numpy as np

    from rag.models.reader_torch import encode_pairs as hf_encode
    from rag.models.reader_onnx import encode_pairs as fast_encode

    torch_reader, onnx_reader = readers
    for question, texts in WINDOWS + [("空格 ", [" 前后有空格 ", "", "x"])]:
        a = hf_encode(torch_reader.tokenizer, question, texts, 160)
        b = fast_encode(onnx_reader.tokenizer, question, texts, 160)
        for x, y in zip(a[:3], b[:3]):
            assert np.array_equal(x, y)
        assert a[3] == b[3]


@pytest.mark.slow
def test_asking_imports_neither_torch_nor_sentence_transformers(seed_pipeline):
    """A new process answers from the seed index on onnxruntime alone (embedder and reader)."""
    index = seed_pipeline.settings.index_dir
    code = (
        "import sys\n"
        "from rag.cli import main\n"
        f"rc = main(['ask', '大陈村2024年接待了多少游客？', '--index', {str(index)!r}, '--json'])\n"
        "print('HEAVY', [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules])\n"
        "print('RC', rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={**os.environ, "RAG_EMBED_RUNTIME": "onnx"})
    assert "RC 0" in out.stdout, out.stdout + out.stderr
    assert "HEAVY []" in out.stdout, out.stdout
    answer = json.loads(out.stdout[out.stdout.index("{"): out.stdout.rindex("}") + 1])
    assert "40万人次" in answer["answer"].replace(" ", "")
