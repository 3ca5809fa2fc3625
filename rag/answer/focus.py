"""What exactly a question asks about: the words beside its question word, the measure it asks in,
and the words a sentence that answers a procedure question tends to use.

A news article or a service guide repeats its subject in almost every sentence ("出生一件事", "区图书馆");
what tells the answering sentence from the article's opening is the word the question asks about:
材料 in "要带哪些材料", 借 in "借书能借多长时间", 接待 in "每天接待多少健身群众". These helpers find it,
so that scoring.py can weigh a sentence that holds it above one that only repeats the subject.
"""
from __future__ import annotations

import re

from rag.answer.candidates import promoted
from rag.answer.evidence import DURATION, DURATION_Q, LENGTH_Q
from rag.answer.span import SAME_MEASURE
from rag.text import CN_NUMERALS, normalize_for_search

# the question words themselves: their pieces (多长时间 -> 时间, 长时间) are no words of the topic
WH = re.compile(r"多长时间|多少时间|多长|多久|多大|多高|多远|多重|多宽|多深|多少钱|多少|几点钟?|几[个天号时岁位名家]"
                r"|什么时候|什么地方|什么|何时|何地|哪[里儿些个位家所年天]?|怎么样?|怎样|如何|是否|能否|要不要|用不用|吗|呢")
# words that say when the question is asked, not what it asks about (the timeline judges them)
_TIME_WORDS = re.compile(r"^(?:现在|目前|如今|当前|今年|去年|以前|原来|此前|过去|当时|最新|最近|现任|还)$")


def asking_only(term: str) -> bool:
    """A term of a question that says how or when it is asked, not what about: a time word (现在), a
    question word (几天, 多大), a verb's complement or an adverb of the asking
    (下来, 一共), money asked (要花多少钱), or a glue of light words jieba cut as one (能办, 上要). An
    answering sentence holds none of them (居住证办理时限由10个工作日缩短为3个工作日 for 居住证现在几天能办下来)."""
    return bool(_TIME_WORDS.match(term) or WH.fullmatch(term) or term in _ASKING
                or term not in _CHOICE and all(ch in _LIGHT or ch in _FUNCTION for ch in term))


_ASKING = frozenset("下来 下去 出来 起来 过来 回来 上来 一共 总共 大概 大约 差不多 到底 究竟 钱".split())
_CHOICE = frozenset({"还是"})  # 上午还是下午: the choice asked, which its answer's sentence may hold
_FUNCTION = frozenset("的了是在有和与及或吗呢吧啊么其此该这那个些上下之也都就而被把对从到以于还")


_LIGHT = frozenset("去 到 在 要 能 有 是 会 可 让 给 把 被 得 办 办理 需要 来 过 了 着 一 分别 各 这 那 这张 这个 这些 那个 此 该 其"
                   .split())  # words too light to say what is asked


# the question words whose pieces the tokenizer keeps (时间 of 多长时间, 时候 of 什么时候, 几点)
# what a how-long question asks to be done (多久能办好, 多长时间能办完): the asking, like 多久,
# not the topic: a report's "我们办好了一批民生实事" is no answer to how long a registration takes
# (not 批下来: 审批 is the articles' own word for it)
_DONE = r"(?:才|就)?(?:能|可以)?(?:办好|办完|办下来)"
_LEAKING_WH = re.compile(r"(?:多长时间|多少时间|多长|多久)(?:以内|之内)?(?:" + _DONE + r")?|几点钟?|什么时候|何时")  # 停多久以内: 以内 asks too


def without_wh(query: str) -> str:
    """The query with the question words the tokenizer would keep blanked, for the topic's terms."""
    return _LEAKING_WH.sub(" ", query)


