"""The reader in the answer path, with a scripted stand-in reader (the real one is tested in
tests/test_reader_e2e.py): threshold, widening, labelled facts, short answers inside the quote."""
import numpy as np
import pytest

from rag.answer.ambiguity import labelled_facts, singled_out_fact
from rag.answer.answerer import AnswerPolicy
from rag.models.reader_common import Span, best_spans
from rag.types import Document
from rag.answer.widen import widen

DOCS = [
    Document("qs", "青石村发展乡村旅游\n2024年，青石村接待游客约12万人次，村集体经济收入达86万元，村民人均收入约4万元。"
                   "村党支部书记王建国表示，明年将继续发展民宿产业。", "青石村发展乡村旅游", None, "qs.txt"),
    Document("hy", "河源镇工业\n河源镇规上工业产值连续18个月保持两位数增长。镇里部署了六个方面重点工作：招商、治水、修路、"
                   "助农、办学、养老。", "河源镇工业", None, "hy.txt"),
]


class ScriptedReader:
    """Marks `answer` (its first `cut` characters) in any text holding it, with probability `score`."""

    def __init__(self, answer: str, score: float, cut: int | None = None):
        self.answer, self.score, self.cut = answer, score, cut
        self.calls = []

    def read(self, question, texts):
        self.calls.append((question, list(texts)))
        out = []
        for i, t in enumerate(texts):
            j = t.find(self.answer)
            end = j + (self.cut or len(self.answer))
            out.append(Span(i, j, end, self.score, 0.01) if j >= 0 else None)
        return out


@pytest.fixture
def make_pipe(fake_settings):
    from rag.index import store
    from rag.index.fresh import build_index
    from rag.models.embed import HashingEmbedder
    from rag.pipeline import Pipeline

    def make(reader, docs=DOCS):
        emb = HashingEmbedder()
        idx, _, _ = build_index(docs, emb, fake_settings)
        store.save(idx, fake_settings.index_dir)
        return Pipeline(fake_settings, emb, reader=reader)

    return make


def quote_of(ans):
    return ans.citations[0].quote


def test_confident_reader_span_is_the_short_answer_inside_the_quote(make_pipe):
    pipe = make_pipe(ScriptedReader("王建国", 0.9))
    ans = pipe.ask("青石村党支部书记是谁？")
    assert ans.short_answer == "王建国" and ans.short_answer in quote_of(ans)
    assert ans.short_answer_score == pytest.approx(0.9)
    assert ans.to_dict()["short_answer_score"] == pytest.approx(0.9)


def test_below_the_threshold_no_short_answer_is_shown(make_pipe):
    low = AnswerPolicy().agree_threshold - 0.05
    pipe = make_pipe(ScriptedReader("王建国", low))
    ans = pipe.ask("青石村党支部书记是谁？")
    assert ans.answerable and ans.short_answer is None and ans.short_answer_score is None
    assert "王建国" in quote_of(ans)  # the sentence stands alone
    assert ans.reader_guess[:2] == ("王建国", pytest.approx(low))  # kept for the eval curve


def test_between_thresholds_only_a_span_the_rules_agree_with_is_shown(make_pipe):
    pol = AnswerPolicy()
    mid = (pol.agree_threshold + pol.reader_threshold) / 2
    agreed = make_pipe(ScriptedReader("王建国", mid)).ask("青石村党支部书记是谁？")
    assert agreed.short_answer == "王建国" and agreed.reader_guess[2] is True
    alone = make_pipe(ScriptedReader("民宿产业", mid)).ask("青石村党支部书记是谁？")
    assert alone.short_answer is None and alone.reader_guess[2] is False


def test_a_span_the_rules_contradict_needs_a_surer_reader(make_pipe):
    # "哪一年建镇": the rules mark 1958年; a reader marking 2018年 is shown only above differ_threshold
    docs = [Document("qh", "青禾镇镇史\n青禾镇于1958年建镇，2018年举行建镇六十周年庆典。", "青禾镇镇史", None, "qh.txt")]
    pol = AnswerPolicy()
    q = "青禾镇是哪一年建镇的？"
    between = (pol.reader_threshold + pol.differ_threshold) / 2
    doubted = make_pipe(ScriptedReader("2018年", between), docs).ask(q)
    assert doubted.short_answer is None and doubted.reader_guess[:2] == ("2018年", pytest.approx(between))
    assert make_pipe(ScriptedReader("2018年", pol.differ_threshold + 0.05), docs).ask(q).short_answer == "2018年"
    assert make_pipe(ScriptedReader("1958年", between), docs).ask(q).short_answer == "1958年"


