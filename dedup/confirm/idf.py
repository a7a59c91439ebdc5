"""Corpus IDF from streamed document frequencies of hashed tokens.

A corpus is too large for a vocabulary in memory, so tokens are hashed into
``n_features`` buckets (as scikit-learn's ``HashingVectorizer`` does) and the
number of documents holding each bucket is counted batch by batch while the
corpus streams past. Candidate pairs are then scored with TF-IDF vectors built
from those counts, so a word common across the corpus weighs little.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from dedup.text.tokens import Tokens
from dedup.util.arrays import distinct
from dedup.util.validate import check_int


class HashedIdf:
    """Document frequencies over hashed token buckets, and TF-IDF vectors from them.

    Parameters
    ----------
    n_features : int, default=2**20
        Hash buckets. Collisions merge words; a million buckets keep them rare
        for any realistic vocabulary, at 8 MB of counts.
    """

    def __init__(self, n_features: int = 1 << 20) -> None:
        check_int("n_features", n_features, 16, 1 << 26)
        self.n_features = n_features
        self.df = np.zeros(n_features, dtype=np.int64)
        self.n_docs = 0
        self._idf: np.ndarray | None = None

    def buckets(self, tokens: Tokens) -> np.ndarray:
        """Bucket of each token (the low bits hold flags, so they are shifted out)."""
        return ((tokens.hashes >> np.uint64(2)) % np.uint64(self.n_features)).astype(np.int64)

    def document_buckets(self, tokens: Tokens) -> np.ndarray:
        """The distinct buckets of each text, concatenated: what ``add_counts`` takes."""
        keys = tokens.owner() * self.n_features + self.buckets(tokens)
        return distinct(keys) % self.n_features

    def add_counts(self, distinct_buckets: np.ndarray, n_docs: int) -> None:
        """Count ``n_docs`` more documents whose distinct buckets are ``distinct_buckets``."""
        # Unbuffered add (fast since numpy 2): a bincount over every bucket wrote 8 MB a batch.
        np.add.at(self.df, distinct_buckets, 1)
        self.n_docs += n_docs
        self._idf = None

    def load(self, df: np.ndarray, n_docs: int) -> None:
        """Replace the counts (read back from an index file)."""
        self.df, self.n_docs, self._idf = df.astype(np.int64), int(n_docs), None

    def idf(self) -> np.ndarray:
        if self._idf is None:
            self._idf = smoothed_idf(self.df, self.n_docs)
        return self._idf

    def transform(self, tokens: Tokens) -> sparse.csr_matrix:
        """L2-normalized TF-IDF rows (sublinear term frequency), one per text of ``tokens``."""
        return self.weigh(self.term_counts(tokens))

    def term_counts(self, tokens: Tokens) -> sparse.csr_matrix:
        """Bucket counts, one row per text of ``tokens``: the part of ``transform`` that needs no IDF
        (a worker process computes it; the process holding the counts weighs it)."""
        rows, cols = tokens.owner(), self.buckets(tokens)
        counts = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(tokens), self.n_features))
        counts.sum_duplicates()
        return counts

    def weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """``term_counts`` rows -> L2-normalized TF-IDF rows (sublinear term frequency), in place."""
        return weigh_counts(counts, self.idf())


def smoothed_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """IDF as scikit-learn smooths it: a term in every document still weighs 1."""
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


def weigh_counts(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Term-count rows -> L2-normalized TF-IDF rows with sublinear term frequency (as scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True)``), in place; a row without terms stays empty."""
    data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    # Row norms by hand: sklearn's normalize validates and copies, which cost more than the arithmetic.
    row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row, weights=data * data, minlength=counts.shape[0]))
    counts.data = data / norms[row]
    return counts
