"""Short answers: what kind of thing a question asks for, and that span inside a sentence.

Rules, not a trained reader: question words decide the expected type (number, date, person,
place, organisation, list); candidates of that type are found in the answering sentence and
the one nearest to the words the sentence shares with the question is chosen.
"""
from __future__ import annotations

import re

from rag.answer.change_values import changed_from

_CN_NUM = "零一二两三四五六七八九十百千万亿半"
_UNIT = (
    r"(?:万亿|萬億|亿|億|万|萬|千|百)?(?:余|餘|多)?"
    r"(?:元|美元|块|人次|人|户|个工作日|工作日|个月|个小时|个|名|位|家|所|项|条|座|件|台|辆|次|届|年|月|日|天|小时|分钟|岁|倍|"
    r"方面|部分|环节|阶段|大类|公里|千米|米|平方米|平方公里|立方米|平方千米|厘米|毫米|公分|英里|英尺|亩|公顷|"
    r"吨|公斤|千克|克|斤|升|千瓦|度|%|％|‰|成|点|分|字|层|楼|批|类|种|期|周|场|篇|部|本|只|张|所学校|"
    # measure words of counted things ("1850头", "12艘", "3间")
    r"头|匹|羽|株|棵|艘|架|套|间|册|枚|栋|幢|处|尾|盏|颗|粒|根|支|片|份|首|幅|双|起|"
    # as a page in traditional characters writes them ("3260畝", "12萬噸")
    r"畝|噸|戶|個|項|條|輛|屆|歲|頭|張|間|隻|處|顆|公頃|萬元|億元)?"
)
NUMBER_RE = re.compile(
    rf"(?:(?<![签节制契公合预])约|近|超过|超|逾)?"  # not the 约 that ends a word (签约17.16万人, 节约, 合约)
    rf"(?:\d+(?:[.,]\d+)*|[{_CN_NUM}]+(?=[^\s{_CN_NUM}]))(?:\s*[-~至到]\s*\d+(?:\.\d+)?)?\s*{_UNIT}"
)
DATE_RE = re.compile(
    r"(?:(?:\d{4}|[一二〇零○]{4})\s*年\s*)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])?"
    r"(?:\s*[上下]午|\s*晚上?|\s*凌晨)?|\d{4}\s*年(?:代|初|底|末)?|\d{1,2}\s*世纪(?:\d+年代)?|[上中下]半年"
)
_TITLES = (
    "党委书记|党支部书记|党组书记|书记|副局长|局长|副主任|主任|董事长|总经理|副总经理|经理|记者|评论员|"
    "市长|副市长|县长|镇长|村长|主席|院长|校长|所长|会长|部长|厅长|省长|总统|总理|教授|博士|导演|作者|创始人|代表|队长|教练"
)
# a guide's line that says where (办理地点：…, 受理地址：…): what follows is the place asked
PLACE_LINE = re.compile(r"\s*(?:办理|受理|申请|服务|办公|报名)?(?:地点|地址)[：:]\s*([^。；;\n]+)")
_PLACE_AFTER = re.compile(r"社区|街道|[村镇乡县市区](?![长民委])")
TITLE_BEFORE = re.compile(rf"(?:{_TITLES})[、，,\s]*$")  # a text that ends with a title before a name
PERSON_AFTER_TITLE_RE = re.compile(rf"(?:{_TITLES})[、，,\s]*([\u4e00-\u9fff]{{2,3}})(?=表示|说|指出|认为|介绍|强调|称|和|与|同|等|在|到|带领|陪同|一行|[，。、：:\s]|$)")
# a name right after its title and before what the person did (镇长厍某做客…, 书记璩某经…选举): checked as a name
_PERSON_THEN_DEED = re.compile(rf"(?:{_TITLES})\s?([\u4e00-\u9fff]{{2,3}}?)(?=经|做客|出席|参加|主持|调研|走访|接受|回答|当选)")
FOREIGN_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,8}(?:[·・•][\u4e00-\u9fff]{1,8})+")
ORG_RE = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{2,14}?(?:局|委员会|委|办公室|集团|公司|学院|大学|学校|中学|小学|医院|银行|协会|研究院|研究所|中心|"
    r"部|厅|署|政府|法院|检察院|组织|基金会|电视台|报社|工厂|厂)"
)
PLACE_RE = re.compile(
    r"[\u4e00-\u9fff]{1,8}?(?:省|市|县|区|镇|乡|村|街道|社区|州|岛|港|湾|山|河|湖|江|路|街|公园|广场|国|洲)"
)

