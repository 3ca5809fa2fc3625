"""Step 2 of an answer: what the question asks (its terms, their weights, the kind of answer)
and how well each candidate sentence answers it (lexical, context, dense, type and cue scores)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

from rag.answer.abbreviated import spelled_out
from rag.answer.candidates import Candidate, Surroundings, topic
from rag.answer.focus import cue_share, english_focus, focus_share, focus_terms, measure_fits, procedure_cue, without_wh
from rag.answer.bands import in_band
from rag.answer.evidence import ADDRESS, ASKS_WHERE
from rag.answer.policy import AnswerPolicy
from rag.answer.span import extract_short, question_type
from rag.index.tokenize import tokens_among
from rag.text import is_chinese, normalize_for_search
from rag.types import Hit


@dataclass(frozen=True)
class Question:
    """A question as the steps read it."""

    asked: str  # as the user asked it
    query: str  # what was searched: the rewritten follow-up, or the question
    zh: bool  # the question is Chinese (else its Chinese keywords come from a dictionary)
    kind: str | None  # the kind of answer asked for (rag/answer/span.py: question_type)
    span_q: str  # what the rules and the reader are given: the query, with the Chinese keywords when not Chinese
    terms: dict[str, float]  # the query's terms (of its Chinese keywords) and their idf
    bigrams: frozenset[str]  # the character bigrams of its Chinese keywords
    focus: dict[str, float] = field(default_factory=dict)  # the terms beside its question word (focus.py)
    words: dict[str, float] = field(default_factory=dict)  # a question not in Chinese: its own words and their
    # idf, which an article in its language shares (the dictionary's Chinese keywords match none of it)
    topic: tuple[str, ...] = ()  # a question not in Chinese: the words of what it asks about (not its places, dates
    # or question words), and their Chinese (rag.retrieve.crosslingual.topic_keywords): GDP, 生产总值
    renamed: tuple[tuple[str, str], ...] = ()  # places the articles read say were renamed: (new, old) (places.renamings)


def analyse(question: str, searched: str | None, hits: Sequence[Hit], idf: Callable[[str], float],
            policy: AnswerPolicy) -> Question:
    """The question's kind, terms and bigrams; lexical evidence needs Chinese words, so a question
    in another language goes through a dictionary (rag/retrieve/crosslingual.py)."""
    from rag.index.tokenize import answer_tokens as tokenize

    zh = is_chinese(question)
    query = searched or question
    if zh:  # 保租房 as the articles write it: 保障性租赁住房
        query = spelled_out(query, [h.chunk.text for h in hits[: policy.sentences_from]])
    keywords = [query] if zh else chinese_keywords(query, hits, policy)
    lexq = " ".join(keywords)
    # the question words are no words of its topic (多长时间 holds 时间, which every timetable says)
    bigrams = set().union(*(_bigrams(re.sub(r"[吗呢吧啊？?]", "", k)) for k in keywords)) if keywords else set()
    terms = {t: idf(t) for t in _unglued(tokenize(without_wh(lexq)), lexq)} or {t: idf(t) for t in set(tokenize(lexq))}
    words = {} if zh else {t: idf(t) for t in set(tokenize(query)) if t.isascii() and t.isalpha()}
    return Question(question, query, zh, question_type(query), query if zh else f"{lexq} {query}",
                    terms, frozenset(bigrams), focus_terms(query, terms) if zh else english_focus(query, words, terms), words,
                    () if zh else _topic_words(query))


def _unglued(tokens: list[str], question: str) -> set[str]:
    """The tokens, less what jieba glued to a word from the one before it: the 年 or 月 of a date
    (2019年市医保局 gives 年市, a fair; 2024年村集体 年村), and an organisation's last character before
    its head's title (医保局局长 gives 局局长, which a sentence that says 医疗保障局党组书记、局长 does not hold)."""
    out = set()
    for t in tokens:
        if len(t) == 2 and t[0] in "年月" and t not in _DATE_WORDS and re.search(r"\d\s*" + re.escape(t), question):
            t = t[1]
        elif len(t) == 3 and t[0] == t[1]:
            t = t[1:]
        out.add(t)
    return out


_DATE_WORDS = frozenset("年底 年初 年末 年内 年度 年中 年间 年前 年后 月份 月底 月初 月末 月中 月内".split())


def _topic_words(query: str) -> tuple[str, ...]:
    from rag.retrieve.crosslingual import topic_terms

    try:
        return topic_terms(query)
    except Exception:  # a dictionary problem must not break answering
        return ()