def focus_terms(query: str, terms: dict[str, float]) -> dict[str, float]:
    """The question's terms right beside its question word, in its clause: the content word before
    it and the one after it ("要带哪些材料" -> 带, 材料; "借书能借多长时间" -> 借). {} when the question
    has no question word, or no term stands beside it."""
    from rag.index.tokenize import tokenize

    m = WH.search(query)
    if m is None:
        return {}
    clause_lo = max(query.rfind(p, 0, m.start()) for p in "，,；;：:") + 1
    stops = [i for i in (re.search(r"[，,。？?！!；;]", query[m.end():]),) if i]
    clause_hi = m.end() + stops[0].start() if stops else len(query)
    def usable(t: str) -> bool:  # not a light word, nor the subject's name (the whole article names it)
        return t in terms and not _TIME_WORDS.match(t) and t not in _LIGHT and t not in names

    from rag.answer.evidence import key_entities

    names = {n for e in key_entities(query) for n in tokenize(e)}

    before = [t for t in tokenize(query[clause_lo : m.start()]) if usable(t)]
    after = [t for t in tokenize(query[m.end() : clause_hi]) if usable(t)]
    out = {}
    for side in (before[-1:] if before else [], after[:1]):
        for t in side:
            out[t] = terms[t]
    return out


_EN_WH = re.compile(r"\b(?:how (?:much|many|long|big|old|far)|what|which|who|where|when)\b\s+(?:(?:is|are|was|were|does|do|did|"
                    r"can|will)\s+)?(?:(?:a|an|the)\s+)?((?:[a-z]+\s+){0,3}?[a-z]+)(?=\s+(?:at|in|of|for|on|to|from|does|do|"
                    r"did|is|are|was|were|can|will)\b|\s*[?,]|$)", re.I)


# a yes-no question whether something must be done: what must be done ("Do they still have to apply
# for it?" -> apply for)
_EN_MUST = re.compile(r"\b(?:have|has|need|needs|required|obliged) to\s+((?:[a-z]+\s+)?[a-z]+)(?=\s+(?:the|a|an|it|them|this|that|"
                      r"their|his|her|in|at|to|from|on|by|with|again|any)\b|\s*[?,]|$)|\bmust\s+((?:[a-z]+\s+)?[a-z]+)(?=\s+(?:the|a|an|it|"
                      r"them|in|at|to|on)\b|\s*[?,]|$)", re.I)


def english_focus(question: str, words: dict[str, float], terms: dict[str, float] | None = None) -> dict[str, float]:
    """An English question's words right after its question word ("How much is a single adult
    ticket at…" -> single, adult, ticket), among `words`; for a question whether something must be
    done, the deed, and with `terms` (the idf of the question's Chinese keywords) also the Chinese the
    dictionary gives for it, among `terms` (an article in Chinese holds none of the English: "Do they
    still have to apply for it?" -> apply, 申请)."""
    m = _EN_WH.search(question)
    must = None if m else _EN_MUST.search(question)
    if m is None and must is None:
        return {}
    asked = (m.group(1) if m else must.group(1) or must.group(2)).lower().split()
    out = {w: words[w] for w in asked if w in words}
    if terms and must is not None:  # the deed asked about ("apply for" -> 申请); a noun phrase's
        # Chinese is no focus: the dictionary's word for it is often not the article's ("visits" -> 访问)
        from rag.index.tokenize import tokenize
        from rag.retrieve.crosslingual import head_keywords

        try:
            keywords = head_keywords(" ".join(asked))
        except Exception:  # a dictionary problem must not break answering
            keywords = []
        for t in (t for kw in keywords for t in tokenize(kw)):
            if t in terms and t not in _LIGHT and len(t) > 1:
                out[t] = terms[t]
    return out


def focus_share(focus: dict[str, float], text: str) -> float:
    """The idf-weighted share of the focus terms that `text` holds (as tokens or as characters:
    借 in 借期)."""
    from rag.index.tokenize import tokens_among

    if any(t.isascii() for t in focus) and not all(t.isascii() for t in focus):
        # an English question's focus holds its own words and their Chinese: a text is held to
        # those of its own script (a Chinese sentence never holds "apply", nor an English one 申请)
        chinese = bool(_CJK.search(text))
        focus = {t: w for t, w in focus.items() if t.isascii() != chinese}
    total = sum(focus.values())
    if not total:
        return 0.0
    toks = tokens_among(text, frozenset(focus))
    # a word held whole counts whole; one held in part counts its share of characters (美誉, 被誉为)
    return sum(w * (1.0 if t in toks or t in text else sum(ch in text for ch in t) / len(t) / 2)
               for t, w in focus.items()) / total


