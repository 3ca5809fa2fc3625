"""Tokens for BM25: jieba search-mode segmentation of normalised text, minus stopwords.

The tokenizer's name and settings are saved in the index manifest; an index is only queried
with the tokenizer that built it.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from rag.text import normalize_for_search

TOKENIZER_NAME = "jieba-search-nfkc-t2s-v1"

# Function words and question words: they carry no topic, and questions are full of them.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 有 为 对 以 于 把 被 从 将 等 也 都 就 而 并 其 之 这 那 此 该 这个 那个
    个 们 我 你 他 她 它 我们 你们 他们 吗 呢 吧 啊 呀 么 嘛 哪 哪些 哪个 哪里 哪儿 什么 怎么 怎样 如何
    多少 几 谁 何 何时 为何 为什么 是否 请问 请 一下 一个 一些 中 上 下 里 到 说 要 会 能 可以
    a an the of to in on at for by with from and or is are was were be been what which who whom
    whose when where why how many much does did do that this these those it its as into about
    """.split()
)
_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
    from rag.jieba_load import install

    jieba = install()  # the dictionary loads a first character at a time (rag/jieba_load.py)
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """The text cut into words as written (jieba's accurate mode, no sub-words), punctuation included."""
    return list(_jieba().cut(text))


def tokenize(text: str) -> list[str]:
    """Search-mode tokens (words and their sub-words), lower case, simplified, no stopwords."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """tokenize's result, remembered: answering one question tokenises the same candidate sentences
    several times (scoring's lexical, coverage and bigram checks), and popular passages come back
    question after question. The work is done a block at a time (_block_tokens)."""
    blocks = _jieba().re_han_default.split(normalize_for_search(text))
    if len(blocks) == 1:
        return _block_tokens(blocks[0]) if blocks[0] else ()
    out: list[str] = []
    for blk in blocks:
        if blk:
            out.extend(_block_tokens(blk))
    return tuple(out)


@lru_cache(maxsize=65536)
def _block_tokens(block: str) -> tuple[str, ...]:
    """The tokens of one block of normalised text. jieba cuts a text block by block: it splits it
    with its re_han_default (runs of Chinese, Latin letters, digits and +#&._%-, and what lies
    between them), cuts each block alone, and cut_for_search adds the sub-words of each word
    of it; so a text's tokens are its blocks' tokens one after the other, whatever surrounds each
    block. A sentence's clauses recur in its neighbours' windows and lead-ins: each is cut once."""
    out = []
    for tok in _jieba().cut_for_search(block):
        tok = tok.strip()
        if not tok or tok in STOPWORDS or _PUNCT_RE.match(tok):
            continue
        out.append(tok)
    return tuple(out)


@lru_cache(maxsize=8192)
def tokens_among(text: str, terms: frozenset[str]) -> frozenset[str]:
    """Which of `terms` are tokens of `text`: set(tokenize(text)) & terms, cutting only the blocks
    (_block_tokens) that hold one of them as it is written: a token is a piece of its block, so a
    block that holds none of them gives none of them. A sentence's context window is mostly
    clauses that name none of the question's words."""
    norm = units_apart(normalize_for_search(text))
    written = [t for t in terms if t in norm]
    found: set[str] = set()
    if not written:
        return frozenset()
    for blk in _jieba().re_han_default.split(norm):
        inside = [t for t in written if t in blk and t not in found]
        if inside:
            toks = _block_tokens(blk)
            found.update(t for t in inside if t in toks)
            if len(found) == len(written):
                break
    return frozenset(found)


# A place's name and the next word that starts with its last character: 青石村村集体, 清河镇镇长, 东湖区区委.
# jieba reads the doubled character as one word (村村) and cuts the unknown name before it apart
# (青 / 石), while the same name written before another word (青石村猕猴桃) is cut otherwise (青 / 石村):
# the two sentences then share no word of the name. The answer steps cut the two apart first.
_DOUBLED_UNIT = re.compile(r"(?<=[\u4e00-\u9fff])([村镇乡区县市])(?=\1[\u4e00-\u9fff])")


def units_apart(text: str) -> str:
    """`text` with a space after an administrative unit's character that the next word repeats
    (青石村村集体 -> 青石村 村集体), so that the name is cut as it is elsewhere. For the answer steps'
    word matching only: BM25's tokens are the index's, and an index is queried as it was built."""
    return _DOUBLED_UNIT.sub(r"\1 ", text) if _DOUBLED_UNIT.search(text) else text


def answer_tokens(text: str) -> list[str]:
    """tokenize(), with a place's name cut apart from a word that repeats its unit (units_apart):
    the words the answer steps match a question's against (tokens_among cuts the same way)."""
    return tokenize(units_apart(text))


def tokenize_batch(texts: list[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]
