"""Join confirmed matches into restatement groups.

Matches link sentences, not whole paragraphs: a long paragraph often makes
several claims, and joining whole paragraphs would merge every claim it
touches into one blob. Sentences are joined with union-find; each resulting
claim becomes a group of the paragraphs that state it. A paragraph that
makes two restated claims sits in two groups, which are thereby linked.
"""

from __future__ import annotations

from typing import Hashable, Iterable

from dedup.records import Group, Match


class UnionFind:
    """Disjoint sets over hashable items, with path halving and union by size."""

    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._size: dict[Hashable, int] = {}

    def add(self, item: Hashable) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: Hashable) -> Hashable:
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]

    def components(self) -> list[list[Hashable]]:
        groups: dict[Hashable, list[Hashable]] = {}
        for item in self._parent:
            groups.setdefault(self.find(item), []).append(item)
        return list(groups.values())


def sentence_components(matches: Iterable[Match]) -> list[list[tuple[int, int]]]:
    """Sentences ``(paragraph, sentence number)`` joined by the matches' sentence pairs (``-1``: a whole paragraph)."""
    uf = UnionFind()
    for m in matches:
        if m.sentences:
            for pair in m.sentences:
                uf.union((m.a, pair.a_index), (m.b, pair.b_index))
        else:
            uf.union((m.a, -1), (m.b, -1))
    return uf.components()


def group_matches(matches: Iterable[Match]) -> list[Group]:
    """Restatement groups from matches whose evidence names sentence pairs.

    Sentences are identified as ``(paragraph, sentence number)``; a match
    with no sentence evidence links its two paragraphs as wholes.
    """
    seen: set[tuple[int, ...]] = set()
    groups = []
    for members in sentence_components(matches):
        paragraphs = tuple(sorted({p for p, _ in members}))
        if len(paragraphs) >= 2 and paragraphs not in seen:
            seen.add(paragraphs)
            groups.append(Group(paragraphs))
    groups.sort(key=lambda g: (g.paragraphs[0], -len(g.paragraphs), g.paragraphs))
    return groups


def cluster_pairs(pairs: Iterable[tuple[Hashable, Hashable]]) -> list[list[Hashable]]:
    """Connected components of a pair list, each sorted, components of two or more."""
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    return sorted((sorted(c) for c in uf.components() if len(c) > 1), key=lambda c: c[0])
