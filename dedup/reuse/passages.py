"""Passages: seed sentence pairs grouped into passage pairs, and the passages an alignment keeps.

``dedup.reuse.align`` finds the seeds and decides the settings; this module groups seeds (``extend``), tells a
summary (``is_summary``) and chooses among overlapping passages (``without_overlaps``, ``with_summaries``).
A passage's sides are ranges of units (``dedup.reuse.units.Units``), first and last included.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from dedup.reuse.units import Units


@dataclass(frozen=True, eq=False)  # one passage is itself only (its seeds are an array)
class Passage:
    """Two ranges of units, the seeds that make them, and the two sides' cosine as wholes."""

    a: tuple[int, int]  # first and last unit in text a
    b: tuple[int, int]
    seeds: np.ndarray  # (n, 2) unit pairs
    cosine: float
    copied: bool = False  # made of copied-run seeds alone (``Alignment._copied``): a copy, whatever its cosine
    trimmed: bool = False  # gave up units a better passage holds (``_outside``): its record comes after theirs


def extend(seeds: np.ndarray, gap: int, weights_a, weights_b, min_cosine: float,
           twice_in_b: bool = True, one_text: bool = False) -> list[Passage]:
    """Group seeds into passages, splitting a group whose sides are not alike with a smaller gap. Without
    ``twice_in_b``, ``b`` is not cut where it takes up a passage of ``a`` again (``_groups``): a summary's.
    ``one_text``: the two sides are one text, and no passage's ranges overlap (``_apart``)."""
    if one_text:
        return [q for p in extend(seeds, gap, weights_a, weights_b, min_cosine, twice_in_b)
                for q in _apart(p, gap, weights_a, weights_b, min_cosine, twice_in_b)]
    found = []
    groups = _groups(seeds, gap, twice_in_b, (weights_a, weights_b))
    ranges_a = np.array([(g[:, 0].min(), g[:, 0].max()) for g in groups], dtype=np.int64).reshape(-1, 2)
    ranges_b = np.array([(g[:, 1].min(), g[:, 1].max()) for g in groups], dtype=np.int64).reshape(-1, 2)
    cosines = fragment_cosines(weights_a, ranges_a, weights_b, ranges_b)  # a level's groups at once
    for group, a, b, cosine in zip(groups, ranges_a.tolist(), ranges_b.tolist(), cosines.tolist()):
        if cosine >= min_cosine:
            found.append(Passage(tuple(a), tuple(b), group, cosine))
        elif gap > 0 and len(group) > 1:
            found += extend(group, gap - 1, weights_a, weights_b, min_cosine, twice_in_b)
    return found


def _apart(passage: Passage, gap: int, weights_a, weights_b, min_cosine: float, twice_in_b: bool) -> list[Passage]:
    """One text against itself: ``passage`` where its two ranges do not overlap, else its seeds (each from an
    earlier unit to a later one) cut where one would reach into the units its part restates, each part grouped
    again (``extend``; ``twice_in_b`` as there). A text's title and a repeated caption grouped with later
    restatements made one record whose second range held its first: a passage restating itself."""
    if not overlap(passage.a, passage.b):
        return [passage]
    seeds = passage.seeds[np.argsort(passage.seeds[:, 0], kind="stable")]
    cuts, lowest = [], None
    for k, (i, j) in enumerate(seeds.tolist()):
        if lowest is not None and i >= lowest:
            cuts.append(k)
            lowest = None
        lowest = j if lowest is None else min(lowest, j)
    return [found for part in np.split(seeds, cuts)
            for found in extend(part, gap, weights_a, weights_b, min_cosine, twice_in_b)
            if not overlap(found.a, found.b)]


def held(cells: np.ndarray, passages: list[Passage]) -> np.ndarray:
    """Which unit pairs ``cells`` (rows ``(i, j)``) some passage holds (``i`` in its range of a, ``j`` in its range
    of b): each passage reads only the cells of its range of a, found by bisection (a catalogue of thousands of
    lines has tens of thousands of each)."""
    inside = np.zeros(len(cells), dtype=bool)
    if not len(cells) or not passages:
        return inside
    order = np.argsort(cells[:, 0], kind="stable")
    along_a, along_b = cells[order, 0], cells[order, 1]
    for passage in passages:
        lo, hi = np.searchsorted(along_a, (passage.a[0], passage.a[1] + 1))
        b = along_b[lo:hi]
        inside[order[lo:hi][(b >= passage.b[0]) & (b <= passage.b[1])]] = True
    return inside