_CJK = re.compile(r"[\u3400-\u9fff]")

# a quantity asked in a named measure: "多少份", "多少吨", "多少人次"
MONEY = r"(?:(?:美|欧|日|港|澳|新台|人民)?元|块|英镑|美金|卢布|法郎|马克|比索|dollars?|euros?|pounds?)"
_PRICE_Q = re.compile(r"多少钱|几块钱|什么价|收费多少|费用多少|票价多少|how much (?:is|does|do|are)|\bcost\b|\bprice\b", re.I)
# how big: an area, a volume, a capacity or a count of places, not a date ("how big is the new hall")
_SIZE_Q = re.compile(r"how (?:big|large)|what size|how much (?:space|area|room|capacity)", re.I)
_SIZE = re.compile(r"[\d零〇一二两三四五六七八九十百千万亿半]\s*(?:余|多)?(?:万|亿|千)?\s*(?:平方米|平方公里|平方千米|平米|亩|公顷|吨|立方米|"
                   r"万?方|米|公里|千米|间|张|座|层|个|床|车位|人|座位)"
                   r"|\d\s*(?:square (?:meters|metres|kilometers|kilometres)|sq\.? ?m|hectares?|tons?|tonnes?|mu|cubic|beds?|seats?|rooms?)\b",
                   re.I)
# an area asked: 面积多大, 占地多少, and how big a piece of land is (荷塘有多大, 茶园多大), not a sum
# (投资规模有多大) or an age (多大年纪); in English the area of a thing, not 'in the area'
AREA_Q = re.compile(r"面积|占地|\barea (?:of|does|is|covered)\b|\bhow (?:big|large) an area\b|(?:[地田园塘湖林场]|基地|公园|广场|水库|景区|园区)有?多大", re.I)
AREA_UNIT = re.compile(r"\s*(?:万|千)?(?:平方米|平方公里|平方千米|平方英里|平米|㎡|亩|畝|公顷|公頃|英亩|k?m[²2](?![\d]))")
_MEASURE_Q = re.compile(r"(?:多少|几)(份|吨|亩|册|本|张|人次|元|公里|平方米|户|家|辆|座|次|名|人|起)")


def measure_fits(query: str, text: str) -> bool | None:
    """Does text hold a quantity of the measure the question asks in? None when it asks in none:
    "多久" wants a duration (3个工作日, not 4月1日 or 9点), "多少份" a number of 份. The text is read in
    its normal form (a traditional page's 2600畝 is in 亩, full-width ４２０个 in 个)."""
    text = normalize_for_search(text)
    if DURATION_Q.search(query):
        return bool(DURATION.search(text))
    if LENGTH_Q.search(query):
        return re.search(rf"[\d{CN_NUMERALS}]\s*(?:余|多)?(?:万|千)?\s*(?:公里|千米|厘米|毫米|米|英里|英尺|英寸|尺|寸|(?:k|c|m)?m\b|kilomet|centimet|millimet|metres|meters|miles?\b|feet|foot|inch)",
                         text, re.I) is not None
    if AREA_Q.search(query):
        return re.search(rf"[\d{CN_NUMERALS}]\s*(?:余|多)?{AREA_UNIT.pattern}|\d\s*(?:square|sq\.?|hectares?|mu\b)", text, re.I) is not None
    if _SIZE_Q.search(query):
        return _SIZE.search(text) is not None
    if _PRICE_Q.search(query):
        return re.search(rf"[\d{CN_NUMERALS}]\s*(?:余|多)?(?:万|亿)?\s*{MONEY}|\d\s*yuan|free|免费", text, re.I) is not None
    if _PEOPLE_Q.search(query):  # 多少老人在领…: a count of people, not their age (年满80周岁)
        return re.search(rf"[\d{CN_NUMERALS}]\s*(?:余|多)?(?:万)?\s*(?:人|名|位)|一半|半数|分之|[%％]|[一二三四五六七八九]成",
                         text) is not None  # (or a share of them: 一半以上病人)
    m = _MEASURE_Q.search(query)
    if m:
        said = "|".join(SAME_MEASURE.get(m.group(1), (re.escape(m.group(1)),)))
        return re.search(rf"[\d{CN_NUMERALS}]\s*(?:余|多)?(?:万|亿)?\s*(?:{said})", text) is not None
    return None


