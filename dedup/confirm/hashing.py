"""The columns scikit-learn's ``HashingVectorizer`` hashes strings into, computed in numpy.

The reranker's design matrix hashes each text's stemmed words and each pair's word substitutions
(``"x|y"``, about 19,000 strings for an article's candidates). scikit-learn calls MurmurHash3 once per
string from Python, after an analyzer builds every string in Python: most of the model's time.
Here all strings are hashed at once, 4 bytes at a time in numpy; a substitution is hashed from its two
words' bytes (``WordBytes``), so its string is never built.

The columns equal scikit-learn's exactly: the same MurmurHash3_x86_32 (seed 0, as a signed int), the
same bucket ``abs(h) % n_features`` (``tests/test_hashing.py``); ``design`` lays them out as its rows.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
_M, _N = np.uint32(5), np.uint32(0xE6546B64)
_F1, _F2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)
_BAR = ord("|")
# Strings are hashed in classes of these lengths (bytes): one long word would widen every row's padding.
_WIDTHS = (12, 28, 60)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def murmur3_32(padded: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """MurmurHash3_x86_32 (seed 0) of each row of ``padded`` (uint8, zero past each row's ``lengths`` bytes,
    its width a multiple of 4 with a zero byte past every row's end), as signed int32 (scikit-learn's
    ``murmurhash3_32(key, positive=False)``)."""
    blocks = np.ascontiguousarray(padded).view("<u4")
    lengths = np.asarray(lengths, dtype=np.int64)
    full = lengths // 4
    h = np.zeros(len(lengths), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for b in range(int(full.max(initial=0))):
            k = _rotl(blocks[:, b] * _C1, 15) * _C2
            h = np.where(b < full, _rotl(h ^ k, 13) * _M + _N, h)
        # The tail: the 1-3 bytes past the last whole block, zero-padded (a zero block when there are none).
        k = _rotl(blocks[np.arange(len(lengths)), full] * _C1, 15) * _C2
        h = np.where(lengths % 4 != 0, h ^ k, h)
    return _finalized(h, lengths)


def _finalized(h: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """MurmurHash3's last steps (the length, then fmix32), as signed int32."""
    with np.errstate(over="ignore"):
        h = h ^ lengths.astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= _F1
        h ^= h >> np.uint32(13)
        h *= _F2
        h ^= h >> np.uint32(16)
    return h.view(np.int32)


def buckets(hashes: np.ndarray, n_features: int) -> np.ndarray:
    """scikit-learn's column of each signed hash: ``abs(h) % n_features`` (``-2**31`` has no absolute value
    in int32; scikit-learn gives it ``(2**31 - 1 - (n_features - 1)) % n_features``)."""
    h = hashes.astype(np.int64)
    out = np.abs(h) % n_features
    out[h == -(2**31)] = (2147483647 - (n_features - 1)) % n_features
    return out


