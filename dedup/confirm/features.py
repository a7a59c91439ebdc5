"""Explainable features of a text pair, for the learned confirm stage.

Each feature is cheap and has a plain meaning, so a confirmed or rejected
pair can be explained by its numbers. The lexical features say how much
the two texts share; the agreement features catch the typical false
positive of a near-duplicate detector: two texts with the same names and
topic that disagree on the numbers, dates or who did what.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy import sparse

from dedup.confirm.csr_rows import row_dots
from dedup.confirm.pair_rows import TextProfiles
from dedup.confirm.tfidf import CharNgramTfidf, TokenTfidf
from dedup.sketch.shingle import Shingler
from dedup.text.segment import normalize as normalize_text
from dedup.text.segment import one_sentence, split_sentences
from dedup.text.words import NUMBER, negated, stemmed, words

FEATURES = (
    "word_cosine",  # TF-IDF cosine of content words (stop words dropped, stemmed)
    "char_cosine",  # TF-IDF cosine of character 3-5-grams inside words
    "jaccard",  # Jaccard of the content-word sets
    "containment",  # share of the smaller content-word set found in the other
    "sentence_alignment",  # each sentence of the shorter side to its best partner, averaged
    "sentence_best",  # the best sentence-to-sentence cosine
    "unigram_min", "unigram_max",  # shared words over the shorter / longer side (all words)
    "bigram_min", "bigram_max",
    "trigram_min", "trigram_max",
    "fourgram_min", "fourgram_max",
    "longest_run",  # longest verbatim run of words over the shorter side's length
    "numbers_conflict", "numbers_one_sided",  # numbers, money, percentages
    "dates_conflict", "dates_one_sided",  # months, weekdays
    "names_conflict", "names_one_sided",  # capitalised words inside sentences
    "negation_mismatch",  # one side negated, the other not
    "length_ratio",  # shorter over longer, in words
    "log_length",  # log of the mean length in words
    # Content words only one side has (log counts): a clause one side adds
    # makes two otherwise similar texts say different things.
    "unmatched_more", "unmatched_fewer",
    "unmatched_unrelated",  # the same, not counting words whose 5-letter prefix the other side has
    "length_gap", "log_length_gap",  # |difference| of lengths in words, relative and log
    # Shared n-grams of stemmed words over the shorter / longer side, so
    # "closed schools" and "closes schools" share a bigram.
    "stem_unigram_min", "stem_unigram_max", "stem_bigram_min", "stem_bigram_max",
    "stem_trigram_min", "stem_trigram_max", "stem_fourgram_min", "stem_fourgram_max",
    "edit_distance",  # word-level Levenshtein of the stemmed words over the longer side's length
    "bleu_forward", "bleu_backward",  # n-gram precision of each side against the other (sequences.ngram_precisions)
    "char_length_gap",  # |difference| of lengths in characters over the longer
)

_DATES = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
# A capitalised word not at the start of a sentence: not after ``.!?`` and a space, nor at the start of the text
# (``(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]*``). Written to start with its capital, the lookbehinds after it, so the
# regex engine skips to the next capital in C: the same matches, about 3x faster.
_NAME = re.compile(r"[A-Z](?<!\w[A-Z])(?<![.!?]\s[A-Z])(?<!^[A-Z])[\w'-]*")
_WHOLE_LIMIT = 1000


def sentences_of(text: str) -> list[str]:
    """Sentences of ``text``, across its lines and paragraphs."""
    normalized = normalize_text(text)
    if normalized == text and "\n" not in text and one_sentence(text):
        return [text]  # most of an article's sentences, split no further (about 4x faster)
    found = [s.text for line in normalized.split("\n") if line.strip() for s in split_sentences(line)]
    return found or [text]


def _entities(text: str, tokens: list[str], sentences: list[str]) -> tuple[frozenset, frozenset, frozenset, bool]:
    """(numbers, dates, names, negated) of ``text``, given its ``words`` and ``sentences_of``."""
    numbers = frozenset(n.replace(",", "") for n in NUMBER.findall(text))
    dates = _DATES.intersection(tokens)
    names = frozenset(
        m.group().lower() for s in sentences for m in _NAME.finditer(s.strip())
        if m.group().lower() not in _DATES
    )
    return numbers, dates, names, negated(text, tokens)


class PairFeaturizer:
    """Turn text pairs into the feature rows named in ``FEATURES``.

    Parameters
    ----------
    tokenizer : callable, optional
        Text -> content tokens for the word TF-IDF and the set features; by
        default the detector's own (stop words dropped, light stemming).
    char_ngrams : tuple of int, default=(3, 5)
        Character n-gram range of the character TF-IDF.
    sentences : mapping of str to list of str, optional
        Sentences of texts the caller has split already (a detector's paragraphs, as ``segment`` split them);
        each must be what ``sentences_of`` would return for its text.

    ``fit`` learns both IDFs from a collection (an article's paragraphs, a
    corpus, a benchmark's sentences): a word shared by every text of the
    collection is no evidence that two of them say the same thing.
    """

    def __init__(self, tokenizer: Callable[[str], list[str]] | None = None,
                 char_ngrams: tuple[int, int] = (3, 5), sentences: Mapping[str, list[str]] | None = None) -> None:
        if len(char_ngrams) != 2 or not 1 <= char_ngrams[0] <= char_ngrams[1]:
            raise ValueError(f"char_ngrams must be (low, high) with 1 <= low <= high, got {char_ngrams!r}")
        self.tokenizer = tokenizer or Shingler(k=1).tokenize
        self.char_ngrams = tuple(char_ngrams)
        # sentences_of each text seen: fit, names and alignment use them; ``sentences``: those the caller has
        # already (a detector's paragraphs, as ``segment`` split them), which must be what sentences_of returns.
        self._sentences: dict[str, list[str]] = dict(sentences or {})

    def _sentences_of(self, text: str) -> list[str]:
        found = self._sentences.get(text)
        if found is None:
            found = self._sentences[text] = sentences_of(text)
        return found

    def fit(self, texts: Sequence[str]) -> "PairFeaturizer":
        """Learn word and character IDF from ``texts`` and their sentences."""
        collection = list(dict.fromkeys(list(texts) + [s for t in texts for s in self._sentences_of(t)]))
        self.words_ = TokenTfidf(analyzer=self.tokenizer)
        self.chars_ = CharNgramTfidf(ngram_range=self.char_ngrams)  # scikit-learn's char_wb rows, in numpy
        # The fitted rows are kept: pairs are mostly drawn from the texts fitted on.
        self._seen = {text: row for row, text in enumerate(collection)}
        self._fitted = {"words": self.words_.fit_transform(collection),
                        "chars": self.chars_.fit_transform(collection)}
        return self

    def _vectors(self, kind: str, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows of ``texts``, reusing the rows computed in ``fit``."""
        matrix, rows = self._located(kind, texts)
        return matrix[rows]

    def _located(self, kind: str, texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """A matrix holding the TF-IDF rows of ``texts`` and where: the rows computed in ``fit``, and below
        them those of texts not fitted on (a row depends on its text and the fitted IDF only)."""
        rows = np.array([self._seen.get(t, -1) for t in texts], dtype=np.int64)
        fresh = np.flatnonzero(rows < 0)
        if fresh.size == 0:
            return self._fitted[kind], rows
        vectorizer = self.words_ if kind == "words" else self.chars_
        extra = vectorizer.transform([texts[i] for i in fresh])
        stacked = sparse.vstack([self._fitted[kind], extra]).tocsr()
        rows[fresh] = self._fitted[kind].shape[0] + np.arange(fresh.size)
        return stacked, rows

    def transform(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Feature rows for the pairs ``(a[i], b[i])``, shape (n, len(FEATURES))."""
        if len(a) != len(b):
            raise ValueError(f"a and b must have the same length, got {len(a)} and {len(b)}")
        if not a:
            return np.zeros((0, len(FEATURES)))
        texts = sorted(set(a) | set(b))
        row = {t: i for i, t in enumerate(texts)}
        ia, ib = np.array([row[t] for t in a], dtype=np.int64), np.array([row[t] for t in b], dtype=np.int64)
        words_matrix, word_rows = self._located("words", texts)
        chars_matrix, char_rows = self._located("chars", texts)
        word_cos = row_dots(words_matrix, word_rows[ia], word_rows[ib])
        char_cos = row_dots(chars_matrix, char_rows[ia], char_rows[ib])
        every = [words(t) for t in texts]
        profiles = TextProfiles.build(
            every, [stemmed(t) for t in texts], [self.tokenizer(t) for t in texts],
            [_entities(t, ws, self._sentences_of(t)) for t, ws in zip(texts, every)])
        rows = profiles.rows(ia, ib)
        chars = np.array([len(t) for t in texts], dtype=np.int64)
        char_gap = np.abs(chars[ia] - chars[ib]) / np.maximum(np.maximum(chars[ia], chars[ib]), 1)
        # Columns in the order FEATURES names them.
        return np.column_stack([word_cos, char_cos, rows[:, :2], self._alignment(texts, ia, ib), rows[:, 2:],
                                char_gap])

    def _alignment(self, texts: list[str], ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
        """(sentence_alignment, sentence_best) for each pair."""
        sentences = [self._sentences_of(t) for t in texts]
        first = np.concatenate(([0], np.cumsum([len(s) for s in sentences])))
        matrix, rows = self._located("words", [s for group in sentences for s in group])
        # One product for all sentences when that fits in a few MB (an
        # article); per pair otherwise (a benchmark's thousands of pairs).
        if len(rows) <= _WHOLE_LIMIT and matrix.shape[0] <= len(rows):
            # No more rows than the sentences' (an article's: its paragraphs' and sentences'): the product of the
            # rows themselves, read at the sentences' (a cosine depends on its two rows only: the same floats).
            return _best_alignment((matrix @ matrix.T).toarray()[rows[:, None], rows], first, ia, ib)
        vectors = matrix[rows]
        if vectors.shape[0] <= _WHOLE_LIMIT:
            return _best_alignment((vectors @ vectors.T).toarray(), first, ia, ib)
        return _alignment_by_text(vectors, first.tolist(), ia, ib)


def _alignment_by_text(vectors, first: list[int], ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """``_alignment`` from the sentences' rows (``vectors``; text ``t``'s are ``first[t]:first[t + 1]``), too many
    for one product: one product for each text of ``ia`` with the sentences of all its partners, each pair's
    block read from it (one a pair cost 3.4 s in scipy's checks for the 5,000 candidates of a 1.6 MB page).
    A cell is the same sum of the same two rows either way: the same floats."""
    out = np.empty((len(ia), 2))
    partners: dict[int, list[int]] = {}
    for k, i in enumerate(ia.tolist()):
        partners.setdefault(i, []).append(k)
    other = ib.tolist()
    for i, ks in partners.items():
        texts = sorted({other[k] for k in ks})
        sizes = [first[j + 1] - first[j] for j in texts]
        start = dict(zip(texts, accumulate([0] + sizes[:-1])))
        columns = np.concatenate([np.arange(first[j], first[j + 1]) for j in texts])
        product = (vectors[first[i]:first[i + 1]] @ vectors[columns].T).toarray()
        for k in ks:
            j = other[k]
            block = product[:, start[j]:start[j] + first[j + 1] - first[j]]
            best = block.max(axis=1 if block.shape[0] <= block.shape[1] else 0)
            # sum / size is numpy's mean, bit for bit, without its wrapper's cost; the best of the maxima is the max
            out[k] = best.sum() / best.size, best.max()
    return out


def _best_alignment(whole: np.ndarray, first: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """``_alignment`` of all pairs at once from the cosines of all sentences (``whole``; text ``t``'s are
    ``first[t]:first[t + 1]``): each pair's block is read into one flat array, the best partner of each
    sentence of its shorter side (the rows when they are no more) found by one ``maximum.reduceat``, and those
    maxima summed as rows of a matrix per number of them, where each row sums as its own array would (the
    same floats as pair by pair)."""
    if not len(ia):
        return np.zeros((0, 2))
    size_a, size_b = first[ia + 1] - first[ia], first[ib + 1] - first[ib]
    by_row = size_a <= size_b  # the best of each sentence of a (each row), else of each of b
    outer, inner = np.where(by_row, size_a, size_b), np.where(by_row, size_b, size_a)
    cells = outer * inner
    pair = np.repeat(np.arange(len(ia)), cells)
    at = np.arange(int(cells.sum())) - np.repeat(np.cumsum(cells) - cells, cells)
    mine, other = at // inner[pair], at % inner[pair]  # cells by sentence of the shorter side, then the other
    row, col = np.where(by_row[pair], mine, other), np.where(by_row[pair], other, mine)
    values = whole[first[ia][pair] + row, first[ib][pair] + col]
    runs = np.repeat(inner, outer)
    best = np.maximum.reduceat(values, np.cumsum(runs) - runs)
    start = np.cumsum(outer) - outer  # each pair's maxima in ``best``
    out = np.empty((len(ia), 2))
    for size in np.unique(outer).tolist():
        pairs = np.flatnonzero(outer == size)
        maxima = best[start[pairs][:, None] + np.arange(size)]
        out[pairs, 0] = maxima.sum(axis=1) / size
        out[pairs, 1] = maxima.max(axis=1)
    return out
