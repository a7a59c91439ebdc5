"""The logistic model's design matrix (``reranker``), built in numpy.

For each pair, in this order (the blocks ``reranker`` describes):
1. the standardized dense features (the non-zero ones);
2. their quantile bins, one-hot;
3. the hashed stemmed words only one side has, each ``1 / sqrt(mean vocabulary of the pair)``;
4. the hashed stemmed words both sides have, likewise;
5. the hashed substitutions ``"x|y"`` (``_substitution_codes``), each ``weight / sqrt(their number)``.

The model once built it with about twenty scipy operations (row gathers, a difference, diagonal
products, a stack), whose checks cost more than their work on a 300-word document's few pairs. Here it
is one matrix, assembled directly with the very entries in the very order those operations left
(blocks 1 and 2 by ascending column, blocks 3 to 5 by descending column: what a product with a
diagonal matrix leaves in scipy), so its product with the coefficients is the same sum, bit for bit
(``tests/test_hashing.py`` compares the two builds).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse

from dedup.confirm.hashing import WordBytes, string_buckets
from dedup.text.words import content_words, stemmed

HASH_FEATURES = 2**16
SUBSTITUTION_FEATURES = 2**18
SUBSTITUTIONS_PER_SIDE = 12  # the first unmatched content words of each side: a long text has hundreds
_CODE_TABLE = 1 << 20  # combinations of two words looked up in a table up to this many
_HELD_TABLE = 1 << 20  # (texts x words) past which which text has which word is searched, not looked up

_CONTENT = content_words  # a default Shingler's tokens
# Column of each stemmed word seen (words recur across a corpus's documents); emptied when it grows past
# ``_CACHED_COLUMNS``, so a long scan's memory stays bounded.
_STEM_COLUMNS: dict[str, int] = {}
_CACHED_COLUMNS = 500_000


def design_matrix(standardized: np.ndarray, bins: np.ndarray, n_bins: int, a: Sequence[str], b: Sequence[str],
                  substitution_weight: float) -> sparse.csr_matrix:
    """The design rows of the pairs ``(a[k], b[k])`` from their standardized dense features and bins."""
    n, width = standardized.shape
    # Each distinct text is tokenized once: an article's paragraphs recur in many pairs.
    texts = list(dict.fromkeys([*a, *b]))
    number = {t: i for i, t in enumerate(texts)}
    ia = np.fromiter(map(number.__getitem__, a), np.int64, n)
    ib = np.fromiter(map(number.__getitem__, b), np.int64, n)
    word_codes = _pair_word_codes(_word_sets(texts), ia, ib)
    # Scaled by the vocabulary of the pair, so a long text's hundreds of words do not outvote the dense features.
    pair_words = np.bincount(word_codes[0] // HASH_FEATURES, minlength=n) \
        + np.bincount(word_codes[1] // HASH_FEATURES, minlength=n)
    scale = 1.0 / np.sqrt(np.maximum(pair_words, 1) / 2)
    swaps = _substitution_codes([_CONTENT(t) for t in texts], ia.tolist(), ib.tolist())
    # Scaled by the number of swaps, as above; the weight was chosen out of fold.
    swap_scale = substitution_weight / np.sqrt(np.maximum(np.bincount(swaps // SUBSTITUTION_FEATURES, minlength=n), 1))
    if substitution_weight == 0:
        swaps = swaps[:0]  # zero entries: scipy's product dropped them
    rows, cols = np.nonzero(standardized)
    segments = [
        (rows, cols, standardized[rows, cols], False),
        (np.repeat(np.arange(n), width), width + (np.arange(width) * n_bins + bins).ravel(), 1.0, False),
    ]
    offset = width + width * n_bins
    for codes, size, values in ((word_codes[2], HASH_FEATURES, scale), (word_codes[3], HASH_FEATURES, scale),
                                (swaps, SUBSTITUTION_FEATURES, swap_scale)):
        pair, column = np.divmod(codes, size)
        segments.append((pair, offset + column, values[pair], True))
        offset += size
    return _assemble(n, offset, segments)


def _assemble(n: int, n_columns: int, segments: list) -> sparse.csr_matrix:
    """One CSR matrix whose row k holds each segment's entries of row k, segment after segment; a segment is
    (rows, columns, values, descending): its entries sorted by row then ascending column, laid within the
    row by descending column when ``descending``."""
    counts = np.stack([np.bincount(rows, minlength=n) for rows, _, _, _ in segments], axis=1)  # (n, segments)
    indptr = np.concatenate(([0], np.cumsum(counts.sum(axis=1))))
    starts = indptr[:-1, None] + np.cumsum(counts, axis=1) - counts  # where each row's segment begins
    data = np.empty(int(indptr[-1]))
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    for s, (rows, columns, values, descending) in enumerate(segments):
        first = np.cumsum(counts[:, s]) - counts[:, s]
        at = np.arange(len(rows)) - first[rows]  # place within the row's segment, ascending
        if descending:
            at = counts[rows, s] - 1 - at
        place = starts[rows, s] + at
        data[place] = values
        indices[place] = columns
    return sparse.csr_matrix((data, indices, indptr), shape=(n, n_columns))


def _word_sets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's stemmed words hashed into ``HASH_FEATURES`` columns, as ``HashingVectorizer(
    analyzer=stemmed, binary=True)`` hashes them: (row starts, sorted distinct columns of each row)."""
    stems = [stemmed(t) for t in texts]
    flat = [w for found in stems for w in found]
    column = {w: _STEM_COLUMNS.get(w, -1) for w in dict.fromkeys(flat)}
    missing = [w for w, c in column.items() if c < 0]
    if missing:
        column.update(zip(missing, string_buckets(missing, HASH_FEATURES).tolist()))
        if len(_STEM_COLUMNS) + len(missing) > _CACHED_COLUMNS:
            _STEM_COLUMNS.clear()
        _STEM_COLUMNS.update((w, column[w]) for w in missing)
    rows = np.repeat(np.arange(len(texts)), [len(found) for found in stems])
    code = _distinct(rows * HASH_FEATURES + np.fromiter(map(column.__getitem__, flat), np.int64, len(flat)))
    return np.searchsorted(code, np.arange(len(texts) + 1) * HASH_FEATURES), code % HASH_FEATURES


