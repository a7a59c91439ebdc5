"""Tokenize sentences and hash their word k-grams (shingles).

Shingles never cross a sentence boundary: a paragraph's shingle set is the
union of its sentences' sets, so the MinHash of a paragraph is the
element-wise minimum of its sentences' MinHashes (see ``minhash``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from dedup.text.word_hash import word_hash
from dedup.text.words import content_words, filtered_tokens, fmix64, words
from dedup.util.validate import check_bool, check_int

_U64 = np.uint64
# The longest k-gram (``k``, ``paragraph_k``): a sentence shorter than k is one shingle, so a larger k is past
# any real sentence and changes nothing but the cost (a block of a long text loops k times, ``_windows``).
MAX_K = 1000
_MIX_PRIME = _U64(0x100000001B3)


@dataclass(frozen=True)
class ShingleSets:
    """Many shingle sets in one flat array: set ``i`` is ``hashes[offsets[i]:offsets[i+1]]``.

    Hashes are unique within each set, 32-bit unsigned (as datasketch expects).
    """

    hashes: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def get(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


class Shingler:
    """Turn sentences into sets of hashed word k-grams.

    Parameters
    ----------
    k : int, default=2
        Words per shingle, at most ``MAX_K``. A sentence shorter than ``k`` words gives one
        shingle of all its words, so short titles are not lost.
    stop_words : bool, default=True
        Drop English stop words before shingling, so rewordings that differ
        only in function words still share shingles.
    stem : bool, default=True
        Apply ``light_stem`` to each token.
    """

    def __init__(self, k: int = 2, stop_words: bool = True, stem: bool = True) -> None:
        self.k = check_int("k", k, 1, MAX_K)
        self.stop_words = check_bool("stop_words", stop_words)  # bool("no") was True: a typo went unnoticed
        self.stem = check_bool("stem", stem)
        self._token_hashes: dict[str, int] = {}

    def params(self) -> dict:
        """``k``, ``stop_words`` and ``stem``."""
        return {"k": self.k, "stop_words": self.stop_words, "stem": self.stem}

    def tokenize(self, text: str) -> list[str]:
        """Lower-cased words (``words``: those of the corpus tokenizer) after stop-word removal and stemming.

        Returns
        -------
        list of str
            The tokens in order; a sentence of stop words only keeps them.
        """
        if self.stop_words and self.stem:  # the defaults: each text's found once in a document's search
            return content_words(text)
        return filtered_tokens(words(text), self.stop_words, self.stem)

    def hashes(self, tokens: Sequence[str]) -> np.ndarray:
        """The 64-bit hash of each token (uint64): ``word_hash``, the corpus tokenizer's word hash. A corpus
        token's hash (``tokens.Tokens.hashes``) is the same with its two low bits set to ``0b10``.

        Returns
        -------
        numpy.ndarray
            uint64, one per token.
        """
        known = self._token_hashes.get
        return np.fromiter((known(t) or self._new_hash(t) for t in tokens), _U64, len(tokens))

    def _new_hash(self, token: str) -> int:
        value = word_hash(token)
        if len(self._token_hashes) < 1_000_000:
            self._token_hashes[token] = value
        return value

    def shingle(self, sentences: Sequence[str]) -> ShingleSets:
        """Shingle each sentence.

        Returns
        -------
        ShingleSets
            Set ``i`` holds the hashed k-grams of ``sentences[i]``.
        """
        if isinstance(sentences, str):  # one sentence was shingled as a list of its characters
            raise TypeError("sentences must be a sequence of strings, got one string (pass [sentence])")
        return self.shingle_tokens([self.tokenize(s) for s in sentences])

    def shingle_tokens(self, token_lists: Iterable[Sequence[str]]) -> ShingleSets:
        """Shingle each list of tokens (one sentence each) into its own set.

        Returns
        -------
        ShingleSets
            Set ``i`` holds the hashed k-grams of ``token_lists[i]``.
        """
        token_lists = list(token_lists)
        lengths = np.array([len(t) for t in token_lists], dtype=np.int64)
        flat = self.hashes([t for tokens in token_lists for t in tokens])
        sentence = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
        return kgram_sets(flat, sentence, sentence, len(token_lists), self.k)


def kgram_sets(tokens: np.ndarray, sentence: np.ndarray, owner: np.ndarray, n_sets: int, k: int) -> ShingleSets:
    """Sets of hashed k-grams of ``tokens`` (uint64), one set per ``owner`` value.

    A k-gram never spans two sentences (equal ``sentence`` numbers, which must
    be non-decreasing); a sentence shorter than ``k`` gives one shingle of all
    its tokens, so short titles are not lost.

    Windows are hashed ``_BLOCK`` token positions at a time, each block's
    set made unique before the next, so scratch memory is a few arrays of
    ``_BLOCK`` plus the distinct keys, even for one text of 30 million tokens
    (a 200 MB single-line file took 1.4 GB more in one pass); the result is
    the same set.
    """
    n = len(tokens)
    if n <= _BLOCK:
        return _group_unique(*_windows(tokens, sentence, owner, k, 0, n), n_sets)
    keys = np.concatenate([_unique_keys(*_windows(tokens, sentence, owner, k, lo, min(lo + _BLOCK, n)))
                           for lo in range(0, n, _BLOCK)])
    keys.sort(kind="stable")  # timsort: merges the blocks' sorted runs in linear time
    return _from_keys(keys[np.concatenate(([True], keys[1:] != keys[:-1]))], n_sets)


_BLOCK = 1 << 21


def _windows(tokens: np.ndarray, sentence: np.ndarray, owner: np.ndarray, k: int, lo: int,
             hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes and owners of the k-gram windows (and short sentences) that start at positions ``lo`` to ``hi``."""
    n = len(tokens)
    n_windows = max(min(n - k + 1, hi) - lo, 0)
    if n_windows:
        same = sentence[lo : lo + n_windows] == sentence[lo + k - 1 : lo + k - 1 + n_windows]
        window_starts = lo + np.flatnonzero(same)
    else:
        window_starts = np.zeros(0, np.int64)
    window_len = np.full(len(window_starts), k)
    if hi > lo:
        block = sentence[lo:hi]
        starts_here = lo == 0 or sentence[lo - 1] != block[0]
        first = lo + np.flatnonzero(np.concatenate(([starts_here], block[1:] != block[:-1])))
        if lo == 0 and hi == n:
            lengths = np.diff(np.append(first, n))
        else:  # a block: count each sentence's tokens up to k (they are contiguous), past the block's end too
            lengths = np.zeros(len(first), dtype=np.int64)
            for j in range(k):
                inside = first + j < n
                lengths[inside] += sentence[first[inside] + j] == sentence[first[inside]]
        short = lengths < k
        window_starts = np.concatenate((window_starts, first[short]))
        window_len = np.concatenate((window_len, lengths[short]))
    return _combine(tokens, window_starts, window_len), owner[window_starts]