# The common Chinese surnames (single and double): a person candidate must start with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
    "齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "宓郦仝濮糜眭郜蔺逯晁鞠扈冼揭闻冀郁芮戈钮邰於郗雍竺昝茅官屠谈贝寿阎厍隗璩檀訾逄禤阚缑蓟"  # rarer ones local news names too
) | {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "司徒", "夏侯", "端木"}

def looks_like_name(word: str) -> bool:
    """A person's name: 2-4 characters, not a common dictionary word, and a known surname first
    (or, for a transliterated name such as 拔都, a word the dictionary does not know at all)."""
    if not 2 <= len(word) <= 4:
        return False
    from rag.jieba_load import install

    jieba = install()

    freq = jieba.dt.FREQ
    if not (word[0] in SURNAMES or word[:2] in SURNAMES):
        return word not in freq and all(freq.get(ch, 0) < 50000 for ch in word)
    if freq.get(word, 0) >= 20:
        return False
    # "高素质" is 高 + a common word, not a given name
    return not (len(word) == 3 and freq.get(word[1:], 0) >= 500)


_TYPE_RULES = [
    ("date", re.compile(r"何时|什么时候|哪一?年|哪一?天|哪一?日|哪几(?:天|日|号)|几月|几号|几日|日期|时间是|哪个月|when\b|what (?:year|date|day|time)|which year", re.I)),
    ("ordinal", re.compile(r"第几|第多少|which (?:phase|round|edition|session)", re.I)),
    ("number", re.compile(r"多少|(?<!哪)几[个名位家所项样条座件台辆次届岁倍天年人万亿成册本张处间种只头门期批场户亩吨层栋把份斤轮块片趟笔首部章节株棵枚艘架班]|(?<!哪)几成|多大|多高|多长|多远|多重|多久|比例|百分之|增长了?多|占比|how (?:many|much|long|old|far|big|tall)|what percentage|what (?:is|was) the (?:number|amount|rate|growth|population)|population|"
                          r"\bgdp\b|gross domestic product|fiscal revenue|budget revenue|disposable income|output value|value added|"
                          r"added value|retail sales|average wage"  # the figures of a report (rag/data/figures.tsv)
                          r"|what(?:'s| is| was) the (?:most|maximum|minimum|least)\b"  # the most a couple can borrow
                          r"|what (?:is|was|are|were) the (?:[a-z-]+ ){0,4}(?:allowance|subsidy|fare|price|fee|wage|pension)s?"
                          r"(?=\s*(?:[?(,]|$|(?:in|of|for|now|today|per|each|this|last|from|after|before|since|at)\b))", re.I)),  # a standard's amount
    ("work", re.compile(r"哪(?:一)?(?:首|部(?!分|门|位)|本(?!地)|篇|出(?!现)|张)|什么(?:歌曲?|书|电影|电视剧|节目|作品|小说|专辑|戏|剧目?|曲子|诗)(?![\u4e00-\u9fff]*(?:公司|机构))|书名|歌名|片名|剧名|which (?:song|book|film|movie|play|album|novel)", re.I)),
    ("person", re.compile(r"谁|哪位|什么人|叫什么名字|姓名|(?:书记|支书|主任|长|负责人|主席|经理)(?:现在)?(?:叫什么|姓什么)"
                          r"|^\W*(?:who|whom|whose)\b|\b(?:and|or|but|me|know|asks?) who\b|\b(?:by|to|for|with|from|of) whom\b", re.I)),  # not "a couple who both pay"
    ("org", re.compile(r"哪所|哪家|哪个(?:单位|部门|机构|公司|企业|组织|学校|学院|集团)|什么(?:单位|部门|机构|公司|企业|组织|学校)|which (?:company|organi[sz]ation|department|school|bureau)", re.I)),
    ("place", re.compile(r"哪里|哪儿|在哪|什么地方|哪个(?:地方|村|镇|县|市|省|国家|城市|区)|哪座|where\b|which (?:village|town|city|county|country|place)", re.I)),
    ("list", re.compile(r"哪些|哪几|有什么|包括什么|包括哪|什么方面|哪几个方面|what are|which .* are|list", re.I)),
]


