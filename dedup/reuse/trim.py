"""Exact shared runs of words: seeds that never miss a copy, and copied passages' edges to the character.

Sentence seeds locate reuse to the sentence; a copy usually starts and ends inside one (a writer pastes
three sentences and a half), and two texts may cut a copied run into sentences differently. Every word
of both texts (stop words too) is hashed once (``units.Units``); runs of words both texts hold are seeds,
and a passage pair whose words are largely shared in runs gets the edges of its outermost shared runs,
searched in the passage widened by one sentence on each side. A reworded passage (few shared runs) keeps
its sentence edges.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

from dedup.reuse.units import Units, end_of, start_of
from dedup.text.words import ENDS
from dedup.util.arrays import counted, distinct, in_sorted

_N = 4  # words per shared run that counts as copied text, for edges
_COPIED = 0.4  # share of a side's n-grams found in the other that marks the pair as copied
_SEED_N = 8  # words of an exact shared run that makes a seed whatever the sentences around it
# ... of a text in Chinese or Japanese (``Units.dense``), characters: about as much text as 8 English words (48
# letters, at 3 a character, ``units.LENGTH_WEIGHTS``). 8 characters are one long name ("全国人民代表大会常务委员会").
_DENSE_SEED_N = 16
_MAX_REPEATS = 4  # inside one text, a run repeated more often than this is furniture
_MAX_PAIRS = 4_000_000
_LONG_UNIT = 1_000  # characters of a unit that is no sentence but a block without sentence ends


def copied_edges(a: Units, window_a: tuple[int, int], b: Units, window_b: tuple[int, int],
                 densest: bool = False, limits: tuple[int, int] | None = None
                 ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The spans from the first to the last word ``_N``-gram the two windows share, or None when they share
    too few for a copy (then the caller keeps its own edges). ``densest``: the windows are known to hold a
    copy (a passage of copied-run seeds alone); where their shared n-grams are too few as wholes and a unit of
    one is a block without sentence ends (``_LONG_UNIT``), the spans are those of its densest run of shared
    n-grams (a copy a tenth of a transcript's length, in both texts)."""
    first_a, last_a = _word_range(a, window_a)
    first_b, last_b = _word_range(b, window_b)
    # The window's n-grams: those of the whole text that start in it and end in it.
    grams_a = a.grams(_N)[first_a:max(first_a, last_a - _N + 1)]
    grams_b = b.grams(_N)[first_b:max(first_b, last_b - _N + 1)]
    if not len(grams_a) or not len(grams_b):
        return None
    in_b, in_a = in_sorted(grams_a, distinct(grams_b)), in_sorted(grams_b, distinct(grams_a))
    hits_a, hits_b = np.flatnonzero(in_b), np.flatnonzero(in_a)
    if not len(hits_a):
        return None
    if max(in_a.mean(), in_b.mean()) < _COPIED:
        if not densest or not (_long_unit(a, window_a) or _long_unit(b, window_b)):
            return None  # sentences: a reworded passage quoting a phrase keeps its sentence edges
        core = _densest(hits_a)
        if core is None:
            return None
        hits_a = hits_a[core]
        hits_b = hits_b[in_sorted(grams_b[hits_b], distinct(grams_a[hits_a]))]
        core = _densest(hits_b)
        if core is None:
            return None
        hits_b = hits_b[core]
    if min(in_a.mean(), in_b.mean()) >= _COPIED:  # both sides mostly copied text (a summary's long side is not)
        hits_a, hits_b = _without_stray_ends(hits_a), _without_stray_ends(hits_b)
    words_a = [first_a + int(hits_a[0]), first_a + int(hits_a[-1]) + _N - 1]
    words_b = [first_b + int(hits_b[0]), first_b + int(hits_b[-1]) + _N - 1]
    grams_a, grams_b = a.grams(_N), b.grams(_N)
    # ``limits``: characters of ``a`` the growth stays within (another record's span lies past them).
    lo, hi = limits or (0, len(a.text))
    if grams_a[words_a[1] - _N + 1] == grams_b[words_b[1] - _N + 1]:  # the copy's last words, in both texts
        words_a[1], words_b[1] = _completed(a, words_a[1], b, words_b[1], 1, lo, hi)
    if grams_a[words_a[0]] == grams_b[words_b[0]]:  # its first words
        words_a[0], words_b[0] = _completed(a, words_a[0], b, words_b[0], -1, lo, hi)
    span_a = (start_of(a.text, int(a.word_starts[words_a[0]])), end_of(a.text, int(a.word_ends[words_a[1]])))
    span_b = (start_of(b.text, int(b.word_starts[words_b[0]])), end_of(b.text, int(b.word_ends[words_b[1]])))
    return span_a, span_b


