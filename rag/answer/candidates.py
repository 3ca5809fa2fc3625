"""Step 1 of an answer: the candidate sentences of the retrieved passages, and the sentences
around one of them (its context, its lead-in, the one before, the article's byline)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.answer.policy import AnswerPolicy
from rag.text import sentence_spans
from rag.types import Document, Hit


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

    def span(self, start: int, end: int, score: float | None = None) -> "Candidate":
        """Another span of the same document, with this candidate's scores (not its reading)."""
        return Candidate(self.hit_rank, self.hit, self.doc, start, end, self.lexical, self.context, self.dense,
                         self.score if score is None else score)


def from_hits(hits: Sequence[Hit], document, policy: AnswerPolicy, further: Sequence[Hit] = (),
              years: tuple[int, int] | None = None, zh: bool = True) -> list[Candidate]:
    """The sentences of the top hits' passages, each once; `document(doc_id)` gives a Document.
    `further`: the hits ranked after them, read where they go on with a version's article (continued);
    `years`: the years a question asks about, whose articles among them are read too; `zh`: the
    question is Chinese (continued)."""
    seen, out = set(), []
    top = list(hits[: policy.sentences_from])
    for rank, hit in enumerate(top + continued(top, further, document, policy, years, nearly=zh)):
        doc = document(hit.chunk.doc_id)
        for s, e in sentence_spans(doc.text, _sentence_start(doc.text, hit.chunk.start), hit.chunk.end):
            if (doc.id, s) in seen or e - s < policy.min_sentence_chars or _QUESTION_END.search(doc.text[s:e]) \
                    or end_matter(doc.text, s, e):
                continue  # too short to answer, itself a question (a heading such as "如何……？"), or a
                # line that says who wrote or issued the article, not what it says
            seen.add((doc.id, s))
            out.append(Candidate(rank, hit, doc, s, _sentence_end(doc.text, s, e)))
    return out


def continued(top: Sequence[Hit], further: Sequence[Hit], document, policy: AnswerPolicy,
              years: tuple[int, int] | None = None, nearly: bool = False) -> list[Hit]:
    """Of the hits ranked after the top ones, the other passages of a dated article the top ones
    come from, or of an article newer than all of them, when those are of at least two dates: versions of a fact are in play, and
    the newer article's figure may lie in its passage ranked sixth, after the headline and lead
    that repeat the question's words (a canteen's meals a day, a card's days to issue). At most
    `policy.further_from` (newer articles: looked for in the first `policy.newer_from`); none when the
    top passages are of one date or undated. A question of given `years` (first, last) reads too an
    article written in them or the year after (a report tells the year before), 2019年…多少 of the 2020
    report ranked under newer articles that repeat the question's words."""
    if not further or max(policy.further_from, policy.newer_from) <= 0:
        return []
    docs = {h.chunk.doc_id: document(h.chunk.doc_id) for h in top}
    dates = {d.date for d in docs.values() if d is not None and d.date}
    if len(dates) < 2:
        return []
    from rag.dates import as_date

    read = {(h.chunk.doc_id, h.chunk.start) for h in top}
    # `nearly`: newer than all of them but the newest (a notice of another fact of the same subject, the
    # canteens' new meal price, is no reason to pass over the report that gives their number), with three
    # dates or more; not for a question in another language, whose dictionary keywords more often
    # retrieve another topic's newer article
    known = sorted(w for w in (as_date(d) for d in dates) if w is not None)
    newest = known[-2] if nearly and len(known) >= 3 else (known[-1] if known else None)
    going_on, newer = [], []
    for i, h in enumerate(further[: max(policy.further_from, policy.newer_from)]):
        if (h.chunk.doc_id, h.chunk.start) in read:
            continue
        d = docs.get(h.chunk.doc_id) if i < policy.further_from else None
        if d is not None:
            if d.date:
                going_on.append(h)
            continue
        # an article none of the top passages is from: read when newer than (nearly) all of them (each
        # kind has `further_from` places: one does not crowd the other out)
        later = document(h.chunk.doc_id)
        when = as_date(later.date) if later is not None and later.date else None
        if when is not None and (newest is not None and when > newest or _of_years(when, years)):
            newer.append((not _of_years(when, years), i, h))
    newer.sort(key=lambda x: x[:2])  # those of the years asked first, then by rank
    return going_on[: policy.further_from] + [h for *_, h in newer][: policy.further_from]


