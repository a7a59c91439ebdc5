from dedup.confirm.spans import Words, shared_spans


def test_longest_shared_run_first_with_offsets():
    a = "Trump expressed trust in Putin's desire for peace, aides said."
    b = "In which he expressed trust in Putin's desire for peace and more."
    span = shared_spans(a, b)[0]
    assert a[span.a_start:span.a_end] == "expressed trust in Putin's desire for peace"
    assert b[span.b_start:span.b_end] == "expressed trust in Putin's desire for peace"
    assert span.content_words == 5 and span.words == 8


def test_runs_of_stop_words_only_are_not_spans():
    assert shared_spans("it is in the of the", "it is in the of the") == []


def test_runs_do_not_cross_sentence_ends():
    a = "Putin refuses a peace deal with Ukraine. This stance worries Europe."
    b = "If Putin refuses a peace deal with Ukraine this stance worries Europe."
    joined = shared_spans(a, b)[0]
    assert joined.a_end > a.index(".")
    split = shared_spans(Words.of(a, [a.index(".") + 1, len(a)]), b)
    assert all(s.a_end <= a.index(".") or s.a_start > a.index(".") for s in split)
    assert a[split[0].a_start:split[0].a_end] == "Putin refuses a peace deal with Ukraine"
