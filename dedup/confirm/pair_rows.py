"""The word-level pair features of ``features.FEATURES`` for many pairs at once.

``PairFeaturizer`` once built each row in Python, pair by pair: set intersections of n-gram Counters,
difflib's longest match, a bit-parallel edit distance in Python integers. That was most of the
restatement search's time, though an article's pairs are drawn from a few dozen texts. Here every text
is described once (``TextProfiles``: its words, stems, n-grams, content words, names, numbers and dates
as integer ids, counted in one matrix with a column block per kind), and all pairs' overlaps come from
the items both texts of each pair hold (``csr_rows``), with their clipped counts for BLEU; the longest
run from ``runs``, the edit distance from rapidfuzz (the same Levenshtein distance, in C++).

Every value equals the per-pair original's bit for bit: the same integer counts, divided as before;
the logarithms are taken with ``math`` as before (numpy's may differ in the last bit);
``tests/test_pair_rows.py`` compares with the original on labelled pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate
from typing import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein
from scipy import sparse

from dedup.confirm.csr_rows import DENSE_CELLS, LOOKUP_LIMIT, lookups, shared_entries, shared_values
from dedup.confirm.runs import longest_runs
from dedup.util.arrays import numbered

# Column blocks of ``TextProfiles.counts``, one kind of item each.
CONTENT = 0  # content words (the tokenizer's), a set
GRAMS = (1, 2, 3, 4)  # 1- to 4-grams of all words, counted
STEM_GRAMS = (5, 6, 7, 8)  # 1- to 4-grams of the stemmed words, counted
ENTITIES = (9, 10, 11)  # numbers, dates, names: sets
KINDS = 12
MERGE_ENTRIES = 4_000_000  # stored entries of the pairs' rows ``_shared_by_merge`` gathers at a time
ROW_WIDTH = 36  # the values one pair gets here, in ``FEATURES`` order less the cosines, alignment, char gap


@dataclass
class TextProfiles:
    """What the pair features need of each text, as ids and counts.

    ``words`` and ``stems`` are each text's word ids (every word, lower-cased; their light stems), for the
    longest run and the edit distance; ``counts`` has a row per text and a column per (kind, item), and
    ``distinct`` / ``total`` hold each text's number of items and their summed counts per kind.
    """

    words: list[np.ndarray]
    stems: list[list[int]]
    counts: Rows
    kind: np.ndarray  # the kind of each column of ``counts``
    distinct: np.ndarray  # (texts, KINDS)
    total: np.ndarray  # (texts, KINDS)
    prefixes: Rows  # (texts, 5-letter prefixes): content words each prefix begins
    negated: np.ndarray
    n_words: np.ndarray

    @classmethod
    def build(cls, words: Sequence[list[str]], stems: Sequence[list[str]], content: Sequence[list[str]],
              entities: Sequence[tuple[frozenset, frozenset, frozenset, bool]]) -> "TextProfiles":
        """Profiles of texts given their words, stems, content words and ``(numbers, dates, names,
        negated)``."""
        n = len(words)
        # Words and stems numbered, and their n-grams counted, in one pass over 2n sequences (texts n.. are the
        # stems): half the numpy calls. Only equality of ids and counts are read, so sharing ids changes nothing.
        ids = _ids([*words, *stems])
        word_ids, stem_ids = ids[:n], ids[n:]
        blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []  # (kind, text, item, count)
        for word_kind, stem_kind, (text, item, count) in zip(GRAMS, STEM_GRAMS, _ngram_counts(ids, len(GRAMS))):
            cut = int(np.searchsorted(text, n))  # sorted by text
            blocks += [(word_kind, text[:cut], item[:cut], count[:cut]),
                       (stem_kind, text[cut:] - n, item[cut:], count[cut:])]
        content_words = [set(c) for c in content]
        vocabulary = numbered(w for found in content_words for w in found)
        content_items = _set_items(content_words, vocabulary)
        blocks.append((CONTENT, *content_items))
        for i, kind in enumerate(ENTITIES):
            sets = [e[i] for e in entities]
            blocks.append((kind, *_set_items(sets, numbered(m for found in sets for m in found))))
        counts, kind = _stack(n, blocks)
        entry = np.repeat(np.arange(n), np.diff(counts.indptr)) * KINDS + kind[counts.indices]
        distinct = np.bincount(entry, minlength=n * KINDS).reshape(n, KINDS)
        total = np.bincount(entry, weights=counts.data, minlength=n * KINDS).reshape(n, KINDS).astype(np.int64)
        prefixes, _ = _stack(n, [(0, *_prefix_items(*content_items[:2], vocabulary))])
        return cls(words=word_ids, stems=[s.tolist() for s in stem_ids], counts=counts, kind=kind,
                   distinct=distinct, total=total, prefixes=prefixes,
                   negated=np.array([bool(e[3]) for e in entities], dtype=bool),
                   n_words=np.array([len(w) for w in words], dtype=np.int64))

    def rows(self, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        """The feature values of the pairs ``(ia[k], ib[k])`` (text numbers), shape (pairs, ``ROW_WIDTH``)."""
        n = len(ia)
        if not n:
            return np.zeros((0, ROW_WIDTH))
        shared_items, clipped = self._shared(ia, ib)
        sx, sy = self.distinct[ia], self.distinct[ib]
        both = (sx > 0) & (sy > 0)
        low, high = np.minimum(sx, sy), np.maximum(sx, sy)
        over_low = np.where(both, shared_items / np.maximum(low, 1), 0.0)
        over_high = np.where(both, shared_items / np.maximum(high, 1), 0.0)
        cx, cy, shared = sx[:, CONTENT], sy[:, CONTENT], shared_items[:, CONTENT]
        union = cx + cy - shared
        jaccard = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
        union_e = sx + sy - shared_items
        conflict = np.where(both, 1.0 - shared_items / np.maximum(union_e, 1), 0.0)
        one_sided = np.where(both, 0.0, ((sx > 0) != (sy > 0)).astype(float))
        wx, wy = self.n_words[ia], self.n_words[ib]
        short, long_ = np.minimum(wx, wy), np.maximum(wx, wy)
        run = self._longest_runs(ia, ib, shared_items[:, GRAMS[0]] > 0)
        edits = np.array([Levenshtein.distance(self.stems[i], self.stems[j]) for i, j in zip(ia.tolist(),
                                                                                           ib.tolist())])
        prefixed_x, prefixed_y = self._prefixed(ia, ib)
        unrelated = np.maximum(cx - prefixed_x, cy - prefixed_y)
        log_length, unmatched_more, unmatched_fewer, unmatched_unrelated, log_gap, bleu_f, bleu_b = _logs(
            short, long_, cx - shared, cy - shared, unrelated, clipped, self.total[ia][:, STEM_GRAMS],
            self.total[ib][:, STEM_GRAMS])
        gram_columns = [c for kind in GRAMS for c in (over_low[:, kind], over_high[:, kind])]
        stem_columns = [c for kind in STEM_GRAMS for c in (over_low[:, kind], over_high[:, kind])]
        agreement = [c for kind in ENTITIES for c in (conflict[:, kind], one_sided[:, kind])]
        return np.column_stack([
            jaccard, over_low[:, CONTENT], *gram_columns, np.where(short > 0, run / np.maximum(short, 1), 0.0),
            *agreement, (self.negated[ia] != self.negated[ib]).astype(float),
            np.where(long_ > 0, short / np.maximum(long_, 1), 0.0), log_length,
            unmatched_more, unmatched_fewer, unmatched_unrelated,
            np.where(long_ > 0, (long_ - short) / ((short + long_) / 2), 0.0), log_gap,
            *stem_columns, np.where(long_ > 0, edits / np.maximum(long_, 1), 0.0), bleu_f, bleu_b,
        ])

    def _shared(self, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(items both texts of each pair have, per kind; their clipped counts min(x, y) summed, for the
        stem n-grams)."""
        c = self.counts
        if (len(c.indptr) - 1) * c.n_columns <= DENSE_CELLS:  # an article's texts: one table (``csr_rows``)
            # Counts are positive: a small one fits 16 bits, a quarter of the table.
            narrow = np.uint16 if not len(c.data) or int(c.data.max()) < 1 << 16 else None
            pair, at, other = shared_values(c.indptr, c.indices, c.data, c.n_columns, ia, ib, narrow)
            kind, clipped = c.indices[at], np.minimum(c.data[at], other)
        elif lookups(c.indptr, ia, ib) > LOOKUP_LIMIT:  # many long texts: scipy's merge (see ``csr_rows``)
            pair, kind, clipped = _shared_by_merge(c.matrix(), ia, ib, MERGE_ENTRIES)
        else:
            pair, at_a, at_b = shared_entries(c.indptr, c.indices, c.n_columns, ia, ib)
            kind, clipped = c.indices[at_a], np.minimum(c.data[at_a], c.data[at_b])
        key = pair * KINDS + self.kind[kind]
        shared = np.bincount(key, minlength=len(ia) * KINDS).reshape(len(ia), KINDS)
        clipped = np.bincount(key, weights=clipped, minlength=len(ia) * KINDS).reshape(len(ia), KINDS)
        return shared, clipped[:, STEM_GRAMS].astype(np.int64)

    def _prefixed(self, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Content words of text ``ia[k]`` whose 5-letter prefix begins a content word of ``ib[k]``, and the
        same the other way."""
        p = self.prefixes
        if (len(p.indptr) - 1) * p.n_columns <= DENSE_CELLS:  # as ``_shared``: one table; the values of a's row
            pair, at, other = shared_values(p.indptr, p.indices, p.data, p.n_columns, ia, ib)
            sizes = np.diff(p.indptr)
            swapped = (sizes[ia] > sizes[ib])[pair]  # the entries read are b's, the table's a's
            of_a, of_b = np.where(swapped, other, p.data[at]), np.where(swapped, p.data[at], other)
        else:
            pair, at_a, at_b = shared_entries(p.indptr, p.indices, p.n_columns, ia, ib)
            of_a, of_b = p.data[at_a], p.data[at_b]
        return (np.bincount(pair, weights=of_a, minlength=len(ia)).astype(np.int64),
                np.bincount(pair, weights=of_b, minlength=len(ia)).astype(np.int64))

    def _longest_runs(self, ia: np.ndarray, ib: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """difflib's ``find_longest_match`` size over all words, for each pair."""
        return longest_runs(self.words, np.stack((ia, ib), axis=1), shares)


def _shared_by_merge(matrix: sparse.csr_matrix, ia: np.ndarray, ib: np.ndarray,
                     entries: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair, column, min of the two values) of each column both rows of a pair hold (values > 0), with scipy's
    merge of the rows, ``entries`` stored entries of the pairs' rows at a time: the rows of all pairs gathered
    at once took 1.7 GB for the 5,000 candidates of an 800 KB page (long paragraphs of thousands of n-grams)."""
    sizes = np.diff(matrix.indptr)
    held = np.cumsum(sizes[ia] + sizes[ib])  # entries of the pairs' rows up to each pair
    found, lo = [], 0
    while lo < len(ia):
        hi = max(lo + 1, int(np.searchsorted(held, (held[lo - 1] if lo else 0) + entries, side="right")))
        both = matrix[ia[lo:hi]].minimum(matrix[ib[lo:hi]])  # stored where both have the item
        found.append((lo + np.repeat(np.arange(hi - lo), np.diff(both.indptr)), both.indices, both.data))
        lo = hi
    return tuple(np.concatenate(parts) for parts in zip(*found))


def _logs(short: np.ndarray, long_: np.ndarray, only_x: np.ndarray, only_y: np.ndarray, unrelated: np.ndarray,
          matched: np.ndarray, totals_x: np.ndarray, totals_y: np.ndarray) -> list[np.ndarray]:
    """The features that take a logarithm, for all pairs: log length, unmatched more / fewer / unrelated, log
    length gap, BLEU forward and backward (``sequences.ngram_precisions`` from the clipped matches and each
    side's n-gram totals; (pairs, 4) each). The logarithms are ``math``'s, as the per-pair original's (numpy's
    may differ in the last bit), mapped over lists; the rest is exact integer arithmetic, divisions of exact
    floats and sums in the same order, the same in numpy as in Python."""
    def mapped(f, values: np.ndarray) -> np.ndarray:
        return np.fromiter(map(f, values.ravel().tolist()), np.float64, values.size).reshape(values.shape)

    # Each side's four log precisions summed left to right, as the original's loop added them.
    sides = [mapped(math.log, (matched + 1) / (totals + 1)) for totals in (totals_x, totals_y)]
    bleu = [mapped(math.exp, (((side[:, 0] + side[:, 1]) + side[:, 2]) + side[:, 3]) / 4) for side in sides]
    return [mapped(math.log1p, (short + long_) / 2), mapped(math.log1p, np.maximum(only_x, only_y)),
            mapped(math.log1p, np.minimum(only_x, only_y)), mapped(math.log1p, unrelated),
            mapped(math.log1p, long_ - short), *bleu]


def _ids(sequences: Sequence[list[str]]) -> list[np.ndarray]:
    """Each sequence of strings as ids, equal strings equal ids across the sequences."""
    flat = [w for seq in sequences for w in seq]
    ids = np.fromiter(map(numbered(flat).__getitem__, flat), np.int64, len(flat))
    ends = list(accumulate(map(len, sequences)))  # slices: np.split's wrapper cost a third of this
    return [ids[start:end] for start, end in zip([0, *ends], ends)]


def _ngram_counts(sequences: list[np.ndarray], most: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For n = 1..``most``: (text, n-gram id, count) of every distinct n-gram of each sequence. An n-gram
    id numbers the pair (its first (n-1)-gram's id, its last item) densely, so ids never collide."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    flat = np.concatenate(sequences) if sequences else np.zeros(0, np.int64)
    text = np.repeat(np.arange(len(sequences)), lengths)
    base = int(flat.max()) + 1 if len(flat) else 1
    out = []
    gram = flat
    for n in range(1, most + 1):
        keep = slice(None)
        if n > 1:
            windows = max(len(flat) - n + 1, 0)
            gram = _renumbered(gram[:windows] * base + flat[n - 1:])
            keep = np.flatnonzero(text[:windows] == text[n - 1:])  # windows inside one text
        width = int(gram.max()) + 1 if len(gram) else 1
        code = np.sort(text[:len(gram)][keep] * width + gram[keep])
        first = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1]))) if len(code) else code
        count = np.diff(np.append(first, len(code)))
        out.append((code[first] // width, code[first] % width, count))
    return out


def _renumbered(keys: np.ndarray) -> np.ndarray:
    """Dense ids of ``keys``, equal keys equal ids (``np.unique(..., return_inverse=True)``, by sorting: numpy
    2's hash-based unique was slower on these)."""
    order = np.argsort(keys)  # the order of equal keys does not matter: they get one id
    ordered = keys[order]
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = np.cumsum(np.concatenate(([False], ordered[1:] != ordered[:-1])))
    return ids


def _set_items(sets: Sequence, number: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(text, item id, count 1) of every item of each set, items numbered by ``number``."""
    members = [m for found in sets for m in found]
    rows = np.repeat(np.arange(len(sets), dtype=np.int64), [len(found) for found in sets])
    return rows, np.fromiter(map(number.__getitem__, members), np.int64, len(members)), np.ones(len(members), np.int64)


def _prefix_items(rows: np.ndarray, items: np.ndarray, vocabulary: dict) -> tuple[np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
    """(text, prefix id, count) of each 5-letter prefix of the content words of each text (``rows`` and
    ``items``: the texts' content words, numbered by ``vocabulary``), counting the distinct words it begins."""
    prefix = numbered(w[:5] for w in vocabulary)
    of_word = np.fromiter((prefix[w[:5]] for w in vocabulary), np.int64, len(vocabulary))
    code, found = np.unique(rows * max(len(prefix), 1) + of_word[items], return_counts=True)
    return code // max(len(prefix), 1), code % max(len(prefix), 1), found


@dataclass
class Rows:
    """A (texts, items) matrix of counts as raw CSR arrays: sorted, distinct columns in each row."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_columns: int

    def matrix(self) -> sparse.csr_matrix:
        return sparse.csr_matrix((self.data.astype(np.float64), self.indices, self.indptr),
                                 shape=(len(self.indptr) - 1, self.n_columns))


def _stack(n: int, blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]) -> tuple[Rows, np.ndarray]:
    """One (texts, items) matrix of counts with each block's items in a range of columns of its own; the kind
    of each column."""
    offset, rows, cols, values, column_kind = 0, [], [], [], []
    for kind, row, item, counted in blocks:
        width = int(item.max()) + 1 if len(item) else 0
        local = row * max(width, 1) + item
        if len(local) > 1 and not (local[1:] > local[:-1]).all():  # a set's items come in the set's order
            ordered = np.argsort(local)
            row, item, counted = row[ordered], item[ordered], counted[ordered]
        rows.append(row)
        cols.append(item + offset)
        values.append(counted)
        column_kind.append(np.full(width, kind, dtype=np.int64))
        offset += width
    row = np.concatenate(rows)
    code = row * max(offset, 1) + np.concatenate(cols)  # each (text, item) once
    # Each block sorted by (text, item) and its columns past the blocks' before it: sorted by text, stably, is
    # sorted by code; a radix sort where the texts' numbers fit in 16 bits (an argsort of the codes cost most).
    order = np.argsort(row.astype(np.uint16), kind="stable") if n <= 1 << 16 else np.argsort(code)
    row, col = np.divmod(code[order], max(offset, 1))
    indptr = np.concatenate(([0], np.cumsum(np.bincount(row, minlength=n)))).astype(np.int64)
    return (Rows(indptr, col, np.concatenate(values).astype(np.int64)[order], offset),
            np.concatenate(column_kind) if column_kind else np.zeros(0, np.int64))
