"""Split a cleaned newspaper page into articles, and find dates.

Boundaries come from what papers print, never from one page's strings:
- a byline line (`融媒记者 X`, `记者 X 通讯员 Y`, `融媒评论员`, `本报评论员`, `（完）`) or a paragraph
  closing with `（记者 X）` ends an article;
- a dateline (`本报讯（融媒记者 X）`, `本报1月3日讯`, `新华社北京1月3日电`) starts one;
- headline blocks (short paragraphs without sentence punctuation, with their `——` subtitles)
  that sit at such a boundary, or at the start or end of the page, are detached and given to
  the article whose body shares most of their character bigrams (pages often print headlines
  out of reading order); a headline in the middle of an article stays there as a subheading;
- after the last article, a short line is a headline only on a page of several articles and
  when its words recur in an article; otherwise (`来源：…`, a signature and date) it stays as
  the last line of the article above it.

A page without bylines or datelines stays one article. Every paragraph of the page ends up in
exactly one article: in its title line, its body or its bylines. An article's text is its title
(headline lines joined on one line) + "\n" + its paragraphs, one a line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.dates import as_date, find_dates, parse_date
from rag.ingest.clean import Para
from rag.ingest.patterns import FINAL_RE, HAN, TRAILING_BYLINE_RE, is_byline, is_dateline


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str  # title + "\n" + body when there is a title
    date: str | None


BODY, DATELINE, HEAD, BYLINE = "body", "dateline", "head", "byline"
_NO_HEAD_END = re.compile(r"[，、,；;：:]$")
_WORDISH = re.compile(r"[" + HAN + r"A-Za-z0-9]")


def _kind(text: str) -> str:
    if is_byline(text):
        return BYLINE
    if is_dateline(text):
        return DATELINE
    if text.startswith("——") and len(text) <= 60:
        return HEAD
    if len(text) <= 40 and "。" not in text and not FINAL_RE.search(text) and not _NO_HEAD_END.search(text):
        if len(_WORDISH.findall(text)) >= 2:
            return HEAD
    return BODY


@dataclass
class _Unit:
    """A detached headline block (with the bylines printed under it) waiting for its article."""

    first: int  # index of its first paragraph, for ordering
    heads: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    last: int = -1
    is_title: bool = True  # False: kept as text at the end of its article (a footer, not a headline)


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in re.findall(r"[" + HAN + r"]+|[A-Za-z0-9]+", text):
        if run.isascii():
            grams.add(run.lower())
        else:
            grams.update(run[i: i + 2] for i in range(len(run) - 1))
    return grams


def _overlap(head: str, body: set[str]) -> float:
    grams = _bigrams(head)
    return len(grams & body) / len(grams) if grams else 0.0


def _title_of(heads: list[str]) -> str:
    title = ""
    for line in heads:
        if not title or line.startswith("——"):
            title += line
        else:
            title += " " + line
    return title


def _cut_pieces(paras: list[Para], kinds: list[str]) -> list[list[int]]:
    """Cut the page before datelines, and after bylines that close a body."""
    pieces: list[list[int]] = [[]]
    has_body = False
    for i, kind in enumerate(kinds):
        if kind == DATELINE and pieces[-1]:
            pieces.append([])
            has_body = False
        pieces[-1].append(i)
        has_body = has_body or kind in (BODY, DATELINE)
        closes = kind == BYLINE or (kind == BODY and TRAILING_BYLINE_RE.search(paras[i].text))
        if closes and has_body:
            pieces.append([])
            has_body = False
    return [p for p in pieces if p]


def _units(paras: list[Para], kinds: list[str], floating: list[int]) -> list[_Unit]:
    """Group detached paragraphs into headline blocks; a byline joins the block printed above it."""
    units: list[_Unit] = []
    for i in floating:
        text = paras[i].text
        last = units[-1] if units else None
        adjacent = last is not None and last.last == i - 1
        if kinds[i] == HEAD:
            # a block is lines printed together; its `——` subtitle is its last line
            same_block = adjacent and last.heads and not last.bylines and kinds[i - 1] == HEAD and (
                paras[i].group == paras[i - 1].group or text.startswith("——")) and (
                not last.heads[-1].startswith("——") or text.startswith("——"))
            if same_block:
                last.heads.append(text)
                last.last = i
            else:
                units.append(_Unit(first=i, heads=[text], last=i))
        elif adjacent and last.heads:
            last.bylines.append(text)
            last.last = i
        else:
            units.append(_Unit(first=i, bylines=[text], last=i))
    return units


_MIN_OVERLAP = 0.2  # share of a headline's bigrams found in a body below which it is a weak match


def _assign(unit: _Unit, starts: list[int], grams: list[set[str]]) -> int:
    """The piece a detached unit belongs to: most shared bigrams, ties and weak matches going to
    the nearest piece after it (headlines precede their article), else the nearest before.

    After the last article, a block is a headline only on a page of several articles (headlines
    printed apart from their articles) and when it shares enough words; otherwise it is a footer
    (a source, a signature and date) and stays at the end of that article's text."""
    after = [k for k, s in enumerate(starts) if s > unit.first]
    before = [k for k, s in enumerate(starts) if s < unit.first]
    nearest = after[:1] or before[-1:]
    if not unit.heads:  # a byline on its own closes the article before it
        unit.is_title = False
        return (before[-1:] or after[:1])[0]
    if not after and len(starts) == 1:  # after the only article: a footer
        unit.is_title = False
        return nearest[0]
    main = [h for h in unit.heads if not h.startswith("——")] or unit.heads
    subs = [h for h in unit.heads if h.startswith("——")]
    scores = [_overlap(" ".join(main), g) + 0.5 * _overlap(" ".join(subs), g) for g in grams]
    best = max(scores)
    if best < _MIN_OVERLAP:
        unit.is_title = bool(after)
        return nearest[0]
    tied = [k for k, sc in enumerate(scores) if sc >= best - 1e-9]
    tied_after = [k for k in after if k in tied]
    return tied_after[0] if tied_after else [k for k in before if k in tied][-1]