def chinese_keywords(query: str, hits: Sequence[Hit], policy: AnswerPolicy) -> list[str]:
    from rag.retrieve.crosslingual import chinese_keywords as keywords

    text = "".join(h.chunk.text for h in hits[: policy.sentences_from])
    try:
        return keywords(query, text)
    except Exception:  # a dictionary problem must not break answering; dense evidence remains
        return []


def dense_scores(q: Question, cands: list[Candidate], embedder, query_vector, policy: AnswerPolicy) -> list[float]:
    """Chinese questions: each sentence inherits its passage's cosine (cheap). Other
    languages have no words in common with the text, so the sentences of the top passages
    are embedded and compared one by one."""
    scores = [c.hit.dense_score if c.hit.dense_score is not None else 0.0 for c in cands]
    if q.zh:
        return scores
    near = [i for i, c in enumerate(cands) if c.hit_rank < policy.embed_sentences_from]
    if not near:
        return scores
    if query_vector is None:
        query_vector = embedder.embed_queries([q.query])[0]
    vecs = embedder.embed_passages([cands[i].text for i in near])
    for i, d in zip(near, (vecs @ query_vector).tolist()):
        scores[i] = d
    return scores


def score_all(q: Question, cands: list[Candidate], dense: list[float], around: Surroundings,
              policy: AnswerPolicy) -> None:
    """Set each candidate's dense, lexical, context and total score."""
    q_norm = normalize_for_search(q.query)
    cue = answer_cue(q.query)
    how = procedure_cue(q.query)  # what a procedure question asks: where, what to bring…
    numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", q_norm) if len(n) != 4]  # not years: the timeline's
    where = q.zh and ASKS_WHERE.search(q.query) is not None
    for c, d in zip(cands, dense):
        c.dense = d
        title = topic(c.doc, policy)
        c.lexical = lexical(q, c, title, around, policy)
        if q.words:  # an article in the question's own language
            c.lexical = max(c.lexical, own_words(q.words, c.text))
        window = around.window(c)
        c.context = coverage(q.terms, q.bigrams, window, policy) if q.terms else 0.0
        near = _numbers_near(numbers, window, c.text)
        c.context += policy.w_numbers * near
        typed = 1.0 if q.kind and extract_short(q.span_q, c.text, q.kind) else 0.0
        if typed and measure_fits(q.query, c.text) is False:
            typed = 0.0  # a date for "多久", a price for "多少份"
        d_norm = min(max((d - policy.dense_floor) / policy.dense_span, 0.0), 1.0)
        c.score = (
            policy.w_lexical * c.lexical
            + policy.w_context * c.context
            + policy.w_dense * d_norm
            + policy.w_rank / (1 + c.hit_rank)
            + policy.w_type * typed
            + (policy.w_cue if cue is not None and cue.search(c.text) else 0.0)
            + (policy.w_topic if title and normalize_for_search(title) in q_norm else 0.0)
            + policy.w_numbers * near
            + (policy.w_address if where and ADDRESS.search(c.text) else 0.0)
        )
    _within_article(cands, lambda c: policy.w_focus * focus_share(q.focus, c.text)
                    + policy.w_procedure * cue_share(how, c.text))
    _body_over_headline(q, cands, policy)
    _topic_first(q, cands, policy)
    if q.topic and not _ASKS_CHANGE.search(q.query):
        for c in cands:
            if states_value(q.topic, c.text):
                c.score += policy.w_value


# an English question for a change of a figure, not the figure itself
_ASKS_CHANGE = re.compile(r"\b(?:grow|grows|grew|grown|growth|increase[sd]?|rise|rose|risen|fall|fell|drop(?:ped)?|"
                          r"change[sd]?|rate|percent|percentage|share)\b|%", re.I)
_AMOUNT = (r"(?:为|达|达到|是|共|合计|总计|实现)?(?:约|近|超)?\s*\d[\d,]*(?:\.\d+)?\s*(?:多|余)?\s*(?:万|亿)?\s*"
           r"(?:元|人次|人|户|吨|亩|公里|千米|平方米|平方公里|千瓦时|立方米|张|所|个)")


def states_value(topic, text: str) -> bool:
    """`text` gives the value of a figure the question asks about: a Chinese topic word followed by an
    amount (产值87.4亿元, 收入41200元), not only its growth (产值增长5.5%)."""
    return any(len(w) > 1 and not w.isascii() and re.search(re.escape(w) + _AMOUNT, text) for w in topic)


