"""Two texts' units as rows (TF-ISF weights and word sets) and their cosines, held whole for short texts and
computed as they are asked for in long ones.

``Alignment`` compares every unit (sentence) of one text with every unit of the other. Held as arrays of
(units of a) x (units of b) cells, cosines, shared words and Dice, two 3.3 MB texts (31,000 units each) took
19.5 GB, and a scan holding two such documents that share a passage stopped with a MemoryError. Past
``LAZY_CELLS`` cells, ``LazyCosines`` keeps only the two texts' rows: the pairs at or above a threshold are
found a block of rows at a time (the rest of each block dropped), and the few cells and slices the search
reads are computed when read.

Every value is the one the whole sparse product gives: scipy sums each cell over the words of its row in the
same order whichever rows and columns are asked, so the passages found are those the whole arrays gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import sparse

from dedup.reuse.units import Units

DENSE_CELLS = 1 << 20  # units x vocabulary past which the rows are sparse
ROW_PARTNERS = 64  # cells a unit keeps in the other text when it is alike to more (``LazyCosines._nearest``)
LAZY_CELLS = 1 << 20  # unit pairs past which two texts' cosines are computed as asked (held whole: about 20 MB)
_BLOCK_CELLS = 1 << 22  # cells of one block of rows of the product
# The lowest threshold the default settings ask for (a summary's seeds): the first search for pairs goes this
# low, so the passages' seeds (0.35) and the summaries' share one pass over the product.
_FIRST_FLOOR = 0.3


@dataclass(frozen=True)
class WordWeights:
    """The ISF weight (times the corpus IDF, where given) of each word of two texts' units (``unit_rows``)."""

    words: np.ndarray  # stem hashes, ascending
    weights: np.ndarray  # float64, ``words``' weights

    def cosine(self, stems_a: np.ndarray, stems_b: np.ndarray) -> float:
        """The TF-ISF cosine of two runs of content words (stem hashes; a word of neither text weighs nothing):
        of a copy cut to its shared runs, inside units longer than it."""
        vectors = []
        for stems in (stems_a, stems_b):
            at = np.minimum(np.searchsorted(self.words, stems), max(len(self.words) - 1, 0))
            known = at[self.words[at] == stems] if len(self.words) else at[:0]
            vectors.append(np.bincount(known, minlength=len(self.words)) * self.weights)
        norm = float(np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1]))
        return float(vectors[0] @ vectors[1]) / norm if norm else 0.0


def unit_rows(units_a: Units, units_b: Units, idf: Callable[[np.ndarray], np.ndarray] | None = None):
    """L2-normalized TF-ISF rows and binary word-set rows of both texts' units, on one vocabulary (dense:
    two texts' units and words are a few thousand at most, where scipy's per-call cost dominated); and the
    words' weights (``WordWeights``)."""
    same = units_a is units_b
    stems = units_a.stems if same else np.concatenate((units_a.stems, units_b.stems))
    sizes = np.diff(units_a.stem_offsets) if same else np.concatenate((np.diff(units_a.stem_offsets),
                                                                      np.diff(units_b.stem_offsets)))
    n_units = len(sizes)
    rows = np.repeat(np.arange(n_units), sizes)
    vocabulary, first, cols = np.unique(stems, return_index=True, return_inverse=True)
    # Columns in order of first sight, as a dictionary numbers them: the float32 sums (and so the cosines'
    # last digits) do not depend on the words' hashes.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ascending = vocabulary  # np.unique's order, for ``WordWeights``' lookups
    vocabulary, cols = vocabulary[order], rank[cols.ravel()]
    # Long texts: sparse rows (a 1,000 x 5,000 product took 50 ms), and so are texts of many units over a few words
    # (one line repeated through both): their product is searched lazily, never held whole (``LazyCosines``).
    if n_units * len(vocabulary) > DENSE_CELLS or len(units_a) * len(units_b) > LAZY_CELLS:
        counts = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                   shape=(n_units, len(vocabulary)))
        counts.sum_duplicates()
        binary = counts.copy()
        binary.data[:] = 1.0
        isf = np.log((n_units + 1) / (np.asarray(binary.sum(axis=0)).ravel() + 1)) + 1.0
        isf = isf if idf is None else isf * idf(vocabulary)
        weights = sparse.csr_matrix(counts.multiply(isf[None, :].astype(np.float32)))
        norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
        weights = sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ weights)
    else:
        # Counted with bincount (np.add.at took a fifth of a long pair's alignment); exact in float32.
        cells = n_units * len(vocabulary)
        counts = np.bincount(rows * len(vocabulary) + cols, minlength=cells).astype(np.float32).reshape(
            n_units, len(vocabulary))
        binary = (counts > 0).astype(np.float32)
        isf = np.log((n_units + 1) / (binary.sum(axis=0) + 1)) + 1.0
        isf = isf if idf is None else isf * idf(vocabulary)
        weights = counts * isf[None, :].astype(np.float32)
        weights /= np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)
    word_weights = WordWeights(ascending, np.asarray(isf, np.float64)[rank])  # rank: a sorted word's column
    if same:
        return weights, weights, binary, binary, word_weights
    n = len(units_a)
    return weights[:n], weights[n:], binary[:n], binary[n:], word_weights


