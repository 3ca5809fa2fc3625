"""Generated answers and time (issue #19, item 5): the prompt lists the passages newest first with
their dates, and a sentence stating as current a value a newer passage changes is not shown.
Through the scripted OpenAI-compatible server and a real index (fake embedder), over made-up articles."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.llm_servers import Script, scripted_pipeline

OLD = (
    "云岭镇公布高龄津贴标准\n"
    "2023年4月12日，云岭镇民政办公布高龄津贴标准：年满80周岁的老人每人每年2400元。"
    "全镇目前有80周岁以上老人1240人。\n"
)
NEW = (
    "云岭镇上调高龄津贴\n"
    "2025年1月8日，云岭镇发布通知，自2025年2月1日起，年满80周岁老人的高龄津贴标准由每人每年2400元"
    "提高至每人每年3600元，原标准同时废止。\n"
)
UNDATED = "溪口村修建了一座长40米的便民桥。村委会主任柯文彬说，桥已通行。\n"
OTHER_KIND = (  # newer, same town, same unit, another kind of fact
    "云岭镇开办老年食堂\n"
    "2025年3月5日，云岭镇开办老年食堂，对80周岁以上老人发放助餐补贴每人每月150元。\n"
)
Q = "云岭镇高龄津贴标准是多少？"


@pytest.fixture
def versions(tmp_path, llm):
    return scripted_pipeline(tmp_path, llm, {"old.txt": OLD, "new.txt": NEW, "bridge.txt": UNDATED})


def prompt_of(llm) -> str:
    return llm.requests[-1]["body"]["messages"][-1]["content"]


def numbers_in_prompt(llm) -> dict[str, int]:
    """needle -> the [n] the prompt gave the passage holding it."""
    out = {}
    for block in prompt_of(llm).split("\n\n"):
        m = re.match(r"\[(\d+)\]", block)
        if m:
            for needle in ("2400元。", "3600元", "便民桥", "150元"):
                if needle in block:
                    out.setdefault(needle, int(m.group(1)))
    return out


def ask(p, llm, template, question=Q):
    """Ask once to learn the numbering, then with the reply `template` ({old}, {new}) filled in."""
    llm.script = Script(reply="资料中没有找到答案。")
    list(p.ask_stream(question))
    n = numbers_in_prompt(llm)
    llm.script = Script(reply=template.format(old=n.get("2400元。"), new=n.get("3600元"), other=n.get("150元")))
    return list(p.ask_stream(question))[-1]


def test_the_prompt_lists_the_passages_newest_first_with_their_dates(versions, llm):
    llm.script = Script(reply="资料中没有找到答案。")
    list(versions.ask_stream(Q))
    prompt = prompt_of(llm)
    heads = re.findall(r"^\[(\d+)\] 日期：([^｜\n]+)", prompt, re.M)
    assert [int(n) for n, _ in heads] == list(range(1, len(heads) + 1))  # numbered in the order listed
    dates = [d for _, d in heads]
    assert dates[:2] == ["2025-01-08", "2023-04-12"] and dates[-1] == "未知"  # newest first, undated last
    n = numbers_in_prompt(llm)
    assert n["3600元"] < n["2400元。"] < n["便民桥"]
    assert "以日期最新的为准" in llm.requests[-1]["body"]["messages"][0]["content"]
    assert re.search(r"今天是\d{4}-\d\d-\d\d。问题：", prompt)


def test_the_old_value_stated_as_current_is_rejected_as_stale(versions, llm):
    ans = ask(versions, llm, "云岭镇高龄津贴标准为每人每年2400元[{old}]。")
    assert ans.mode == "extractive"  # nothing verified survives: the extractive answer, with why
    (check,) = ans.checks
    assert not check.verified and check.reason.startswith("stale: a newer passage")
    assert "(2025-02-01)" in check.reason and "3600元" in check.reason and "2400元" in check.reason
    assert "较新的资料更改" in ans.note


def test_a_stale_sentence_is_dropped_and_the_verified_ones_kept(versions, llm):
    ans = ask(versions, llm, "云岭镇有80周岁以上老人1240人[{old}]。高龄津贴标准为每人每年2400元[{old}]。")
    assert ans.mode == "generative"
    assert "1240人" in ans.answer and "2400元" not in ans.answer
    assert [c.verified for c in ans.checks] == [True, False] and "stale" in ans.checks[1].reason
    assert "1句把已被较新资料更改的数值当作现行数值" in ans.note and "未能与所引资料核对" not in ans.note


@pytest.mark.parametrize("template", [
    "云岭镇高龄津贴现行标准为每人每年3600元（2025年）[{new}]。此前为每人每年2400元[{old}]。",
    "云岭镇高龄津贴现行标准为每人每年3600元（2025年），原为每人每年2400元[{new}]。",
    "2023年，云岭镇高龄津贴标准为每人每年2400元[{old}]。",
])
def test_the_current_value_with_its_date_and_the_old_one_as_earlier_are_kept(versions, llm, template):
    ans = ask(versions, llm, template)
    assert ans.mode == "generative" and all(c.verified for c in ans.checks), [c.reason for c in ans.checks]
    assert ans.note is None


def test_a_question_about_the_earlier_standard_may_get_it_undated(versions, llm):
    ans = ask(versions, llm, "云岭镇高龄津贴标准为每人每年2400元[{old}]。", question="云岭镇高龄津贴调整前是多少？")
    assert ans.mode == "generative" and ans.checks[0].verified


def test_with_one_version_nothing_changes(tmp_path, llm):
    p = scripted_pipeline(tmp_path, llm, {"old.txt": OLD, "food.txt": OTHER_KIND, "bridge.txt": UNDATED})
    ans = ask(p, llm, "云岭镇高龄津贴标准为每人每年2400元[{old}]。")
    assert ans.mode == "generative" and ans.checks[0].verified and "2400元" in ans.answer
    ans = ask(p, llm, "云岭镇助餐补贴为每人每月150元[{other}]。高龄津贴为每人每年2400元[{old}]。",
              question="云岭镇给老人哪些补贴？")
    assert ans.mode == "generative" and [c.verified for c in ans.checks] == [True, True]


# -- the rule itself, without a server ------------------------------------------------------------

def _sources(*docs):
    from rag.answer.verify import Source
    from rag.types import Document

    return [Source(i, Document(f"d{i}", text, None, date), 0, len(text)) for i, (text, date) in enumerate(docs, 1)]


def _check(reply, sources, question="", today=None):
    from rag.answer.verify import verify_reply
    from rag.answer.verify_time import check_times

    return check_times(verify_reply(reply, sources), sources, question, today)


def test_newest_first_keeps_the_given_order_among_equals_and_puts_undated_last():
    from rag.answer.verify_time import newest_first

    s = _sources(("a", None), ("b", "2024"), ("c", "2025-01-08"), ("d", "2024"), ("e", "2025-01"))
    got = newest_first(s)
    assert [x.doc.text for x in got] == ["c", "e", "b", "d", "a"]
    assert [x.n for x in got] == [1, 2, 3, 4, 5]


def test_a_newer_passage_after_today_does_not_count():
    s = _sources((NEW, "2025-01-08"), (OLD, "2023-04-12"))
    reply = "云岭镇高龄津贴标准为每人每年2400元[2]。"
    assert not _check(reply, s)[0].check.verified
    (kept,) = _check(reply, s, today=dt.date(2024, 6, 1))
    assert kept.check.verified  # on 2024-06-01 the 2025 notice had not been written
    (asked,) = _check(reply, s, question="2023年云岭镇高龄津贴标准是多少？", today=dt.date(2026, 1, 1))
    assert asked.check.verified  # a question about 2023: the 2025 notice is not that year's


def test_the_cited_change_notice_itself_gives_the_old_value_as_earlier():
    s = _sources((NEW, "2025-01-08"))
    (bad,) = _check("云岭镇高龄津贴标准为每人每年2400元[1]。", s)
    assert not bad.check.verified and "3600元" in bad.check.reason
    (good,) = _check("云岭镇高龄津贴标准由每人每年2400元提高至每人每年3600元[1]。", s)
    assert good.check.verified


def test_english_passages_and_replies():
    old = "Maple Ford raised its library card fee in 2022. The annual card fee is 12 dollars."
    new = "From March 2025, the annual library card fee in Maple Ford is raised to 20 dollars."
    s = _sources((new, "2025-02-20"), (old, "2022-05-01"))
    (bad,) = _check("In Maple Ford the annual library card fee is 12 dollars [2].", s)
    assert not bad.check.verified and bad.check.reason.startswith("stale:") and "20" in bad.check.reason
    ok = _check("In Maple Ford the annual library card fee is 20 dollars [1]. "
                "The annual card fee was 12 dollars before [2].", s)
    assert [c.check.verified for c in ok] == [True, True], [c.check.reason for c in ok]
