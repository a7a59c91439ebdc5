"""Near-duplicates that say the opposite: one document is the other with a negation or a symbol added.

Document shingles are built of content words, and "not", "never", "nothing", "without" are stop words, an emoji
no word at all: "Please do not cancel my subscription before the next billing date." and "Please cancel my
subscription before the next billing date." have one shingle set (Jaccard 1.00), as have "good" and "not good",
"... the courier was polite 👍" and "... 👎". The scan reported each such pair as near-duplicates, and ``dedup
clean`` dropped one of the two records (found by trying it, eighteenth round: short reviews and support tickets).

A confirmed pair is not a near-duplicate where the two documents' negations or verdict symbols
(``facts.negations``, ``_POLAR_SYMBOLS``: "👎", "✗", "↓") differ while their shingles are one set: one says the
opposite of the other and nothing else (but for the shingles of one word changed with it: "no longer", "don't"
read as the word "don"). A copy cut short, edited or given another headline keeps its verdict: one of the two
holds shingles the other lacks.
"""

from __future__ import annotations

import numpy as np

from dedup.text.facts import negations

# Symbols that state a verdict or a direction; not the emoji a copy of a post adds or drops ("... 😂🔥"), which
# made spam copies no near-duplicates of each other.
_POLAR_SYMBOLS = frozenset("\U0001f44d\U0001f44e\u2713\u2714\u2717\u2718\u274c\u2705"
                           "\u2191\u2193\u2b06\u2b07<>\u2264\u2265")
# A document's marks past this many say nothing here (a page of code or a table of "+" and "="): left unread.
_MARKS_READ = 256


def polarity(text: str) -> str:
    """``text``'s negating words and verdict symbols (``_POLAR_SYMBOLS``), sorted and space-separated ("" for
    none; "many" past ``_MARKS_READ`` of them)."""
    marks = negations(text) + [c for c in text if c in _POLAR_SYMBOLS]
    return "many" if len(marks) > _MARKS_READ else " ".join(sorted(marks))


def opposite(pairs: list[tuple[int, int]], sets: dict[int, np.ndarray], polarities: dict[int, str]) -> np.ndarray:
    """Whether each pair of documents (given by number: their sorted shingle ``sets`` and ``polarity`` strings, a
    document missing from ``polarities`` holding none) differs in its negations or symbols and nothing else."""
    out = np.zeros(len(pairs), dtype=bool)
    for k, (a, b) in enumerate(pairs):
        pa, pb = polarities.get(a, ""), polarities.get(b, "")
        if pa == pb or "many" in (pa, pb):
            continue
        out[k] = _within(sets[a], sets[b]) and _within(sets[b], sets[a])  # the marks differ, and nothing else
    return out


def _within(mine: np.ndarray, theirs: np.ndarray) -> bool:
    """Whether every shingle of ``mine`` but ``_OWN_SHINGLES`` is one of ``theirs`` (both sorted and unique)."""
    return len(mine) - len(np.intersect1d(mine, theirs, assume_unique=True)) <= _OWN_SHINGLES


# The shingles one word added makes (a content-word 3-gram: three): "no longer crashes" for "crashes", "don't" (read
# as the word "don") for "do".
_OWN_SHINGLES = 3
