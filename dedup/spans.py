"""Shared spans: the longest runs of words two passages have in common.

They are the evidence a reader checks first, and a run of several content
words copied verbatim is strong proof of reuse even when the rest of the two
passages is reworded (TF-IDF cosine then stays low).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .shingle import light_stem, word_spans


@dataclass(frozen=True)
class SharedSpan:
    """A run of words found in both passages, as character spans into each."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int
    content_words: int


def shared_spans(text_a: str, text_b: str, min_content_words: int = 2) -> list[SharedSpan]:
    """Common word runs of ``text_a`` and ``text_b`` (stemmed, case folded), longest first.

    A run counts its content words (not stop words); runs with fewer than
    ``min_content_words`` of them are dropped.
    """
    words_a, words_b = word_spans(text_a), word_spans(text_b)
    stems_a = [light_stem(w) for w, _, _ in words_a]
    stems_b = [light_stem(w) for w, _, _ in words_b]
    matcher = SequenceMatcher(None, stems_a, stems_b, autojunk=False)
    spans = []
    for block in matcher.get_matching_blocks():
        if block.size == 0:
            continue
        run = stems_a[block.a : block.a + block.size]
        content = sum(w not in ENGLISH_STOP_WORDS for w in run)
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
