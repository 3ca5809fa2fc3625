"""jieba's dictionary loaded a first character at a time: a cold `rag ask` reads only what it cuts.

jieba's first cut loads its whole prefix dictionary (498,113 words and word prefixes with their
frequencies; 0.6-0.9 s from its marshal cache), and `import jieba.posseg` parses dict.txt again for
the words' part-of-speech tags (0.5-0.9 s); `import jieba` itself imports pkg_resources (0.17 s)
only to find its own files. A question needs the entries of a few hundred characters.

`install()` prepares jieba's default tokenizer and the part-of-speech tokenizer with dictionaries
that fill themselves one first character at a time from one file (`index_path()`: per first
character, the marshalled words with their frequencies and tags; written once from jieba's own
dict.txt, by jieba's own `gen_pfdict`). Every lookup jieba makes (`in`, `[]`, `get`, and writes
such as `add_word`) loads the entries of the key's first character before answering, so results
are the ones of the whole dictionary (tests/test_jieba_load.py compares cuts and tags). Once
UPGRADE_AFTER first characters are loaded (a server or an index build: most of the dictionary
anyway), the rest is loaded and plain dicts take their place, so the long-running path pays no
per-lookup cost. Nothing is done when jieba was already initialised, or uses another dictionary.
"""
from __future__ import annotations

import functools
import logging
import marshal
import os
import sys
import tempfile
import threading
from pathlib import Path

from rag.files import write_blob_index

FORMAT = 1
UPGRADE_AFTER = 2500  # first characters loaded before everything is (news text has ~5,000)
_LOCK = threading.RLock()


def _import_jieba():
    """`import jieba` without pkg_resources (jieba then opens its files by path, the same files)."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # ImportError in jieba._compat
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _dict_file(jieba) -> Path:
    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


def index_path(jieba) -> Path:
    """Where the index lies: RAG_JIEBA_CACHE, else the model cache (RAG_CACHE_DIR, ~/.cache/rag),
    kept across restarts (a service's private /tmp is not); the temp folder when that is not writable."""
    st = _dict_file(jieba).stat()
    name = f"rag-jieba-v{FORMAT}-{st.st_size}-{int(st.st_mtime)}.idx"
    chosen = os.environ.get("RAG_JIEBA_CACHE") or os.environ.get("RAG_CACHE_DIR")
    base = Path(chosen) if chosen else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK) or (base / name).exists():
            return base / name
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / name


def _word_tags(path: Path) -> dict[str, str]:
    """jieba.posseg.POSTokenizer.load_word_tag's table, the same way."""
    tags = {}
    with open(path, "rb") as fh:
        for line in fh:
            line = line.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                tags[word] = tag
    return tags


def write_index(jieba, out: Path) -> None:
    freq, total = jieba.dt.gen_pfdict(jieba.dt.get_dict_file())
    tags = _word_tags(_dict_file(jieba))
    buckets: dict[str, tuple[dict, dict]] = {}
    for key, value in freq.items():
        buckets.setdefault(key[:1], ({}, {}))[0][key] = value
    for key, value in tags.items():
        buckets.setdefault(key[:1], ({}, {}))[1][key] = value
    blobs, offsets, at = [], {}, 0
    for first, pair in buckets.items():
        blob = marshal.dumps(pair)
        offsets[first] = (at, len(blob))
        blobs.append(blob)
        at += len(blob)
    head = marshal.dumps((FORMAT, total, offsets))
    write_blob_index(out, head, blobs)


class _Buckets:
    """The index file, read once; the entries of a first character on demand."""

    def __init__(self, path: Path):
        data = path.read_bytes()
        n = int.from_bytes(data[:8], "little")
        fmt, self.total, self.offsets = marshal.loads(data[8 : 8 + n])
        if fmt != FORMAT:
            raise ValueError(f"{path}: format {fmt}, not {FORMAT}")
        self.data, self.base = data, 8 + n
        self.loaded: set[str] = set()
        self.freq, self.tags = LazyDict(self), LazyDict(self)

    def load(self, first: str) -> None:
        with _LOCK:
            if first in self.loaded:
                return
            self.loaded.add(first)
            self._fill(first)
            if len(self.loaded) >= UPGRADE_AFTER:
                self.upgrade()

    def _fill(self, first: str) -> None:
        where = self.offsets.get(first)
        if where is None:
            return
        freq, tags = marshal.loads(self.data[self.base + where[0] : self.base + where[0] + where[1]])
        # no key of an unloaded first character is there yet: every write loads its bucket first
        dict.update(self.freq, freq)
        dict.update(self.tags, tags)

    def upgrade(self) -> None:
        """Everything loaded; jieba's tables become plain dicts (no per-lookup cost). The lazy ones
        are emptied and answer from the plain ones, for whoever still holds them."""
        for first in list(self.offsets):
            if first not in self.loaded:
                self.loaded.add(first)
                self._fill(first)
        jieba = sys.modules["jieba"]
        posseg = sys.modules.get("jieba.posseg")
        for lazy in (self.freq, self.tags):
            lazy._plain = dict(lazy)
            dict.clear(lazy)
        if jieba.dt.FREQ is self.freq:
            jieba.dt.FREQ = self.freq._plain
        if posseg is not None and posseg.dt.word_tag_tab is self.tags:
            posseg.dt.word_tag_tab = self.tags._plain
        self.data = b""