def test_a_when_answered_without_any_time_is_not_shown(make_pipe):
    ans = make_pipe(ScriptedReader("民宿产业", 0.95)).ask("青石村什么时候发展民宿产业？")
    assert ans.short_answer is None and ans.reader_guess[0] == "民宿产业"


def test_a_cut_unit_is_widened_back(make_pipe):
    # the reader marks "18个" of "18个月": the short answer keeps its unit
    pipe = make_pipe(ScriptedReader("18个月", 0.9, cut=3))
    ans = pipe.ask("河源镇规上工业产值连续多少个月保持两位数增长？")
    assert ans.short_answer == "18个月"


def test_a_confident_answer_cites_its_sentence_alone(make_pipe):
    pipe = make_pipe(ScriptedReader("约12万人次", 0.9))
    ans = pipe.ask("青石村2024年接待了多少游客？")
    assert ans.short_answer == "约12万人次"
    assert quote_of(ans).endswith("。") and "王建国" not in ans.answer


def test_a_question_fitting_two_facts_names_both_with_labels(make_pipe):
    pipe = make_pipe(ScriptedReader("约4万元", 0.9))
    ans = pipe.ask("青石村2024年收入多少？")
    assert ans.short_answer == "村集体经济收入达86万元；村民人均收入约4万元"
    assert all(part in quote_of(ans) for part in ans.short_answer.split("；"))
    one = pipe.ask("青石村2024年村民人均收入多少？")
    assert one.short_answer == "约4万元"


class FirstFoundReader(ScriptedReader):
    """Marks the first of `answers` that occurs in each text."""

    def __init__(self, answers, score):
        super().__init__(answers[0], score)
        self.answers = answers

    def read(self, question, texts):
        self.calls.append((question, list(texts)))
        out = []
        for i, t in enumerate(texts):
            hit = next(((t.find(a), a) for a in self.answers if a in t), None)
            out.append(Span(i, hit[0], hit[0] + len(hit[1]), self.score, 0.01) if hit else None)
        return out


LISTED = [Document("gy", "某市经济\n预计全年地区生产总值增长6%、规上工业增加值增长8.7%、外贸出口额增长19%，"
                         "固定资产投资连续40个月保持两位数增长。", "某市经济", None, "gy.txt")]


def test_in_a_list_of_facts_the_one_the_question_names_is_read_again(make_pipe):
    reader = FirstFoundReader(["6%", "8.7%"], 0.9)
    ans = make_pipe(reader, LISTED).ask("某市规上工业增加值预计增长多少？")
    assert ans.short_answer == "8.7%" and ans.short_answer in quote_of(ans)
    assert reader.calls[-1][1] == ["规上工业增加值增长8.7%"]  # the singled-out clause alone


def test_a_list_fact_the_reader_cannot_find_again_is_not_shown(make_pipe):
    ans = make_pipe(ScriptedReader("6%", 0.9), LISTED).ask("某市规上工业增加值预计增长多少？")
    assert ans.answerable and ans.short_answer is None


def test_a_reader_span_on_the_named_fact_counts_as_agreement(make_pipe):
    pol = AnswerPolicy()
    mid = (pol.agree_threshold + pol.reader_threshold) / 2
    ans = make_pipe(ScriptedReader("19%", mid), LISTED).ask("某市外贸出口额预计增长百分之几？")
    assert ans.short_answer == "19%" and ans.reader_guess[2] is True


def test_reader_sees_the_question_and_a_few_sentences(make_pipe):
    reader = ScriptedReader("王建国", 0.9)
    make_pipe(reader).ask("青石村党支部书记是谁？")
    question, texts = reader.calls[0]
    assert question == "青石村党支部书记是谁？"
    assert 1 <= len(texts) <= AnswerPolicy().read_top and any("王建国" in t for t in texts)


