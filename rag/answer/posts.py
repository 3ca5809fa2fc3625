"""A question for the post a named person holds now, or went on to (张三现在担任什么职务, 张三之后调到哪里
工作): the answer is the newest retrieved sentence that gives that person a post (…，张三调任县林业局局长;
任命张三为县气象局局长; 县档案馆馆长张三说…), not the one that shares most of the question's asking
words (张三在会上说，要把各项工作做细做实… shares 工作 with 做什么工作, and gives no post)."""
from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.candidates import Candidate, Surroundings
from rag.answer.evidence import ASKS_POST, key_entities
from rag.answer.span import ASKS_FORMER, removed
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, coverage
from rag.dates import as_date

# a post's title, at the end of the post named (县林业局局长, 乡党委书记, 市人民政府秘书长)
_TITLE = (r"(?:局长|处长|科长|院长|校长|所长|厅长|部长|主任|书记|主席|县长|市长|镇长|乡长|区长|村长|经理|董事长|会长|"
          r"秘书长|馆长|站长|队长|社长|行长|总监)")
# the words that give someone a post after their name (张三调任…, 张三同志任…, 张三当选…), not those that
# take one away or tell an old one (不再担任, 此前任, 曾任, 原任)
_GIVES = re.compile(r"(?<![不再曾原前])(?:被任命为|调任|改任|转任|出任|升任|接任|当选为?|担任|任)(?!命|职|期|务)"
                    rf"((?![前后时])[\u4e00-\u9fff（）()]{{2,30}}?{_TITLE})")  # not the 前 of 当选前 (what was held before)
_TAKEN = re.compile(r"(?:不再担任|不再任|辞去|免去|卸任|原任|曾任|曾经担任|此前任|此前担任)[^，,。；;]*")
_APPOINTS = re.compile(rf"(?:任命|提名|选举|决定)(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?:同志)?为([\u4e00-\u9fff]{{2,30}}?{_TITLE})")
# an English page: "… Zhang San (张三), who has become director of the county's … bureau (县林业局局长)"
_EN_GIVES = re.compile(r"\b(?:has become|became|has been (?:appointed|named|elected)|was (?:appointed|named|elected)|"
                       r"moved to|took over as|now heads|is now)\b[^.;()]{0,80}[(（]([\u4e00-\u9fff]{2,30}?" + _TITLE + r")[)）]")


def gives_post(name: str, text: str) -> str | None:
    """The post a sentence gives the person named (None when it gives them none): after the name in its
    clause (张三调任县林业局局长, 张三同志任乡党委书记; 不再担任…职务 passed over for the 调任 after it),
    an appointment of the name (任命张三为…局长), or the title written right before it (县档案馆馆长张三…)."""
    at = post_given(name, text)
    return text[at[0]:at[1]] if at else None


def post_given(name: str, text: str) -> tuple[int, int] | None:
    """Where in `text` the post that gives_post reads stands (its offsets), or None."""
    for m in _APPOINTS.finditer(text):
        if m.group("name") == name:
            return m.span(2)
    for at in (m.start() for m in re.finditer(re.escape(name), text)):
        end = at + len(name)
        clause = re.split(r"[。；;！？!?]", text[end:], maxsplit=1)[0]
        clause = _TAKEN.sub(lambda m: " " * len(m.group()), clause)  # blanked, its offsets kept
        g = _GIVES.search(clause)
        before = clause[:g.start()] if g is not None else ""
        if g is not None and (before.endswith("已") or not re.search(  # 此前已任…: holds it now
                r"(?:此前|曾经?|先后|早年|原来)[^，,]{0,4}$|(?:自|从)\d{4}年[^，,]{0,6}$", before)):  # 自2018年起任…: held till then
            return end + g.start(1), end + g.end(1)
        e = _EN_GIVES.search(text, end, end + 200)
        if e is not None and not re.search(r"[.;]\s", text[end:e.start()]):  # in the name's sentence
            return e.span(1)
        t = re.search(rf"(?<![原前])([\u4e00-\u9fff]{{2,20}}?{_TITLE})\s*$", text[max(0, at - 30):at])
        if t is not None:
            return max(0, at - 30) + t.start(1), max(0, at - 30) + t.end(1)
    return None


def asked_person(q: Question) -> list[str]:
    """The people a post question names (张三 of 张三现在担任什么职务), none for another question."""
    from rag.answer.span import looks_like_name

    if not ASKS_POST.search(q.query):
        return []
    names = [e for e in key_entities(q.query) if looks_like_name(e) and not _PLACE_END.search(e)]  # not 青石村
    lead = _LEADING_NAME.match(q.query)  # a name jieba does not know (a compound surname's: 欧阳某)
    lead = lead.group(1) if lead and looks_like_name(lead.group(1)) else None
    if lead:  # the name the question opens with (jieba's 兰舟 of 宓兰舟 is part of it; 溪口 of 离开溪口街道 is a place)
        names = [lead] + [n for n in names if n in lead and n != lead]
    return names or ([lead] if lead else [])


_PLACE_END = re.compile(r"[村镇乡县市区省]$|街道$|社区$")
_LEADING_NAME = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:同志)?(?:现在|目前|如今|后来|之后|现任|担任|在|做|干|去|调|不当|不再|卸任|离任|离开)")


