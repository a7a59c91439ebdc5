"""Small numpy helpers shared by the pipeline steps."""

from __future__ import annotations

from itertools import count
from typing import Hashable, Iterable

import numpy as np


def numbered(items: Iterable[Hashable]) -> dict:
    """Each distinct item's number, 0, 1, ..., in order of first sight (a vocabulary's columns)."""
    return dict(zip(dict.fromkeys(items), count()))


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of a 1-D array: ``np.unique`` for the common case, about 3x faster.

    numpy 2.x routes ``np.unique`` of integers through a hash table, which is
    several times slower than sorting for the arrays the pipeline builds.
    numpy's default sort is vectorized where the processor allows: 6-7 ms for a
    million 64-bit keys whatever their order, where a stable sort (timsort) took
    21-65 ms unless they were one or two sorted runs (1-5 ms).
    """
    values = np.sort(np.asarray(values).ravel())
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def in_sorted(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """``np.isin(values, ordered)`` for sorted, distinct ``ordered`` (non-empty), by binary search."""
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def counted(codes: np.ndarray, weights: np.ndarray,
            counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted distinct ``codes``, how many times each occurs (or the sum of its ``counts``) and the sum of
    its integer ``weights``: what ``np.unique(..., return_inverse=True)`` and two ``bincount`` calls give, by
    one sort (see ``distinct``; a group's count and sum need no order inside it). Counts and sums come as int32:
    the callers' arrays are their largest."""
    codes = np.asarray(codes).ravel()
    if not len(codes):
        return codes, np.zeros(0, np.int32), np.zeros(0, np.int32)
    order = np.argsort(codes)
    codes = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    if counts is None:
        found = np.diff(np.append(starts, len(codes))).astype(np.int32)
    else:
        found = np.add.reduceat(np.asarray(counts)[order], starts, dtype=np.int32)
    sums = np.add.reduceat(np.asarray(weights)[order], starts, dtype=np.int32)
    return codes[starts], found, sums


def distinct_pairs(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Distinct ``(left, right)`` rows of two non-negative integer columns, sorted, as an ``(n, 2)`` int64 array.

    ``np.unique(..., axis=0)`` sorts rows as opaque bytes; one int64 code per row is several times faster.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    if not len(left):
        return np.zeros((0, 2), dtype=np.int64)
    width = int(right.max()) + 1
    codes = distinct(left * width + right)
    return np.stack((codes // width, codes % width), axis=1)


def range_positions(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, position)`` of every position of the ranges ``[first, first + count)``, in order: one gather
    reads many ranges of an array at once."""
    count = np.asarray(count).astype(np.int64)
    owner = np.repeat(np.arange(len(count), dtype=np.int64), count)
    offsets = np.cumsum(count) - count
    return owner, np.repeat(np.asarray(first, dtype=np.int64) - offsets, count) + np.arange(int(count.sum()),
                                                                                           dtype=np.int64)
