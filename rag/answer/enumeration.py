"""Questions that ask for several things, and the whole list that answers them.

"哪两个公司合作开发" wants both companies, "要联通哪些港口" every port, "实施哪五大行动" all five: a
short answer naming one item of the list is a wrong fact in bold. `asks_several` recognises such
questions; `whole_list` finds the list a span lies in (items joined by 、 和 及 以及 与 或) and
returns it cut cleanly at its first and last item: "积极联通宁波梅山港、温州港和上海港等港口" ->
"宁波梅山港、温州港和上海港". The answerer shows that list, or no short answer.
"""
from __future__ import annotations

import re

from rag.answer.candidates import promoted

_SEVERAL = re.compile(
    r"哪些|哪几|哪[两二三四五六七八九十]+[个项家所位种条座大类批名支只部本首篇场次]|分别|包括(?:什么|哪)|有什么|有哪|"
    r"\bwhich (?:two|three|four|five|six|seven|eight|nine|ten)\b|\bwhat are\b|\bwhich\b.*\bare\b|"
    r"\bwhat (?:\w+ )?(?:were|are) (?:the|its|their)\b|\bname (?:the|all)\b", re.I)
# "有什么用" and "有什么不同" ask for one thing; so does a question that wants a count ("有哪几个" wants the items)
_ONE_THING = re.compile(r"有什么(?:用|作用|意义|影响|区别|不同|关系|特点|好处|变化|要求|原因|问题)|多少|几(?:个|项|名|家)(?![\u4e00-\u9fff]*(?:分别|是哪|是什么))")
_WHAT = re.compile(r"什么|\bwhat\b", re.I)
_NOT_WHAT = re.compile(r"哪|谁|几|多少|第|(?<![称之作成誉])为什么|为何|怎么|怎样|如何|什么(?:时候|时间|地方|年|意思|原因|样)|"
                       r"(?<!别称|又称|别名|又名|俗称)叫什么|名字|"
                       r"\b(?:who|where|when|why|how|which)\b", re.I)
_SEP_WORDS = {"、", "和", "及", "以及", "与", "或", "或者", "跟", "同", "+", "＋", "/"}
_ASIDE = re.compile(r"[（(][^（()）。\n]{1,30}[)）]")
_QUOTED_RUN = re.compile(r"(?:“[^”“，。；]{1,12}”){2,}|(?:「[^」「，。；]{1,12}」){2,}")
_CLAUSE = "，。；：！？,;:!?\n"
_COUNT = re.compile(r"[两二三四五六七八九十]+[个项大类种条家所座名位批]?$")
_BREAKERS = {"是", "有", "为", "则", "也", "都", "还", "又", "均", "并", "而", "将", "在", "从", "把", "被"}
_BESIDE = 2  # characters between a span and the list it stands beside ("……生态修复四个方面")
_MAX_ITEM = 20  # characters an item of a list may have
_NOUNISH = ("n", "j", "eng", "b", "l", "i", "vn", "an", "s", "g", "k", "h", "nz")
_LEAD_INS = {"又名", "别名", "别称", "又称", "俗称", "也称", "亦称", "包括", "例如", "如", "名为", "称为"}  # not an item's
_STOP_AFTER = ("等", "等等", "的", "之", "共", "这", "各", "均", "都", "也")


def asks_several(question: str) -> bool:
    """The question asks for several items (哪些, 哪几, 哪两个, 分别, 包括什么, 有什么, 几大, "which
    two", "what are"); a count or a property ("有多少", "有什么作用") is not a list."""
    q = question.strip()
    if not _SEVERAL.search(q):
        return False
    return not (_ONE_THING.search(q) and not re.search(r"哪些|哪几|哪[两二三四五六七八九十]|分别|包括", q))


def listed_first(question: str, ranked: list, window: int, margin: float) -> list:
    """`ranked` with the best sentence of the best one's article that lists as many items as asked
    (哪两家: 2, 哪五类: 5, else 2) first, when the question asks for several things, the best sentence,
    of a dated article (news, a notice), lists fewer and this one, among the first `window`, scores
    within `margin` of it: "沿线经过哪几个县" is answered by "途经…上犹县、崇义县、大余县", not by the
    sentence that repeats the road's name and its purpose."""
    if not ranked or not ranked[0].doc.date or not asks_several(question):
        return ranked  # an encyclopaedia's entry (undated) says its lists in many ways: its order stays
    wanted = _count_asked(question)
    if _most_items(ranked[0].text) >= wanted:
        return ranked
    best = ranked[0].doc.id  # a sentence of the same dated article
    return promoted(ranked, window, margin, lambda c: c.doc.id == best and _most_items(c.text) >= wanted)


