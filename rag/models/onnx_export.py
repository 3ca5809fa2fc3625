"""Export torch modules to ONNX, and quantise them: the only place the ONNX runtime path uses torch.

Called from rag/models/onnx_cache.py the first time a model's ONNX file is needed (the first
`rag index` or `rag ask`, or `make chat`'s index build), never on later runs. torch's TorchScript
exporter (`dynamo=False`) is used: it needs neither onnxscript nor a model-hub download, and the
graphs it writes have dynamic batch and sequence axes.
"""
from __future__ import annotations

import os
from pathlib import Path

OPSET = 17
INPUTS = ("input_ids", "attention_mask")


def _quiet() -> None:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_encoder(model_dir: str | Path):
    """The XLM-R encoder of a model folder, in eval mode, with the plain (exportable) attention."""
    _quiet()
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    return AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False, attn_implementation="eager").eval()


def export_module(module, out: Path, output_names: tuple[str, ...]) -> None:
    """Write `module` (forward(input_ids, attention_mask) -> tensors) to `out` with dynamic axes."""
    import warnings

    import torch

    ids = torch.tensor([[0, 6, 5, 2], [0, 6, 2, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, *output_names)}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow on shapes
        torch.onnx.export(module.eval(), (ids, mask), str(out), dynamo=False, input_names=list(INPUTS),
                          output_names=list(output_names), dynamic_axes=axes, opset_version=OPSET,
                          do_constant_folding=True)


def export_encoder(model_dir: str | Path, out: Path) -> None:
    """The encoder alone: (input_ids, attention_mask) -> last_hidden_state (batch, tokens, hidden).
    Pooling and normalisation run in numpy (rag/models/onnx_embed.py), as sentence-transformers does."""
    import torch

    encoder = load_encoder(model_dir)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    export_module(Encoder(), out, ("last_hidden_state",))


def quantize_int8(src: Path, out: Path, op_types: tuple[str, ...] | None = None) -> None:
    """Dynamic int8 quantisation (weights int8, activations quantised per batch at run time)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # "consider pre-processing" advice on the root logger
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8,
                     op_types_to_quantize=list(op_types) if op_types else None)
