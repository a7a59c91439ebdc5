"""Rows of ``(key, document)``, the reuse search's candidate keys (``reuse.search``): made distinct, and
cut to the keys more than one row holds before they are paired."""

from __future__ import annotations

import numpy as np

_FILTER_ROWS = 100_000  # key rows past which ``shared_rows`` drops the keys held once (fewer: all are kept)
_FILTER_PART = 1_000_000  # ... looking them up this many at a time


def distinct_rows(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(key, doc)`` pairs."""
    if not len(keys):
        return keys, docs
    order = np.lexsort((keys, docs))
    keys, docs = keys[order], docs[order]
    keep = np.concatenate(([True], (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])))
    return keys[keep], docs[keep]


def shared_rows(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose key is on another row too: most keys of a corpus are one document's (a key held once
    pairs nothing), and sorting every row with its document took several times the rows' memory (190 MB
    more for the copied-run keys of 25,000 documents of 1,200 words); the keys alone are sorted here."""
    if len(keys) < _FILTER_ROWS:
        return keys, docs
    ordered = np.sort(keys)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    repeated = repeated[np.concatenate(([True], repeated[1:] != repeated[:-1]))] if len(repeated) else repeated
    if not len(repeated):
        return keys[:0], docs[:0]
    # A table of the repeated keys' top bits passes about one row in eight that is not repeated (fewer past 2
    # million repeated keys: the table stays within 16 MB); only the rows it passes are looked up (a binary
    # search per row was most of the step: 0.16 of 0.5 s on 20,000 documents).
    bits = int(min(max(np.ceil(np.log2(len(repeated))) + 3, 16), 24))
    shift = np.uint64(64 - bits)
    table = np.zeros(1 << bits, dtype=bool)
    table[(_unsigned(repeated) >> shift).astype(np.int64)] = True
    kept = np.zeros(len(keys), dtype=bool)
    for start in range(0, len(keys), _FILTER_PART):  # positions a part at a time: 8 bytes a row otherwise
        part = keys[start:start + _FILTER_PART]
        maybe = np.flatnonzero(table[(_unsigned(part) >> shift).astype(np.int64)])
        at = np.searchsorted(repeated, part[maybe])
        np.minimum(at, len(repeated) - 1, out=at)
        kept[start + maybe[repeated[at] == part[maybe]]] = True
    return keys[kept], docs[kept]


def _unsigned(keys: np.ndarray) -> np.ndarray:
    """Keys as unsigned 64-bit integers (the same bits), whose right shift brings in zeros."""
    return keys.view(np.uint64) if keys.dtype.kind == "i" and keys.dtype.itemsize == 8 else keys.astype(np.uint64)
