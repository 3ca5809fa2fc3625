"""The e5 tokenizer without loading its 250,002 pieces for the first few texts of a process.

`Tokenizer.from_file(tokenizer.json)` takes 0.7-0.9 s of CPU here, nearly all of it building the
Unigram model of XLM-R's 250,002 pieces; a cold `rag ask` encodes one question and a dozen reader
windows. A Unigram segmentation of a text only ever uses pieces that are substrings of its
normalised pre-tokens, so a model of just those pieces (plus the lowest-scored piece, which fixes
the unknown-token score, and the special tokens at their ids 0-3) segments it the same way; its
ids are mapped back to the full vocabulary's.

`LazyTokenizer` has the methods of `tokenizers.Tokenizer` that rag/models/onnx_embed.py and
reader_onnx.py use (enable_truncation, no_truncation, enable_padding, no_padding, encode,
encode_batch). It keeps a "skeleton" Tokenizer (the normaliser, pre-tokeniser, post-processor and
added tokens of tokenizer.json, no vocabulary) and, per call, gives it a Unigram model of the
pieces the texts can use, found by first characters in one marshalled file written once beside the
ONNX files (the pieces of recent pre-tokens are remembered). It stays so: the whole tokenizer holds
282 MB more (its Unigram trie), for 1-2 ms less a reader batch; FULL_AFTER set to a number of
characters loads it after that many. Encodings are the same either way
(tests/test_lazy_tokenizer.py compares ids, masks, offsets and sequence ids).
"""
from __future__ import annotations

import json
import marshal
import re
import threading
from pathlib import Path

from rag.files import write_blob_index

FORMAT = 2
# characters encoded before the whole tokenizer.json is loaded; None: never. The whole one is faster
# a call (a reader batch 2 vs 3-4 ms) but holds 282 MB more (its Unigram trie); see the module notes
FULL_AFTER: int | None = None
MEMO_WORDS = 4096  # pre-tokens whose pieces are remembered (then all forgotten at once)
SPECIALS = 5  # <s> <pad> </s> <unk> at ids 0-3 in both vocabularies, <mask> at 4 here (250001 there)
MAX_PIECE = 16  # characters in XLM-R's longest piece (checked when the file is written)


def pieces_path(model_dir: Path) -> Path:
    from rag.models.onnx_cache import onnx_dir

    return onnx_dir(model_dir) / f"tokenizer-pieces-v{FORMAT}.bin"


def _key(piece: str) -> str:
    return piece[:2] if piece.startswith("▁") else piece[:1]  # a third of the pieces start with ▁


