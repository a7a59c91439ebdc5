"""Word-sequence measures: bit-parallel edit distance and n-gram precision."""

import math
import random

import pytest

from dedup.confirm.sequences import edit_distance, ngram_counts, ngram_precisions


def table_distance(a, b) -> int:
    """The textbook dynamic-programming Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def test_edit_distance_equals_the_table_on_random_sequences():
    rng = random.Random(0)
    for _ in range(500):
        # Lengths past 64 cross machine-word boundaries of the bit vectors.
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 90))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 90))]
        assert edit_distance(a, b) == table_distance(a, b)


@pytest.mark.parametrize("a, b, expected", [
    ([], [], 0), (["x"], [], 1), ([], ["x", "y"], 2),
    ("kitten", "sitting", 3), (["the", "storm", "closed", "schools"], ["schools", "closed"], 3),
])
def test_edit_distance_on_known_cases(a, b, expected):
    assert edit_distance(list(a), list(b)) == expected


def test_ngram_precisions_of_a_prefix_and_of_a_reordering():
    words = "officials closed schools in the north after the storm".split()
    assert ngram_precisions(ngram_counts(words), ngram_counts(words)) == (1.0, 1.0)
    prefix, whole = ngram_precisions(ngram_counts(words[:5]), ngram_counts(words))
    assert prefix == 1.0 > whole  # every n-gram of the prefix is in the whole, not the other way
    # Against the prefix: 5 of 9 words, 4 of 8 bigrams, 3 of 7 trigrams, 2 of 6 four-grams, add-one smoothed.
    assert whole == pytest.approx(math.exp((math.log(6 / 10) + math.log(5 / 9) + math.log(4 / 8)
                                            + math.log(3 / 7)) / 4))
    reordered = words[4:] + words[:4]
    assert ngram_precisions(ngram_counts(reordered), ngram_counts(words))[0] < 0.8


def test_clipped_counts_do_not_credit_a_repeated_word_twice():
    forward, _ = ngram_precisions(ngram_counts(["war", "war", "war"], most=1), ngram_counts(["war", "peace"], most=1))
    assert forward == pytest.approx(2 / 4)  # one of three matched, add-one smoothed