def _topic_first(q: Question, cands: list[Candidate], policy: AnswerPolicy) -> None:
    """A question not in Chinese, asked of an archive that holds pages in its language too: a
    passage that holds no word of what it asks about (GDP, 生产总值) scores w_topicless less when
    another passage holds one. The English page names the question's place many times ("Qingshi
    town's GDP" and a notice of Qingshi's new clinic) and its embedding sits near the question's,
    so it led over the Chinese report that gives the figure."""
    if not q.topic or not any(not is_chinese(c.hit.chunk.text) for c in cands):
        return
    from rag.retrieve.crosslingual import holds_topic

    held = {id(c.hit): holds_topic(q.topic, c.hit.chunk.text) for c in cands}
    if not any(held.values()) or all(held.values()):
        return
    for c in cands:
        if not held[id(c.hit)]:
            c.score -= policy.w_topicless


def _within_article(cands: list[Candidate], weight: Callable[[Candidate], float]) -> None:
    """Among the sentences of one article, those that hold what the question asks about (the word
    beside its question word, a procedure's answering words) lead: each sentence scores what it
    lacks of the article's best less. Articles are not ranked by it (another may say 别名 where
    the answering one says 又名). Only dated articles (news, notices, guides), whose opening repeats
    their subject: an undated entry of a reference text states a fact in every sentence, often in
    other words than the question's."""
    got = [weight(c) if c.doc.date else 0.0 for c in cands]
    best: dict[str, float] = {}
    for c, g in zip(cands, got):
        best[c.doc.id] = max(best.get(c.doc.id, 0.0), g)
    for c, g in zip(cands, got):
        c.score -= best[c.doc.id] - g


def _numbers_near(numbers: list[str], window: str, sentence: str) -> int:
    """-1 when a figure the question states (老人85岁) is neither near the sentence nor in a band it
    states; 1 when one lies in such a band (80至89周岁) only; else 0."""
    if not numbers:
        return 0
    if not all(n in window or in_band(n, sentence) for n in numbers):
        return -1
    return 1 if any(n not in window for n in numbers) else 0


def _body_over_headline(q: Question, cands: list[Candidate], policy: AnswerPolicy) -> None:
    """A headline rounds and sums up ("门诊量突破百万人次"): when a sentence of its article's body
    also holds the kind of thing asked for (or answers the procedure asked), the headline scores
    w_headline less."""
    named = q.kind is None and _ASKS_NAME.search(q.query) is not None
    how = procedure_cue(q.query) if q.kind is None and not named else None  # 去哪申请: a guide's title is no way
    if q.kind not in ("number", "date") and not named and how is None:
        return
    def holds(c: Candidate) -> bool:  # a figure or date of the kind asked; for what a thing is called, a name in
        if how is not None:  # quotes; for a procedure, the words of one that answers it (申请方式：通过…小程序)
            return cue_share(how, c.text) > 0
        return bool(_QUOTED_NAME.search(c.text)) if named else bool(extract_short(q.span_q, c.text, q.kind))
    heads = [c for c in cands if is_headline(c) and not (named and holds(c))]
    for h in heads:
        if any(c.doc.id == h.doc.id and c is not h and not is_headline(c) and holds(c) for c in cands):
            h.score -= policy.w_headline


# what a thing is called (叫什么名字, 名称是什么, what is … called / named): a headline that says it got a new
# name is no answer; its body's sentence that writes the name in quotes is
_ASKS_NAME = re.compile(r"叫什么|什么名字|名称是什么|名字是什么|\b(?:called|named)\b|\bname of\b|\bwhat is its name\b", re.I)
_QUOTED_NAME = re.compile(r"[“\"「『《][^”\"」』》\n]{1,30}[”\"」』》]")


def is_headline(c: Candidate) -> bool:
    """c is its article's title, as a line of its text."""
    title = normalize_for_search(c.doc.title or "")
    return bool(title) and normalize_for_search(c.text.strip()) == title


def own_words(words: dict[str, float], text: str) -> float:
    """The idf-weighted share of a non-Chinese question's words that `text` holds."""
    from rag.index.tokenize import tokens_among

    total = sum(words.values())
    toks = tokens_among(text, frozenset(words))
    return sum(w for t, w in words.items() if t in toks) / total if total else 0.0


