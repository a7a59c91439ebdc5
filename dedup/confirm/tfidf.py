"""TF-IDF rows as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` computes them, without its
per-call cost: the reranker and the TF-IDF confirm stage fit one on every article (every corpus
document, every page a scraper checks), where scikit-learn's validation, vocabulary sorting and
Python n-gram lists were most of the time.

- ``CharNgramTfidf``: character n-grams inside words padded with a space (``analyzer="char_wb"``),
  in numpy. An n-gram is one integer: the characters of the fitted collection are numbered 1..R and
  packed in as few bits each as number them (at most ``64 // high``), so n-grams are told apart exactly
  (a collection with more distinct characters than that allows, CJK text say, is handed to scikit-learn),
  and sorted with their text in one 64-bit sort. Its fit took about 8 ms of a
  corpus document's 26 ms restatement search in scikit-learn.
- ``TokenTfidf``: the tokens a callable gives (``analyzer=callable``), counted in one dictionary.

Rows equal scikit-learn's up to the order of the columns (numbered by first sight or packed code, not
alphabetically), which leaves every cosine the same.
"""

from __future__ import annotations

from itertools import repeat
from typing import Callable, Sequence

import numpy as np
from scipy import sparse

from dedup.confirm.idf import smoothed_idf, weigh_counts
from dedup.util.arrays import numbered

# The code points str.split() and sklearn's whitespace pattern break words at (str.isspace(), re's \s).
_SPACES = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, *range(8192, 8203), 8232, 8233,
                    8239, 8287, 12288], dtype=np.uint32)
_SPACE = 32
_LETTER = np.ones(1 << 16, dtype=bool)  # whether each code point is not a space (all past the table are not)
_LETTER[_SPACES] = False


