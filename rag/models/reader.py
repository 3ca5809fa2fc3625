"""A learned span reader: given a question and a few short texts, where in them is the answer.

The backbone is the default embedding model (multilingual-e5-small, an XLM-R encoder), with small
low-rank adapters (LoRA) on its linear layers, its LayerNorms retrained, and a start/end head on
top. Only those small parts are shipped (`rag/data/reader-adapter.safetensors`, about a megabyte);
they are merged into the backbone's weights when the reader loads. `eval/train_reader.py`
trains them on DRCD (converted to Simplified Chinese) and writes the file.

Each text is read as `<s> question </s></s> text </s>`; the head scores every token as the start
and the end of the answer, and the first token (`<s>`) stands for "no answer here". A span's
score is P(start) * P(end) under a softmax over the text's tokens and `<s>`: a probability that
is calibrated on held-out data (see eval/README.md), so one threshold decides whether a short
answer is shown.

torch and transformers are imported only when a torch reader is built (RAG_EMBED_RUNTIME=torch,
and training); the default reader runs on onnxruntime (rag/models/reader_onnx.py). What both
runtimes share is in rag/models/reader_common.py; the torch model in rag/models/reader_torch.py.
"""
from __future__ import annotations

from pathlib import Path

from rag.models.reader_common import ADAPTER_FILE


def load_reader(model_dir: str | Path, runtime: str = "onnx", threads: int = 1, adapter: str | Path = ADAPTER_FILE):
    """The reader over the assembled default model, on onnxruntime (rag/models/reader_onnx.py; `threads`
    intra-op threads, Settings.onnx_threads) or, with runtime="torch", on torch; ModelUnavailable
    when it cannot load."""
    from rag.errors import ModelUnavailable

    if not Path(adapter).is_file():
        raise ModelUnavailable(f"The reader's adapter {adapter} is missing: reinstall the package, "
                               "or set RAG_READER=off to answer without short answers.")
    try:
        if runtime == "onnx":
            from rag.models.reader_onnx import OnnxReader

            return OnnxReader(model_dir, adapter, threads=threads)
        from rag.models.reader_torch import Reader

        return Reader(model_dir, adapter)
    except (OSError, ValueError, RuntimeError) as err:
        raise ModelUnavailable(f"Cannot load the reader ({type(err).__name__}: {str(err)[:200]}); "
                               "set RAG_READER=off to answer without it.") from None