def lexical(q: Question, c: Candidate, title: str, around: Surroundings, policy: AnswerPolicy) -> float:
    """The question's words in the sentence. A short title names the topic (an encyclopedia entry):
    its words say nothing about which sentence answers, so only the context score counts them."""
    if not q.terms:
        return 0.0
    p = policy
    title_terms = tokens_among(title, frozenset(q.terms))
    focus = {t: w for t, w in q.terms.items() if t not in title_terms} or q.terms
    bigrams = q.bigrams - _bigrams(title)
    # words of the question said just before the sentence in its paragraph (the subject that
    # "该局" or "他" points back to) count half
    own = coverage(focus, bigrams, c.text, p)
    before = around.lead_in(c)
    if title and c.doc.date:  # a dated article's short title is its headline, said before each of its
        # sentences as a lead-in is (某集团总经理调整 over 经研究决定，张三任…): its words count there, else
        # an article whose headline names all the question's subject would read as naming none of it
        lead = coverage(q.terms, q.bigrams, f"{title}。{before}{c.text}", p)
    else:
        lead = coverage(focus, bigrams, before + c.text, p)
    # single characters catch the terse forms of reference texts ("体呈银灰色" for 身体颜色)
    chars = _content_chars(q.query) - _content_chars(title)
    uni = len(chars & _content_chars(c.text)) / len(chars) if chars else 0.0
    return (1 - p.w_chars) * ((1 - p.w_lead_in) * own + p.w_lead_in * lead) + p.w_chars * uni


def coverage(terms: dict[str, float], bigrams: frozenset[str] | set[str], text: str, policy: AnswerPolicy) -> float:
    """How much of the question `text` holds: idf-weighted terms and character bigrams."""
    total = sum(terms.values())
    toks = tokens_among(text, frozenset(terms))
    tok_cov = sum(w for t, w in terms.items() if t in toks) / total if total else 0.0
    if bigrams:  # a bigram is one of the text's when the text (as _bigrams reads it) holds it
        joined = _bigram_text(text)
        big_cov = sum(1 for b in bigrams if b in joined) / len(bigrams)
    else:
        big_cov = tok_cov
    return (1 - policy.w_bigrams) * tok_cov + policy.w_bigrams * big_cov


_STOP_CHARS = set("的了是在有和与及或吗呢吧啊么什哪谁几多少怎样如何为何其此该这那个些一中上下之也都就而被把对从到以于")


def _content_chars(text: str) -> set[str]:
    return {ch for ch in normalize_for_search(text) if "\u4e00" <= ch <= "\u9fff" and ch not in _STOP_CHARS}


def bigrams_of(text: str) -> frozenset[str]:
    """The character bigrams of a text's Chinese, Latin and digit runs (what coverage counts)."""
    return _bigrams(text)


@lru_cache(maxsize=2048)
def _bigrams(text: str) -> frozenset[str]:
    t = _bigram_text(text)
    return frozenset(b for b in (t[i : i + 2] for i in range(len(t) - 1)) if not _doubled_unit(b))


def _doubled_unit(bigram: str) -> bool:
    """村村 of 青石村村集体: the end of a name and the start of the next word, not a word (units_apart)."""
    return bigram[0] == bigram[1] and bigram[0] in "村镇乡区县市"


@lru_cache(maxsize=4096)
def _bigram_text(text: str) -> str:
    """The text's Chinese, Latin and digit runs, normalised and joined: its bigrams are _bigrams'."""
    return re.sub(r"[^\u3400-\u9fffA-Za-z0-9]", "", normalize_for_search(text))


WHY = re.compile(r"为什么|为何|什么原因|原因是|因何|why\b", re.I)
# what a question asks for -> the words a sentence that answers it tends to use
_CUES = [
    (re.compile(r"名字|名称|称号|得名|叫做?什么|为什么叫|怎么来的|由来|how .* (?:named|called)", re.I),
     re.compile(r"得名|命名|赐名|改名|名为|故名|称为|因此|由来|源于|源自")),
    (re.compile(r"目的|为了什么|用途|用来|做什么用|what for|purpose", re.I),
     re.compile(r"为了|以便|旨在|用于|用来|用以|目的")),
    (WHY, re.compile(r"因为|由于|因此|所以|故而|导致|原因|以致|为了|缘故")),
    (re.compile(r"怎么死|如何死|死因|怎样死|how did .* die", re.I), re.compile(r"死|杀|卒|逝|亡|殁")),
    (re.compile(r"怎么产生|如何产生|怎样产生|怎么形成|如何形成|怎么出现"), re.compile(r"因此|由于|因为|于是|导致|形成|产生")),
]


def answer_cue(question: str):
    """The pattern of words that an answer to this kind of question tends to use, or None."""
    return next((cue for asked, cue in _CUES if asked.search(question)), None)
