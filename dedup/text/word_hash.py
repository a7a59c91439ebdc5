"""The 64-bit hash of a normalized word, for one word (``word_hash``) and for many at once in numpy
(``chunk_hashes``, on a batch's bytes): the same value either way, so a text tokenized by the regex
path matches one tokenized on its bytes."""

from __future__ import annotations

import hashlib

import numpy as np

from dedup.text.words import fmix64

_MASK = (1 << 64) - 1
# Words of up to this many bytes are hashed in 8-byte chunks (``word_hash``), in numpy by ``chunk_hashes``.
_CHUNKED_BYTES = 1024
_CHAIN = 0x9E3779B97F4A7C15
_LOW_BYTES = np.array([(1 << 8 * n) - 1 for n in range(8)] + [_MASK], dtype=np.uint64)  # the low n bytes


def word_hash(word: str) -> int:
    """64-bit hash of a normalized word.

    Up to ``_CHUNKED_BYTES`` UTF-8 bytes (nearly every word): its 8-byte little-endian chunks chained
    through the MurmurHash3 finalizer, which ``chunk_hashes`` computes for a whole batch in numpy. A word
    of eight bytes or fewer is its own chunk, so short words never collide. Longer: BLAKE2b.
    """
    data = word.encode("utf-8")
    if len(data) > _CHUNKED_BYTES:
        return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
    h = int.from_bytes(data[:8], "little")
    for i in range(8, len(data), 8):
        h = _fmix64_int((h + _CHAIN) & _MASK) ^ int.from_bytes(data[i:i + 8], "little")
    return _fmix64_int(h)


def _fmix64_int(x: int) -> int:
    """``words.fmix64`` of one Python integer."""
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK
    return x ^ (x >> 33)


def eight_byte_reads(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``raw``'s bytes (zero-padded: an 8-byte read at any of them stays inside the buffer) and the 8 bytes
    starting at each byte as one little-endian integer (unaligned reads), which ``chunk_hashes`` takes."""
    buffer = np.frombuffer(raw + bytes(16), dtype=np.uint8)
    return buffer, np.ndarray(shape=(len(raw) + 8,), dtype="<u8", buffer=buffer, strides=(1,))


def chunk_hashes(words8: np.ndarray, starts: np.ndarray, length: np.ndarray,
                 add_y: np.ndarray | None = None) -> np.ndarray:
    """``word_hash`` of the bytes ``[start, start + length)`` (at most ``_CHUNKED_BYTES``), with a "y"
    appended where ``add_y``."""
    total = length if add_y is None else length + add_y
    h = _chunk(words8, starts, length, add_y)
    for at in range(8, _CHUNKED_BYTES, 8):
        rows = np.flatnonzero(total > at)
        if not len(rows):
            break
        chunk = _chunk(words8, starts[rows] + at, length[rows] - at, None if add_y is None else add_y[rows])
        h[rows] = fmix64(h[rows] + np.uint64(_CHAIN)) ^ chunk
    return fmix64(h)


def _chunk(words8: np.ndarray, at: np.ndarray, left: np.ndarray, add_y: np.ndarray | None) -> np.ndarray:
    """The 8 bytes at ``at``, of which the first ``left`` are the word's (a "y" follows where ``add_y``)."""
    chunk = words8[at] & _LOW_BYTES[np.clip(left, 0, 8)]
    if add_y is not None:
        here = np.flatnonzero(add_y & (left >= 0) & (left < 8))
        chunk[here] |= np.uint64(ord("y")) << (left[here].astype(np.uint64) * np.uint64(8))
    return chunk


def word_hashes(words: list[str]) -> np.ndarray:
    """``word_hash`` of each word (uint64), in numpy over their bytes when all are ASCII (a text's words:
    a few microseconds, where one Python call a word took a third of the reuse step's unit building)."""
    joined = " ".join(words)
    if not joined.isascii():
        return np.fromiter(map(word_hash, words), np.uint64, len(words))
    lengths = np.fromiter(map(len, words), np.int64, len(words))
    starts = np.cumsum(lengths + 1) - (lengths + 1)  # each word's first byte in ``joined``
    _, words8 = eight_byte_reads(joined.encode("ascii"))
    hashes = chunk_hashes(words8, starts, np.minimum(lengths, _CHUNKED_BYTES))
    for i in np.flatnonzero(lengths > _CHUNKED_BYTES).tolist():
        hashes[i] = word_hash(words[i])
    return hashes