# what an English question counts: "how many certified high-tech companies does …" -> companies
_EN_COUNT_Q = re.compile(r"\bhow many\s+((?:[a-z][\w'-]*\s+){0,3}?)([a-z]{3,}s)\b(?:\s*[(（]([^()（）]*)[)）])?", re.I)


def counted_things(query: str) -> tuple[str, ...]:
    """The English word a question counts ("How many certified high-tech companies does…": companies),
    its singular, and its Chinese: the question's own in brackets (canteens (长者食堂)) or the dictionary's
    (公司, 企业); () when it counts none, or a duration."""
    m = _EN_COUNT_Q.search(query)
    if m is None or DURATION_Q.search(query):
        return ()
    word = m.group(2).lower()
    from rag.retrieve.crosslingual import topic_keywords

    chinese = ([m.group(3).strip()] if m.group(3) and m.group(3).strip() else []) + topic_keywords(query).get(word, [])
    singular = re.sub(r"(?<=[^aeiou])ies$", "y", word) if word.endswith("ies") else re.sub(r"(?<!s)s$", "", word)
    return tuple(dict.fromkeys([word, singular] + [w for k, w in enumerate(chinese) if len(w) > 1 or k == 0]))


def counts(things: tuple[str, ...], text: str) -> bool:
    """Does text count one of `things` (counted_things): a figure with the word or its Chinese just after
    it ("866 high-tech enterprises (高新技术企业)"), or, in Chinese, the word with a figure after it
    (高新技术企业达到866家)?"""
    english = "|".join(re.escape(w) for w in things if w.isascii())
    chinese = "|".join(re.escape(w) for w in things if not w.isascii())
    figure_then = r"\d[\d,.]*\s+(?:[\w-]+\s+){0,3}"  # 866 high-tech …
    patterns = [figure_then + rf"\b(?:{english})\b"] if english else []
    if chinese:
        patterns += [figure_then + f"(?:{chinese})", rf"\d[^\d。；;]{{0,30}}?(?:{chinese})",  # … enterprises (高新技术企业)
                     rf"(?:{chinese})[^。；;，,\d]{{0,8}}[\d{CN_NUMERALS}]"]  # 高新技术企业达到866家
    return any(re.search(p, text, re.I) for p in patterns)


_PEOPLE_Q = re.compile(r"(?:多少|几)(?:个|位|名)?(?:老人|老年人|居民|学生|孩子|儿童|群众|职工|患者|病人|村民)")


def counted_in(query: str) -> str | None:
    """The measure word a question counts in (份 of 多少份, 人次 of 多少人次), None for none; a duration
    or a price is not counted."""
    m = _MEASURE_Q.search(query)
    return m.group(1) if m and not DURATION_Q.search(query) and not _PRICE_Q.search(query) else None


