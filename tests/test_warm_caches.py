"""The warm answer path's shortcuts give exactly what the plain computations give: tokens a block
at a time (rag/index/tokenize.py), the question's terms among a text's tokens, opencc's t2s
skipped or done a piece at a time (rag/text.py), and jieba's tags a block at a time
(rag/jieba_load.py). The texts are invented."""
from __future__ import annotations

import pytest

pytest.importorskip("jieba")

TEXTS = [
    "青禾县芦溪镇2031年接待游客约37万人次，旅游收入达2.6亿元。",
    "据县融媒体中心消息，鹤鸣山隧道工程由闵思远牵头…预计于明年三月竣工通车！",
    "The Qinghe County fair drew 12,000 visitors; 芦溪镇镇长柯文澜致辞。",
    "臺灣的「雲林縣」與大陸的交流日益頻繁，我們瞭解到反覆的問題。",
    "鹤鸣山隧道\n\n  全长 4.2km（约合4200米）—— C++ & R&D 部门 50% 的人…",
    "ＡＢＣ全角字母和１２３全角数字，一目瞭然；沈默是金",
    "",
    "   ",
    "。。。！！",
]


def _reference_tokens(text: str) -> list[str]:
    """tokenize as it was: jieba's cut_for_search over the whole normalised text."""
    from rag.index.tokenize import _PUNCT_RE, STOPWORDS, _jieba
    from rag.text import normalize_for_search

    out = []
    for tok in _jieba().cut_for_search(normalize_for_search(text)):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not _PUNCT_RE.match(tok):
            out.append(tok)
    return out


def _texts():
    # the texts alone, joined in pairs (a block may run across the join) and cut anywhere
    whole = "".join(TEXTS)
    return TEXTS + [a + b for a in TEXTS for b in TEXTS] + [whole[i:j] for i in range(0, len(whole), 7)
                                                             for j in (i + 5, i + 23)]


def test_tokens_are_the_ones_of_the_whole_text():
    from rag.index.tokenize import tokenize

    for text in _texts():
        assert tokenize(text) == _reference_tokens(text), text


def test_tokens_among_is_the_terms_among_the_tokens():
    from rag.index.tokenize import tokenize, tokens_among

    terms = frozenset(tokenize("芦溪镇的游客和隧道工程，县融媒体中心的消息；台湾云林县的问题，一目了然的了解") + ["溪镇", "旅游收入", "qinghe", "4.2", "%"])
    assert len(terms) > 8
    for text in _texts():
        assert tokens_among(text, terms) == set(tokenize(text)) & terms, text
    assert tokens_among("芦溪镇", frozenset()) == frozenset()


def test_to_simplified_is_opencc_t2s():
    from rag.text import _t2s, to_simplified

    cc = _t2s()
    tricky = ["反覆", "我们不瞭解情况", "沈默", "乾隆年间", "後來", "这里 那里\n后来", "a-b,c.d?e!f"]
    for text in _texts() + tricky:
        assert to_simplified(text) == cc.convert(text), text
    assert to_simplified("我們瞭解") == cc.convert("我們瞭解") != "我們瞭解"  # something does change


def test_posseg_cuts_and_tags_as_jieba_posseg():
    import jieba.posseg as plain

    from rag.jieba_load import posseg

    pseg = posseg()
    for text in _texts():
        for hmm in (True, False):
            got = [(w.word, w.flag) for w in pseg.cut(text, HMM=hmm)]
            assert got == [(w.word, w.flag) for w in plain.dt.cut(text, HMM=hmm)], text
    assert [tuple(w) for w in pseg.cut("芦溪镇")] == [tuple(w) for w in pseg.cut("芦溪镇")]  # remembered, the same
    assert pseg.dt is plain.dt and posseg() is pseg


def test_coverage_counts_as_the_token_and_bigram_sets_do():
    from rag.answer.policy import AnswerPolicy
    from rag.answer.scoring import bigrams_of, coverage
    from rag.index.tokenize import tokenize

    policy = AnswerPolicy()
    question = "芦溪镇2031年接待游客多少万人次？臺灣雲林縣"
    terms = {t: 1.0 + len(t) / 3 for t in tokenize(question)}
    bigrams = bigrams_of(question)
    for text in _texts():
        toks, grams = set(tokenize(text)), bigrams_of(text)
        tok_cov = sum(w for t, w in terms.items() if t in toks) / sum(terms.values())
        expected = (1 - policy.w_bigrams) * tok_cov + policy.w_bigrams * len(bigrams & grams) / len(bigrams)
        assert coverage(terms, bigrams, text, policy) == expected, text
    assert coverage(terms, bigrams, TEXTS[0], policy) > 0.3
