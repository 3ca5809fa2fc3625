"""A span of the asked kind (rag/answer/fits.py); its use in reading.verdict is tested in
tests/test_reader_answer.py."""
from rag.answer.fits import fits


def test_a_when_needs_a_date_or_a_time_word():
    assert fits("date", "2019年3月") and fits("date", "去年秋天") and fits("date", "清朝末年")
    assert not fits("date", "澜沧码头")


def test_a_how_many_needs_a_figure():
    assert fits("number", "约3.5万人") and fits("number", "十二座") and not fits("number", "大部分")


def test_other_kinds_always_fit():
    assert fits(None, "任何东西") and fits("person", "青禾湾") and fits("place", "某某")
    assert fits("ordinal", "二期") and fits("ordinal", "冠军")


def test_an_organisation_is_no_persons_name():
    # a photo credit glued to the next sentence (柏雨松 摄沿江大道…) gave a "which company" its name
    assert not fits("org", "柏雨松") and not fits("org", " 欧阳明哲 ")
    assert fits("org", "中铁十局") and fits("org", "霁川市交通建设集团") and fits("org", "光荣")
    assert fits("org", "市经信局") and fits("org", "春天集团")  # unknown to the dictionary, yet no one's name
