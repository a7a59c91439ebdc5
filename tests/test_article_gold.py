"""The seed article against hand-made gold labels (data/vance_article.gold.json)."""

from dedup.article.evaluate import Gold, score
from dedup.text.words import light_stem, words

from .conftest import GOLD

MIN_PRECISION = 0.9
MIN_RECALL = 0.8


def _group_of(report, paragraph):
    return [set(g.paragraphs) for g in report.groups if paragraph in g.paragraphs]


def test_precision_and_recall_against_gold(article_report):
    scores = score(article_report, Gold.load(GOLD))
    print("\nvance_article:", scores.line())
    assert scores.precision >= MIN_PRECISION, scores.line()
    assert scores.recall_linked >= MIN_RECALL, scores.line()
    assert scores.precision_grouped >= MIN_PRECISION, scores.line()


def test_military_action_paragraphs_form_one_group(article_report):
    groups = _group_of(article_report, 0)
    assert any({0, 1, 2, 5, 8} <= g for g in groups), article_report.groups


def test_everything_on_the_table_paragraph_is_linked_to_the_group(article_report):
    # Paragraph 11 restates Vance's "everything is on the table" (and Hegseth's
    # ruling out troops) from paragraph 2, which is in the military group.
    pairs = {(m.a, m.b) for m in article_report.matches}
    assert (2, 11) in pairs


def test_unrelated_paragraphs_stay_out_of_the_military_group(article_report):
    military = [g for g in _group_of(article_report, 0) if {0, 1, 2} <= g]
    assert military
    for g in military:
        assert 10 not in g, "the Kaja Kallas paragraph is not a restatement"
        assert 6 not in g, "the interview about pre-2014 borders is not a restatement"


def test_repeated_title_is_reported_with_sentence_evidence(article_report, article_text):
    title = article_text.splitlines()[0].strip()
    match = next(m for m in article_report.matches if (m.a, m.b) == (0, 1))
    assert match.containment >= 0.9  # a MinHash estimate; the title is wholly inside paragraph 1
    assert any(s.a == title and s.b == title for s in match.sentences)


def test_other_restated_claims_are_reported(article_report):
    pairs = {(m.a, m.b) for m in article_report.matches}
    assert (2, 11) in pairs, "Hegseth ruled out American troops"
    assert (9, 12) in pairs, "Zelensky's united front and clear plan"
    assert (2, 4) in pairs, "Trump expressed trust in Putin's desire for peace"
    spans = {s.text for m in article_report.matches if (m.a, m.b) == (2, 4) for s in m.spans}
    assert "expressed trust in Putin's desire for peace" in spans


def test_every_match_carries_its_evidence(article_report):
    for m in article_report.matches:
        assert m.a < m.b
        assert 0.0 <= m.jaccard <= 1.0 and 0.0 <= m.containment <= 1.0 and 0.0 <= m.cosine <= 1.0
        assert m.sentences, m
        para_a, para_b = article_report.paragraphs[m.a], article_report.paragraphs[m.b]
        for s in m.sentences:
            assert s.a in para_a.text and s.b in para_b.text
        for span in m.spans:
            in_a = para_a.text[span.a[0]:span.a[1]]
            in_b = para_b.text[span.b[0]:span.b[1]]
            assert in_a == span.text
            assert [light_stem(w) for w in words(in_a)] == [light_stem(w) for w in words(in_b)]


def test_representative_is_first_occurrence(article_report):
    for g in article_report.groups:
        assert g.representative == min(g.paragraphs)
