"""Evidence checks: does a source sentence really speak of what the question names?

Proper names in a question (people, places, organisations) must appear in the source near the
answer; a unit the question asks for ("多少亿元") must appear with a number in the answer.
"""
from __future__ import annotations

import re

from rag.answer.span import SAME_MEASURE, asks_change, net_change
from rag.text import normalize_for_search

_ENTITY_SUFFIX = re.compile(r"(?:村|镇|乡|街道|社区|县|市|省|区|局|委|集团|公司|学院|大学|学校|医院|中心|协会)$")


def key_entities(question: str) -> list[str]:
    """Proper names in a question: rare person/place/organisation words (common words such as
    地区 or 美国 are not checked) and noun + institutional suffix compounds ("春天" + "集团").
    A source that never mentions them cannot answer the question."""
    from rag.jieba_load import install, posseg

    jieba, pseg = install(), posseg()

    from rag.answer.span import looks_like_name

    out, prev, names, starts, at = [], None, set(), set(), 0
    for w in pseg.cut(question):
        starts.add(at)
        at += len(w.word)
        word = w.word.strip()
        if w.flag == "nr":
            names.add(word)
        rare = jieba.dt.FREQ.get(word, 0) < 100
        if (prev is not None and _ENTITY_SUFFIX.fullmatch(word) and prev.flag[:1] in ("n", "t") and len(prev.word) >= 2
                and not (prev.flag == "t" and (jieba.dt.FREQ.get(prev.word, 0) >= 5000 or _DAY_WORD.match(prev.word)))):
            # (not a time word before it: "目前" + "学校", "星期天" + "村"; "春天" + "集团" is a name)
            out.append(prev.word + word)
        elif prev is not None and len(prev.word) == 1 and jieba.dt.FREQ.get(prev.word + word[:1], 0) >= 1000:
            pass  # a word jieba cut across ("中" + "午休" of 图书馆中午休不休): no name
        elif (len(word) == 2 and word[0] in _LOCATIVE and prev is not None and prev.flag[:1] in ("n", "v")
              and jieba.dt.FREQ.get(word[1], 0) >= 1000):
            pass  # a place word glued to the verb after it (民政上 + 花 of 民政上花多少钱): no name
        elif len(word) >= 2 and rare and (
            (w.flag == "nr" and looks_like_name(word)) or w.flag in ("ns", "nt", "nz")
            or (w.flag.startswith("n") and _ENTITY_SUFFIX.search(word) and len(word) >= 3)
        ):
            out.append(word)
        prev = w
    # jieba glues a particle to an unknown name ("锦地罗不", "呋塞米会"): the name is the rest
    out = [e[:-1] if len(e) >= 3 and e[-1] in _PARTICLE_TAIL else e for e in out]
    out = [e for e in out if e[-1] not in _PARTICLE_TAIL]
    # two everyday words side by side ("目前" + "学校") are not a name
    freq = jieba.dt.FREQ
    out = [e for e in out if _ENTITY_SUFFIX.search(e) or not (len(e) == 4 and (
        freq.get(e[:2], 0) >= 1000 and freq.get(e[2:], 0) >= 1000
        # a four-character "name" made of two ordinary words is a set phrase ("武艺超群"),
        # unless it starts with a compound surname ("欧阳" + given name)
        or e in names and e[:2] not in _COMPOUND_SURNAMES and min(freq.get(e[:2], 0), freq.get(e[2:], 0)) >= 200))]
    # "省一级幼儿园" grades a thing, it names no province: "县城省" is no name
    out = [e for e in out if not re.search(re.escape(e) + r"[一二三四五六七八九特]?级", question)]
    # a place's own body (市人民医院, 县中医院, 区第一中学): its common name (人民医院) tells it from the
    # place's other bodies of the kind (中医院), which a neighbouring article may name in the same words
    for m in _LOCAL_BODY.finditer(question):
        if m.group(1) not in out and not any(m.group(1) in e for e in out):
            out.append(m.group(1))
    # village, town and county names jieba splits ("红" + "山村"): two characters and the suffix
    for m in _PLACE_NAME.finditer(question):
        name = m.group()
        if name[1:] in _COMMON_PLACES or m.start() not in starts or _DAY_WORD.fullmatch(name[:2]):
            continue  # 县里农村: 农村 is a kind of place; 多大岁数坐县城: 数坐县 begins inside a word (岁数); 年底县: a time
        if not (set(name[:2]) & _NOT_NAME) and jieba.dt.FREQ.get(name, 0) < 50 and name not in out:
            out = [e for e in out if e not in name] + [name]
    return [e for e in out if not _ASKING_WORD.search(e)]  # 有几所小学 asks, it names nothing