Source = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _hashed(lengths: np.ndarray, source: Source, buffer: np.ndarray, n_features: int) -> np.ndarray:
    """Columns of strings of ``lengths`` bytes whose byte ``at`` is ``buffer[source(rows, at)]`` (``rows``: the
    strings' numbers, a column; ``at``: a row of byte positions), hashed a class of similar lengths at a time."""
    out = np.zeros(len(lengths), dtype=np.int64)
    low = 0
    for high in (*_WIDTHS, None):
        rows = np.flatnonzero((lengths >= low) & (lengths < high) if high else lengths >= low)
        low = high or 0
        if len(rows):
            width = (int(lengths[rows].max()) // 4 + 1) * 4  # a multiple of 4, a zero byte past the longest
            padded = buffer[source(rows, np.arange(width)[None, :])]
            out[rows] = buckets(murmur3_32(padded, lengths[rows]), n_features)
    return out


def string_buckets(strings: Sequence[str], n_features: int) -> np.ndarray:
    """The column of each string."""
    encoded = [s.encode("utf-8") for s in strings]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    starts = np.cumsum(lengths) - lengths
    buffer = np.frombuffer(b"".join(encoded) + b"\x00", np.uint8)

    def source(rows: np.ndarray, at: np.ndarray) -> np.ndarray:
        return np.where(at < lengths[rows, None], starts[rows, None] + at, len(buffer) - 1)

    return _hashed(lengths, source, buffer, n_features)


def _longest_first(lengths: np.ndarray) -> np.ndarray:
    """The stable order of ``lengths``, longest first. In 16 bits where they fit: numpy's stable sort of
    16-bit keys is a radix sort, several times faster than its merge sort of 64-bit ones (same order)."""
    keys = -lengths
    if len(lengths) and int(lengths.max()) < 1 << 15:
        keys = keys.astype(np.int16)
    return np.argsort(keys, kind="stable")


class WordBytes:
    """Words' UTF-8 bytes as little-endian 32-bit blocks, after 0 to 3 zero bytes, so that a string made of
    two words and a bar is hashed block by block from its words' blocks, never built: MurmurHash3 reads
    the string 4 bytes at a time, and each 4 bytes of ``left|right`` are the OR of a block of ``left``, the
    bar, and a block of ``right`` shifted by where it starts. Every array is one entry per string, small
    (a matrix of bytes per string cost more in fresh memory than in arithmetic)."""

    def __init__(self, words: Sequence[str]) -> None:
        encoded = [w.encode("utf-8") for w in words]
        self.lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        starts = np.cumsum(self.lengths) - self.lengths
        buffer = np.frombuffer(b"".join(encoded) + b"\x00", np.uint8)
        self.width = (int(self.lengths.max(initial=0)) + 3) // 4 + 1  # blocks of a word after 3 zero bytes
        at = np.arange(4 * self.width)[None, :]
        tables = []
        for shift in range(4):
            inside = (at >= shift) & (at - shift < self.lengths[:, None])
            tables.append(buffer[np.where(inside, starts[:, None] + at - shift, len(buffer) - 1)])
        self.blocks = np.stack(tables).view("<u4")  # (shift, word, block)
        self._state: np.ndarray | None = None  # ``_heads``, found once

    def joined_buckets(self, left: np.ndarray, right: np.ndarray, n_features: int) -> np.ndarray:
        """The column of each string ``words[left[k]] + "|" + words[right[k]]``.

        MurmurHash3 reads a string's blocks in order, so the whole blocks of its left word are hashed once per
        word (``_heads``); each string hashes only the rest: the left word's last 0-3 bytes, the bar and the
        right word (an article's 5,500 strings share 240 left words: about a third fewer blocks)."""
        cut = self.lengths[left] % 4  # the bar's byte in the rest's first block
        lengths = cut + 1 + self.lengths[right]  # bytes of the rest
        order = _longest_first(lengths)  # the strings still read form a prefix
        left, right, lengths, cut = left[order], right[order], lengths[order], cut[order]
        head = self.lengths[left] // 4  # the left word's whole blocks, hashed already
        bar = np.uint32(_BAR) << (8 * cut).astype(np.uint32)
        shift, skip = (cut + 1) % 4, (cut + 1) // 4
        full = lengths // 4
        # Strings reading a whole block at b: the first reads[b + 1]; a block or a tail: the first reads[b].
        reads = np.searchsorted(-full, -np.arange(int(full.max(initial=-1)) + 2), side="right")
        has_tail = lengths % 4 != 0
        h = self._heads()[left]
        with np.errstate(over="ignore"):
            for b in range(len(reads) - 1):
                m, n = int(reads[b]), int(reads[b + 1])
                j = b - skip[:m]  # the block of the right word that falls here (none yet when negative)
                k = self.blocks[shift[:m], right[:m], np.maximum(j, 0)] * (j >= 0)
                if b == 0:  # the left word's last bytes (zero past its end) and the bar
                    k |= self.blocks[0, left[:m], head[:m]] | bar[:m]
                k = _rotl(k * _C1, 15) * _C2
                h[:n] = _rotl(h[:n] ^ k[:n], 13) * _M + _N
                tail = np.flatnonzero(has_tail[n:m]) + n
                h[tail] ^= k[tail]
        out = np.empty(len(h), dtype=np.int64)
        out[order] = buckets(_finalized(h, 4 * head + lengths), n_features)
        return out

    def _heads(self) -> np.ndarray:
        """MurmurHash3's state after each word's whole blocks (a string starting with the word goes on from it)."""
        if self._state is None:
            whole = self.lengths // 4
            h = np.zeros(len(whole), dtype=np.uint32)
            with np.errstate(over="ignore"):
                for b in range(int(whole.max(initial=0))):
                    k = _rotl(self.blocks[0, :, b] * _C1, 15) * _C2
                    h = np.where(b < whole, _rotl(h ^ k, 13) * _M + _N, h)
            self._state = h
        return self._state
