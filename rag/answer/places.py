"""Which place a version of a fact speaks of (issue #19). An archive of one county holds, beside its
own notices ("我市…补贴标准由100元调整为120元"), a neighbouring county's news in the same words
("邻川县…补贴标准提高至每人每月125元"): the neighbour's newer standard is no newer version of the
county's own, and must neither lead an answer nor mark the county's standard as replaced.

A version is taken to speak of another place when its article's headline starts with a place's
name (X县, X市, X区, X镇, X乡, X街道) that its sentence names again, that the question does not name
and that no other retrieved article mentions: a place the archive speaks of only there. The archive's own place is named by
many of its articles (or by none, as 我市), and a place the question names is the one asked."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

_HEADLINE_PLACE = re.compile(r"^\s*(?![我全本该各])([\u4e00-\u9fff]{2,3}?(?:县|市|区|镇|乡|街道))")


def headline_place(title: str | None) -> str | None:
    """The place a headline starts with (邻川县提高… -> 邻川县), None when it starts with none."""
    m = _HEADLINE_PLACE.match(title or "")
    return m.group(1) if m else None


def elsewhere(doc, sentence: str, query: str, docs, rare: Callable[[str], bool | None] | None = None) -> bool:
    """Does `sentence` of `doc` speak of a place the question does not name and no other of `docs`
    mentions: the place its headline starts with, named again in the sentence itself (a county
    government's notice of appointments names its county in the headline only)? With `rare` (is a
    name rare in the archive: rag.answer.answerer) the archive's counts decide instead of the
    other retrieved articles: a place it names often is its own, whatever those say (a 2021 guide
    names the city, later notices say 我市)."""
    place = headline_place(doc.title) if getattr(doc, "date", None) else None  # news, not an encyclopedia's entry
    if place is None or place in query or place[:-1] in query or place not in sentence:
        return False
    if _inner_asked(place, sentence, query):
        return False  # 禾口镇枫溪村, 枫溪村 asked: the place asked, named with the town it lies in
    said = rare(place) if rare is not None else None
    if said is not None:  # the archive's counts decide, where it is large enough to tell
        return said
    others = [d for d in docs if d.id != doc.id]
    return len(others) >= 2 and not any(place in d.text or place in (d.title or "") for d in others)


def _inner_asked(place: str, sentence: str, query: str) -> bool:
    """Does the sentence write `place` right before a smaller place the question names (禾口镇枫溪村)?"""
    return any(m.group(1) in query for m in re.finditer(re.escape(place) + _INNER, sentence))


_INNER = r"([\u4e00-\u9fff]{2,4}?(?:村|社区|小区|街道|镇|乡))"


# a sentence that tells a neighbour's figure beside its own place's (相邻的邻川县去年接待游客105.3万人次;
# 据了解，邻近的邻川市…目前为1020元)
_NEIGHBOUR = re.compile(r"(?:相邻|邻近|毗邻|接壤|周边|隔壁|隔江|隔河|隔湖|隔海|对岸|对面|一[江河湖街路巷山墙]之隔)的?([\u4e00-\u9fff]{2,5}?(?:县|市|区|镇|乡|村|街道|社区))|邻(?:县|市|区|镇)([\u4e00-\u9fff]{2,3}?(?:县|市|区|镇))")


# another place a sentence names beside its own (…，雁泽市今年…为每户1820元，但…高于我市): a name of two or
# three characters and the suffix of the 我市 / 本县 the sentence writes, opening a clause or after 比 / 而
# (not a word that goes on from the suffix: 集贸市场, 县城)
_OWN = re.compile(r"[我本]([县市区镇乡])")
_OTHER_AT = r"(?:^|(?<=[，；。：、\s])|(?<=比|与|和|较|而|但|同))"
_NOT_A_NAME = re.compile(r"[全我本该各此其每年月日上下今去前两多些从据在向由对经为根记者按将与和及或把被给让的了是有近已到至于等]")  # 记者从市…


def _named_places(sentence: str):
    """(start, place) of each neighbour the sentence names: after 相邻 / 邻近 …, or beside its own place."""
    for m in _NEIGHBOUR.finditer(sentence):
        yield m.start(), m.group(1) or m.group(2)
    for suffix in {m.group(1) for m in _OWN.finditer(sentence)}:
        for m in re.finditer(rf"{_OTHER_AT}([\u4e00-\u9fff]{{2,3}}?{suffix})(?![场民容值面政级直域城间别])", sentence):
            if not _NOT_A_NAME.search(m.group(1)[:-1]):
                yield m.start(), m.group(1)


def neighbours(sentence: str, query: str) -> bool:
    """Does the sentence speak of a neighbouring place that the question does not name (相邻的邻川县…
    asked 全县's figure)? Its figure is the neighbour's, no version of the place asked."""
    for _, place in _named_places(sentence):
        if place not in query and place[:-1] not in query:
            return True
    return False


_PLACE_NAME = r"[\u4e00-\u9fff]{1,6}?(?:村|镇|乡|街道|社区|县|区|市|景区|公园)"
# a place renamed: 叠溪村（原下岙村）, 下岙村更名为叠溪村, "Xia'ao village (下岙村) … has been renamed Diexi village (叠溪村)"
_RENAMED = (
    re.compile(rf"(?P<new>{_PLACE_NAME})[（(]原(?P<old>{_PLACE_NAME})[)）]"),
    re.compile(rf"(?:原|将)?(?P<old>{_PLACE_NAME})(?:正式)?(?:更名为|改名为|改称)(?P<new>{_PLACE_NAME})"),
    re.compile(rf"[（(](?P<old>{_PLACE_NAME})[)）][^.\n]{{0,120}}?\brenamed\b[^.\n(（]{{0,60}}[（(](?P<new>{_PLACE_NAME})[)）]"),
)


def renamings(texts) -> tuple[tuple[str, str], ...]:
    """(new name, old name) of the places the texts say were renamed, each once."""
    found = {}
    for text in texts:
        if not any(w in text for w in ("原", "更名", "改名", "改称", "renamed")):
            continue
        for pattern in _RENAMED:
            for m in pattern.finditer(text):
                new, old = _own(m["new"].lstrip("将原")), _own(m["old"])
                if new != old and new not in old and old not in new:
                    found.setdefault((new, old), None)
    # the name alone, not the town before it (石门镇叠溪村（原下岙村）: 叠溪村)
    return tuple((n, o) for n, o in found if not any(o2 == o and n2 != n and n.endswith(n2) for n2, o2 in found))


def _own(name: str) -> str:
    """A village's or community's own name, less the town before it (石门镇叠溪村 -> 叠溪村)."""
    return re.sub(r"^.*?(?:镇|乡|县|区|市|街道)(?=[\u4e00-\u9fff]{2,}(?:村|社区)$)", "", name)


def names_place(query: str) -> bool:
    """Could the question name a place renamings() reads (a word ending as _PLACE_NAME ends)? as_named
    changes nothing for one that does not."""
    return re.search(r"[村镇乡县区市]|街道|社区|景区|公园", query) is not None


def as_named(text: str, query: str, renamed) -> str:
    """`text` with a renamed place written by the name the question uses (asked 下岙村, a later article's
    叠溪村 read as 下岙村): an article after the renaming still speaks of the place asked."""
    for new, old in renamed:
        if old in query and new not in query:
            text = text.replace(new, old)
        elif new in query and old not in query:
            text = text.replace(old, new)
    return text


# a place named with the larger one it lies in (东矶岛石湾镇, 青屿乡渔湾村): articles about it name it alone
_WITHIN = re.compile(r"([\u4e00-\u9fff]{2,4}?(?:省|市|县|区|岛|乡|镇|街道))(?=[\u4e00-\u9fff]{2,4}?(?:镇|乡|村|社区|街道)(?!长|主任|书记))")


def outer_places(query: str) -> list[str]:
    """The larger places a question names before the one it asks about (东矶岛 of 东矶岛石湾镇现在谁当镇长)."""
    return list(_outer_places(query))


@lru_cache(maxsize=256)
def _outer_places(query: str) -> tuple[str, ...]:  # read once per question, not for each sentence weighed
    return tuple(m.group(1) for m in _WITHIN.finditer(query))


def own_part(sentence: str, query: str) -> str:
    """The sentence up to the clause where it turns to a neighbour the question does not name (…去年全镇
    一般公共预算收入24600万元；相邻的石渠镇去年…1.52亿元 -> its first part), or all of it."""
    for at, place in sorted(_named_places(sentence)):
        if place in query or place[:-1] in query:
            continue
        cut = max(sentence.rfind(p, 0, at) for p in "，；,;。")
        return sentence[:cut + 1] if cut > 0 else sentence
    return sentence


def about_neighbour(sentence: str, query: str) -> bool:
    """Is the sentence about a neighbour only (相邻的邻川县去年…105.3亿元), not one that turns to it after
    giving the place's own figure (…24600万元；相邻的石渠镇…)?"""
    return neighbours(sentence, query) and own_part(sentence, query) == sentence