def _groups(seeds: np.ndarray, gap: int, twice_in_b: bool, weights: tuple) -> list[np.ndarray]:
    """The seeds' groups: ``_split`` by gaps, each cut at a repeat (``_repeats``) and its parts split again, less
    their stray repeats (``_without_stray_repeats``, with ``twice_in_b`` and the texts' unit rows ``weights``)."""
    groups = []
    for whole in _split(seeds, gap):
        parts = [p for part in _repeats(whole) for p in (_repeats_in_b(part) if twice_in_b else [part])]
        trimmed = [_without_stray_repeats(part, weights) for part in parts] if twice_in_b else parts
        changed = len(parts) > 1 or sum(map(len, trimmed)) < len(whole)
        groups += [g for part in trimmed for g in _split(part, gap)] if changed else trimmed
    return groups


def _without_stray_repeats(group: np.ndarray, weights: tuple) -> np.ndarray:
    """``group`` without the seeds at an edge of either text's range that pair only units of the other text
    that the rest of the group pairs already, and that lie past unseeded units or beside a unit whose other
    seed is a copy of it (``weights``: the texts' unit rows). A sentence said twice in one text (a recap, a
    quote repeated) seeds with the copy's sentence both times, and a copied sentence seeds with its neighbour
    too when they share words: either stretched the passage over text the other never holds (found by
    trying it, 2026-12-07). Not for summaries, where one sentence restates sentences far apart (``extend``).
    At most ``_MAX_STRAYS`` edge units go: a line repeated all through one text ("Read more") would otherwise
    be taken off one copy at a time, the whole group read each time."""
    cosines = None  # each seed's two units' cosine, read once where an edge may be stray
    for _ in range(_MAX_STRAYS):
        for side, edge in ((0, "min"), (0, "max"), (1, "min"), (1, "max")):
            units = group[:, side]
            at = units == (units.min() if edge == "min" else units.max())
            if at.all() or not np.isin(group[at, 1 - side], group[~at, 1 - side]).all():
                continue
            if cosines is None:
                cosines = fragment_cosines(weights[0], group[:, [0, 0]], weights[1], group[:, [1, 1]])
            if _stray(group, cosines, at, side, edge):
                group, cosines = group[~at], cosines[~at]
                break
        else:
            return group
    return group


def _stray(group: np.ndarray, cosines: np.ndarray, at: np.ndarray, side: int, edge: str) -> bool:
    """Whether the seeds ``at`` an edge unit of ``side`` stray from the rest of their group
    (``_without_stray_repeats``; ``cosines``: each seed's): past unseeded units, each no closer to its unit of
    the other text than that unit's closest seed in the rest (a closer one is the source, and the rest's the
    repeat); beside the rest, each not a copy where the rest's seed is."""
    rest = group[~at, side]
    nearest = rest.min() if edge == "min" else rest.max()
    apart = abs(int(nearest) - int(group[at][0, side])) >= 2
    for k in np.flatnonzero(at).tolist():
        others = cosines[~at & (group[:, 1 - side] == group[k, 1 - side])].max()
        if cosines[k] > others if apart else (cosines[k] >= _COPY_COSINE or others < _COPY_COSINE):
            return False
    return True


_MAX_STRAYS = 8
_COPY_COSINE = 0.99  # a unit this close to its other seed's is a copy of it: its seed beside it is stray


def _repeats(group: np.ndarray, by_units: bool = False) -> list[np.ndarray]:
    """``group`` cut where, past unseeded units of ``a``, a run of two or more seeds (``by_units``: of seeds on two
    or more units of ``a``) comes back to units of ``b`` it has aligned already: ``a`` reuses that passage a second
    time. Grouped by their gaps alone, two copies of one passage a paragraph apart were one record holding the
    text between them. A single seed coming back (a sentence like one of the passage's, by chance) and adjacent
    units of ``a`` on one unit of ``b`` (a sentence split in two) stay in the group."""
    group = group[np.lexsort((group[:, 1], group[:, 0]))]
    a, b = group[:, 0].tolist(), group[:, 1].tolist()
    cuts, seen, start = [], set(), 0
    for k in range(len(a)):
        if k > start and b[k] in seen and a[k] > a[k - 1] + 1 and _run_back(a, b, k, seen, by_units) >= 2:
            cuts.append(k)
            seen, start = set(), k
        seen.add(b[k])
    return np.split(group, cuts) if cuts else [group]


