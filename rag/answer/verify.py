"""A generated reply -> only what the cited passages support, each sentence with a verbatim quote.

The model was given numbered passages and asked to put [n] after every claim. Here the reply is
split into sentences and each one is checked against the passages it cites:
  - it cites at least one passage that exists;
  - every number (with its unit), date, and proper name in it occurs in those passages, after
    normalising full/half width, spaces, case, traditional/simplified and Chinese/Arabic numerals
    (三万元 = 3万元 = 30,000元; an English name may match the pinyin of a Chinese one);
  - a sentence in the passages' language shares enough of its wording with them (a sentence
    that cites [2] for something [2] does not talk about fails here even with no number in it);
  - it is complete (a reply cut off mid-sentence loses that sentence).
A sentence that passes gets the passage sentence(s) holding its facts as verbatim quotes (offsets
into the stored document). The rest are removed from the answer and reported in `checks`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from rag.text import is_chinese, normalize_for_search, sentence_spans
from rag.types import Document, SentenceCheck

MIN_OVERLAP = 0.25  # share of a sentence's character pairs (or words) found in the passages it cites
MAX_QUOTES = 3  # passage sentences quoted for one generated sentence at most
MIN_SUBSTANCE = {True: 6, False: 3}  # a sentence states something with this many Chinese characters/digits (or words)

_MARKER = re.compile(r"\s*[\[【［]\s*(?:资料|来源|文章|passage|source)?\s*"
                     r"(\d{1,3}(?:\s*[,，、;；]\s*(?:资料|来源|文章|passage|source)?\s*\d{1,3})*)\s*[\]】］]",
                     re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*")
_ENDS = "。！？!?…"
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.、)）])\s+")
_EN_SENTENCE = re.compile(r"(?<=[a-z0-9)\]%”\"'][.;])\s+(?=[A-Z\"“(\[])")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
# a Chinese numeral is a fact only before a measure word (一些, 统一, 十分 are not numbers)
_MEASURE = set("年月日号个人名位家户项次岁元角分米亩吨台辆座所条件份批期届倍天周時时期元股栋层场篇本张部起例万亿%")
_NOT_NUMBERS = ("十分", "万分", "千万", "万一", "一一", "一直", "一起", "一些", "一定", "一般", "一切", "一样", "之一",
                "统一", "唯一", "一致", "一同", "一旦", "一度", "一律", "一向", "一系列", "一方面", "一体")
_NUMBER = re.compile(
    rf"(?P<pct>百分之)?(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN_NUM}]+)"
    r"(?P<mult>\s*(?:万亿|万|亿|千|百|thousand|million|billion))?(?P<unit>\s*(?:%|‰|[\u4e00-\u9fff]))?",
    re.IGNORECASE)
_EN_MULT = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "万": 1e4, "亿": 1e8, "万亿": 1e12, "千": 1e3, "百": 1e2}
_NAME_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
_EN_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]+(?:\s+(?:of\s+)?[A-Z][a-zA-Z'’-]+)*")
_EN_GENERIC = {"village", "county", "city", "town", "township", "province", "district", "group", "company",
               "party", "committee", "street", "road", "river", "lake", "mountain", "bureau", "office", "the",
               "of", "government", "people's", "peoples", "congress", "association", "school", "university",
               "hospital", "park", "station", "center", "centre", "corporation", "co", "ltd", "cpc", "chinese",
               "china"}
_EN_COMMON = {"The", "This", "That", "These", "Those", "It", "In", "On", "At", "According", "By", "For", "As",
              "A", "An", "I", "He", "She", "They", "We", "There", "Its", "Their", "His", "Her", "And", "But",
              "Yes", "No", "Sources", "Source", "Passage", "Passages", "Article", "Articles"}
_TITLE = re.compile(r"《([^《》]{1,40})》")
_REFUSAL = re.compile(r"(没有(?:提到|提及|找到|说明|相关)|未(?:提到|提及|说明)|无法(?:回答|确定|从)|不能确定|"
                      r"do(?:es)? not (?:say|mention|contain|state|answer)|not mentioned|no information|cannot answer|"
                      r"can't answer|don't say)", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """Passage [n] of the prompt: a stretch of a stored document."""

    n: int
    doc: Document
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]


@dataclass(frozen=True)
class Quote:
    """A verbatim passage sentence that supports a generated sentence."""

    source: Source
    start: int
    end: int

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.source.doc.id, self.start, self.end)


@dataclass(frozen=True)
class Checked:
    check: SentenceCheck
    quotes: tuple[Quote, ...] = ()


# -- the reply's sentences ------------------------------------------------------------------------

def split_reply(reply: str, complete: bool = True) -> list[tuple[str, tuple[int, ...], bool]]:
    """(text without markers, cited numbers, whole) for each sentence of a reply. Markers written
    after a sentence's full stop ("...万元。[1]") belong to that sentence; the last sentence is not
    whole when the reply was cut off before it ended."""
    reply = unicodedata.normalize("NFC", reply or "").strip()
    pieces: list[tuple[int, int]] = []
    for line_start, line_end in _lines(reply):
        for s, e in sentence_spans(reply, line_start, line_end):
            # English full stops (sentence_spans splits on Chinese and !? marks only)
            cut = s
            for m in _EN_SENTENCE.finditer(reply, s, e):
                pieces.append((cut, m.start()))
                cut = m.end()
            pieces.append((cut, e))
    out: list[list] = []
    for s, e in pieces:
        text = reply[s:e]
        lead = re.match(rf"^(?:{_MARKER.pattern})+", text)
        if lead and out:  # markers that opened this piece close the previous sentence
            out[-1][1].extend(_numbers(lead.group()))
            text = text[lead.end():]
        cited = _numbers(text)
        bare = _BULLET.sub("", _MARKDOWN.sub("", _MARKER.sub("", text))).strip()
        if not bare.strip(_ENDS + "。，,;；：: "):
            if out:
                out[-1][1].extend(cited)
            continue
        out.append([bare, cited, True])
    if out and not complete:
        last = out[-1]
        last[2] = last[0].rstrip("”’\"')）】").endswith(tuple(_ENDS + ".;；"))
    return [(t, tuple(dict.fromkeys(c)), whole) for t, c, whole in out]


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _numbers(text: str) -> list[int]:
    return [int(x) for m in _MARKER.finditer(text) for x in re.findall(r"\d{1,3}", m.group(1))]


# -- facts: numbers with units, names --------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"\s+", "", normalize_for_search(text))


def cn_to_number(s: str) -> float | None:
    """二十五 -> 25, 三万五千 -> 35000, 二〇二四 -> 2024, 1.5 -> 1.5; None when it is not a numeral."""
    s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        pass
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG for ch in s):
        return None
    if all(ch in _CN_DIGITS for ch in s) and len(s) > 1:  # 二〇二四: digit by digit
        return float("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            section += digit or 0
            total = (total + section) * _CN_BIG[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def numbers_in(text: str) -> list[tuple[float, str, str]]:
    """(value, unit, as written) of the numbers in a text; units are one character (元, 年, 个, %),
    or "" where none follows; 万/亿/million scale the value."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for m in _NUMBER.finditer(text):
        raw, written = m.group("num"), m.group()
        mult = (m.group("mult") or "").strip().lower()
        unit = (m.group("unit") or "").strip()
        chinese = not raw[0].isdigit()
        if chinese:
            window = text[max(0, m.start() - 2):m.end() + 2]
            if not any(ch in _CN_DIGITS or ch == "十" for ch in raw) or any(
                    w in window and set(w) & set(raw) for w in _NOT_NUMBERS):
                continue
            if not (m.group("pct") or (unit and unit in _MEASURE) or mult):
                continue
        value = cn_to_number(raw)
        if value is None or (chinese and value == 1 and not m.group("pct")):
            continue
        value *= _EN_MULT.get(mult, 1.0)
        if m.group("pct"):
            unit = "%"
        if unit and not (unit in _MEASURE or unit in "%‰"):
            unit = ""  # a number followed by an ordinary character: no unit to compare
        out.append((round(value, 6), unit, written.strip()))
    return out


