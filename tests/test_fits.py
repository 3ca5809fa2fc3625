"""A span of the asked kind, and a close rival of that kind (rag/answer/fits.py, reading.doubtful)."""
from rag.answer.candidates import Candidate
from rag.answer.fits import fits, same_kind
from rag.answer.policy import AnswerPolicy
from rag.answer.reading import doubtful, steady
from rag.types import Document


def test_a_when_needs_a_date_or_a_time_word():
    assert fits("date", "2019年3月") and fits("date", "去年秋天") and fits("date", "清朝末年")
    assert not fits("date", "澜沧码头")


def test_a_how_many_needs_a_figure():
    assert fits("number", "约3.5万人") and fits("number", "十二座") and not fits("number", "大部分")


def test_other_kinds_always_fit():
    assert fits(None, "任何东西") and fits("person", "青禾湾") and fits("place", "某某")
    assert fits("ordinal", "二期") and fits("ordinal", "冠军")


def test_same_kind_rivals():
    assert same_kind("number", "12公里") and not same_kind("number", "西岭隧道")
    assert same_kind("date", "1987年") and not same_kind("date", "夏天")  # a rival date names a time
    assert same_kind("place", "栖霞县") and not same_kind("place", "下雨")
    assert not same_kind(None, "12公里") and not same_kind("number", " ")


TEXT = "西岭隧道全长12公里，东岭隧道全长3公里。"


def _cand(read) -> Candidate:
    doc = Document("d", TEXT, "隧道", None, "d.txt")
    c = Candidate(0, None, doc, 0, len(TEXT))  # doubtful() reads only the document and the reading
    c.read = read
    return c


def _at(word: str, p: float):
    i = TEXT.index(word)
    return i, i + len(word), p


def test_a_close_second_of_the_asked_kind_makes_the_span_doubtful():
    guess = _at("12公里", 0)[:2]
    close = _cand((*guess, 0.8, _at("3公里", 0.3)))
    far = _cand((*guess, 0.8, _at("3公里", 0.01)))
    other_kind = _cand((*guess, 0.8, _at("东岭隧道", 0.5)))
    p = AnswerPolicy(second_ratio=0.1)
    assert doubtful(close, guess, "number", p)
    assert not doubtful(far, guess, "number", p) and not doubtful(other_kind, guess, "number", p)
    assert not doubtful(close, guess, "number", AnswerPolicy(second_ratio=0.0))
    assert not doubtful(_cand((*guess, 0.8)), guess, "number", p)  # a reading without a second span


def test_a_span_not_of_the_asked_kind_is_doubtful():
    guess = _at("东岭隧道", 0)[:2]
    c = _cand((*guess, 0.9, None))
    assert doubtful(c, guess, "number", AnswerPolicy())
    assert not doubtful(c, guess, "number", AnswerPolicy(type_check=False))


class _Marks:
    """A stand-in reader that marks `word` wherever it reads it."""

    def __init__(self, word: str):
        self.word, self.texts = word, []

    def read(self, question, texts):
        from rag.models.reader_common import Span

        self.texts.append(texts[0])
        i = texts[0].find(self.word)
        return [Span(0, i, i + len(self.word), 0.5, 0.1) if i >= 0 else None]


LONG = "青禾县今年修了两条隧道。西岭隧道全长12公里，东岭隧道全长3公里。两条隧道年底通车。"


def _long(p: float) -> tuple[Candidate, tuple[int, int]]:
    doc = Document("t", LONG, "隧道", None, "t.txt")
    lo = LONG.index("西岭")
    c = Candidate(0, None, doc, lo, LONG.index("。", lo) + 1)
    i = LONG.index("12公里")
    c.read = (i, i + 4, p, None)
    return c, (i, i + 4)


def test_an_unsure_span_that_moves_when_read_with_its_neighbours_is_not_steady():
    c, guess = _long(0.5)
    moves, stays = _Marks("3公里"), _Marks("12公里")
    p = AnswerPolicy(reread_below=0.7)
    assert not steady(moves, "东岭隧道多长？", c, guess, p)
    assert steady(stays, "西岭隧道多长？", c, guess, p)
    assert stays.texts == [LONG]  # the sentence with the one before and the one after
    assert steady(moves, "东岭隧道多长？", *_long(0.9), p)  # sure enough: not read again
    assert steady(moves, "东岭隧道多长？", c, guess, AnswerPolicy(reread_below=0.0))
    assert steady(None, "东岭隧道多长？", c, guess, p)  # no reader
