"""LSH banding over MinHash signatures: which sets are worth comparing.

A signature of ``bands * rows`` values is cut into ``bands`` slices; two sets
become a candidate pair when any slice is identical. The chance of that for
sets with Jaccard ``s`` is ``1 - (1 - s**rows) ** bands``, an S-curve whose
steep part sits near ``(1 / bands) ** (1 / rows)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from dedup.sketch.band_pairs import band_pair_codes
from dedup.sketch.lsh_budget import budgeted_pair_codes, staged_buckets, with_hubs
from dedup.util.arrays import distinct
from dedup.util.validate import check_fraction

if TYPE_CHECKING:
    from dedup.util.workers import Workers

# Buckets past which ``staged_pairs_from_keys`` proposes each member with the first before any other pair.
STAGE_ABOVE = 8


def candidate_probability(s: float | np.ndarray, bands: int, rows: int):
    """Probability that sets with Jaccard ``s`` share at least one band."""
    return 1.0 - (1.0 - np.asarray(s, dtype=float) ** rows) ** bands


@lru_cache(maxsize=256)
def optimal_bands(threshold: float, num_perm: int, fn_weight: float = 0.5) -> tuple[int, int]:
    """Choose ``(bands, rows)`` minimizing weighted false positives and negatives.

    False positives are the candidate probability integrated below
    ``threshold``, false negatives its complement integrated above it, as in
    datasketch's ``MinHashLSH``; here the integrals are taken on a fine grid.
    """
    grid = np.linspace(0.0, 1.0, 2001)
    below, above = grid <= threshold, grid >= threshold
    best, best_cost = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        rows = num_perm // bands
        p = candidate_probability(grid, bands, rows)
        fp = np.trapezoid(p[below], grid[below]) if below.sum() > 1 else 0.0
        fn = np.trapezoid(1.0 - p[above], grid[above]) if above.sum() > 1 else 0.0
        cost = (1.0 - fn_weight) * fp + fn_weight * fn
        if cost < best_cost:
            best, best_cost = (bands, rows), cost
    return best


class LSHBanding:
    """Find candidate pairs among many signatures by banding.

    Parameters
    ----------
    threshold : float, default=0.2
        Jaccard similarity the S-curve is centred on; used to choose
        ``bands`` and ``rows`` when they are not given.
    num_perm : int, default=128
        Signature length.
    bands, rows : int, optional
        Explicit banding; ``bands * rows`` must not exceed ``num_perm``.
    max_bucket : int, default=1000
        A bucket holding more sets than this is not expanded pair by pair (its
        s * (s - 1) / 2 pairs would be quadratic): each of its members is paired
        with its first, lowest-numbered member (``lsh_budget.hub_pair_codes``),
        so 20,000 copies of one page are still one cluster; such buckets are
        counted in ``capped_buckets``. ``budgeted_candidate_array`` (one
        document's search) also counts the pairs left out.
    """

    def __init__(
        self,
        threshold: float = 0.2,
        num_perm: int = 128,
        bands: int | None = None,
        rows: int | None = None,
        max_bucket: int = 1000,
    ) -> None:
        check_fraction("threshold", threshold)
        if (bands is None) != (rows is None):
            raise ValueError("give both bands and rows, or neither")
        if bands is None:
            bands, rows = optimal_bands(float(threshold), int(num_perm))
        if bands < 1 or rows < 1 or bands * rows > num_perm:
            raise ValueError(f"bands * rows must be at most num_perm={num_perm}, got {bands} x {rows}")
        if max_bucket < 2:
            raise ValueError(f"max_bucket must be at least 2, got {max_bucket!r}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands = bands
        self.rows = rows
        self.max_bucket = max_bucket
        self.capped_buckets = 0

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """One 64-bit key per (set, band): a hash of the band's rows."""
        n = signatures.shape[0]
        if n > _KEY_CHUNK:  # the 64-bit copy and its temporaries are a few times the signatures: a slice at a time
            return np.concatenate([self.band_keys(signatures[i:i + _KEY_CHUNK]) for i in range(0, n, _KEY_CHUNK)])
        cut = signatures[:, : self.bands * self.rows].astype(np.uint64)
        cut = cut.reshape(n, self.bands, self.rows)
        key = np.full((n, self.bands), 0xCBF29CE484222325, dtype=np.uint64)
        for r in range(self.rows):
            key = (key ^ cut[:, :, r]) * np.uint64(0x100000001B3)
        # Fold the band number in so equal rows in different bands never collide.
        return key ^ (np.arange(self.bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))

    def candidate_pairs(self, signatures: np.ndarray, empty: np.ndarray | None = None) -> set[tuple[int, int]]:
        """All pairs ``(i, j)``, ``i < j``, that share a bucket; sets flagged ``empty`` never pair."""
        return {(int(i), int(j)) for i, j in self.candidate_array(signatures, empty)}

    def candidate_array(self, signatures: np.ndarray, empty: np.ndarray | None = None) -> np.ndarray:
        """Candidate pairs as a sorted ``(n, 2)`` int64 array, each pair once, ``i < j``."""
        return self.pairs_from_keys(self.band_keys(signatures), empty)

    def budgeted_candidate_array(self, signatures: np.ndarray, empty: np.ndarray | None,
                                 budget: int) -> tuple[np.ndarray, int]:
        """``candidate_array`` generating at most ``budget`` pairs, the rarest band keys' first, and the number
        of pairs left out (0: the exact search); a bucket past ``max_bucket`` adds each member paired with its
        first member, and the rest of its pairs to those left out; see ``lsh_budget``."""

        band_keys = self.band_keys(signatures)
        n = band_keys.shape[0]
        live = self._live(n, empty)
        unique, self.capped_buckets, skipped = budgeted_pair_codes(band_keys, live, n, self.max_bucket, budget)
        return np.stack((unique // n, unique % n), axis=1), skipped

    def pairs_from_keys(self, band_keys: np.ndarray, empty: np.ndarray | None = None,
                        workers: Workers | None = None) -> np.ndarray:
        """Candidate pairs from precomputed ``band_keys`` (``(n, bands)``), as ``candidate_array``.

        Bands are bucketed one at a time, so scratch memory is a few arrays of
        ``n``, not of ``n * bands``. With ``workers``, each process takes a share of the bands.
        """
        n = band_keys.shape[0]
        live = self._live(n, empty)
        unique, self.capped_buckets = self._codes(band_keys, live, self.max_bucket, workers)
        # Each member of a bucket past ``max_bucket`` with its first: skipped, 20,000 copies of one page were
        # no cluster at all.
        unique = with_hubs(unique, self.capped_buckets, 0, band_keys, live, n, self.max_bucket)[0]
        return np.stack((unique // n, unique % n), axis=1)

    def staged_pairs_from_keys(self, band_keys: np.ndarray, empty: np.ndarray | None = None,
                               workers: Workers | None = None,
                               stage_above: int | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """``pairs_from_keys`` in two stages, for a caller that joins confirmed pairs into groups.

        A bucket of ``s`` sets yields ``s * (s - 1) / 2`` pairs: a wire story republished with small edits by 999
        sites is one bucket in every band, half a million pairs to confirm (eight such: 43.5 s and 1.45 GB),
        though once each copy is confirmed with one of them no other pair joins anything. The first stage is
        every pair of the buckets of at most ``stage_above`` sets (default ``STAGE_ABOVE``) and, of each
        larger bucket, each member with its first (``lsh_budget.staged_buckets``); the second is the members
        of each larger bucket up to ``max_bucket`` (larger ones have their first stage's pairs only, as in
        ``pairs_from_keys``), whose pairs the caller asks for once it has joined the first stage's confirmed
        pairs: only those of members it left in different groups (``lsh_budget.apart_pair_codes``). Every
        candidate pair of ``pairs_from_keys`` is then either proposed or inside one group: the same groups.

        Returns
        -------
        pairs : ndarray of int64, shape (m, 2)
            The first stage's candidate pairs, sorted, ``i < j``.
        buckets : list of ndarray
            The second stage's buckets, each its members ascending.
        """
        n = band_keys.shape[0]
        live = self._live(n, empty)
        limit = min(STAGE_ABOVE if stage_above is None else stage_above, self.max_bucket)
        unique, large = self._codes(band_keys, live, limit, workers)
        buckets: list[np.ndarray] = []
        self.capped_buckets = 0
        if large:
            hubs, buckets, self.capped_buckets, _ = staged_buckets(band_keys, live, n, limit, self.max_bucket)
            unique = distinct(np.concatenate((unique, hubs)))
        return np.stack((unique // n, unique % n), axis=1), buckets

    @staticmethod
    def _live(n: int, empty: np.ndarray | None) -> np.ndarray:
        return np.arange(n, dtype=np.int64) if empty is None else np.flatnonzero(~np.asarray(empty, dtype=bool))

    def _codes(self, band_keys: np.ndarray, live: np.ndarray, max_bucket: int,
               workers: Workers | None) -> tuple[np.ndarray, int]:
        """``band_pair_codes`` of the ``live`` sets, the bands shared out among ``workers`` where they run."""
        n, bands = band_keys.shape
        # Shared out only when the scan's workers run (``Workers.split`` starts none): a corpus too small to
        # start them (one batch of documents) is bucketed here in moments.
        if workers is None or workers.pool is None or bands < 2:
            return band_pair_codes(band_keys, live, n, max_bucket)
        shares = np.array_split(np.arange(bands), min(bands, workers.size + 1))
        done = workers.split(band_pair_codes, [(band_keys[:, share], live, n, max_bucket) for share in shares])
        return distinct(np.concatenate([codes for codes, _ in done])), sum(capped for _, capped in done)


_KEY_CHUNK = 1 << 15  # sets whose band keys are computed at once (32 MB of 64-bit copies at 128 permutations)
