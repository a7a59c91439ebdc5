"""Exact edges for copied passages: where two aligned passages share runs of words verbatim, the reuse starts
at the first shared run and ends at the last, to the character.

Sentence seeds locate reuse to the sentence; a copy usually starts and ends inside one (a writer pastes
three sentences and a half). For a passage pair whose words are largely shared in runs, the edges are
searched in the passage widened by one sentence on each side and set to the outermost shared word
``n``-grams; a reworded passage (few shared runs) keeps its sentence edges.
"""

from __future__ import annotations

import numpy as np

from dedup.reuse.units import end_of
from dedup.text.words import word_spans

_N = 4  # words per shared run that counts as copied text
_COPIED = 0.4  # share of a side's n-grams found in the other that marks the pair as copied


def copied_edges(text_a: str, window_a: tuple[int, int], text_b: str,
                 window_b: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The spans from the first to the last word ``n``-gram the two windows share, or None when they share
    too few for a copy (then the caller keeps its own edges)."""
    words_a = word_spans(text_a[window_a[0]:window_a[1]])
    words_b = word_spans(text_b[window_b[0]:window_b[1]])
    grams_a, grams_b = _grams(words_a), _grams(words_b)
    if not len(grams_a) or not len(grams_b):
        return None
    in_b, in_a = np.isin(grams_a, grams_b), np.isin(grams_b, grams_a)
    hits_a, hits_b = np.flatnonzero(in_a), np.flatnonzero(in_b)
    if not len(hits_a) or max(in_a.mean(), in_b.mean()) < _COPIED:
        return None
    a = (window_a[0] + words_a[hits_b[0]][1], end_of(text_a, window_a[0] + words_a[hits_b[-1] + _N - 1][2]))
    b = (window_b[0] + words_b[hits_a[0]][1], end_of(text_b, window_b[0] + words_b[hits_a[-1] + _N - 1][2]))
    return a, b


def _grams(words: list[tuple[str, int, int]], n: int = _N) -> np.ndarray:
    """One 64-bit value per word ``n``-gram (Python's string hash, enough inside one process)."""
    if len(words) < n:
        return np.zeros(0, np.int64)
    hashes = np.array([hash(w) for w, _, _ in words], dtype=np.int64)
    grams = hashes[:len(hashes) - n + 1].copy()
    for j in range(1, n):
        grams = grams * np.int64(1_000_003) ^ hashes[j:len(hashes) - n + 1 + j]
    return grams


_SEED_N = 8  # words of an exact shared run that makes a seed whatever the sentences around it


def copied_seeds(text_a: str, spans_a: np.ndarray, text_b: str, spans_b: np.ndarray,
                 same: bool = False) -> np.ndarray:
    """Unit pairs ``(i, j)`` that share a verbatim run of ``_SEED_N`` words, so a copy is never missed
    because its sentences were cut differently in the two texts. ``spans_*`` are the units' ``(start, end)``,
    ascending; a run is placed in the unit its first word is in (none: no seed); a run shared by many
    places (page furniture) seeds nothing."""
    words_a = word_spans(text_a)
    grams_a = _grams(words_a, _SEED_N)
    if same:
        words_b, grams_b = words_a, grams_a
    else:
        words_b = word_spans(text_b)
        grams_b = _grams(words_b, _SEED_N)
    if not len(grams_a) or not len(grams_b):
        return np.zeros((0, 2), np.int64)
    shared = np.intersect1d(grams_a, grams_b)
    if same:  # inside one text, a run is shared when it occurs twice
        values, counts = np.unique(grams_a, return_counts=True)
        shared = values[(counts >= 2) & (counts <= _MAX_REPEATS)]
    if not len(shared):
        return np.zeros((0, 2), np.int64)
    pos_a, pos_b = np.flatnonzero(np.isin(grams_a, shared)), np.flatnonzero(np.isin(grams_b, shared))
    unit_a, inside_a = _unit_of(spans_a, np.array([words_a[p][1] for p in pos_a], dtype=np.int64))
    unit_b, inside_b = _unit_of(spans_b, np.array([words_b[p][1] for p in pos_b], dtype=np.int64))
    pos_a, unit_a, pos_b, unit_b = pos_a[inside_a], unit_a[inside_a], pos_b[inside_b], unit_b[inside_b]
    order = np.argsort(grams_b[pos_b], kind="stable")
    sorted_b, unit_b = grams_b[pos_b][order], unit_b[order]
    low = np.searchsorted(sorted_b, grams_a[pos_a], side="left")
    counts = np.searchsorted(sorted_b, grams_a[pos_a], side="right") - low
    if counts.sum() > _MAX_PAIRS:  # a run repeated all over both texts: furniture, not reuse
        return np.zeros((0, 2), np.int64)
    partner = np.repeat(low - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    pairs = np.stack([np.repeat(unit_a, counts), unit_b[partner]], axis=1)
    if same:
        pairs = np.sort(pairs, axis=1)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if len(pairs) else np.zeros((0, 2), np.int64)


def _unit_of(spans: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit each character position is in, and whether it is in one at all."""
    unit = np.searchsorted(spans[:, 0], positions, side="right") - 1
    inside = (unit >= 0) & (positions < spans[np.maximum(unit, 0), 1])
    return np.maximum(unit, 0), inside


_MAX_REPEATS = 4
_MAX_PAIRS = 4_000_000