def measured_first(query: str, ranked: list, window: int, margin: float) -> list:
    """`ranked` with the best sentence that holds a quantity of the measure counted in first, when the
    best one holds none and this one, of a dated article among the first `window`, scores within
    `margin` of it: "每天供应多少份饭" is not answered by the sentence that repeats the canteen's name
    and its opening hours, but by "日均供餐近400份", which then meets its older versions. Undated
    entries keep their order (an encyclopaedia's 名 for 多少人)."""
    measure = counted_in(query)
    things = () if measure else counted_things(query)  # or the English word counted ("how many … companies")
    fits = (lambda text: counts(things, text)) if things else (lambda text: measure_fits(query, text))  # noqa: E731
    if not ranked or not (measure or things) or fits(ranked[0].text) is not False or not ranked[0].doc.date:
        return ranked
    return promoted(ranked, window, margin, lambda c: c.doc.date and fits(c.text))

# whether something must (still) be done or paid (还要交照片吗, 还要另交加压费吗, do I still need to…)
STILL_Q = re.compile(r"(?:还|是否|要不要|用不用)(?:需要|要|得|用)?[^，。？?]{0,20}(?:吗|么)|是否需要|要不要|用不用|"
                     r"\b(?:still )?(?:need|have) to\b|\bmust\b.*\?", re.I)


def not_needed(terms, text: str) -> bool:
    """Does the sentence say that a thing the question names (one of its `terms`) is needed no more
    (无需再提交无房证明, 实行免押金办证, 不用再开转诊证明), or that only other things are needed
    (申请人只需提供身份证)? Either answers a 还要…吗 question."""
    if _ONLY_NEEDED.search(text):
        return True
    return any(any(t in m.group(1) for t in terms if len(t) >= 2) for m in _NOT_NEEDED.finditer(text))


_NOT_NEEDED = re.compile(r"(?:无需再?|不再需要|不需要再?|不用再?|不必再?|免于|免除|不再要求|不再|免(?=[\u4e00-\u9fff]{2}))"
                         r"([^，。；;,]{1,12})")
_ONLY_NEEDED = re.compile(r"(?:只需|仅需)(?:要)?(?:携带|提供|提交|上传|带|出示)")

# what a procedure question asks -> the words of a sentence that answers it
PROCEDURE_CUES = [
    (re.compile(r"(?:哪些|什么|啥)(?:材料|证件|资料|手续)|带什么|带哪些|what (?:documents|papers|materials)|"
                r"which documents|what do i need to bring", re.I),
     re.compile(r"材料|身份证|证明|户口簿|照片|原件|复印件|证件|只需|需提供|须提供|携带")),
    (re.compile(r"(?:去|到|在)(?:哪里|哪儿|哪|什么地方)|哪个(?:窗口|部门|地方)|where (?:can|do|should|to)", re.I),
     re.compile(r"窗口|大厅|服务中心|服务点|办事处|派出所|地点|网点|[一二三四五六七八九十\d]+楼|APP|网上|掌上|受理")),
    (DURATION_Q, re.compile(r"时限|办结|工作日|当场|即时|天内|日内")),
    # whether something must (still) be done, asked in English: answered by a duty or its absence,
    # not by a changed standard (调整为, 仍为)
    (re.compile(r"\b(?:have|has|need|needs|required|obliged) to\b|\bmust\b", re.I),
     re.compile(r"无需|不需要|不再需要|不用|不必|免申|免于|须|需要|应当|必须|no longer|not need|no need|without|must|required", re.I)),
    (STILL_Q,
     re.compile(r"无需|不需要|不再需要|不用|不必|免申|免于|不再|需要|须|应当|调整为|改为|更名|变更为|不变|仍为|继续|"
                r"no longer|not need|without|renamed|changed to|still", re.I)),
]


def procedure_cue(query: str):
    """The pattern of words that answer this procedure question, or None."""
    return next((cue for asked, cue in PROCEDURE_CUES if asked.search(query)), None)


def cue_share(cue, text: str) -> float:
    """How strongly text answers a procedure question: 1 for two or more of the cue's words
    (只需…身份证…材料), 0.5 for one (a lone 证明 in an opening that lists what is done)."""
    if cue is None:
        return 0.0
    return min(len({m.group().lower() for m in cue.finditer(text)}), 2) / 2
