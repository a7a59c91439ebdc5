"""Sentence keys as pairs of a bottom-k MinHash sketch: the reuse search's default candidate keys.

A sentence is keyed by every pair of the first ``k`` of its distinct words in the order of their hashes (a
bottom-k MinHash sketch; each pair a band of two rows). An edited or reworded copy that keeps two of a
sentence's first words shares its key, whatever else it adds, drops or reorders; two sentences of unrelated
documents rarely share a *pair* of first words. A word's place depends on the word alone, so a document's keys
never change once made: an index keys each document when it is added, and a page checked years later makes the
same keys from the same words.

The MinHash bands before it (``band_keys``, ``ReuseSearch(key_words=0)``) sign a sentence's words in at most
0.5% of the documents, eight bands of two rows: most sentences of a corpus have fewer than three such words, so
they carried no key at all (77% of the generated benchmark corpus's sentences), and an edited copy was found
mostly through a copied run. Here every word but the very common ones (past ``ReuseSearch.common_share``, 5%)
may key. Ordering the words by IDF weight instead (weighted MinHash, an exponential race ``-log(u) / idf``) was
measured and gave the same candidates' worth on a scan (docs/benchmarks.md) but moved the ranks as an index's
frequencies grew, so its stored keys missed later pages.
"""

from __future__ import annotations

import numpy as np

_UNIT_SHIFT = np.uint64(40)  # code = unit << 40 | 40 bits of the word's hash
_MAX_UNITS = 1 << 24  # units a code holds (24 bits)
_WORD_BITS = np.uint64((1 << 40) - 1)


def bottom_pair_keys(words: np.ndarray, units: np.ndarray, k: int, min_words: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The keys of each unit (sentence): one for each pair of its first ``k`` distinct words by hash.

    Parameters
    ----------
    words : ndarray of unsigned int
        The words that may key (IDF buckets), in order.
    units : ndarray of int64
        The unit of each word, non-decreasing.
    k : int
        Words of a unit taken; a unit keys ``k * (k - 1) / 2`` pairs at most.
    min_words : int, default=2
        Distinct words a unit needs to key at all.

    Returns
    -------
    keys : ndarray of uint64
    key_units : ndarray of int64
        Each key's unit, in unit order.
    """
    empty = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    if not len(words) or k < 2:
        return empty
    if int(units[-1]) - int(units[0]) >= _MAX_UNITS:  # more units than a code holds: a part at a time
        cut = int(np.searchsorted(units, int(units[0]) + _MAX_UNITS // 2))
        parts = [bottom_pair_keys(words[a:b], units[a:b], k, min_words) for a, b in ((0, cut), (cut, len(units)))]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    base = int(units[0])
    # One sortable code a word: its unit and 40 bits of its hash (a word twice in a unit gives one code twice).
    code = (units - base).astype(np.uint64)
    code <<= _UNIT_SHIFT
    code |= (np.asarray(words, np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(24)
    # ``util.arrays.distinct`` with the sort in place: one copy fewer of the step's largest array.
    code.sort()
    fresh = np.empty(len(code), bool)
    fresh[0] = True
    np.not_equal(code[1:], code[:-1], out=fresh[1:])
    code = code[fresh]
    # 32-bit temporaries (units are below 2**24, a call's words below 2**31): a corpus's words are keyed a few
    # million at a time, and these are most of the step's memory.
    unit = (code >> _UNIT_SHIFT).astype(np.int32)
    start = np.empty(len(unit), bool)
    start[0] = True
    np.not_equal(unit[1:], unit[:-1], out=start[1:])
    rank = np.arange(len(unit), dtype=np.int32)
    rank -= np.maximum.accumulate(np.where(start, rank, 0))  # place within its unit
    del start
    top = rank < k
    if min_words > 2:  # a unit keys only if it has a word of place min_words - 1
        enough = unit[rank == min_words - 1]
        place = np.minimum(np.searchsorted(enough, unit), max(len(enough) - 1, 0))
        top &= enough[place] == unit if len(enough) else False
    top = np.flatnonzero(top)
    word, unit = code[top] & _WORD_BITS, unit[top]
    # Each kept word with each later kept word of its unit: pairs laid out by their first word, so in unit order.
    right = np.arange(len(unit))[:, None] + np.arange(1, k)[None, :]
    inside = right < len(unit)
    right = np.where(inside, right, 0)
    pair = inside & (unit[right] == unit[:, None])
    left, right = np.nonzero(pair)[0], right[pair]
    key = (word[left] * np.uint64(0xD6E8FEB86659FD93)) ^ word[right]  # the lower hash is always first
    key = (key ^ (key >> np.uint64(31))) * np.uint64(0xBF58476D1CE4E5B9)
    return key ^ (key >> np.uint64(29)), unit[left].astype(np.int64) + base
