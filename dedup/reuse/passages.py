"""Passages: seed sentence pairs grouped into passage pairs, and the passages an alignment keeps.

``dedup.reuse.align`` finds the seeds and decides the settings; this module groups seeds (``extend``), tells a
summary (``is_summary``) and chooses among overlapping passages (``without_overlaps``, ``with_summaries``).
A passage's sides are ranges of units (``dedup.reuse.units.Units``), first and last included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dedup.reuse.units import Units


@dataclass(frozen=True, eq=False)  # one passage is itself only (its seeds are an array)
class Passage:
    """Two ranges of units, the seeds that make them, and the two sides' cosine as wholes."""

    a: tuple[int, int]  # first and last unit in text a
    b: tuple[int, int]
    seeds: np.ndarray  # (n, 2) unit pairs
    cosine: float
    copied: bool = False  # made of copied-run seeds alone (``Alignment._copied``): a copy, whatever its cosine


def extend(seeds: np.ndarray, gap: int, weights_a, weights_b, min_cosine: float) -> list[Passage]:
    """Group seeds into passages, splitting a group whose sides are not alike with a smaller gap."""
    found = []
    for group in _groups(seeds, gap):
        a, b = (int(group[:, 0].min()), int(group[:, 0].max())), (int(group[:, 1].min()), int(group[:, 1].max()))
        cosine = fragment_cosine(weights_a, a, weights_b, b)
        if cosine >= min_cosine:
            found.append(Passage(a, b, group, cosine))
        elif gap > 0 and len(group) > 1:
            found += extend(group, gap - 1, weights_a, weights_b, min_cosine)
    return found


def _groups(seeds: np.ndarray, gap: int) -> list[np.ndarray]:
    """The seeds' groups: ``_split`` by gaps, each cut at a repeat (``_repeats``) and its parts split again."""
    groups = []
    for whole in _split(seeds, gap):
        parts = _repeats(whole)
        groups += parts if len(parts) == 1 else [g for part in parts for g in _split(part, gap)]
    return groups


def _repeats(group: np.ndarray) -> list[np.ndarray]:
    """``group`` cut where, past unseeded units of ``a``, a run of two or more seeds comes back to units of ``b``
    it has aligned already: ``a`` reuses that passage a second time. Grouped by their gaps alone, two copies of one
    passage a paragraph apart were one record holding the text between them. A single seed coming back (a
    sentence like one of the passage's, by chance) and adjacent units of ``a`` on one unit of ``b`` (a sentence
    split in two) stay in the group."""
    group = group[np.lexsort((group[:, 1], group[:, 0]))]
    a, b = group[:, 0].tolist(), group[:, 1].tolist()
    cuts, seen, start = [], set(), 0
    for k in range(len(a)):
        if k > start and b[k] in seen and a[k] > a[k - 1] + 1 and _run_back(a, b, k, seen) >= 2:
            cuts.append(k)
            seen, start = set(), k
        seen.add(b[k])
    return np.split(group, cuts) if cuts else [group]


def _run_back(a: list[int], b: list[int], k: int, seen: set) -> int:
    """How many seeds from ``k`` on, on consecutive units of ``a``, fall on units of ``b`` in ``seen``."""
    count = 0
    for m in range(k, len(a)):
        if m > k and a[m] > a[m - 1] + 1:
            break
        count += b[m] in seen
    return count


def _split(seeds: np.ndarray, gap: int) -> list[np.ndarray]:
    """Seeds cut into groups wherever consecutive ones are more than ``gap`` apart, along each text in
    turn, until no group changes."""
    groups, side, stable = [seeds], 0, 0
    while stable < 2:
        cut = []
        for group in groups:
            group = group[np.argsort(group[:, side], kind="stable")]
            breaks = np.flatnonzero(np.diff(group[:, side]) > gap + 1) + 1
            cut += np.split(group, breaks)
        stable = stable + 1 if len(cut) == len(groups) else 0
        groups, side = cut, 1 - side
    return groups


def fragment_cosine(weights_a, a: tuple[int, int], weights_b, b: tuple[int, int]) -> float:
    """The cosine of units ``a`` of one text and units ``b`` of the other, each side's rows summed."""
    left = np.asarray(weights_a[a[0]:a[1] + 1].sum(axis=0)).ravel()
    right = np.asarray(weights_b[b[0]:b[1] + 1].sum(axis=0)).ravel()
    norm = np.linalg.norm(left) * np.linalg.norm(right)
    return float(left @ right / norm) if norm else 0.0


