"""Common runs of two word sequences, for many pairs of one document at once: difflib's answers, faster.

``difflib.SequenceMatcher(None, a, b, autojunk=False)`` finds the longest common run of two sequences
(``find_longest_match``) and, recursively either side of it, the blocks of ``get_matching_blocks``. It
compares every pair of equal items in Python, so the restatement search spent about 15% of its time
there. Here both come from the *maximal diagonal runs of two or more items* (found for all pairs of a
document with one sort of their bigrams), and the recursion is replayed on that short list:

- a block of one item can be neither a longest run of two or more nor hold two content words, so a
  region whose runs are all shorter than ``least`` is not searched further: its blocks would all be
  dropped (``shared_spans`` keeps blocks with two content words or more);
- inside a region, difflib's longest match is a run clipped to the region; among equally long ones it
  returns the one that *ends* first in ``a`` (its scan is over ``a``, then ``b``, and only a longer run
  replaces the best), then first in ``b``: so does ``_first_longest``;
- without junk, difflib never returns two adjacent blocks (each would extend the other), so its final
  merge step changes nothing.

``tests/test_runs.py`` checks both against difflib on random and repetitive sequences.
"""

from __future__ import annotations

import heapq
from typing import Iterator, Sequence

import numpy as np

Run = tuple[int, int, int]  # (start in a, start in b, length)

# Bigram pairs one join may expand (the sum of its key groups' squared sizes); past it, the pairs are joined in
# smaller chunks, and a single pair past it alone is compared in Python (``runs_of_pair``).
_JOIN_BUDGET = 4_000_000
_PAIR_TABLE = 1 << 16  # (texts x texts) up to which ``_maximal_runs`` looks a cell's pair up in a table