def names_in(sentence: str) -> list[str]:
    """Proper names a sentence states: people, places, organisations (jieba's tags), titles in 《》,
    Latin-script names; for an English sentence, its capitalised words after the first."""
    names = [m.group(1) for m in _TITLE.finditer(sentence)]
    if is_chinese(sentence):
        from rag.jieba_load import posseg

        pseg = posseg()

        plain = _TITLE.sub(" ", sentence)
        for w in pseg.cut(plain):
            if w.flag in _NAME_TAGS and len(w.word) >= 2 and not _NUMBER.fullmatch(w.word):
                names.append(w.word)
            elif w.flag == "eng" and len(w.word) >= 2 and any(c.isupper() for c in w.word):
                names.append(w.word)
    else:
        for m in _EN_NAME.finditer(sentence):
            words = [w for w in m.group().split() if w not in _EN_COMMON or m.start() > 0]
            if m.start() == 0 and words and m.group().split()[0] in _EN_COMMON:
                words = m.group().split()[1:]
            if any(w.lower() not in _EN_GENERIC and w not in _EN_COMMON for w in words):
                names.append(" ".join(words))
    return list(dict.fromkeys(n for n in names if n.strip()))


@lru_cache(maxsize=256)
def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        return ""
    return "".join(lazy_pinyin(text)).lower()


def _name_found(name: str, norm_text: str, raw_text: str) -> bool:
    if _norm(name) in norm_text:
        return True
    if is_chinese(name) or not is_chinese(raw_text):
        return False
    # an English name for a Chinese one: its distinctive words in the passage's pinyin
    words = [re.sub(r"[^a-z]", "", w.lower()) for w in name.split()]
    words = [w for w in words if w and w not in _EN_GENERIC]
    return bool(words) and "".join(words) in _pinyin(raw_text)