def post_first(q: Question, ranked: list[Candidate], tl, around: Surroundings, policy: AnswerPolicy):
    """(ranked, tl) with the newest of the sentences read that give the person asked a post
    leading, for a question of the post held now (or of no time); as they were when none does, when the
    timeline's own lead gives one as new, or when the sentence fails the checks."""
    from rag.answer.support import unsupported
    from rag.answer.version_time import when_of

    names = asked_person(q)
    if not names or not ranked or tl.latest is not None or tl.asked.kind not in ("none", "current"):
        return ranked, tl
    checked = subject_only(tl.question or q)
    giving = []
    for i, c in enumerate(ranked):  # every sentence read: a later post is told in few of the question's words
        if any(gives_post(n, c.text) and not _taken_away(n, c) for n in names):
            c = c.span(c.start, c.end)  # its share of the question's subject, not of the words that ask
            c.context = coverage(checked.terms, checked.bigrams, around.window(c), policy) if checked.terms else 1.0
            if unsupported(checked, c, around, policy) is None:
                giving.append((i, c))
    if not giving:
        return ranked, tl

    def day(c: Candidate):
        w = as_date(c.doc.date)
        return (w.year, w.month or 0, w.day or 0) if w is not None else (0, 0, 0)

    best = max(giving, key=lambda ic: (day(ic[1]), -ic[0]))[1]
    lead = tl.lead if tl.lead is not None else ranked[0]
    if (lead.doc.id, lead.start) == (best.doc.id, best.start) or (
            any(gives_post(n, lead.text) and not _taken_away(n, lead) for n in names) and day(lead) >= day(best)):
        return ranked, tl
    ranked = [best] + [c for c in ranked if (c.doc.id, c.start) != (best.doc.id, best.start)]
    return ranked, replace(tl, lead=best, lead_when=when_of(best, around), lead_status="current", earlier=None,
                           earlier_status="earlier", changed_on=None, lead_value=None, newer=None, question=checked)


# the words that ask for the post, and when (现在, 后来): no word the answer need hold
_ASKING = re.compile(ASKS_POST.pattern + r"|现在|目前|如今|后来|之后|现任|担任|职务|工作", re.I)
# the post a question says its person gave up (不当民政局局长以后干什么去了): the new post's sentence need not name it
_GIVEN_UP = re.compile(r"(?:不当|不再担任|不再任|卸任|离任|离开|辞去)[\u4e00-\u9fff]{0,12}?" + _TITLE + r"(?:职务)?")


def _taken_away(name: str, c: Candidate) -> bool:
    """Does the sentence's own article take from the person the post the sentence gives them (鄢某担任市城市
    管理局局长三年多, beside 免去鄢某的市城市管理局局长职务 and 任命鄢某为市住房和城乡建设局局长)?"""
    post = gives_post(name, c.text)
    n, p = re.escape(name), re.escape(post or "")
    return bool(post) and re.search(rf"免去{n}(?:同志)?的?{p}职务|{n}(?:同志)?不再(?:担任|兼任|任){p}", c.doc.text) is not None


def subject_only(q: Question) -> Question:
    """The question whose words a sentence must hold less those that ask for the post (做什么工作, 之后调到哪里
    工作了: a sentence that gives the post need say neither 工作 nor 去); its text is kept for the checks,
    less the post it says was given up (不当民政局局长以后…: the new post's sentence names no 民政局)."""
    from rag.answer.scoring import bigrams_of

    query = _GIVEN_UP.sub(" ", q.query)
    asking = "".join(m.group() for m in _ASKING.finditer(query))
    rest = _ASKING.sub(" ", query)
    terms = {t: w for t, w in q.terms.items() if t not in asking and t in rest} or q.terms
    bigrams = frozenset(bigrams_of(rest)) if q.zh else q.bigrams
    return replace(q, query=query, terms=terms, bigrams=bigrams or q.bigrams)


def _title_asked(query: str) -> str | None:
    """The post a question asks the holder of: 站长是谁, 谁当站长 (谁是站长, 谁担任站长)."""
    m = re.search(_TITLE + r"(?=[是为由]?(?:谁|哪位|哪个人))", query) or \
        re.search(r"(?:谁|哪位)(?:在|来)?(?:当|是|任|担任)(" + _TITLE + r")", query)
    return m.group(m.lastindex or 0) if m else None


def removed_last(q: Question, ranked: list[Candidate], tl, policy: AnswerPolicy):
    """(ranked, tl) for a question of who holds a post now (or at no time said): a sentence that names
    only people its own article removes from that post (郦某自2017年起担任局长, beside 免去郦某的局长
    职务) goes after the article's other sentences, which name who holds it after them."""
    from rag.answer.span import person_spans

    title = _title_asked(q.query) if q.kind == "person" else None
    if title is None or asked_person(q) or ASKS_FORMER.search(q.query) or tl.latest is not None \
            or tl.asked.kind not in ("none", "current"):
        return ranked, tl  # 上一任局长是谁 asks for the one removed
    moved = []
    for c in ranked[: policy.supported_from]:
        names = {c.text[s:e] for s, e in person_spans(c.text)}
        # (not a line that appoints someone: 任命某某为…局长；免去… names the new head, though the name may go unread)
        if names and all(removed(n, c.doc.text, title) for n in names) and not _APPOINTS.search(c.text):
            moved.append(c)
    if not moved:
        return ranked, tl
    keep = [c for c in ranked if all(c is not m for m in moved)]
    if tl.lead is not None and any(tl.lead is m for m in moved):
        same = next((c for c in keep if c.doc.id == tl.lead.doc.id), None)
        if same is None:
            return ranked, tl
        tl = replace(tl, lead=same)
    out = list(keep)
    for c in moved:  # just after the last kept sentence of its own article
        at = max((i for i, k in enumerate(out) if k.doc.id == c.doc.id), default=len(out) - 1)
        out.insert(at + 1, c)
    return out, tl
