"""MinHash signatures, bit-for-bit interoperable with datasketch.

``MinHasher(num_perm, seed)`` draws the same permutations as
``datasketch.MinHash(num_perm, seed)`` with its default ``"affine32"`` scheme
(datasketch >= 2.0): each 32-bit shingle hash is pre-mixed with the
MurmurHash3 finalizer, then permuted as ``a * h + b (mod 2**32)``. The
signature of a set equals ``MinHash(num_perm, seed, hashfunc=int)`` updated
with the same shingle hashes, but many sets are signed in one numpy call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from dedup.sketch.shingle import ShingleSets
from dedup.util.validate import check_int

if TYPE_CHECKING:
    from datasketch import LeanMinHash

_U32 = np.uint32
EMPTY = np.iinfo(np.uint32).max
# Bound the (shingles x permutations) scratch matrix to ~64 MB.
_CHUNK_CELLS = 1 << 24


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _U32(16))
    h = h * _U32(0x85EBCA6B)
    h = h ^ (h >> _U32(13))
    h = h * _U32(0xC2B2AE35)
    return h ^ (h >> _U32(16))


@lru_cache(maxsize=16)
def datasketch_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` arrays datasketch's affine32 MinHash draws for ``seed`` (read-only: drawn once per
    ``(num_perm, seed)``, as every ``find_redundancy`` call builds a detector, and drawing cost ~75 µs)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=_U32) * _U32(2) + _U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=_U32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


@dataclass(frozen=True)
class Signature:
    """The MinHash signature of one shingle set."""

    hashvalues: np.ndarray
    seed: int = 1

    def __post_init__(self) -> None:
        # Made by ``MinHasher.signature`` or by hand from stored values: anything else compared as "0.0 similar".
        values = self.hashvalues
        if not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind not in "iu" or not len(values):
            raise TypeError(f"hashvalues must be a non-empty 1-d numpy array of integers (MinHasher.signature's), "
                            f"got {type(values).__name__}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {type(self.seed).__name__}")

    def jaccard(self, other: "Signature") -> float:
        if len(self.hashvalues) != len(other.hashvalues) or self.seed != other.seed:
            raise ValueError("signatures differ in num_perm or seed")
        return float(np.mean(self.hashvalues == other.hashvalues))

    def to_datasketch(self) -> "LeanMinHash":
        """This signature as a ``datasketch.LeanMinHash``."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=self.hashvalues, scheme="affine32")


class MinHasher:
    """Sign shingle sets with MinHash.

    Parameters
    ----------
    num_perm : int, default=128
        Number of permutations (signature length). More permutations give a
        finer Jaccard estimate (standard error about ``sqrt(J(1-J)/num_perm)``).
    seed : int, default=1
        Seed of the permutations; signatures are only comparable with equal
        ``num_perm`` and ``seed``. datasketch's default seed is 1 too.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        check_int("num_perm", num_perm, 1, 4096)
        check_int("seed", seed, 0, 2**32 - 1)
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = datasketch_permutations(num_perm, seed)

    def params(self) -> dict:
        """``num_perm`` and ``seed``."""
        return {"num_perm": self.num_perm, "seed": self.seed}

    def sign(self, sets: ShingleSets) -> np.ndarray:
        """Signatures of all sets as a ``(len(sets), num_perm)`` uint32 matrix.

        An empty set gets the all-``EMPTY`` signature, as in datasketch.

        Returns
        -------
        numpy.ndarray
            uint32, one row per set, equal to datasketch's ``MinHash.hashvalues`` for the same shingles.
        """
        out = np.full((len(sets), self.num_perm), EMPTY, dtype=_U32)
        sizes = sets.sizes()
        step = max(_CHUNK_CELLS // self.num_perm, 1)
        first = 0
        while first < len(sets):
            # Take whole sets until the chunk holds ~step shingles.
            base = sets.offsets[first]
            last = int(np.searchsorted(sets.offsets, base + step, side="right")) - 1
            last = min(max(last, first + 1), len(sets))
            self._sign_range(sets, sizes, first, last, out)
            first = last
        return out

    def _sign_range(self, sets: ShingleSets, sizes: np.ndarray, first: int, last: int, out: np.ndarray) -> None:
        lo, hi = sets.offsets[first], sets.offsets[last]
        if hi == lo:
            return
        mixed = _fmix32(sets.hashes[lo:hi])
        permuted = mixed[:, None] * self._a[None, :] + self._b[None, :]
        nonempty = np.flatnonzero(sizes[first:last] > 0)
        starts = sets.offsets[first:last][nonempty] - lo
        out[first + nonempty] = np.minimum.reduceat(permuted, starts, axis=0)

    def signature(self, hashes: np.ndarray) -> Signature:
        """Signature of one set of 32-bit shingle hashes.

        Returns
        -------
        Signature
            Its ``hashvalues`` and this hasher's ``seed``.
        """
        hashes = np.unique(np.asarray(hashes, dtype=_U32))
        sets = ShingleSets(hashes, np.array([0, len(hashes)], dtype=np.int64))
        return Signature(self.sign(sets)[0], self.seed)


def merge(signatures: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Signature of each group's union: the element-wise minimum of its members."""
    out = np.full((len(groups), signatures.shape[1]), EMPTY, dtype=_U32)
    for g, members in enumerate(groups):
        if members:
            out[g] = signatures[members].min(axis=0)
    return out


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal positions; 0 when either signature is of an empty set."""
    if (sig_a == EMPTY).all() or (sig_b == EMPTY).all():
        return 0.0
    return float(np.mean(sig_a == sig_b))


def estimate_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Estimated |A & B| / min(|A|, |B|) from a Jaccard estimate and exact set sizes."""
    smaller = min(size_a, size_b)
    if smaller == 0 or jaccard <= 0:
        return 0.0
    intersection = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return float(min(intersection / smaller, 1.0))


def estimated_scores(sigs_a: np.ndarray, sigs_b: np.ndarray, sizes_a: np.ndarray,
                     sizes_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MinHash estimates of (Jaccard, containment) for rows of signatures and their set sizes."""
    sizes_a, sizes_b = sizes_a.astype(float), sizes_b.astype(float)
    jaccard = (sigs_a == sigs_b).mean(axis=1)
    shared = jaccard * (sizes_a + sizes_b) / (1.0 + jaccard)
    return jaccard, np.minimum(shared / np.maximum(np.minimum(sizes_a, sizes_b), 1.0), 1.0)
