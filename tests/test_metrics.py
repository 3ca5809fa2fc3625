"""Unit tests for rag.evaluate.metrics; expected values are computed by hand in the comments."""
import subprocess
import sys

import pytest

from rag.evaluate.metrics import (
    char_f1,
    cmrc_normalize,
    detect_lang,
    exact_match,
    hit_at_k,
    is_correct,
    normalize_answer_text,
    percentile,
    reciprocal_rank,
    refusal_precision_recall,
    wilson_interval,
)


# --- normalize_answer_text / is_correct ----------------------------------------------------


def test_normalize_full_width_digits_and_percent():
    assert normalize_answer_text("２５１万元") == "251万元"
    assert normalize_answer_text("８．７％") == "8.7%"
    assert normalize_answer_text("ＧＤＰ增长") == "gdp增长"


def test_normalize_removes_all_whitespace():
    # letter-spaced spans and spaces around numbers, as in the printed page
    assert normalize_answer_text("251 万元") == "251万元"
    assert normalize_answer_text("态 势 。\n预 计") == "态势。预计"
    assert normalize_answer_text("\u300040\t万人次 ") == "40万人次"  # ideographic space too


def test_is_correct_full_width_and_spaces():
    assert is_correct("村集体经济收入达２５１万元。", ["251万元", "251万"], [])
    assert is_correct("约 251 万元", ["251万元"], [])
    assert is_correct("增长8.7％", ["8.7%"], [])


def test_is_correct_any_answer_all_must_include():
    answers, must = ["大乱"], ["大美", "大兴"]
    assert is_correct("从大乱到大美再到大兴", answers, must)
    assert not is_correct("从大乱到大美", answers, must)  # misses 大兴
    assert not is_correct("大美、大兴", answers, must)  # no answer string
    # empty answers list: only must_include counts
    assert is_correct("宁波梅山港、温州港、上海港", [], ["温州港", "上海港"])
    assert not is_correct("宁波梅山港、温州港", [], ["温州港", "上海港"])


def test_is_correct_empty_prediction():
    assert not is_correct("", ["251万元"], [])
    assert not is_correct("  \n", [], [])  # empty after normalisation, even with no conditions


def test_is_correct_case_insensitive_latin():
    assert is_correct("推进s316省道项目", ["S316"], [])


# --- CMRC: normalisation and exact match ------------------------------------------------------


def test_cmrc_normalize_punctuation():
    assert cmrc_normalize("“永康，”") == "永康"
    assert cmrc_normalize("《国际歌》。") == "国际歌"
    assert cmrc_normalize("Hello, World!") == "helloworld"
    # percent sign and the decimal point between digits are kept
    assert cmrc_normalize("“8.7%”。") == "8.7%"
    assert cmrc_normalize("1,000.5") == "1,000.5"
    # a full stop after a number is removed
    assert cmrc_normalize("251.") == "251"


def test_exact_match_punctuation_only_difference():
    assert exact_match("《国际歌》", ["国际歌"]) == 1.0
    assert exact_match("陈磊。", ["陈 磊"]) == 1.0  # inner whitespace removed too
    assert exact_match("Eiffel Tower!", ["eiffel tower"]) == 1.0


def test_exact_match_max_over_golds_and_misses():
    assert exact_match("251万", ["251万元", "251万"]) == 1.0
    assert exact_match("251万元", ["251万"]) == 0.0  # EM is not containment
    assert exact_match("8.7%", ["87%"]) == 0.0  # the decimal point is kept


def test_exact_match_empty_prediction():
    assert exact_match("", ["251万元"]) == 0.0
    assert exact_match("。", ["251万元"]) == 0.0  # empty after normalisation


def test_golds_must_be_a_nonempty_list():
    with pytest.raises(ValueError):
        exact_match("x", [])
    with pytest.raises(ValueError):
        char_f1("x", [])
    with pytest.raises(TypeError):
        char_f1("x", "x")


# --- CMRC: character F1 ---------------------------------------------------------------------


def test_char_f1_identical():
    assert char_f1("陈建伟", ["陈建伟"]) == 1.0


