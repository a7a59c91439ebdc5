"""PAN's text-alignment measures on hand-computed cases (dedup.reuse.measures)."""

import math

import pytest

from dedup.reuse.measures import Annotation, Counts, Scores, covered_share, detects, evaluate, pair_counts, plagdet


def a(susp: tuple[int, int], src: tuple[int, int]) -> Annotation:
    return Annotation(susp, src)


def test_perfect_detection_scores_one_everywhere():
    case = a((100, 200), (0, 100))
    s = evaluate({"p": [case]}, {"p": [a((100, 200), (0, 100))]})
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert (s.cases, s.detections) == (1, 1)


def test_half_length_detection_counts_the_characters_of_both_ranges():
    # Case: 200 characters in susp, 100 in src, 300 in all. Detection: the first 100 of susp and the
    # first 50 of src, all inside the case: recall (100 + 50) / 300 = 0.5, precision 150 / 150 = 1.
    case = a((100, 300), (0, 100))
    s = evaluate({"p": [case]}, {"p": [a((100, 200), (0, 50))]})
    assert s.precision == 1.0
    assert s.recall == 0.5
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 * 1 * 0.5 / 1.5)


def test_recall_is_not_the_suspicious_range_alone():
    # All of the case's susp range (200) but half its src range (50 of 100): (200 + 50) / 300.
    s = evaluate({"p": [a((0, 200), (0, 100))]}, {"p": [a((0, 200), (0, 50))]})
    assert s.recall == pytest.approx(5 / 6)
    assert s.precision == 1.0


def test_detection_larger_than_the_case_loses_precision():
    # Detection 200 + 200 characters, of which the case's 100 + 100: precision 0.5, recall 1.
    s = evaluate({"p": [a((100, 200), (100, 200))]}, {"p": [a((50, 250), (50, 250))]})
    assert (s.precision, s.recall) == (0.5, 1.0)


def test_shifted_detection():
    # Case and detection of 100 + 100 overlapping by 50 in each document: both measures 0.5.
    s = evaluate({"p": [a((0, 100), (0, 100))]}, {"p": [a((50, 150), (50, 150))]})
    assert (s.precision, s.recall) == (0.5, 0.5)


