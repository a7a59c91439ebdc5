"""Screen candidate document pairs before they are aligned: a pair whose sentence pairs come nowhere near what
the alignment needs for a passage is not aligned.

The alignment (``reuse.align``) seeds a passage on a sentence pair whose TF-ISF cosine reaches
``AlignSettings.seed_cosine`` and whose content-word Dice coefficient reaches ``seed_dice`` (or on an exact
shared run of words), groups seeds into passages and keeps a group whose two sides, as wholes, have a
cosine of ``passage_cosine``: a lone seed is a passage only when its own cosine is that high. The reuse
search's seeds (``reuse.search.Seeds``, pass one's tokens) hold every sentence's content words as IDF
buckets, so the sentence pairs of many candidates are scored the same way from them at once, in one sparse
product, without cutting the texts into the alignment's units: a sentence pair's **reach** is the lower of
``cosine / seed_cosine`` and ``dice / seed_dice`` (1 or more: a seed). A scan screens from pass one's seeds,
kept in a file (``corpus.seed_file``), before it re-reads the texts of the pairs it keeps; Spark's tasks
from the texts they align, tokenized again (``corpus.reuse_pass.screen_pairs``).

A scan aligns a pair (``ReuseSearch.screened``) with two sentence pairs reaching ``ReuseSearch.screen``
(0.8), or one whose cosine is also ``screen`` x ``passage_cosine``: a margin below the alignment's own
rules, as pass one's sentences are not quite the alignment's units (a unit joins a short sentence to the
next). Pairs sharing a copied-run key are aligned whatever their sentences (their seeds are the shared
run).

Most candidates of a corpus of unrelated documents are chance meetings of uncommon words in different
sentences: on 20,000 generated documents, 3,800 of the 4,100 pairs sharing only sentence keys share the
minimum three, and one of them has a passage; cutting and aligning them was most of the reuse step's time.
On PAN 2013's training corpus scanned whole, no pair with a passage had a best reach under 0.99 nor, with
one seed, a cosine under 0.43 (docs/benchmarks.md, "Reuse candidates screened").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import numpy as np
from scipy import sparse

from dedup.reuse.align import AlignSettings
from dedup.util.arrays import range_positions

if TYPE_CHECKING:  # search.py screens with ``reach``
    from dedup.reuse.search import Seeds

_ROWS_PER_PART = 2_000_000  # (pair, word) rows of one side built at once
_CELLS_PER_PART = 8_000_000  # sentence pairs of a part's documents, at most (about 40 bytes each in the products)


@dataclass(frozen=True)
class Reach:
    """What the screen reads of each candidate pair's sentence pairs (see the module docstring).

    ``best``: the highest reach of a sentence pair; ``near``: the sentence pairs reaching the ``near`` given to
    ``reach``; ``near_cosine``: the highest cosine among those (0 when none)."""

    best: np.ndarray
    near: np.ndarray
    near_cosine: np.ndarray

    def passes(self, screen: float, settings: AlignSettings) -> np.ndarray:
        """Which pairs could give a passage, with the margin ``screen`` (the ``near`` of ``reach``): two near
        seeds, or one whose cosine is near ``passage_cosine`` too."""
        return (self.near >= 2) | (self.near_cosine >= screen * settings.passage_cosine)


def reach(seeds: Seeds, pairs: np.ndarray, idf: np.ndarray, settings: AlignSettings, near: float = 1.0) -> Reach:
    """Each document pair's sentence pairs scored as the alignment scores seeds (see the module docstring).

    Parameters
    ----------
    seeds : Seeds
        Pass one's seeds of (at least) every document of ``pairs``, in document order.
    pairs : ndarray of shape (m, 2)
        Document pairs, numbered as ``seeds.unit_doc``.
    idf : ndarray
        The corpus IDF of each bucket (``HashedIdf.idf()``), as the alignment weighs words.
    settings : AlignSettings
        The alignment's seed thresholds.
    near : float, default=1.0
        The reach a sentence pair needs to count in ``Reach.near``.

    Returns
    -------
    Reach
        Arrays of shape (m,); 0 for a pair of which a document has no sentence with content words.
    """
    found = Reach(np.zeros(len(pairs), np.float32), np.zeros(len(pairs), np.int64), np.zeros(len(pairs), np.float32))
    if not len(pairs) or not len(seeds.unit_doc):
        return found
    units = _DocUnits(seeds)
    pairs = np.asarray(pairs, dtype=np.int64)
    sentence_pairs = units.units(pairs[:, 0])[1] * units.units(pairs[:, 1])[1]
    # A pair whose sentences meet more than ``_CELLS_PER_PART`` times through shared words (one line repeated
    # through both texts) would hold them all at once: it passes unscreened, and the alignment, whose memory is
    # bounded, decides it. Only pairs with that many sentence pairs at all are looked at word by word.
    for k in np.flatnonzero(sentence_pairs > _CELLS_PER_PART):
        if _meetings(seeds.words, units, pairs[k]) > _CELLS_PER_PART:
            found.best[k], found.near[k], found.near_cosine[k] = np.inf, 2, 1.0
            sentence_pairs[k] = 0
    screened = np.flatnonzero(np.isfinite(found.best))
    words_of_pair = units.words(pairs[screened, 0]) + units.words(pairs[screened, 1])
    size = np.maximum(words_of_pair / _ROWS_PER_PART,
                      np.minimum(sentence_pairs[screened], _CELLS_PER_PART) / _CELLS_PER_PART)
    for start, end in _parts(size, 1.0):
        part = screened[start:end]
        pair, ratio, cosine = _cells(seeds.words, idf, units, pairs[part], settings)
        pair = part[pair]
        np.maximum.at(found.best, pair, ratio)
        close = ratio >= near
        np.add.at(found.near, pair[close], 1)
        np.maximum.at(found.near_cosine, pair[close], cosine[close])
    return found


def _meetings(words: np.ndarray, units: "_DocUnits", pair: np.ndarray) -> int:
    """How many times the sentences of a pair's two documents meet on a shared word: a bound on the sentence
    pairs the product would hold (each word counted once a sentence)."""
    per_word = []
    for doc in pair:
        first, count = (int(v[0]) for v in units.units(np.array([doc])))
        sentences = np.arange(first, first + count)
        row, at = range_positions(units.word_end[sentences] - units.word_count[sentences], units.word_count[sentences])
        once = np.unique((row.astype(np.int64) << 32) | words[at].astype(np.int64)) & 0xFFFFFFFF
        per_word.append(np.bincount(once))  # sentences holding each word
    shared = min(len(per_word[0]), len(per_word[1]))
    return int(per_word[0][:shared] @ per_word[1][:shared])


class _DocUnits:
    """Where each document's sentences, and each sentence's words, lie in the seeds."""

    def __init__(self, seeds: Seeds) -> None:
        self.unit_doc = seeds.unit_doc
        self.word_end = np.cumsum(seeds.unit_words, dtype=np.int64)
        self.word_count = seeds.unit_words.astype(np.int64)

    def units(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's first sentence and number of sentences."""
        first = np.searchsorted(self.unit_doc, docs, side="left")
        return first, np.searchsorted(self.unit_doc, docs, side="right") - first

    def words(self, docs: np.ndarray) -> np.ndarray:
        """Each document's number of content words."""
        first, count = self.units(docs)
        ends = np.concatenate(([0], self.word_end))
        return ends[first + count] - ends[first]


