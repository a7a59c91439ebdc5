"""Pieces of the detector's confirm step that look at one pair of paragraphs at a time: alignment bounded
in time, cosine blocks bounded in memory, the title rule, and where an offset falls."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np

from dedup.confirm.spans import SharedSpan, Words, shared_spans, shared_spans_many
from dedup.records import CandidatePair, Paragraph
from dedup.text.words import shared_words, word_spans
from dedup.text.words import words as _words


class TokenMemo:
    """A tokenizer that tokenizes each text once while a document is searched: its sentences and paragraphs
    are tokenized by the shingles, both TF-IDF fits, the pair features and the title rule (230 calls for 52
    texts on the bundled article). ``clear`` between documents; past ``limit`` texts (a huge document) new
    ones are tokenized without being kept, so the memo never holds more than a bounded share of one."""

    def __init__(self, tokenize: Callable[[str], list[str]], limit: int = 20_000) -> None:
        self.tokenize = tokenize
        self.limit = limit
        self._seen: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        found = self._seen.get(text)
        if found is None:
            found = self.tokenize(text)
            if len(self._seen) < self.limit:
                self._seen[text] = found
        return found

    def clear(self) -> None:
        self._seen.clear()

    @contextmanager
    def document(self) -> Iterator[None]:
        """One document's search: each text tokenized once, and its words found once for every other stage
        (``words.shared_words``), all let go when the block ends."""
        self.clear()
        try:
            with shared_words(self.limit):
                yield
        finally:
            self.clear()  # the memo holds one document's tokens, not the last one's for good


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


def held_in_a_sentence(a: list[frozenset], b: list[frozenset]) -> int:
    """The most content words of the paragraph with fewer (its sentences' content words) that one sentence of
    the other holds.

    A headline's words stand together in the sentence that restates it, several of them; the words a short
    paragraph shares with a long one by chance are scattered over its sentences, one or two in each."""
    shorter, longer = sorted((a, b), key=lambda sentences: len(frozenset().union(*sentences)))
    words = frozenset().union(*shorter)
    return max((len(words & s) for s in longer), default=0)


# Word-pair comparisons the longest-run search (difflib, in ``shared_spans`` and the reranker's
# features) may make for one pair of texts. Its cost is the number of (word in a, same word in b)
# pairs, so two long paragraphs of one repeated word (100,000 "buffalo"s each: 10**10 comparisons)
# stalled a scan for hours. Past this budget both texts are clipped to their first
# ``_CLIPPED_WORDS`` words for the run search and the reranker; TF-IDF cosines still use the whole texts.
_ALIGN_BUDGET = 1_000_000
_CLIPPED_WORDS = 1_000


def bounded(a: str, b: str, counts: dict[str, Counter] | None = None) -> tuple[str, str]:
    """``(a, b)`` themselves, or both clipped to ``_CLIPPED_WORDS`` words when aligning them would cost more
    than ``_ALIGN_BUDGET`` word comparisons (see above). Texts of normal length are never clipped.
    ``counts`` keeps each text's word counts for the next pair it is in."""
    if len(a) * len(b) <= _ALIGN_BUDGET:  # no more words than characters (one a character in CJK)
        return a, b
    words_a, words_b = _word_counts(a, counts), _word_counts(b, counts)
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    if sum(n * words_b[w] for w, n in words_a.items()) <= _ALIGN_BUDGET:
        return a, b
    return _clip(a), _clip(b)


def _word_counts(text: str, counts: dict[str, Counter] | None) -> Counter:
    if counts is None:
        return Counter(_words(text))
    found = counts.get(text)
    if found is None:
        found = counts[text] = Counter(_words(text))
    return found


def candidate_spans(paragraphs: list[Paragraph], candidates: list[CandidatePair], counts: dict[str, Counter],
                    shortest_run: float = 0) -> list[list[SharedSpan]]:
    """``shared_spans`` of each candidate's paragraphs, runs never crossing a sentence end: of all pairs at
    once (``shared_spans_many``), but of a pair too repetitive to align whole (``bounded``) in its clipped
    texts. A pair aligned whole whose common runs are all shorter than ``shortest_run`` words gets
    ``Unbuilt`` spans (no span of it is a copied run; built if it becomes a match)."""
    ends = {p: [s.end for s in paragraphs[p].sentences] for pair in candidates for p in (pair.a, pair.b)}
    number = {p: k for k, p in enumerate(ends)}
    whole, found = [], [[] for _ in candidates]
    for k, pair in enumerate(candidates):
        a, b = paragraphs[pair.a].text, paragraphs[pair.b].text
        clip_a, clip_b = bounded(a, b, counts)
        if clip_a is a and clip_b is b:
            whole.append(k)
        else:
            found[k] = shared_spans(Words.of(clip_a, ends[pair.a]), Words.of(clip_b, ends[pair.b]))
    passages = [Words.of(paragraphs[p].text, sentence_ends) for p, sentence_ends in ends.items()]
    pairs = [(number[candidates[k].a], number[candidates[k].b]) for k in whole]
    for k, spans in zip(whole, shared_spans_many(passages, pairs, shortest_run=shortest_run)):
        found[k] = spans
    return found


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
            return self.whole[np.asarray(rows)[:, None], cols]
        return (self.vectors[rows] @ self.vectors[cols].T).toarray()

    def blocks(self, pairs: list[tuple[np.ndarray, np.ndarray]]) -> Iterator[np.ndarray]:
        """``block(rows, cols)`` of each pair, in order. Past the dense limit, one product for each distinct
        ``rows`` with the union of its pairs' columns, not one a pair: the 5,000 candidates of a 1.6 MB page took
        3.2 s in scipy's per-call checks. Each cell is the same sum of the same two rows, so the values are the
        same. A product is let go after its last pair (candidates come sorted, so one is held at a time)."""
        if self.whole is not None:
            yield from (self.block(rows, cols) for rows, cols in pairs)
            return
        keys = [np.asarray(rows, dtype=np.int64).tobytes() for rows, _ in pairs]
        columns: dict[bytes, list[np.ndarray]] = {}
        for key, (_, cols) in zip(keys, pairs):
            columns.setdefault(key, []).append(np.asarray(cols, dtype=np.int64))
        left = Counter(keys)
        held: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        for key, (rows, cols) in zip(keys, pairs):
            if key not in held:
                union = np.unique(np.concatenate(columns.pop(key)))
                held[key] = (union, self.block(rows, union))
            union, product = held[key]
            yield product[:, np.searchsorted(union, np.asarray(cols, dtype=np.int64))]
            left[key] -= 1
            if not left[key]:
                del held[key]

    def value(self, i: int, j: int) -> float:
        """The cosine of rows ``i`` and ``j``."""
        if self.whole is not None and self.index is None:
            return float(self.whole[i, j])
        return float(self.block([i], [j])[0, 0])


def sentence_at(paragraph: Paragraph, offset: int) -> int:
    """Number of the sentence of ``paragraph`` that holds character ``offset``."""
    for i, sentence in enumerate(paragraph.sentences):
        if offset < sentence.end:
            return i
    return len(paragraph.sentences) - 1


def spread(values: np.ndarray, k: int) -> np.ndarray:
    """``values`` itself when it has at most ``k`` items, else ``k`` of them, evenly spaced."""
    if len(values) <= k:
        return values
    return values[np.unique(np.linspace(0, len(values) - 1, k).astype(np.int64))]