class LazyCosines:
    """``weights_a @ weights_b.T`` (two texts' L2-normalized unit rows, sparse), indexed like the array it
    stands for (``cosine[i, j]``, ``cosine[rows]``, ``cosine[:, cols]``, ``cosine[a0:a1, j]``) without ever
    being held whole; ``at_least`` gives the cells at or above a threshold."""

    def __init__(self, weights_a: sparse.csr_matrix, weights_b: sparse.csr_matrix) -> None:
        self.rows, self.columns = sparse.csr_matrix(weights_a), sparse.csr_matrix(weights_b.T)
        self._rows_b = sparse.csr_matrix(weights_b)  # the columns asked for, read as rows: no scan of all of them
        self.shape = (weights_a.shape[0], weights_b.shape[0])
        self._found: tuple[float, np.ndarray, np.ndarray, np.ndarray] | None = None

    def __getitem__(self, key):
        rows, columns = key if isinstance(key, tuple) else (key, slice(None))
        cells = (self.rows[_index(rows)] @ self._columns(columns)).toarray()
        if np.ndim(rows) == 0 and not isinstance(rows, slice):
            cells = cells[0]
        if np.ndim(columns) == 0 and not isinstance(columns, slice):
            cells = cells[..., 0]
        return cells

    def cells(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """``self[rows[k], columns[k]]`` for every k: the product of the rows and columns asked, a block of rows
        at a time (each cell summed as when it is asked alone), not one product a cell."""
        found = np.zeros(len(rows), dtype=self.rows.dtype)
        if not len(rows):
            return found
        distinct_rows, row_at = np.unique(rows, return_inverse=True)
        distinct_columns, column_at = np.unique(columns, return_inverse=True)
        right = self._columns(distinct_columns)
        step = max(1, _BLOCK_CELLS // len(distinct_columns))
        for start in range(0, len(distinct_rows), step):
            block = (self.rows[distinct_rows[start:start + step]] @ right).toarray()
            inside = (row_at >= start) & (row_at < start + step)
            found[inside] = block[row_at[inside] - start, column_at[inside]]
        return found

    def _columns(self, columns) -> sparse.csr_matrix:
        """The product's columns ``columns`` (a key as ``__getitem__`` takes it), as the rows of b they are: slicing
        the columns of the transposed rows read every word of b, once a passage (tens of seconds on a catalogue)."""
        if isinstance(columns, slice) and columns == slice(None):
            return self.columns
        return sparse.csr_matrix(self._rows_b[_index(columns)].T)

    def at_least(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, cosines) of the cells at or above ``threshold`` (cells of cosine 0 never: no shared
        word makes no pair), in no set order."""
        if self._found is None or self._found[0] > threshold:
            self._found = (min(threshold, _FIRST_FLOOR), *self._search(min(threshold, _FIRST_FLOOR)))
        floor, rows, columns, values = self._found
        if floor == threshold:
            return rows, columns, values
        keep = values >= threshold
        return rows[keep], columns[keep], values[keep]

    def _search(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        step = max(1, _BLOCK_CELLS // max(self.shape[1], 1))
        found = []
        for start in range(0, self.shape[0], step):
            block = sparse.csr_matrix(self.rows[start:start + step] @ self.columns)
            keep = block.data >= threshold
            rows = np.repeat(np.arange(start, start + block.shape[0]), np.diff(block.indptr))
            found.append(self._nearest(rows[keep], block.indices[keep].astype(np.int64), block.data[keep]))
        if not found:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        return tuple(np.concatenate(parts) for parts in zip(*found))

    def _nearest(self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray) -> tuple:
        """The cells of each row (a block's, rows ascending), at most ``ROW_PARTNERS`` of them: the highest, the
        nearest the diagonal among equals. A line repeated through both texts ("Read more...") matches every copy
        of itself: the cells kept grew with the product of the texts' lengths."""
        if not len(rows) or np.bincount(rows - rows[0]).max() <= ROW_PARTNERS:
            return rows, columns, values
        diagonal = np.abs(columns - rows * (self.shape[1] / max(self.shape[0], 1)))
        order = np.lexsort((columns, diagonal, -values, rows))  # by row, best first
        rows, columns, values = rows[order], columns[order], values[order]
        first = np.concatenate(([True], rows[1:] != rows[:-1]))
        rank = np.arange(len(rows)) - np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
        kept = rank < ROW_PARTNERS
        return rows[kept], columns[kept], values[kept]


def pair_dots(a: sparse.csr_matrix, b: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``a[rows[k]] . b[columns[k]]`` for every k (the cells of ``a @ b.T`` at those places), in ``a``'s dtype."""
    if not len(rows):
        return np.zeros(0, a.dtype)
    return np.asarray(a[rows].multiply(b[columns]).sum(axis=1), dtype=a.dtype).ravel()


def _index(key):
    """A row or column key as scipy takes it: a one-cell list for a lone index, so the result stays 2-d."""
    if isinstance(key, slice):
        return key
    if np.ndim(key) == 0:
        return [int(key)]
    return np.asarray(key)


def word_idf(table: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The IDF of each word of an array of stem hashes (``units.Units.stems``), read from a corpus's IDF per
    bucket (``HashedIdf.idf()``): what the alignment weighs words by in a scan or an index (``align_units``'
    ``idf``). A word's bucket is the one its token has in a corpus scan (token hashes carry two flag bits
    below the word's hash, which the bucket shifts out)."""
    size = np.uint64(len(table))
    return lambda stems: np.asarray(table[((np.asarray(stems, np.uint64) >> np.uint64(2)) % size).astype(np.int64)],
                                    dtype=np.float32)