def question_type(question: str) -> str | None:
    for name, rule in _TYPE_RULES:
        if rule.search(question):
            return name
    return None


# a question for a telephone number, and what one looks like (0579-86512377, 96388, 12345, (0571)8765432)
PHONE_Q = re.compile(r"电话|热线|号码|传真|联系方式|phone|hotline|fax", re.I)
PHONE_RE = re.compile(r"(?:\(?0\d{2,3}\)?[-－—\s]?)?\d{5,8}(?:[-－—转]\d{1,6})?|1[3-9]\d{9}|400[-\s]?\d{3}[-\s]?\d{4}")


# a document's number (桐管发〔2018〕5号, 〔2023〕12号): no figure of anything it tells
_DOC_NUMBER = re.compile(r"[〔\[［]\s*\d{4}\s*[〕\]］]\s*第?\s*\d+\s*号")


_NET_CHANGE = re.compile(r"\s*(?:去年|今年|全年|当年|\d{4}年)?(?:全[区县市镇乡村])?(?:净(?:增|减|增加|减少)|新(?:开|增|建|设|招|添))")
_UNIT_ASKED = re.compile(r"(?:多少|几)(?:万|亿|千)?(公里|千米|平方公里|平方米|立方米|公顷|公斤|吨|亿元|万元)")
_BY = re.compile(r"(?:上调|下调|上涨|下降|提高|降低|增加|减少)了?\s*$")
_ASKS_CHANGE = re.compile(r"净|增|减|多了|少了|多出|新开|新建|新设|新招|新添|新铺|新修|新装|新种|新栽|新办"
                          r"|\bby how much\b|\b(?:go|goes|went|gone) (?:up|down)\b|\b(?:rise|rose|fall|fell)\b", re.I)


_NAME_TAKES = re.compile(r"(?:^|(?<=[：:；;，,。\s]))([\u4e00-\u9fff]{2,3}?)(?:同志)?(?=任(?![务期命何])|兼任|担任)")
_GIVES_UP = re.compile(r"不再(?:兼任|担任|任)([\u4e00-\u9fff]{2,12})")
_BODY_NAMED = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:街道|社区|村|镇|乡|县|区|市|局)")


def removed(name: str, text: str, title: str) -> bool:
    """Does a text take the post ending in `title` (局长) from the person named: 免去张三的县交通运输局
    局长职务, 张三不再担任…局长?"""
    n, t = re.escape(name), re.escape(title)
    return re.search(rf"免去{n}(?:同志)?的?[^，,。；;]{{0,30}}{t}职务|{n}(?:同志)?(?:因[^，,。；;]{{1,10}}[，,])?不再(?:担任|兼任|任)[^，,。；;]{{0,30}}{t}",
                     text) is not None


def gives_up(question: str, sentence: str, sp: tuple[int, int]) -> bool:
    """Does the clause after the name say its holder no longer holds the post the question asks for
    (继续任书记，不再兼任居委会主任; 主任 asked)? Not when the post given up is another body's
    (任云溪街道党工委书记，不再担任青柳街道党工委书记, asked 云溪街道's)."""
    rest = sentence[sp[1]:]
    clause = rest[: min((i for i in map(rest.find, "；;。") if i >= 0), default=len(rest))]
    for m in _GIVES_UP.finditer(clause):
        body = _BODY_NAMED.match(m.group(1))
        if m.group(1)[-2:] in question and (body is None or body.group() in question):
            return True
    return False


# the title of the post a who-question asks of (县水利局局长是谁: 局长)
_ASKED_TITLE = re.compile(r"((?:局|处|科|院|校|所|部|厅|馆|站|队|社|行|镇|乡|县|市|区|村)长|主任|书记|经理|董事长|主席)"
                          r"(?:现在)?(?:是谁|叫什么|由谁|是哪位)|"
                          r"(?:谁|哪位)(?:在|来)?(?:当|是|任|担任)((?:局|处|科|院|校|所|部|厅|馆|站|队|社|行|镇|乡|县|市|区|村)长|"
                          r"主任|书记|经理|董事长|主席)")  # 站长是谁, 谁当站长
