"""RDD steps the Spark engine's modules share: batches of rows, pairs joined with each side's value, pair
scores from the confirm stage's evidence (``dedup.confirm.pair_scores``, as locally)."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from dedup.confirm.pair_scores import exact_scores, sparse_dot


def batches(rows: Iterator, size: int) -> Iterator[list]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def paired(pairs, values, n: int):
    """(((a, b), value of a), value of b) for each pair (a, b), by two joins."""
    by_a = pairs.join(values, n).map(lambda r: (r[1][0], ((r[0], r[1][0]), r[1][1])))
    return by_a.join(values, n).map(lambda r: r[1])


def scored(pairs, evidence, n: int):
    """((a, b), jaccard, containment, cosine) for document pairs, from their evidence
    (doc -> (shingle set, TF-IDF columns, TF-IDF weights))."""
    def score(item):
        (pair, ev_a), ev_b = item
        jaccard, containment = exact_scores(ev_a[0], ev_b[0])
        return pair, jaccard, containment, sparse_dot(ev_a[1], ev_a[2], ev_b[1], ev_b[2])

    return paired(pairs, evidence, n).map(score)


def as_arrays(rows: Iterator[tuple], columns: int) -> Iterator[tuple[np.ndarray, ...]]:
    """A partition's rows of ``columns`` numbers as one tuple of arrays (what a driver collects cheaply)."""
    rows = list(rows)
    if rows:
        yield tuple(np.array([r[i] for r in rows]) for i in range(columns))


def partition_by(keys: np.ndarray, n: int) -> Iterator[tuple[int, np.ndarray]]:
    """(partition, row positions) for rows keyed by ``keys`` (hashes) over ``n`` partitions: a shuffle of a few
    arrays per batch instead of a Python object per row."""
    target = (keys % np.uint64(n)).astype(np.int64) if keys.dtype == np.uint64 else keys % n
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(n + 1))
    for p in range(n):
        if bounds[p + 1] > bounds[p]:
            yield p, order[bounds[p]:bounds[p + 1]]