def test_char_f1_chinese_with_number_token():
    # pred 251|万|元 = 3 tokens; gold 约|251|万|元 = 4 tokens; common run 251 万 元 = 3
    # P = 3/3 = 1, R = 3/4; F1 = 2*1*0.75/(1+0.75) = 1.5/1.75 = 6/7
    assert char_f1("251万元", ["约251万元"]) == pytest.approx(6 / 7)


def test_char_f1_long_prediction():
    # pred 村 集 体 经 济 收 入 达 251 万 元 = 11 tokens; gold 251 万 元 = 3; lcs = 3
    # P = 3/11, R = 1; F1 = 2*(3/11)/(3/11 + 1) = (6/11)/(14/11) = 3/7
    assert char_f1("村集体经济收入达251万元", ["251万元"]) == pytest.approx(3 / 7)


def test_char_f1_uses_longest_contiguous_run_not_subsequence():
    # pred 大|美|大|兴 (4), gold 大|乱|大|美 (4); common runs: "大美" length 2
    # (大 _ 大 as a subsequence would be longer but is not contiguous)
    # P = 2/4, R = 2/4; F1 = 0.5
    assert char_f1("大美大兴", ["大乱大美"]) == pytest.approx(0.5)


def test_char_f1_english_words_are_units():
    # pred the|eiffel|tower = 3 tokens; gold eiffel|tower|in|paris = 4; lcs = 2
    # P = 2/3, R = 2/4 = 1/2; F1 = 2*(1/3)/(2/3+1/2) = (2/3)/(7/6) = 4/7
    assert char_f1("The Eiffel Tower", ["Eiffel Tower in Paris"]) == pytest.approx(4 / 7)


def test_char_f1_max_over_golds_and_punctuation_ignored():
    # gold 1: 芝|英|镇 vs pred 芝|英 -> lcs 2, P = 1, R = 2/3, F1 = (4/3)/(5/3) = 0.8
    # gold 2: 芝|英 (after removing 。) -> identical, F1 = 1
    assert char_f1("芝英", ["芝英镇", "芝英。"]) == 1.0
    assert char_f1("芝英", ["芝英镇"]) == pytest.approx(0.8)


def test_char_f1_percent_is_its_own_token():
    # pred 8.7|% (2 tokens); gold 增|长|8.7|% (4); lcs 2 -> P = 1, R = 1/2, F1 = 1/1.5 = 2/3
    assert char_f1("8.7%", ["增长8.7%"]) == pytest.approx(2 / 3)


def test_char_f1_no_overlap_and_empty():
    assert char_f1("陈磊", ["吕新印"]) == 0.0
    assert char_f1("", ["吕新印"]) == 0.0
    assert char_f1("，。", ["吕新印"]) == 0.0  # only punctuation -> no tokens


# --- retrieval ------------------------------------------------------------------------------


def test_hit_at_k_dedupes_before_cutting():
    ranked = ["a", "a", "b", "a", "c"]  # distinct: a, b, c
    assert hit_at_k(ranked, "c", 3) == 1.0  # c is the third distinct id
    assert hit_at_k(ranked, "c", 2) == 0.0
    assert hit_at_k(ranked, "a", 1) == 1.0
    assert hit_at_k(ranked, "z", 5) == 0.0
    assert hit_at_k(ranked, {"z", "b"}, 2) == 1.0  # any gold counts
    assert hit_at_k([], "a", 3) == 0.0
    with pytest.raises(ValueError):
        hit_at_k(ranked, "a", 0)


def test_reciprocal_rank():
    ranked = ["a", "a", "b", "b", "c"]  # distinct: a(1), b(2), c(3)
    assert reciprocal_rank(ranked, "a") == 1.0
    assert reciprocal_rank(ranked, "b") == 0.5
    assert reciprocal_rank(ranked, "c") == pytest.approx(1 / 3)  # not 1/5
    assert reciprocal_rank(ranked, "z") == 0.0
    assert reciprocal_rank(ranked, ["c", "b"]) == 0.5  # first gold found wins