# a question for the holder before the current one (上一任站长是谁, the previous director)
ASKS_FORMER = re.compile(r"上一任|前任|上任|原任|\b(?:previous|former|predecessor)\b", re.I)
_APPOINTED_TO = re.compile(r"(?:任命|提名|选举|补选|推选|决定)(?P<name>[\u4e00-\u9fff]{2,4}?)(?:同志)?为(?P<post>[\u4e00-\u9fff]{2,30}?"
                           r"(?:长|主任|书记|经理|主席))(?![\u4e00-\u9fff]*职务)")


def appointed_to_asked(question: str, sentence: str) -> tuple[int, int] | None:
    """Where a line names the person it appoints to the post the question asks of (任命张三为某县林业局
    局长, asked 县林业局局长是谁): the post named as the question ends it, in at least four characters
    (or all of a shorter one), or with the same title and the place the question names (补选张三为某村
    村民委员会主任, asked 某村的村主任); not another body's (…统计局局长) nor a post taken away (…局长职务)."""
    question = ASKS_FORMER.sub("", question)  # 县水利局上一任局长: the post is 县水利局局长
    place = _PLACE_ASKED.match(question)
    for m in _APPOINTED_TO.finditer(sentence):
        post = m.group("post")
        shared = next((k for k in range(len(post), 0, -1) if post[-k:] in question), 0)
        same_place = place is not None and place.group(1) in post and shared >= 2
        if (shared >= min(len(post), 4) or same_place) and looks_like_name(m.group("name")):
            return m.span("name")
    return None


_PLACE_ASKED = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:村|社区|街道|镇|乡))")