def _pair_word_codes(sets: tuple[np.ndarray, np.ndarray], ia: np.ndarray, ib: np.ndarray) -> tuple:
    """Codes ``pair * HASH_FEATURES + column`` of each pair's words: (of a's, of b's, only one side's, both's),
    each sorted."""
    starts, columns = sets
    sides = []
    for texts in (ia, ib):
        count = starts[texts + 1] - starts[texts]
        pair = np.repeat(np.arange(len(texts)), count)
        at = starts[texts][pair] + np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count)
        sides.append(pair * HASH_FEATURES + columns[at])
    joined = np.sort(np.concatenate(sides), kind="stable")  # two sorted runs: merged (a timsort), not sorted anew
    if not len(joined):
        return sides[0], sides[1], joined, joined
    twice = np.concatenate((joined[1:] == joined[:-1], [False]))  # a column both sides have: two equal codes
    single = ~(twice | np.concatenate(([False], twice[:-1])))
    return sides[0], sides[1], joined[single], joined[twice]


def _distinct(codes: np.ndarray) -> np.ndarray:
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def _substitution_codes(content: list[list[str]], ia: list[int], ib: list[int]) -> np.ndarray:
    """Sorted distinct codes ``pair * SUBSTITUTION_FEATURES + column`` of the pairs ``(content[ia[k]],
    content[ib[k]])`` (two texts' content words): ``"x|y"`` hashed for each of the first
    ``SUBSTITUTIONS_PER_SIDE`` distinct words x only one side has and each such word y of the other side
    (the smaller of the two first), as a ``HashingVectorizer`` over those strings hashes them. All pairs
    at once: the strings are hashed from their words' bytes (``WordBytes``), never built."""
    vocabulary = sorted({w for found in content for w in found})  # numbered in string order: min is min
    number = {w: i for i, w in enumerate(vocabulary)}
    firsts = [list(map(number.__getitem__, dict.fromkeys(found))) for found in content]  # first-seen order
    sizes = np.array([len(f) for f in firsts], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    flat = np.fromiter((w for f in firsts for w in f), np.int64, int(sizes.sum()))
    # Which words each text has, as codes text * |vocabulary| + word: a table to look them up in where it is
    # small (an article's), else sorted for a binary search.
    held = np.repeat(np.arange(len(content)), sizes) * len(vocabulary) + flat
    if len(content) * len(vocabulary) <= _HELD_TABLE:
        table = np.zeros(len(content) * len(vocabulary), dtype=bool)
        table[held] = True
        held = table
    else:
        held = np.sort(held)
    sides = [_only(flat, starts, sizes, held, len(vocabulary), np.asarray(ours, dtype=np.int64),
                   np.asarray(theirs, dtype=np.int64)) for ours, theirs in ((ia, ib), (ib, ia))]
    (words_a, len_a), (words_b, len_b) = sides
    per_pair = len_a * len_b
    pair = np.repeat(np.arange(len(ia)), per_pair)
    if not len(pair):
        return pair
    # Combination t of pair k: word t // len_b of a's list with word t % len_b of b's.
    t = np.arange(len(pair)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    x = words_a[(np.cumsum(len_a) - len_a)[pair] + t // len_b[pair]]
    y = words_b[(np.cumsum(len_b) - len_b)[pair] + t % len_b[pair]]
    code = np.minimum(x, y) * len(vocabulary) + np.maximum(x, y)
    distinct, which = _numbered_codes(code, len(vocabulary) ** 2)  # each combination hashed once
    columns = WordBytes(vocabulary).joined_buckets(distinct // len(vocabulary), distinct % len(vocabulary),
                                                   SUBSTITUTION_FEATURES)
    return _distinct(pair * SUBSTITUTION_FEATURES + columns[which])


def _numbered_codes(code: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``code`` (each in ``[0, width)``), sorted, and where each code is among them: marked
    in a table where ``width`` is small (an article's), else by sorting (an argsort cost most of the hashing)."""
    if width <= _CODE_TABLE:
        seen = np.zeros(width, dtype=bool)
        seen[code] = True
        distinct = np.flatnonzero(seen)
        at = np.empty(width, dtype=np.int64)
        at[distinct] = np.arange(len(distinct))
        return distinct, at[code]
    order = np.argsort(code)
    first = np.concatenate(([True], code[order][1:] != code[order][:-1]))
    which = np.empty(len(code), dtype=np.int64)
    which[order] = np.cumsum(first) - 1
    return code[order][first], which


def _only(flat: np.ndarray, starts: np.ndarray, sizes: np.ndarray, held: np.ndarray, width: int,
          ours: np.ndarray, theirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, the first ``SUBSTITUTIONS_PER_SIDE`` distinct words of text ``ours[k]`` (first-seen
    order) that text ``theirs[k]`` lacks: (those words of all pairs in a row, how many each pair has). ``held``:
    the codes text * ``width`` + word of the words each text has, sorted, or a table of them (bool)."""
    count = sizes[ours]
    pair = np.repeat(np.arange(len(ours)), count)
    first = np.repeat(np.cumsum(count) - count, count)  # each word's pair's first word
    words_of = flat[starts[ours][pair] + np.arange(len(pair)) - first]
    code = theirs[pair] * width + words_of
    if held.dtype == bool:  # ``_substitution_codes``' table of the words each text has
        lacking = ~held[code]
    else:
        found = np.searchsorted(held, code)
        lacking = held[np.minimum(found, len(held) - 1)] != code if len(held) else np.ones(len(code), bool)
    # Rank of each lacking word among its pair's lacking words (1, 2, ...).
    ranks = np.cumsum(lacking)
    ranks = ranks - ranks[first] + lacking[first]
    kept = lacking & (ranks <= SUBSTITUTIONS_PER_SIDE)
    return words_of[kept], np.bincount(pair[kept], minlength=len(ours))