# --- statistics -----------------------------------------------------------------------------


def test_wilson_zero_of_ten():
    # z = 1.96, z² = 3.8416, n = 10, p = 0
    # centre = (0 + 3.8416/20) / (1 + 3.8416/10) = 0.19208 / 1.38416 = 0.138770
    # half   = 1.96/1.38416 * sqrt(0 + 3.8416/400) = 1.96*0.098/1.38416 = 0.19208/1.38416
    # lo = 0; hi = 2*0.19208/1.38416 = 3.8416/13.8416 = 0.277540
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(0.277540, abs=1e-6)


def test_wilson_ten_of_ten():
    # p = 1: symmetric to 0/10 -> lo = 1 - 0.277540 = 10/13.8416 = 0.722460, hi = 1
    lo, hi = wilson_interval(10, 10)
    assert lo == pytest.approx(0.722460, abs=1e-6)
    assert hi == 1.0


def test_wilson_45_of_50():
    # p = 0.9, z²/n = 3.8416/50 = 0.076832, denom = 1.076832
    # centre = (0.9 + 0.038416) / 1.076832 = 0.938416 / 1.076832 = 0.871459
    # p(1-p)/n = 0.09/50 = 0.0018; z²/4n² = 3.8416/10000 = 0.00038416; sum = 0.00218416
    # sqrt(0.00218416) = 0.0467350; half = 1.96 * 0.0467350 / 1.076832 = 0.0916006/1.076832 = 0.085065
    # lo = 0.871459 - 0.085065 = 0.786394; hi = 0.871459 + 0.085065 = 0.956524
    lo, hi = wilson_interval(45, 50)
    assert lo == pytest.approx(0.786394, abs=2e-6)
    assert hi == pytest.approx(0.956524, abs=2e-6)


def test_wilson_edge_cases():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_percentile_linear_like_numpy():
    # sorted [1,2,3,4], n-1 = 3
    # p=50: rank 1.5 -> 2 + 0.5*(3-2) = 2.5
    # p=95: rank 2.85 -> 3 + 0.85*(4-3) = 3.85
    assert percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([1, 2, 3, 4], 0) == 1
    assert percentile([1, 2, 3, 4], 100) == 4
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_refusal_precision_recall():
    refused = [True, True, False, False, True]
    unansw = [True, False, True, False, True]
    # both = positions 0 and 4 = 2; refused = 3; unanswerable = 3
    # precision = 2/3, recall = 2/3
    p, r = refusal_precision_recall(refused, unansw)
    assert p == pytest.approx(2 / 3) and r == pytest.approx(2 / 3)
    # nothing refused -> precision undefined; recall 0/2 = 0
    assert refusal_precision_recall([False, False], [True, True]) == (None, 0.0)
    # no unanswerable question -> recall undefined; precision 0/1 = 0
    assert refusal_precision_recall([True, False], [False, False]) == (0.0, None)
    assert refusal_precision_recall([], []) == (None, None)
    with pytest.raises(ValueError):
        refusal_precision_recall([True], [True, False])


# --- language ---------------------------------------------------------------------------------


def test_detect_lang():
    assert detect_lang("2024年大陈村接待游客多少人次？") == "zh"
    assert detect_lang("By how much did Yongkang's GDP grow in 2024?") == "en"
    # English with a Chinese name: 3 CJK / (3 + 25 letters) = 0.11 < 0.3
    assert detect_lang("How many tourists did 大陈村 receive?") == "en"
    # Chinese with a road code: 7 CJK / (7 + 1) = 0.875
    assert detect_lang("S316省道是什么项目") == "zh"
    assert detect_lang("ＧＤＰ growth") == "en"  # full-width Latin counts as Latin
    assert detect_lang("2024") == "zh"  # no letters: the corpus language
    assert detect_lang("") == "zh"


def test_metrics_import_is_light():
    # a fresh interpreter, so modules other tests loaded do not count
    code = (
        "import sys, rag.evaluate.metrics; "
        "print(sorted(m for m in ('numpy', 'torch', 'jieba', 'sentence_transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