def _of_years(when, years: tuple[int, int] | None) -> bool:
    return years is not None and years[0] <= when.year <= years[1] + 1


def _sentence_start(text: str, start: int) -> int:
    """Where the sentence a passage opens in begins: an English passage may open inside one ("2024,
    residents of … aged 65 and over can ride … free" of "From March 1, 2024, residents …"), which is
    read from its start when that lies within _REST characters; any other passage from where it opens."""
    before = text[max(0, start - _REST):start]
    if not before.rstrip() or before.rstrip()[-1] not in _INSIDE_ENGLISH:
        return start
    ends = [m.end() for m in _EN_SENTENCE_END.finditer(before)]
    return start - len(before) + ends[-1] if ends else start


_INSIDE_ENGLISH = frozenset(",;:()-'\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_EN_SENTENCE_END = re.compile(r"[.!?][\"')]?\s+(?=[A-Z\"(])|\n\s*")


def _sentence_end(text: str, start: int, end: int) -> int:
    """Where the sentence text[start:end] should end: a passage may end inside a long English sentence
    (cut at "on January 18,"): the rest of the sentence is read too when it is short (_REST characters
    at most), else its next clause (_MORE at most)."""
    if end >= len(text) or text[:end].rstrip()[-1:] not in (",", ";"):  # a Chinese clause split keeps its passage's cut
        return end
    whole = sentence_spans(text, start, min(len(text), end + _REST + 1))
    if not whole or whole[0][0] != start or whole[0][1] <= end:
        return end
    if whole[0][1] - end <= _REST:  # the sentence ends (or its line does) within _REST characters  # "She succeeds Zhang San (张三)," + ", who … has become director of … (…局长)."
        return whole[0][1]
    clause = re.search(r"[，,；;：:]", text[end : min(whole[0][1] - 1, end + _MORE)])  # "…on January 18, 2024,"
    if clause:
        return end + clause.end()
    return end


_MORE = 40  # characters of a next clause read past a passage's end at most (a table row runs on for pages)
_REST = 200  # or of the rest of the sentence, when that is all it takes (an English sentence's relative clause)


def end_matter(text: str, start: int, end: int) -> bool:
    """text[start:end] is a whole line that names a source, an author or an issuer rather than
    stating anything: （来源：某区公安分局）, 责任编辑：某某, a notice's signature (某县民政局 某县财政局)
    or the date under it."""
    from rag.ingest.patterns import is_byline

    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    if text[lo:start].strip() or text[end : len(text) if hi < 0 else hi].strip():
        return False  # part of a longer line
    line = text[start:end].strip()
    return is_byline(line) or bool(_SIGNATURE.fullmatch(line) or _DATE_LINE.fullmatch(line))


class Surroundings:
    """The sentences around a candidate in its document; each document is split once."""

    def __init__(self, policy: AnswerPolicy):
        self.policy = policy
        self._sentences: dict[str, list[tuple[int, int]]] = {}

    def sentences(self, doc: Document) -> list[tuple[int, int]]:
        if doc.id not in self._sentences:
            self._sentences[doc.id] = sentence_spans(doc.text)
        return self._sentences[doc.id]

    def window(self, c: Candidate) -> str:
        """The sentence with its neighbours in the paragraph, and the title: where a subject or
        a year named a sentence or two earlier lives; in a Q&A's answer, the question it answers too
        (问：还要上传户口簿吗？ over 答：…家长无需上传…); for 该项目共624套, what the paragraph before names."""
        p = self.policy
        text = c.doc.text
        para_lo = text.rfind("\n", 0, c.start) + 1
        para_hi = text.find("\n", c.end)
        para_hi = len(text) if para_hi < 0 else para_hi
        spans = [sp for sp in self.sentences(c.doc) if sp[0] >= para_lo and sp[1] <= para_hi]
        i = next((k for k, sp in enumerate(spans) if sp[0] <= c.start < sp[1]), 0)
        lo = spans[max(0, i - p.context_before)][0] if spans else c.start
        hi = spans[min(len(spans) - 1, i + p.context_after)][1] if spans else c.end
        return (c.doc.title or "") + "\n" + asked_line(text, c.start) + self.referred(c) + text[lo:hi]

    def _before(self, c: Candidate) -> list[tuple[int, int]]:
        para_lo = c.doc.text.rfind("\n", 0, c.start) + 1
        return [sp for sp in self.sentences(c.doc) if para_lo <= sp[0] and sp[1] <= c.start]

    def referred(self, c: Candidate) -> str:
        """For a paragraph that opens with 该项目 / 该中心 / 这所学校…: the first sentence of the paragraph
        before it, which names what it refers to; "" otherwise."""
        if not _ANAPHOR.match(c.text) or self._before(c):
            return ""
        text = c.doc.text
        end = text.rfind("\n", 0, text.rfind("\n", 0, c.start) + 1)  # the paragraph before's end
        lo = text.rfind("\n", 0, max(end, 0)) + 1
        while end > 0 and not text[lo:end].strip():  # past blank lines
            end = text.rfind("\n", 0, end)
            lo = text.rfind("\n", 0, max(end, 0)) + 1
        first = next((sp for sp in self.sentences(c.doc) if lo <= sp[0] and sp[1] <= end), None)
        return text[first[0]:first[1]] if first and end > 0 else ""

    def lead_in(self, c: Candidate, count: int | None = None) -> str:
        """Up to `count` (default: policy.lead_in_sentences) sentences before c in its paragraph."""
        count = self.policy.lead_in_sentences if count is None else count
        return "".join(c.doc.text[s:e] for s, e in self._before(c)[-count:])

    def previous(self, c: Candidate) -> Candidate | None:
        """The sentence before c in its paragraph, with c's score."""
        prev = self._before(c)
        if not prev:
            return None
        s, e = prev[-1]
        return Candidate(c.hit_rank, c.hit, c.doc, s, e, score=c.score)


# a sentence that speaks of what the paragraph before named (该项目共624套, 这所学校今年…)
_ANAPHOR = re.compile(r"\s*(?:该|此|这个|这所|这家|这座|这一|上述)(?:[\u4e00-\u9fff]{0,3}?)"
                      r"(?:项目|工程|中心|学校|校|医院|院|园|馆|公司|企业|基地|村|社区|街道|镇|乡|小区|线路|航线|站|所|市场)")


# a numbered item of a list (一、…, （二）…, 3.…): of what the line that opens its list names
LIST_ITEM = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．])")


