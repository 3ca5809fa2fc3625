"""Reading dates: the Date value, every form a date is written in, file names, stored dates.
See rag/dates/__init__.py for the forms read."""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

YEARS = (1900, 2100)


@dataclass(frozen=True)
class Date:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: "Date") -> bool:
        return self._key() < other._key()

    def __le__(self, other: "Date") -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: "Date") -> bool:
        return self._key() > other._key()

    def __ge__(self, other: "Date") -> bool:
        return self._key() >= other._key()

    def iso(self) -> str:
        """'2025', '2025-01' or '2025-01-03': the format of Document.date and the date filters."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def first_day(self) -> _dt.date:
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> _dt.date:
        month = self.month or 12
        return _dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def overlaps(self, start: "Date | None", end: "Date | None") -> bool:
        """Does this period share a day with start..end (inclusive; None: open)?"""
        return ((start is None or self.last_day() >= start.first_day())
                and (end is None or self.first_day() <= end.last_day()))

    @classmethod
    def of(cls, day: _dt.date) -> "Date":
        return cls(day.year, day.month, day.day)


def _make(year: int, month: int | None = None, day: int | None = None) -> Date | None:
    """A Date when the parts make a real one (as far as they go), else None."""
    if not YEARS[0] <= year <= YEARS[1] or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and (month is None or not 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return Date(year, month, day)


# ---------------------------------------------------------------- numbers

_WIDTH = {cp: chr(cp - 0xFEE0) for cp in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH.update({ord("－"): "-", ord("／"): "/", ord("．"): ".", ord("　"): " ", ord("，"): ","})
_CN = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
       "九": 9}
_CN_DIGIT = "〇○零Ｏ一二三四五六七八九"
_ONE_NINE = "一二三四五六七八九"


def _narrow(text: str) -> str:
    """Full-width digits and date separators as ASCII, one character for one (offsets hold)."""
    return text.translate(_WIDTH)


def _number(text: str) -> int:
    """'12', '十二', '二十一', '廿一', '元' (the first month) or '二〇二五' as an int."""
    if text.isdigit():
        return int(text)
    if text == "元":
        return 1
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" not in text:
        return int("".join(str(_CN[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)


# ---------------------------------------------------------------- finding dates

_CN_Y = f"[{_CN_DIGIT}]{{4}}"
_CN_M = f"元|十[一二]?|[{_ONE_NINE}]"
_CN_D = f"[二三]?十[{_ONE_NINE}]?|[廿卅][{_ONE_NINE}]?|[{_ONE_NINE}]"
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_M = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
         r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

# an English year standing alone counts after these words ("in 2024", "since 2022")
_EN_YEAR_AFTER = "(?:" + "|".join(rf"(?<=\b{w} )" for w in (
    "in", "since", "during", "of", "year", "by", "until", "before", "after", "from", "with", "to", "for")) + ")"

# (pattern, needs a year from context); groups y, m, d (m may be an English month name)
_PATTERNS = (
    (re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号])?)?"), False),
    (re.compile(rf"(?P<y>{_CN_Y})\s*年(?:(?P<m>{_CN_M})月(?:(?P<d>{_CN_D})[日号])?)?"), False),
    (re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d|\.\d)"), False),
    (re.compile(r"(?<![\d./-])(?P<y>\d{4})[-/](?P<m>\d{1,2})(?![\d]|[-/.]\d)"), False),
    (re.compile(rf"\b(?P<m>{_EN_M})\.?\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<y>\d{{4}})\b", re.I), False),
    (re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_EN_M})\.?,?\s+(?P<y>\d{{4}})\b", re.I), False),
    (re.compile(_EN_YEAR_AFTER + r"(?P<y>\d{4})\b(?![.,]\d|\s*%)", re.I), False),
    (re.compile(r"(?<![\d年.])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"), True),
    (re.compile(rf"(?<![{_CN_DIGIT}年十])(?P<m>{_CN_M})月(?P<d>{_CN_D})[日号]"), True),
)


@dataclass(frozen=True)
class Found:
    """A date written in a text: `text[start:end]` is how it was written."""

    date: Date
    start: int
    end: int
    text: str


def _month(value: str) -> int:
    """'3', '三', '元' or an English month name ('Mar', 'march') as 1-12."""
    if value.isascii() and value.isalpha():
        return _EN_MONTHS.index(value[:3].lower()) + 1
    return _number(value)


def _build(m: re.Match, year: int | None) -> Date | None:
    parts = m.groupdict()
    y = _number(parts["y"]) if "y" in parts else year
    if y is None:
        return None
    month = _month(parts["m"]) if parts.get("m") else None
    day = _number(parts["d"]) if parts.get("d") else None
    return _make(y, month, day)


def find_dates(text: str, year: int | None = None) -> list[Found]:
    """Every date written in `text`, in order; where two readings overlap the longer one wins.
    A month and day without a year (1月3日) count only when `year` gives it."""
    narrow = _narrow(text or "")
    spans: list[tuple[int, int, Date]] = []
    for pattern, needs_year in _PATTERNS:
        if needs_year and year is None:
            continue
        for m in pattern.finditer(narrow):
            date = _build(m, year)
            if date is not None:
                spans.append((m.start(), m.end(), date))
    spans.sort(key=lambda s: (s[0], s[0] - s[1]))
    found: list[Found] = []
    for start, end, date in spans:
        if not found or start >= found[-1].end:
            found.append(Found(date, start, end, text[start:end]))
    return found


def first_full_date(text: str) -> Date | None:
    """The first date in the text that has a year, a month and a day."""
    return next((f.date for f in find_dates(text) if f.date.day), None)


def parse_date(text: str | None, year: int | None = None) -> Date | None:
    """The date a string starts with (after spaces), in any form find_dates reads; else None."""
    if not text:
        return None
    stripped = text.lstrip()
    found = find_dates(stripped, year)
    return found[0].date if found and found[0].start == 0 else None


_ISO_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def as_date(value: str | None) -> Date | None:
    """A stored date (Document.date: 'yyyy', 'yyyy-mm', 'yyyy-mm-dd', or a date as found) as a Date."""
    if not value:
        return None
    m = _ISO_RE.fullmatch(value.strip())
    if m:
        return _make(*(int(g) if g else None for g in m.groups()))
    return parse_date(value)


_NAME_FULL_RE = re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
_NAME_MONTH_RE = re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})(?!\d)")


def filename_date(name: str) -> Date | None:
    """The date a file name carries: `2024-03-15`, `20240315`, `2024_03_15` (a real date), `2025-01`
    (a month), or written in Chinese (`2024年3月`, `2024年`); the first one in the name. A bare number
    such as `2024` is not taken for a year. Folders and the suffix are ignored."""
    stem = re.split(r"[\\/]", name or "")[-1]
    stem = stem.split(".", 1)[0] if not re.search(r"\d\.\d", stem) else stem.rsplit(".", 1)[0]
    found: list[tuple[int, Date]] = []
    for pattern in (_NAME_FULL_RE, _NAME_MONTH_RE):
        for m in pattern.finditer(stem):
            parts = [int(g) for g in m.groups()]
            date = _make(*parts)
            if date is not None:
                found.append((m.start(), date))
    found += [(f.start, f.date) for f in find_dates(stem) if "年" in f.text]
    if not found:
        return None
    first = min(s for s, _ in found)
    return max(d for s, d in found if s == first)  # the most precise reading of the first date


def today_date(value: str | _dt.date | None = None) -> _dt.date:
    """The asking date: `value` as an ISO date (yyyy-mm-dd, as RAG_TODAY gives it), or the real
    date when it is None or empty. ValueError saying what to write when it is not a date."""
    if isinstance(value, _dt.date):
        return value
    if value is None or not str(value).strip():
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"Cannot read the date {value!r}; write yyyy-mm-dd, e.g. 2025-06-30.") from None


def spoken(date: Date | None, zh: bool) -> str:
    """2025-01-15 -> 2025年1月15日 / 15 Jan 2025; a month or a year alone likewise."""
    if date is None:
        return ""
    if zh:
        return f"{date.year}年" + (f"{date.month}月" if date.month else "") + (f"{date.day}日" if date.day else "")
    month = _dt.date(2000, date.month, 1).strftime("%b") if date.month else ""
    return " ".join(p for p in (str(date.day) if date.day else "", month, str(date.year)) if p)
