"""Confirm candidate pairs with TF-IDF cosine (the reranker).

LSH only says two paragraphs share some shingles. The confirmer weighs the
words they share by how rare they are, at two levels: the whole paragraphs,
and their best-aligned sentences, so that a restated sentence inside a long
paragraph is confirmed even when the paragraphs as wholes differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy import sparse

from dedup.confirm.idf import smoothed_idf, weigh_counts
from dedup.confirm.tfidf import TokenTfidf
from dedup.util.validate import check_fraction, check_int


def check_background(background: object, background_docs: object) -> int:
    """``background_docs`` once both are checked: ``background`` None or a mapping of words to document
    frequencies in [0, background_docs], and ``background_docs`` an integer, >= 1 with a background (it is
    added to the article's paragraph count) and >= 0 without. A ``ValueError`` naming the culprit otherwise:
    a NaN count or a frequency above the count changed the IDF in silence, and a string failed in ``detect``."""
    if background is None:
        return check_int("background_docs", background_docs, 0)
    if not isinstance(background, Mapping):
        raise ValueError(f"background must be a mapping of words to document frequencies, or None; got "
                         f"{type(background).__name__} {background!r:.60}")
    if isinstance(background_docs, bool) or not isinstance(background_docs, Integral) or background_docs < 1:
        raise ValueError(f"background_docs must be an integer >= 1 (the documents background was counted over) "
                         f"when background is given, got {background_docs!r}")
    for word, count in background.items():  # once per detector: a million words take about 0.1 s
        if not isinstance(word, str) or isinstance(count, bool) or not isinstance(count, Real) \
                or not 0 <= count <= background_docs:  # NaN fails it too
            raise ValueError(f"background must map words (str) to document frequencies in [0, background_docs="
                             f"{background_docs}], got {word!r}: {count!r}")
    return int(background_docs)


@dataclass(frozen=True)
class PairScore:
    """The confirmer's view of one candidate pair."""

    cosine: float
    sentence_pairs: tuple[tuple[int, int, float], ...]  # (sentence in a, sentence in b, cosine)
    score: float
    confirmed: bool
    best_pair: tuple[int, int, float] | None = None  # the best-aligned sentence pair, whatever its cosine
    confirmed_by: tuple[str, ...] = ()  # the rules that confirmed it (``Match.confirmed_by``)


class TfidfConfirmer:
    """Score paragraph pairs by TF-IDF cosine, fitted on the article itself.

    Parameters
    ----------
    tokenizer : callable
        Text -> list of tokens; the detector passes its shingler's tokenizer,
        so the reranker sees the same words as the signatures.
    paragraph_cosine_threshold : float, default=0.45
        A pair is confirmed when its paragraph cosine reaches this value.
    sentence_cosine_threshold : float, default=0.3
        ... or when one of its sentence pairs reaches this cosine. Every
        sentence pair at or above it is reported as evidence.
    background : mapping of str to int, optional
        Document frequencies from a background corpus, blended with the
        article's own so a word common in one article still counts as rare
        when it is rare in general.
    background_docs : int, default=0
        Number of documents ``background`` was counted over.
    min_shared_words : int, default=5
        ... or when the pair shares a verbatim run of words holding at least
        this many content words (0 turns the rule off); the article detector
        asks three of them or more not to be names (``article.claims.name_run``).
    """

    def __init__(
        self,
        tokenizer: Callable[[str], list[str]],
        paragraph_cosine_threshold: float = 0.45,
        sentence_cosine_threshold: float = 0.3,
        background: Mapping[str, int] | None = None,
        background_docs: int = 0,
        min_shared_words: int = 5,
    ) -> None:
        for name, value in (("paragraph_cosine_threshold", paragraph_cosine_threshold),
                            ("sentence_cosine_threshold", sentence_cosine_threshold)):
            check_fraction(name, value)
        background_docs = check_background(background, background_docs)
        self.min_shared_words = check_int("min_shared_words", min_shared_words, 0)  # True is no count
        self.tokenizer = tokenizer
        self.paragraph_cosine_threshold = paragraph_cosine_threshold
        self.sentence_cosine_threshold = sentence_cosine_threshold
        self.background = background
        self.background_docs = background_docs

    def fit(self, documents: Sequence[str]) -> "TfidfConfirmer":
        """Learn the vocabulary and IDF from ``documents`` (an article's paragraphs)."""
        self._fit(documents)
        return self

    def fit_transform(self, documents: Sequence[str]) -> sparse.csr_matrix:
        """``fit``, then the rows of ``documents`` themselves (tokenized once)."""
        return weigh_counts(self._fit(documents), self.idf_)

    def _fit(self, documents: Sequence[str]) -> sparse.csr_matrix:
        self.vectorizer_ = TokenTfidf(analyzer=self.tokenizer)
        counts = self.vectorizer_.fit_counts(documents)
        df = self.vectorizer_.df_.astype(float)
        n = float(len(documents))
        if self.background:
            vocab = self.vectorizer_.get_feature_names_out()
            df = df + np.array([self.background.get(w, 0) for w in vocab], dtype=float)
            n += self.background_docs
        # Smoothed IDF, as scikit-learn's: a word in every paragraph keeps the
        # minimum weight of 1 and cannot by itself make two paragraphs alike.
        self.idf_ = smoothed_idf(df, n)
        return counts

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """L2-normalized TF-IDF rows (sublinear term frequency)."""
        return weigh_counts(self.vectorizer_.counts(texts), self.idf_)

    def score_pair(self, para_a: sparse.csr_matrix, para_b: sparse.csr_matrix,
                   sents_a: sparse.csr_matrix, sents_b: sparse.csr_matrix,
                   shared_words: int = 0) -> PairScore:
        """Score one pair from its paragraph rows, sentence matrices and longest shared run."""
        cosine = float(para_a.multiply(para_b).sum())
        sims = (sents_a @ sents_b.T).toarray() if sents_a.shape[0] and sents_b.shape[0] else np.zeros((0, 0))
        return self.decide(cosine, sims, shared_words)

    def decide(self, cosine: float, sims: np.ndarray, shared_words: int = 0) -> PairScore:
        """Confirm or reject from the paragraph cosine, the sentence cosine matrix and the longest shared run."""
        width = sims.shape[1] if sims.ndim == 2 else 0
        hits, best, at = _read_block(sims, self.sentence_cosine_threshold)
        if len(hits) > 1:  # numpy's sort order, ties included, as before
            hits = [hits[k] for k in np.argsort(-np.array([v for _, v in hits])).tolist()]
        evidence = tuple((k // width, k % width, v) for k, v in hits)
        best_pair = None
        if at is not None:
            best_pair = (at // width, at % width, best)
        if not evidence and cosine >= self.paragraph_cosine_threshold and best_pair:
            evidence = (best_pair,)
        reasons = tuple(name for name, passed in (
            ("paragraph_cosine", cosine >= self.paragraph_cosine_threshold),
            ("sentence_cosine", best >= self.sentence_cosine_threshold),
            ("shared_run", self.copied(shared_words))) if passed)
        return PairScore(cosine=cosine, sentence_pairs=evidence, score=max(cosine, best), confirmed=bool(reasons),
                         best_pair=best_pair, confirmed_by=reasons)

    def copied(self, shared_words: int) -> bool:
        """Whether a verbatim run of ``shared_words`` content words confirms a pair on its own."""
        return 0 < self.min_shared_words <= shared_words


_PYTHON_CELLS = 64  # a block of up to this many cells is read in Python, where numpy's calls cost more than the work


def _read_block(sims: np.ndarray, threshold: float) -> tuple[list[tuple[int, float]], float, int | None]:
    """(the cells at or above ``threshold`` as (flat position, value), row-major as ``np.argwhere``; the
    largest value, 0.0 for no cell; the flat position of its first occurrence as ``np.argmax``, None for no
    cell). A few sentences square in an article; a block of long paragraphs (hundreds of cells, a 1.6 MB page's
    5,000 of them took 1.9 s in Python) is read by numpy, to the same values."""
    if sims.size <= _PYTHON_CELLS:
        flat = [v for row in sims.tolist() for v in row]
        if not flat:
            return [], 0.0, None
        best = max(flat)
        return [(k, v) for k, v in enumerate(flat) if v >= threshold], best, flat.index(best)
    flat = sims.ravel()
    at = int(np.argmax(flat))
    positions = np.flatnonzero(flat >= threshold)
    return list(zip(positions.tolist(), flat[positions].tolist())), float(flat[at]), at
