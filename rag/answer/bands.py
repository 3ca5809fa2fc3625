"""A standard set by band: "80至89周岁…每月80元；90至99周岁…每月150元；100周岁及以上…500元", or by
grade ("省一级幼儿园…680元；省二级幼儿园…560元"). A question names one band ("家里老人85岁",
"百岁老人", "省二级幼儿园"): its short answer is that band's amount alone, not every band's. A band
whose amount changed ("由每人每月50元提高至每人每月80元") gives the new amount, or the old one when
the question asks what it was (调整前, 原来, 以前).
"""
from __future__ import annotations

import re

# (in English: aged 80 to 89, aged 90 and above, 90 or older; asked: "is 85", "aged 85", "85 years old")
_RANGE = re.compile(r"(\d+)\s*(?:周岁|岁)?\s*(?:至|到|-|~|～|—|－)\s*(\d+)\s*(?:周岁|岁)"
                    r"|(?<=aged )(\d+)\s*(?:to|-|–)\s*(\d+)\b", re.I)
_FLOOR = re.compile(r"(\d+)\s*(?:周岁|岁)\s*(?:及|以|或)?以上|(?<=aged )(\d+)\s*(?:years?\s+)?(?:and|or)\s+(?:above|over|older)\b",
                    re.I)
_AGE_Q = re.compile(r"(\d+)\s*(?:周岁|岁)|(\d+)\s*(?:至|到|-|~)\s*\d+\s*(?:周岁|岁)|([一二三四五六七八九]?十|[一二三四五六七八九]?百)[多余]?岁"
                    r"|\b(?:is|aged|turned|turns)\s+(\d{2,3})\b(?!\s*(?:yuan|%|percent))|\b(\d{2,3})[\s-]+years?[\s-]+old\b", re.I)
_GRADE = re.compile(r"[省市县区]?[一二三四五六七八九特甲乙丙丁]级")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:元|yuan\b)", re.I)
_PAST = re.compile(r"调整前|原来|以前|此前|原标准|原先|过去|之前|当时")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def band_amount(question: str, sentence: str) -> tuple[int, int] | None:
    """(start, end) in `sentence` of the amount of the one band the question names, when the
    sentence sets amounts for two or more bands; else None. A band runs from its label (80至89周岁,
    省二级) to the next label."""
    age, grade = asked_age(question), _asked_grade(question)
    if age is None and grade is None:
        return None
    labels = sorted({m.span(): m for pattern in (_RANGE, _FLOOR, _GRADE) for m in pattern.finditer(sentence)}.values(),
                    key=lambda m: m.start())
    english = any(m.re is not _GRADE and m.group(1) is None for m in labels)
    if english and _PAST.search(question) or english and re.search(r"\b(?:before|previous|used to|old)\b", question, re.I):
        return None
    # English puts an amount before its label or after it ("people aged 80 to 89 receive 127 yuan"):
    # before, where the first label has one before it
    before = english and bool(labels) and _AMOUNT.search(sentence, 0, labels[0].start()) is not None
    bands = []
    for i, m in enumerate(labels):
        if before:  # the amount comes before its label: "175 yuan for people aged 80 to 89, up from 130 yuan"
            start = labels[i - 1].end() if i else 0
            amounts = list(_AMOUNT.finditer(sentence, start, m.start()))[-1:]
        else:
            end = labels[i + 1].start() if i + 1 < len(labels) else len(sentence)
            amounts = list(_AMOUNT.finditer(sentence, m.end(), end))
        if amounts:
            bands.append((m, amounts))
    if len(bands) < 2:
        return None
    fitting = [(m, amounts) for m, amounts in bands
               if (age is not None and m.re is not _GRADE and _covers(m, age)) or (grade is not None and m.group() == grade)]
    if len(fitting) != 1:
        return None
    amounts = fitting[0][1]
    if english:  # "receive 235 yuan, up from 167 yuan": the new amount first
        return amounts[0].span()
    return (amounts[0] if _PAST.search(question) else amounts[-1]).span()


def other_band(question: str, sentence: str) -> bool:
    """Does the sentence give amounts only for age bands that do not hold the age the question names
    (百岁老人 asked, 80至89周岁老人每人每月80元 said)?"""
    age = asked_age(question)
    if age is None:
        return False
    labels = [m for pattern in (_RANGE, _FLOOR) for m in pattern.finditer(sentence)
              if _AMOUNT.search(sentence, m.end()) or (m.group(1) is None and _AMOUNT.search(sentence, 0, m.start()))]
    return bool(labels) and not any(_covers(m, age) for m in labels)


def asked_age(question: str) -> int | None:
    """The age a question names: 85 of "老人85岁", 90 of "90到99岁", 100 of "百岁老人"."""
    m = _AGE_Q.search(question)
    if m is None:
        return None
    if m.group(1) or m.group(2) or m.group(4) or m.group(5):
        return int(m.group(1) or m.group(2) or m.group(4) or m.group(5))
    word = m.group(3)
    unit = 100 if word.endswith("百") else 10
    return _CN.get(word[:-1], 1) * unit


def _asked_grade(question: str) -> str | None:
    m = _GRADE.search(question)
    return m.group() if m else None


def _covers(label: re.Match, age: int) -> bool:
    """The band label (80至89周岁, 100周岁及以上) holds the age."""
    if label.re is _RANGE:
        return int(label.group(1) or label.group(3)) <= age <= int(label.group(2) or label.group(4))
    return int(label.group(1) or label.group(2)) <= age


# (and in English: aged 80 to 89, between 80 and 89; aged 90 and above, 90 or older)
_NUM_BAND = re.compile(r"(\d+(?:\.\d+)?)\s*(?:周岁|岁|元|人|万)?\s*(?:至|到|-|~|～|—|－|to\b|and\b)\s*(\d+(?:\.\d+)?)")
_NUM_FLOOR = re.compile(r"(\d+(?:\.\d+)?)\s*(?:周岁|岁)\s*(?:及|以|或)?以上"
                        r"|(\d+(?:\.\d+)?)\s*(?:years?(?:\s+old)?\s+)?(?:and|or)\s+(?:above|over|older)\b", re.I)


def in_band(num: str, text: str) -> bool:
    """The number asked (85 of "老人85岁") lies in a band the text states: 80至89周岁, 90周岁及以上."""
    x = float(num)
    if any(float(lo) <= x <= float(hi) for lo, hi in _NUM_BAND.findall(text) if float(lo) < float(hi)):
        return True
    return any(float(zh or en) <= x for zh, en in _NUM_FLOOR.findall(text))