def list_opening(text: str, start: int, lines: int = 12) -> str:
    """The line that opens the list the item at text[start] belongs to (据村务公开表，…2024年主要指标如下：):
    the nearest line before it that is no item, within `lines` lines; "" when none is."""
    for line in reversed(text[:start].splitlines()[-lines:]):
        if line.strip() and not LIST_ITEM.match(line):
            return line.strip()
    return ""


_OPENS_LIST = re.compile(r"[^。！？\n]*(?:如下|以下)[^。！？\n:：，,]{0,6}[:：]")  # …公告如下：, …作如下调整：


def list_subject(c: Candidate) -> str:
    """For a numbered item ("一、白天…首小时3元"), the clause that opens its list and names what it is
    about (…园区通勤班车作如下调整：); else ""."""
    if not LIST_ITEM.match(c.text):
        return ""
    lo = max(0, c.start - 2000)  # a list's opening is near: the whole article need not be split
    opening = _OPENS_LIST.findall(list_opening(c.doc.text[lo:c.start], c.start - lo))
    return opening[-1] if opening else ""


def asked_line(text: str, start: int) -> str:
    """The question an answer paragraph of a Q&A answers: for text[start] in a paragraph that opens
    with 答：, the line before it when that opens with 问：, else ""."""
    para_lo = text.rfind("\n", 0, start) + 1
    if not re.match(r"\s*答\s*[:：]", text[para_lo:para_lo + 6]):
        return ""
    for line in reversed(text[max(0, para_lo - 600):para_lo].splitlines()[-3:]):
        if line.strip():
            return line.strip() if re.match(r"\s*问\s*[:：]", line) else ""
    return ""