class CharNgramTfidf:
    """L2-normalized TF-IDF rows (sublinear term frequency, smoothed IDF) over character n-grams taken inside
    words padded with a space, of lowercased texts.

    Parameters
    ----------
    ngram_range : tuple of int, default=(3, 5)
        Shortest and longest n-gram; a padded word shorter than the shortest counts once whole.
    """

    def __init__(self, ngram_range: tuple[int, int] = (3, 5)) -> None:
        low, high = ngram_range
        if not 1 <= low <= high <= 32:
            raise ValueError(f"ngram_range must be (low, high) with 1 <= low <= high <= 32, got {ngram_range!r}")
        self.ngram_range = (low, high)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Learn the n-gram vocabulary and IDF of ``texts``; their rows."""
        buffer, word, text_of_word = _padded_words(texts)
        if len(buffer) and buffer.max() < 1 << 16:  # counting beats sorting for the code points of most text
            self.chars_ = np.flatnonzero(np.bincount(buffer)).astype(np.uint32)
        else:
            self.chars_ = np.unique(buffer)
        self._fallback = None
        # Bits per character: the fewest that number them all (0 is left for a character not fitted on). The
        # order of the keys, and so of the columns, is the same for any width: a key's characters are read
        # first to last, from its highest bits.
        self._bits = int(len(self.chars_)).bit_length()
        if self._bits > 64 // self.ngram_range[1]:
            # Imported here: scikit-learn takes about a second to import, and most collections never need it.
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._fallback = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True)
            return self._fallback.fit_transform(texts)
        self._ranks = None
        if len(self.chars_) and self.chars_[-1] < 1 << 16:  # a table of ranks: a lookup, not a binary search
            self._ranks = np.zeros(int(self.chars_[-1]) + 2, dtype=np.uint64)  # the last entry: any other
            self._ranks[self.chars_] = np.arange(1, len(self.chars_) + 1, dtype=np.uint64)
        rows, keys = self._ngrams(buffer, word, text_of_word)
        if not len(keys):
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        rows, keys = _sorted_pairs(rows, keys, self._bits * self.ngram_range[1], len(texts))
        new_key = np.concatenate(([True], keys[1:] != keys[:-1]))
        new_pair = new_key | np.concatenate(([True], rows[1:] != rows[:-1]))
        self.vocabulary_ = keys[new_key]
        df = np.add.reduceat(new_pair.astype(np.int64), np.flatnonzero(new_key))  # texts holding each n-gram
        self.idf_ = smoothed_idf(df, len(texts))
        # The sort has numbered every n-gram already (its run of keys) and grouped each text's repeats of it
        # (a run of (key, text)): its counts need no lookup in the vocabulary, as ``transform``'s do.
        pairs = np.flatnonzero(new_pair)
        counts = _by_row(rows[pairs], (np.cumsum(new_key) - 1)[pairs], np.diff(np.append(pairs, len(keys))),
                         (len(texts), len(self.vocabulary_)))
        return weigh_counts(counts, self.idf_)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of ``texts`` under the fitted vocabulary and IDF (unknown n-grams are left out)."""
        if self._fallback is not None:
            return self._fallback.transform(texts)
        buffer, word, text_of_word = _padded_words(texts)
        rows, keys = self._ngrams(buffer, word, text_of_word)
        return self._rows(rows, keys, len(texts))

    def _ngrams(self, buffer: np.ndarray, word: np.ndarray, text_of_word: np.ndarray):
        """(text, packed n-gram) of every n-gram; those holding a character not fitted on are dropped."""
        low, high = self.ngram_range
        if self._ranks is not None:
            rank = self._ranks[np.minimum(buffer, len(self._ranks) - 1)]
        else:
            at = np.searchsorted(self.chars_, buffer)
            known = (at < len(self.chars_)) & (self.chars_[np.minimum(at, len(self.chars_) - 1)] == buffer)
            rank = np.where(known, at + 1, 0).astype(np.uint64)  # 0: a character the vocabulary cannot hold
        # The key of the ``high`` characters from each position; an n-gram's is its first n characters' bits.
        padded = np.concatenate((rank, np.zeros(high, np.uint64)))
        window = np.zeros(len(rank), np.uint64)
        for i in range(high):
            window |= padded[i:i + len(rank)] << np.uint64(self._bits * (high - 1 - i))
        unknown = np.concatenate(([0], np.cumsum(rank == 0)))  # characters not fitted on before each position
        length = np.bincount(word, minlength=len(text_of_word))
        start = np.concatenate(([0], np.cumsum(length)[:-1]))
        rows, keys = [], []
        for n in range(low, high + 1):
            # Every window of n characters inside one padded word; a word shorter than ``low`` whole, once.
            first = np.flatnonzero(word[: len(word) - n + 1] == word[n - 1:]) if len(word) >= n else \
                np.zeros(0, np.int64)
            sizes = np.full(len(first), n)
            if n == low:
                short = np.flatnonzero(length < low)
                first, sizes = np.concatenate((first, start[short])), np.concatenate((sizes, length[short]))
            whole = unknown[first + sizes] == unknown[first]
            first, sizes = first[whole], sizes[whole]
            drop = (np.uint64(self._bits) * (high - sizes).astype(np.uint64)) if n == low else \
                np.uint64(self._bits * (high - n))
            rows.append(text_of_word[word[first]])
            keys.append(window[first] >> drop << drop)
        return np.concatenate(rows), np.concatenate(keys)

    def _rows(self, rows: np.ndarray, keys: np.ndarray, n_texts: int) -> sparse.csr_matrix:
        column = np.searchsorted(self.vocabulary_, keys)
        found = column < len(self.vocabulary_)
        found[found] = self.vocabulary_[column[found]] == keys[found]
        return weigh_counts(_counted(rows[found], column[found], (n_texts, len(self.vocabulary_))), self.idf_)


def _by_row(rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """The CSR matrix of distinct (row, column) entries given in column order: the arrays scipy's COO
    conversion and ``sum_duplicates`` give (int32 indices where they fit, each row's columns ascending), by one
    stable sort by row, a radix sort in 16 bits where the rows fit (the conversion cost several times more)."""
    order = np.argsort(rows.astype(np.int16) if shape[0] <= 1 << 15 else rows, kind="stable")
    return _csr(rows[order], columns[order], counts[order], shape)


def _counted(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """The CSR matrix counting each (row, column) given, as ``csr_matrix((ones, (rows, columns)))`` and
    ``sum_duplicates`` give it (sums of ones: the counts), from one sort of the pairs' codes."""
    width = max(shape[1], 1)
    code = np.sort(rows.astype(np.int64) * width + columns)
    first = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1]))) if len(code) else code
    row, column = np.divmod(code[first], width)
    return _csr(row, column, np.diff(np.append(first, len(code))), shape)


def _csr(rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """The CSR matrix of distinct entries sorted by row then column, with scipy's index type (int32 where
    it fits)."""
    index = np.int32 if max(*shape, len(rows)) < 1 << 31 else np.int64
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=shape[0])))).astype(index)
    return sparse.csr_matrix((counts.astype(np.float64), columns.astype(index), indptr), shape=shape)


