"""Procedures and corrections: a correction notice's right value, a renamed service's new name, a
headline that only says a thing got a new name, a how-long question's "能办好", and a correction's
sentence that only withdraws a figure. Invented places and figures throughout."""
from __future__ import annotations

from rag.answer.candidates import Candidate
from rag.answer.dating import only_wrong
from rag.answer.focus import without_wh
from rag.answer.newer import correction, newer_change, renamed
from rag.answer.scoring import _ASKS_NAME
from rag.dates import as_date
from rag.types import Chunk, Document, Hit


def _cand(doc_id: str, date: str, text: str, sentence: str, title: str | None = None) -> Candidate:
    doc = Document(doc_id, text, title=title, date=date)
    start = text.index(sentence)
    hit = Hit(Chunk(doc_id, 0, 0, len(text), text), 1.0)
    return Candidate(0, hit, doc, start, start + len(sentence))


MOVE_TITLE = "县社保服务中心搬新址 业务办理更快"
MOVE = _cand("move.md", "2024-05-06",
             "5月6日起，县社保服务中心迁至青禾路27号新办公楼对外办公。\n\n参保登记当场办结。",
             "5月6日起，县社保服务中心迁至青禾路27号新办公楼对外办公。", MOVE_TITLE)
FIX_TEXT = (f"本网5月6日刊发的《{MOVE_TITLE}》一文中，县社保服务中心新址“青禾路27号”有误，应为“青禾路72号”。"
            "特此更正，并向读者致歉。")
FIX = _cand("fix", "2024-05-08", FIX_TEXT, FIX_TEXT.split("特此")[0], "更正")


def test_a_newer_correction_of_the_answers_own_value_leads_with_the_right_one():
    found = correction(MOVE, [MOVE, FIX], as_date(MOVE.doc.date))
    assert found is not None and found.value == "青禾路72号" and found.old == "青禾路27号"
    assert "应为“青禾路72号”" in found.cand.text and found.of == "move.md"


def test_a_correction_of_another_article_is_not_read_as_this_ones():
    other = FIX_TEXT.replace(MOVE_TITLE, "县医保服务中心启用新大厅")
    fix = _cand("fix2", "2024-05-08", other, other.split("特此")[0], "更正")
    assert correction(MOVE, [MOVE, fix], as_date(MOVE.doc.date)) is None


def test_a_correction_older_than_the_answer_is_not_read():
    fix = _cand("fix", "2024-05-01", FIX_TEXT, FIX_TEXT.split("特此")[0], "更正")
    assert correction(MOVE, [MOVE, fix], as_date(MOVE.doc.date)) is None


def test_a_sentence_that_only_withdraws_a_figure_is_no_version():
    assert only_wrong("本网3月2日刊发的《溪口村2023年村集体经济收入86万元》一文标题中的“86万元”有误。")
    assert not only_wrong("2023年溪口村村集体经济收入应为68万元，比上年增加9万元。")
    assert not only_wrong("县社保服务中心新址“青禾路27号”有误，应为“青禾路72号”。")
    assert not only_wrong("溪口村村集体经济收入68万元。")


OLD_APP = _cand("app-2019.md", "2019-09-01",
                "县行政审批局介绍，市民在应用商店搜索“禾川办事通”下载安装后即可使用。",
                "县行政审批局介绍，市民在应用商店搜索“禾川办事通”下载安装后即可使用。")


def test_a_newer_article_that_renames_the_quoted_app_gives_its_new_name():
    en = ("The county government-service app “禾川办事通” has been renamed “禾川通” from May 1, 2023, "
          "the bureau said. Existing users keep their accounts.")
    new = _cand("rename-en.md", "2023-05-02", en, en)
    found = renamed(OLD_APP, [OLD_APP, new], as_date(OLD_APP.doc.date))
    assert found is not None and found.value == "禾川通" and found.old == "禾川办事通"
    assert found.cand.text.startswith("The county government-service app") and "Existing" not in found.cand.text
    zh = "经县政府同意，“禾川办事通”APP正式更名为“禾川通”。原账号继续有效。"
    new = _cand("rename.md", "2023-05-02", zh, zh)
    found = renamed(OLD_APP, [OLD_APP, new], as_date(OLD_APP.doc.date))
    assert found is not None and found.value == "禾川通" and found.cand.text == "经县政府同意，“禾川办事通”APP正式更名为“禾川通”。"


def test_a_rename_of_something_else_or_not_yet_in_force_is_not_read():
    import datetime as dt

    zh = "“禾川医保通”正式更名为“禾川医保”。"
    new = _cand("rename.md", "2023-05-02", zh, zh)
    assert renamed(OLD_APP, [OLD_APP, new], as_date(OLD_APP.doc.date)) is None
    zh = "“禾川办事通”APP将于2023年9月1日起更名为“禾川通”。"
    new = _cand("rename.md", "2023-05-02", zh, zh)
    assert renamed(OLD_APP, [OLD_APP, new], as_date(OLD_APP.doc.date), dt.date(2023, 6, 1)) is None


def test_newer_change_reads_a_correction_first():
    from rag.answer.scoring import Question

    q = Question("县社保服务中心现在在哪里？", "县社保服务中心现在在哪里？", True, "place", "县社保服务中心现在在哪里？",
                 {"社保": 2.0, "服务": 1.0, "中心": 1.0}, frozenset())
    found = newer_change(q, MOVE, [MOVE, FIX])
    assert found is not None and found.value == "青禾路72号"


def test_how_long_until_it_is_done_is_the_asking_not_the_topic():
    assert "办好" not in without_wh("二手车过户现在多久能办好？")
    assert "办完" not in without_wh("营业执照多长时间能办完？")
    assert "审批" in without_wh("低保审批多久能批下来？")  # 审批 / 批下来 are the articles' words: kept


def test_a_question_asks_what_a_thing_is_called():
    assert _ASKS_NAME.search("What is the county's service app called now?")
    assert _ASKS_NAME.search("县里的办事APP现在叫什么？")
    assert not _ASKS_NAME.search("县图书馆几点开门？")


GUIDES = {
    "farm-machine-guide-2020.md": ("---\ntitle: 农机购置补贴申请办事指南（2020年）\ndate: 2020-03-05\n---\n"
                                   "补贴对象：在青禾县从事农业生产的个人。\n\n办理地点：所在乡镇农机站现场办理。\n\n"
                                   "兑付时限：补贴资金自申请之日起40个工作日内兑付到购机者“一卡通”账户。\n"),
    "farm-machine-2024.md": ("---\ntitle: 农机补贴手机上就能申请 不用再跑乡镇\ndate: 2024-02-26\n---\n"
                             "青禾融媒讯 记者从县农业农村局获悉，从今年起，全县农机购置补贴实行线上申请。\n\n"
                             "补贴资金自申请之日起20个工作日内兑付。今年微耕机每台补贴由700元提高至800元。\n"),
}


def test_a_guides_labelled_line_is_read_with_its_title(tmp_path):
    """兑付时限：… names no 农机 but the guide's title does: it is the older version, the newer news leads."""
    import datetime as dt

    from tests.helpers import hashing_pipeline

    a = hashing_pipeline(tmp_path, GUIDES).ask("农机补贴申请以后多久能到账？", today=dt.date(2026, 6, 1))
    assert a.answerable and "20个工作日" in a.citations[0].quote, a.answer
    assert "40个工作日" in a.answer and "此前" in a.answer  # the guide's time, shown as the earlier one
