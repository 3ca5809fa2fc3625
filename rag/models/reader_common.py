"""What both reader runtimes share (rag/models/reader_torch.py, rag/models/reader_onnx.py): the
shipped adapter file and its metadata, the Span a reader returns, the question's clipping, and the
choice of the best span from start/end logits. Only the standard library here; numpy and
safetensors are imported inside the functions that need them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ADAPTER_FILE = Path(__file__).parents[1] / "data" / "reader-adapter.safetensors"
MAX_ANSWER_TOKENS = 40
MAX_QUESTION_TOKENS = 64  # a longer question is cut: only the text is truncated to fit max_len


@dataclass(frozen=True)
class Span:
    """The reader's best answer in texts[index]: text[start:end], with its probability."""

    index: int
    start: int
    end: int
    score: float
    null_score: float  # probability that this text holds no answer


def adapter_info(path: str | Path = ADAPTER_FILE) -> dict:
    from safetensors import safe_open

    with safe_open(str(path), "np") as fh:  # metadata only; "np" keeps torch out
        meta = fh.metadata() or {}
    return {"rank": int(meta.get("rank", 8)), "alpha": float(meta.get("alpha", 16)),
            **json.loads(meta.get("info", "{}"))}


def clip_question(question: str, token_ends: Sequence[int], limit: int = MAX_QUESTION_TOKENS) -> str:
    """The question up to the end of its limit-th token (`token_ends`: each token's end offset).
    Without this a question longer than max_len leaves no room for the text, and the tokenizer
    raises instead of truncating."""
    return question if len(token_ends) <= limit else question[: int(token_ends[limit - 1])]


def best_spans(start_logits, end_logits, offsets, context, max_tokens: int = MAX_ANSWER_TOKENS):
    """Per row: (char start, char end, P(span), P(null)) of the best span, or None."""
    import numpy as np

    out = []
    for i in range(start_logits.shape[0]):
        ctx = np.asarray(context[i], dtype=bool)
        if not ctx.any():
            out.append(None)
            continue
        allowed = ctx.copy()
        allowed[0] = True  # <s>: no answer
        def softmax(x):
            x = np.where(allowed, x, -np.inf)
            x = x - x[allowed].max()
            e = np.exp(x)
            return e / e.sum()
        ps, pe = softmax(start_logits[i]), softmax(end_logits[i])
        idx = np.flatnonzero(ctx)
        s_p, e_p = ps[idx], pe[idx]
        # best (s <= e < s + max_tokens) by P(s) * P(e)
        pair = np.outer(s_p, e_p)
        pair = np.triu(pair) - np.triu(pair, k=max_tokens)
        k = int(pair.argmax())
        si, ei = divmod(k, len(idx))
        s_tok, e_tok = idx[si], idx[ei]
        start, end = int(offsets[i, s_tok, 0]), int(offsets[i, e_tok, 1])
        out.append((start, end, float(pair.flat[k]), float(ps[0] * pe[0])))
    return out
