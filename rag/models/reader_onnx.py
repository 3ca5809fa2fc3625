"""The trained span reader on ONNX Runtime: the answer path without torch or transformers.

The reader of rag/models/reader.py (the e5-small encoder with the shipped LoRA adapters merged into
its weights, and the start/end head) is exported once to ONNX into the model cache, keyed by the
adapter file's sha256 (a retrained adapter gets a new file): `(input_ids, attention_mask) ->
(start_logits, end_logits)`. Question and texts are tokenised with the model folder's
tokenizer.json through `tokenizers` exactly as the torch reader's transformers tokenizer does
(pairs, truncation of the text only, padding to the longest), and spans are chosen by the same
`best_spans`. tests/test_reader_onnx.py checks that both readers choose the same spans.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

from rag.models.reader_common import ADAPTER_FILE, Span, adapter_info, best_spans, clip_question

THREADS = 1  # built directly; the pipeline passes Settings.onnx_threads (2 on 2 cores: a reading's wall time
# about 0.6x, the same logits bit for bit; README "Measured quality and speed")


def adapter_sha256(adapter: str | Path = ADAPTER_FILE) -> str:
    return hashlib.sha256(Path(adapter).read_bytes()).hexdigest()


def reader_path(model_dir: Path, adapter: str | Path = ADAPTER_FILE, precision: str = "fp32") -> Path:
    from rag.models.onnx_cache import onnx_dir

    return onnx_dir(model_dir) / f"reader-{adapter_sha256(adapter)[:16]}-{precision}.onnx"


def export_reader(model_dir: str | Path, adapter: str | Path, out: Path) -> None:
    """Write the merged reader (encoder + LoRA folded in + head) to `out`. Imports torch."""
    from rag.models.reader_torch import build_model, load_adapter, merge_lora
    from rag.models.onnx_export import _quiet, export_module

    _quiet()
    info = adapter_info(adapter)
    model = build_model(model_dir, rank=info["rank"], alpha=info["alpha"], train=False, attn="eager")
    load_adapter(model, adapter)
    merge_lora(model)
    export_module(model.eval(), out, ("start_logits", "end_logits"))


def encode_pairs(tokenizer, question: str, texts: Sequence[str], max_len: int):
    """rag.models.reader_torch.encode_pairs with `(tokenizers.Tokenizer, lock)` of
    rag.models.onnx_embed.shared_tokenizer: the same ids, masks, offsets within each text and
    context flags."""
    import numpy as np

    tok, lock = tokenizer
    with lock:
        tok.no_truncation()
        tok.no_padding()
        question = clip_question(question, [e for _, e in tok.encode(question, add_special_tokens=False).offsets])
        tok.enable_truncation(max_len, strategy="only_second")
        tok.enable_padding(pad_id=1, pad_token="<pad>")  # to the longest pair of the batch, on the right
        encs = tok.encode_batch([(question, t) for t in texts])
    ids = np.array([e.ids for e in encs], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
    offsets = np.array([e.offsets for e in encs], dtype=np.int64).reshape(len(encs), ids.shape[1], 2)
    context = []
    for i, e in enumerate(encs):
        flags = [sid == 1 for sid in e.sequence_ids]
        offsets[i, ~np.asarray(flags, dtype=bool)] = 0
        context.append(flags)
    return ids, mask, offsets, context


class OnnxReader:
    """The trained reader on onnxruntime: read(question, texts) -> best span per text."""

    def __init__(self, model_dir: str | Path, adapter: str | Path = ADAPTER_FILE, max_len: int = 160,
                 precision: str = "fp32", threads: int = THREADS):
        from rag.models import onnx_split
        from rag.models.onnx_embed import shared_tokenizer

        model_dir = Path(model_dir)
        self.info = adapter_info(adapter)
        self.max_len = max_len
        self.runtime = f"onnx-{precision}"
        self.tokenizer = shared_tokenizer(model_dir)
        path = reader_path(model_dir, adapter, precision)
        source = {"from": str(model_dir), "adapter_sha256": adapter_sha256(adapter)}
        self.session = onnx_split.open_session(path, threads, _export_fn(model_dir, adapter, precision),
                                          f"the reader (ONNX {precision})", source)

    def read(self, question: str, texts: Sequence[str]) -> list[Span | None]:
        if not texts:
            return []
        ids, mask, offsets, context = encode_pairs(self.tokenizer, question, texts, self.max_len)
        s, e = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        spans = best_spans(s, e, offsets, context)
        return [None if b is None or b[1] <= b[0] else Span(i, b[0], b[1], b[2], b[3]) for i, b in enumerate(spans)]


def _export_fn(model_dir: Path, adapter, precision: str):
    from rag.models import onnx_cache

    def fp32(out: Path) -> None:
        export_reader(model_dir, adapter, out)

    if precision == "fp32":
        return fp32

    def int8(out: Path) -> None:
        from rag.models.onnx_export import quantize_int8

        src = onnx_cache.ensure_file(reader_path(model_dir, adapter, "fp32"), fp32, "the reader (ONNX fp32)",
                                     {"from": str(model_dir), "adapter_sha256": adapter_sha256(adapter)})
        quantize_int8(src, out)

    return int8
