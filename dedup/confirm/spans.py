"""Shared spans: the longest runs of words two passages have in common.

They are the evidence a reader checks first, and a run of several content
words copied verbatim is strong proof of reuse even when the rest of the two
passages is reworded (TF-IDF cosine then stays low).

The runs are difflib's matching blocks (``SequenceMatcher(autojunk=False)`` over the stems), found
from the passages' shared bigrams (``runs``): the same blocks, without difflib's Python loop over every
pair of equal words, and for all candidate pairs of a document at once (``shared_spans_many``).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Sequence

import numpy as np

from dedup.confirm.runs import Run, matching_blocks, runs_of_pairs
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import stemmed, word_spans

_MARKERS = itertools.count()


@dataclass(frozen=True)
class SharedSpan:
    """A run of words found in both passages, as character spans into each."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int
    content_words: int


@dataclass(frozen=True)
class Words:
    """A passage's words with their character spans and stems, computed once per passage."""

    spans: list[tuple[str, int, int]]
    stems: list[str]

    @classmethod
    def of(cls, text: str, sentence_ends: Sequence[int] = ()) -> "Words":
        """Words of ``text``; a run never crosses one of ``sentence_ends`` (character offsets)."""
        spans = word_spans(text)
        stems = stemmed(text)  # of the same words
        starts = [start for _, start, _ in spans]
        for end in sorted(set(sentence_ends), reverse=True):
            at = bisect.bisect_left(starts, end)  # markers go in from the back, so earlier places hold
            if 0 < at < len(spans):
                # A marker no other passage has, so no common run spans it.
                spans.insert(at, ("", end, end))
                stems.insert(at, f"\x00{next(_MARKERS)}")
        return cls(spans, stems)


def shared_spans(text_a: str | Words, text_b: str | Words, min_content_words: int = 2) -> list[SharedSpan]:
    """Common word runs of two passages (stemmed, case folded), longest first.

    A run counts its content words (not stop words, not single letters such as
    the ``s`` of ``Putin's``); runs with fewer than
    ``min_content_words`` of them are dropped.
    """
    a = text_a if isinstance(text_a, Words) else Words.of(text_a)
    b = text_b if isinstance(text_b, Words) else Words.of(text_b)
    return shared_spans_many([a, b], [(0, 1)], min_content_words)[0]


class Unbuilt(list):
    """The spans of a pair whose common runs are all shorter than a caller needs (``shared_spans_many``'s
    ``shortest_run``): empty, as though it had none, until ``build`` finds them from the runs kept."""

    def __init__(self, a: Words, b: Words, runs: list[Run], min_content_words: int) -> None:
        super().__init__()
        self._found = (a, b, runs, min_content_words)

    def build(self) -> list[SharedSpan]:
        return _spans(*self._found)


def shared_spans_many(passages: Sequence[Words], pairs: Sequence[tuple[int, int]], min_content_words: int = 2,
                      shortest_run: float = 0) -> list[list[SharedSpan]]:
    """``shared_spans(passages[p], passages[q], min_content_words)`` for each ``(p, q)`` of ``pairs``, the
    runs of all pairs found together. A pair whose common runs are all shorter than ``shortest_run`` words (no
    span of it holds that many content words) gets ``Unbuilt`` spans: a caller that needs only such spans
    until some pair is chosen is spared difflib's recursion, most of the time."""
    if min_content_words < 2:  # one-word blocks count: difflib's whole recursion is needed
        return [_difflib_spans(passages[p], passages[q], min_content_words) for p, q in pairs]
    ids: dict[str, int] = {}
    sequences = [np.array([ids.setdefault(s, len(ids)) for s in w.stems], dtype=np.int64) for w in passages]
    runs = runs_of_pairs(sequences, np.array(pairs, dtype=np.int64).reshape(-1, 2))
    return [Unbuilt(passages[p], passages[q], found, min_content_words)
            if found and max(k for _, _, k in found) < shortest_run else
            _spans(passages[p], passages[q], found, min_content_words) if found else []
            for (p, q), found in zip(pairs, runs)]


def _content(stem: str) -> bool:
    return len(stem) > 1 and stem not in ENGLISH_STOP_WORDS


def _spans(a: Words, b: Words, runs: list[Run], min_content_words: int) -> list[SharedSpan]:
    blocks = matching_blocks(runs, len(a.stems), len(b.stems), least=min_content_words)
    return _as_spans(a, b, blocks, min_content_words)


def _as_spans(a: Words, b: Words, blocks, min_content_words: int) -> list[SharedSpan]:
    spans = []
    for i, j, size in blocks:
        if size == 0:
            continue
        content = sum(map(_content, a.stems[i:i + size]))
        if content < min_content_words:
            continue
        spans.append(SharedSpan(
            a_start=a.spans[i][1], a_end=a.spans[i + size - 1][2],
            b_start=b.spans[j][1], b_end=b.spans[j + size - 1][2],
            words=size, content_words=content,
        ))
    spans.sort(key=lambda s: (-s.content_words, -s.words, s.a_start))
    return spans


def _difflib_spans(a: Words, b: Words, min_content_words: int) -> list[SharedSpan]:
    matcher = SequenceMatcher(None, a.stems, b.stems, autojunk=False)
    return _as_spans(a, b, matcher.get_matching_blocks(), min_content_words)
