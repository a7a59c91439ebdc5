"""Shared spans: the longest runs of words two passages have in common.

They are the evidence a reader checks first, and a run of several content
words copied verbatim is strong proof of reuse even when the rest of the two
passages is reworded (TF-IDF cosine then stays low).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Sequence

from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, word_spans

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
        stems = [light_stem(w) for w, _, _ in spans]
        for end in sorted(set(sentence_ends), reverse=True):
            at = bisect.bisect_left([start for _, start, _ in spans], end)
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
    words_a, words_b, stems_a, stems_b = a.spans, b.spans, a.stems, b.stems
    matcher = SequenceMatcher(None, stems_a, stems_b, autojunk=False)
    spans = []
    for block in matcher.get_matching_blocks():
        if block.size == 0:
            continue
        run = stems_a[block.a : block.a + block.size]
        content = sum(len(w) > 1 and w not in ENGLISH_STOP_WORDS for w in run)
        if content < min_content_words:
            continue
        last_a, last_b = block.a + block.size - 1, block.b + block.size - 1
        spans.append(SharedSpan(
            a_start=words_a[block.a][1], a_end=words_a[last_a][2],
            b_start=words_b[block.b][1], b_end=words_b[last_b][2],
            words=block.size, content_words=content,
        ))
    spans.sort(key=lambda s: (-s.content_words, -s.words, s.a_start))
    return spans
