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
from dedup.text.cases import content_word_names
from dedup.text.words import light_stem, word_spans


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
        _link(uf, m)
    return uf.components()


def _link(uf: UnionFind, m: Match, claims: dict | None = None) -> None:
    if m.sentences:
        for pair in m.sentences:
            a, b = (m.a, pair.a_index), (m.b, pair.b_index)
            if claims:  # a sentence of two claims: each partner joins the claim it shares words of
                a, b = claims.get((a, b), a), claims.get((b, a), b)
            uf.union(a, b)
    else:
        uf.union((m.a, -1), (m.b, -1))


def _claims(matches: list[Match]) -> tuple[dict, dict]:
    """The claims of sentences that two or more partners restate by words of different parts of the sentence:
    ``(sentence, partner)`` -> ``(paragraph, sentence, claim)``, a node of its own for each claim of the sentence.
    A one-sentence lede, "the governor vetoed the $300 million school bill, and signed a gun law", restated by one
    paragraph on the bill and another on the law, joined the two in one group. Partners state one claim when they
    share a word of the sentence, when one shares none (a rewording: the sentence is then one claim), or when the
    stretches of the sentence from the first to the last of their words overlap (``_one_claim``): two restatements of
    one claim in other words ("a club-record fee of 38 million" and "a sum of around forty million pounds") share
    different words, but from all over the claim. Also each claim's node -> the words its partners share with the
    sentence."""
    partners: dict = {}  # sentence -> partner -> (its text, the partner's)
    for m in matches:
        for pair in m.sentences:
            a, b = (m.a, pair.a_index), (m.b, pair.b_index)
            partners.setdefault(a, {})[b] = (pair.a, pair.b)
            partners.setdefault(b, {})[a] = (pair.b, pair.a)
    found: dict = {}
    claim_words: dict = {}
    read: dict = {}  # each sentence's words' stems and content words, once (it may have hundreds of partners)
    for node, texts in partners.items():
        if len(texts) < 2:  # most sentences: one partner, one claim
            continue
        shares = {}
        for other, (mine, theirs) in texts.items():
            (stems, content), (_, other_content) = _read(read, mine), _read(read, theirs)
            shared = content & other_content
            shares[other] = (shared, _stretch(stems, shared))
        others = list(shares)
        if any(not shares[other][0] for other in others):
            continue
        parts = _one_claim(others, shares)
        if len(parts) > 1:
            for k, part in enumerate(sorted(parts, key=min)):
                found.update({(node, other): (*node, k) for other in part})
                claim_words[(*node, k)] = set().union(*(shares[other][0] for other in part))
    return found, claim_words


def _one_claim(others: list, shares: dict) -> list[list]:
    """``others`` (a sentence's partners; ``shares[other]``: the words it shares with the sentence and their stretch)
    in groups of one claim: joined by a word they both share, or by overlapping stretches (swept in order of their
    starts). Linear in the partners and their words: a sentence may have thousands of partners."""
    uf = UnionFind()
    holder: dict = {}
    for other in others:
        uf.add(other)
        for word in shares[other][0]:
            uf.union(holder.setdefault(word, other), other)
    reach, current = -1, None
    for other in sorted(others, key=lambda o: shares[o][1]):
        start, end = shares[other][1]
        if current is not None and start <= reach:
            uf.union(current, other)
        else:
            current = other
        reach = max(reach, end)
    return uf.components()


def _read(found: dict, sentence: str) -> tuple[list[str], set[str]]:
    """``sentence``'s words' stems and its content words, read once into ``found``."""
    if sentence not in found:
        found[sentence] = ([light_stem(word) for word, _, _ in word_spans(sentence)],
                           set(content_word_names(sentence)))
    return found[sentence]


def _stretch(stems: list[str], shared: set[str]) -> tuple[int, int]:
    """The first and last of a sentence's words (``stems``) that are in ``shared``."""
    at = [k for k, stem in enumerate(stems) if stem in shared]
    return (at[0], at[-1]) if at else (0, len(stems))