def _sorted_pairs(rows: np.ndarray, keys: np.ndarray, key_bits: int, n_texts: int) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` and ``keys`` ordered by key, then row: one sort of each (key, row) packed in 64 bits where they
    fit (several times faster than numpy's lexsort), else that lexsort."""
    row_bits = max(n_texts - 1, 0).bit_length()
    if key_bits + row_bits > 64:
        order = np.lexsort((rows, keys))
        return rows[order], keys[order]
    packed = np.sort(keys << np.uint64(row_bits) | rows.astype(np.uint64))
    return (packed & np.uint64((1 << row_bits) - 1)).astype(np.int64), packed >> np.uint64(row_bits)


def _padded_words(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The code points of every word of the lowercased ``texts``, each with a space before and after, in one
    buffer; the word of each position; the text of each word."""
    lowered = [t.lower() for t in texts]
    points = np.frombuffer(" ".join(lowered).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    text = np.repeat(np.arange(len(lowered)), [len(t) + 1 for t in lowered])[: len(points)]
    letter = _LETTER[np.minimum(points, len(_LETTER) - 1)]  # a lookup, several times faster than np.isin
    begins = letter & np.concatenate(([True], ~letter[:-1]))
    word_of = np.cumsum(begins) - 1
    kept = np.flatnonzero(letter)
    n_words = int(begins.sum())
    word = word_of[kept]
    # Char j of the kept ones, in word w, moves to j + 2w + 1; each word's pads go either side.
    buffer = np.full(len(kept) + 2 * n_words, _SPACE, dtype=np.uint32)
    buffer[np.arange(len(kept)) + 2 * word + 1] = points[kept]
    sizes = np.bincount(word, minlength=n_words) + 2
    return buffer, np.repeat(np.arange(n_words), sizes), text[np.flatnonzero(begins)]


class TokenTfidf:
    """L2-normalized TF-IDF rows (sublinear term frequency, smoothed IDF) over the tokens ``analyzer`` gives.

    Parameters
    ----------
    analyzer : callable
        Text -> list of tokens (strings).

    ``vocabulary_`` maps each token seen in ``fit`` to its column, ``df_`` holds the number of fitted
    texts with each, and ``idf_`` their weights; ``counts`` gives raw term counts under that vocabulary.
    """

    def __init__(self, analyzer: Callable[[str], list[str]]) -> None:
        self.analyzer = analyzer

    def fit(self, texts: Sequence[str]) -> "TokenTfidf":
        self.fit_counts(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Learn the vocabulary and IDF of ``texts``; their rows."""
        return weigh_counts(self.fit_counts(texts), self.idf_)

    def fit_counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Learn the vocabulary and IDF of ``texts``; their term counts (``counts`` of them, without
        tokenizing them twice)."""
        counts = self._counts(texts, fit=True)
        if not self.vocabulary_:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        self.df_ = np.bincount(counts.indices, minlength=len(self.vocabulary_))
        self.idf_ = smoothed_idf(self.df_, len(texts))
        return counts

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of ``texts`` under the fitted vocabulary and IDF (unknown tokens are left out)."""
        return weigh_counts(self.counts(texts), self.idf_)

    def get_feature_names_out(self) -> np.ndarray:
        """The tokens in column order (as scikit-learn's method names them)."""
        return np.array(list(self.vocabulary_), dtype=object)

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Term counts of ``texts`` under the fitted vocabulary (float, one row per text)."""
        return self._counts(texts)

    def _counts(self, texts: Sequence[str], fit: bool = False) -> sparse.csr_matrix:
        """Counts of the tokens of ``texts`` under the vocabulary, first numbered (by first sight) when ``fit``.
        The tokens of all texts are looked up in one pass: a Python loop per token cost more than the rest."""
        tokens = [self.analyzer(text) for text in texts]
        flat = [token for found in tokens for token in found]
        if fit:
            self.vocabulary_ = numbered(flat)
            columns = map(self.vocabulary_.__getitem__, flat)
        else:
            columns = map(self.vocabulary_.get, flat, repeat(-1))  # -1: a token not fitted on
        cols = np.fromiter(columns, np.int64, len(flat))
        rows = np.repeat(np.arange(len(texts)), [len(found) for found in tokens])
        kept = cols >= 0
        return _counted(rows[kept], cols[kept], (len(texts), len(self.vocabulary_)))