_LOCATIVE = frozenset("上下里中内外")  # 在…上, 在…里: after a noun, no name's first character
_DAY_WORD = re.compile(r"星期|礼拜|周[一二三四五六日天末]|[今明昨前后]天|上午|下午|晚上|早上|中午|凌晨|[年月](?:底|初|末|中)|岁末|年终")
_ASKING_WORD = re.compile(r"几|多少|哪|什么|谁|怎么|如何")
_LOCAL_BODY = re.compile(r"[市县区镇乡]([\u4e00-\u9fff]{1,5}?(?:医院|卫生院|图书馆|博物馆|文化馆|中学|小学|幼儿园))")
_COMPOUND_SURNAMES = {"欧阳", "司马", "诸葛", "上官", "慕容", "长孙", "东方", "西门", "独孤", "令狐", "皇甫", "公孙",
                      "夏侯", "尉迟", "宇文", "司徒", "端木", "轩辕", "呼延", "南宫", "澹台", "申屠", "万俟", "闻人"}
_PARTICLE_TAIL = set("是有不会的了在和与被将把也都就而要能可")
_PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{2}[村镇县](?!子|庄|落|级|民|委|长)")  # 县长, 镇长: a post
_COMMON_PLACES = frozenset("农村 乡村 城镇 乡镇 市县".split())  # (红山村, 新村: names)
_NOT_NAME = set("该这那本全各每此哪个某其我你他她它们村镇县乡市区的了在和与及从到是有对向把被给为以由自去要回来进赴往")


def mentions(text: str, name: str, count: bool = False):
    """Whether (or how often) text names `name`, allowing the usual Chinese abbreviation that
    drops characters from the middle ("交通局" for "交通运输局", "经信局" for "经济和信息化局"; of a
    two-character name, one or two: "保教" for "保育教育", "医保" for "医疗保险")."""
    if len(name) < 2:
        return text.count(name) if count else name in text
    gap = r"[\u4e00-\u9fff]{0,3}?" if len(name) >= 3 else r"[\u4e00-\u9fff]{0,2}?"
    pattern = re.compile(gap.join(map(re.escape, name)))
    if count:
        return len(pattern.findall(text))
    return name in text or pattern.search(text) is not None


def is_named_unit(name: str) -> bool:
    """A name ending in a place or institution suffix: "永康市", "交通运输局"."""
    return _ENTITY_SUFFIX.search(name) is not None


def rival_entity(entity: str, window: str) -> bool:
    m = _ENTITY_SUFFIX.search(entity)
    if not m:
        return False
    return re.search(rf"[\u4e00-\u9fff]{{1,6}}{re.escape(m.group())}", window) is not None


def rival_named(entity: str, sentence: str) -> bool:
    """Does the sentence name another place of the entity's kind by its own name, with one of that
    place's posts or offices after it (蓼水镇党委书记… for 枫林镇, 石门村村委会主任… for 青石村)? A
    common word of the kind (乡镇, 城镇, 全镇, 行政村) names no place."""
    m = _NAMED_SUFFIX.search(entity)
    if not m:
        return False
    suffix = re.escape(m.group())
    for other in re.finditer(rf"([\u4e00-\u9fff]{{2}}){suffix}(?={_POSTS})", sentence):
        name = other.group(1) + m.group()
        if name != entity and not entity.endswith(name) and not set(other.group(1)) & _NOT_A_NAME:
            return True
    return False


