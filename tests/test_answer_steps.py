"""The answerer's steps called one by one (rag/answer/: candidates, scoring, reading, support,
short, cut, compose), on made-up sentences; and what the whole sequence returns beside the text:
the decline reason and the short answer's parts."""
import pytest

from rag.answer import cut, reading, short, support
from rag.answer.candidates import Candidate, Surroundings, from_hits
from rag.answer.policy import AnswerPolicy
from rag.answer.scoring import Question, coverage
from rag.answer.span import question_type
from rag.types import Chunk, Document, Hit, ShortPart

SONGLING = Document("sl", "松岭村发展茶产业\n2023年，松岭村接待游客约9万人次，村集体经济收入达52万元，村民人均收入约3万元。"
                          "村党支部书记李晓东表示，明年将扩建茶园。", "松岭村发展茶产业", None, "sl.txt")


def question(text: str, terms: dict[str, float] | None = None) -> Question:
    return Question(text, text, True, question_type(text), text, terms or {}, frozenset())


def sentence(doc: Document, words: str) -> Candidate:
    """The candidate for the sentence of `doc` that holds `words`."""
    i = doc.text.index(words)
    s = max(doc.text.rfind(m, 0, i) for m in "。\n") + 1
    return Candidate(0, None, doc, s, doc.text.index("。", i) + 1)


@pytest.fixture
def pipe(fake_pipeline):
    from rag.index import store
    from rag.index.fresh import build_index

    idx, _, _ = build_index([SONGLING], fake_pipeline.embedder, fake_pipeline.settings)
    store.save(idx, fake_pipeline.settings.index_dir)
    return fake_pipeline


def test_candidates_skip_short_sentences_and_questions():
    doc = Document("d", "短句。松岭村的茶园有多大？松岭村共有茶园三千二百亩。", None, None, "d.txt")
    hit = Hit(Chunk("d", 0, 0, len(doc.text), doc.text), 1.0)
    got = [c.text for c in from_hits([hit], lambda _id: doc, AnswerPolicy())]
    assert got == ["松岭村共有茶园三千二百亩。"]
    assert [c.text for c in from_hits([hit], lambda _id: doc, AnswerPolicy(min_sentence_chars=2))] == \
        ["短句。", "松岭村共有茶园三千二百亩。"]


def test_coverage_weighs_terms_and_bigrams_by_the_policy():
    terms = {"茶园": 2.0, "面积": 1.0}
    bigrams = frozenset({"茶园", "面积"})
    half = AnswerPolicy(w_bigrams=0.5)
    assert coverage(terms, bigrams, "茶园很大", half) == pytest.approx(0.5 * 2 / 3 + 0.5 * 1 / 2)
    assert coverage(terms, bigrams, "茶园很大", AnswerPolicy(w_bigrams=0.0)) == pytest.approx(2 / 3)


def test_the_first_rejected_sentence_says_why_none_is_supported():
    q = question("松岭村2019年接待了多少游客？")
    best = sentence(SONGLING, "接待游客")
    chosen, reason = support.first_supported(q, [best], Surroundings(AnswerPolicy()), AnswerPolicy())
    assert chosen is None and reason == "number 2019 not near the answer"


def test_the_decline_reason_comes_back_on_the_answer(pipe):
    declined = pipe.ask("松岭村2019年接待了多少游客？")
    assert not declined.answerable and declined.decline_reason == "number 2019 not near the answer"
    assert declined.to_dict().keys() == pipe.ask("松岭村2023年接待了多少游客？").to_dict().keys()
    assert pipe.ask("松岭村2023年接待了多少游客？").decline_reason is None


def test_a_short_answer_has_one_part_where_it_stands_in_the_document(pipe):
    ans = pipe.ask("松岭村2023年接待了多少游客？")
    assert ans.answerable and ans.short_answer
    (part,) = ans.short_parts
    assert part.text == ans.short_answer and part.doc_id == "sl"
    assert SONGLING.text[part.start : part.end] == part.text


def test_labelled_facts_become_parts_each_with_its_label():
    q = question("松岭村2023年收入多少？")
    best = sentence(SONGLING, "收入")
    got = short.choose(q, best, None, [best], reading.Verdict(), False, AnswerPolicy())
    assert [p.text for p in got.parts] == ["村集体经济收入达52万元", "村民人均收入约3万元"]
    assert got.text == "；".join(p.text for p in got.parts) and got.score is None
    assert all(SONGLING.text[p.start : p.end] == p.text for p in got.parts)


def test_an_unsure_reader_shows_no_short_answer_but_the_cut_follows_its_guess():
    q = question("松岭村2023年接待了多少游客？")
    best = sentence(SONGLING, "接待游客")
    lo = SONGLING.text.index("约9万人次")
    v = reading.Verdict((lo, lo + 5), 0.2, False, False)
    got = short.choose(q, best, None, [best], v, True, AnswerPolicy())
    assert got == short.Short(None, (), None, [best])
    sure = short.choose(q, best, None, [best], reading.Verdict((lo, lo + 5), 0.9, False, True), True,
                        AnswerPolicy())
    assert sure.parts == (ShortPart("约9万人次", "sl", lo, lo + 5),) and sure.score == 0.9


@pytest.mark.parametrize("marked, probability, shown", [
    ("李晓东", 0.7, True),  # sure
    ("李晓东", 0.4, True),  # fairly sure, and the rules mark the same name
    ("李晓东", 0.2, False),  # too unsure even with the rules
    ("扩建茶园", 0.4, False),  # fairly sure of words the rules do not mark
])
def test_the_reader_is_shown_when_sure_or_fairly_sure_and_agreeing(marked, probability, shown):
    q = question("松岭村党支部书记是谁？")
    best = sentence(SONGLING, "李晓东")
    s = SONGLING.text.index(marked)
    best.read = (s, s + len(marked), probability)
    v = reading.verdict(None, q, best, AnswerPolicy())
    assert v.sure is shown and v.text(best) == marked and v.score == probability


def test_a_sure_span_over_a_colon_is_not_shown_and_the_sentences_stay():
    doc = Document("t", "柘湾古城保存了3座角楼：望潮楼、听松楼和观澜楼，均建于明代。", None, None, "t.txt")
    q = question("柘湾古城保存了几座角楼？")
    best = Candidate(0, None, doc, 0, len(doc.text))
    marked = "3座角楼：望潮楼"
    s = doc.text.index(marked)
    best.read = (s, s + len(marked), 0.95)
    v = reading.verdict(None, q, best, AnswerPolicy())
    assert v.sure and v.dropped and not v.shown
    assert short.join(best, None, [best], q, v, True, Surroundings(AnswerPolicy()), AnswerPolicy()) == [best]
    assert short.choose(q, best, None, [best], v, True, AnswerPolicy()).text is None


def test_a_long_sentence_is_cut_around_the_short_answer_within_the_limit():
    doc = Document("c", "松岭村今年修缮了祠堂，扩建了茶园，新修了停车场，开通了公交线路，全村接待游客约9万人次。", None, None, "c.txt")
    c = Candidate(0, None, doc, 0, len(doc.text))
    s = doc.text.index("约9万人次")
    got = cut.trim(c, (s, s + 5), {"游客": 1.0}, AnswerPolicy(max_answer_chars=20))
    assert "约9万人次" in got.text and len(got.text) <= 20 and got.end == c.end
    assert cut.trim(c, (s, s + 5), {}, AnswerPolicy()) is c  # short enough: left whole
