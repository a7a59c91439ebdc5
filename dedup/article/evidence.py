"""Pieces of the detector's confirm step that look at one pair of paragraphs at a time: alignment bounded
in time, cosine blocks bounded in memory, the title rule, and where an offset falls."""

from __future__ import annotations

from collections import Counter

import numpy as np

from dedup.records import Paragraph
from dedup.text.words import word_spans
from dedup.text.words import words as _words


def title_restated(a: list[frozenset], b: list[frozenset]) -> bool:
    """Whether one paragraph (its sentences' content words) is a title-like line (one sentence, 3 to 12 content
    words) that a sentence of the other holds every content word of.

    The reranker learned from paraphrase data that a sentence adding
    details says something else; a headline and its lede are still a
    restatement for dedup.
    """
    for short, other in ((a, b), (b, a)):
        if len(short) == 1 and 3 <= len(short[0]) <= 12 and any(short[0] <= words for words in other):
            return True
    return False


# Word-pair comparisons the longest-run search (difflib, in ``shared_spans`` and the reranker's
# features) may make for one pair of texts. Its cost is the number of (word in a, same word in b)
# pairs, so two long paragraphs of one repeated word (100,000 "buffalo"s each: 10**10 comparisons)
# stalled a scan for hours. Past this budget both texts are clipped to their first
# ``_CLIPPED_WORDS`` words for the run search and the reranker; TF-IDF cosines still use the whole texts.
_ALIGN_BUDGET = 1_000_000
_CLIPPED_WORDS = 1_000


def bounded(a: str, b: str) -> tuple[str, str]:
    """``(a, b)`` themselves, or both clipped to ``_CLIPPED_WORDS`` words when aligning them would cost more
    than ``_ALIGN_BUDGET`` word comparisons (see above). Texts of normal length are never clipped."""
    if len(a) * len(b) <= _ALIGN_BUDGET:  # no more words than characters (one a character in CJK)
        return a, b
    words_a, words_b = Counter(_words(a)), Counter(_words(b))
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    if sum(n * words_b[w] for w, n in words_a.items()) <= _ALIGN_BUDGET:
        return a, b
    return _clip(a), _clip(b)


def _clip(text: str) -> str:
    """The prefix of ``text`` holding its first ``_CLIPPED_WORDS`` words."""
    for n, (_, _, end) in enumerate(word_spans(text), 1):
        if n == _CLIPPED_WORDS:
            return text[:end]
    return text


_DENSE_LIMIT = 4000


class Cosines:
    """Cosines between L2-normalized rows: all at once for an article, block by block for a huge document
    (40,000 paragraphs would make a 13 GB matrix; only the candidates' blocks are ever read).

    With ``index``, rows are numbered as before a selection: ``vectors`` holds only the rows ``index`` maps
    to (``index[i]`` is row ``i``'s place in ``vectors``), those of a huge document's candidates.
    """

    def __init__(self, vectors, index: np.ndarray | None = None) -> None:
        self.vectors = vectors
        self.index = index
        self.whole = (vectors @ vectors.T).toarray() if vectors.shape[0] <= _DENSE_LIMIT else None

    def block(self, rows, cols) -> np.ndarray:
        if len(rows) == 0 or len(cols) == 0:
            return np.zeros((len(rows), len(cols)))
        if self.index is not None:
            rows, cols = self.index[np.asarray(rows)], self.index[np.asarray(cols)]
        if self.whole is not None:
            return self.whole[np.ix_(rows, cols)]
        return (self.vectors[rows] @ self.vectors[cols].T).toarray()


def sentence_at(paragraph: Paragraph, offset: int) -> int:
    """Number of the sentence of ``paragraph`` that holds character ``offset``."""
    for i, sentence in enumerate(paragraph.sentences):
        if offset < sentence.end:
            return i
    return len(paragraph.sentences) - 1