def _number_found(fact: tuple[float, str, str], facts: Sequence[tuple[float, str, str]]) -> bool:
    value, unit, _ = fact
    for v, u, _ in facts:
        if abs(v - value) <= 1e-9 * max(1.0, abs(value)) and (not unit or not u or u == unit):
            return True
    return False


# -- support ---------------------------------------------------------------------------------------

def _pairs(text: str) -> set[str]:
    """The character pairs of a Chinese text, or the words (over two letters) of another."""
    if is_chinese(text):
        chars = [c for c in _norm(text) if c.isalnum()]
        return {a + b for a, b in zip(chars, chars[1:])}
    return {w for w in re.findall(r"[a-z0-9]+", normalize_for_search(text).lower()) if len(w) > 2}


def _overlap(sentence: str, text: str) -> float:
    mine = _pairs(sentence)
    return len(mine & _pairs(text)) / len(mine) if mine else 0.0


def _substance(text: str) -> int:
    """Chinese characters and digits of a Chinese sentence, or words of another."""
    if is_chinese(text):
        return sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or c.isdigit())
    return len(re.findall(r"[A-Za-z0-9]+", text))


def check_sentence(text: str, cited: Sequence[int], whole: bool, sources: dict[int, Source]) -> Checked:
    def fail(reason: str) -> Checked:
        return Checked(SentenceCheck(text, tuple(cited), False, reason))

    if not whole:
        return fail("cut off before the sentence ended")
    if text.rstrip().endswith((":", "：", ",", "，", "、", "；", ";")):
        return fail("not a whole sentence (a heading or a fragment)")
    if _substance(text) < MIN_SUBSTANCE[is_chinese(text)]:
        return fail("too short to state anything")
    if not cited:
        return fail("cites no passage")
    missing = [n for n in cited if n not in sources]
    if missing:
        return fail(f"cites [{missing[0]}], which is not one of the passages")
    if _REFUSAL.search(text):
        return fail("says the passages do not answer")
    used = [sources[n] for n in cited]
    joined = " ".join(s.text for s in used)
    norm = _norm(joined)
    facts = numbers_in(joined)
    for fact in numbers_in(text):
        if not _number_found(fact, facts):
            where = "".join(f"[{n}]" for n in cited)
            return fail(f"“{fact[2]}” is not in {where}")
    names = names_in(text)
    for name in names:
        if not _name_found(name, norm, joined):
            where = "".join(f"[{n}]" for n in cited)
            return fail(f"“{name}” is not in {where}")
    same_language = is_chinese(text) == is_chinese(joined)
    if same_language and _overlap(text, joined) < MIN_OVERLAP:
        return fail("shares too little with the passages it cites")
    quotes = _quotes(text, names, used, same_language)
    if not quotes:
        return fail("no sentence of the passages it cites states it")
    return Checked(SentenceCheck(text, tuple(cited), True), tuple(quotes))


def _quotes(text: str, names: list[str], used: Sequence[Source], same_language: bool) -> list[Quote]:
    """The fewest passage sentences that hold the sentence's numbers, the one naming most of its
    names and sharing most of its wording first. (Every name was already found in the passages.)"""
    facts = numbers_in(text)
    candidates = []
    for src in used:
        for s, e in sentence_spans(src.doc.text, src.start, src.end):
            piece = src.doc.text[s:e]
            piece_facts, norm = numbers_in(piece), _norm(piece)
            found = {i for i, f in enumerate(facts) if _number_found(f, piece_facts)}
            named = sum(_name_found(n, norm, piece) for n in names)
            candidates.append((Quote(src, s, e), found, named, _overlap(text, piece) if same_language else 0.0))
    chosen: list[Quote] = []
    covered: set[int] = set()
    while candidates and len(chosen) < MAX_QUOTES:
        best = max(candidates, key=lambda c: (len(c[1] - covered), c[2], c[3]))
        if chosen and not best[1] - covered:
            break
        if not chosen and not (best[1] or best[2] or best[3] >= MIN_OVERLAP):
            break  # nothing in any cited sentence backs it
        chosen.append(best[0])
        covered |= best[1]
        candidates.remove(best)
        if len(covered) == len(facts):
            break
    if len(covered) < len(facts):
        return []
    return sorted(chosen, key=lambda q: (q.source.n, q.start))


def verify_reply(reply: str, sources: Sequence[Source], complete: bool = True) -> list[Checked]:
    by_n = {s.n: s for s in sources}
    return [check_sentence(text, cited, whole, by_n) for text, cited, whole in split_reply(reply, complete)]


def is_refusal(reply: str) -> bool:
    return bool(_REFUSAL.search(reply or ""))
