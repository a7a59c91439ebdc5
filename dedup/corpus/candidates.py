"""Pass two's candidates: the document and paragraph pairs LSH proposes, in two stages.

Near-duplicates are clusters and reused paragraphs passages: both are connected groups of confirmed pairs. So
the candidates come as ``LSHBanding.staged_pairs_from_keys`` makes them: first every pair of the small buckets
and each member of a large bucket with its first, then (``cluster.staged.confirmed_in_stages``) only the pairs of
a large bucket's members that the first stage's confirmed pairs left apart. A wire story republished with small
edits by 999 sites is then about a thousand document pairs, not half a million.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dedup.corpus.state import CorpusState
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.minhash import estimated_scores
from dedup.util.arrays import distinct_pairs

if TYPE_CHECKING:
    from dedup.util.workers import Workers

_ESTIMATE_MARGIN = 0.1  # candidates this far below the threshold by MinHash estimate are not re-read
_SCORED_PAIRS = 1 << 16  # candidate pairs whose signatures are compared at once (``worth``)


def worth_confirming(jaccard: np.ndarray, containment: np.ndarray, threshold: float) -> np.ndarray:
    """Candidates whose estimate is not far below the threshold (the others are not re-read)."""
    return np.maximum(jaccard, containment) >= threshold - _ESTIMATE_MARGIN


def document_candidates(lsh: LSHBanding, state: CorpusState, jaccard_threshold: float,
                        workers: "Workers | None" = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Document pairs sharing a band, less those whose MinHash estimate is far below the threshold (``worth``):
    the first stage's, and the large buckets whose other pairs may come second."""
    pairs, buckets = lsh.staged_pairs_from_keys(lsh.band_keys(state.signatures), state.sizes == 0, workers)
    return pairs[worth(state, pairs, jaccard_threshold)], buckets


def worth(state: CorpusState, pairs: np.ndarray, jaccard_threshold: float) -> np.ndarray:
    """Which document ``pairs`` are worth confirming by their MinHash estimate (``worth_confirming``)."""
    sigs, sizes = state.signatures, state.sizes
    keep = np.zeros(len(pairs), dtype=bool)
    # A chunk of pairs at a time: both signatures of every pair at once took about 1.1 KB a pair, 3 GB for the
    # 2.6 million candidates of 20,000 short overlapping snippets (the same floats either way).
    for start in range(0, len(pairs), _SCORED_PAIRS):
        a, b = pairs[start:start + _SCORED_PAIRS, 0], pairs[start:start + _SCORED_PAIRS, 1]
        jaccard, containment = estimated_scores(sigs[a], sigs[b], sizes[a], sizes[b])
        keep[start:start + len(a)] = worth_confirming(jaccard, containment, jaccard_threshold)
    return keep


def paragraph_candidates(lsh: LSHBanding, state: CorpusState, min_passage_words: int,
                         workers: "Workers | None" = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Pairs of distinct paragraphs sharing a band, less those found in one and the same document only
    (``across_documents``), and the large buckets whose other pairs may come second."""
    if len(state.node_keys) < 2:
        return np.zeros((0, 2), dtype=np.int64), []
    pairs, buckets = lsh.staged_pairs_from_keys(state.node_keys, state.node_tokens < min_passage_words, workers)
    return pairs[across_documents(state, pairs)], buckets


def across_documents(state: CorpusState, pairs: np.ndarray) -> np.ndarray:
    """Which paragraph ``pairs`` are not both found in one and the same document only (restatements inside a
    document are the detector's business, not reuse)."""
    # Decided on every document a paragraph occurs in, not on the document it was first seen in: that
    # made passages depend on input order (paragraph P in documents A and B, a rewording of P in A only:
    # with A first the rewording was dropped as "same first document", with B first it joined the passage).
    node_docs = distinct_pairs(state.occurrences[:, 0], state.occurrences[:, 1])
    n_docs = np.bincount(node_docs[:, 0], minlength=len(state.node_keys))
    only_doc = np.full(len(state.node_keys), -1, dtype=np.int64)
    only_doc[node_docs[:, 0]] = node_docs[:, 1]
    only_doc[n_docs != 1] = -1  # -1: found in several documents
    a, b = only_doc[pairs[:, 0]], only_doc[pairs[:, 1]]
    return (a < 0) | (a != b)
