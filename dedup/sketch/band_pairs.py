"""Pairs of sets that share a band key: the bucket expansion behind ``LSHBanding`` (exact) and
``lsh_budget`` (capped), in numpy, a band at a time or all bands in one sort."""

from __future__ import annotations

import numpy as np

from dedup.util.arrays import distinct

# Keys of all bands are sorted together when there are at most this many: the sentences of one document
# (a few dozen, 64 bands) took 3 ms a document band by band, a tenth of its restatement search.
ONE_SORT = 1 << 14


def band_pair_codes(band_keys: np.ndarray, live: np.ndarray, n: int, max_bucket: int) -> tuple[np.ndarray, int]:
    """Distinct pair codes ``min * n + max`` of the ``live`` sets sharing a key in any of ``band_keys``'
    columns, and the number of buckets skipped for holding more than ``max_bucket`` sets."""
    if len(live) * band_keys.shape[1] <= ONE_SORT:
        return _small_band_pair_codes(band_keys, live, n, max_bucket)
    codes: list[np.ndarray] = []
    capped = held = 0
    fold_at = 4 * n + 1_000_000
    for band in range(band_keys.shape[1]):
        keys = band_keys[live, band]
        maybe = _may_repeat(keys)
        keys, owners = keys[maybe], live[maybe]
        order = np.argsort(keys)
        found, skipped = _bucket_pairs(keys[order], owners[order], n, max_bucket)
        codes.extend(found)
        capped += skipped
        held += sum(len(c) for c in found)
        if held > fold_at:  # fold repeats found by several bands
            codes = [distinct(np.concatenate(codes))]
            held = len(codes[0])
            # Next fold once the held codes double: millions of distinct pairs (a huge document) are
            # then sorted a few times in all, not once per band.
            fold_at = max(fold_at, 2 * len(codes[0]))
    if not codes or not held:
        return np.zeros(0, dtype=np.int64), capped
    return distinct(np.concatenate(codes)), capped


def _small_band_pair_codes(band_keys: np.ndarray, live: np.ndarray, n: int,
                           max_bucket: int) -> tuple[np.ndarray, int]:
    """``band_pair_codes`` with every band's keys sorted in one call: a row per band, each sorted along it, read
    band after band (the (band, key) order of a lexsort, several times cheaper; the order of equal keys does
    not matter, the pairs of a bucket are made distinct)."""
    by_band = band_keys[live].T  # (bands, sets)
    order = np.argsort(by_band, axis=1)
    keys = np.take_along_axis(by_band, order, axis=1).ravel()
    band = np.repeat(np.arange(by_band.shape[0]), len(live))
    found, capped = _bucket_pairs(keys, live[order].ravel(), n, max_bucket, band)
    return (distinct(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)), capped


def _may_repeat(keys: np.ndarray) -> np.ndarray:
    """Positions of the keys that may occur more than once: those whose low bits are shared in a table of
    about 8 slots per key. Most keys are alone in their bucket, and counting slots is several times
    cheaper than sorting them all (a band of 90,000 paragraph keys: about 2 ms instead of 8)."""
    bits = min(max(int(len(keys)).bit_length() + 3, 10), 24)  # at most 16M slots (128 MB of counts)
    slots = (keys & np.uint64((1 << bits) - 1)).astype(np.intp)
    return np.flatnonzero(np.bincount(slots, minlength=1 << bits)[slots] > 1)


def _bucket_pairs(keys: np.ndarray, owner: np.ndarray, n: int, max_bucket: int,
                  band: np.ndarray | None = None) -> tuple[list[np.ndarray], int]:
    """Pair codes ``min * n + max`` of sets sharing a key (and ``band``, where given), from keys sorted with
    their owners, and the number of buckets too large to expand."""
    if not len(keys):
        return [], 0
    new_bucket = keys[1:] != keys[:-1]
    if band is not None:
        new_bucket |= band[1:] != band[:-1]
    starts = np.flatnonzero(np.concatenate(([True], new_bucket)))
    sizes = np.diff(np.append(starts, len(keys)))
    codes = []
    # Buckets of equal size are expanded together: one (buckets x size) block each.
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_bucket)]).tolist():
        block = owner[starts[sizes == size][:, None] + np.arange(size)[None, :]]
        left, right = np.triu_indices(size, k=1)
        a, b = block[:, left].ravel(), block[:, right].ravel()
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    return codes, int((sizes > max_bucket).sum())