def length(units: Units, first_last: tuple[int, int]) -> int:
    """How long units ``first_last[0]`` to ``first_last[1]`` are as text (``Units.length``: characters, those of
    Chinese and Japanese counted three times)."""
    return units.length(*first_last)


def seeded_units(passage: Passage, side: int | None = None) -> int:
    """Units that seeds hold in text ``side`` (0: a, 1: b), or in the text where they hold fewer."""
    if side is None:
        return min(seeded_units(passage, 0), seeded_units(passage, 1))
    return len(np.unique(passage.seeds[:, side]))


def is_summary(passage: Passage, units_a: Units, units_b: Units, sentences: int, coverage: float) -> bool:
    """Whether the long side is at least three times the short one, and seeds hold at least
    ``sentences`` of the short side's units and ``coverage`` of them."""
    length_a, length_b = length(units_a, passage.a), length(units_b, passage.b)
    if max(length_a, length_b) < 3 * min(length_a, length_b):
        return False
    side = 0 if length_a <= length_b else 1
    first, last = passage.a if side == 0 else passage.b
    seeded = seeded_units(passage, side)
    return seeded >= sentences and seeded >= coverage * (last - first + 1)


def without_overlaps(passages: list[Passage], units_a: Units, units_b: Units, min_chars: int,
                     seeded_min_chars: float = float("inf"), seeded_cosine: float = 0.0) -> list[Passage]:
    """The best ``passages`` (most cosine-weighted length) that overlap no better one in the first text and are
    ``min_chars`` long in both, or ``seeded_min_chars`` when seeds hold two or more units of each text and the
    sides' cosine reaches ``seeded_cosine``, in ``a``'s order."""
    kept: list[Passage] = []
    for passage in sorted(passages, key=lambda p: _weight(p, units_a, units_b), reverse=True):
        shortest = min(length(units_a, passage.a), length(units_b, passage.b))
        if shortest < min_chars and not _seeded(passage, shortest, seeded_min_chars, seeded_cosine):
            continue
        if any(overlap(passage.a, k.a) for k in kept):  # one source passage may be reused twice
            continue
        kept.append(passage)
    return sorted(kept, key=lambda p: p.a)


def _seeded(passage: Passage, shortest: int, min_chars: float, min_cosine: float) -> bool:
    """Whether a passage under the length filter is kept for its seeds (``AlignSettings.seeded_min_share``)."""
    return shortest >= min_chars and passage.cosine >= min_cosine and seeded_units(passage) >= 2


def with_summaries(kept: list[Passage], summaries: list[Passage], units_a: Units, units_b: Units,
                   min_chars: int, share: float) -> list[Passage]:
    """``kept`` and the best ``summaries`` that are ``min_chars`` long in both texts and overlap no passage
    in the first text, or whose overlapped passages lie inside them in both texts and cover at most ``share``
    of their short side: then the summary replaces them (a summary's closest sentences are a passage of their
    own, and it is the whole summary that restates the source). In ``a``'s order."""
    for summary in sorted(summaries, key=lambda p: _weight(p, units_a, units_b), reverse=True):
        if min(length(units_a, summary.a), length(units_b, summary.b)) < min_chars:
            continue
        inside = [k for k in kept if overlap(summary.a, k.a)]
        if inside and not (share and all(_within(k.a, summary.a) and _within(k.b, summary.b) for k in inside)
                           and _covered(inside, summary, units_a, units_b) <= share):
            continue
        kept = [k for k in kept if k not in inside] + [summary]
    return sorted(kept, key=lambda p: p.a)


def _covered(passages: list[Passage], summary: Passage, units_a: Units, units_b: Units) -> float:
    """The share of ``summary``'s short side that ``passages`` (inside it) cover."""
    if length(units_a, summary.a) <= length(units_b, summary.b):
        return sum(length(units_a, p.a) for p in passages) / max(length(units_a, summary.a), 1)
    return sum(length(units_b, p.b) for p in passages) / max(length(units_b, summary.b), 1)


def _weight(passage: Passage, units_a: Units, units_b: Units) -> float:
    return passage.cosine * (length(units_a, passage.a) + length(units_b, passage.b))


def _within(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return y[0] <= x[0] and x[1] <= y[1]


def overlap(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return x[0] <= y[1] and y[0] <= x[1]