def split_articles(paras: list[Para]) -> list[Article]:
    """The articles of a page, in page order. A page without article structure gives one."""
    if not paras:
        return []
    kinds = [_kind(p.text) for p in paras]
    pieces: list[list[int]] = []
    floating: list[int] = []
    for piece in _cut_pieces(paras, kinds):
        body_at = [n for n, i in enumerate(piece) if kinds[i] in (BODY, DATELINE)]
        if not body_at:
            floating.extend(piece)
            continue
        lo, hi = body_at[0], body_at[-1]
        floating.extend(piece[:lo])
        kept = piece[lo: hi + 1]
        n = hi + 1
        while n < len(piece) and kinds[piece[n]] == BYLINE:
            kept.append(piece[n])
            n += 1
        floating.extend(piece[n:])
        pieces.append(kept)
    if not pieces:
        text = "\n".join(p.text for p in paras)
        return [Article(None, text, find_date(text))]

    floating.sort()
    starts = [piece[0] for piece in pieces]
    grams = [_bigrams(" ".join(paras[i].text for i in piece)) for piece in pieces]
    owned: list[list[_Unit]] = [[] for _ in pieces]
    for unit in _units(paras, kinds, floating):
        owned[_assign(unit, starts, grams)].append(unit)

    articles = []
    for piece, units in zip(pieces, owned):
        units.sort(key=lambda u: u.first)
        titled = [u for u in units if u.is_title]
        title = " ".join(_title_of(u.heads) for u in titled) or None
        lines = [title] if title else []
        for u in titled:
            lines.extend(u.bylines)
        lines.extend(t for u in units if not u.is_title and u.first < piece[0] for t in u.heads + u.bylines)
        lines.extend(paras[i].text for i in piece)
        lines.extend(t for u in units if not u.is_title and u.first > piece[0] for t in u.heads + u.bylines)
        text = "\n".join(lines)
        articles.append(Article(title, text, find_date(text)))
    return articles