_NAMED_SUFFIX = re.compile(r"(?:村|镇|乡|街道|社区|河|湖)$")
_POSTS = r"(?:(?:[市县区乡镇村]级)?总?[河湖]长|党委|党工委|党支部|党总支|人民政府|政府|办事处|[镇乡村]长|[镇乡村]委|居委会|村委会|书记|主任)"
_NOT_A_NAME = set("各全本该此城乡小古重名集市县区省镇村新老大每两三四五六七八九十一这那其政然范进困点"
                  "为任是的在到和与及了由对向于从将把被给让原")  # 当选为村委会主任: no place


# how long: a duration, not a date or a clock time
DURATION_Q = re.compile(r"多久|多长时间|多少(?:个)?(?:天|工作日|小时|分钟|周|个月|年)|几(?:个)?(?:天|工作日|小时|周|个月|年)"
                         r"|时限|how long(?! (?:is|are|was|were) (?:the )?[\w' ]*?" + r"(?:line|road|railway|bridge|tunnel|river|route|"
                         r"track|street|avenue|greenway|trail|wall|highway|expressway)s?\b)|how many (?:days|hours|weeks|months|years)", re.I)
# how long a thing is (How long is Metro Line 2?): a length
LENGTH_Q = re.compile(r"how long (?:is|are|was|were) (?:the )?[\w' ]*?(?:line|road|railway|bridge|tunnel|river|route|track|street|"
                      r"avenue|greenway|trail|wall|highway|expressway)s?\b|全长|长度", re.I)
DURATION = re.compile(r"\d+\s*[-~～至到]\s*\d+\s*个?月|"  # 花期1-3月
                       r"[\d,一二两三四五六七八九十百半]+\s*(?:多|余)?(?:万|亿|千|百)?\s*(?:个)?(?:工作日|天|日(?!起|前|后|开始)|小时|分钟|周(?!岁|年)|星期|个月|年(?!\d|度|[一二三四五六七八九十]))"
                       r"|\b\d+\s*(?:working |business )?(?:days?|hours?|weeks?|months?|minutes?)\b"  # 3 working days
                       r"|当场|即时|当日|当天|\bdays?\b|\bhours?\b|\bweeks?\b|\bmonths?\b", re.I)
_DURATION_UNIT = frozenset("天 个月 月 年".split())  # the units of _ASKED_UNIT that a duration may be given in


def asks_duration(question: str) -> bool:
    """Does the question ask how long (多久, 几天, 多少个工作日, how long)?"""
    return DURATION_Q.search(question) is not None


# what a question asks when a length of time may answer its 多少 (有效期多少, 工期多少, 时长是多少)
_TIME_ASKED = re.compile(r"期|限|时长|时间|寿命|年龄|工龄|历史|几年|\b(?:period|term|duration|time|long)\b"
                         r"|\bhow many (?:\w+ )?(?:days|hours|minutes|weeks|months|years)\b", re.I)


def duration_unasked(question: str, text: str) -> bool:
    """Does a sentence give only lengths of time (计划用5到7年时间…) while the question asks an amount of
    something else (还有多少沙化土地)? Such a sentence does not answer it; one that gives another figure
    too (几十年来…由3996万亩减少到2661.9万亩) may."""
    from rag.answer.span import NUMBER_RE
    from rag.dates import find_dates

    if asks_duration(question) or _TIME_ASKED.search(question) or _AMOUNT_IN_WORDS.search(text):
        return False  # 退多少 may be answered 按月全额退还 beside 满一个月
    dates = [(d.start, d.end) for d in find_dates(text, 2000)]
    figures = [m for m in NUMBER_RE.finditer(text)  # in digits, or in words with a measure (二十七个), not 一 of 一地一策
               if (re.search(r"\d", m.group()) or re.search(r"[^零〇一二两三四五六七八九十百千万亿]$", m.group()))
               and not any(s <= m.start() and m.end() <= e for s, e in dates)]
    return bool(figures) and all(_A_DURATION.fullmatch(m.group().strip()) and not text.startswith("岁", m.end())
                                 for m in figures)  # 年满80周岁: an age, not a length of time