class LazyDict(dict):
    """A dict whose entries of a first character are loaded before any lookup of such a key."""

    def __init__(self, buckets: _Buckets):
        super().__init__()
        self._buckets = buckets
        self._plain: dict | None = None  # after the upgrade: the plain dict that holds everything

    def _need(self, key) -> dict | None:
        if self._plain is not None:
            return self._plain
        if isinstance(key, str) and key[:1] not in self._buckets.loaded:
            self._buckets.load(key[:1])
        return self._plain  # the load may have been the one that upgraded

    def __contains__(self, key):  # jieba's hottest lookup: _need inlined
        plain = self._plain
        if plain is None and isinstance(key, str) and key[:1] not in self._buckets.loaded:
            self._buckets.load(key[:1])
            plain = self._plain
        return key in plain if plain is not None else dict.__contains__(self, key)

    def __getitem__(self, key):
        plain = self._need(key)
        return plain[key] if plain is not None else dict.__getitem__(self, key)

    def get(self, key, default=None):
        plain = self._plain
        if plain is None and isinstance(key, str) and key[:1] not in self._buckets.loaded:
            self._buckets.load(key[:1])
            plain = self._plain
        return plain.get(key, default) if plain is not None else dict.get(self, key, default)

    def __setitem__(self, key, value):
        plain = self._need(key)
        if plain is not None:
            plain[key] = value
        else:
            dict.__setitem__(self, key, value)

    def setdefault(self, key, default=None):
        plain = self._need(key)
        return plain.setdefault(key, default) if plain is not None else dict.setdefault(self, key, default)


def install():
    """jieba, its default tokenizer initialised with the lazy dictionary, and jieba.posseg imported
    with the lazy tag table (or jieba as it is, when it was initialised already or is customised)."""
    jieba = _import_jieba()
    with _LOCK:
        dt = jieba.dt
        if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT or "jieba.posseg" in sys.modules:
            return jieba
        path = index_path(jieba)
        try:
            if not path.exists():
                write_index(jieba, path)
            buckets = _Buckets(path)
        except (OSError, ValueError, EOFError):
            return jieba  # jieba loads its own dictionary on first use, as before
        dt.FREQ, dt.total, dt.initialized = buckets.freq, buckets.total, True
        dt.get_dict_file = lambda: _Empty()  # posseg's import reads no tags: ours are set below
        try:
            import jieba.posseg as posseg
        finally:
            del dt.get_dict_file
        posseg.dt.word_tag_tab = buckets.tags
    return jieba


class _Empty(list):
    name = "<rag.jieba_load>"

    def close(self) -> None:
        pass


def posseg():
    """jieba.posseg, with the lazy dictionary when it is imported first through here, and its `cut`
    remembered a block at a time (BlockPosseg)."""
    install()
    import jieba.posseg as pseg

    global _POSSEG
    if _POSSEG is None or _POSSEG.module is not pseg:
        _POSSEG = BlockPosseg(pseg)
    return _POSSEG


_POSSEG: "BlockPosseg | None" = None


class BlockPosseg:
    """jieba.posseg whose `cut` remembers each block's words and tags. posseg cuts a text block by
    block (it splits it with its re_han_internal: runs of Chinese, Latin letters, digits and +#&._,
    and what lies between them) and tags each block alone, so a text's words and tags are its
    blocks' ones one after the other: the same pairs as jieba.posseg.cut. The answer steps tag
    the chosen sentence again and again (the rules' short answer, the reader's widening, the
    checks). Everything else is jieba.posseg's."""

    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        return getattr(self.module, name)

    def cut(self, sentence: str, HMM: bool = True):
        pair = self.module.pair
        for blk in self.module.re_han_internal.split(sentence):
            if blk:
                for word, flag in _tagged_block(self.module.dt, blk, HMM):
                    yield pair(word, flag)

    def lcut(self, sentence: str, HMM: bool = True) -> list:
        return list(self.cut(sentence, HMM))


@functools.lru_cache(maxsize=32768)
def _tagged_block(tokenizer, block: str, hmm: bool) -> tuple[tuple[str, str], ...]:
    return tuple((w.word, w.flag) for w in tokenizer.cut(block, HMM=hmm))
