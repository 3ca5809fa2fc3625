"""The e5 tokenizer on the pieces a text needs (rag/models/lazy_tokenizer.py) encodes exactly as the
whole tokenizer.json: ids, masks, offsets, sequence ids; single texts and pairs, truncated and
padded as the embedder and the reader ask. Needs the assembled default model (slow)."""
from __future__ import annotations

import pytest

from rag.config import Settings

TEXTS = [
    "青禾县芦溪镇2031年接待游客约37万人次，旅游收入达2.6亿元。",
    "The Qinghe County fair drew 12,000 visitors;   芦溪镇镇长柯文澜致辞。",
    "臺灣「雲林縣」ＦＵＬＬ　ｗｉｄｔｈ ①②③ ﬁ café naïve 가나다 ℃ ㎡ 🙂 <mask> a<s>b",
    "",
    " ",
    "长" * 700,
    "据县融媒体中心消息，鹤鸣山隧道工程由闵思远牵头，预计于明年三月竣工通车。\n第二段：工程总投资约4.3亿元。",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    from tokenizers import Tokenizer

    from rag.models import lazy_tokenizer
    from rag.models.offline_model import ensure_default_model

    folder = ensure_default_model(Settings.from_env().cache_dir)
    pieces = tmp_path_factory.mktemp("tok") / "pieces.bin"
    lazy_tokenizer.write_pieces(folder / "tokenizer.json", pieces)
    return lazy_tokenizer.LazyTokenizer(folder / "tokenizer.json", pieces), Tokenizer.from_file(
        str(folder / "tokenizer.json"))


def same(a, b):
    assert [e.ids for e in a] == [e.ids for e in b]
    assert [e.attention_mask for e in a] == [e.attention_mask for e in b]
    assert [e.offsets for e in a] == [e.offsets for e in b]
    assert [e.sequence_ids for e in a] == [e.sequence_ids for e in b]


@pytest.mark.slow
def test_texts_encode_as_with_the_whole_vocabulary(both):
    lazy, full = both
    for tok in both:
        tok.enable_truncation(512)
        tok.no_padding()
    same(lazy.encode_batch(["passage: " + t for t in TEXTS]), full.encode_batch(["passage: " + t for t in TEXTS]))
    for tok in both:
        tok.no_truncation()
    assert lazy.encode(TEXTS[0], add_special_tokens=False).offsets == full.encode(
        TEXTS[0], add_special_tokens=False).offsets
    assert lazy._full is None  # all of it on the pieces the texts need


@pytest.mark.slow
def test_pairs_truncated_and_padded_as_the_reader_asks(both):
    lazy, full = both
    for tok in both:
        tok.enable_truncation(160, strategy="only_second")
        tok.enable_padding(pad_id=1, pad_token="<pad>")
    pairs = [("芦溪镇接待了多少游客？", t) for t in TEXTS if t.strip()]
    same(lazy.encode_batch(pairs), full.encode_batch(pairs))


@pytest.mark.slow
def test_after_many_characters_the_whole_tokenizer_takes_over(both, monkeypatch):
    from rag.models import lazy_tokenizer

    lazy, full = both
    monkeypatch.setattr(lazy_tokenizer, "FULL_AFTER", 0)
    for tok in both:
        tok.enable_truncation(512)
        tok.no_padding()
    same(lazy.encode_batch(TEXTS), full.encode_batch(TEXTS))
    assert lazy._full is not None
