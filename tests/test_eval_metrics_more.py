"""Unit tests for rag.evaluate.checks (citation checks, span scoring, failure labels) and the Chinese
edge cases of the CMRC metrics; expected values are computed by hand in the comments."""
import pytest

from rag.evaluate.checks import (
    FAILURE_REASONS,
    answer_in_quotes,
    answer_length,
    covered_share,
    failure_reason,
    quote_is_verbatim,
    scored_span,
    short_answer_scores,
    unify_span,
)
from rag.evaluate.metrics import char_f1, exact_match, is_correct

TEXT = "前仓镇大陈村诠释了精彩蝶变。2024年，该村接待游客约40万人次。"
# 前仓镇大陈村 (6) + 诠释了 (3) + 精彩蝶变 (4) + 。(1) = 14: the second sentence starts at 14


# --- quote_is_verbatim ------------------------------------------------------------------------


def test_quote_is_verbatim_exact_offsets():
    quote = "2024年，该村接待游客约40万人次。"  # 2024 (4) 年 (1) ，(1) 该村接待游客约 (7) 40 (2) 万人次。(4)
    assert len(quote) == 19  # so it ends at 14 + 19 = 33
    assert quote_is_verbatim(TEXT, 14, 33, quote)
    assert not quote_is_verbatim(TEXT, 13, 32, quote)  # off by one
    assert not quote_is_verbatim(TEXT, 14, 33, "2024 年，该村接待游客约40万人次。")  # a space: not verbatim


def test_quote_is_verbatim_no_normalisation_and_bad_input():
    assert not quote_is_verbatim("增长8.7％", 2, 6, "8.7%")  # full-width ％ in the document
    assert quote_is_verbatim("增长8.7％", 2, 6, "8.7％")
    assert not quote_is_verbatim(None, 0, 2, "增长")  # document gone
    assert not quote_is_verbatim("增长", 0, 0, "")  # empty quote
    assert not quote_is_verbatim("增长", 1, 5, "长")  # end beyond the text
    assert not quote_is_verbatim("增长", -1, 1, "增")


# --- answer_in_quotes ---------------------------------------------------------------------------


def test_answer_in_quotes_any_answer_in_one_quote():
    quotes = ["村集体经济收入达 251 万元。", "村民人均收入5万元。"]
    assert answer_in_quotes(quotes, ["251万元"])  # spaces inside the quote are ignored
    assert answer_in_quotes(quotes, ["999万元", "５万元"])  # the second answer, full-width digit
    assert not answer_in_quotes(quotes, ["999万元"])
    # an answer split across two quotes does not count: "万元。村民" only exists in the join
    assert not answer_in_quotes(quotes, ["万元。村民"])


def test_answer_in_quotes_must_include_may_spread():
    quotes = ["宁波梅山港、温州港", "还有上海港"]
    assert answer_in_quotes(quotes, [], ["温州港", "上海港"])  # each in some quote
    assert not answer_in_quotes(quotes, [], ["温州港", "天津港"])
    assert not answer_in_quotes([], ["x"])  # no quote
    assert not answer_in_quotes(["  "], [])  # only whitespace is no quote


# --- answer_length, scored_span --------------------------------------------------------------


def test_answer_length_drops_markers_and_whitespace():
    # 村集体经济收入达 (8) + 251 (3) + 万元 (2) + 。(1) = 14; "[1]" and the spaces do not count
    assert answer_length("村集体经济收入达 251 万元。[1]") == 14
    # two cited sentences: 甲。(2) + 乙。(2) = 4
    assert answer_length("甲。[1]乙。[2]") == 4
    assert answer_length("") == 0


def test_scored_span():
    assert scored_span(True, "约40万人次", ["该村接待游客约40万人次。"]) == "约40万人次"
    # no short answer scores 0 (issue #9): the cited sentence is not scored in its place
    assert scored_span(True, None, ["该村接待游客约40万人次。", "x"]) == ""
    assert scored_span(True, "  ", ["句子。"]) == ""  # a blank short answer is no short answer
    assert scored_span(False, "约40万人次", ["x"]) == ""  # a refusal scores the empty string
    assert scored_span(True, None, []) == ""


# --- Chinese edge cases of EM / F1 -----------------------------------------------------------


def test_unify_span():
    assert unify_span("２５１万元") == "251万元"  # full-width digits
    assert unify_span("８．７％") == "8.7%"  # full-width point and percent
    assert unify_span("1 000 万元") == "1000 万元"  # spaces inside a number go, the one before 万 stays
    assert unify_span("2 0 2 4 年") == "2024 年"  # letter-spaced digits from a printed page
    assert unify_span("") == ""


def test_full_width_digits():
    # official convention (no NFKC): "２５１万元" != "251万元"
    assert exact_match("２５１万元", ["251万元"]) == 0.0
    # ours: NFKC first -> identical -> EM 1, F1 1
    assert short_answer_scores("２５１万元", ["251万元"]) == (1.0, 1.0)
    # the substring check normalises too
    assert is_correct("收入达２５１万元", ["251万元"])