# an amount said in words (按月全额退还, 免收, 减半收取): it may answer 多少 beside a length of time
_AMOUNT_IN_WORDS = re.compile(r"全额|全部|全免|免费|免收|免交|减半|一半|半价|不收|不再收")
_A_DURATION = re.compile(r"(?:[近约超逾]|超过)?(?:[\d一二两三四五六七八九十]+\s*[-~～至到]\s*)?[\d,一二两三四五六七八九十百半几]+\s*(?:多|余)?\s*"
                         r"个?(?:工作日|天|小时|分钟|周|星期|个月|年)(?:多|左右)?")


def duration_in(sentence: str) -> str | None:
    """The duration a sentence gives (3个工作日, 当场, 即时), the new one where it says a change
    (由10个工作日缩短为3个工作日 -> 3个工作日); a date's year or day (2025年, 6月1日) is none."""
    from rag.dates import find_dates

    dates = [(d.start, d.end) for d in find_dates(sentence, 2000)]  # any year: a month and day too
    found = [m for m in DURATION.finditer(sentence)
             if not any(s < m.end() and m.start() < e for s, e in dates) and not _SERVED.search(sentence[: m.start()])]
    if not found:
        return None
    told = [m for m in found if _CHANGED_TO.fullmatch(sentence[:m.start()].rstrip()[-3:])]  # …延长至30分钟
    after = _CHANGED_TO.search(sentence)
    later = [m for m in found if after is not None and m.start() >= after.end()]
    got = (told or later or found)[0].group()
    return re.sub(r"\s+", " " if re.search(r"[A-Za-z]", got) else "", got)  # 3 working days, 3个工作日


# the years someone worked or served (在县图书馆工作三十余年, 在基层任职八年): how long they served, not how long
# a service takes
_SERVED = re.compile(r"(?:工作|任职|从教|从医|执教|坚守|扎根|从事[\u4e00-\u9fff]{0,6}?工作)(?:了)?(?:近|超过|逾)?$")
_CHANGED_TO = re.compile(r"缩短为|缩短至|缩短到|压缩至|压缩到|压缩为|调整为|减少为|减少到|改为|延长至|延长到|延长为")


_ASKED_UNIT = re.compile(r"(?<![第哪])(?:多少|几)(万亿|亿元|万元|亿|万|元|人次|人|名|个(?![\u4e00-\u9fff])|家|所|项|座|台|辆|吨|亩|公里|平方米|岁|年|天|个月|月"
                         r"|册|本|张|处|间|户|层|栋|块(?!钱)|艘|架|株|棵|千克|公斤|斤|次|班)")


_ASKS_PERCENT = re.compile(r"百分之(?:多少|几)|(?:上浮|下浮)(?:了)?(?:多少|几成)|百分比是?多少|(?:比例|比率|占比)是?多少|几成|what percent|what percentage|how many percent", re.I)
# a sum of money asked by what it is (收入 工资 补贴 租金 学费…) with no unit after 多少, and a sum written
_ASKS_MONEY = re.compile(r"(?:收入|工资|薪水|薪酬|补贴|补助|津贴|奖励|奖补|费用|收费|票价|房租|租金|学费|罚款|价格|[^免]费)(?:标准)?"
                         r"(?:现在|目前|如今|一般|大概|每月|每年|一个月|一年)?(?:是|为|有|能有|能拿|能领|要交|交)?多少"
                         r"(?![人名位户家个项件次天年月日岁周平亩吨份张辆座本册条处所间期批万亿钱])")
