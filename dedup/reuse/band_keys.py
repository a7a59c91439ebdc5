"""Sentence keys as MinHash bands over a sentence's words: the reuse search's keys before ``pair_keys``.

``ReuseSearch(key_words=0)`` (``--reuse-keys uncommon`` and ``all``, and an index written with them) key a
sentence so: its words that may key (the uncommon ones, or all) are signed with MinHash and cut into bands of
rows, one key a band.
"""

from __future__ import annotations

import numpy as np

from dedup.sketch.lsh import LSHBanding
from dedup.sketch.minhash import MinHasher
from dedup.sketch.shingle import ShingleSets
from dedup.util.arrays import distinct


def minhash_band_keys(words: np.ndarray, units: np.ndarray, n_units: int, min_words: int, hasher: MinHasher,
                      banding: LSHBanding) -> tuple[np.ndarray, np.ndarray]:
    """The band keys of each unit with at least ``min_words`` distinct ``words`` (``units``: each word's unit,
    non-decreasing, of ``n_units``): ``(keys, each key's unit)``, a unit's keys together, in unit order."""
    sets = _unit_sets(np.asarray(words, np.uint64), units, n_units)
    live = np.flatnonzero(sets.sizes() >= min_words)
    if not len(live):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    band_keys = banding.band_keys(hasher.sign(_subset(sets, live)))
    # Not made distinct here: two sentences of one document rarely share a band (35 rows of 803,240 on 20,000
    # generated documents), and ``ReuseSearch.pair_codes`` sorts the rows anyway.
    return band_keys.ravel(), np.repeat(live, band_keys.shape[1])


def _unit_sets(words: np.ndarray, units: np.ndarray, n_units: int) -> ShingleSets:
    """Each unit's distinct words as one 32-bit hash each (what ``MinHasher.sign`` takes)."""
    hashed = (words * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)
    keys = distinct((units.astype(np.uint64) << np.uint64(32)) | hashed)
    owner = (keys >> np.uint64(32)).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=n_units)))).astype(np.int64)
    return ShingleSets(hashes=(keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets=offsets)


def _subset(sets: ShingleSets, rows: np.ndarray) -> ShingleSets:
    sizes = sets.sizes()[rows]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    at = np.repeat(sets.offsets[rows] - offsets[:-1], sizes) + np.arange(offsets[-1], dtype=np.int64)
    return ShingleSets(hashes=sets.hashes[at], offsets=offsets)