# --- widening -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, marked, expected", [
    ("固定资产投资连续40个月保持两位数增长", "40个", "40个月"),
    ("固定资产投资连续40个月保持两位数增长", "40", "40个月"),
    ("部署了八个方面重点工作：持续抢抓政策机遇", "八个", "八个方面"),
    ("全年接待游客约40万人次，同比增长", "40万", "约40万人次"),  # the hedge is part of the fact
    ("村集体经济收入达251万元。", "251", "251万元"),
    ("外贸出口额增长19%，固定资产", "19", "19%"),
    ("会议于2024年1月5日在杭州召开", "2024年1月", "2024年1月5日"),
    ("他主演了《长安十二时辰》等剧", "长安十二时辰", "《长安十二时辰》"),
    ("他主演了《长安十二时辰》等剧", "《长安十二", "《长安十二时辰》"),
    ("书记陈建伟干劲倍增", "建伟", "陈建伟"),
    ("答案是，王建国。", "，王建国。", "王建国"),
])
def test_widen_to_the_whole_unit(text, marked, expected):
    s = text.index(marked)
    a, b = widen(text, s, s + len(marked))
    assert text[a:b] == expected


@pytest.mark.parametrize("text, marked, question, expected", [
    ("春天集团董事长吕新印说，企业更有信心", "吕新印说", "春天集团董事长是谁？", "吕新印"),
    ("该村党支部书记陈建伟干劲倍增：", "陈建伟干劲倍增", "该村党支部书记是谁？", "陈建伟"),
    ("其妻姚里氏统治辽东", "姚里氏统治", "谁统治辽东？", "姚里氏"),
    ("贝尔·默里饰演市长", "贝尔·默里", "谁饰演市长？", "贝尔·默里"),
    ("本鱼分布于西太平洋区，包括菲律宾", "于西太平洋区", "分布在哪里？", "西太平洋区"),
    ("首先由莫瓦桑于1905年制成", "由莫瓦桑于", "首先被谁制成？", "莫瓦桑"),
    ("在线课程超过1800个，", "1800个", "有多少课程？", "超过1800个"),
    ("约有1000人左右参加", "1000人", "多少人参加？", "1000人左右"),
    ("工期约3年，", "3年", "工期多长？", "约3年"),
    ("村集体经济收入达251万元，", "251万元", "收入多少？", "251万元"),
])
def test_a_span_is_cut_to_its_unit_and_keeps_its_hedge(text, marked, question, expected):
    s = text.index(marked)
    a, b = widen(text, s, s + len(marked), question)
    assert text[a:b] == expected


def test_only_a_who_question_cuts_the_words_after_a_name():
    text = "该村党支部书记陈建伟干劲倍增："
    s = text.index("陈建伟")
    assert text[slice(*widen(text, s, s + 7, "书记的状态怎样？"))] == "陈建伟干劲倍增"


def test_a_year_question_keeps_the_year_and_a_number_is_not_glued_to_the_next_word():
    text = "1835年11月29日，她出生。另辟22条跨县市快速公车"
    assert text[slice(*widen(text, 0, 5, "她出生于哪一年？"))] == "1835年"
    assert text[slice(*widen(text, 0, 5, "她出生于何时？"))] == "1835年11月29日"
    s = text.index("22")
    assert text[slice(*widen(text, s, s + 3))] == "22条"


def test_widen_never_crosses_a_sentence_mark():
    text = "收入达86万。明年再议"
    a, b = widen(text, 3, 5)
    assert "。" not in text[a:b] and text[a:b].startswith("86")


# --- labelled facts -------------------------------------------------------------------------

SENT = "2024年，该村接待游客约40万人次，村集体经济收入达251万元，村民人均收入约5万元。"


def test_two_amounts_of_the_asked_kind_are_both_named():
    facts = labelled_facts("某村2024年收入多少", SENT, "number")
    assert [SENT[s:e] for s, e in facts] == ["村集体经济收入达251万元", "村民人均收入约5万元"]


@pytest.mark.parametrize("question", ["某村2024年村民人均收入多少", "某村接待了多少游客", "某村集体经济收入多少"])
def test_a_question_that_singles_out_one_fact_is_not_ambiguous(question):
    assert labelled_facts(question, SENT, "number") == []