def _parts(sizes: np.ndarray, limit: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` runs of consecutive items whose sizes add up to about ``limit`` (at least one each)."""
    ends = np.cumsum(sizes)
    start = 0
    while start < len(sizes):
        end = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + limit, side="right")))
        yield start, min(end, len(sizes))
        start = end


def _side(words: np.ndarray, units: _DocUnits, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One side's sentences of each pair: each word's row (a sentence), its ``pair << 32 | bucket`` code, and
    each row's pair."""
    row_pair, unit = range_positions(*units.units(docs))
    row, at = range_positions(units.word_end[unit] - units.word_count[unit], units.word_count[unit])
    codes = (row_pair[row].astype(np.uint64) << np.uint64(32)) | words[at].astype(np.uint64)
    return row, codes, row_pair


def _cells(words: np.ndarray, idf: np.ndarray, units: _DocUnits, pairs: np.ndarray,
           settings: AlignSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentence pairs of a part of the pairs that share a word: each one's pair, reach and cosine. Each
    side's sentences are rows over columns ``(pair, word)``, so that one sparse product meets every sentence
    of a pair's ``a`` with every sentence of its ``b`` and nothing else; weighed as ``unit_rows.unit_rows`` weighs
    them (term count x inverse sentence frequency over the two texts x corpus IDF)."""
    rows_a, codes_a, pair_a = _side(words, units, pairs[:, 0])
    rows_b, codes_b, pair_b = _side(words, units, pairs[:, 1])
    columns, column_of = _distinct(np.concatenate((codes_a, codes_b)))
    counts = [_counts(rows, column_of[:len(codes_a)] if side == 0 else column_of[len(codes_a):], n_rows,
                      len(columns)) for side, (rows, n_rows) in enumerate(((rows_a, len(pair_a)),
                                                                           (rows_b, len(pair_b))))]
    binary = [c.copy() for c in counts]
    for matrix in binary:
        matrix.data[:] = 1.0
    sentence_frequency = np.bincount(np.concatenate([b.indices for b in binary]), minlength=len(columns))
    n_sentences = np.bincount(pair_a, minlength=len(pairs)) + np.bincount(pair_b, minlength=len(pairs))
    column_pair = (columns >> np.uint64(32)).astype(np.int64)
    isf = np.log((n_sentences[column_pair] + 1) / (sentence_frequency + 1)) + 1.0
    weight = (isf * idf[(columns & np.uint64(0xFFFFFFFF)).astype(np.int64)]).astype(np.float32)
    weighted = [_normalized(c, weight) for c in counts]
    cosine, shared = (_product(left, right) for left, right in (weighted, binary))
    if not (np.array_equal(cosine.indptr, shared.indptr) and np.array_equal(cosine.indices, shared.indices)):
        shared = _on_cells(shared, cosine)  # every weight is positive, so this is not expected
    row = np.repeat(np.arange(len(pair_a)), np.diff(cosine.indptr))
    sizes_a, sizes_b = np.diff(binary[0].indptr), np.diff(binary[1].indptr)
    dice = 2 * shared.data / np.maximum(sizes_a[row] + sizes_b[cosine.indices], 1)
    ratio = np.minimum(cosine.data / settings.seed_cosine, dice / settings.seed_dice).astype(np.float32)
    return pair_a[row], ratio, cosine.data.astype(np.float32)


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_inverse=True)`` by an argsort: ``np.unique``'s took 2.1 of 5 s of a part of PAN's
    pairs. Equal codes get one column whatever their order, so the sort need not be stable: numpy's default
    (vectorized where the processor allows) took 2.5 where a stable one took 6.3 ms for 256 pairs of
    generated documents."""
    order = np.argsort(codes)
    ordered = codes[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    inverse = np.empty(len(codes), np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _product(left: sparse.csr_matrix, right: sparse.csr_matrix) -> sparse.csr_matrix:
    # Not sorted: one algorithm on one sparsity pattern lists the cells of both products in the same order.
    return sparse.csr_matrix(left @ right.T)


def _on_cells(values: sparse.csr_matrix, cells: sparse.csr_matrix) -> sparse.csr_matrix:
    """``values`` read at the nonzero cells of ``cells``, in their order."""
    coo = cells.tocoo()
    read = cells.copy()
    read.data = np.asarray(values[coo.row, coo.col]).ravel().astype(read.data.dtype)
    return read


def _counts(rows: np.ndarray, columns: np.ndarray, n_rows: int, n_columns: int) -> sparse.csr_matrix:
    counts = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)), shape=(n_rows, n_columns))
    counts.sum_duplicates()
    return counts


def _normalized(counts: sparse.csr_matrix, weight: np.ndarray) -> sparse.csr_matrix:
    weighted = counts.copy()
    weighted.data *= weight[weighted.indices]
    row = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    norms = np.sqrt(np.bincount(row, weights=weighted.data.astype(np.float64) ** 2, minlength=weighted.shape[0]))
    weighted.data /= np.maximum(norms, 1e-12)[row]
    return weighted