def write_pieces(tokenizer_json: Path, out: Path) -> None:
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = spec["model"]
    if model.get("type") != "Unigram" or model.get("unk_id") != 3 or model.get("byte_fallback"):
        raise ValueError(f"{tokenizer_json}: not the Unigram model this file is made for")
    vocab = model["vocab"]
    added = {t["content"]: t["id"] for t in spec["added_tokens"]}
    special_ids = [added[name] for name in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")]
    if special_ids[:4] != [0, 1, 2, 3] or len(added) != SPECIALS:
        raise ValueError(f"{tokenizer_json}: not the special tokens this file is made for")
    lowest = min(score for _, score in vocab)
    keep = [(i, p, s) for i, (p, s) in enumerate(vocab) if s == lowest]
    buckets: dict[str, dict[str, tuple[int, float]]] = {}
    for i, (piece, score) in enumerate(vocab):
        if i in special_ids:
            continue
        if len(piece) > MAX_PIECE:
            raise ValueError(f"{tokenizer_json}: a piece longer than {MAX_PIECE} characters")
        buckets.setdefault(_key(piece), {})[piece] = (i, score)
    skeleton = dict(spec, model=dict(model, vocab=[vocab[i] for i in special_ids]))
    blobs, offsets, at = [], {}, 0
    for key, part in buckets.items():
        blob = marshal.dumps(part)
        offsets[key] = (at, len(blob), max(len(p) for p in part))
        blobs.append(blob)
        at += len(blob)
    head = marshal.dumps((FORMAT, json.dumps(skeleton), keep, special_ids, offsets))
    write_blob_index(out, head, blobs)


class _Mapped:
    """An Encoding whose ids are the full vocabulary's."""

    def __init__(self, enc, table: list[int]):
        self._enc = enc
        self.ids = [table[i] for i in enc.ids]

    def __getattr__(self, name):
        return getattr(self._enc, name)


class LazyTokenizer:
    def __init__(self, tokenizer_json: Path, pieces: Path):
        from tokenizers import Tokenizer

        data = pieces.read_bytes()
        n = int.from_bytes(data[:8], "little")
        fmt, skeleton, self._lowest, self._special_ids, self._offsets = marshal.loads(data[8 : 8 + n])
        if fmt != FORMAT:
            raise ValueError(f"{pieces}: format {fmt}, not {FORMAT}")
        self._data, self._base = data, 8 + n
        self._json = tokenizer_json
        self._skeleton = Tokenizer.from_str(skeleton)
        self._specials = [(p, s) for p, s in json.loads(skeleton)["model"]["vocab"]]
        self._split = re.compile("|".join(re.escape(p) for p, _ in self._specials))  # added tokens: cut out first
        self._buckets: dict[str, tuple[dict, int]] = {}  # first characters -> (pieces, longest)
        self._memo: dict[str, list] = {}
        self._full = None
        self._chars = 0
        self._lock = threading.Lock()

    # -- the settings: on whichever tokenizer is in use, and the full one once loaded ---------
    def enable_truncation(self, *args, **kw):
        self._active().enable_truncation(*args, **kw)

    def no_truncation(self):
        self._active().no_truncation()

    def enable_padding(self, *args, **kw):
        self._active().enable_padding(*args, **kw)

    def no_padding(self):
        self._active().no_padding()

    def _active(self):
        return self._full or self._skeleton

    # -- encoding ----------------------------------------------------------------------------
    def encode(self, text, pair=None, add_special_tokens: bool = True):
        return self.encode_batch([text if pair is None else (text, pair)], add_special_tokens)[0]

    def encode_batch(self, inputs, add_special_tokens: bool = True):
        texts = [t for item in inputs for t in ((item,) if isinstance(item, str) else item)]
        with self._lock:
            if self._full is None and FULL_AFTER is not None:
                self._chars += sum(len(t) for t in texts)
                if self._chars > FULL_AFTER:
                    self._load_full()
            if self._full is not None:
                return self._full.encode_batch(inputs, add_special_tokens=add_special_tokens)
            table = self._fit(texts)
            encs = self._skeleton.encode_batch(inputs, add_special_tokens=add_special_tokens)
            return [_Mapped(e, table) for e in encs]

    def _load_full(self) -> None:
        from tokenizers import Tokenizer

        full = Tokenizer.from_file(str(self._json))
        trunc, pad = self._skeleton.truncation, self._skeleton.padding
        if trunc:
            full.enable_truncation(trunc["max_length"], stride=trunc["stride"], strategy=trunc["strategy"],
                                   direction=trunc["direction"])
        if pad:
            full.enable_padding(direction=pad["direction"], pad_id=pad["pad_id"], pad_type_id=pad["pad_type_id"],
                                pad_token=pad["pad_token"], length=pad["length"],
                                pad_to_multiple_of=pad["pad_to_multiple_of"])
        self._full = full

    def _fit(self, texts: list[str]) -> list[int]:
        """Give the skeleton a Unigram model of the pieces `texts` can use; the table of their ids."""
        from tokenizers.models import Unigram

        found: dict[int, tuple[str, float]] = {i: (p, s) for i, p, s in self._lowest}
        norm, pre = self._skeleton.normalizer, self._skeleton.pre_tokenizer
        for text in texts:
            for part in self._split.split(text):
                for word, _ in pre.pre_tokenize_str(norm.normalize_str(part)):
                    self._scan(word, found)
        ids = sorted(i for i in found if i not in self._special_ids)
        vocab = self._specials + [found[i] for i in ids]
        self._skeleton.model = Unigram(vocab, 3, False)
        return list(self._special_ids) + ids

    def _scan(self, word: str, found: dict) -> None:
        hits = self._memo.get(word)
        if hits is None:
            hits = []
            for i, ch in enumerate(word):
                for key in ((ch, word[i : i + 2]) if ch == "▁" else (ch,)):
                    bucket, longest = self._bucket(key)
                    for end in range(i + len(key), min(len(word), i + longest) + 1):
                        hit = bucket.get(word[i:end])
                        if hit is not None:
                            hits.append((hit[0], word[i:end], hit[1]))
            if len(self._memo) >= MEMO_WORDS:
                self._memo.clear()
            self._memo[word] = hits
        for i, piece, score in hits:
            found[i] = (piece, score)

    def _bucket(self, key: str) -> tuple[dict, int]:
        got = self._buckets.get(key)
        if got is None:
            where = self._offsets.get(key)
            if where is None:
                got = ({}, 0)
            else:
                start = self._base + where[0]
                got = (marshal.loads(self._data[start : start + where[1]]), where[2])
            self._buckets[key] = got
        return got


def load(model_dir: Path):
    """A LazyTokenizer of the folder's tokenizer.json (its pieces file written first if needed), or
    the whole `tokenizers.Tokenizer` when that cannot be."""
    from tokenizers import Tokenizer

    source = Path(model_dir) / "tokenizer.json"
    out = pieces_path(Path(model_dir))
    try:
        if not out.exists() or out.stat().st_mtime < source.stat().st_mtime:
            write_pieces(source, out)
        return LazyTokenizer(source, out)
    except (OSError, ValueError, KeyError, EOFError):
        return Tokenizer.from_file(str(source))
