"""Near-duplicates that say the opposite: one document is the other with a negation or a symbol added.

Document shingles are built of content words, and "not", "never", "nothing", "without" are stop words, an emoji
no word at all: "Please do not cancel my subscription before the next billing date." and "Please cancel my
subscription before the next billing date." have one shingle set (Jaccard 1.00), as have "good" and "not good",
"... the courier was polite 👍" and "... 👎". The scan reported each such pair as near-duplicates, and ``dedup
clean`` dropped one of the two records (found by trying it, eighteenth round: short reviews and support tickets).

A confirmed pair is not a near-duplicate where the two documents' negations or verdict symbols
(``facts.negations``, "n't" and "n’t" as one; ``_POLAR_SYMBOLS``: "👎", "✗", "↓") differ while their shingles
are one set: one says the opposite of the other and nothing else (but for the shingles of one word put in with
it: "no longer", "don't" read as the word "don"), in as many sentences. A copy cut short, edited or given
another headline keeps its verdict: one of the two holds more shingles the other lacks, or more sentences.
"""

from __future__ import annotations

import re

import numpy as np

from dedup.text.facts import negations
from dedup.text.one_change import relation_signs

# Symbols that state a verdict or a direction; not the emoji a copy of a post adds or drops ("... 😂🔥"), which
# made spam copies no near-duplicates of each other.
# "<", ">", "≤" and "≥" too, as ``one_change.relation_signs`` reads them: not a mail's "> " quoting nor an
# autolink's "<https://...>", which made copies no near-duplicates.
_POLAR_SYMBOLS = frozenset("\U0001f44d\U0001f44e\u2713\u2714\u2717\u2718\u274c\u2705\u2191\u2193\u2b06\u2b07")
# A document's marks past this many say nothing here (a page of code or a table of "+" and "="): left unread.
_MARKS_READ = 256


def polarity(text: str) -> str:
    """``text``'s negating words and verdict symbols (``_POLAR_SYMBOLS``), sorted and space-separated ("many" past
    ``_MARKS_READ`` of them), then "#" and how many sentences end in it."""
    marks = [m.replace("\u2019", "'") for m in negations(text)] + [c for c in text if c in _POLAR_SYMBOLS] + \
        [c for c in relation_signs(text) if c in "<>\u2264\u2265"]
    return f"{'many' if len(marks) > _MARKS_READ else ' '.join(sorted(marks))}#{len(_SENTENCE_END.findall(text))}"


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def opposite(pairs: list[tuple[int, int]], sets: dict[int, np.ndarray], polarities: dict[int, str]) -> np.ndarray:
    """Whether each pair of documents (given by number: their sorted shingle ``sets`` and ``polarity`` strings)
    differs in its negations or symbols and nothing else."""
    out = np.zeros(len(pairs), dtype=bool)
    for k, (a, b) in enumerate(pairs):
        (marks_a, ends_a), (marks_b, ends_b) = polarities[a].split("#"), polarities[b].split("#")
        if marks_a == marks_b or "many" in (marks_a, marks_b) or ends_a != ends_b:
            continue  # the same marks; or a sentence more in one ("It was not a close vote." at its end): cut short
        shared = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
        out[k] = max(len(sets[a]), len(sets[b])) - shared <= _OWN_SHINGLES
    return out


# The shingles one word put inside a sentence makes or breaks (a content-word 3-gram: three): "no longer crashes"
# for "crashes", "don't" (read as the word "don") for "do".
_OWN_SHINGLES = 3
