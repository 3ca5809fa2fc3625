"""The span reader on torch (rag/models/reader.py says what it is): the backbone with LoRA wrappers
and a start/end head, the adapter file's save, load and merge, and pair encoding with transformers'
tokenizer. Used by the torch runtime (RAG_EMBED_RUNTIME=torch), the ONNX export and training
(eval/train_reader.py); torch and transformers are imported inside the functions.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from rag.models.reader_common import ADAPTER_FILE, Span, adapter_info, best_spans, clip_question

TARGETS = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")


# ------------------------------------------------------------------ the model (torch)


def _lora_linear_class():
    import torch
    from torch import nn

    class LoraLinear(nn.Module):
        """y = base(x) + (x A^T B^T) * scale, with A, B trained and base frozen."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float):
            super().__init__()
            self.base = base
            self.rank = rank
            self.scale = alpha / rank
            self.lora_a = nn.Parameter(torch.zeros(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=5 ** 0.5)

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    return LoraLinear


def _linear_targets(encoder):
    """(parent module, attribute name, dotted name) of every linear layer LoRA adapts."""
    from torch import nn

    out = []
    for name, module in encoder.named_modules():
        for child_name, child in module.named_children():
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and any(full.endswith(t) for t in TARGETS) and ".layer." in f".{full}":
                out.append((module, child_name, full))
    return out


def build_model(model_dir: str | Path, rank: int = 8, alpha: float = 16.0, train: bool = True,
                attn: str | None = None):
    """The backbone from `model_dir` with LoRA wrappers and a span head: an nn.Module whose
    forward(input_ids, attention_mask) returns (start_logits, end_logits). `attn`: transformers'
    attention implementation ("eager" for the ONNX export; default: its own choice)."""
    import torch
    from torch import nn
    from transformers import AutoModel

    extra = {"attn_implementation": attn} if attn else {}
    encoder = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False, **extra)
    for p in encoder.parameters():
        p.requires_grad = False
    LoraLinear = _lora_linear_class()
    for parent, attr, _ in _linear_targets(encoder):
        setattr(parent, attr, LoraLinear(getattr(parent, attr), rank, alpha))
    for name, p in encoder.named_parameters():
        if "LayerNorm" in name and ".layer." in f".{name}":
            p.requires_grad = train

    class SpanModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.head = nn.Linear(encoder.config.hidden_size, 2)
            self.rank, self.alpha = rank, alpha

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            logits = self.head(hidden)
            return logits[..., 0], logits[..., 1]

    model = SpanModel()
    if not train:
        model.eval()
    torch.manual_seed(0)
    return model


def trained_state(model) -> dict:
    """The parameters training changed: LoRA matrices, LayerNorms and the head."""
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def save_adapter(model, path: str | Path, metadata: dict) -> None:
    import torch
    from safetensors.torch import save_file

    state = {}
    for k, v in trained_state(model).items():
        state[k] = v.to(torch.float16 if "lora_" in k else torch.float32).contiguous()
    meta = {"rank": str(model.rank), "alpha": str(model.alpha), "targets": ",".join(TARGETS),
            "info": json.dumps(metadata, ensure_ascii=False)}
    tmp = Path(str(path) + ".tmp")
    save_file(state, str(tmp), metadata=meta)
    tmp.replace(path)


def load_adapter(model, path: str | Path) -> None:
    import torch
    from safetensors.torch import load_file

    state = load_file(str(path))
    own = dict(model.named_parameters())
    missing = [k for k in state if k not in own]
    if missing:
        raise ValueError(f"{path}: unexpected parameters {missing[:3]}")
    with torch.no_grad():
        for k, v in state.items():
            own[k].copy_(v.to(own[k].dtype))


def merge_lora(model) -> None:
    """Fold every LoRA wrapper into its base layer (W += B A * scale): inference runs at the
    backbone's own speed."""
    import torch

    for parent, attr, _ in _linear_targets_wrapped(model.encoder):
        wrapper = getattr(parent, attr)
        with torch.no_grad():
            wrapper.base.weight += (wrapper.lora_b @ wrapper.lora_a) * wrapper.scale
        setattr(parent, attr, wrapper.base)


def _linear_targets_wrapped(encoder):
    out = []
    for name, module in encoder.named_modules():
        for child_name, child in module.named_children():
            if hasattr(child, "lora_a"):
                out.append((module, child_name, f"{name}.{child_name}"))
    return out


# ------------------------------------------------------------------ tokenising


def encode_pairs(tokenizer, question: str, texts: Sequence[str], max_len: int):
    """Token ids, masks and, per token, the character span it covers in its text ((0, 0) for
    question and special tokens)."""
    ends = [e for _, e in tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]]
    question = clip_question(question, ends)
    enc = tokenizer([question] * len(texts), list(texts), truncation="only_second", max_length=max_len,
                    padding=True, return_offsets_mapping=True, return_tensors="np")
    seq_ids = [enc.sequence_ids(i) for i in range(len(texts))]
    offsets = enc["offset_mapping"].copy()
    for i, ids in enumerate(seq_ids):
        for j, sid in enumerate(ids):
            if sid != 1:
                offsets[i, j] = (0, 0)
    context = [[sid == 1 for sid in ids] for ids in seq_ids]
    return enc["input_ids"], enc["attention_mask"], offsets, context


# ------------------------------------------------------------------ runtime


class Reader:
    """The trained reader, loaded once: read(question, texts) -> best span per text."""

    def __init__(self, model_dir: str | Path, adapter: str | Path = ADAPTER_FILE, max_len: int = 160):
        import os

        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on a user's terminal

        info = adapter_info(adapter)
        self.info = info
        self.max_len = max_len
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        model = build_model(model_dir, rank=info["rank"], alpha=info["alpha"], train=False)
        load_adapter(model, adapter)
        merge_lora(model)
        model.eval()
        self.model = model
        self._torch = torch

    def read(self, question: str, texts: Sequence[str]) -> list[Span | None]:
        if not texts:
            return []
        ids, mask, offsets, context = encode_pairs(self.tokenizer, question, texts, self.max_len)
        torch = self._torch
        with torch.inference_mode():
            s, e = self.model(torch.from_numpy(ids), torch.from_numpy(mask))
        spans = best_spans(s.numpy(), e.numpy(), offsets, context)
        return [None if b is None or b[1] <= b[0] else Span(i, b[0], b[1], b[2], b[3]) for i, b in enumerate(spans)]
