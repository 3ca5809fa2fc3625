"""A procedure changed by moving it (改由乡镇受理) or cutting its documents (申请材料进一步精简，只需提交…)
is a change of the procedure: the newer notice's list leads, told even where it stands in a later
paragraph than the one naming the procedure (issue #19, second dev set's kind 4). Invented places,
people and figures."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.dates import supersession
from tests.helpers import hashing_pipeline


@pytest.mark.parametrize("sentence", [
    "自2025年3月1日起，渔船登记改由镇便民服务中心受理。",
    "申请材料进一步精简，只需提交申请表和身份证。",
    "办理时限缩短为5个工作日。",
])
def test_a_moved_or_cut_down_procedure_is_a_change(sentence):
    change = supersession(sentence)
    assert change is not None and change.kind == "adjusts"


def test_a_procedure_stated_without_a_change_is_none():
    assert supersession("办理渔船登记需要提交申请表、身份证和船舶图纸。") is None


DOCS = {
    "yuchuan-2022.md": ("---\ntitle: 渔船登记怎么办？\ndate: 2022-04-10\n---\n"
                        "近期不少渔民咨询渔船登记流程。根据县里规定，渔船登记须向县农业农村局提出申请。\n\n"
                        "办理时须提交登记申请表、身份证复印件、船舶检验证书、船舶图纸和建造合同等材料。"),
    "yuchuan-2025.md": ("---\ntitle: 渔船登记下放乡镇\ndate: 2025-03-20\n---\n"
                        "自2025年4月1日起，蒿湾县渔船登记改由乡镇便民服务中心受理，不再报送县农业农村局。\n\n"
                        "申请材料也进一步精简，只需提交登记申请表和船舶检验证书，其他信息通过数据共享核验。"),
}
TODAY = dt.date(2025, 9, 1)


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("procedure"), DOCS)


def test_the_cut_down_list_leads_and_the_old_one_is_superseded(pipe):
    a = pipe.ask("渔船登记现在需要提交哪些材料？", today=TODAY)
    assert a.answerable and "只需提交" in a.citations[0].quote and a.citations[0].status == "current", a.answer
    assert any(c.status == "superseded" and "船舶图纸" in c.quote for c in a.citations[1:]), a.answer


def test_a_later_paragraph_of_a_changing_notice_is_read_with_its_opening(pipe):
    from rag.answer.candidates import Candidate, Surroundings
    from rag.answer.policy import AnswerPolicy
    from rag.answer.version_value import read_with

    around = Surroundings(AnswerPolicy())
    new, old = pipe.document("yuchuan-2025.md"), pipe.document("yuchuan-2022.md")
    at = new.text.index("申请材料")
    read = read_with(Candidate(0, None, new, at, len(new.text)), around)
    assert read.startswith("自2025年4月1日起") and read.endswith("核验。")
    at = old.text.index("办理时")  # an article that changes nothing: its sentence alone
    assert read_with(Candidate(0, None, old, at, len(old.text)), around) == old.text[at:]