def _no_name(sentence: str, framed: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Is the span the question's frame cuts (…总经理职务 of 谁当总经理) no name, where the sentence names people?"""
    fs, fe = framed
    return not looks_like_name(sentence[fs:fe]) and not any(s < fe and e > fs for s, e in spans)


_COUNTED = re.compile(r"(?:几|多少)(人次|[名位家所项样条座件台辆次届岁倍天人册本张处间种只头门期批场户亩吨层栋份斤轮块片趟笔首部株棵枚艘架])")
# measure words that count the same things: 几本书 is answered in 册, 多少人 in 名 or 位
# (regular expressions: 人 of 人次 counts visits, not people)
SAME_MEASURE = {"本": ("本", "册"), "册": ("册", "本"), "条": ("条", "艘"), "艘": ("艘", "条"), "人": ("人(?!次)", "名", "位"), "名": ("名", "人(?!次)", "位"),
                "样": ("样", "项", "种", "份", "件"), "家": ("家", "户"),
                "班": ("班", "趟", "个?班次", "个?航次")}
_ASKS_BEFORE = re.compile(r"原来|原先|以前|之前|此前|调整前|过去|当初|曾经|本来")


def asks_before(question: str) -> bool:
    """Does the question ask how it was before a change (原来, 调整前)?"""
    return _ASKS_BEFORE.search(question) is not None


def asks_change(question: str) -> bool:
    """Does the question ask how much something grew or fell (净增, 增加, 少了), not its level?"""
    return _ASKS_CHANGE.search(question) is not None


_CLAUSE_MARK = "，,；;：:。"


def clause_start(text: str, at: int, marks: str = _CLAUSE_MARK) -> int:
    """Where the clause that holds text[at] begins: just after the last of `marks` before it, or 0."""
    return max(text.rfind(m, 0, at) for m in marks) + 1


def net_change(text: str, start: int) -> bool:
    """Is the figure at `start` a change its clause opens with (去年全区净增企业37家, 新开老年食堂3家), or
    the amount something rose or fell by (供暖价格每平方米上调3.9元; 上调至25.8元 is the level)?"""
    return _NET_CHANGE.match(text[clause_start(text, start) : start]) is not None or changed_by(text, start)


def changed_by(text: str, start: int) -> bool:
    """Is the figure at `start` the amount something rose or fell by (每平方米上调3.9元)?"""
    return _BY.search(text[clause_start(text, start) : start]) is not None


def in_doc_number(text: str, start: int, end: int) -> bool:
    """Does text[start:end] lie in a document's number (〔2019〕8号)?"""
    return any(m.start() < end and start < m.end() for m in _DOC_NUMBER.finditer(text))


def _candidates(kind: str, text: str) -> list[tuple[int, int]]:
    if kind == "phone":
        return [m.span() for m in PHONE_RE.finditer(text)]
    if kind == "number":
        return [m.span() for m in NUMBER_RE.finditer(text) if (re.search(rf"[\d{_CN_NUM}]", m.group())
                and len(m.group().strip()) > 1 or (m.group().strip().isdigit())) and not _quoted(text, m.span())
                and not in_doc_number(text, *m.span())]
    if kind == "date":
        return [m.span() for m in DATE_RE.finditer(text)]
    if kind == "person":
        spans = [sp for sp in _tagged(text, "nr") if looks_like_name(text[sp[0] : sp[1]])]
        spans += [m.span(1) for m in PERSON_AFTER_TITLE_RE.finditer(text) if m.group(1) not in _NO_NAMES]
        spans += [m.span(1) for m in _PERSON_THEN_DEED.finditer(text) if looks_like_name(m.group(1))]
        taking = [m.span(1) for m in _NAME_TAKES.finditer(text) if looks_like_name(m.group(1))]
        # a 任职 line's name at its start (隗某某任某街道党工委书记): not the 任 jieba reads into a name after it
        spans = [sp for sp in spans if not any(s < sp[0] <= e or (s <= sp[0] and sp[1] < e) for s, e in taking)] + taking
        spans += [m.span() for m in FOREIGN_NAME_RE.finditer(text)]
        # not a place read as a name (原柳溪社区…: 原柳溪 is no person)
        return sorted({sp for sp in spans if not _PLACE_AFTER.match(text, sp[1])})
    if kind == "work":  # a song, book or film is named in 《》 or quotes
        return [m.span() for m in WORK_RE.finditer(text)]
    if kind == "org":
        return [_strip_lead(text, m.span()) for m in ORG_RE.finditer(text)]
    if kind == "place":
        spans = [_strip_lead(text, m.span()) for m in PLACE_RE.finditer(text)]
        # place names without a suffix ("葡萄牙", "北京"), as jieba tags them
        return sorted(set(spans) | set(_tagged(text, "ns")))
    return []


# a question for a stretch of days (哪几天, 几号到几号, 起止时间), and what joins its two ends
_ASKS_SPELL = re.compile(r"哪几(?:天|日|号)|几号到几号|几号至几号|哪天到哪天|起止|从几号|从哪天")
_RANGE_JOIN = re.compile(r"\s*(?:至|到|—|－|-|～|~)\s*")


def _ranges(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Date spans with each two joined by 至 / 到 / — read as one (7月5日至7月12日)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _RANGE_JOIN.fullmatch(text, out[-1][1], s):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


# the words after a title that are no name (总经理职务, 局长一职, 主任人选)
_NO_NAMES = frozenset({"职务", "一职", "职位", "岗位", "人选", "任期", "期间", "之职"})


def _tagged(text: str, flag: str) -> list[tuple[int, int]]:
    """Spans of the words of 2+ characters jieba tags `flag` ("nr" person, "ns" place)."""
    from rag.jieba_load import posseg

    pseg = posseg()

    spans, pos = [], 0
    for w in pseg.cut(text):
        if w.flag == flag and len(w.word) >= 2:
            spans.append((pos, pos + len(w.word)))
        pos += len(w.word)
    return spans


WORK_RE = re.compile(r"《[^《》\n]{1,40}》|“[^“”\n]{1,20}”|「[^「」\n]{1,20}」")


def _quoted(text: str, span: tuple[int, int]) -> bool:
    """“十四五” is the name of a plan, not a quantity."""
    s, e = span
    return 0 < s and e < len(text) and text[s - 1] in "“「\"'‘" and text[e] in "”」\"'’"


_LEAD = "在于到由从和与及是为对向把将被让"


def _strip_lead(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """"在青石职业学院" -> "青石职业学院": a preposition is not part of a name."""
    s, e = span
    while e - s > 2 and text[s] in _LEAD:
        s += 1
    return s, e


def _list_span(text: str, question: str = "") -> tuple[int, int] | None:
    """An enumeration: the run after a colon, else the run of items joined by 、 or + that
    stands nearest to the question's words (the longest when the question gives no clue)."""
    m = re.search(r"[：:]([^。！？]+)", text)
    if m and len(m.group(1)) >= 4:
        return m.span(1)
    item = r"[^，。；：、+＋“”\s]{1,20}"
    runs = [r.span() for r in re.finditer(rf"{item}(?:、{item})+(?:等)?|{item}(?:[+＋]{item})+", text)]
    if not runs:
        return None
    anchors = _anchor_positions(text, question)
    if not anchors:
        return max(runs, key=lambda r: r[1] - r[0])
    return min(runs, key=lambda r: (_distance(anchors, r), -(r[1] - r[0])))


def _distance(anchors: list[int], span: tuple[int, int]) -> int:
    s, e = span
    return min(abs(a - s) if a <= s else abs(a - e) for a in anchors)


def _anchor_positions(text: str, question: str) -> list[int]:
    """Where the sentence repeats the question most closely: the ends of its longest runs of
    the question's words (2+ characters). A run of ten shared characters says more about where
    the answer is than a stray two-character word elsewhere in a long sentence."""
    q = re.sub(r"\s+", "", question)
    runs, i = [], 0
    while i < len(text):
        k = 0
        while i + k < len(text) and text[i : i + k + 1] in q:
            k += 1
        if k >= 2 and re.search(r"[\u4e00-\u9fff]", text[i : i + k]):
            runs.append((i, i + k))
            i += k
        else:
            i += 1
    if not runs:
        return []
    longest = max(e - s for s, e in runs)
    return [p for s, e in runs if e - s >= max(2, longest // 2) for p in (s, e)]


_WH_RE = re.compile(
    r"多少[个名位家所项条座件台辆次届岁倍天年人元]?|几[个名位家所项条座件台辆次届岁倍天年人成月日号]?|谁|哪[一]?[里儿个些位年天种家所座类样]?|"
    r"什么(?:时候|地方|样的?)?|何时|何地|如何|怎样|怎么|为什么|为何"
)
_TRAIL_RE = re.compile(r"[？?。！!呢吗吧啊]+$")


def _template(question: str) -> tuple[str, str] | None:
    """The question split around its question word: ("全镇新建道路", "公里")."""
    q = _TRAIL_RE.sub("", re.sub(r"\s+", "", question))
    m = _WH_RE.search(q)
    if not m:
        return None
    left = re.sub(r"(?:是|为|有|达|约|共|在|位于|叫|叫做|称为|的|按)+$", "", q[: m.start()])
    return left, q[m.end() :]


_HUG_STOP = "，,；;。！？!?"


def _affix_overlap(left: str, right: str, sentence: str, s: int, e: int, slack: int = 3) -> int:
    """How many characters of the question hug the span: left's tail before it, right's head after it,
    in its own clause (增长5.9%；接待游客97.2万人次: 游客 is no word after 5.9%)."""
    score = 0
    for k in range(min(len(left), 12), 0, -1):
        before = sentence[max(0, s - k - slack) : s]
        if left[-k:] in before[max(before.rfind(m) for m in _HUG_STOP) + 1 :]:
            score += k
            break
    for k in range(min(len(right), 12), 0, -1):
        after = sentence[e : e + k + slack]
        if right[:k] in after[: min((i for i in map(after.find, _HUG_STOP) if i >= 0), default=len(after))]:
            score += k
            break
    return score


def template_span(question: str, sentence: str, bounded: bool = False) -> tuple[int, int] | None:
    """Untyped questions: the text between where the sentence repeats the question's left part
    and where it repeats the right part ("X的作者是谁" -> what follows "X的作者是")."""
    t = _template(question)
    if not t:
        return None
    left, right = t
    start = end = None
    anchors = _anchor_positions(sentence, question)
    for k in range(min(len(left), 12), 1, -1):
        found = [m.start() for m in re.finditer(re.escape(left[-k:]), sentence)]
        if found:
            # a short tail such as "建设" may occur several times: take the one where the
            # sentence repeats most of the question, else the last
            i = min(found, key=lambda j: (min((abs(a - j) for a in anchors), default=0), -j))
            start = i + k
            break
    if start is None:
        return None
    stop = re.compile(r"[。；！？;]").search(sentence, start)  # the answer does not run past its clause
    for k in range(min(len(right), 12), 1, -1):
        j = sentence.find(right[:k], start, stop.start() if stop else len(sentence))
        if j > start:
            end = j
            break
    if end is None and bounded and right:
        return None
    if end is None:
        m = re.compile(r"[，。；！？,;]").search(sentence, start)
        end = m.start() if m else len(sentence)
    while start < end and sentence[start] in "是为：:，, ":
        start += 1
    if not right:  # "局长王明表示，" -> "王明"
        end = start + len(re.sub(r"(?:表示|说|指出|认为|介绍|强调|称|提出)$", "", sentence[start:end]))
    if end - start < 1 or end - start > 40:
        return None
    return start, end


def person_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` names a person (a name jieba tags, one after a title, a foreign one)."""
    return _candidates("person", text)


_YEAR_OF = re.compile(r"\b(?:in|of|since|by|until|from|to|before|after|during)\s+((?:19|20)\d\d)$", re.I)


def _dating_year(sentence: str, sp: tuple[int, int]) -> bool:
    """Is sentence[sp[0]:sp[1]] a year after a preposition ("at the end of 2025", "in 2024")?"""
    m = _YEAR_OF.search(sentence, 0, sp[1])
    return m is not None and m.start(1) == sp[0]


def extract_short(question: str, sentence: str, kind: str | None = None) -> tuple[int, int] | None:
    """Offsets (within `sentence`) of the short answer, or None when none fits the question."""
    kind = kind or question_type(question)
    framed = template_span(question, sentence, bounded=kind is not None)
    if kind is None:
        return framed
    if kind == "list":
        return _list_span(sentence, question) or framed
    q_norm = re.sub(r"\s+", "", question)
    if kind == "ordinal":  # "第几期" -> "二期", "第三期"
        m = re.search(r"第(?:几|多少)([\u4e00-\u9fff])", q_norm)
        unit = re.escape(m.group(1)) if m else r"[期届次轮批号名位]"
        return next((x.span() for x in re.finditer(rf"第?[\d{_CN_NUM}]+\s*{unit}", sentence)
                     if re.sub(r"\s+", "", x.group()) not in q_norm), None)
    if kind == "place" and (line := PLACE_LINE.match(sentence)):  # 办理地点：镇派出所户籍窗口
        return line.span(1)
    if kind == "number" and PHONE_Q.search(q_norm):  # a telephone number, never another figure
        kind = "phone"
    spans = [(s, e) for s, e in _candidates(kind, sentence) if sentence[s:e].strip()]
    if kind == "date" and _ASKS_SPELL.search(q_norm):  # 报名是哪几天: 7月5日至7月12日, not its first day
        spans = _ranges(sentence, spans)
    asked = re.search(r"哪(?:一)?个?([村镇乡县市省区州])", q_norm) if kind == "place" else None
    if asked and any(sentence[s:e].endswith(asked.group(1)) for s, e in spans):
        spans = [(s, e) for s, e in spans if sentence[s:e].endswith(asked.group(1))]  # "哪个镇" -> a 镇
    # a candidate the question already states is not the answer (e.g. "2024年" in "2024年收入多少")
    q_digits = {d for d in re.findall(r"\d+", q_norm) if len(d) >= 2}
    spans = [(s, e) for s, e in spans if re.sub(r"\s+", "", sentence[s:e]) not in q_norm
             and not (set(re.findall(r"\d+", sentence[s:e])) & q_digits)]
    if kind == "person":  # not one whose clause gives the post up (张三继续任书记，不再兼任主任; 主任 asked)
        spans = [sp for sp in spans if not gives_up(q_norm, sentence, sp)] or spans
        asked = _ASKED_TITLE.search(q_norm)
        if asked and not ASKS_FORMER.search(q_norm):  # 免去张三的…局长职务, 局长 asked: not its holder now
            kept = [sp for sp in spans if not removed(sentence[sp[0]:sp[1]], sentence, asked.group(asked.lastindex))]
            if spans and not kept:
                return None  # it names only the one it removes
            spans = kept
        if not ASKS_FORMER.search(q_norm) and (named := appointed_to_asked(q_norm, sentence)) is not None:
            return named  # 任命张三为县林业局局长，任命李四为…统计局局长；免去李四的县林业局局长职务
    if kind == "number":  # a year an English sentence dates its figure by ("at the end of 2025") counts nothing
        spans = [sp for sp in spans if not _dating_year(sentence, sp)] or spans
    if kind == "number" and not asks_change(q_norm):  # a level asked: not the change beside it
        spans = [sp for sp in spans if not net_change(sentence, sp[0])] or spans
    if kind == "number" and not _ASKS_BEFORE.search(q_norm):  # 由3条增至6条: the value it came to
        spans = [sp for sp in spans if not changed_from(sentence, *sp)] or spans
    if kind == "number" and (unit := _UNIT_ASKED.search(q_norm)):  # 多少公里: 51.6公里, not 5068万平方米
        spans = [sp for sp in spans if unit.group(1)[-2:] in sentence[sp[0]:sp[1]]] or spans
    measured = False  # a figure in the measure counted (几家: 2315家) was found
    if kind == "number" and (counted := _COUNTED.search(q_norm)):  # 几条: a figure counted in 条, not 6日
        said = re.compile("(?:" + "|".join(SAME_MEASURE.get(counted.group(1), (counted.group(1),))) + r")\s*$")
        kept = [sp for sp in spans if said.search(sentence[sp[0]:sp[1]])]  # 几本: 12册 too
        spans, measured = kept or spans, bool(kept)
    former = kind == "person" and ASKS_FORMER.search(q_norm) is not None  # (上一任: the timeline's to judge)
    if framed and measured and not any(s < framed[1] and e > framed[0] for s, e in spans):
        framed = None  # 全市有多少家定点医药机构: not the frame 全市[基本医疗保险参保人数…97.0%，]定点医药机构, with no 家 in it
    if framed and not (kind == "person" and spans and not former and _no_name(sentence, framed, spans)):
        fs, fe = framed
        inside = [(s, e) for s, e in spans if s < fe and e > fs and (e - s) >= 0.5 * (fe - fs)]
        if not inside and kind == "person" and not former:  # 局长邰某在会上要求: the name the frame holds
            inside = [(s, e) for s, e in spans if fs <= s and e <= fe]
        return inside[0] if inside else framed
    if not spans:
        return None
    anchors = _anchor_positions(sentence, question) or [0]
    t = _template(question) or ("", "")

    best = min(spans, key=lambda sp: (-_affix_overlap(t[0], t[1], sentence, *sp), _distance(anchors, sp), sp[0]))
    return _whole_of(q_norm, sentence, best, spans) or best


def _whole_of(question: str, sentence: str, sp: tuple[int, int], spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The whole, where `sp` is a figure told as part of the one before it (入驻企业512家，其中规模以上
    工业企业97家) and the question does not ask for the part's qualifier (一共有多少家企业; 规上企业有多少家
    asks for the part)."""
    start = clause_start(sentence, sp[0])
    clause = sentence[start : sp[0]].lstrip()
    unit = re.sub(r"^[\d.,％%\s" + _CN_NUM + r"]+", "", sentence[sp[0] : sp[1]])
    if not clause.startswith("其中") or not unit:
        return None
    wholes = [(s, e) for s, e in spans if e <= start and sentence[s:e].endswith(unit)]
    if not wholes:
        return None
    before = clause_start(sentence, wholes[-1][0])
    qualifier = set(clause[2:]) - set(sentence[before : wholes[-1][0]])
    return wholes[-1] if qualifier and not qualifier & set(question) else None


# An English page of a Chinese archive names a person in pinyin with the Chinese in brackets, first
# in the sentence that appoints them: "Zhang San (张三), 52, an engineer, was appointed director (局长)
# of ..." / "Zhang San (张三) has been named ..." / "... took office as ...".
_EN_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}"
_APPOINTEE_RE = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<name>{_EN_NAME})\s*[（(](?P<zh>[\u4e00-\u9fff·]{{2,6}})[）)]"
    r"(?:,[^.!?\n]{0,80}?,)?\s+(?:(?:was|has been|had been|is|have been|were)\s+(?:re-?)?(?:appointed|named|elected|"
    r"promoted|chosen|made|sworn in)|(?:became|becomes|took office|takes office|succeeds|succeeded|replaces|"
    r"replaced|takes over|took over)\b)")


def appointee(text: str, start: int = 0, end: int | None = None) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The person an English sentence appoints, named first with their Chinese in brackets: the
    offsets in `text` of the whole name ("Zhang San (张三)") and of its Chinese ("张三"); None when
    no sentence of text[start:end] opens so."""
    m = _APPOINTEE_RE.search(text, start, len(text) if end is None else end)
    if m is None:
        return None
    return (m.start("name"), m.end("zh") + 1), m.span("zh")