_MONEY = re.compile(r"[\d〇零一二两三四五六七八九十百千万亿]\s*(?:余|多)?(?:万|亿)?\s*(?:元|块)|免费|免收|不收费|不再收取|\d\s*yuan", re.I)
_ASKS_VISITORS = re.compile(r"(?:多少|几)(?:万)?(?:名|位|个)?(?:游客|旅客|客人|人次)")
_PERCENT = re.compile(r"\d\s*%|\d\s*[:：比]\s*\d|百分之[\d零〇一二两三四五六七八九十百]|[\d一二三四五六七八九十]成|\d\s*percent")


_NUMBERED = re.compile(r"(\d+|[一二三四五六七八九十]+)\s*(号线|号楼|号窗口|号门|路公交|路车|路)")


def first_figure_at(sentence: str) -> int:
    """Where the sentence's first figure stands that is no numbered label (6:10 of 2号线首班车6:10);
    its length when it has none."""
    labels = [m.span() for m in _NUMBERED.finditer(sentence)]
    for m in re.finditer(r"\d", sentence):
        if not any(a <= m.start() < b for a, b in labels):
            return m.start()
    return len(sentence)


def other_numbered(question: str, sentence: str, at: int) -> bool:
    """Is the figure at sentence[at:] told of another numbered line, building or bus route than the
    one asked (地铁1号线全长多少公里: "2号线全长19.6公里，…与1号线换乘" tells line 2's)? The nearest label
    of the asked kind before the figure decides."""
    asked = {(m.group(1), m.group(2)) for m in _NUMBERED.finditer(question)}
    if not asked:
        return False
    kinds = {k for _n, k in asked}
    before = [m for m in _NUMBERED.finditer(sentence, 0, at) if m.group(2) in kinds]
    return bool(before) and (before[-1].group(1), before[-1].group(2)) not in asked


def unit_matches(question: str, sentence: str) -> bool:
    """"多少亿元" needs an amount in 亿元 in the sentence, not a percentage; so does "how much
    ... in yuan" in English, and "population" a number of people. The sentence is read in its
    normal form: a page in traditional characters writes 3200畝 for 亩, full-width digits ５８万元."""
    sentence = normalize_for_search(sentence)
    if _ASKS_PERCENT.search(question):  # 能报销百分之多少: 65%, not the 890元 起付线 beside it
        return _PERCENT.search(sentence) is not None
    if _ASKS_VISITORS.search(question):  # 一年来多少游客: 46.1万人次, not a date or a ticket's price
        return re.search(rf"[\d{_CN_DIGITS}]\s*(?:余|多)?(?:万|亿)?\s*(?:人次|人|名)", sentence) is not None
    m = _ASKED_UNIT.search(question)
    if m is None and _ASKS_MONEY.search(question):  # 人均月收入多少以下: an amount of money, not 3份 of papers
        return _MONEY.search(sentence) is not None
    if m and m.group(1) in _DURATION_UNIT and asks_duration(question) and duration_in(sentence):
        return True  # 要等几天: 7个工作日, 当场办结
    if m:
        unit = m.group(1)
        core = re.escape(unit[-1] if unit in ("亿元", "万元") else unit)
        if unit in SAME_MEASURE:
            core = "(?:" + "|".join(SAME_MEASURE[unit]) + ")"
    else:
        core = next((u for asked, u in _EN_UNITS if asked.search(question)), None)
        if core is None:
            return True
    if re.search(rf"[\d{_CN_DIGITS}]\s*(?:余|多)?(?:万|亿)?\s*{core}", sentence):
        return True
    # a table row's cell gives the bare figure, its unit in the header or nowhere ("床位：48；")
    return _BARE_CELL.search(sentence) is not None