def matching_blocks(runs: Sequence[Run], len_a: int, len_b: int, least: int = 2) -> list[Run]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` of at least ``least`` items
    (without the closing ``(len_a, len_b, 0)``), from the maximal common runs of two or more items of
    ``a`` and ``b``; ``least`` below 2 counts as 2 (one-item blocks are not reconstructed).

    Each region carries the runs clipped to it that still hold ``least`` items (clipping only shortens a
    run, so the others can give no block of the region or of its parts). Regions are searched longest block
    first, and the search stops once the runs it has read (summed over regions) reach ``_WORK_PER_ITEM`` per
    item of the two sequences and ``_WORK_PER_RUN`` per run they share: two price tables of a few hundred rows
    share a short run on nearly every diagonal, and each of their hundreds of blocks read all of those runs again
    (a 42 KB page took two minutes). Such a pair keeps its longest blocks. Prose reads under one run an item
    (0.84 at most over the articles of ``data/dev`` and 400 PAN 2013 pages), lists of rows of one wording about
    one more per run (1.2 at most for 70 to 800 rows): both far from the cut."""
    least = max(least, 2)
    found: list[Run] = []
    start = [r for r in runs if r[2] >= least]
    budget = _WORK_PER_ITEM * (len_a + len_b) + _WORK_PER_RUN * len(start) + _WORK_FLOOR
    queue: list = []
    _push(queue, (0, len_a, 0, len_b), start)
    while queue and budget > 0:
        _, _, (alo, ahi, blo, bhi), inside, (i, j, k) = heapq.heappop(queue)
        budget -= len(inside)
        found.append((i, j, k))
        if alo < i and blo < j:
            _push(queue, (alo, i, blo, j), _clipped(inside, alo, i, blo, j, least))
        if i + k < ahi and j + k < bhi:
            _push(queue, (i + k, ahi, j + k, bhi), _clipped(inside, i + k, ahi, j + k, bhi, least))
    found.sort()
    return found


_WORK_PER_ITEM = 16  # runs read (summed over regions) per item of the two sequences, at most (``matching_blocks``)
_WORK_PER_RUN = 4  # and per run the pair starts with: a list's rows share many runs, each read about twice
_WORK_FLOOR = 4096


def _push(queue: list, region: tuple[int, int, int, int], inside: list[Run]) -> None:
    """A region and its runs, with its first block (difflib's longest match there), onto the heap."""
    if inside:  # else every block left in this region is shorter than ``least``
        best = min(inside, key=_first_longest)
        heapq.heappush(queue, (-best[2], len(queue), region, inside, best))


def _first_longest(run: Run) -> tuple[int, int, int]:
    """difflib's order among a region's longest matches: the longest, then the first to end in ``a``,
    then in ``b`` (its scan is over ``a``, then ``b``, and only a longer run replaces the best)."""
    i, j, k = run
    return -k, i + k, j + k


def _clipped(runs: list[Run], alo: int, ahi: int, blo: int, bhi: int, least: int) -> list[Run]:
    """The parts of ``runs`` inside the region, those of at least ``least`` items."""
    out = []
    for i, j, k in runs:
        d = j - i
        start, end = max(i, alo, blo - d), min(i + k, ahi, bhi - d)
        if end - start >= least:
            out.append((start, start + d, end - start))
    return out


def longest_run(runs: Sequence[Run], shares_an_item: bool) -> int:
    """``find_longest_match(0, len(a), 0, len(b)).size`` from the maximal runs of two or more items and whether
    the sequences share any item at all."""
    if runs:
        return max(k for _, _, k in runs)
    return 1 if shares_an_item else 0


def runs_of_pairs(sequences: Sequence[np.ndarray], pairs: np.ndarray) -> list[list[Run]]:
    """The maximal common runs of two or more items of ``sequences[p]`` and ``sequences[q]`` for each row
    ``(p, q)`` of ``pairs`` (integer item ids; ``p == q`` allowed), ordered by diagonal and start, with one join
    of the bigrams of the sequences named for as many pairs at once as ``_JOIN_BUDGET`` allows
    (``_joined_chunks``)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    found: list[list[Run]] = [[] for _ in range(len(pairs))]
    for rows, joined in _joined_chunks(sequences, pairs):
        if joined is None:
            found[int(rows[0])] = _runs_alone(sequences, pairs[rows[0]])
            continue
        row, start, diagonal, size, copies = joined
        for k, i, d, n in zip(rows[row].tolist(), start.tolist(), diagonal.tolist(), size.tolist()):
            found[k].append((i, i + d, n))
        for k, first in copies:
            found[int(rows[k])] = found[int(rows[first])]
    return found


def longest_runs(sequences: Sequence[np.ndarray], pairs: np.ndarray, shares_an_item: np.ndarray) -> np.ndarray:
    """``longest_run`` of each row of ``pairs`` (see ``runs_of_pairs``), from the lengths of its maximal runs
    without listing them; ``shares_an_item``: whether each pair's sequences share any item."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    longest = np.zeros(len(pairs), dtype=np.int64)
    for rows, joined in _joined_chunks(sequences, pairs):
        if joined is None:
            longest[rows[0]] = longest_run(_runs_alone(sequences, pairs[rows[0]]), False)
            continue
        row, _, _, size, copies = joined
        np.maximum.at(longest, rows[row], size)
        for k, first in copies:
            longest[rows[k]] = longest[rows[first]]
    return np.where(longest > 0, longest, np.asarray(shares_an_item, dtype=np.int64))


def _joined_chunks(sequences: Sequence[np.ndarray], pairs: np.ndarray) -> Iterator[tuple[np.ndarray, tuple | None]]:
    """``(rows, _maximal_runs(sequences, pairs[rows]))`` for consecutive chunks of the rows of ``pairs``, each
    chunk's join within ``_JOIN_BUDGET``, halved until it is; ``(rows, None)`` for a single pair past it.

    A join's cells grow with the square of each bigram's occurrences over all the texts named: a page of
    hundreds of long paragraphs ("of the" thousands of times) passed the budget as a whole, and every pair was
    then compared in Python (9 s of the 20 s `find_redundancy` took on an 800 KB page). Pairs are asked for in
    the order of their first text, so a chunk names few texts."""
    stack = [np.arange(len(pairs))]
    while stack:
        rows = stack.pop()
        joined = _maximal_runs(sequences, pairs[rows])
        if joined is not None or len(rows) == 1:
            yield rows, joined
        else:
            half = len(rows) // 2
            stack += [rows[half:], rows[:half]]


def _runs_alone(sequences: Sequence[np.ndarray], pair: np.ndarray) -> list[Run]:
    """The runs of one pair past the join budget alone (very repetitive texts), compared in Python, in the join's
    order (by diagonal, then start)."""
    p, q = pair.tolist()
    return sorted(runs_of_pair(sequences[p].tolist(), sequences[q].tolist()), key=lambda r: (r[1] - r[0], r[0]))


def _maximal_runs(sequences: Sequence[np.ndarray], pairs: np.ndarray) -> tuple | None:
    """(row of ``pairs``, start in a, start in b less start in a, length) of every maximal common run of two
    or more items, ordered by row, diagonal and start; and (row, its first row) of the rows asked for again,
    whose runs are those of their first (found once). None past ``_JOIN_BUDGET``."""
    empty = np.zeros(0, dtype=np.int64)
    nothing = (empty, empty, empty, empty, [])
    named = np.unique(pairs)
    if not len(pairs) or not len(named):
        return nothing
    seqs = [np.asarray(sequences[t], dtype=np.int64) for t in named.tolist()]
    lengths = np.fromiter((max(len(s) - 1, 0) for s in seqs), np.int64, len(seqs))
    if not lengths.sum():
        return nothing
    base = max(int(max((s.max() for s in seqs if len(s)), default=0)) + 1, 1)
    keys = np.concatenate([s[:-1] * base + s[1:] for s in seqs if len(s) > 1])
    text = np.repeat(named, lengths)
    pos = np.concatenate([np.arange(n) for n in lengths.tolist() if n])
    order = _stable_order(keys)  # by key, then text and position (they were in that order)
    keys, text, pos = keys[order], text[order], pos[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    sizes = np.diff(np.append(starts, len(keys)))
    if int((sizes * sizes).sum()) > _JOIN_BUDGET:
        return None
    n_texts = int(named.max()) + 1
    wanted = pairs[:, 0] * n_texts + pairs[:, 1]
    wanted_order = np.argsort(wanted, kind="stable")
    wanted_sorted = wanted[wanted_order]
    # Every (u, v) of two bigrams with one key: cell t of a key's sizes**2 is (t // size, t % size) in its group.
    cells = sizes * sizes
    group = np.repeat(np.arange(len(sizes)), cells)
    t = np.arange(int(cells.sum())) - np.repeat(np.cumsum(cells) - cells, cells)
    u, v = starts[group] + t // sizes[group], starts[group] + t % sizes[group]
    code = text[u] * n_texts + text[v]
    # A pair asked for twice gets the runs once, copied by the callers: each cell's pair is the first row asking.
    first_asked = np.concatenate(([True], wanted_sorted[1:] != wanted_sorted[:-1]))
    if n_texts * n_texts <= _PAIR_TABLE:  # a document's few texts: the row of each (text, text) looked up
        row = np.full(n_texts * n_texts, -1, dtype=np.int64)
        row[wanted_sorted[first_asked]] = wanted_order[first_asked]
        found = row[code]
        hit = np.flatnonzero(found >= 0)  # positions, not a mask: three arrays are read at them (see csr_rows)
        pair = found[hit]
    else:
        at = np.searchsorted(wanted_sorted, code)
        hit = at < len(wanted_sorted)
        hit[hit] = wanted_sorted[at[hit]] == code[hit]
        hit = np.flatnonzero(hit)
        pair = wanted_order[at[hit]]
    if not len(hit):
        return nothing
    i, j = pos[u[hit]], pos[v[hit]]
    d = j - i
    order = np.lexsort((i, d, pair))
    pair, i, d = pair[order], i[order], d[order]
    new = np.concatenate(([True], (pair[1:] != pair[:-1]) | (d[1:] != d[:-1]) | (i[1:] != i[:-1] + 1)))
    first = np.flatnonzero(new)
    length = np.diff(np.append(first, len(pair))) + 1  # bigrams chained, plus one
    return pair[first], i[first], d[first], length, _repeated(wanted_order, wanted_sorted)


def _repeated(order: np.ndarray, ordered: np.ndarray) -> list[tuple[int, int]]:
    """(row, first row asking for the same pair) of each row of ``pairs`` asked for again."""
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    return [(int(order[at]), int(order[np.searchsorted(ordered, ordered[at])])) for at in repeat.tolist()]


def runs_of_pair(a: Sequence[int], b: Sequence[int]) -> list[Run]:
    """The maximal common runs of two or more items of ``a`` and ``b`` (the fallback of ``runs_of_pairs``)."""
    at_b: dict[tuple[int, int], list[int]] = {}
    for j in range(len(b) - 1):
        at_b.setdefault((b[j], b[j + 1]), []).append(j)
    runs = []
    for i in range(len(a) - 1):
        for j in at_b.get((a[i], a[i + 1]), ()):
            if i and j and a[i - 1] == b[j - 1]:
                continue  # not where the run starts
            k = 2
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            runs.append((i, j, k))
    return runs


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")``: where every ``key * n + index`` fits in 64 bits, one plain sort
    of those (distinct, so any sort orders them as the stable one does), several times faster than numpy's
    merge sort of 64-bit keys."""
    n = len(keys)
    if not n or max(int(keys.max()), -int(keys.min())) >= (1 << 62) // n:
        return np.argsort(keys, kind="stable")
    return np.sort(keys * n + np.arange(n)) % n