def _completed(a: Units, word_a: int, b: Units, word_b: int, step: int, lo: int = 0,
               hi: int | None = None) -> tuple[int, int]:
    """A copy's last (``step`` 1) or first (-1) words ``word_a``, ``word_b`` moved on while both texts go on with
    the same words, to the end (or start) of the sentence: two texts may cut a copied run into sentences
    differently (a line break inside its last sentence in one), and the copy ended where the broken text's
    sentence did, its last words left out of both spans. A copy that ends (or starts) a sentence in both texts
    is not grown: the words past it are the texts' own. Nor past ``lo`` and ``hi`` (characters of ``a``)."""
    at_edge = _ends_sentence if step > 0 else _starts_sentence
    if at_edge(a, word_a) or at_edge(b, word_b):  # a sentence ends with the copy: what follows is a text's own
        return word_a, word_b
    hi = len(a.text) if hi is None else hi
    while 0 <= word_a + step < len(a.word_hashes) and 0 <= word_b + step < len(b.word_hashes) \
            and a.word_hashes[word_a + step] == b.word_hashes[word_b + step] \
            and lo <= a.word_starts[word_a + step] and a.word_ends[word_a + step] <= hi:
        word_a, word_b = word_a + step, word_b + step
        if at_edge(a, word_a) or at_edge(b, word_b):
            break
    return word_a, word_b


def _ends_sentence(units: Units, word: int) -> bool:
    """Whether a sentence end follows ``word`` (its closing marks hold one), or no word does."""
    end = int(units.word_ends[word])
    return word + 1 >= len(units.word_starts) or any(c in ENDS for c in units.text[end:end_of(units.text, end)])


def _starts_sentence(units: Units, word: int) -> bool:
    """Whether ``word`` opens a sentence: only spaces and opening marks between it and a sentence end, or the
    text's start."""
    text = units.text
    at = start_of(text, int(units.word_starts[word]))
    while at > 0 and text[at - 1].isspace():  # read back, not the text's whole start copied at every word
        at -= 1
    return at == 0 or text[at - 1] in ENDS or (text[at - 1] in _CLOSING_QUOTES and (at == 1 or text[at - 2] in ENDS))


_CLOSING_QUOTES = "\"')\u2019\u201d\u00bb"


def _long_unit(units: Units, window: tuple[int, int]) -> bool:
    """Whether a unit lying in ``window`` is ``_LONG_UNIT`` characters or longer (a block without sentence ends)."""
    first = bisect_right(units.spans, window[0], key=lambda span: span[1])  # the units' spans are in order:
    last = bisect_left(units.spans, window[1], key=lambda span: span[0])  # read only the window's
    return any(end - start >= _LONG_UNIT for start, end in units.spans[first:last])


def _without_stray_ends(hits: np.ndarray) -> np.ndarray:
    """``hits`` (n-gram positions, ascending) without a short run of them at either end (a phrase of under
    ``_SEED_N`` words) standing ``_STRAY_GAP`` positions or more from the rest: a headline or a sentence elsewhere
    in one text naming what the copy says, which took the copy's edge out to it."""
    breaks = np.flatnonzero(np.diff(hits) >= _STRAY_GAP) + 1
    if not len(breaks):
        return hits
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(hits)]))
    short = ends - starts < _SEED_N - _N + 1
    first, last = 0, len(starts) - 1
    while first < last and short[first]:
        first += 1
    while last > first and short[last]:
        last -= 1
    return hits[starts[first]:ends[last]]


_STRAY_GAP = 3 * _SEED_N  # n-gram positions between a stray phrase and the rest of a copy's shared runs