# a question about a change or a share, whose answer may be a percentage or a growth rate
_ASKS_RATE = re.compile(r"增长|增速|增幅|涨幅|降幅|下降|减少|提高|上升|上涨|下跌|降低|上浮|下浮|比重|占比|比例|强度|份额|[率%％]|百分|几成|多少成|"
                        r"多了|少了|多出|[多少]多少"
                        r"|\b(?:percent(?:age)?|rate|intensity|growth|share|increase|decrease|rise|fall|drop)s?\b"
                        r"|\b(?:gr[eo]w(?:s|n|ing)?|rose|risen|fell|fallen|by how much|how fast)\b", re.I)
_RATE_AFTER = re.compile(r"(?:增长|增速|增幅|下降|减少|提高|上升|同比|年均|增加|多了|少了|多出|增收)了?(?:约|近|超过)?\s*$")


def rate_unasked(question: str, text: str, start: int, end: int) -> bool:
    """Is text[start:end] a percentage, a growth rate or a change (年均增长6.1%, 比前年多了27万元) while the question asks
    for a level (工业总产值是多少, 收入多少)? Such a figure does not answer it."""
    if _ASKS_RATE.search(question):
        return False
    value = text[start:end]
    figure = re.search(r"[\d零〇一二两三四五六七八九十百千]", value)
    return bool(re.search(r"[%％]|个百分点", value) or text[end:end + 1] in ("%", "％")
                or net_change(text, start) and not asks_change(question)  # 去年全区净增企业37家，总数达到590家: 37家 is the change
                or _RATE_AFTER.search(text[max(0, start - 8):start])
                or (figure is not None and _RATE_AFTER.search(value[:figure.start()])))  # 比前年多了27万元


ASKS_CLOCK = re.compile(r"几点|(?:开放|营业|办公|开诊|服务|工作)时间|\bwhat time\b|\b(?:opening|office|business) hours\b|"
                        r"\bat what hours?\b|\bwhen does .{0,40}\b(?:open|close)\b", re.I)


def asks_clock(query: str) -> bool:
    """Does the question ask the hours of the day something is open (几点开门, 开放时间, what time)?"""
    return ASKS_CLOCK.search(query) is not None


CLOCK = re.compile(r"\d{1,2}[:：]\d{2}(?:\s*[—–\-~～至到]\s*\d{1,2}[:：]\d{2})?|\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)\b", re.I)


# a street address (杏檀路88号, 云杉大道1999号, 新街86号): what 在哪条路 / 地址 asks, and the best answer to 在哪儿
ROAD = re.compile(r"[\u4e00-\u9fff](?:路|街|大道|大街|巷|弄)")
_NUMBER = r"\s*[0-9一二三四五六七八九十百零〇]+\s*号"
ADDRESS = re.compile(ROAD.pattern + _NUMBER)
HOUSE_NUMBER = re.compile(_NUMBER + r"(?![线楼院房室])")  # after a road's name (widen): 73号, not 3号楼
ASKS_ROAD = re.compile(r"哪条(?:路|街|马路|大街|道)|地址|门牌")  # a road, or its number: a sentence that names none is no answer
# where a place is (镇便民服务中心在哪儿？, 搬到哪了), not where to do something (在哪儿申请: maybe online now)
ASKS_WHERE = re.compile(r"(?:在哪(?:儿|里)?|搬(?:到|去)?哪(?:儿|里)?了?|在什么(?:地方|位置)|在哪条(?:路|街|马路|大街)上?|地址(?:是|在)?"
                        r"(?:多少|什么|哪(?:儿|里)?)?)(?:[？?。，,；;]|$)|哪条(?:路|街|马路|大街)|地址|门牌")