def topic(doc: Document, policy: AnswerPolicy) -> str:
    """The title when it is short enough to name the article's topic, else ""."""
    return doc.title if doc.title and len(doc.title) <= policy.topic_title_chars else ""


def asks_author(question: str) -> bool:
    return bool(_AUTHOR_Q.search(question))


def byline(c: Candidate) -> Candidate | None:
    """The byline of c's article: a line such as "融媒记者 王明", or "（记者 王明）" in brackets."""
    from rag.ingest.patterns import is_byline

    text = c.doc.text
    for m in re.finditer(r"[^\n]+", text):
        line = m.group().strip()
        if is_byline(line) and _NAMED_ROLE.search(line):
            s = m.start() + m.group().index(line)
            return c.span(s, s + len(line))
    m = _BRACKET_BYLINE.search(text)
    if m:
        return c.span(m.start(1), m.end(1))
    return None


def promoted(ranked: list, window: int, margin: float, better) -> list:
    """`ranked` with the first of the next sentences among the first `window` for which `better(c)`
    holds moved to the front, as long as it scores within `margin` of the best one; else unchanged.
    (A sentence of the measure asked, a sentence that lists the things asked.)"""
    for i, c in enumerate(ranked[1:window], start=1):
        if c.score < ranked[0].score - margin:
            break
        if better(c):
            return [c] + ranked[:i] + ranked[i + 1:]
    return ranked


def adjacent(a: Candidate, b: Candidate) -> bool:
    """b follows a in the same paragraph of the same document, with nothing but spaces between."""
    if a.doc.id != b.doc.id or a.end > b.start:
        return False
    gap = a.doc.text[a.end : b.start]
    return not gap.strip() and "\n" not in gap


def next_in_document(best: Candidate, cands: list[Candidate]) -> Candidate | None:
    """The first candidate after `best` in its document."""
    after = [c for c in cands if c.doc.id == best.doc.id and c.start > best.end]
    return min(after, key=lambda c: c.start) if after else None


def adjacent_runner_up(best: Candidate, cands: list[Candidate], policy: AnswerPolicy) -> Candidate | None:
    """The sentence just before or after the best one in its paragraph, when it is among the
    next few best-scoring sentences."""
    p = policy
    ranked = sorted((c for c in cands if c is not best), key=lambda c: -c.score)
    for c in ranked[: p.runner_ups]:
        if (best.score - c.score <= p.partner_gap
                and (best.end - best.start) + (c.end - c.start) <= p.max_answer_chars
                and (adjacent(best, c) or adjacent(c, best))):
            return c
    return None


_AUTHOR_Q = re.compile(
    r"(?:作者|记者|撰稿人?|执笔人?)(?:是|为)?(?:谁|哪|叫什么)|哪(?:位|个|名)(?:记者|作者)|谁(?:写|撰写|执笔|采写)"
    r"|which reporter|who (?:wrote|reported)|\bauthor|written by|byline", re.I)
_ROLE = r"(?:融媒|本报|本刊|特约|见习|首席)?(?:记者|通讯员|撰稿|作者)"
_NAMED_ROLE = re.compile(_ROLE + r"[\s：:]*[\u4e00-\u9fff·]{2,5}")
_BRACKET_BYLINE = re.compile(r"[（(](" + _ROLE + r"[\s：:]*[\u4e00-\u9fff·]{2,5}[^（）()\n]{0,24})[）)]")
_ISSUER = (r"[\u4e00-\u9fff（）()]{2,30}?(?:局|委员会|委|办公室|政府|中心|办事处|分局|公司|医院|学校|院|所|站|馆|"
           r"街道|社区|村委会|居委会|协会|部|处|厅|署|集团|银行|电视台|报社)")
_SIGNATURE = re.compile(rf"{_ISSUER}(?:[\s、　]+{_ISSUER})*")  # one or more issuers, nothing said
_DATE_LINE = re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
                        r"(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?")
_QUESTION_END = re.compile(r"[？?][”’」』）)\"']*$")