def _combine(tokens: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Order-sensitive hash of each window of tokens, as uint32."""
    acc = np.zeros(len(starts), dtype=_U64)
    if len(starts) == 0:
        return acc.astype(np.uint32)
    if (lengths == lengths[0]).all():
        for j in range(int(lengths[0])):
            acc = (acc ^ tokens[starts + j]) * _MIX_PRIME
    else:
        for j in range(int(lengths.max())):
            live = lengths > j
            idx = starts[live] + j
            acc[live] = (acc[live] ^ tokens[idx]) * _MIX_PRIME
    acc = acc ^ lengths.astype(_U64)
    return (fmix64(acc) >> _U64(32)).astype(np.uint32)


def _group_unique(hashes: np.ndarray, owner: np.ndarray, n_sets: int) -> ShingleSets:
    """Sort (owner, hash), drop repeats, and build offsets for ``n_sets`` sets."""
    return _from_keys(_unique_keys(hashes, owner), n_sets)


def _unique_keys(hashes: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Sorted distinct ``owner << 32 | hash`` keys."""
    # One 64-bit key per shingle sorts faster than a two-key lexsort.
    keys = (owner.astype(_U64) << _U64(32)) | hashes.astype(_U64)
    keys.sort(kind="stable")  # owner-major keys are sorted runs: timsort is near linear on them
    if len(keys):
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


def _from_keys(keys: np.ndarray, n_sets: int) -> ShingleSets:
    """``ShingleSets`` from sorted distinct keys (see ``_unique_keys``)."""
    owner = (keys >> _U64(32)).astype(np.int64)
    counts = np.bincount(owner, minlength=n_sets) if len(owner) else np.zeros(n_sets, np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return ShingleSets(hashes=keys.astype(np.uint32), offsets=offsets)


def union(sets: ShingleSets, groups: Sequence[Sequence[int]]) -> ShingleSets:
    """Union of member sets for each group (e.g. a paragraph's sentences)."""
    parts, owners = [], []
    for g, members in enumerate(groups):
        for i in members:
            h = sets.get(i)
            parts.append(h)
            owners.append(np.full(len(h), g, dtype=np.int64))
    if not parts:
        return ShingleSets(np.zeros(0, np.uint32), np.zeros(len(groups) + 1, np.int64))
    return _group_unique(np.concatenate(parts), np.concatenate(owners), len(groups))
