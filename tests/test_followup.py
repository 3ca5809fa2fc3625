from rag.retrieve.followup import looks_like_followup, rewrite


def test_elliptical_question_takes_topic_from_history():
    q = rewrite("那村集体经济收入呢？", ["大陈村2024年接待了多少游客？"])
    assert q is not None and "大陈村" in q and "收入" in q


def test_standalone_question_is_not_rewritten():
    assert rewrite("芝英镇党委书记是谁？", ["大陈村2024年接待了多少游客？"]) is None
    assert rewrite("那村集体经济收入呢？", []) is None


def test_followup_signals():
    assert looks_like_followup("那村民收入呢？")
    assert looks_like_followup("它的收入是多少")
    assert not looks_like_followup("永康市的经济增长是多少")