def test_detection_split_in_two_has_granularity_two():
    case = a((0, 200), (0, 200))
    halves = [a((0, 100), (0, 100)), a((100, 200), (100, 200))]
    s = evaluate({"p": [case]}, {"p": halves})
    assert (s.precision, s.recall, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_overlapping_detections_count_each_character_once():
    # Two detections over the same first half: recall 0.5 (not 1), granularity 2.
    case = a((0, 100), (0, 100))
    s = evaluate({"p": [case]}, {"p": [a((0, 50), (0, 50)), a((0, 50), (0, 50))]})
    assert (s.recall, s.precision, s.granularity) == (0.5, 1.0, 2.0)


def test_false_detection_on_a_pair_without_reuse_lowers_precision():
    cases = {"reused": [a((0, 100), (0, 100))], "clean": []}
    detections = {"reused": [a((0, 100), (0, 100))], "clean": [a((10, 60), (20, 70))]}
    s = evaluate(cases, detections)
    # Precision: mean over the two detections of 1 and 0; recall: the one case, fully found.
    assert (s.precision, s.recall, s.granularity) == (0.5, 1.0, 1.0)
    assert s.plagdet == pytest.approx(2 / 3)
    # A pair missing from ``cases`` is a pair without cases.
    assert evaluate({"reused": cases["reused"]}, detections) == s


def test_overlap_in_the_suspicious_document_only_does_not_detect():
    case = a((0, 100), (0, 100))
    elsewhere = a((0, 100), (500, 600))  # the right susp passage, the wrong src passage
    assert not detects(elsewhere, case)
    assert covered_share(case, [elsewhere]) == 0.0
    s = evaluate({"p": [case]}, {"p": [elsewhere]})
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (0.0, 0.0, 1.0, 0.0)


def test_touching_ranges_do_not_overlap():
    assert not detects(a((100, 200), (0, 100)), a((0, 100), (0, 100)))
    assert detects(a((99, 200), (99, 100)), a((0, 100), (0, 100)))


def test_detections_are_matched_within_their_own_pair():
    s = evaluate({"p": [a((0, 100), (0, 100))], "q": []}, {"q": [a((0, 100), (0, 100))]})
    assert (s.precision, s.recall) == (0.0, 0.0)


def test_empty_cases_and_detections_follow_pan():
    assert evaluate({}, {}) == Scores(1.0, 1.0, 1.0, 1.0, 0, 0)
    assert evaluate({"p": []}, {"p": []}) == Scores(1.0, 1.0, 1.0, 1.0, 0, 0)
    no_detections = evaluate({"p": [a((0, 10), (0, 10))]}, {})
    assert no_detections == Scores(0.0, 0.0, 1.0, 0.0, 1, 0)
    no_cases = evaluate({"p": []}, {"p": [a((0, 10), (0, 10))]})
    assert no_cases == Scores(0.0, 0.0, 1.0, 0.0, 0, 1)


def test_counts_add_up_across_pairs():
    one = pair_counts([a((0, 100), (0, 100))], [a((0, 50), (0, 50))])
    two = pair_counts([a((0, 200), (0, 200))], [a((0, 100), (0, 100)), a((100, 200), (100, 200))])
    assert one == Counts(1, 1, 0.5, 1.0, 1, 1)
    both = Scores.of(one + two)
    assert both == evaluate({"1": [a((0, 100), (0, 100))], "2": [a((0, 200), (0, 200))]},
                            {"1": [a((0, 50), (0, 50))], "2": [a((0, 100), (0, 100)), a((100, 200), (100, 200))]})
    # Recall (0.5 + 1) / 2, precision (1 + 1 + 1) / 3, granularity (1 + 2) / 2.
    assert (both.recall, both.precision, both.granularity) == (0.75, 1.0, 1.5)


def test_plagdet_and_annotation_checks():
    assert plagdet(0.0, 0.0, 1.0) == 0.0
    assert plagdet(1.0, 0.5, 1.0) == pytest.approx(2 / 3)
    assert plagdet(1.0, 1.0, 2.0) == pytest.approx(0.63092975)
    with pytest.raises(ValueError):
        plagdet(1.0, 1.0, 0.5)
    assert Annotation.of(10, 5, 0, 3) == a((10, 15), (0, 3))
    assert len(Annotation.of(10, 5, 0, 3)) == 8
    for bad in (((5, 5), (0, 1)), ((0, 1), (3, 2)), ((-1, 1), (0, 1))):
        with pytest.raises(ValueError):
            Annotation(*bad)


def _benchmark_reuse():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import reuse

    return reuse


def test_cross_validation_breaks_a_plagdet_tie_by_the_pairs_linked():
    cross_validate = _benchmark_reuse().cross_validate
    # Both settings find 40 cases of each fold exactly; setting 1 also links the 41st pair, by a detection of 5% of
    # its case, a few characters past it: a plagdet a hair lower than setting 0's, which misses that pair.
    case = a((0, 1000), (0, 1000))
    exact = pair_counts([case], [case])
    loose = pair_counts([case], [a((950, 1005), (950, 1005))])
    missed = pair_counts([case], [])
    counts = [[exact, exact]] * 200 + [[missed, loose]] * 5
    folds = [i % 5 for i in range(len(counts))]
    reusing = [True] * len(counts)
    plagdets = [Scores.of(sum((row[s] for row in counts), Counts())).plagdet for s in (0, 1)]
    assert 0 < plagdets[0] - plagdets[1] < 0.001
    _, strict = cross_validate(counts, folds, 5, reusing, tie=0.0)
    _, tied = cross_validate(counts, folds, 5, reusing, tie=0.001)
    assert strict == [0] * 5  # the best plagdet
    assert tied == [1] * 5  # within the tie, the setting that links one more pair of each fold wins


def test_cross_validation_leaves_out_settings_that_link_too_many_pairs_without_reuse():
    cross_validate = _benchmark_reuse().cross_validate
    case = a((0, 1000), (0, 1000))
    exact, missed = pair_counts([case], [case]), pair_counts([case], [])
    partial = pair_counts([case], [a((0, 500), (0, 500))])
    false_link, silent = pair_counts([], [a((0, 100), (0, 100))]), pair_counts([], [])
    # Setting 0 finds every case whole but links 2 of each fold's 40 pairs without reuse (5%); setting 1 finds
    # half of each case and links none of them; setting 2 finds nothing.
    counts = [[exact, partial, missed]] * 100 + [[false_link, silent, silent]] * 10 + [[silent] * 3] * 190
    reusing = [True] * 100 + [False] * 200
    folds = [i % 5 for i in range(len(counts))]
    _, unbounded = cross_validate(counts, folds, 5, reusing, max_false_links=1.0)
    _, bounded = cross_validate(counts, folds, 5, reusing, max_false_links=0.01)
    _, loose = cross_validate(counts, folds, 5, reusing, max_false_links=0.05)
    assert unbounded == [0] * 5 and loose == [0] * 5
    assert bounded == [1] * 5
    # When no setting keeps within the bound, the bound is dropped rather than the choice left empty.
    _, none_within = cross_validate([[row[0]] for row in counts], folds, 5, reusing, max_false_links=0.01)
    assert none_within == [0] * 5
