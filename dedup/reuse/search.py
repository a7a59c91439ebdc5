"""Reuse across a corpus: which document pairs share passages, found from sentence seeds, then aligned.

Each document is reduced, as it streams past, to a small set of **seed keys**:

- every sentence unit (``units``) is signed with MinHash over its content words and cut into bands
  (``bands`` x ``rows``); two sentences that share a band key share most of their content words, which
  a reworded or translated sentence still does;
- word ``copy_n``-grams of the text (all words, stop words too) whose hash falls in one ``copy_sample``-th
  of the hash space, so a copied run of a few dozen words is all but certain to give the two documents
  a key in common whatever their sentences look like.

Two documents become a candidate when they share at least ``min_shared`` sentence keys or one copied-run
key. A key held by more than ``max_bucket`` documents (page furniture, a boilerplate sentence) pairs
nothing. Only the keys are kept between the passes: a document costs a few hundred bytes, not its text.
The candidates' texts are then aligned (``align``) pair by pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from dedup.reuse.align import AlignSettings
from dedup.reuse.units import units_of
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.lsh_budget import expand
from dedup.sketch.minhash import MinHasher
from dedup.sketch.shingle import kgram_sets
from dedup.text.word_hash import word_hash
from dedup.text.words import word_spans
from dedup.util.arrays import distinct
from dedup.util.validate import check_int

_COPY_TAG = np.uint64(1 << 63)  # copied-run keys have the top bit set, sentence keys clear
_MAX_CACHED = 1_000_000


@dataclass
class ReuseSearch:
    """Find the passages documents of a corpus reuse from each other.

    Parameters
    ----------
    bands, rows : int, default=8, 2
        MinHash banding of sentence signatures (``bands * rows`` permutations): two rows a band keep
        sentences sharing about a third of their content words likely to meet.
    min_shared : int, default=2
        Sentence keys two documents must share to be aligned.
    copy_n : int, default=8
        Words of a copied-run key.
    copy_sample : int, default=4
        One copied-run key in this many is kept.
    max_bucket : int, default=50
        A key shared by more documents pairs none of them.
    align : AlignSettings, optional
        How a candidate pair is aligned.
    seed : int, default=1
        MinHash seed.
    """

    bands: int = 8
    rows: int = 2
    min_shared: int = 2
    copy_n: int = 8
    copy_sample: int = 4
    max_bucket: int = 50
    align: AlignSettings = field(default_factory=AlignSettings)
    seed: int = 1

    def __post_init__(self) -> None:
        for name, low in (("bands", 1), ("rows", 1), ("min_shared", 1), ("copy_n", 2), ("copy_sample", 1),
                          ("max_bucket", 2)):
            check_int(name, getattr(self, name), low)
        self._hasher = MinHasher(num_perm=self.bands * self.rows, seed=self.seed)
        self._banding = LSHBanding(num_perm=self.bands * self.rows, bands=self.bands, rows=self.rows)
        self._hashes: dict[str, int] = {}

    def params(self) -> dict:
        return {"bands": self.bands, "rows": self.rows, "min_shared": self.min_shared, "copy_n": self.copy_n,
                "copy_sample": self.copy_sample, "max_bucket": self.max_bucket, "seed": self.seed,
                **{f"align_{k}": v for k, v in vars(self.align).items()}}

    def seed_keys(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's distinct seed keys, flat: ``(keys, text number)``, uint64 and int64."""
        keys, owners = [], []
        for number, text in enumerate(texts):
            found = np.concatenate((self._sentence_keys(text), self._copy_keys(text)))
            found = distinct(found)
            keys.append(found)
            owners.append(np.full(len(found), number, dtype=np.int64))
        if not keys:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        return np.concatenate(keys), np.concatenate(owners)

    def _hash(self, word: str) -> int:
        value = self._hashes.get(word)
        if value is None:
            value = word_hash(word)
            if len(self._hashes) < _MAX_CACHED:
                self._hashes[word] = value
        return value

    def _sentence_keys(self, text: str) -> np.ndarray:
        units = units_of(text, self.align.min_words)
        if not len(units):
            return np.zeros(0, np.uint64)
        lengths = np.array([len(w) for w in units.words], dtype=np.int64)
        tokens = np.array([self._hash(w) for words in units.words for w in words], dtype=np.uint64)
        sentence = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
        sets = kgram_sets(tokens, sentence, sentence, len(units), 1)
        return self._banding.band_keys(self._hasher.sign(sets)).ravel() & ~_COPY_TAG

    def _copy_keys(self, text: str) -> np.ndarray:
        words = np.array([self._hash(w) for w, _, _ in word_spans(text)], dtype=np.uint64)
        n = self.copy_n
        if len(words) < n:
            return np.zeros(0, np.uint64)
        grams = np.zeros(len(words) - n + 1, dtype=np.uint64)
        for j in range(n):
            grams = (grams ^ words[j:len(words) - n + 1 + j]) * np.uint64(0x100000001B3)
        grams ^= grams >> np.uint64(29)
        return grams[grams % np.uint64(self.copy_sample) == 0] | _COPY_TAG

    def candidates(self, keys: np.ndarray, owners: np.ndarray, n_docs: int) -> np.ndarray:
        """Document pairs ``(a, b)``, ``a < b``, that share ``min_shared`` sentence keys or a copied-run
        key, as a sorted ``(m, 2)`` int64 array."""
        if not len(keys):
            return np.zeros((0, 2), np.int64)
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        sizes = np.diff(np.append(starts, len(keys)))
        usable = (sizes >= 2) & (sizes <= self.max_bucket)
        copied = (keys[starts] & _COPY_TAG) != 0
        found = []
        sentence = usable & ~copied
        if sentence.any():
            codes = np.concatenate(expand(owners, starts[sentence], sizes[sentence], n_docs))
            codes, counts = np.unique(codes, return_counts=True)
            found.append(codes[counts >= self.min_shared])
        if (usable & copied).any():
            found.append(np.concatenate(expand(owners, starts[usable & copied], sizes[usable & copied], n_docs)))
        codes = distinct(np.concatenate(found)) if found else np.zeros(0, np.int64)
        return np.stack((codes // n_docs, codes % n_docs), axis=1)
