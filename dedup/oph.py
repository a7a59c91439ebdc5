"""One-permutation hashing (OPH) with optimal densification: MinHash-quality
signatures for one hash per shingle instead of one per shingle and permutation.

Each shingle is hashed once with a seeded 64-bit mixer; the high bits pick one
of ``num_perm`` bins and the low 32 bits are its value; a set's signature keeps
the minimum value per bin. Bins that no shingle fell into are filled by
optimal densification (Shrivastava, ICML 2017): an empty bin ``j`` copies the
bin named by the first hit of a fixed probe sequence ``probe(j, 1), probe(j,
2), ...`` that is non-empty. The probe sequence depends only on ``j``, so two
sets copy from the same bins, and the chance that a position agrees stays
the Jaccard similarity.

These signatures are not interchangeable with datasketch's (``minhash`` makes
those); they are what the corpus path uses, where speed decides.
"""

from __future__ import annotations

import numpy as np

from .minhash import EMPTY
from .shingle import ShingleSets, _fmix64

_U64 = np.uint64
_ROUNDS = 1024  # probes per empty bin before falling back to the next non-empty bin
_BLOCK_CELLS = 1 << 22  # bound on (rounds x cells) probed in one numpy step


class OnePermutationHasher:
    """Sign many shingle sets at once with densified one-permutation hashing.

    Parameters
    ----------
    num_perm : int, default=128
        Bins (signature length); the Jaccard estimate has the precision of
        ``num_perm`` MinHash permutations, a little better for small sets.
    seed : int, default=1
        Seed of the shingle mixer and the probe sequence; signatures compare
        only under equal ``num_perm`` and ``seed``.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if not isinstance(num_perm, int) or isinstance(num_perm, bool) or not 2 <= num_perm <= 4096:
            raise ValueError(f"num_perm must be an integer in [2, 4096], got {num_perm!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        self.num_perm = num_perm
        self.seed = seed
        self._salt = _fmix64(np.array([seed + 0x9E3779B97F4A7C15], dtype=_U64))[0]
        # The probe sequence of every bin, precomputed (a set with one shingle needs ~num_perm * ln(num_perm)).
        self._rounds = max(min(_ROUNDS, (1 << 20) // num_perm), 16)
        all_bins = np.arange(num_perm)
        self._probes = np.stack([self._probe(all_bins, a) for a in range(1, self._rounds + 1)]).astype(np.int32)

    def params(self) -> dict:
        return {"num_perm": self.num_perm, "seed": self.seed, "scheme": "oph"}

    def sign(self, sets: ShingleSets) -> np.ndarray:
        """Signatures as a ``(len(sets), num_perm)`` uint32 matrix; an empty set is all ``EMPTY``."""
        n, k = len(sets), self.num_perm
        mixed = _fmix64(sets.hashes.astype(_U64) ^ self._salt)
        bins = ((mixed >> _U64(32)) * _U64(k)) >> _U64(32)
        values = (mixed & _U64(0xFFFFFFFF)).astype(np.uint32)
        # EMPTY itself is a legal value; keep it for "no shingle" by nudging the rare collision.
        values[values == EMPTY] = EMPTY - 1
        owner = np.repeat(np.arange(n, dtype=np.int64), sets.sizes())
        out = np.full(n * k, EMPTY, dtype=np.uint32)
        np.minimum.at(out, owner * k + bins.astype(np.int64), values)
        out = out.reshape(n, k)
        self._densify(out, sets.sizes() > 0)
        return out

    def _probe(self, bins: np.ndarray, attempt: int) -> np.ndarray:
        """The bin that empty bin ``bins`` tries on ``attempt``; the same for every set."""
        step = _U64((attempt * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        key = bins.astype(_U64) * _U64(0x100000001B3) + step
        return ((_fmix64(key ^ self._salt) >> _U64(32)) * _U64(self.num_perm)) >> _U64(32)

    def _densify(self, out: np.ndarray, nonempty: np.ndarray) -> None:
        full = out != EMPTY
        rows, cols = np.nonzero(~full & nonempty[:, None])
        source = out.copy()  # copies come from originally filled bins only
        start = 0
        while len(rows) and start < self._rounds:
            # Several rounds at once: the first probe of each cell that lands on a filled bin wins.
            block = int(max(1, min(64, _BLOCK_CELLS // len(rows), self._rounds - start)))
            probes = self._probes[start : start + block][:, cols]
            hits = full[rows[None, :], probes]
            found = hits.any(axis=0)
            chosen = probes[hits.argmax(axis=0), np.arange(len(cols))]
            out[rows[found], cols[found]] = source[rows[found], chosen[found]]
            rows, cols = rows[~found], cols[~found]
            start += block
        for r, c in zip(rows.tolist(), cols.tolist()):  # vanishingly rare: ~1 shingle in many bins
            filled = np.flatnonzero(full[r])
            out[r, c] = source[r, filled[np.searchsorted(filled, c) % len(filled)]]
