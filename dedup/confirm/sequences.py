"""Word-sequence measures of a text pair: edit distance and n-gram precision.

Two restatements often share most words in a different order, or one
drops a clause; two related texts share the names but few runs of words.
These measures see the order, which the set overlaps of ``features`` do not.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Hashable, Sequence


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance between two sequences (insert, delete, substitute one item).

    Bit-parallel (Myers 1999, in Hyyro's form): one pass over ``b`` with
    ``len(a)``-bit integers, so a pair of 300-word paragraphs costs 300
    steps of a few integer operations instead of a 90,000-cell table.
    """
    if not a or not b:
        return len(a) + len(b)
    positions: dict[Hashable, int] = {}
    for i, item in enumerate(a):
        positions[item] = positions.get(item, 0) | (1 << i)
    mask, high = (1 << len(a)) - 1, 1 << (len(a) - 1)
    plus, minus, distance = mask, 0, len(a)
    for item in b:
        equal = positions.get(item, 0)
        vertical = equal | minus
        horizontal = ((((equal & plus) + plus) & mask) ^ plus) | equal
        up = (minus | ~(horizontal | plus)) & mask
        down = plus & horizontal
        if up & high:
            distance += 1
        elif down & high:
            distance -= 1
        up = ((up << 1) | 1) & mask
        down = (down << 1) & mask
        plus = (down | ~(vertical | up)) & mask
        minus = up & vertical
    return distance


def ngram_counts(tokens: Sequence[Hashable], most: int = 4) -> list[Counter]:
    """The 1..``most``-grams of ``tokens`` with their counts, one Counter per n."""
    return [Counter(zip(*(tokens[i:] for i in range(n)))) for n in range(1, most + 1)]


def ngram_precisions(x: list[Counter], y: list[Counter]) -> tuple[float, float]:
    """(x against y, y against x): geometric means of the clipped n-gram precisions, from ``ngram_counts``.

    BLEU without its brevity penalty, add-one smoothed so that one missing
    4-gram does not zero a short sentence; the length gap is a feature of
    its own. The clipped matches are the same count in both directions, so
    one pass gives both.
    """
    forward = backward = 0.0
    for ours, theirs in zip(x, y):
        small, large = (ours, theirs) if len(ours) <= len(theirs) else (theirs, ours)
        matched = sum(min(count, large[gram]) for gram, count in small.items() if gram in large)
        forward += math.log((matched + 1) / (ours.total() + 1))
        backward += math.log((matched + 1) / (theirs.total() + 1))
    return math.exp(forward / len(x)), math.exp(backward / len(y))