_COUNT_ASKED = re.compile(r"哪([两二三四五六七八九十])|([两二三四五六七八九十]|\d{1,2})\s*(?:个|家|类|项|大|种|位|条|座|所|名|支|部|批|方面)")
_NUMBER_WORDS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _count_asked(question: str) -> int:
    """How many items the question asks for (哪两家 2, 3个综合展分别是什么 3); 2 when it does not say."""
    m = _COUNT_ASKED.search(question)
    if m is None:
        return 2
    word = m.group(1) or m.group(2)
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _most_items(text: str) -> int:
    """The items of the longest list the sentence gives (0 for none)."""
    return max((len(re.split(r"、|和|及|与|以及|或|”\s*“|》\s*《", text[s:e])) for s, e in list_runs(text, 0, len(text))),
               default=0)


def is_list(text: str) -> bool:
    """The span already names several items ("光荣和ω-force", "甲、乙", "“强城”“兴村”"): a list
    covers all of it but a character or two."""
    return any(e - s >= len(text) - 2 for s, e in list_runs(text, 0, len(text)))


def whole_list(text: str, lo: int, hi: int, span: tuple[int, int] | None = None,
               question: str = "") -> tuple[int, int] | None:
    """The list in text[lo:hi] (a sentence) that answers: the one holding `span` (offsets in text)
    or standing right beside it ("截污纳管、……、生态修复" before "四个方面"), else the one nearest
    the words the sentence shares with `question`; cut at its first and last item. None when
    the sentence has no list."""
    runs = list_runs(text, lo, hi)
    if not runs:
        return None
    if span is not None:
        near = [r for r in runs if r[0] < span[1] + _BESIDE and span[0] - _BESIDE < r[1]]
        if near:
            return min(near, key=lambda r: (max(r[0] - span[1], span[0] - r[1], 0), r[0]))
    if not question:
        return runs[0] if len(runs) == 1 else None
    from rag.answer.span import _anchor_positions, _distance

    anchors = [lo + a for a in _anchor_positions(text[lo:hi], question)]
    if not anchors:
        return runs[0] if len(runs) == 1 else None
    return min(runs, key=lambda r: (_distance(anchors, r), r[0]))


def list_around(text: str, lo: int, hi: int, span: tuple[int, int]) -> tuple[int, int] | None:
    """The list of the sentence text[lo:hi] that `span` is one item of (strictly inside it), or None."""
    runs = [(min(r[0], span[0]), r[1]) for r in list_runs(text, lo, hi)  # the span may say where the first item begins
            if (r[0] <= span[0] or span[0] < r[0] < span[1]) and span[1] <= r[1]]
    runs = [r for r in runs if r != span and _sized_alike(text[r[0] : r[1]])]
    return runs[0] if len(runs) == 1 else None


def _sized_alike(listed: str) -> bool:
    """The first item is at most about twice as long as the longest other ("佐敦谷游泳池职员通道、位置"
    is a name and a stray word, not a list); asides do not count."""
    items = [len(_ASIDE.sub("", it)) for it in _ITEM_SPLIT.split(listed) if it.strip()]
    return len(items) < 2 or items[0] <= 2 * max(items[1:]) + 1


def names_an_item(question: str, item_list: str) -> bool:
    """The question already names an item of the list ("除了党委书记和董事长，还担任什么"): it asks
    for the rest, not the whole list."""
    q = re.sub(r"\s+", "", question)
    return any(len(it) >= 2 and it in q for it in re.split(r"以及|或者|[、和及与或+＋/]", item_list))


_ITEM_SPLIT = re.compile(r"以及|或者|[、和及与或+＋/]")
_CONJ_ONLY = re.compile(r"^[^、+＋/]*(?:以及|或者|[和及与或])[^、+＋/]*$")  # two items joined by a word
_NO_ITEM_END = ("f", "c", "d", "r", "p", "u", "y")  # 后 下 另外 也 这 在 的 呢: no thing ends so