def _repeats_in_b(group: np.ndarray) -> list[np.ndarray]:
    """``group`` cut where ``b`` takes up a passage of ``a`` a second time (``_repeats``, the texts' roles
    swapped). Aligned first, the source of a passage copied twice was one record over both copies and the text
    between. Counted by units: a sentence ``a``'s passage holds twice seeds two pairs on one unit of ``b``, and
    counted as a run it cut a single copy in two, its second half then lost (it overlaps the first in ``a``, where
    passages may not; found by a reviewer on 2026-12-07). In ``a``, by seeds as before: there both halves stay."""
    return [np.ascontiguousarray(part[:, ::-1]) for part in _repeats(group[:, ::-1], by_units=True)]


def _run_back(a: list[int], b: list[int], k: int, seen: set, by_units: bool = False) -> int:
    """How many seeds from ``k`` on, on consecutive units of ``a``, fall on units of ``b`` in ``seen`` (``by_units``:
    how many units of ``a`` hold such a seed)."""
    found = []
    for m in range(k, len(a)):
        if m > k and a[m] > a[m - 1] + 1:
            break
        if b[m] in seen:
            found.append(a[m])
    return len(set(found)) if by_units else len(found)


def _split(seeds: np.ndarray, gap: int) -> list[np.ndarray]:
    """Seeds cut into groups wherever consecutive ones are more than ``gap`` apart, along each text in
    turn, until no group changes. All groups are cut in one pass a side (each seed labelled with its group): a
    group at a time, a catalogue's tens of thousands of groups cost seconds a pass."""
    if len(seeds) < 2:
        return [seeds]
    labels, side, stable, count = np.zeros(len(seeds), dtype=np.int64), 0, 0, 1
    while stable < 2:
        order = np.lexsort((seeds[:, side], labels))  # stable: each group's seeds along ``side``
        seeds, labels = seeds[order], labels[order]
        breaks = (labels[1:] != labels[:-1]) | (np.diff(seeds[:, side]) > gap + 1)
        labels = np.concatenate(([0], np.cumsum(breaks)))
        stable = stable + 1 if labels[-1] + 1 == count else 0
        count, side = int(labels[-1]) + 1, 1 - side
    return np.split(seeds, np.flatnonzero(labels[1:] != labels[:-1]) + 1)


def fragment_cosine(weights_a, a: tuple[int, int], weights_b, b: tuple[int, int]) -> float:
    """The cosine of units ``a`` of one text and units ``b`` of the other, each side's rows summed."""
    if sparse.issparse(weights_a):
        return float(fragment_cosines(weights_a, np.array([a]), weights_b, np.array([b]))[0])
    left = weights_a[a[0]:a[1] + 1].sum(axis=0)
    right = weights_b[b[0]:b[1] + 1].sum(axis=0)
    norm = np.linalg.norm(left) * np.linalg.norm(right)
    return float(left @ right / norm) if norm else 0.0


def fragment_cosines(weights_a, ranges_a: np.ndarray, weights_b, ranges_b: np.ndarray) -> np.ndarray:
    """``fragment_cosine`` of each pair of unit ranges (``ranges_a[k]`` and ``ranges_b[k]``, first and last
    included). Sparse rows (long texts) are summed for many ranges by one product: one call a range cost a
    catalogue of thousands of lines, where nearly every line seeds a group of its own, tens of seconds."""
    if not sparse.issparse(weights_a):  # dense rows: a few thousand units at most, each call cheap
        return np.array([fragment_cosine(weights_a, a, weights_b, b) for a, b in zip(ranges_a, ranges_b)],
                        dtype=np.float64)
    found = np.zeros(len(ranges_a), dtype=np.float64)
    summed = np.cumsum(ranges_a[:, 1] - ranges_a[:, 0] + ranges_b[:, 1] - ranges_b[:, 0] + 2)
    start = 0
    while start < len(ranges_a):  # ranges in chunks of about _SUMMED_ROWS rows, so the sums stay small
        before = summed[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(summed, before + _SUMMED_ROWS, side="right")))
        left = _range_sums(weights_a, ranges_a[start:stop])
        right = _range_sums(weights_b, ranges_b[start:stop])
        dots = _row_sums(left.multiply(right))
        norms = np.sqrt(_row_sums(left.multiply(left)) * _row_sums(right.multiply(right)))
        found[start:stop] = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
        start = stop
    return found