# ---------------------------------------------------------------- dates

def find_date(text: str) -> str | None:
    """The article's own date, as yyyy-mm-dd: the first full date (year, month and day) that is
    marked as the article's — starting a line of its opening ("2025年1月3日，…" under the headline,
    "本报讯 2025年1月3日"), as a
    dateline ("…2025年2月10日讯/电"), after a label ("发布日期：", "时间:", "Date:"), or on a line of
    its own near the end (a notice's date under its signature) — in every form rag.dates reads
    (2025年1月3日, 2025-01-03, 2025/1/3, ２０２５年…, 二〇二五年一月三日, ...). Other dates in the
    text tell of events (a birth, a term of office), not of when the article was written."""
    text = text.strip()
    for found in find_dates(text):
        if found.date.day and _marked(text, found) and not _life_date(text, found):
            return found.date.iso()
    return None


def _life_date(text: str, found) -> bool:
    """A birth or death date: "1961年10月15日出生", "生于1980年6月13日", "（1930年5月2日－2001年3月1日）"."""
    if _LIFE_AFTER.match(text, found.end) or _LIFE_BEFORE.search(text[max(0, found.start - 4):found.start]):
        return True
    opened = max(text.rfind("（", 0, found.start), text.rfind("(", 0, found.start))
    if opened < 0 or max(text.rfind("）", 0, found.start), text.rfind(")", 0, found.start)) > opened:
        return False
    closed = [i for i in (text.find("）", found.end), text.find(")", found.end)) if i >= 0]
    return bool(re.search(r"[—–－~～-]|至", text[opened:min(closed) if closed else len(text)]))


_LIFE_AFTER = re.compile(r"\s*(?:出生|生于|生人|逝世|去世|病逝|辞世|卒)")
_LIFE_BEFORE = re.compile(r"(?:生于|出生于|卒于|逝于)\s*$")


def _marked(text: str, found) -> bool:
    before, after = text[max(0, found.start - 12):found.start], text[found.end:found.end + 4]
    line_start = text.rfind("\n", 0, found.start) + 1
    line_end = text.find("\n", found.end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return bool(found.start <= OPENING_CHARS and _LEAD.fullmatch(text[line_start:found.start])
                or _DATELINE.match(after) or _LABEL.search(before)
                or (found.start >= len(text) - CLOSING_CHARS and len(line) - len(found.text) <= 24
                    and not re.search(r"[，。；]", line)))


OPENING_CHARS = 120  # a date that starts a line this close to the top (after a newsroom's name at most:
# the headline's next line, "本报讯 2025年1月3日") is the article's
CLOSING_CHARS = 80  # a date on its own line this close to the end is the date under a notice's signature
_LEAD = re.compile(r"[\s\w（）()【】\[\]·]*?(?:讯|电|报道)?[\s:：，,]*")
_DATELINE = re.compile(r"\s*(?:讯|电|报道|消息)")
_LABEL = re.compile(r"(?:日期|时间|发布|发文|印发|成文|更新|Date|Published|Updated)\s*[:：]?\s*$", re.I)


_COMPACT_RE = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:\D.*)?", re.S)


def normalise_date(value: object) -> str | None:
    """A date given as metadata: 'yyyy-mm-dd', 'yyyy-mm' or 'yyyy' when it starts with a date
    (`2023-08-16 18:24`, `2023年8月`, `20230816`), else as found."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    date = parse_date(text)
    compact = _COMPACT_RE.fullmatch(text) if date is None else None
    if compact:
        date = as_date("-".join(compact.groups()))
    return date.iso() if date else text
