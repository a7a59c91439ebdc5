"""Near-duplicate clusters from candidates proposed in two stages (``LSHBanding.staged_pairs_from_keys``).

A cluster is a connected group of confirmed pairs, so a candidate pair whose two documents other confirmed pairs
already join changes nothing. The first stage confirms every pair of the small LSH buckets and each member of a
large bucket with its first member; the second only the pairs of a large bucket's members that the first left in
different groups. Copies of one page confirmed with its first copy add no pair at all; a bucket of documents
that share a band by chance (none confirmed) adds every pair, as one stage would.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.sketch.lsh_budget import apart_pair_codes


def confirmed_in_stages(pairs: np.ndarray, buckets: list[np.ndarray], n: int,
                        confirm: Callable[[np.ndarray], np.ndarray],
                        propose: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, int]:
    """The confirmed pairs of both stages.

    Parameters
    ----------
    pairs : ndarray of int64, shape (m, 2)
        The first stage's candidates, ``i < j``.
    buckets : list of ndarray
        The second stage's buckets, each its members (numbers below ``n``).
    n : int
        Number of documents.
    confirm : callable
        Given candidate pairs, the confirmed ones (rows of its argument).
    propose : callable, optional
        Given the second stage's pairs, those that are candidates (as the caller chose the first stage's: a
        MinHash estimate not far below the threshold); all of them by default.

    Returns
    -------
    confirmed : ndarray of int64, shape (k, 2)
        The confirmed pairs of both stages: the same clusters as every pair of every bucket confirmed.
    candidates : int
        Candidates of both stages.
    """
    confirmed = confirm(pairs)
    if not buckets:
        return confirmed, len(pairs)
    graph = sparse.coo_matrix((np.ones(len(confirmed), dtype=np.int8), (confirmed[:, 0], confirmed[:, 1])),
                              shape=(n, n))
    group = connected_components(graph, directed=False)[1]
    codes = apart_pair_codes(buckets, group, n)
    codes = codes[~np.isin(codes, pairs[:, 0] * n + pairs[:, 1])]  # the first stage scored those
    more = np.stack((codes // n, codes % n), axis=1)
    more = propose(more) if propose is not None else more
    return np.concatenate((confirmed, confirm(more))), len(pairs) + len(more)
