"""Pairs of rows of one sparse matrix, on its raw CSR arrays.

The pair features compare rows two by two: the cosine of two TF-IDF rows, the items two texts share. In
scipy that is a row gather per side, an elementwise product and a row sum, each a new matrix whose
checks cost about 0.1 ms: on a 300-word document's few pairs, more than the arithmetic. Here the shared
entries of all pairs are found at once, by looking each entry of one row up among the other's.

``row_dots`` returns what ``matrix[ia].multiply(matrix[ib]).sum(axis=1)`` returns, bit for bit: the same
products, in the same order (ascending column), summed by the same ``np.add.reduceat`` scipy's row sum
calls (``tests/test_pair_rows.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def row_entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored entries of ``rows`` (a row may repeat), one after the other: (number of the row in
    ``rows``, position of the entry in the matrix's arrays)."""
    count = (indptr[rows + 1] - indptr[rows]).astype(np.int64)
    which = np.repeat(np.arange(len(rows)), count)
    first = np.repeat(np.cumsum(count) - count, count)
    return which, indptr[rows].astype(np.int64)[which] + np.arange(len(which)) - first


def shared_entries(indptr: np.ndarray, indices: np.ndarray, n_columns: int, ia: np.ndarray,
                   ib: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair ``(ia[k], ib[k])`` of rows (sorted, distinct columns in each row), the columns both
    hold, in ascending order: (pair, position of the entry of row ``ia[k]``, of row ``ib[k]``).

    Each entry of the shorter row of a pair is looked up in the other row by its (row, column) code in
    the matrix's codes, which CSR order already sorts: no sort, and a sentence paired with a long
    paragraph costs the sentence's entries."""
    sizes = np.diff(indptr)
    swap = sizes[ia] > sizes[ib]
    short, long_ = np.where(swap, ib, ia), np.where(swap, ia, ib)
    pair, at_short = row_entries(indptr, short)
    codes = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes) * n_columns + indices
    wanted = long_[pair] * n_columns + indices[at_short]
    at_long = np.searchsorted(codes, wanted)
    found = codes[np.minimum(at_long, len(codes) - 1)] == wanted if len(codes) else np.zeros(0, bool)
    pair, at_short, at_long = pair[found], at_short[found], at_long[found]
    swapped = swap[pair]
    return pair, np.where(swapped, at_long, at_short), np.where(swapped, at_short, at_long)


def shared_values(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, n_columns: int, ia: np.ndarray,
                  ib: np.ndarray, dtype: np.dtype | type | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair ``(ia[k], ib[k])`` of rows (sorted, distinct columns in each row, no stored zero), the
    entries of its shorter row (``ia[k]``'s when they are as long) whose column the other row holds too, in
    ascending column order: (pair, position of the entry in the matrix's arrays, the other row's value there).

    The other row's values are read from one dense (rows x columns) table of the matrix, in ``dtype`` (the
    data's by default; a narrower one holding every value makes a smaller table): a lookup per entry, where
    ``shared_entries`` searches. For a matrix of at most ``DENSE_CELLS`` cells (an article's texts), several
    times fewer steps than scipy's row gathers and merge, whose checks also cost more than the work."""
    sizes = np.diff(indptr)
    short = np.where(sizes[ia] > sizes[ib], ib, ia)
    long_ = ia + ib - short
    pair, at = row_entries(indptr, short)
    table = np.zeros((len(sizes)) * n_columns, dtype=dtype or data.dtype)
    table[np.repeat(np.arange(len(sizes), dtype=np.int64) * n_columns, sizes) + indices] = data
    other = table[long_[pair] * n_columns + indices[at]]
    # The positions of the hits, then three gathers: a boolean mask this long and this random costs numpy a
    # mispredicted branch an element, per array it selects from (an article's 40,000 n-gram lookups: 3x).
    found = np.flatnonzero(other != 0)  # of a bool array: a float one costs the same branch again
    return pair[found], at[found], other[found]


DENSE_CELLS = 1 << 20


def lookups(indptr: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> int:
    """How many entries ``shared_entries`` would look up: past ``LOOKUP_LIMIT``, scipy's merge of the two
    rows, one pass in C, is faster than a binary search per entry, and its checks no longer matter."""
    sizes = np.diff(indptr)
    return int(np.minimum(sizes[ia], sizes[ib]).sum())


LOOKUP_LIMIT = 20_000


def row_dots(matrix: sparse.csr_matrix, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """``np.asarray(matrix[ia].multiply(matrix[ib]).sum(axis=1)).ravel()``, the same floats."""
    if not matrix.has_canonical_format:
        return np.asarray(matrix[ia].multiply(matrix[ib]).sum(axis=1)).ravel()
    if matrix.shape[0] * matrix.shape[1] <= DENSE_CELLS and matrix.data.all():
        # Products in either order are the same floats; an entry the other row lacks gives 0, dropped below. A
        # lookup per entry whatever their number (an article's character n-grams: 40,000, past ``LOOKUP_LIMIT``,
        # where scipy's gathers and merge took a third longer).
        pair, at, other = shared_values(matrix.indptr, matrix.indices, matrix.data, matrix.shape[1], ia, ib)
        products = matrix.data[at] * other
    elif lookups(matrix.indptr, ia, ib) > LOOKUP_LIMIT:
        return np.asarray(matrix[ia].multiply(matrix[ib]).sum(axis=1)).ravel()
    else:
        pair, at_a, at_b = shared_entries(matrix.indptr, matrix.indices, matrix.shape[1], ia, ib)
        products = matrix.data[at_a] * matrix.data[at_b]
    kept = products != 0  # scipy's product stores no zeros (an underflow)
    pair, products = pair[kept], products[kept]
    out = np.zeros(len(ia))
    if len(pair):
        starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
        out[pair[starts]] = np.add.reduceat(products, starts)
    return out
