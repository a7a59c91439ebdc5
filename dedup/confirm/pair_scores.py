"""The one pair-scoring core: exact Jaccard and containment of sorted shingle sets, dot products of sparse
rows (TF-IDF cosines of normalized rows), and the one near-duplicate rule on those scores.

The corpus scan (``confirm_pass``), the index and the Spark engine all score and decide with these, so
the three cannot drift apart; scores of many pairs are computed at once, in bounded memory.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def is_duplicate(jaccard, containment, cosine, jaccard_threshold: float, cosine_threshold: float):
    """The near-duplicate rule: Jaccard or containment (a copy cut short) reaches ``jaccard_threshold``, and
    the TF-IDF cosine under the corpus IDF reaches ``cosine_threshold`` (so a one-line quote of a long article,
    contained in it, is not its duplicate). Works on scalars (a bool) and on arrays (elementwise)."""
    passed = (np.maximum(jaccard, containment) >= jaccard_threshold) & (np.asarray(cosine) >= cosine_threshold)
    return bool(passed) if np.ndim(passed) == 0 else passed


def sparse_dot(columns_a: np.ndarray, values_a: np.ndarray, columns_b: np.ndarray, values_b: np.ndarray) -> float:
    """Dot product of two sparse vectors given as sorted unique columns and their values (one CSR row each):
    the cosine of two L2-normalized TF-IDF rows."""
    _, ia, ib = np.intersect1d(columns_a, columns_b, assume_unique=True, return_indices=True)
    return float(np.dot(values_a[ia], values_b[ib]))


def exact_scores(set_a: np.ndarray, set_b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment in the smaller) of two sorted shingle sets."""
    shared = len(np.intersect1d(set_a, set_b, assume_unique=True))
    union = len(set_a) + len(set_b) - shared
    smaller = min(len(set_a), len(set_b))
    return (shared / union if union else 0.0), (shared / smaller if smaller else 0.0)


def exact_scores_many(sets_a: list[np.ndarray], sets_b: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``exact_scores`` of many pairs of sorted shingle sets, about ``_MERGED_SHINGLES`` shingles at a time
    (10,000 pairs of 1,200-word documents took 500 MB at once)."""
    n = len(sets_a)
    size_a = np.fromiter(map(len, sets_a), np.int64, n)
    size_b = np.fromiter(map(len, sets_b), np.int64, n)
    ends = np.cumsum(size_a + size_b)
    jaccard, containment = np.zeros(n), np.zeros(n)
    start = 0
    while start < n:
        # At least one pair, however large, then pairs while the chunk stays under the limit.
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - (size_a + size_b)[start] + _MERGED_SHINGLES,
                                                  side="right")))
        jaccard[start:stop], containment[start:stop] = _exact_scores_chunk(
            sets_a[start:stop], sets_b[start:stop], size_a[start:stop], size_b[start:stop])
        start = stop
    return jaccard, containment


_MERGED_SHINGLES = 1 << 22


def _exact_scores_chunk(sets_a: list[np.ndarray], sets_b: list[np.ndarray], size_a: np.ndarray,
                        size_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(sets_a)
    # Pair-major keys: each set is a sorted run, so the stable sort (timsort) only merges neighbouring runs.
    owner = np.repeat(np.repeat(np.arange(n, dtype=np.uint64), 2), np.stack((size_a, size_b), axis=1).ravel())
    members = np.concatenate([s for pair in zip(sets_a, sets_b) for s in pair]).astype(np.uint64)
    keys = (owner << np.uint64(32)) | members
    keys.sort(kind="stable")
    same = keys[1:] == keys[:-1]  # a shingle in both sets of its pair (each set holds it once)
    shared = np.bincount((keys[1:][same] >> np.uint64(32)).astype(np.int64), minlength=n)
    union = size_a + size_b - shared
    smaller = np.minimum(size_a, size_b)
    return (np.where(union > 0, shared / np.maximum(union, 1), 0.0),
            np.where(smaller > 0, shared / np.maximum(smaller, 1), 0.0))


def row_dots(matrix: sparse.csr_matrix, rows_a: list[int], rows_b: list[int]) -> np.ndarray:
    """Dot products of the rows ``rows_a[i]`` and ``rows_b[i]``, ``_DOT_PAIRS`` pairs at a time: the gathered
    rows of 191,000 paragraph pairs took 520 MB at once."""
    out = np.zeros(len(rows_a))
    for at in range(0, len(rows_a), _DOT_PAIRS):
        a, b = rows_a[at:at + _DOT_PAIRS], rows_b[at:at + _DOT_PAIRS]
        out[at:at + len(a)] = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return out


_DOT_PAIRS = 8192