def _densest(hits: np.ndarray) -> slice | None:
    """The longest run of ``hits`` (n-gram positions, ascending) that no gap of more than ``_N`` positions breaks
    (one word changed breaks ``_N`` n-grams), as a slice of them; None when it is too short to be a copy (under
    ``_SEED_N`` words) or not mostly shared (``_COPIED``)."""
    breaks = np.flatnonzero(np.diff(hits) > _N + 1) + 1
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(hits)]))
    best = int(np.argmax(ends - starts))
    first, last = int(starts[best]), int(ends[best])
    count, extent = last - first, int(hits[last - 1] - hits[first]) + 1
    if count < _SEED_N - _N + 1 or count < _COPIED * extent:
        return None
    return slice(first, last)


def _word_range(units: Units, window: tuple[int, int]) -> tuple[int, int]:
    """The words that start inside ``window``, as ``[first, last)`` indices."""
    return (int(np.searchsorted(units.word_starts, window[0])), int(np.searchsorted(units.word_starts, window[1])))


def copied_seeds(a: Units, b: Units) -> np.ndarray:
    """Unit pairs ``(i, j)`` that share a verbatim run of ``_SEED_N`` words (``_DENSE_SEED_N`` characters of
    Chinese or Japanese), so a copy is never missed because its sentences were cut differently in the two
    texts; a run is placed in the unit its first word is in (none: no seed). With ``a is b`` (one text against
    itself), a run repeated in it; runs repeated all over (page furniture) seed nothing."""
    n = _DENSE_SEED_N if a.dense or b.dense else _SEED_N
    grams_a = a.grams(n)
    same = a is b
    grams_b = grams_a if same else b.grams(n)
    if not len(grams_a) or not len(grams_b):
        return np.zeros((0, 2), np.int64)
    # Sorts, not np.unique / np.intersect1d: numpy's hash-based unique costs more on arrays this small.
    if same:
        values, counts, _ = counted(grams_a, np.zeros(len(grams_a), np.int8))
        shared = values[(counts >= 2) & (counts <= _MAX_REPEATS)]
    else:
        both = np.sort(np.concatenate((distinct(grams_a), distinct(grams_b))))
        shared = both[1:][both[1:] == both[:-1]]
    if not len(shared):
        return np.zeros((0, 2), np.int64)
    pos_a, pos_b = np.flatnonzero(in_sorted(grams_a, shared)), np.flatnonzero(in_sorted(grams_b, shared))
    unit_a, inside_a = _unit_of(a, a.word_starts[pos_a])
    unit_b, inside_b = _unit_of(b, b.word_starts[pos_b])
    pos_a, unit_a, pos_b, unit_b = pos_a[inside_a], unit_a[inside_a], pos_b[inside_b], unit_b[inside_b]
    order = np.argsort(grams_b[pos_b], kind="stable")
    sorted_b, unit_b = grams_b[pos_b][order], unit_b[order]
    low = np.searchsorted(sorted_b, grams_a[pos_a], side="left")
    counts = np.searchsorted(sorted_b, grams_a[pos_a], side="right") - low
    if counts.sum() > _MAX_PAIRS:  # a run repeated all over both texts: furniture, not reuse
        return np.zeros((0, 2), np.int64)
    partner = np.repeat(low - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    first, second = np.repeat(unit_a, counts), unit_b[partner]
    if same:
        first, second = np.minimum(first, second), np.maximum(first, second)
        apart = first != second
        first, second = first[apart], second[apart]
    # One code a pair, then sorted and distinct: what np.unique(pairs, axis=0) gives, without its slow path.
    size = max(len(b), 1)
    codes = distinct(first * size + second)
    return np.stack((codes // size, codes % size), axis=1)


def _unit_of(units: Units, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit each character position is in, and whether it is in one at all."""
    spans = np.array(units.spans, dtype=np.int64).reshape(-1, 2)
    unit = np.searchsorted(spans[:, 0], positions, side="right") - 1
    inside = (unit >= 0) & (positions < spans[np.maximum(unit, 0), 1])
    return np.maximum(unit, 0), inside
