"""eval/short_capture.py: the CMRC halves, the reader cache and the miss categories (invented text)."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("short_capture", Path(__file__).parents[1] / "eval" / "short_capture.py")
sc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sc)


def test_halves_follow_the_paragraph_number():
    assert sc.half_of("TRIAL_800_QUERY_3") == "even"
    assert sc.half_of("TRIAL_801_QUERY_0") == "odd"
    assert sc.half_of("DEV_12_QUERY_1") == "even"


def test_the_cached_reader_reads_each_text_once():
    calls = []

    class Reader:
        def read(self, question, texts):
            calls.append(texts)
            return [len(t) for t in texts]

    r = sc.CachedReader(load=Reader)
    assert r.read("问", ["甲乙"]) == [2] and r.read("问", ["甲乙"]) == [2]
    assert len(calls) == 1 and r.misses == 1


def test_categories_of_a_miss():
    sentence = "柘湾港去年吞吐量为320万吨，比前年增长12%。"
    assert sc.category("320万吨", ["柘湾港去年吞吐量为320万吨"], sentence, "wrong") == sc.CATEGORIES[0]
    assert sc.category("铃兰", ["铃兰和紫苏"], sentence, "incomplete") == sc.CATEGORIES[1]
    assert sc.category("12%", ["320万吨"], sentence, "wrong") == sc.CATEGORIES[2]
    assert sc.category("柘湾港", ["320万吨"], sentence, "wrong") == sc.CATEGORIES[3]
    assert sc.category("青棠港", ["霁川港"], sentence, "wrong") == sc.CATEGORIES[6]
