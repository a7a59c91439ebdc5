"""Copies settled first: a passage beside a copy does not take the copy's sentences by likeness.

``Alignment.passages`` groups seeds into passages (``passages.extend``), then settles the copies
(``copies_first``, here) before the overlaps (``passages.without_overlaps``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.reuse.passage_record import seed_cosines
from dedup.reuse.passages import Passage, extend, held
from dedup.reuse.unit_rows import LazyCosines
from dedup.util.arrays import distinct, in_sorted

_WHOLE_COPY = 0.999  # a copied-run seed whose sentences are this alike is a whole sentence copied


def copies_first(passages: list[Passage], copies: np.ndarray, weights: tuple, min_cosine: float, gap: int,
                 holds: Callable[[Passage], bool] | None = None) -> list[Passage]:
    """``passages`` with copies settled first: a copy's sentences are like the text around them, so a passage
    beside a copy could seed one of its sentences by likeness and grow over it (a list of font names, one block
    in the source, copied whole into the other text as eleven lines: the paragraph copied before it took the
    block by one such seed, outweighed the list's passage, and the list was lost where the source came first).

    - In the first text, where passages may not overlap, a seed that shares no copied run (``copies``: the unit
      pairs that do) and lies past its own passage's copied units gives up a unit another passage holds through
      a copied run (a reworded passage that a short copy repeats one sentence of keeps it: the overlap is then
      settled by weight, as before).
    - In either text, a passage is cut where its seeds skip over such a unit: its parts on either side are
      passages of their own (a copied paragraph and its reworded continuation with a quote copied between
      them are two passages, not one over the quote). A part too short to be kept (``holds``) is dropped when
      it shares no copied run (a likeness that reached over the copy); when it does, the passage is not cut
      (two copied sentences around a third copied elsewhere are still one reuse).

    The second text may hold one passage reused twice, so a seed at a unit another passage holds there is kept.
    The parts are grouped again as ``extend`` groups seeds, and copied seeds no group holds become copies of
    their own: no seed of a copied run is lost.
    ``holds``: whether a passage may hold a unit so (default: every one); one too short to be kept (a title
    copied, under ``min_chars``) changes no other."""
    holds = holds or (lambda passage: True)
    for _ in range(_SETTLING_ROUNDS):  # the parts of a cut passage hold copies of their own: settled again
        settled = _copies_first(passages, copies, weights, min_cosine, gap, holds)
        if len(settled) == len(passages) and all(a is b for a, b in zip(settled, passages)):
            break
        passages = settled
    return passages


# Rounds of ``copies_first`` at most (a round that changes nothing ends them; two sufficed on PAN's pairs).
_SETTLING_ROUNDS = 4


def _copies_first(passages: list[Passage], copies: np.ndarray, weights: tuple, min_cosine: float, gap: int,
                  holds: Callable[[Passage], bool]) -> list[Passage]:
    """One round of ``copies_first``."""
    if len(passages) < 2 or not len(copies):
        return passages
    holding = np.array([holds(p) for p in passages], dtype=bool)
    seeds = np.concatenate([p.seeds for p in passages]).astype(np.int64)
    owner = np.repeat(np.arange(len(passages)), [len(p.seeds) for p in passages])
    size = int(max(seeds.max(), copies.max())) + 1  # units of either text are under it
    copied = in_sorted(seeds[:, 0] * size + seeds[:, 1], distinct(copies[:, 0].astype(np.int64) * size + copies[:, 1]))
    held = [_held_by_others(seeds[:, side], owner, copied, size, holding) for side in (0, 1)]
    # Seeds of the first text at a unit another passage holds through a copied run, past their own passage's
    # copied units: a copy's likeness at its edge, not a reworded passage the copy repeats a sentence of.
    given_up = ~copied & held[0][1] & _past_own_copies(seeds[:, 0], owner, copied, len(passages))
    starts = np.concatenate(([0], np.cumsum([len(p.seeds) for p in passages])))
    found = []
    for k, passage in enumerate(passages):
        mine = slice(starts[k], starts[k + 1])
        kept = ~given_up[mine]
        left, left_copied = passage.seeds[kept], copied[mine][kept]
        parts = _cut_at_held(left, held[0][0], held[1][0], k) if len(left) else []
        if len(parts) > 1:
            short = [not holds(_spanning(left[part])) for part in parts]
            if any(too_short and left_copied[part].any() for part, too_short in zip(parts, short)):
                parts = [np.arange(len(left))]  # a cut into copies too short to keep would lose them: none
            else:  # a piece too short to keep, with no copied run, was a likeness reaching over the copy
                parts = [part for part, too_short in zip(parts, short) if not too_short]
        if len(parts) == 1 and len(parts[0]) == len(passage.seeds):
            found.append(passage)
            continue
        for part in parts:
            found += _regrouped(left[part], left_copied[part], gap, weights, min_cosine, passage)
    return found


def _spanning(seeds: np.ndarray) -> Passage:
    """A passage over the ranges ``seeds`` span (to ask its length)."""
    return Passage((int(seeds[:, 0].min()), int(seeds[:, 0].max())), (int(seeds[:, 1].min()), int(seeds[:, 1].max())),
                   seeds, 0.0)


def _regrouped(part: np.ndarray, copied: np.ndarray, gap: int, weights: tuple, min_cosine: float,
               passage: Passage) -> list[Passage]:
    """The passages of a cut passage's ``part`` (its seeds; ``copied``: which share a copied run), grouped as
    ``extend`` groups (a part may hold two copies apart in one text), and its copied seeds no group holds as
    passages whatever their cosine (``Alignment._copied``'s rule): no copied seed is lost to a cut."""
    if passage.copied:  # a copy grouped whatever its cosine, as it was made
        return [replace(p, copied=True, trimmed=passage.trimmed) for p in extend(part, gap, *weights, 0.0)]
    grouped = extend(part, gap, *weights, min_cosine)
    rest = part[copied & ~held(part, grouped)]
    grouped += [replace(p, copied=True) for p in extend(rest, gap, *weights, 0.0)] if len(rest) else []
    return [replace(p, trimmed=passage.trimmed) for p in grouped]


def _past_own_copies(units: np.ndarray, owner: np.ndarray, copied: np.ndarray, passages: int) -> np.ndarray:
    """Whether each seed's unit (``units``, in one text) lies before the first or after the last unit its passage
    (``owner``) holds through a copied run (``copied``); False in a passage that holds none."""
    first = np.full(passages, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(passages, -1, dtype=np.int64)
    np.minimum.at(first, owner[copied], units[copied])
    np.maximum.at(last, owner[copied], units[copied])
    return (last[owner] >= 0) & ((units < first[owner]) | (units > last[owner]))


def _held_by_others(units: np.ndarray, owner: np.ndarray, copied: np.ndarray, size: int,
                    holding: np.ndarray) -> tuple[tuple[np.ndarray, dict], np.ndarray]:
    """In one text (each seed's unit ``units``, passage ``owner``, and whether it shares a copied run,
    ``copied``), the units that passages that may hold (``holding``) hold through a copied run: as
    ``(before, sole)``, ``before[u]`` how many of them are under ``u`` and ``sole[k]`` the sorted units that
    passage ``k`` alone holds so (not another's, for it); and whether each seed's unit is held so by another
    passage than its own."""
    own = distinct(owner[copied] * size + units[copied])  # (passage, unit) held through a copied run
    own_passage, own_unit = np.divmod(own, size)
    keep = holding[own_passage]
    holders = np.bincount(own_unit[keep], minlength=size)
    before = np.concatenate(([0], np.cumsum(holders > 0)))
    alone = keep & (holders[own_unit] == 1)
    # ``own`` is sorted by passage: each passage's units alone are a slice of them.
    passages_alone, first = np.unique(own_passage[alone], return_index=True)
    sole = dict(zip(passages_alone.tolist(), np.split(own_unit[alone], first[1:])))
    is_own = in_sorted(owner * size + units, own) if len(own) else np.zeros(len(units), dtype=bool)
    return (before, sole), holders[units] - (is_own & holding[owner]) > 0


def _cut_at_held(seeds: np.ndarray, held_a: tuple[np.ndarray, dict], held_b: tuple[np.ndarray, dict],
                 k: int) -> list[np.ndarray]:
    """``seeds`` (of passage ``k``) cut into parts (each the indices of its rows) wherever, along either text, two
    consecutive units of them have between them a unit another passage holds through a copied run
    (``_held_by_others``)."""
    parts = [np.arange(len(seeds))]
    for side, (before, sole) in ((0, held_a), (1, held_b)):
        mine = sole.get(k, np.zeros(0, np.int64))
        cut = []
        for part in parts:
            part = part[np.argsort(seeds[part, side], kind="stable")]
            units = seeds[part, side]
            low, high = units[:-1] + 1, units[1:]  # the units strictly between consecutive ones: [low, high)
            others = before[high] - before[low] - (np.searchsorted(mine, high) - np.searchsorted(mine, low))
            cut += np.split(part, np.flatnonzero(others > 0) + 1)
        parts = cut
    return parts


def beside_copies(seeds: np.ndarray, copies: np.ndarray, cosine: np.ndarray | LazyCosines,
                  two_texts: bool = True) -> np.ndarray:
    """``seeds`` (unit pairs of two texts) without those pairing a copied unit (of one of ``copies``, the copied-run
    seeds, whose sentences are alike as wholes: ``cosine`` at least ``_WHOLE_COPY``) with a unit more than one
    away from every unit it is copied from or to: that sentence's reuse is its copy, and a sentence elsewhere in
    the other text like it is that text restating itself. Kept, such a seed stretched the copy's passage over the
    text between (a copy of five paragraphs whose source restates two of their sentences further down was one
    ``edited`` record over both; found by a reviewer on 2026-12-07). A seed in a run in step in both texts stays
    (``_in_runs``): the copied sentences reused a second time. One text against itself (not ``two_texts``):
    ``seeds`` as they are."""
    if not two_texts or not len(copies) or not len(seeds):
        return seeds
    copies = copies[seed_cosines(copies, cosine) >= _WHOLE_COPY]
    if not len(copies):
        return seeds
    none = np.iinfo(np.int64).max
    keep = np.ones(len(seeds), dtype=bool)
    for side in (0, 1):
        other = 1 - side
        width = max(int(seeds[:, other].max()), int(copies[:, other].max())) + 2
        codes = np.sort(copies[:, side].astype(np.int64) * width + copies[:, other])
        at = np.searchsorted(codes, seeds[:, side].astype(np.int64) * width + seeds[:, other])
        near = np.full(len(seeds), none)
        for k in (at - 1, at):  # the copies of the seed's unit nearest it, below and above
            found = codes[np.clip(k, 0, len(codes) - 1)]
            same = (k >= 0) & (k < len(codes)) & (found // width == seeds[:, side])
            near = np.where(same, np.minimum(near, np.abs(found % width - seeds[:, other])), near)
        keep &= (near <= 1) | (near == none)  # beside a copy of its unit, or its unit has none
    if keep.all():
        return seeds
    return seeds[keep | _in_runs(seeds, copies)]


def _in_runs(seeds: np.ndarray, copies: np.ndarray) -> np.ndarray:
    """Whether each of ``seeds`` is in a run in step in both texts, a second reuse of copied sentences (``copies``,
    copied in one place, edited or reworded in another) rather than a text restating one of them. Seeds join when
    one is a unit on from the other in both texts (either way along the second: a rewording may swap or reverse
    sentences), or in one text where both of that text's units are copied sentences (an edited copy can run two
    copied sentences into one unit, through a dropped full stop, or cut one in two); a run counts when two of its
    seeds are a unit on in both. With the forward step in both texts alone, 2 of 10 passages copied verbatim and
    again with every fifth word dropped lost their first sentence, and a third its whole edited copy; a reworded
    second copy with two sentences swapped lost them, and one of three sentences reversed was lost whole. A step
    in one text over sentences not copied is a restatement spread over a few sentences of that text: joined, such
    steps stretched three PAN 2013 copies over their source's restatements."""
    width = int(seeds[:, 1].max()) + 2
    codes = seeds[:, 0].astype(np.int64) * width + seeds[:, 1]
    order = np.argsort(codes)
    rows, cols, diagonal = [], [], []
    # (step, the text whose two units must be copied sentences, whether it is a step in both texts): a unit on
    # along the second text, along the first, along both, and along both with the second going back (a code of
    # b - 1 is no seed's, since b < width - 1). The step back is a rewording's swap of the second text's copied
    # sentences; over sentences not copied it stretched two PAN 2013 copies again.
    for step, side, both in ((1, 1, False), (width, 0, False), (width + 1, None, True), (width - 1, 1, True)):
        at = np.searchsorted(codes, codes + step, sorter=order)
        found = order[np.clip(at, 0, len(order) - 1)]
        joined = (at < len(order)) & (codes[found] == codes + step)
        if side is not None:
            copied = np.unique(copies[:, side])
            ends = np.isin(seeds[:, side], copied), np.isin(seeds[found, side], copied)
            # Along one text both units are copied sentences; a swap needs one (the other may have run into a
            # sentence beside the copy).
            joined &= (ends[0] | ends[1]) if both else (ends[0] & ends[1])
        if both:
            diagonal.append(np.flatnonzero(joined))
        rows.append(np.flatnonzero(joined))
        cols.append(found[joined])
    graph = sparse.coo_matrix((np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(len(seeds), len(seeds)))
    labels = connected_components(graph, directed=False)[1]
    return np.isin(labels, labels[np.concatenate(diagonal)])