def test_full_width_percent():
    # official: pred 8.7|％ (2 tokens), gold 增|长|8.7|% (4); only "8.7" is common -> lcs 1
    # P = 1/2, R = 1/4, F1 = 2 * 1/8 / (3/4) = 1/3
    assert char_f1("8.7％", ["增长8.7%"]) == pytest.approx(1 / 3)
    # ours: pred 8.7|% -> lcs 2, P = 1, R = 1/2, F1 = 1 / 1.5 = 2/3; EM 0 (增长 missing)
    em, f1 = short_answer_scores("8.7％", ["增长8.7%"])
    assert em == 0.0 and f1 == pytest.approx(2 / 3)
    assert short_answer_scores("8.7％", ["8.7%"]) == (1.0, 1.0)


def test_spaces_inside_numbers():
    # official EM drops all whitespace, so EM = 1 already; official F1 splits "1 000" into 1|000:
    # pred 1|000|万|元 (4) vs gold 1000|万|元 (3): lcs "万元" = 2, P = 2/4, R = 2/3,
    # F1 = 2 * (1/3) / (7/6) = 4/7
    assert exact_match("1 000 万元", ["1000万元"]) == 1.0
    assert char_f1("1 000 万元", ["1000万元"]) == pytest.approx(4 / 7)
    # ours: "1000 万元" -> 1000|万|元 -> identical tokens
    assert short_answer_scores("1 000 万元", ["1000万元"]) == (1.0, 1.0)
    # a space between number and unit never mattered: 251|万|元 either way
    assert short_answer_scores("251 万元", ["251万元"]) == (1.0, 1.0)


def test_short_answer_scores_max_over_golds():
    # gold 1 "40万人次": pred 约|40|万|人|次 (5) vs 40|万|人|次 (4): lcs 4, P = 4/5, R = 1, F1 = 8/9
    # gold 2 "约40万": 约|40|万 (3): lcs 3, P = 3/5, R = 1, F1 = 2*(3/5)/(8/5) = 3/4
    em, f1 = short_answer_scores("约40万人次", ["40万人次", "约40万"])
    assert em == 0.0 and f1 == pytest.approx(8 / 9)
    assert short_answer_scores("约40万", ["40万人次", "约40万"])[0] == 1.0
    assert short_answer_scores("", ["40万人次"]) == (0.0, 0.0)


# --- covered_share ---------------------------------------------------------------------------


def test_covered_share():
    assert covered_share("村集体经济收入达251万元。", ["251万元"]) == 1.0  # contained
    # longest common substring "251万" = 4 of "251万元" = 5 -> 0.8
    assert covered_share("村集体经济收入达251万", ["251万元"]) == pytest.approx(0.8)
    # "玩家以水枪" (5) of "玩家以水枪泡封敌人" (9); the other gold shares only "玩" (1 of 2)
    assert covered_share("玩家以水枪", ["玩家以水枪泡封敌人", "玩具"]) == pytest.approx(5 / 9)
    assert covered_share("约 ２５１ 万元", ["251万元"]) == 1.0  # normalised like is_correct
    assert covered_share("", ["251万元"]) == 0.0
    assert covered_share("251万元", []) == 0.0


# --- failure_reason --------------------------------------------------------------------------


def test_failure_reason_each_label():
    base = dict(correct=False, unanswerable=False, refused=False, answer_in_context=False)
    assert failure_reason(**{**base, "correct": True}) is None
    assert failure_reason(**base, error="The question is empty.") == "error"
    assert failure_reason(**{**base, "unanswerable": True}) == "answered_unanswerable"
    assert failure_reason(**{**base, "refused": True, "answer_in_context": True}) == "refused_answer_in_context"
    assert failure_reason(**{**base, "refused": True}) == "refused_answer_not_in_context"
    assert failure_reason(**base, covered=0.5) == "partial_answer"  # 0.5 counts
    assert failure_reason(**{**base, "answer_in_context": True}, covered=0.49) == "wrong_sentence"
    assert failure_reason(**base, covered=0.2) == "answer_not_in_context"


def test_failure_reason_precedence():
    # an error wins over everything; a partial answer wins over the context split
    assert failure_reason(correct=False, unanswerable=True, refused=True, answer_in_context=True,
                          error="boom") == "error"
    assert failure_reason(correct=False, unanswerable=False, refused=False, answer_in_context=True,
                          covered=0.8) == "partial_answer"
    # every label the function returns is explained for the report
    labels = {"error", "answered_unanswerable", "refused_answer_in_context", "refused_answer_not_in_context",
              "partial_answer", "wrong_sentence", "answer_not_in_context", "stale_answer"}
    assert labels == set(FAILURE_REASONS)
