import pytest

from dedup import Detector, find_redundancy

ARTICLE = """Storm closes schools across the northern region

Heavy snow fell overnight. A fierce storm has closed schools across the whole northern region on Monday, officials said, and buses will not run until the roads are cleared. Parents were told to keep children at home.

The city council approved a new budget for public libraries, adding two branches in the east.

Local farmers expect a late harvest after a cold and wet spring, the growers' association said.

The mayor said the snowstorm had shut schools throughout the northern region and that bus services were suspended until the roads were cleared.
"""


def test_short_title_contained_in_a_long_paragraph_is_found():
    report = find_redundancy(ARTICLE)
    match = next(m for m in report.matches if (m.a, m.b) == (0, 1))
    assert match.containment > 0.6 > match.jaccard
    assert match.sentences[0].a.startswith("Storm closes schools")
    assert "closed schools" in match.sentences[0].b


def test_reworded_restatement_is_grouped_and_unrelated_paragraphs_are_not():
    # Paragraph 4 restates 1 in other words ("shut", "snowstorm", "bus
    # services were suspended"); the TF-IDF rules reach it, the learned
    # default does not (a known miss, see README), and neither groups the
    # unrelated 2 and 3.
    for detector, restated in ((Detector(), {0, 1}), (Detector(confirm="tfidf"), {0, 1, 4})):
        grouped = {p for g in detector.detect(ARTICLE).groups for p in g.paragraphs}
        assert grouped == restated


def test_detector_is_reusable_and_reports_its_parameters():
    detector = Detector(num_perm=64, sentence_threshold=0.35)
    first = detector.detect(ARTICLE, "a")
    second = detector.detect(ARTICLE, "b")
    assert [(m.a, m.b) for m in first.matches] == [(m.a, m.b) for m in second.matches]
    assert second.id == "b"
    params = detector.params()
    assert params["num_perm"] == 64 and params["sentence_threshold"] == 0.35
    assert params["bands"] * params["rows"] <= 64


def test_results_are_deterministic_across_detectors():
    a = find_redundancy(ARTICLE)
    b = find_redundancy(ARTICLE)
    assert a.matches == b.matches and a.groups == b.groups


@pytest.mark.parametrize("kwargs", [dict(threshold=0), dict(sentence_threshold=2), dict(k=0),
                                    dict(num_perm=0), dict(lsh_threshold=0), dict(min_sentence_words=0),
                                    dict(min_shared_words=-1)])
def test_invalid_parameters_are_refused_in_init(kwargs):
    with pytest.raises(ValueError):
        Detector(**kwargs)


def test_text_without_restatements():
    report = find_redundancy("Cats sleep a lot.\n\nThe stock market rose on Friday.\n\nRain is expected.")
    assert report.matches == [] and report.groups == [] and len(report.paragraphs) == 3


@pytest.mark.parametrize("text", ["", "   \n\n  ", "!!! ... ???", "a\n\nb"])
def test_degenerate_texts_give_empty_reports(text):
    report = find_redundancy(text)
    assert report.matches == [] and report.groups == []


def test_verbatim_repeat_is_always_found():
    text = "Intro line here.\n\nThe central bank raised interest rates by half a point to fight inflation.\n\nOther news.\n\nThe central bank raised interest rates by half a point to fight inflation."
    report = find_redundancy(text)
    match = next(m for m in report.matches if (m.a, m.b) == (1, 3))
    assert match.jaccard == 1.0 and match.cosine == pytest.approx(1.0)
    assert report.groups[0].paragraphs == (1, 3)