def tidy_list(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The list text[start:end] without a function word run on at its end ("……和市农业农村局将" ->
    "……和市农业农村局"), or None when it is no list of like things: one item is left; a place or
    person then a verb ends it ("马德里、布鲁塞尔和伦敦担任": a clause); a quality beside a thing
    ("Khobar、世界最大"); or two items joined by 和/及/与/或, one a thing and the other an action
    ("民营化和分割后", "象征及博罗"). Quoted items pass as they are."""
    if re.search(r"[”」』》]$", text[start:end]):
        return start, end
    words = _tagged(text[start:end])
    while words and words[-1][1][:1] in _NO_ITEM_END:
        end -= len(words.pop()[0])
    listed = text[start:end]
    items = [it for it in _ITEM_SPLIT.split(listed) if it.strip()]
    if len(items) < 2 or not words:
        return None
    first, last = _head_flag(_tagged(items[0])), _head_flag(_tagged(items[-1]))
    tail = _tagged(items[-1])
    if len(tail) >= 2 and tail[-1][1][:1] == "v" and tail[-2][1] in ("ns", "nr", "nt", "nrt", "nrfg"):
        return None
    if _thing(first) and last[:1] == "a" or _CONJ_ONLY.match(listed) and _thing(first) != _thing(last):
        return None
    return start, end


def _thing(flag: str) -> bool:
    return flag[:1] in ("n", "j", "s", "g") or flag in ("eng", "l", "vn", "an")


def _tagged(item: str) -> list[tuple[str, str]]:
    from rag.jieba_load import posseg

    out = []
    for w in posseg().cut(item, HMM=False):
        if w.word.strip():
            out.append((w.word, "eng" if re.fullmatch(r"[A-Za-z0-9.\-]+", w.word) else w.flag))
    return out


def _head_flag(words: list[tuple[str, str]]) -> str:
    """The tag of an item's last word of two or more characters (a single one is often mis-tagged:
    "蓝田/站" v), else of its last word."""
    long = [f for w, f in words if len(w) >= 2]
    return long[-1] if long else words[-1][1] if words else "x"


def asks_what(question: str) -> bool:
    """A plain "what" question ("设置了什么", "用什么泡封敌人"), which a list may answer; not one
    that wants one thing (哪个, 谁, 几, 多少, 第几) or a time, place, reason or manner."""
    return bool(_WHAT.search(question)) and not _NOT_WHAT.search(question)


def list_runs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Every list of two or more items in text[lo:hi], clause by clause (offsets in text)."""
    out, start = [m.span() for m in _QUOTED_RUN.finditer(text, lo, hi)], lo
    asides = _asides(text, lo, hi)
    for i in range(lo, hi + 1):
        if i == hi or text[i] in _CLAUSE and not any(a < i < b for a, b in asides):
            if i > start:
                out += _clause_runs(text, start, i)
            start = i + 1
    return out


def _words(text: str, lo: int, hi: int) -> list[tuple[int, int, str, str]]:
    """(start, end, word, flag) of text[lo:hi] by jieba's dictionary (no guessing of unknown
    words, which glues "和" to a name), a run of Latin letters, digits and "-·." kept as one word."""
    from rag.jieba_load import posseg

    pseg = posseg()

    words, pos = [], lo
    for w in pseg.cut(text[lo:hi], HMM=False):
        latin = re.fullmatch(r"[A-Za-z0-9\u0370-\u03ff\-·.%‰]+", w.word)
        if w.word == " " and words and words[-1][3] == "eng" and re.match(r"[A-Za-z0-9]", text[pos + 1 : pos + 2]):
            latin = True  # "ebXML Registry2.0": one word
        if latin and words and words[-1][3] == "eng" and words[-1][1] == pos:
            words[-1] = (words[-1][0], pos + len(w.word), words[-1][2] + w.word, "eng")
        else:
            words.append((pos, pos + len(w.word), w.word, "eng" if latin else w.flag))
        pos += len(w.word)
    return _with_asides(text, words, _asides(text, lo, hi))


