"""Whether the title rule or the amount route could confirm two paragraphs of a text, read without the search.

A corpus scan searches a document for restatements only when something could make one (``reuse.restating``
reads the words its sentences share once the corpus's document frequencies are known). The two routes that
need no uncommon shared word are read here, in pass one, as supersets of the detector's own rules:

- the title rule (``evidence.title_restated``): a one-sentence paragraph of 3 to 12 content words that a
  sentence of another holds whole; read as a paragraph of 3 to 12 distinct content words that another
  paragraph holds whole (every one-sentence paragraph is such a paragraph, and a paragraph holds what its
  sentences hold);
- the amount route (``candidates.amount_pairs``, the detector's own function): two paragraphs stating amounts
  that agree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from dedup.article.candidates import amount_pairs
from dedup.confirm.agreement import Claims
from dedup.text.quantities import may_state_amount

# The title rule's bounds on the short side's content words (``evidence.title_restated``).
TITLE_WORDS = (3, 12)
_PAIRWISE = 64  # paragraphs up to which ``title_held`` compares every pair (an article's few dozen)


def restated_by_rule(paragraphs: Sequence[str], words: Sequence[np.ndarray]) -> bool:
    """Whether the title rule or the amount route could propose a pair of ``paragraphs``.

    Parameters
    ----------
    paragraphs : sequence of str
        The text's blocks as ``text.segment.split_paragraphs`` cuts them (the detector's paragraphs).
    words : sequence of ndarray
        Each paragraph's content-word hashes (``text.tokens``, the detector's words).
    """
    if len(paragraphs) < 2:
        return False
    return title_held(words) or amounts_agree(paragraphs)


def title_held(words: Sequence[np.ndarray]) -> bool:
    """Whether a paragraph of ``TITLE_WORDS`` distinct content words is held whole by another paragraph."""
    low, high = TITLE_WORDS
    sets = [frozenset(w.tolist()) for w in words]
    shorts = [i for i, short in enumerate(sets) if low <= len(short) <= high]
    if len(sets) <= _PAIRWISE:  # an article: every short paragraph against every other, the cheapest way
        return any(sets[i] <= other for i in shorts for j, other in enumerate(sets) if j != i)
    # Only the paragraphs that have a short one's rarest word can hold it: every paragraph against every other
    # took 32 s for a text of 20,000 lines (each a paragraph), 108 s for 40,000.
    needed = frozenset().union(*(sets[i] for i in shorts))
    holding: dict[int, list[int]] = defaultdict(list)  # word of a short paragraph -> the paragraphs that have it
    for i, found in enumerate(sets):
        for word in found & needed:
            holding[word].append(i)
    return any(j != i and sets[i] <= sets[j]
               for i in shorts for j in holding[min(sets[i], key=lambda w: len(holding[w]))])


def amounts_agree(paragraphs: Sequence[str]) -> bool:
    """Whether two of ``paragraphs`` state amounts that agree (``candidates.amount_pairs``)."""
    # Only paragraphs that state a specific amount enter a bin of ``amount_pairs``: the others change nothing.
    # The whole text first (what no paragraph holds, it does not either): most texts end there, in one call.
    if not may_state_amount(" ".join(paragraphs), specific=True):
        return False
    stating = [p for p in paragraphs if may_state_amount(p, specific=True)]
    if len(stating) < 2:
        return False
    claims = [Claims.of(p) for p in stating]
    return sum(bool(c.amounts) for c in claims) >= 2 and len(amount_pairs(claims, len(claims))) > 0
