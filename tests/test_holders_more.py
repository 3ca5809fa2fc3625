"""More office-holder questions (issue #19): 谁管X局 asks for X局's head; 上一任 is the holder before the
current one (a notice's appointee, not the one it removes, nor the current holder's own appointment);
a named person's post now, or where they went afterwards, is the newest post a sentence gives them; an
English question that writes a head's Chinese title (县长) is answered from the passages that hold it;
an English passage cut after "Name (名字), 44," is quoted from its sentence's start. Invented places,
people and articles."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rag.answer.candidates import Candidate
from rag.answer.posts import asked_person, gives_post
from rag.answer.short import whole
from rag.answer.version_value import newest_held
from rag.dates import Date
from rag.retrieve.officialese import officialese
from rag.retrieve.search import other_language, titles_written
from rag.types import Chunk, Document, Hit
from tests.helpers import hashing_pipeline

TODAY = dt.date(2026, 6, 1)


# -- 谁管X局: the head of X局 -------------------------------------------------------------------------

@pytest.mark.parametrize("question, searched", [
    ("现在谁管县水利局？", "现在县水利局局长是谁？"),
    ("谁负责镇卫生院？", "镇卫生院院长是谁？"),
    ("现在谁在管市图书馆", "现在市图书馆馆长是谁"),
])
def test_who_runs_a_body_asks_for_its_head(question, searched):
    assert officialese(question) == searched


def test_who_runs_something_that_is_no_body_is_left_alone():
    assert officialese("谁管这件事？") is None


# -- 上一任: the holder before the current one ---------------------------------------------------------

def _v(text, when, value):
    return SimpleNamespace(cand=SimpleNamespace(text=text), when=when, value=value)


PERSON = SimpleNamespace(kind="person", query="县民政局局长是谁？")


def test_of_one_notice_the_appointee_is_newer_than_the_one_it_removes():
    removal = _v("免去柯望川的县水利局局长职务（退休）；", Date(2021, 7, 5), "职务（退休）")
    appointment = _v("任命司马青为县水利局局长；", Date(2021, 7, 5), "司马青")
    current = _v("任命蒲一舟为县水利局局长；免去司马青的县水利局局长职务。", Date(2024, 8, 30), "蒲一舟")
    assert newest_held(PERSON, [removal, appointment], [current, removal, appointment]) is appointment
    assert newest_held(SimpleNamespace(kind="number"), [removal, appointment], []) is removal  # as ranked


def test_the_current_holders_own_appointment_is_no_earlier_holder():
    removal = _v("免去柯望川的县民政局局长职务（另有任用）；", Date(2023, 4, 21), "职务（另有任用）")
    appointment = _v("任命司马青为县民政局局长；", Date(2023, 4, 21), "司马青")
    current = _v("县民政局局长司马青日前接受了本报采访。", Date(2026, 2, 26), "司马青说")
    assert newest_held(PERSON, [appointment, removal], [current, appointment, removal]) is removal
    # a newer page that names the appointee as succeeded, not as holding the post
    english = _v("She succeeds Sima Qing (司马青), who has moved to the county's water bureau.", Date(2026, 2, 26), "x")
    assert newest_held(PERSON, [appointment, removal], [english, appointment, removal]) is appointment


NOTICE_2021 = ("---\ntitle: 青禾县人民政府关于人员任免的通知\ndate: 2021-07-05\n---\n"
               "经县人民政府研究决定：\n\n任命司马青为县水利局局长；\n\n免去柯望川的县水利局局长职务（退休）；\n\n"
               "任命钟离远为县林业局局长。\n")
NOTICE_2024 = ("---\ntitle: 县人大常委会任命蒲一舟为县水利局局长\ndate: 2024-08-30\n---\n"
               "青禾融媒讯 8月29日，青禾县人大常委会会议表决通过人事任免事项：任命蒲一舟为青禾县水利局局长；"
               "免去司马青的青禾县水利局局长职务。\n\n蒲一舟，女，1980年出生，此前任县水文站站长。\n")
TRANSFER = ("---\ntitle: 县人大常委会决定方叶为代理县长\ndate: 2022-12-28\n---\n"
            "青禾融媒讯 12月27日，青禾县人大常委会会议接受戈远舟因工作调动辞去青禾县人民政府县长职务的请求，"
            "决定方叶为青禾县人民政府代理县长。\n\n戈远舟已调任苇州市人民政府副市长。\n")
MEETING = ("---\ntitle: 青禾县召开经济工作会议\ndate: 2022-02-18\n---\n"
           "青禾融媒讯 2月17日，全县经济工作会议召开。县长戈远舟在会上指出，要继续抓好茶叶加工工作。\n")


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hashing_pipeline(tmp_path_factory.mktemp("holders-more"), {
        "renmian-2021.md": NOTICE_2021, "renmian-2024.md": NOTICE_2024, "transfer-2022.md": TRANSFER,
        "meeting-2022.md": MEETING})


def test_the_previous_holder_is_the_appointee_before_the_current_one(pipe):
    a = pipe.ask("县水利局上一任局长是谁？", today=TODAY)
    assert a.answerable and "司马青" in a.answer and "柯望川" not in (a.short_answer or ""), a.answer


def test_who_runs_the_bureau_now(pipe):
    a = pipe.ask("现在谁管县水利局？", today=TODAY)
    assert a.answerable and "蒲一舟" in a.citations[0].quote, a.answer


def test_where_someone_went_afterwards(pipe):
    a = pipe.ask("戈远舟后来去哪儿工作了？", today=TODAY)
    assert a.answerable and "苇州市人民政府副市长" in a.answer, a.answer
    assert a.short_answer == "苇州市人民政府副市长"


# -- a named person's post -------------------------------------------------------------------------

@pytest.mark.parametrize("name, sentence, post", [
    ("欧阳朗", "宣布了县委的决定：骆青同志任鹤汀镇党委书记；欧阳朗同志不再担任鹤汀镇党委书记职务，调任县自然资源局局长。",
     "县自然资源局局长"),
    ("戈远舟", "戈远舟已调任苇州市人民政府副市长。", "苇州市人民政府副市长"),
    ("司马青", "任命司马青为县水利局局长；", "县水利局局长"),
    ("司马青", "县水利局局长司马青在会上说，汛期前要完成水库除险加固。", "县水利局局长"),
    ("司马青", "She succeeds Sima Qing (司马青), who has become director of the county's forestry bureau (县林业局局长).",
     "县林业局局长"),
    ("钟离远", "钟离远同志任鹤汀镇镇长。", "鹤汀镇镇长"),
])
def test_the_post_a_sentence_gives_a_person(name, sentence, post):
    assert gives_post(name, sentence) == post


@pytest.mark.parametrize("name, sentence", [
    ("司马青", "免去司马青的县水利局局长职务。"),
    ("司马青", "司马青在会上说，要把各项工作做细做实。"),
    ("司马青", "司马青，女，1981年生，此前任蓼溪镇镇长。"),
])
def test_a_sentence_that_gives_no_post(name, sentence):
    assert gives_post(name, sentence) is None


def test_the_person_a_post_question_names():
    assert asked_person(SimpleNamespace(query="欧阳朗现在做什么工作？")) == ["欧阳朗"]
    assert asked_person(SimpleNamespace(query="戈远舟后来去哪儿工作了？")) == ["戈远舟"]
    assert asked_person(SimpleNamespace(query="县水利局局长是谁？")) == []  # asks for no post


POSTS = {
    "town-2022.md": ("---\ntitle: 鹤汀镇召开领导干部大会\ndate: 2022-06-30\n---\n"
                     "青禾融媒讯 6月29日，鹤汀镇召开领导干部大会，宣布了县委的决定：欧阳朗同志任鹤汀镇党委书记。\n\n"
                     "欧阳朗在会上说，要把今年的各项工作做细做实，把茶园改造抓紧抓好。\n"),
    "town-2025.md": ("---\ntitle: 鹤汀镇主要领导调整\ndate: 2025-09-18\n---\n"
                     "青禾融媒讯 9月17日，鹤汀镇召开领导干部大会，宣布了县委的决定：骆青同志任鹤汀镇党委书记；"
                     "欧阳朗同志不再担任鹤汀镇党委书记职务，调任县自然资源局局长。\n"),
}


def test_a_persons_post_now_is_the_newest_given_them(tmp_path):
    p = hashing_pipeline(tmp_path, POSTS)
    a = p.ask("欧阳朗现在做什么工作？", today=TODAY)
    assert a.answerable and "县自然资源局局长" in a.answer, a.answer
    assert a.short_answer == "县自然资源局局长"


# -- English questions -----------------------------------------------------------------------------

def test_the_chinese_title_an_english_question_writes():
    assert titles_written("Who is the county head (县长) of Qinghe County now?") == ["县长"]
    assert titles_written("Who runs the Qinghe County Water Bureau (县水利局) now?") == []


def _hit(i, text, sparse, dense, score):
    doc = Document(f"d{i}", text, title=None, date="2025-01-01")
    return Hit(Chunk(doc.id, 0, 0, len(text), text), score, dense_rank=dense, sparse_rank=sparse)


def test_passages_that_hold_the_written_title_come_first():
    en = _hit(1, "Zhang San (张三) was appointed director (局长) of the Qinghe County Water Bureau.", 1, 1, 0.033)
    zh = _hit(2, "会议选举方叶为青禾县人民政府县长。", 5, 12, 0.029)
    out = other_language("Who is the county head (县长) of Qinghe County now?", [en, zh])
    assert out[0] is zh and out[1] is en
    assert other_language("Who heads the Qinghe County Water Bureau now?", [en, zh])[0] is en  # no title written


def test_an_english_passage_cut_after_an_age_is_quoted_from_its_sentence_start():
    text = ("Qinghe water bureau gets a new director\n\nZhang San (张三), 44, was appointed director (局长) of the "
            "Qinghe County Water Bureau (青禾县水利局) on May 8, 2025.")
    doc = Document("d", text, title=None, date="2025-05-09")
    at = text.index("44, was")
    c = Candidate(0, None, doc, at, len(text))
    assert whole(c).text.startswith("Zhang San (张三), 44, was appointed")


def test_the_predecessor_an_appointment_names_answers_for_the_previous_holder():
    from rag.answer.policy import AnswerPolicy
    from rag.answer.short import _predecessor

    text = ("was appointed director (局长) of the Qinghe County Forestry Bureau (县林业局) on March 27, 2025, at a "
            "session of the standing committee of the county people's congress. She succeeds Li Si (李四), who "
            "retired after heading the bureau since 2020.")
    c = Candidate(0, None, Document("d", text, title=None, date="2025-03-29"), 0, len(text))
    q = SimpleNamespace(kind="person", query="县林业局上一任局长是谁？", zh=True, terms={"林业局": 1.0})
    found = _predecessor(q, [c], AnswerPolicy())
    assert found is not None and found.text == "李四" and "李四" in found.chosen[0].text
    en = SimpleNamespace(kind="person", query="Who was the previous director of the forestry bureau?", zh=False, terms={})
    assert _predecessor(en, [c], AnswerPolicy()).text == "Li Si"
    now = SimpleNamespace(kind="person", query="县林业局局长是谁？", zh=True, terms={})
    assert _predecessor(now, [c], AnswerPolicy()) is None  # the holder now is the appointee
    zh = Candidate(0, None, Document("z", "经研究决定，王五接替李四任县林业局局长。"), 0, 20)
    assert _predecessor(q, [zh], AnswerPolicy()).text == "李四"