def _asides(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Asides in brackets ("无头土香（台湾一带）"): a note, translation or alias of an item."""
    return [m.span() for m in _ASIDE.finditer(text, lo, hi)]


def _with_asides(text: str, words: list[tuple], asides: list[tuple[int, int]]) -> list[tuple]:
    """The words of an aside joined to the word before it: part of that item, never a separator."""
    out = []
    for w in words:
        holder = next(((a, b) for a, b in asides if a <= w[0] < b), None)
        if holder is not None and out:
            prev = out[-1]
            out[-1] = (prev[0], w[1], text[prev[0] : w[1]], prev[3])
        else:
            out.append(w)
    return out


def _clause_runs(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    words = _words(text, lo, hi)
    seps = []
    for i, w in enumerate(words):
        if w[2] in "、+＋/" and w[2] in _SEP_WORDS:
            seps.append(i)
        elif w[2] in _SEP_WORDS and w[3] in ("c", "p", "cc", "x"):
            closes = bool(seps) and words[seps[-1]][2] == "、" and w[0] - words[seps[-1]][1] <= _MAX_ITEM
            if closes or not _verb_beside(words, i):  # "A、B和C" closes a list; "培育和发展" joins actions
                seps.append(i)
    runs, i = [], 0
    while i < len(seps):
        j = i
        while j + 1 < len(seps) and words[seps[j + 1]][0] - words[seps[j]][1] <= _MAX_ITEM \
                and _item_like(words[seps[j] + 1 : seps[j + 1]]):
            j += 1
        run = _run(words, seps[i : j + 1])
        if run is not None:
            runs.append(run)
        i = j + 1
    return runs


def _item_like(words: list[tuple]) -> bool:
    """Words between two separators that make one item: no adverb, preposition, particle, pronoun
    or 是 / 有 ("巴斯克语则分别有5%" holds the end of one list and the start of another); a name's
    single characters may be tagged anything ("北周/挺")."""
    return not any(w[3][:1] in "dprc" and len(w[2]) > 1 or w[2] in _BREAKERS for w in words)


def _verb_beside(words: list[tuple], i: int) -> bool:
    """"保护和活化", "培育和发展": 和 joins two actions, not two things."""
    return all(0 <= k < len(words) and words[k][3] in ("v", "vd", "vn", "vi") for k in (i - 1, i + 1))


def _run(words: list[tuple], seps: list[int]) -> tuple[int, int] | None:
    """The list around the separators `seps` (indexes into words): its middle items whole, the
    first item grown back and the last grown forward to about the others' length."""
    middle = [words[b][0] - words[a][1] for a, b in zip(seps, seps[1:])]
    if any(n <= 0 for n in middle):
        return None
    middle = [sum(_cost(w) for w in words[a + 1 : b]) for a, b in zip(seps, seps[1:])]  # asides aside
    first = _grow(words, seps[0] - 1, -1, middle)
    if first is None:
        return None
    known = middle or [sum(_cost(w) for w in words[first : seps[0]])]  # the last item is sized like the others
    last = _until_deng(words, seps[-1] + 1, known) or _grow(words, seps[-1] + 1, 1, known)
    if first is None or last is None:
        return None
    start, end = words[first][0], words[last][1]
    # the other items' last characters ("大学", "港") mark where the last item ends: "齐鲁大学内迁成都"
    finals = {w[2][-1] for w in (words[i - 1] for i in seps)}
    lo = words[seps[-1]][1]
    cut = max((lo + i + 1 for i, ch in enumerate(_text(words, lo, end)) if ch in finals),
              default=end)
    return start, cut


def _until_deng(words: list[tuple], k: int, middle: list[int]) -> int | None:
    """A list closed by 等 or by its count ("……、松岭物流集散中心等平台", "……和证照线上查询三项服务")
    ends right before it."""
    size, budget = 0, (max(middle) if middle else 8) + 4
    for j in range(k, len(words)):
        if words[j][2] in ("等", "等等") or _COUNT.match(words[j][2]):
            return j - 1 if j > k else None
        size += len(words[j][2])
        if size > budget or words[j][2] in _SEP_WORDS:
            return None
    return None


def _cost(word: tuple) -> int:
    """What a word adds to an item's length: its characters but an aside's; a Latin word counts
    like a short one."""
    n = len(_ASIDE.sub("", word[2]))
    return min(n, 3) if word[3] == "eng" else n


def _text(words: list[tuple], lo: int, hi: int) -> str:
    return "".join(w[2] for w in words if lo <= w[0] and w[1] <= hi)


def _grow(words: list[tuple], k: int, step: int, middle: list[int]) -> int | None:
    """The index of the word where the first (step -1) or last (step 1) item ends outwards."""
    if not 0 <= k < len(words) or words[k][2] in _SEP_WORDS or words[k][2] in _STOP_AFTER \
            or words[k][3][:1] in ("r", "p", "c", "u", "y", "x"):
        return None
    target = max(middle) if middle else None
    enough = min(middle) if middle else 2  # an item this long may end before a verb
    end, size = k, _cost(words[k])
    k += step
    while 0 <= k < len(words):
        word, flag = words[k][2], words[k][3]
        if word in _STOP_AFTER or word in _SEP_WORDS or re.fullmatch(r"[一二两三四五六七八九十\d]+大?", word) \
                or step < 0 and word in _LEAD_INS:
            break
        # an item may outgrow the longest other one, backwards by a noun or place only ("新能源" + "汽车零部件",
        # not "联通" + "梧湾港")
        grown = size + _cost(words[k])
        fits = grown <= (target if target else 8) or \
            target and (flag in ("n", "ns", "nr", "nrt", "nrfg", "nt", "l") or step == 1) and grown <= target + 4
        # a name the dictionary does not know comes in single characters of any kind ("义/龙/庆")
        nounish = flag.startswith(_NOUNISH) or len(word) == 1 and flag[:1] not in "pcuryexdmqf"
        if not fits or not (nounish or target and size < target):
            break
        if flag[:1] in ("p", "d", "c", "u", "r", "y", "x") or flag == "e" or (flag == "v" or flag[:1] == "v" and len(word) > 1) and size >= enough:
            break
        end, size = k, grown
        k += step
    return end
