"""Hits -> Answer: pick the sentence that answers, cut the short answer, cite it verbatim.

Extractive on purpose: every word of an answer comes from a stored document, so every claim
can be checked against its source sentence. When the evidence is too weak or the question
names something the sources do not mention, the answer says so instead of guessing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from rag.answer.ambiguity import labelled_facts, singled_out_fact
from rag.answer.evidence import is_named_unit, key_entities, mentions, rival_entity, role_words, unit_matches
from rag.answer.span import extract_short, question_type, template_span
from rag.text import is_chinese, normalize_for_search, sentence_spans
from rag.types import Answer, Citation, Document, Hit
from rag.answer.widen import widen

NOT_FOUND_ZH = "抱歉，现有文章中没有找到这个问题的答案。"
NOT_FOUND_EN = "The articles do not contain an answer to this question."


@dataclass
class Candidate:
    hit_rank: int
    hit: Hit
    doc: Document
    start: int
    end: int
    lexical: float = 0.0
    context: float = 0.0
    dense: float = 0.0
    score: float = 0.0
    read: tuple[int, int, float] | None = None  # the reader's span (offsets in doc.text) and its probability

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]


@dataclass(frozen=True)
class AnswerPolicy:
    """Weights and thresholds of the extractive answerer (tuned on dev data, see eval/README.md)."""

    sentences_from: int = 5  # top hits whose sentences are considered
    w_lexical: float = 0.55
    w_context: float = 0.15
    w_dense: float = 0.45
    w_rank: float = 0.10
    w_type: float = 0.10
    w_cue: float = 0.10  # a why / what-for / how-named question and a sentence that gives a cause, aim or origin
    min_coverage: float = 0.30  # idf-weighted share of question terms found near the answer
    min_coverage_typed: float = 0.20  # ... when the sentence also holds the kind of thing asked for
    min_dense: float = 0.80  # non-Chinese questions: sentence cosine needed when dictionary words do not match
    short_sentence: int = 18  # a best sentence shorter than this gets its neighbour added
    supported_from: int = 3  # the answer is the best of this many top sentences that passes the checks
    w_topic: float = 0.2  # the question names the article's topic (its short title)
    subject_chars: int = 20  # a name this early in an article (after its title) is what it is about
    runner_ups: int = 3  # an adjacent sentence among this many next-best joins the answer ...
    partner_gap: float = 0.2  # ... when it scores within this of the best
    w_chars: float = 0.2  # share of single-character overlap in the lexical score
    topic_title_chars: int = 12  # titles this short name the topic rather than summarise
    max_answer_chars: int = 140  # a longer sentence is cut to its answering clauses
    embed_sentences_from: int = 3  # non-Chinese questions: sentences of this many top hits are embedded
    read_top: int = 4  # the reader reads this many best-scoring sentences
    w_reader: float = 0.0  # weight of the reader's span probability in a sentence's score
    reader_threshold: float = 0.6  # a short answer is shown only when the reader is this sure (chosen on DRCD validation)
    agree_threshold: float = 0.3  # ... or this sure when the rule-based span marks the same words
    rule_fallback: bool = False  # below the threshold, fall back to the rule-based short answer
    join_when_read: bool = True  # unless the reader is sure, a high-scoring neighbour sentence joins the answer
    sure_answer_chars: int = 60  # with a confident short answer, a longer sentence is cut to its clauses
    read_before: bool = True  # unsure of the chosen sentence, the reader reads it again after the one before (DRCD validation)


_STOP_CHARS = set("的了是在有和与及或吗呢吧啊么什哪谁几多少怎样如何为何其此该这那个些一中上下之也都就而被把对从到以于")


def _content_chars(text: str) -> set[str]:
    return {ch for ch in normalize_for_search(text) if "\u4e00" <= ch <= "\u9fff" and ch not in _STOP_CHARS}


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u3400-\u9fffA-Za-z0-9]", "", normalize_for_search(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


class Answerer:
    def __init__(self, index, embedder, policy: AnswerPolicy | None = None, reader=None):
        self.index = index
        self.embedder = embedder
        self.policy = policy or AnswerPolicy()
        self.reader = reader

    def _idf(self, term: str) -> float:
        bm = self.index.bm25
        idf = bm.idf_of(term)
        return float(idf) if idf is not None else float(bm.max_idf)

    def _candidates(self, hits: Sequence[Hit]) -> list[Candidate]:
        seen, out = set(), []
        for rank, hit in enumerate(hits[: self.policy.sentences_from]):
            doc = self.index.document(hit.chunk.doc_id)
            for s, e in sentence_spans(doc.text, hit.chunk.start, hit.chunk.end):
                if (doc.id, s) in seen or e - s < 6 or _QUESTION_END.search(doc.text[s:e]):
                    continue  # too short to answer, or itself a question (a heading such as "如何……？")
                seen.add((doc.id, s))
                out.append(Candidate(rank, hit, doc, s, e))
        return out

    def _coverage(self, q_terms: dict[str, float], q_bigrams: set[str], text: str) -> float:
        from rag.index.tokenize import tokenize

        total = sum(q_terms.values())
        toks = set(tokenize(text))
        tok_cov = sum(w for t, w in q_terms.items() if t in toks) / total if total else 0.0
        big_cov = len(q_bigrams & _bigrams(text)) / len(q_bigrams) if q_bigrams else tok_cov
        return 0.5 * tok_cov + 0.5 * big_cov

    def _window(self, c: Candidate, before: int = 2, after: int = 1) -> str:
        """The sentence with its neighbours in the document, and the title: where a subject or
        a year named a sentence or two earlier lives."""
        text = c.doc.text
        para_lo = text.rfind("\n", 0, c.start) + 1
        para_hi = text.find("\n", c.end)
        para_hi = len(text) if para_hi < 0 else para_hi
        spans = [sp for sp in self._doc_sentences(c.doc) if sp[0] >= para_lo and sp[1] <= para_hi]
        i = next((k for k, sp in enumerate(spans) if sp[0] <= c.start < sp[1]), 0)
        lo = spans[max(0, i - before)][0] if spans else c.start
        hi = spans[min(len(spans) - 1, i + after)][1] if spans else c.end
        return (c.doc.title or "") + "\n" + text[lo:hi]

    def _lead_in(self, c: Candidate, count: int = 2) -> str:
        """Up to `count` sentences before c in its paragraph."""
        text = c.doc.text
        para_lo = text.rfind("\n", 0, c.start) + 1
        prev = [sp for sp in self._doc_sentences(c.doc) if para_lo <= sp[0] and sp[1] <= c.start]
        return "".join(text[s:e] for s, e in prev[-count:])

    def _doc_sentences(self, doc: Document) -> list[tuple[int, int]]:
        cache = self.__dict__.setdefault("_sent_cache", {})
        if doc.id not in cache:
            cache[doc.id] = sentence_spans(doc.text)
        return cache[doc.id]

    def answer(self, question: str, hits: Sequence[Hit], query_vector=None, searched: str | None = None) -> Answer:
        from rag.index.tokenize import tokenize

        p = self.policy
        zh = is_chinese(question)
        query = searched or question
        cands = self._candidates(hits)
        if not cands:
            return self._decline(question, searched)

        kind = question_type(query)
        # lexical evidence needs Chinese words: other languages go through a dictionary
        keywords = [query] if zh else self._chinese_keywords(query, hits)
        lexq = " ".join(keywords)
        span_q = query if zh else f"{lexq} {query}"
        q_terms = {t: self._idf(t) for t in set(tokenize(lexq))}
        q_bigrams = set().union(*(_bigrams(re.sub(r"[吗呢吧啊？?]", "", k)) for k in keywords)) if keywords else set()
        dense = self._dense_scores(query, cands, query_vector, zh)
        q_norm = normalize_for_search(query)
        cue = _answer_cue(query)
        for c, d in zip(cands, dense):
            c.dense = d
            # a short title names the topic (an encyclopedia entry): its words say nothing about
            # which sentence answers, so only the context score counts them
            topic = self._topic(c.doc)
            title = set(tokenize(topic))
            focus = {t: w for t, w in q_terms.items() if t not in title} or q_terms
            if q_terms:
                # words of the question said just before the sentence in its paragraph (the subject
                # that "该局" or "他" points back to) count half
                own = self._coverage(focus, q_bigrams - _bigrams(topic), c.text)
                lead = self._coverage(focus, q_bigrams - _bigrams(topic), self._lead_in(c) + c.text)
                # single characters catch the terse forms of reference texts ("体呈银灰色" for 身体颜色)
                chars = _content_chars(query) - _content_chars(topic)
                uni = len(chars & _content_chars(c.text)) / len(chars) if chars else 0.0
                c.lexical = (1 - p.w_chars) * (0.5 * own + 0.5 * lead) + p.w_chars * uni
            else:
                c.lexical = 0.0
            c.context = self._coverage(q_terms, q_bigrams, self._window(c)) if q_terms else 0.0
            typed = 1.0 if kind and extract_short(span_q, c.text, kind) else 0.0
            d_norm = min(max((d - 0.70) / 0.20, 0.0), 1.0)
            c.score = (
                p.w_lexical * c.lexical
                + p.w_context * c.context
                + p.w_dense * d_norm
                + p.w_rank / (1 + c.hit_rank)
                + p.w_type * typed
                + (p.w_cue if cue is not None and cue.search(c.text) else 0.0)
                + (p.w_topic if topic and normalize_for_search(topic) in q_norm else 0.0)
            )
        # the best-scoring sentence that the evidence checks accept, among the top few
        ranked = self._read(query, sorted(cands, key=lambda c: -c.score))
        if _AUTHOR_Q.search(query):
            # who wrote it: the article's byline, which no sentence of its body repeats
            byline = self._byline(ranked[0])
            if byline is not None:
                ranked.insert(0, byline)
        self.last_reason = None
        for best in ranked[: p.supported_from]:
            reason = self._unsupported(query, span_q, best, zh, q_terms, kind)
            if reason is None:
                break
            self.last_reason = self.last_reason or reason
        else:
            return self._decline(question, searched, hits)
        self.last_reason = None
        held_before = None  # the sentence before the chosen one, when the reader's span lies in it
        if best.read is None and self.reader is not None:
            # the reader marks the answer in the chosen sentence; a question in another language
            # comes with the Chinese words the dictionary found for it, as the rules get it
            held_before = self._read_chosen(query if zh else span_q, best)

        chosen = [best] if held_before is None else [held_before, best]
        neighbour = self._neighbour(best, cands)
        partner = self._adjacent_runner_up(best, cands)
        guess, agree = None, False
        fact = self._reread_singled_out(query, best, kind) if best.read is not None and zh else None
        if best.read is not None:
            guess = widen(best.doc.text, best.read[0], best.read[1], query)
            rule = extract_short(span_q, best.text, kind)  # the rules' span, where they find one
            agree = rule is not None and _overlap((best.start + rule[0], best.start + rule[1]), guess) >= 0.5
            agree = agree or fact is not None and _overlap(fact, guess) >= 0.5
        # shown when the reader is sure, or fairly sure and the rules mark the same words
        sure = guess is not None and (best.read[2] >= p.reader_threshold
                                      or agree and best.read[2] >= p.agree_threshold)
        if sure or held_before is not None or (self.reader is not None and not p.join_when_read):
            pass  # the reader points into this sentence: the answer is as short as the fact
        elif partner is not None:
            # the answer runs over two sentences when the one beside the best also scores high
            chosen = sorted([best, partner], key=lambda c: c.start)
        elif neighbour is not None and (best.end - best.start) < p.short_sentence \
                and neighbour.end - best.start <= p.max_answer_chars:
            chosen = sorted([best, neighbour], key=lambda c: c.start)
        elif _WHY.search(query):
            # a cause is usually told just before its effect ("……，因此得名")
            before = self._previous_sentence(best)
            if before is not None and best.end - before.start <= p.max_answer_chars:
                chosen = [before, best]

        short, score = None, None
        facts = labelled_facts(query, best.text, kind) if zh else []
        if facts:
            # the question fits two facts of the sentence: name each with its label
            short = "；".join(best.text[s:e] for s, e in facts)
            both = (best.start + facts[0][0], best.start + facts[-1][1])  # a cut keeps every fact
            chosen = [self._trim(c, both if c is best else None, q_terms) for c in chosen]
        elif sure or self.reader is not None and not p.rule_fallback:
            at = guess  # a long sentence is cut around the reader's best guess, shown or not
            if sure:
                short, score = best.doc.text[guess[0] : guess[1]], best.read[2]
            holder = held_before or best
            chosen = [self._trim(c, at if c is holder else None, q_terms, p.sure_answer_chars if sure else None)
                      for c in chosen]
        else:
            for i, c in enumerate(chosen):
                sp = extract_short(span_q, c.text, kind)
                if sp:
                    short = c.text[sp[0] : sp[1]].strip()
                    chosen[i] = self._trim(c, (c.start + sp[0], c.start + sp[1]), q_terms)
                    break
            else:
                chosen = [self._trim(c, None, q_terms) for c in chosen]
        answer = self._compose(question, chosen, short, zh, searched, hits)
        if guess is not None:
            answer = replace(answer, short_answer_score=score,
                             reader_guess=(best.doc.text[guess[0] : guess[1]], best.read[2], agree))
        return answer

    def _read_chosen(self, question: str, best: Candidate) -> Candidate | None:
        """The reader marks the answer in the chosen sentence. With read_before, when it is not
        sure there, it reads again with the sentence before (which names what "该村" or "他"
        stands for, or holds the answer itself); the more probable reading wins. Returns that
        previous sentence when the winning span lies in it: it then joins the answer, so that
        the quote holds the span."""
        p = self.policy
        self._read(question, [best], top=1)
        if not p.read_before or best.read is not None and best.read[2] >= p.reader_threshold:
            return None
        before = self._previous_sentence(best)
        if before is None or best.start - before.start > p.max_answer_chars:
            return None
        sp = self.reader.read(question, [best.doc.text[before.start : best.end]])[0]
        if sp is None or best.read is not None and sp.score <= best.read[2]:
            return None
        best.read = (before.start + sp.start, before.start + sp.end, sp.score)
        return before if best.read[0] < best.start else None

    def _reread_singled_out(self, question: str, best: Candidate, kind: str | None) -> tuple[int, int] | None:
        """In a sentence listing several facts of the asked kind ("产值增长5%、利润增长3.2%、出口额
        增长12%"), when the question's words single out one label and the reader marked
        another fact, the reader reads that label's clause alone; its span and probability
        replace the first reading (no span: nothing is shown). Returns the singled-out value's
        offsets, or None."""
        fact = singled_out_fact(question, best.text, kind)
        if fact is None:
            return None
        lo, s, e = (best.start + x for x in fact)
        if _overlap((s, e), best.read[:2]) > 0:
            return s, e
        stop = re.search(r"[，、。；！？,;!?\n]", best.doc.text[e : best.end])
        hi = e + stop.start() if stop else best.end
        sp = self.reader.read(question, [best.doc.text[lo:hi]])[0]
        best.read = (lo + sp.start, lo + sp.end, sp.score) if sp is not None else (s, e, 0.0)
        return s, e

    def _read(self, question: str, ranked: list[Candidate], top: int | None = None) -> list[Candidate]:
        """The reader reads the best few sentences; its span probability joins their scores
        (with w_reader 0 it does not help choose, and reads only the chosen sentence later)."""
        p = self.policy
        n = p.read_top if top is None else top
        if top is None and p.w_reader == 0:
            n = 0
        top = ranked[:n]
        if self.reader is None or not top:
            return ranked
        spans = self.reader.read(question, [c.text for c in top])
        for c, sp in zip(top, spans):
            if sp is not None:
                c.read = (c.start + sp.start, c.start + sp.end, sp.score)
                c.score += p.w_reader * sp.score
        return sorted(top, key=lambda c: -c.score) + ranked[n:]

    def _trim(self, c: Candidate, short: tuple[int, int] | None, q_terms: dict[str, float],
              limit: int | None = None) -> Candidate:
        """A long sentence is cut to the clauses that answer: the one holding the short answer
        and the question's words before it, or the best-matching clause and what follows."""
        limit = limit or self.policy.max_answer_chars
        if c.end - c.start <= limit:
            return c
        from rag.index.tokenize import tokenize

        clauses = [(s, e) for s, e in _clauses(c.doc.text, c.start, c.end)]
        if len(clauses) < 2:
            return c

        def cov(span):
            toks = set(tokenize(c.doc.text[span[0] : span[1]]))
            return sum(w for t, w in q_terms.items() if t in toks)

        if short:
            last = next((i for i, (s, e) in enumerate(clauses) if s <= short[0] < e), len(clauses) - 1)
            end_i = next((i for i, (s, e) in enumerate(clauses) if s < short[1] <= e), last)
            first = max(range(max(0, last - 2), last + 1), key=lambda i: (cov(clauses[i]), i))
            first = min(first, last)
        else:
            first = max(range(len(clauses)), key=lambda i: (cov(clauses[i]), -i))
            end_i = first
        while end_i + 1 < len(clauses) and clauses[end_i + 1][1] - clauses[first][0] <= limit:
            end_i += 1
        start, end = clauses[first][0], clauses[end_i][1]
        end = c.end if end >= c.end - 1 else end
        return Candidate(c.hit_rank, c.hit, c.doc, start, end, c.lexical, c.context, c.dense, c.score)

    def _chinese_keywords(self, query: str, hits: Sequence[Hit]) -> list[str]:
        from rag.retrieve.crosslingual import chinese_keywords

        text = "".join(h.chunk.text for h in hits[: self.policy.sentences_from])
        try:
            return chinese_keywords(query, text)
        except Exception:  # a dictionary problem must not break answering; dense evidence remains
            return []

    def _dense_scores(self, query: str, cands: list[Candidate], query_vector, zh: bool) -> list[float]:
        """Chinese questions: each sentence inherits its passage's cosine (cheap). Other
        languages have no words in common with the text, so the sentences of the top passages
        are embedded and compared one by one."""
        scores = [c.hit.dense_score if c.hit.dense_score is not None else 0.0 for c in cands]
        if zh:
            return scores
        near = [i for i, c in enumerate(cands) if c.hit_rank < self.policy.embed_sentences_from]
        if not near:
            return scores
        if query_vector is None:
            query_vector = self.embedder.embed_queries([query])[0]
        vecs = self.embedder.embed_passages([cands[i].text for i in near])
        for i, d in zip(near, (vecs @ query_vector).tolist()):
            scores[i] = d
        return scores

    def _topic(self, doc: Document) -> str:
        """The title when it is short enough to name the article's topic, else ""."""
        return doc.title if doc.title and len(doc.title) <= self.policy.topic_title_chars else ""

    def _byline(self, c: Candidate) -> Candidate | None:
        """The byline of c's article: a line such as "融媒记者 王明", or "（记者 王明）" in brackets."""
        from rag.ingest.patterns import is_byline

        text = c.doc.text
        for m in re.finditer(r"[^\n]+", text):
            line = m.group().strip()
            if is_byline(line) and _NAMED_ROLE.search(line):
                s = m.start() + m.group().index(line)
                return Candidate(c.hit_rank, c.hit, c.doc, s, s + len(line), c.lexical, c.context, c.dense, c.score)
        m = _BRACKET_BYLINE.search(text)
        if m:
            return Candidate(c.hit_rank, c.hit, c.doc, m.start(1), m.end(1), c.lexical, c.context, c.dense, c.score)
        return None

    def _previous_sentence(self, c: Candidate) -> Candidate | None:
        para_lo = c.doc.text.rfind("\n", 0, c.start) + 1
        prev = [sp for sp in self._doc_sentences(c.doc) if para_lo <= sp[0] and sp[1] <= c.start]
        if not prev:
            return None
        s, e = prev[-1]
        return Candidate(c.hit_rank, c.hit, c.doc, s, e, score=c.score)

    def _adjacent_runner_up(self, best: Candidate, cands: list[Candidate]) -> Candidate | None:
        """The sentence just before or after the best one in its paragraph, when it is among the
        next few best-scoring sentences."""
        p = self.policy
        ranked = sorted((c for c in cands if c is not best), key=lambda c: -c.score)
        for c in ranked[: p.runner_ups]:
            if (best.score - c.score <= p.partner_gap
                    and (best.end - best.start) + (c.end - c.start) <= p.max_answer_chars
                    and (_adjacent(best, c) or _adjacent(c, best))):
                return c
        return None

    def _neighbour(self, best: Candidate, cands: list[Candidate]) -> Candidate | None:
        after = [c for c in cands if c.doc.id == best.doc.id and c.start > best.end]
        return min(after, key=lambda c: c.start) if after else None

    def _unsupported(self, query: str, span_q: str, best: Candidate, zh: bool, q_terms: dict[str, float],
                     kind) -> str | None:
        """Why the best sentence does not answer the question, or None when it does."""
        p = self.policy
        window = normalize_for_search(self._window(best))
        # numbers the question states (years, amounts) must stand near the answer; "同年" and
        # its kin point back to a year anywhere earlier in the paragraph
        numbers_seen = window + (normalize_for_search(self._lead_in(best, count=99)) if _SAME_YEAR.search(best.text) else "")
        for num in re.findall(r"\d+(?:\.\d+)?", normalize_for_search(query)):
            if num not in numbers_seen:
                return f"number {num} not near the answer"
        if zh:
            # a place, person or organisation the question names must be in the source, and the
            # answer must not sit beside another one of the same kind ("芝英镇" asked, "前仓镇" found)
            doc = normalize_for_search((best.doc.title or "") + best.doc.text)
            for ent in map(normalize_for_search, key_entities(query)):
                if not mentions(doc, ent):
                    trimmed = _missegmented(ent, doc)  # the name less a character jieba glued to it
                    if not trimmed:
                        return f"{ent} not in the source"
                    if not is_named_unit(ent):  # "永康市" is not "永康" glued to 市: it stays as asked
                        ent = trimmed
                if mentions(window, ent) or ent in doc[: p.subject_chars]:
                    continue  # near the answer, or the subject the whole document is about
                if mentions(doc, ent, count=True) < 3 or rival_entity(ent, window):
                    return f"{ent} not near the answer"
        if not unit_matches(query, best.text):
            return "unit asked for not in the answer"
        typed = extract_short(span_q, best.text, kind) if kind else None
        if kind == "number" and not typed:
            return "no number in the answer"
        if kind == "person" and not typed and not (zh and (template_span(query, best.text) or any(
                normalize_for_search(w) in normalize_for_search(best.text) for w in role_words(query)))):
            return "no person in the answer"
        topic = self._topic(best.doc)
        named = bool(topic) and normalize_for_search(topic) in normalize_for_search(query)
        # the question names the entry this sentence belongs to: fewer of its other words need match
        need = p.min_coverage_typed if typed or named else p.min_coverage
        if zh:
            return f"low coverage {best.context:.2f}" if q_terms and best.context < need else None
        if best.dense < p.min_dense and best.context < need:
            return f"weak match (cosine {best.dense:.2f})"
        return None

    def _compose(self, question, chosen, short, zh, searched, hits) -> Answer:
        citations, parts = [], []
        chosen = _merge_adjacent(chosen)
        for n, c in enumerate(chosen, start=1):
            citations.append(
                Citation(n, c.doc.id, c.doc.title, c.doc.date, c.doc.source, c.text, c.start, c.end,
                         min(c.hit.chunk.start, c.start), max(c.hit.chunk.end, c.end))
            )
            parts.append(f"{c.text}[{n}]")
        body = "".join(parts) if zh else " ".join(parts)
        if not zh:
            body = f"{short} — {body}" if short else f"According to the articles: {body}"
        return Answer(question, body, short, True, tuple(citations), searched_question=searched, hits=tuple(hits))

    def _decline(self, question, searched, hits=()) -> Answer:
        text = NOT_FOUND_ZH if is_chinese(question) else NOT_FOUND_EN
        return Answer(question, text, None, False, (), searched_question=searched, hits=tuple(hits))


def _missegmented(entity: str, doc: str) -> str:
    """jieba sometimes glues a neighbouring character to a name ("魏舒史" from 魏舒史称):
    a name of 3+ characters counts as present when it is, less its first or last character;
    returns the form found, or "". Place names with a suffix (村, 镇) are exempt: "红山村" is
    not "山村"."""
    if len(entity) < 3 or entity[-1] in "村镇县乡":
        return ""
    return next((e for e in (entity[:-1], entity[1:]) if e in doc), "")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters of two spans over the length of the shorter."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(inter, 0) / max(min(a[1] - a[0], b[1] - b[0]), 1)


def _adjacent(a: Candidate, b: Candidate) -> bool:
    """b follows a in the same paragraph of the same document, with nothing but spaces between."""
    if a.doc.id != b.doc.id or a.end > b.start:
        return False
    gap = a.doc.text[a.end : b.start]
    return not gap.strip() and "\n" not in gap


def _merge_adjacent(chosen: list[Candidate]) -> list[Candidate]:
    """Neighbouring sentences of one document become one quote: one citation, and an answer
    that runs across the sentence boundary stays one unbroken string."""
    out: list[Candidate] = []
    for c in chosen:
        prev = out[-1] if out else None
        if prev and _adjacent(prev, c):
            out[-1] = Candidate(prev.hit_rank, prev.hit, prev.doc, prev.start, c.end, prev.lexical, prev.context,
                                prev.dense, max(prev.score, c.score))
        else:
            out.append(c)
    return out


_AUTHOR_Q = re.compile(
    r"(?:作者|记者|撰稿人?|执笔人?)(?:是|为)?(?:谁|哪|叫什么)|哪(?:位|个|名)(?:记者|作者)|谁(?:写|撰写|执笔|采写)"
    r"|which reporter|who (?:wrote|reported)|\bauthor|written by|byline", re.I)
_ROLE = r"(?:融媒|本报|本刊|特约|见习|首席)?(?:记者|通讯员|撰稿|作者)"
_NAMED_ROLE = re.compile(_ROLE + r"[\s：:]*[\u4e00-\u9fff·]{2,5}")
_BRACKET_BYLINE = re.compile(r"[（(](" + _ROLE + r"[\s：:]*[\u4e00-\u9fff·]{2,5}[^（）()\n]{0,24})[）)]")
_QUESTION_END = re.compile(r"[？?][”’」』）)\"']*$")
_SAME_YEAR = re.compile(r"同年|当年|是年|该年|同月|当月")  # not 次年 / 翌年: those name the next year
_WHY = re.compile(r"为什么|为何|什么原因|原因是|因何|why\b", re.I)
# what a question asks for -> the words a sentence that answers it tends to use
_CUES = [
    (re.compile(r"名字|名称|称号|得名|叫做?什么|为什么叫|怎么来的|由来|how .* (?:named|called)", re.I),
     re.compile(r"得名|命名|赐名|改名|名为|故名|称为|因此|由来|源于|源自")),
    (re.compile(r"目的|为了什么|用途|用来|做什么用|what for|purpose", re.I),
     re.compile(r"为了|以便|旨在|用于|用来|用以|目的")),
    (_WHY, re.compile(r"因为|由于|因此|所以|故而|导致|原因|以致|为了|缘故")),
    (re.compile(r"怎么死|如何死|死因|怎样死|how did .* die", re.I), re.compile(r"死|杀|卒|逝|亡|殁")),
    (re.compile(r"怎么产生|如何产生|怎样产生|怎么形成|如何形成|怎么出现"), re.compile(r"因此|由于|因为|于是|导致|形成|产生")),
]


def _answer_cue(question: str):
    return next((cue for asked, cue in _CUES if asked.search(question)), None)


_OPENERS, _CLOSERS = "“‘《「『（(【", "”’》」』）)】"


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of text[start:end], split after ，；：, each keeping its punctuation. A mark
    inside quotation marks or brackets does not split ("“以……为牵引，着力……”让……"), unless
    the marks do not pair up (a quotation cut by a page break): then every mark splits."""
    piece = text[start:end]
    marks, depth, quoted = [], 0, []
    for i, ch in enumerate(piece):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        elif ch in "，；：,;:":
            marks.append(i)
            quoted.append(depth > 0)
    balanced = depth == 0 and piece.count("“") == piece.count("”")
    out, s = [], start
    for i, q in zip(marks, quoted):
        if q and balanced:
            continue
        out.append((s, start + i + 1))
        s = start + i + 1
    if s < end:
        out.append((s, end))
    return out
