"""One-permutation hashing (OPH) with optimal densification: MinHash-quality
signatures for one hash per shingle instead of one per shingle and permutation.

Each shingle is hashed once with a seeded 64-bit mixer; the high bits pick one
of ``num_perm`` bins and the low 32 bits are its value; a set's signature keeps
the minimum value per bin. Bins that no shingle fell into are filled by
densification (Shrivastava and Li, "Improved densification of one
permutation hashing", UAI 2014): an empty bin copies the value of the nearest
non-empty bin to its left or its right (the direction is fixed per bin by the
seed), shifted by the distance travelled. The rule depends only on which bins
are empty, so the chance that a position agrees stays the Jaccard similarity
(``tests/test_corpus.py`` measures it), and it is a few whole-matrix numpy
passes, not a loop over empty bins.

These signatures are not interchangeable with datasketch's (``minhash`` makes
those); they are what the corpus path uses, where speed decides.
"""

from __future__ import annotations

import numpy as np

from dedup.sketch.minhash import EMPTY
from dedup.sketch.shingle import ShingleSets
from dedup.text.words import fmix64
from dedup.util.validate import check_int

_U64 = np.uint64
_STEP = np.uint32(0x9E3779B1)  # a copied value moves by this much per bin travelled
_DENSIFY_CELLS = 1 << 16  # signature cells densified per numpy pass


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
        check_int("num_perm", num_perm, 2, 4096)
        check_int("seed", seed, 0, 2**32 - 1)
        self.num_perm = num_perm
        self.seed = seed
        self._salt = fmix64(np.array([seed + 0x9E3779B97F4A7C15], dtype=_U64))[0]
        bins = np.arange(num_perm, dtype=_U64) * _U64(0x100000001B3)
        self._rightward = (fmix64(bins ^ self._salt) & _U64(1)).astype(bool)
        # Copies fill runs of neighbouring bins; shuffling the columns keeps an LSH band (consecutive
        # positions) from being one copied value repeated, which would make bands agree far too often.
        self._order = np.argsort(fmix64(bins + self._salt), kind="stable")

    def params(self) -> dict:
        return {"num_perm": self.num_perm, "seed": self.seed, "scheme": "oph"}

    def sign(self, sets: ShingleSets) -> np.ndarray:
        """Signatures as a ``(len(sets), num_perm)`` uint32 matrix; an empty set is all ``EMPTY``."""
        n, k = len(sets), self.num_perm
        mixed = fmix64(sets.hashes.astype(_U64) ^ self._salt)
        bins = ((mixed >> _U64(32)) * _U64(k)) >> _U64(32)
        values = (mixed & _U64(0xFFFFFFFF)).astype(np.uint32)
        # EMPTY itself is a legal value; keep it for "no shingle" by nudging the rare collision.
        values[values == EMPTY] = EMPTY - 1
        owner = np.repeat(np.arange(n, dtype=np.int64), sets.sizes())
        out = np.full(n * k, EMPTY, dtype=np.uint32)
        np.minimum.at(out, owner * k + bins.astype(np.int64), values)
        out = out.reshape(n, k)
        self._densify(out, sets.sizes() > 0)
        return out[:, self._order]

    def _densify(self, out: np.ndarray, nonempty: np.ndarray) -> None:
        rows = np.flatnonzero(nonempty & (out == EMPTY).any(axis=1))
        # A few hundred rows at a time: the dozen temporaries stay in cache (and reuse the same memory)
        # instead of each being a fresh multi-megabyte allocation.
        step = max(1, _DENSIFY_CELLS // self.num_perm)
        for at in range(0, len(rows), step):
            self._densify_rows(out, rows[at:at + step])

    def _densify_rows(self, out: np.ndarray, rows: np.ndarray) -> None:
        block = out[rows]
        full = block != EMPTY
        k = self.num_perm
        # Bin positions fit 16 bits (num_perm <= 4096): a quarter of the memory traffic of int64.
        pos = np.arange(k, dtype=np.int16)
        far = np.int16(4 * k)
        # Nearest filled bin at or after each bin, wrapping to the row's first filled bin (+k) ...
        ahead = np.minimum.accumulate(np.where(full, pos, far)[:, ::-1], axis=1)[:, ::-1]
        first = np.argmax(full, axis=1).astype(np.int16)
        ahead = np.where(ahead == far, (first + k)[:, None], ahead)
        # ... and at or before it, wrapping to the row's last filled bin (-k).
        behind = np.maximum.accumulate(np.where(full, pos, -far), axis=1)
        last = (k - 1 - np.argmax(full[:, ::-1], axis=1)).astype(np.int16)
        behind = np.where(behind == -far, (last - k)[:, None], behind)
        source = np.where(self._rightward, ahead, behind)
        distance = np.abs(source - pos).astype(np.uint32)
        # Wrap into the row: a mask for the usual power-of-two k, where % took most of this step.
        column = source & np.int16(k - 1) if k & (k - 1) == 0 else source % np.int16(k)
        flat = column.astype(np.intp) + (np.arange(len(rows), dtype=np.intp) * k)[:, None]
        copied = block.ravel()[flat] + distance * _STEP
        copied[copied == EMPTY] = EMPTY - 1
        out[rows] = np.where(full, block, copied)