def test_a_question_naming_one_label_singles_out_its_fact():
    text = "预计全年地区生产总值增长6%、规上工业增加值增长8.7%、外贸出口额增长19%，固定资产投资连续40个月保持两位数增长"
    for question, value in [("规上工业增加值增长多少", "8.7%"), ("外贸出口额增长百分之几", "19%")]:
        lo, s, e = singled_out_fact(question, text, "number")
        assert text[s:e] == value and text[lo:s].endswith("增长")
    assert singled_out_fact("今年增长多少", text, "number") is None  # no label wins: a tie
    assert singled_out_fact("某村2024年收入多少", SENT, "number") is None  # the ambiguous case
    assert singled_out_fact("规上工业增加值增长多少", text, "person") is None


def test_other_kinds_of_question_are_never_split():
    assert labelled_facts("某村2024年收入多少", SENT, "person") == []


# --- span probabilities ---------------------------------------------------------------------

def test_best_span_probabilities_and_null():
    # tokens: <s>, q, </s>, c1, c2, c3 ; context = c1..c3 with char offsets
    start = np.array([[0.0, -9, -9, 5.0, 0.0, 0.0]])
    end = np.array([[0.0, -9, -9, 0.0, 5.0, 0.0]])
    offsets = np.array([[[0, 0], [0, 0], [0, 0], [0, 2], [2, 4], [4, 6]]])
    context = [[False, False, False, True, True, True]]
    (s, e, p, null), = best_spans(start, end, offsets, context)
    assert (s, e) == (0, 4)
    z = np.exp(5.0) + 3  # softmax over <s> and the three context tokens
    assert p == pytest.approx((np.exp(5.0) / z) ** 2) and null == pytest.approx((1 / z) ** 2)


def test_best_span_never_ends_before_it_starts():
    start = np.array([[0.0, 0.0, 9.0]])
    end = np.array([[0.0, 9.0, 0.0]])
    offsets = np.array([[[0, 0], [0, 1], [1, 2]]])
    (s, e, p, _), = best_spans(start, end, offsets, [[False, True, True]])
    assert s < e


# --- clauses --------------------------------------------------------------------------------

def test_a_mark_inside_quotation_marks_does_not_split_a_clause():
    from rag.answer.cut import clauses as _clauses

    text = "全会提出的“以新时代为牵引，着力缩小差距”让书记王建国干劲倍增：“相信今后会更好，让村民满意。”"
    parts = [text[s:e] for s, e in _clauses(text, 0, len(text))]
    assert parts == ["全会提出的“以新时代为牵引，着力缩小差距”让书记王建国干劲倍增：", "“相信今后会更好，让村民满意。”"]


def test_unpaired_quotation_marks_split_at_every_mark():
    from rag.answer.cut import clauses as _clauses

    text = "他说：“今年收入增长，明年"  # the quotation was cut by a page break
    assert [text[s:e] for s, e in _clauses(text, 0, len(text))] == ["他说：", "“今年收入增长，", "明年"]


def test_reading_the_sentence_before_puts_a_span_found_there_into_the_quote(make_pipe):
    from rag.answer.answerer import Answerer

    reader = ScriptedReader("约12万人次", 0.9)
    pipe = make_pipe(reader)
    question = "王建国表示明年将继续发展什么产业？"
    qv = pipe.embedder.embed_queries([question])
    hits = pipe.search_batch([question], query_vectors=qv)[0]
    ans = Answerer(pipe.index, pipe.embedder, AnswerPolicy(read_before=True), reader=reader).answer(question, hits, qv[0])
    assert any("王建国" in t and "约12万人次" in t for _, texts in reader.calls for t in texts)  # read together
    assert ans.short_answer == "约12万人次" and ans.short_answer in "".join(c.quote for c in ans.citations)
    plain = Answerer(pipe.index, pipe.embedder, AnswerPolicy(read_before=False), reader=ScriptedReader("约12万人次", 0.9))
    assert plain.answer(question, hits, qv[0]).short_answer is None  # the chosen sentence alone does not hold it


def test_a_date_takes_no_hedge_from_the_next_words():
    text = "2024年以上项目全部完工"
    assert text[slice(*widen(text, 0, 5, "哪一年完工？"))] == "2024年"


def test_an_english_question_reaches_the_reader_with_its_chinese_keywords(make_pipe):
    reader = ScriptedReader("约12万人次", 0.9)
    ans = make_pipe(reader).ask("How many tourist visits did Qingshi village receive in 2024?")
    assert reader.calls, "the reader was not asked"
    question = reader.calls[0][0]
    assert "How many tourist visits" in question and "游客" in question  # the dictionary's words come along
    assert ans.short_answer == "约12万人次"
