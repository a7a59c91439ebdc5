"""LSH candidate generation under a budget: pairs grow linearly, not with the square of the sets.

Banding pairs every two sets that share a bucket, so a bucket of ``s`` sets
yields ``s * (s - 1) / 2`` pairs. Inside one huge document of Zipf-distributed
words, the common words' band keys make buckets of hundreds of sentences in
every band: 3,000 paragraphs gave 3.9 million candidate pairs (nearly all of
the 4.5 million possible), 37,000 paragraphs ran past 590 s and 8 GB.

``budgeted_pair_codes`` first counts the pairs each bucket would yield (one
sort per band, linear in the sets). Within the budget, every bucket is
expanded exactly as ``lsh.band_pair_codes`` expands it, so results on normal
documents do not change. Past it, the search is coarser: buckets are expanded
from the smallest up (the rarest band keys, which restated text shares and
boilerplate-like common words do not) until the budget is spent, and the
pairs of the buckets left out are counted as skipped.

A bucket of more than ``max_bucket`` sets is never expanded, but not dropped
either (a paragraph repeated 1,001 times in one document is such a bucket in
every band, and skipping it reported no restatement at all): ``hub_pair_codes``
pairs each of its members with its first (lowest-numbered) member, ``s - 1``
pairs instead of ``s * (s - 1) / 2``, and the pairs it leaves out are counted
as skipped, so the search is reported partial. Those hub pairs come on top of
the budget, at most one per set and band: still linear in the sets. Where no
bucket is that large (any ordinary document), nothing of this runs.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from dedup.sketch.band_pairs import _may_repeat, band_pair_codes
from dedup.util.arrays import distinct


def bucket_pair_counts(band_keys: np.ndarray, live: np.ndarray, max_bucket: int) -> tuple[np.ndarray, int]:
    """How many buckets of each size (index ``s``, ``2 <= s <= max_bucket``) the ``live`` sets make over all
    bands of ``band_keys``, and how many buckets are larger than ``max_bucket`` (never expanded)."""
    sizes_seen = np.zeros(max_bucket + 1, dtype=np.int64)
    capped = 0
    for band in range(band_keys.shape[1]):
        keys = band_keys[live, band]
        keys = np.sort(keys[_may_repeat(keys)])  # sizes only: no owners needed, a plain sort
        _, sizes = _buckets(keys)
        sizes = sizes[sizes >= 2]
        capped += int((sizes > max_bucket).sum())
        sizes_seen += np.bincount(sizes[sizes <= max_bucket], minlength=max_bucket + 1)
    return sizes_seen, capped


def budgeted_pair_codes(band_keys: np.ndarray, live: np.ndarray, n: int, max_bucket: int,
                        budget: int) -> tuple[np.ndarray, int, int]:
    """``band_pair_codes`` with at most ``budget`` pairs generated (before duplicates across bands go), and the
    buckets past ``max_bucket`` joined by their hub pairs (at most one per set and band on top).

    Returns
    -------
    codes : ndarray of int64
        Distinct pair codes ``min * n + max``.
    capped : int
        Buckets larger than ``max_bucket``: not expanded, their members paired with their first member
        instead (``hub_pair_codes``; those pairs are in ``codes``).
    skipped : int
        Pairs that the budget left out of buckets of at most ``max_bucket`` sets, plus the pairs of the
        larger buckets that their hub pairs leave out (a pair in several buckets counted each time); 0 only
        when every bucket was expanded, the exact search.
    """
    bands = band_keys.shape[1]
    if len(live) * (len(live) - 1) // 2 * bands <= budget:  # cannot exceed it: skip the counting pass
        return with_hubs(*band_pair_codes(band_keys, live, n, max_bucket), 0, band_keys, live, n, max_bucket)
    counts, capped = bucket_pair_counts(band_keys, live, max_bucket)
    per_bucket = np.arange(max_bucket + 1, dtype=np.int64) * np.arange(-1, max_bucket, dtype=np.int64) // 2
    pairs = counts * per_bucket
    total = int(pairs.sum())
    if total <= budget:
        return with_hubs(*band_pair_codes(band_keys, live, n, max_bucket), 0, band_keys, live, n, max_bucket)
    # Whole sizes up to ``largest`` fit; of the next size, ``quota`` buckets (the first in band and key
    # order, which is random as keys are hashes) spend what is left.
    spent = np.cumsum(pairs)
    largest = int(np.flatnonzero(spent <= budget)[-1])
    quota = (budget - int(spent[largest])) // int(per_bucket[largest + 1]) if largest < max_bucket else 0
    codes: list[np.ndarray] = []
    generated = 0
    for band in range(bands):
        keys = band_keys[live, band]
        maybe = _may_repeat(keys)
        keys, owners = keys[maybe], live[maybe]
        order = np.argsort(keys, kind="stable")
        starts, sizes = _buckets(keys[order])
        take = np.flatnonzero((sizes >= 2) & (sizes <= largest))
        if quota > 0:
            extra = np.flatnonzero(sizes == largest + 1)[:quota]
            quota -= len(extra)
            take = np.concatenate((take, extra))
        found = expand(owners[order], starts[take], sizes[take], n)
        generated += sum(len(c) for c in found)
        codes.extend(found)
    unique = distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
    return with_hubs(unique, capped, total - generated, band_keys, live, n, max_bucket)


def with_hubs(codes: np.ndarray, capped: int, skipped: int, band_keys: np.ndarray, live: np.ndarray, n: int,
              max_bucket: int) -> tuple[np.ndarray, int, int]:
    """``(codes, capped, skipped)`` with the hub pairs of the buckets past ``max_bucket`` added, and the pairs
    they leave out counted; unchanged (the same array) when there is no such bucket."""
    if not capped:
        return codes, capped, skipped
    hubs, left_out = hub_pair_codes(band_keys, live, n, max_bucket)
    return distinct(np.concatenate((codes, hubs))), capped, skipped + left_out


def hub_pair_codes(band_keys: np.ndarray, live: np.ndarray, n: int, max_bucket: int) -> tuple[np.ndarray, int]:
    """Pair codes ``hub * n + member`` of every bucket of more than ``max_bucket`` ``live`` sets, in any band:
    each member with the bucket's hub, its lowest-numbered member (for repeated paragraphs, the first copy:
    the one a cleaner keeps). Also the number of the buckets' pairs left out, ``s * (s - 1) / 2 - (s - 1)``
    each. Linear: at most one pair per set and band.

    The hub joins every member to one group (groups are the connected pairs); pairs among the other
    members are not proposed, so the search is partial and counted so."""
    hubs, _, _, left_out = staged_buckets(band_keys, live, n, max_bucket, max_bucket)
    return hubs, left_out


def staged_buckets(band_keys: np.ndarray, live: np.ndarray, n: int, above: int,
                   max_bucket: int) -> tuple[np.ndarray, list[np.ndarray], int, int]:
    """The first stage of candidates for groups (``LSHBanding.staged_pairs_from_keys``) in the buckets of more
    than ``above`` sets: each member paired with the bucket's first (``hub_pair_codes``' pairs).

    Returns
    -------
    hubs : ndarray of int64
        Distinct pair codes ``hub * n + member``.
    buckets : list of ndarray
        The members (ascending) of each distinct bucket of at most ``max_bucket`` sets: their other pairs are
        the second stage's (``apart_pair_codes``).
    capped : int
        Buckets larger than ``max_bucket``: their hub pairs only, as ``hub_pair_codes``.
    left_out : int
        The pairs those leave out, as ``hub_pair_codes`` counts them.
    """
    codes, buckets, seen, capped, left_out = [], [], set(), 0, 0
    for members in _large_buckets(band_keys, live, above):
        codes.append(members[0] * n + members[1:])
        size = len(members)
        if size > max_bucket:
            capped += 1
            left_out += size * (size - 1) // 2 - (size - 1)
            continue
        key = members.tobytes()  # a cluster of copies is one bucket in most bands: each membership once
        if key not in seen:
            seen.add(key)
            buckets.append(members)
    return (distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)), buckets, capped, left_out


def apart_pair_codes(buckets: list[np.ndarray], group: np.ndarray, n: int) -> np.ndarray:
    """Distinct pair codes ``min * n + max`` of the members of each bucket that ``group`` (a label per set) puts
    in different groups: the pairs of the second stage. A pair of one group joins nothing new, so a bucket
    whose members the first stage joined (copies of one page, each confirmed with the first) adds none, and a
    bucket of sets no pair joined adds all its pairs: each member of a group other than the bucket's largest
    with every member outside its own group."""
    codes: list[np.ndarray] = []
    held, fold_at = 0, 4 * n + 1_000_000
    for members in buckets:
        labels = group[members]
        values, counts = np.unique(labels, return_counts=True)
        if len(values) < 2:
            continue
        loose = members[labels != values[np.argmax(counts)]]
        a, b = np.repeat(loose, len(members)), np.tile(members, len(loose))
        apart = (group[a] != group[b]) & ((a < b) | ~np.isin(b, loose))  # two loose members: once, not twice
        a, b = a[apart], b[apart]
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
        held += len(codes[-1])
        if held > fold_at:  # a bucket's pairs again in the next band's: folded, as ``band_pair_codes`` does
            codes = [distinct(np.concatenate(codes))]
            held = len(codes[0])
            fold_at = max(fold_at, 2 * held)
    return distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)


def _large_buckets(band_keys: np.ndarray, live: np.ndarray, above: int) -> Iterator[np.ndarray]:
    """The members (ascending) of every bucket of more than ``above`` ``live`` sets, band by band."""
    for band in range(band_keys.shape[1]):
        keys = band_keys[live, band]
        maybe = _may_repeat(keys)
        if len(maybe) <= above:  # too few repeating keys for a bucket that large: no sort
            continue
        keys, owners = keys[maybe], live[maybe]
        order = np.argsort(keys, kind="stable")  # stable: a bucket's members stay in ascending order
        starts, sizes = _buckets(keys[order])
        owners = owners[order]
        for start, size in zip(starts[sizes > above].tolist(), sizes[sizes > above].tolist()):
            yield owners[start:start + size]


def _buckets(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and size of each run of equal keys in ``sorted_keys``."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    return starts, np.diff(np.append(starts, len(sorted_keys)))


def expand(owner: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int) -> list[np.ndarray]:
    """Pair codes ``min * n + max`` of every two members of each bucket (``starts``, ``sizes`` into
    ``owner``); buckets of equal size are expanded together, one (buckets x size) block each."""
    codes = []
    for size in np.unique(sizes).tolist():
        block = owner[starts[sizes == size][:, None] + np.arange(size)[None, :]]
        left, right = np.triu_indices(size, k=1)
        a, b = block[:, left].ravel(), block[:, right].ravel()
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    return codes
