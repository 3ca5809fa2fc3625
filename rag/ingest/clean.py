"""Clean text extracted from printed pages.

`clean_text(raw)` returns the text that is stored and quoted: one paragraph (or one headline
line) per line, paragraphs separated by a single "\\n", no blank lines.

What it fixes:
- Unicode NFC; full-width ASCII letters, digits and the ideographic space to half-width (Chinese
  full-width punctuation such as ，。：（）“” stays); `\\r\\n` to `\\n`; zero-width characters dropped.
- Lines broken at the column width are joined. A paragraph ends where a line ends a sentence
  and is noticeably shorter than the local column width (or the next line is, being indented),
  where a short line carries no sentence punctuation (headline, byline), or where the next line
  opens a dateline, a byline or a list item. Lines printed without blank lines between them on
  a page whose column lines are separated by blank lines are a headline block: never joined.
  Text that was not broken at a column width (one paragraph a line) is left as it is.
- Spaces: see `fix_spaces`.

Traditional characters are not converted: citations quote this text.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from rag.ingest.patterns import (
    CLOSING,
    FINAL_RE,
    HAN,
    LIST_START_RE,
    NEUTRAL,
    OPEN_END_RE,
    OPENING,
    STRONG_START_RE,
    display_width,
    is_byline,
    is_dateline,
)


@dataclass(frozen=True)
class Para:
    """One cleaned paragraph or headline line. Lines printed next to each other without a blank
    line between them (a headline block, or one blank-line-separated block of a single-spaced
    text) share `group`."""

    text: str
    group: int


def clean_text(raw: str) -> str:
    """The cleaned text: paragraphs separated by a single "\\n"."""
    return "\n".join(p.text for p in clean_paragraphs(raw))


# ---------------------------------------------------------------- characters

_WIDTH_MAP = {0x3000: " "}
_WIDTH_MAP.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF10, 0xFF1A)})  # ０-９
_WIDTH_MAP.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH_MAP.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_WIDTH_MAP[0xFF05] = "%"  # ％ belongs to the number before it
for _cp in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD):
    _WIDTH_MAP[_cp] = None  # zero-width characters and the soft hyphen
for _cp in list(range(0x00, 0x09)) + [0x0B, 0x0E, 0x0F] + list(range(0x10, 0x20)) + [0x7F]:
    _WIDTH_MAP[_cp] = None  # C0 controls other than \t \n \f \r
_WIDTH_MAP.update({0x09: " ", 0x0C: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"})

_FULLWIDTH_DOT_RE = re.compile(r"(?<=\d)．(?=\d)")


def normalise_chars(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_WIDTH_MAP)
    if "．" in text:
        text = _FULLWIDTH_DOT_RE.sub(".", text)
    return text


# ---------------------------------------------------------------- spaces

_H = "[" + HAN + "]"
_SPACES_RE = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f]+")
_BEFORE_CLOSING_RE = re.compile(r" (?=[" + CLOSING + r"])")
_AFTER_OPENING_RE = re.compile(r"(?<=[" + OPENING + r"]) ")
_AFTER_FULLSTOP_RE = re.compile(r"(?<=[，。、；：！？]) ")
_AFTER_CLOSER_RE = re.compile(r"(?<=[）」』】》〉”’]) (?=[" + HAN + OPENING + r"“\d])")
_BEFORE_OPENER_RE = re.compile(r"(?<=[" + HAN + r"\d%]) (?=[" + OPENING + r"“])")
_NEUTRAL_RE = re.compile(
    r"(?<=[" + NEUTRAL + r"]) (?=[" + HAN + NEUTRAL + r"\d“])|(?<=[" + HAN + r"\d”]) (?=[" + NEUTRAL + r"])"
)
_HAN_DIGIT_RE = re.compile(r"(?<=" + _H + r") (?=\d)|(?<=[\d%]) (?=" + _H + r")")
_HAN_HAN_RE = re.compile(r"(?<=" + _H + r") (?=" + _H + r")")
_HAN_CHAR_RE = re.compile(_H)


def _han_run(text: str, start: int, step: int) -> int:
    """Length of the run of Han characters starting at `start` going in direction `step`."""
    n, i = 0, start
    while 0 <= i < len(text) and _HAN_CHAR_RE.match(text[i]):
        n += 1
        i += step
    return n


def _han_space(m: re.Match) -> str:
    # Measured on the seed page: letter-spaced print (`态 势 。 预 计 全 年`) puts one character
    # between spaces; a space the writer meant (`千年古镇 活力新城`, `融媒记者 王小明`,
    # `春风拂面 万物生长`) has at least two characters on each side. Keep those.
    text = m.string
    if _han_run(text, m.start() - 1, -1) == 1 or _han_run(text, m.end(), 1) == 1:
        return ""
    return " "


def fix_spaces(text: str) -> str:
    """Spaces inside one paragraph.

    - runs of spaces become one; none at the ends;
    - no space next to Chinese punctuation (`态 势 。 预` -> `态势。预`);
    - no space between a Chinese character and a number (`251 万元`, `2024 年`, `S316 省道`);
    - between two Chinese characters: removed when either side is a single letter-spaced
      character, kept when both sides are words of two or more characters;
    - spaces between Latin words or between Latin words and Chinese stay (`New York`, `使用 Python`).
    """
    if " " not in text and "\u00a0" not in text:
        return text
    text = _SPACES_RE.sub(" ", text).strip()
    if " " not in text:
        return text
    for pattern in (_BEFORE_CLOSING_RE, _AFTER_OPENING_RE, _AFTER_FULLSTOP_RE, _AFTER_CLOSER_RE,
                    _BEFORE_OPENER_RE, _NEUTRAL_RE, _HAN_DIGIT_RE):
        text = pattern.sub("", text)
    return _HAN_HAN_RE.sub(_han_space, text)



def clean_line(text: str) -> str | None:
    """A one-line field (a title): characters normalised, whitespace collapsed; None when empty."""
    return fix_spaces(" ".join(normalise_chars(text).split())) or None


# ---------------------------------------------------------------- lines and paragraphs

def _groups(lines: list[str]) -> tuple[list[list[str]], list[int]]:
    """Blocks of adjacent non-blank lines, and how many blank lines precede each block."""
    groups: list[list[str]] = []
    gaps: list[int] = []
    blank = 0
    for line in lines:
        if not line:
            blank += 1
            continue
        if blank or not groups:
            groups.append([line])
            gaps.append(blank)
        else:
            groups[-1].append(line)
        blank = 0
    return groups, gaps


def _is_wrapped(widths: list[float], lines: list[str]) -> bool:
    """Were these lines broken at a column width? Most are about as wide as the median, and many
    end in the middle of a sentence."""
    if len(lines) < 3:
        return False
    width = statistics.median(widths)
    if width > 150:
        return False
    near = sum(1 for w in widths if 0.8 * width <= w <= 1.25 * width)
    open_ = sum(1 for w, ln in zip(widths, lines) if w >= 0.8 * width and not FINAL_RE.search(ln))
    return near >= 0.5 * len(lines) and open_ >= 0.3 * len(lines)


def _local_widths(widths: list[float], half_window: int = 7) -> list[float]:
    """The column width around each line: the upper quartile of its neighbours' widths (most
    lines run to the column edge; first lines are indented, last lines short)."""
    local = []
    for i in range(len(widths)):
        window = sorted(widths[max(0, i - half_window): i + half_window + 1])
        local.append(window[(3 * len(window)) // 4])
    return local


def _breaks(a: str, b: str, wa: float, wb: float, width: float, a_opens: bool) -> bool:
    """Does a paragraph end between column line `a` and the next line `b`?"""
    if is_byline(a) or is_byline(b) or is_dateline(b) or STRONG_START_RE.match(b):
        return True
    if b.startswith("——") and wa < 0.8 * width and not OPEN_END_RE.search(a):
        return True  # a subtitle under a headline; a dash inside a sentence follows a fuller line
    if FINAL_RE.search(a):
        # A sentence ends here; a paragraph ends too if this line stops short of the column
        # width or the next line is indented (shorter than the column while not the last).
        return wa <= width - 1 or wb <= width - 1 or bool(LIST_START_RE.match(b))
    if OPEN_END_RE.search(a):
        return False
    if wa < 0.6 * width:
        return True  # a short line without sentence punctuation: headline, label, byline
    # a subtitle or a line wider than the column standing on its own
    return a_opens and (a.startswith("——") or wa > 1.3 * width)


def join_lines(a: str, b: str) -> str:
    """Join two pieces of one paragraph: no space next to Chinese, one between Latin words."""
    return a + _joint(a[-1:], b[:1]) + b


def join_pieces(pieces: list[str]) -> str:
    """The pieces of one paragraph joined as join_lines joins them pairwise, in linear time
    (joining pairwise copies the growing paragraph each time: quadratic in its length)."""
    out: list[str] = []
    last = ""
    for piece in pieces:
        if out:
            out.append(_joint(last, piece[:1]))
        out.append(piece)
        last = piece[-1:] or last
    return "".join(out)


def _joint(x: str, y: str) -> str:
    """What goes between a piece ending in `x` and one starting with `y`."""
    if not (x.isascii() and y.isascii()) or x.isspace() or y.isspace() or not x or not y:
        return ""
    if x.isdigit() and y.isdigit():
        return ""  # a number cut at the column edge
    if x.isalnum() and y.isalnum() or x in ",.;:!?)\"'" and (y.isalnum() or y in "(\"'"):
        return " "
    return ""


def clean_paragraphs(raw: str) -> list[Para]:
    """Cleaned paragraphs, in page order. See the module docstring for the rules."""
    lines = [ln.strip() for ln in normalise_chars(raw).split("\n")]
    groups, gaps = _groups(lines)
    if not groups:
        return []
    singles = sum(1 for g in groups if len(g) == 1)
    nonblank = sum(len(g) for g in groups)
    double_spaced = singles >= 0.6 * nonblank and singles > 1

    # Runs of column lines that may be joined; a headline block of a double-spaced page is
    # one run per line (never joined), and so is every line of text that was not wrapped.
    runs: list[tuple[list[str], int]] = []
    if double_spaced:
        for gi, (group, gap) in enumerate(zip(groups, gaps)):
            if len(group) > 1:
                runs.extend(([line], gi) for line in group)
            elif runs and gap == 1 and len(groups[gi - 1]) == 1:
                runs[-1][0].append(group[0])
            else:
                runs.append(([group[0]], gi))
    else:
        runs = [(group, gi) for gi, group in enumerate(groups)]

    candidates = [line for run, _ in runs if len(run) > 1 for line in run]
    fixed = [fix_spaces(line) for line in candidates]
    widths = [display_width(line) for line in fixed]
    if not _is_wrapped(widths, fixed):
        paras = (Para(fix_spaces(line), gi) for gi, group in enumerate(groups) for line in group)
        return [p for p in paras if p.text]

    local = _local_widths(widths)
    paras: list[Para] = []
    k = 0  # index into candidates / widths / local
    for run, gi in runs:
        if len(run) == 1:
            text = fix_spaces(run[0])
            if text:
                paras.append(Para(text, gi))
            continue
        current = [run[0]]  # the lines of the paragraph being built
        for j in range(1, len(run)):
            i = k + j - 1
            if _breaks(fixed[i], fixed[i + 1], widths[i], widths[i + 1], local[i], len(current) == 1):
                paras.append(Para(fix_spaces(join_pieces(current)), gi))
                current = [run[j]]
            else:
                current.append(run[j])
        paras.append(Para(fix_spaces(join_pieces(current)), gi))
        k += len(run)
    return [p for p in paras if p.text]