def _range_sums(weights: sparse.csr_matrix, ranges: np.ndarray) -> sparse.csr_matrix:
    """Each range's rows of ``weights`` summed (one row a range; float32 sums, in row order as
    ``weights[first:last + 1].sum(axis=0)`` adds them), as float64: a 0/1 matrix of the ranges' rows times
    ``weights``."""
    lengths = ranges[:, 1] - ranges[:, 0] + 1
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    rows = np.arange(offsets[-1]) - np.repeat(offsets[:-1] - ranges[:, 0], lengths)
    pick = sparse.csr_matrix((np.ones(len(rows), weights.dtype), rows, offsets), shape=(len(ranges), weights.shape[0]))
    return sparse.csr_matrix(pick @ weights).astype(np.float64)


def _row_sums(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()


_SUMMED_ROWS = 1 << 18  # unit rows summed in one product of ``fragment_cosines``


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
                     seeded_min_chars: float = float("inf"), seeded_cosine: float = 0.0,
                     weights: tuple | None = None, min_cosine: float = 0.0) -> list[Passage]:
    """The best ``passages`` (most cosine-weighted length) that overlap no better one in the first text and are
    ``min_chars`` long in both, or ``seeded_min_chars`` when seeds hold two or more units of each text and the
    sides' cosine reaches ``seeded_cosine``, in ``a``'s order. With ``weights`` (the texts' unit rows), a passage
    that overlaps better ones only at its edge gives up the units they hold (``_outside``) rather than all."""
    kept = _Disjoint()
    for passage in sorted(passages, key=lambda p: _weight(p, units_a, units_b), reverse=True):
        if weights is not None and kept.overlapping(passage.a):
            passage = _outside(passage, kept.overlapping(passage.a), weights, min_cosine)
            if passage is None:
                continue
        shortest = min(length(units_a, passage.a), length(units_b, passage.b))
        if shortest < min_chars and not _seeded(passage, shortest, seeded_min_chars, seeded_cosine):
            continue
        if kept.overlapping(passage.a):  # one source passage may be reused twice
            continue
        kept.add(passage)
    return kept.passages


class _Disjoint:
    """Passages whose ranges of the first text overlap none of the others', in that text's order: the ones a range
    overlaps are found by bisection (checking each against every kept one took 64 million checks for two texts
    sharing 8,000 passages: time in the square of their number)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.passages: list[Passage] = []

    def overlapping(self, a: tuple[int, int]) -> list[Passage]:
        # Disjoint and sorted by start, so by end too: the ones overlapping ``a`` are a run ending at the last
        # that starts at or before a's end.
        last = bisect.bisect_right(self.starts, a[1])
        first = last
        while first > 0 and self.passages[first - 1].a[1] >= a[0]:
            first -= 1
        return self.passages[first:last]

    def add(self, passage: Passage) -> None:
        at = bisect.bisect_left(self.starts, passage.a[0])
        self.starts.insert(at, passage.a[0])
        self.passages.insert(at, passage)


def _outside(passage: Passage, kept: list[Passage], weights: tuple, min_cosine: float) -> Passage | None:
    """``passage`` without its seeds in units of the first text that ``kept`` passages hold: two copies side by
    side in the first text, whose edge sentence seeds both (by chance, or written across the two), kept the
    better copy and lost the other whole. None when no seed is left, or what is left is not alike as a whole;
    still overlapping when the kept units were inside it (then it is dropped)."""
    inside = np.zeros(len(passage.seeds), dtype=bool)
    for k in kept:
        inside |= (passage.seeds[:, 0] >= k.a[0]) & (passage.seeds[:, 0] <= k.a[1])
    seeds = passage.seeds[~inside]
    if not len(seeds):
        return None
    a = (int(seeds[:, 0].min()), int(seeds[:, 0].max()))
    b = (int(seeds[:, 1].min()), int(seeds[:, 1].max()))
    cosine = fragment_cosine(weights[0], a, weights[1], b)
    if cosine < min_cosine and not passage.copied:
        return None
    return Passage(a, b, seeds, cosine, passage.copied, trimmed=True)


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
