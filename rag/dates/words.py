"""The vocabularies rag/dates reads time with: relative words, past and current markers, and
the words that change a standard. Data and one matcher; nothing else."""
from __future__ import annotations

import re
from functools import lru_cache

# word -> (unit, shift) against the asking date (a question) or the document's date (a sentence)
RELATIVE = {
    "今年": ("year", 0), "本年": ("year", 0), "本年度": ("year", 0), "去年": ("year", -1), "上年": ("year", -1),
    "上一年": ("year", -1), "过去一年": ("year", -1), "过去的一年": ("year", -1), "前年": ("year", -2), "明年": ("year", 1), "来年": ("year", 1),
    "本月": ("month", 0), "这个月": ("month", 0), "上个月": ("month", -1), "上月": ("month", -1),
    "下个月": ("month", 1), "下月": ("month", 1), "今天": ("day", 0), "今日": ("day", 0), "昨天": ("day", -1),
    "昨日": ("day", -1),
    "this year": ("year", 0), "last year": ("year", -1), "the year before last": ("year", -2),
    "next year": ("year", 1), "this month": ("month", 0), "last month": ("month", -1),
    "next month": ("month", 1), "today": ("day", 0), "yesterday": ("day", -1),
}

PAST_WORDS = (
    "原来", "原先", "原有", "原本", "以前", "此前", "之前", "先前", "调整前", "调整之前", "调价前", "调价之前", "提标前", "修订前", "变更前", "改革前", "当时",
    "过去", "曾经", "曾任", "前任", "上一任", "上届", "旧标准", "老标准",
    "formerly", "previously", "used to", "originally", "in the past", "at the time", "former", "earlier",
    "before the change", "before the adjustment", "prior to the change", "previous", "predecessor",
    "以往", "调整以前",
)
CURRENT_WORDS = (
    "现在", "目前", "现任", "当前", "最近", "最新", "如今", "眼下", "现行", "现阶段", "时下",
    "至今", "现今", "当下", "现时",
    "now", "currently", "current", "latest", "at present", "nowadays", "these days", "presently",
    "at the moment", "most recent", "up to date", "up-to-date", "still", "present-day",
)
# said of a question, today (今天, as of today) asks what holds now: no fact is of one day alone
TODAY_WORDS = ("今天", "今日", "today")

ABOLISH = (
    "同时废止", "予以废止", "废止", "不再执行", "停止执行", "停止实施", "不再实行", "同时失效", "作废",
    "is abolished", "are abolished", "was abolished", "abolished", "is repealed", "repealed",
    "no longer applies", "no longer apply", "no longer in force", "ceases to apply", "is withdrawn",
)
# what a notice says of a charge or a payment it ends: the value asked for is then none (一律不再收取服务费)
STOPS = (
    "不再收取", "不再收费", "不再征收", "不再发放", "停止收取", "停止收费", "停止发放", "免收", "免予收取", "免征",
    "一律免费", "改为免费", "实行免费", "取消收费", "不收取任何费用",
    "no longer charged", "no longer charges", "free of charge", "no longer paid", "is now free",
)
REPLACE = ("取代", "替代", "代替", "replaces", "replaced by", "supersedes", "superseded by", "in place of")
ADJUST = (
    "调整为", "调整到", "调整至", "提高至", "提高到", "提高为", "上调至", "上调到", "上调为", "下调至", "下调到", "下调为",
    "降低至", "降低到", "降低为", "降至", "改为", "变更为", "更改为", "调增至", "调减至", "延长至", "延长到", "提前至",
    "提前到", "推迟至", "推迟到", "缩短至", "缩短到", "压缩至", "压缩到", "压缩为", "精简为", "减少至", "减少到",
    "放宽至", "放宽到", "放宽为", "扩大至", "扩大到", "增加至", "增加到", "增至", "减至",
    "降为", "降到", "下降至", "下降到", "下降为", "提升至", "提升到", "上涨至", "上涨到", "增加为",
    # a procedure moved or cut down (改由乡镇受理, 缩短为10个工作日, 申请材料进一步精简，只需提交…)
    "改由", "缩短为", "精简", "简化为", "减少为", "减为", "减到", "缩减为", "缩减至", "精简至", "精简到",
    "raised to", "increased to", "lowered to", "reduced to", "cut to", "changed to", "adjusted to",
)
TAKES_EFFECT = (
    "起执行", "起施行", "起实施", "起实行", "起生效", "正式施行", "正式实施", "开始执行", "开始施行", "开始实施",
    "takes effect", "take effect", "took effect", "effective from", "comes into force", "come into force",
)

# a past word that does not mean "earlier" here: 过去一年 / 过去五年 (the last year, the last five years)
_NOT_PAST_AFTER = {"过去": re.compile(r"(?:的)?\s*(?:[一两二三四五六七八九十几半\d]+)\s*(?:个)?\s*(?:年|月|季度|周|天)")}


@lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    parts = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in sorted(words, key=len, reverse=True)]
    return re.compile("|".join(parts), re.I)


def marker_in(text: str, words: tuple[str, ...]) -> list[str]:
    """The words of `words` in `text` (as written there), in order; at one place the longest wins."""
    out = []
    for m in _pattern(words).finditer(text or ""):
        skip = _NOT_PAST_AFTER.get(m.group())
        if skip and skip.match(text, m.end()):
            continue
        out.append(m.group())
    return out