def group_matches(matches: Iterable[Match]) -> list[Group]:
    """Restatement groups: one per claim, the paragraphs that state it.

    Sentences are identified as ``(paragraph, sentence number)`` and joined by the matches' sentence pairs;
    a match with no sentence evidence links its two paragraphs as wholes. A headline joins only the claims
    it states (``_headline_links``): it is added to the group of each claim of the body it restates, and two
    such claims become one only when it restates them with the same words. No group is reported that is a
    subset of another (the smaller claim's paragraphs are all in the larger group already).
    """
    matches = list(matches)
    uf = UnionFind()
    body = [m for m in matches if m.kind != "headline"]
    claims, claim_words = _claims(body)
    for m in body:
        _link(uf, m, claims)
    headlines = [m for m in matches if m.kind == "headline"]
    nodes = {id(m): _headline_nodes(m, claim_words) for m in headlines}
    for first, second in _headline_links(headlines):
        uf.union(nodes[id(first)][0], nodes[id(second)][0])
    for m in headlines:
        for node in nodes[id(m)]:
            uf.add(node)
    members = {root: {item[0] for item in items} for root, items in _by_root(uf).items()}
    for m in headlines:
        for node in nodes[id(m)]:
            members[uf.find(node)].add(_headline_side(m))
    groups = {tuple(sorted(paragraphs)) for paragraphs in members.values() if len(paragraphs) >= 2}
    kept = [g for g in groups if not any(set(g) < set(other) for other in groups)]
    return [Group(g) for g in sorted(kept, key=lambda g: (g[0], -len(g), g))]


def _by_root(uf: UnionFind) -> dict:
    found: dict = {}
    for items in uf.components():
        found[uf.find(items[0])] = items
    return found


def _headline_side(m: Match) -> int:
    return m.a  # the headline is one of the first blocks: it comes before the body paragraph it restates


def _body_node(m: Match) -> tuple[int, int]:
    return (m.b, m.sentences[0].b_index) if m.sentences else (m.b, -1)


def _headline_nodes(m: Match, claim_words: dict) -> list[tuple]:
    """The nodes a headline match joins: its body sentence, or of a sentence of several claims (``_claims``) each
    claim whose words the headline shares (all of them when it shares none's)."""
    node = _body_node(m)
    mine = {claim: words for claim, words in claim_words.items() if claim[:2] == node}
    if not mine:
        return [node]
    headline = _shared_words(m)
    chosen = [claim for claim, words in mine.items() if headline and words and headline & words]
    return chosen or sorted(mine)


def _headline_links(headlines: list[Match]) -> list[tuple[Match, Match]]:
    """Pairs of headline matches that restate the same part of the headline: the content words each shares
    with the headline overlap by at least half of the smaller set (a headline of two claims, "Council
    passes budget, raises fares", restated by one paragraph on the budget and another on fares, links
    neither to the other)."""
    words = [_shared_words(m) for m in headlines]
    return [(headlines[i], headlines[j]) for i in range(len(headlines)) for j in range(i + 1, len(headlines))
            if _overlapping(words[i], words[j])]


def _shared_words(m: Match) -> set[str] | None:
    if not m.sentences:
        return None  # nothing to tell the claims apart by: joined as before
    headline = content_word_names(m.sentences[0].a).keys()
    return headline & {w for pair in m.sentences for w in content_word_names(pair.b)}


def _overlapping(a: set[str] | None, b: set[str] | None) -> bool:
    if a is None or b is None or not a or not b:
        return True
    return len(a & b) >= 0.5 * min(len(a), len(b))


def cluster_pairs(pairs: Iterable[tuple[Hashable, Hashable]]) -> list[list[Hashable]]:
    """Connected components of a pair list, each sorted, components of two or more."""
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    return sorted((sorted(c) for c in uf.components() if len(c) > 1), key=lambda c: c[0])