# a question for the post someone holds (张三现在担任什么职务, 做什么工作)
ASKS_POST = re.compile(r"(?:什么|哪个|何)(?:职务|职位|岗位|官职)|担任什么|任什么职|(?:做|干)什么工作|"
                       r"(?:去|到|调到?|调往)了?(?:哪儿|哪里|哪个单位|哪)(?:工作|任职|上班)|"  # 之后调到哪里工作
                       r"(?:以后|之后|后来|离任后|卸任后)(?:又)?(?:去|到|调到?|调往)了?(?:哪儿|哪里|哪个单位|哪)|"  # 不当县长以后去哪了
                       r"(?:现在|如今|目前|后来|以后|之后)(?:又)?(?:在)?(?:干|做)(?:什么|啥)(?:去了|工作)?(?![\u4e00-\u9fff])|"  # 现在干什么
                       r"在哪(?:儿|里|个单位)?(?:工作|上班|任职)|"  # 某某现在在哪儿工作
                       r"在哪(?:儿|里|个单位)?(?:当|做|任)(?:领导|官|干部|头头?)|在(?:哪个|什么)(?:单位|部门|局)(?:当|做|任|担任)(?:[\u4e00-\u9fff]{0,4}?)(?:局长|主任|书记|院长|馆长|站长|所长|领导)|当什么(?:官|领导)|"  # 现在在哪当领导
                       r"(?:what|which) (?:post|position|office|role)", re.I)



_BARE_CELL = re.compile(r"[：:]\s*\d+(?:\.\d+)?\s*(?:[；;。]|$)")


_EN_UNITS = [
    (re.compile(r"多少钱|几块钱|什么价|收费多少|费用多少"), "(?:(?:美|欧|日|港|澳|新台|人民)?元|块|英镑|美金|卢布|法郎|马克|比索)"),
    (re.compile(r"\bpopulation\b|how many (?:people|residents|inhabitants|visitors|tourists|workers|students)", re.I),
     "(?:人|名)"),
    (re.compile(r"how many (?:households|families)", re.I), "(?:户|households?|families)"),
    (re.compile(r"\b(?:yuan|rmb)\b", re.I), "元"),
    (re.compile(r"\bkilomet(?:re|er)s?\b|\bkm\b", re.I), "(?:公里|千米)"),
    (re.compile(r"\bper ?cent(?:age)?\b", re.I), "(?:%|％)"),
]


_CN_DIGITS = "零一二两三四五六七八九十百千万亿"


_WHO = re.compile(r"谁|哪位|什么人")
_FILLER = set("是的为由被让给叫所来去了将把呢吗啊？?，,")


def role_words(question: str) -> list[str]:
    """The words a "who" question wraps around its question word: "馆长" in "X的馆长是谁",
    "主持" in "由谁来主持". The answer may be a person or an organisation, but the sentence
    that gives it names the role or the deed."""
    from rag.jieba_load import install

    jieba = install()

    toks = [t for t in jieba.lcut(question) if t.strip()]
    at = next((i for i, t in enumerate(toks) if _WHO.search(t)), None)
    if at is None:
        return []
    out = []
    for before, side in ((True, toks[:at][::-1]), (False, toks[at + 1 :])):
        for i, t in enumerate(side):
            word = t.strip("".join(_FILLER)) if len(t) > 1 else t
            if word and word not in _FILLER:
                if len(word) == 1 and before and i + 1 < len(side):
                    word = side[i + 1] + word  # "建立" + "者"
                out.append(word)
                break
        else:
            out.append("")
    before, after = out
    if at > 0 and toks[at - 1] in ("是", "为"):  # "X的馆长是谁", "作者是哪位记者"
        words = [w for w in (before, after if toks[at] != "谁" or not before else "") if w]
    else:
        words = [after or before] if after or before else []
    # "建立者", "经营方", "代理人": the sentence names the deed ("建立", "所经营的", "代理")
    return words + [w[:-1] for w in words if len(w) >= 3 and w[-1] in "者方人商"]
