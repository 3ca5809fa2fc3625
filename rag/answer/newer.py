"""A newer retrieved article that changes the very value an answer gives (issue #19): "the last
Route 9 bus will leave at 22:00 instead of 21:00" (an English page of 2025) against "末班车21:00发车"
(a Chinese notice of 2024). The support checks may not read the newer sentence (another language,
other words), so it cannot lead; but the value it replaces is the answer's own, written out: the
answer then leads with the newer sentence, bold its new value, and keeps the older one as what
came before. Only the retrieved articles are read, and only a change written with both values
(X instead of Y, from Y to X, 由Y调整为X) of exactly the answer's figure counts.

The same for who holds a post: a newer article, in any language, that names the person the answer
names as the one its new holder succeeds ("Zhang San (张三) was appointed director (局长) … He succeeds
Li Si (李四)", 王五接替李四任…) leads with its new holder, the older answer kept as what came before."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.answer.ambiguity import class_part
from rag.answer.candidates import Candidate
from rag.answer.change_values import with_unit
from rag.answer.evidence import asks_duration, duration_in
from rag.answer.in_force import not_yet
from rag.answer.scoring import Question
from rag.answer.span import extract_short
from rag.dates import as_date, find_dates, spoken, supersession
from rag.dates.words import ADJUST
from rag.text import CN_NUMERALS, sentence_spans  # (由8条增至十三条: a new value in Chinese numerals)
from rag.types import Answer, Citation, ShortPart

_NUM = r"\d{1,2}:\d{2}|\d+(?:\.\d+)?"
_PER = r"每(?:人|户|例|份|张|次|位|名|套|亩|平方米|立方米|吨|月|年|天|日|小时|辆|台|件|个|只|艘|座)(?:每(?:月|年|天|日|次|小时))?"
_MARK = "|".join(re.escape(w) for w in sorted(ADJUST, key=len, reverse=True) if not w.isascii())
_CHANGES = (
    re.compile(rf"(?P<new>{_NUM})(?:\s*(?:yuan|a\.m\.|p\.m\.))?\s+instead of\s+(?P<old>{_NUM})", re.I),
    re.compile(rf"\bfrom\s+(?P<old>{_NUM})(?:\s*(?:yuan|a\.m\.|p\.m\.))?\s+to\s+(?P<new>{_NUM})", re.I),
    # (由每例2800元提高至每例3600元: the measure per what may stand before either figure)
    re.compile(rf"由(?:{_PER})?(?P<old>{_NUM})(?P<unit>\S{{0,4}}?)(?:{_MARK})(?:{_PER})?(?P<new>{_NUM}|[{CN_NUMERALS}]+(?=[^{CN_NUMERALS}]))"),
)
_FIGURE = re.compile(_NUM)


@dataclass(frozen=True)
class Newer:
    """The newer sentence (`cand`), the value it gives (`value`, at `at` in its document) and the
    older answer's figure it replaces (`old`), in the article `of` (the older answer's)."""

    cand: Candidate
    value: str
    at: int
    old: str
    of: str


def newer_change(q: Question, lead: Candidate, ranked: list[Candidate], today=None) -> Newer | None:
    """The first sentence of a retrieved article newer than `lead`'s that changes the figure `lead`
    answers with (its short-answer span's figures) to another, from a date not after `today`; for a
    who-question, that names a successor to the person `lead` names (successor); None when none does."""
    if q.kind == "person":
        return successor(q, lead, ranked, today)
    said = as_date(lead.doc.date)
    fixed = correction(lead, ranked, said, today) or renamed(lead, ranked, said, today)
    if fixed is not None:
        return fixed
    lo, hi = class_part(q.query, lead.text) if q.kind == "number" else (0, len(lead.text))
    span = extract_short(q.span_q, lead.text[lo:hi], q.kind) if said is not None else None  # (二类's own figure)
    span = (span[0] + lo, span[1] + lo) if span else None
    if span is not None and asks_duration(q.query):  # 能借多长时间: 借期仍为30天, not the 6册 before it
        told = duration_in(lead.text)
        at = lead.text.find(told) if told else -1
        span = (at, at + len(told)) if at >= 0 else None
    olds = set(_FIGURE.findall(lead.text[span[0]:span[1]])) if span else _asked_figures(q, lead.text)
    answered = lead.text[span[0]:span[1]] if span and olds else lead.text
    if span and not olds and q.zh and q.kind == "number":  # a span written without a figure, 每两年, names nothing a
        olds = _asked_figures(q, lead.text) or _figures(lead.text)  # change could: the sentence's figures are read
    if said is None or not olds:
        return None
    found = _change_of(olds, answered, ranked, said, today)
    if found is None:
        return None
    first_old = found[0].old
    for _ in range(4):  # changed again later (由每立方米6.78元调整为7.74元, then 由7.74元调整为8.61元): the last change
        newer, d = found
        again = _change_of(set(_FIGURE.findall(newer.value)), newer.value, ranked, d, today)
        if again is None:
            break
        found = again
    return replace(found[0], old=first_old, of=lead.doc.id)


def _change_of(olds: set[str], answered: str, ranked: list[Candidate], said, today):
    """(the first sentence of a retrieved article newer than `said` that changes one of the figures `olds`
    written in `answered` to another, as a Newer, and its article's date), or None."""
    for c, d in _newer_articles(ranked, said):
        for s, e in sentence_spans(c.doc.text):
            start = applies_from(c.doc.text[s:e], d)
            if start is not None and not_yet(start, today):
                continue  # announced for later
            for pattern in _CHANGES:
                # (every change the sentence makes: 一类…由每台195元提高至285元；二类…由每件35元提高至55元)
                for m in pattern.finditer(c.doc.text, s, e):
                    if m["old"] not in olds or m["new"] == m["old"]:
                        continue
                    old = m["old"] + (m.groupdict().get("unit") or "")
                    if old in answered:  # in the answer's own unit (not the 4 of 2024年4月30日 for 由4项减少为2项)
                        lo, hi = _sentence_of(c.doc.text, s, e, m.start(), m.end())
                        new = with_unit(c.doc.text, old, m.span("new"))
                        return Newer(c.span(lo, hi), c.doc.text[new[0]:new[1]], m.start("new"), m["old"], ""), d
    return None


def correction(lead: Candidate, ranked: list[Candidate], said, today=None) -> Newer | None:
    """A correction notice newer than `lead`'s article that says a value written in `lead` was wrong
    and gives the right one (本网3月3日刊发的《…》一文中，…新址“兴文路18号”有误，应为“兴文路81号”): the
    right value, its sentence leading. Where the notice names the article it corrects (《title》),
    that must be `lead`'s."""
    if said is None:
        return None
    for c, d in _newer_articles(ranked, said):
        text = c.doc.text
        for m in _CORRECTS.finditer(text):
            old, new = m["old"].strip(), m["new"].strip()
            if len(old) < 2 or old == new or old not in lead.text:
                continue
            named = _NAMED_ARTICLE.findall(text, 0, m.start())
            if named and not any(_plain(t) == _plain(lead.doc.title or "") for t in named):
                continue  # a correction of another article
            if not_yet(d, today):
                continue
            lo, hi = next(((a, b) for a, b in sentence_spans(text) if a <= m.start("old") < b), (m.start(), m.end()))
            return Newer(c.span(lo, max(hi, m.end())), new, m.start("new"), old, lead.doc.id)
    return None


def renamed(lead: Candidate, ranked: list[Candidate], said, today=None) -> Newer | None:
    """A newer article that renames the thing `lead` names in quotes (“青禾政务通”APP… against “OLD”
    has been renamed “NEW”, “OLD”更名为“NEW”): the new name, its sentence leading."""
    if said is None:
        return None
    quoted = {m.group(1).strip() for m in _QUOTED.finditer(lead.text)}
    for c, d in _newer_articles(ranked, said):
        text = c.doc.text
        for m in _RENAMES.finditer(text):
            old, new = m["old"].strip(), m["new"].strip()
            if old not in quoted or old == new or not_yet(d, today):
                continue
            start = applies_from(text[m.start():m.end() + 40], d)
            if start is not None and not_yet(start, today):
                continue  # renamed from a later day
            lo, hi = _sentence_of(text, *_line_of(text, m.start()), m.start(), m.end())
            if not re.search(r"renamed|called", m.group(), re.I):  # a Chinese sentence
                lo, hi = next(((a, b) for a, b in sentence_spans(text) if a <= m.start() < b), (lo, hi))
            return Newer(c.span(lo, max(hi, m.end())), new, m.start("new"), old, lead.doc.id)
    return None


def _line_of(text: str, at: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    return lo, len(text) if hi < 0 else hi


_QUOTED = re.compile(r"[“\"「『]([^”\"」』\n]{1,30})[”\"」』]")
_RENAMES = re.compile(r"[“\"「『](?P<old>[^”\"」』\n]{1,30})[”\"」』][^。\n]{0,60}?"
                      r"(?:\b(?:has been |was |is |been )?renamed(?: as| to)?|更名为|改名为|改称|正式更名为|now called)\s*"
                      r"[“\"「『](?P<new>[^”\"」』\n]{1,30})[”\"」』]", re.I)


_Q_OPEN, _Q_CLOSE = "“\"‘「『", "”\"’」』"
_CORRECTS = re.compile(rf"[{_Q_OPEN}](?P<old>[^{_Q_CLOSE}\n]{{1,40}})[{_Q_CLOSE}]\s*(?:一文中?)?(?:有误|错误|系笔误|不准确|有错)"
                       rf"[，,；;]?\s*(?:[^。\n]{{0,30}}?)(?:应为|应是|更正为|改正为)\s*[{_Q_OPEN}]?(?P<new>[^{_Q_CLOSE}。，,；;\n]{{1,40}})")
_NAMED_ARTICLE = re.compile(r"《([^》\n]{2,80})》")


def _plain(title: str) -> str:
    return re.sub(r"\s+", "", title)


def _newer_articles(ranked: list[Candidate], said):
    """Each retrieved article dated after `said` once (its best-ranked sentence), with its date."""
    seen = set()
    for c in ranked:
        d = as_date(c.doc.date)
        if c.doc.id not in seen and d is not None and d > said:
            seen.add(c.doc.id)
            yield c, d


def successor(q: Question, lead: Candidate, ranked: list[Candidate], today=None) -> Newer | None:
    """The new holder a retrieved article newer than `lead`'s names in place of the person `lead`
    answers with (its short-answer span, a Chinese name): "He succeeds Li Si (李四)" / "replacing Li
    Si (李四)" / "takes over from Li Si (李四)" after "Zhang San (张三) was appointed …" in its paragraph,
    or "王五接替李四…" / "王五接任李四…"; the new holder's Chinese name for a Chinese question, the name as
    written for another. Only where the newer sentences name the post asked (its Chinese, or the
    English words for it: rag.retrieve.romanized.GLOSSES), and not in force after `today`."""
    said = as_date(lead.doc.date)
    span = extract_short(q.span_q, lead.text, "person") if said is not None else None
    old = re.sub(r"\s+", "", lead.text[span[0]:span[1]]) if span else ""
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,6}", old):
        return None
    posts = _posts(q.query)
    for c, d in _newer_articles(ranked, said):
        text = c.doc.text
        for m in _SUCCEEDS.finditer(text):
            if old not in (m["old"], m["old2"]):
                continue
            found = _new_holder(text, m, old)
            if found is None:
                continue
            (lo, name_end), (zh_lo, zh_hi) = found
            name_lo = lo
            para_end = text.find("\n", m.end())
            hi = _sentence_of(text, lo, len(text) if para_end < 0 else para_end, m.start(), m.end())[1]
            if m["old2"] is not None:  # a Chinese line: its sentence
                lo, hi = next(((a, b) for a, b in sentence_spans(text) if a <= m.start() < b), (lo, hi))
            told = text[lo:hi]
            if posts and not any(p in told.lower() for p in posts):
                continue  # the new holder of another post the old one held
            start = applies_from(told, d)
            if start is not None and not_yet(start, today):
                continue
            at, end = (zh_lo, zh_hi) if q.zh else (name_lo, name_end)
            return Newer(c.span(lo, hi), text[at:end], at, old, lead.doc.id)
    return None


_ZH_NAME = r"[\u4e00-\u9fff·]{2,4}"
_SUCCEEDS = re.compile(
    rf"\b(?:succeeds|succeeded|succeeding|replaces|replaced|replacing|takes over from|took over from|"
    rf"taking over from|has taken over from)\s+(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,3}}\s*)?[（(](?P<old>{_ZH_NAME})[）)]"
    rf"|(?:接替|接任|替代|取代)(?P<old2>{_ZH_NAME}?)(?:同志)?(?:的|担任|任|出任|成为|，|。|职务)")


def _new_holder(text: str, m: re.Match, old: str):
    """The new holder of a succession match: for a Chinese one, its name before 接替; for an English
    one, the person its paragraph appoints before it ("Zhang San (张三) was appointed …"), its
    sentence or the one before: ((start, end) of the name as written, (start, end) of its Chinese)."""
    from rag.answer.span import appointee, looks_like_name

    if m["old"] is None:
        if m["old2"] != old:
            return None
        end = m.start() - (2 if text.endswith("同志", 0, m.start()) else 0)
        for n in (3, 2):  # 王五接替李四, 王五同志接任李四的…
            if end - n >= 0 and re.fullmatch(r"[\u4e00-\u9fff]+", text[end - n:end]) and looks_like_name(text[end - n:end]):
                return (end - n, end), (end - n, end)
        return None
    para = text.rfind("\n", 0, m.start()) + 1
    found, at = None, para
    while (f := appointee(text, at, m.start())) is not None:
        found, at = f, f[0][1]
    if found is None or text[found[1][0]:found[1][1]] == old:
        return None
    return found


def _posts(query: str) -> list[str]:
    """The post a who-question asks of, as a Chinese page writes it and as an English one does (院长,
    president): the words of rag.retrieve.romanized.GLOSSES that name a head, not a body."""
    from rag.retrieve.romanized import GLOSSES, TITLES

    out = []
    for title in TITLES:
        if title in query:
            out += [title, *GLOSSES[title]]
    return out


def applies_from(sentence: str, said):
    """The date a sentence puts its change in force from (自7月1日起, takes effect from…, or an English
    "From July 1, 2025, …" / "starting …"); None when it states none."""
    change = supersession(sentence, said)
    if change is not None and change.effective is not None:
        return change.effective
    for f in find_dates(sentence, said.year if said else None):
        if _EN_FROM.search(sentence[max(0, f.start - 16):f.start]):
            return f.date
    return None


_EN_FROM = re.compile(r"\b(?:from|starting(?: on| from)?|as of|beginning(?: on)?|effective)\s+$", re.I)


def _asked_figures(q: Question, text: str) -> set[str]:
    """The figures (not dates) of the clauses of `text` that hold a word of the question (末班船18:00开航)."""
    words = [t for t in q.terms if len(t) >= 2]
    out: set[str] = set()
    for clause in re.split(r"[，,；;。]", text):
        if any(w in clause for w in words):
            for f in reversed(find_dates(clause)):
                clause = clause[:f.start] + " " + clause[f.end:]
            out |= set(_FIGURE.findall(clause))
    return out


def _figures(text: str) -> set[str]:
    """The figures of `text`, its dates left out."""
    for f in reversed(find_dates(text)):
        text = text[:f.start] + " " + text[f.end:]
    return set(_FIGURE.findall(text))


def _sentence_of(text: str, s: int, e: int, lo: int, hi: int) -> tuple[int, int]:
    """The English sentence of text[s:e] that holds text[lo:hi] (sentence_spans cuts Chinese
    sentences only: an English paragraph is one span)."""
    starts = [m.end() for m in _EN_END.finditer(text, s, lo)]
    end = _EN_END.search(text, hi, e)
    return (starts[-1] if starts else s), (end.start() + 1 if end else e)


_EN_END = re.compile(r"(?<![A-Z])[.!?](?=\s+[A-Z])\s*")


def told_newer(answer: Answer, newer: Newer | None, zh: bool) -> Answer:
    """The answer led by the newer sentence (its date, its quote, its value in bold), the older
    answer kept after it as what came before."""
    if newer is None or not answer.answerable or not answer.citations or answer.citations[0].doc_id != newer.of:
        return answer
    c = newer.cand
    n = len(answer.citations) + 1
    cite = Citation(n, c.doc.id, c.doc.title, c.doc.date, c.doc.source, c.text, c.start, c.end,
                    min(c.hit.chunk.start, c.start), max(c.hit.chunk.end, c.end), when=c.doc.date, status="current",
                    page=c.doc.page_at(c.start), ocr=c.doc.ocr_at(c.start, c.end))
    start = applies_from(c.text, as_date(c.doc.date))  # From September 1, 2025, …: when it applies
    on = start.iso() if start is not None else c.doc.date
    olds = tuple(replace(x, status="superseded", changed_on=on) if x.doc_id == newer.of else x
                 for x in answer.citations)
    when = spoken(as_date(c.doc.date), zh)
    old = answer.answer
    if answer.short_answer and old.startswith(f"{answer.short_answer} — "):
        old = old[len(answer.short_answer) + 3:]
    text = (f"据{when}报道：{c.text}[{n}]（此前：{old}）" if zh
            else f"{newer.value} — As reported on {when}: {c.text} [{n}] (Before: {old})")
    part = ShortPart(newer.value, c.doc.id, newer.at, newer.at + len(newer.value))
    return replace(answer, answer=text, citations=olds + (cite,), short_answer=newer.value, short_parts=(part,),
                   short_answer_score=None)
