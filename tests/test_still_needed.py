"""Whether something is still needed (还要交照片吗, 还要交押金吗, 还要开转诊证明吗): a sentence that says it is
needed no more (不再需要提交照片, 实行免押金办证, 不用再开转诊证明) or that only other things are (只需提供身份证)
answers such a question though it holds few of its other words, and the newest such sentence leads over an
older guide's list of materials that names the thing. Issue #19, dev sets 10, 22, 29, 33. Invented places,
people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.focus import not_needed
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("terms, text", [
    ({"押金", "借书证"}, "一、县图书馆实行免押金办证，读者凭身份证即可办理。"),
    ({"转诊证明", "手术"}, "不用再提供居住证明，也不用再开转诊证明。"),
    ({"照片"}, "答：父母信息由民政部门在线核查，不再需要提交照片。"),
    ({"房产证"}, "实行“一证办电”，申请人只需提供身份证。"),
])
def test_what_is_needed_no_more(terms, text):
    assert not_needed(terms, text)


@pytest.mark.parametrize("terms, text", [
    ({"押金", "借书证"}, "办理材料：本人身份证原件；押金80元。"),
    ({"照片"}, "办理材料：户口簿、身份证、一寸照片2张。"),
    ({"收费"}, "县博物馆免费开放，周一闭馆。"),  # 免 of 免费 says nothing of 收费
    ({"照片"}, "不再受理纸质申请。"),  # what ended is not the thing asked
])
def test_what_is_still_needed_or_another_thing(terms, text):
    assert not not_needed(terms, text)


# an old guide lists a photo; a newer Q&A says it is needed no more
ORPHANS = {
    "guide-2019.md": ("---\ntitle: 榴川县困境儿童基本生活费申请指南\ndate: 2019-07-02\n---\n"
                      "事项名称：困境儿童基本生活费申请\n\n"
                      "办理材料：\n\n儿童户口簿、身份证，监护人身份证，一寸照片2张。\n\n"
                      "办理地点：县民政局一楼社会救助窗口。\n"),
    "notice-2025.md": ("---\ntitle: 榴川县民政局关于调整困境儿童基本生活保障标准的通知\ndate: 2024-12-10\n---\n"
                       "经县人民政府同意，自2025年1月1日起，困境儿童基本生活费由每人每月1100元提高至1260元。\n\n"
                       "原《榴川县民政局关于提高困境儿童基本生活保障标准的通知》同时废止。\n"),
    "qa-2026.md": ("---\ntitle: 困境儿童基本生活费申请答问\ndate: 2026-03-18\n---\n"
                   "榴川融媒讯 近日，不少市民来电询问困境儿童基本生活费的标准和申请办法。\n\n"
                   "问：现在申请要交哪些材料？\n\n"
                   "答：只需监护人身份证和孩子的户口簿，家庭信息由民政部门在线核查，不再需要提交照片。\n"),
}


def test_the_newer_no_longer_needed_leads_over_an_older_list(tmp_path):
    a = hashing_pipeline(tmp_path, ORPHANS).ask("申请困境儿童基本生活费还要交照片吗？", today=TODAY)
    assert a.answerable and "不再需要提交照片" in a.answer.split("此前")[0], a.answer


# a library that stopped taking deposits: the notice's line says 免押金, few of the question's words
LIBRARY = {
    "library-guide-2019.md": ("---\ntitle: 鹂溪县图书馆读者证办理指南\ndate: 2019-05-06\n---\n"
                              "办理材料：本人身份证原件；押金80元（退证时凭收据退还）。\n"),
    "library-2022.md": ("---\ntitle: 关于县图书馆免押金办证的通知\ndate: 2022-04-11\n---\n"
                        "为进一步方便群众借阅，经研究决定：一、县图书馆实行免押金办证，读者凭本人身份证即可办理。\n\n"
                        "二、已交纳押金的读者，可到总服务台办理退还。\n"),
}


def test_a_line_that_ends_the_thing_asked_answers_a_still_question(tmp_path):
    a = hashing_pipeline(tmp_path, LIBRARY).ask("办图书馆借书证现在还要交押金吗？", today=TODAY)
    assert a.answerable and "免押金" in a.answer.split("此前")[0], a.answer
