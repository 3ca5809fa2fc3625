"""AnswerPolicy: every weight, threshold and window size of the extractive answerer, in one place.

Where a number came from is said beside it: a commit (`git show <hash>`) or a section of
eval/README.md. "Hand-set" means it was chosen while writing the rule, checked on the seed page
(eval/seed_qa.jsonl, our development set) and CMRC trial, and no sweep of it is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerPolicy:
    """Weights and thresholds of the extractive answerer (tuned on dev data, see eval/README.md)."""

    # -- candidates: which sentences are looked at
    sentences_from: int = 5  # top hits whose sentences are considered (hand-set, 1c6b183: the first answerer)
    min_sentence_chars: int = 6  # a shorter sentence cannot answer (hand-set, 69ea80f)
    further_from: int = 5  # hits after those, read when they go on with a dated article already read among
    # versions of two dates or more (candidates.continued; eval/temporal dev3 / dev4: a figure ranked 6th)
    newer_from: int = 25  # hits after the top ones looked through for an article newer than all of them
    # (candidates.continued; eval/temporal dev16: a zone's newest bulletin ranked 11th, under older reports)
    embed_sentences_from: int = 3  # non-Chinese questions: sentences of this many top hits are embedded (a6612ea)

    # -- scoring: how well a sentence answers
    w_lexical: float = 0.55  # (hand-set, 1c6b183)
    w_context: float = 0.15  # (hand-set, 1c6b183)
    w_dense: float = 0.45  # (hand-set, 1c6b183)
    w_rank: float = 0.10  # (hand-set, 1c6b183)
    w_type: float = 0.10  # (hand-set, 1c6b183)
    w_cue: float = 0.10  # a why / what-for / how-named question and a sentence that gives a cause, aim or origin
    # (0911e62: CMRC 85.0% of 1,002 with it)
    w_topic: float = 0.2  # the question names the article's topic (its short title) (hand-set, 61e1792)
    w_focus: float = 0.2  # share of the question's words beside its question word (材料 of 哪些材料) in the
    # sentence (focus.py; hand-set on eval/temporal dev3/dev4, val and holdout not tuned on)
    w_procedure: float = 0.2  # a procedure question (哪些材料, 去哪里办, 多久, 还需要…吗) and a sentence with the
    # words that answer it (材料/身份证, 窗口/大厅, 工作日/时限, 无需/不再) (focus.py; as w_focus)
    w_numbers: float = 0.15  # score and context less when a figure the question states (not a year) is not near the
    # sentence, more when it lies in a band the sentence states (老人85岁, 80至89周岁) (as w_focus)
    w_topicless: float = 0.5  # a question not in Chinese: a passage with no word of what it asks about (GDP,
    # 生产总值), when another has one (scoring._topic_first; hand-set on eval/temporal dev5-dev7)
    w_value: float = 0.2  # a question not in Chinese for a figure (GDP) and a sentence that gives its value
    # (产值87.4亿元), not its growth (产值增长5.5%) (scoring.states_value; as w_topicless)
    w_address: float = 0.3  # a question where a place is (在哪儿, 在什么地方) and a sentence with a street address
    # (新街86号), over one that only names the place (eval/temporal dev27/dev28 round; hand-set)
    w_headline: float = 0.15  # a headline less, when its article's body holds a figure or date asked for (as above)
    w_chars: float = 0.2  # share of single-character overlap in the lexical score (hand-set, cf25e8d)
    w_lead_in: float = 0.5  # share of the lexical score from the sentence read with its lead-in (hand-set, eb6a28f)
    w_bigrams: float = 0.5  # share of bigram (vs. token) coverage in a coverage score (hand-set, 1c6b183)
    dense_floor: float = 0.70  # a sentence's cosine counts 0 in its score at this, 1 at dense_floor + dense_span
    dense_span: float = 0.20  # (hand-set, 1c6b183)
    context_before: int = 2  # sentences before and ... (hand-set, a6612ea)
    context_after: int = 1  # ... after a sentence that make its context (where a subject or year is named)
    lead_in_sentences: int = 2  # sentences before it in its paragraph that count for its words (eb6a28f)
    topic_title_chars: int = 12  # titles this short name the topic rather than summarise (hand-set, 69ea80f)

    # -- support: the checks the chosen sentence must pass
    min_coverage: float = 0.30  # idf-weighted share of question terms found near the answer (hand-set, 1c6b183)
    min_coverage_typed: float = 0.20  # ... when the sentence also holds the kind of thing asked for (a6612ea)
    min_dense: float = 0.80  # non-Chinese questions: sentence cosine needed when dictionary words do not match
    # (hand-set, 1c6b183)
    supported_from: int = 5  # the answer is the best of this many top sentences that passes the checks (46af9b0;
    # 3 -> 5 when the checks grew stricter: a headline and two sentences without hours could hide the one with them)
    subject_chars: int = 20  # a name this early in an article (after its title) is what it is about (61e1792)
    subject_mentions: int = 3  # a name said this often in an article may stand away from the answer (eb6a28f)
    year_lookback: int = 99  # "同年" looks back this many sentences of the paragraph: in effect all (726af97)

    # -- time (timeline.py): versions of one fact at different times
    list_margin: float = 0.3  # a sentence listing the things asked (哪几个县) leads over a better one listing fewer,
    # within this much of its score (enumeration.listed_first; hand-set on eval/news_dev)
    measure_margin: float = 0.15  # a sentence in the measure asked (多少份) leads over a better one in none, within this
    # much of its score (focus.measured_first; hand-set on eval/temporal dev4)
    rare_share: float = 0.1  # a place named in fewer of the archive's passages is another place's news, not its own
    # (answerer.rare, places.elsewhere; hand-set on eval/temporal dev5 / dev6)
    rare_from: int = 50  # passages an archive needs for that count to tell; fewer: the retrieved articles tell
    time_window: int = 8  # the best sentences looked at for versions of the answer (hand-set, eval/temporal dev)
    version_cover: float = 0.8  # a version holds at least this share of the best coverage of the question among them
    clock_cover: float = 0.75  # of that floor, for a question of the hours of the day: a version must give hours (hand-set, dev13)
    # (hand-set on eval/temporal/dev.jsonl; the val split is not tuned on)

    # -- joining: when a second sentence joins the answer
    short_sentence: int = 18  # a best sentence shorter than this gets its neighbour added (hand-set, 1c6b183)
    runner_ups: int = 3  # an adjacent sentence among this many next-best joins the answer ... (46af9b0)
    partner_gap: float = 0.2  # ... when it scores within this of the best (61e1792)
    max_answer_chars: int = 140  # a longer sentence is cut to its answering clauses (hand-set, 69ea80f)
    latin_chars: float = 2.5  # an English sentence's characters per Chinese one, for the cut's limits (hand-set)
    lead_clauses: int = 2  # a cut keeps up to this many clauses before the short answer's own (69ea80f)

    # -- the reader (eval/README.md, "The span reader")
    read_top: int = 4  # the reader reads this many best-scoring sentences (cc712fa; only with w_reader > 0)
    w_reader: float = 0.0  # weight of the reader's span probability in a sentence's score (0.3 and 0.6 measured
    # and rejected: CMRC -5.4 points at 0.6, eval/README "Measured and rejected")
    reader_threshold: float = 0.6  # a short answer is shown only when the reader is this sure
    # (chosen on the held-out DRCD split, open-domain: eval/tune_reader.py, eval/README "Figures")
    agree_threshold: float = 0.3  # ... or this sure when the rule-based span marks the same words (f544c8c, as above)
    list_threshold: float = 0.25  # a question asking for several things: the whole list the reader's span lies in
    # is shown at this probability (hand-set on eval/enum/dev.jsonl; val not tuned on)
    list_for_what: bool = True  # a plain "what" question whose span is one item of a list gets the whole list
    # (CMRC trial and eval/enum/dev.jsonl; see eval/README "Short answers")
    agree_overlap: float = 0.5  # spans "mark the same words" when they share this much of the shorter (f544c8c)
    rule_fallback: bool = False  # below the threshold, fall back to the rule-based short answer (cc712fa)
    join_when_read: bool = True  # unless the reader is sure, a high-scoring neighbour sentence joins (ee63625)
    # (never joining cost 2.5-4 points on DRCD and CMRC, eval/README "Measured and rejected")
    type_check: bool = True  # the reader's span must fit the asked kind (a date or time word for 何时, a figure for 多少;
    # rag/answer/fits.py) to be shown (CMRC trial dev/val split: eval/README "Short answers")
    differ_threshold: float = 0.7  # the reader must be this sure when the rules mark another span of the asked
    # kind in the sentence (chosen on the CMRC trial's even contexts, held on the odd: eval/README "Short answers")
    sure_answer_chars: int = 60  # with a confident short answer, a longer sentence is cut to its clauses (ee63625)
    read_before: bool = True  # unsure of the chosen sentence, the reader reads it again after the one before
    # (held-out DRCD split: eval/README "Measured and rejected", reading it always vs. only when unsure)
