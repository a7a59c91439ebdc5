"""A document's own content, for the near-duplicate rule: its text without the paragraphs that many documents hold
word for word (a site's navigation, cookie notice and footer).

Paragraphs are furniture here as sentences are to the reuse search (``reuse.furniture``: held by more than 50
documents, or in a small corpus more than 5% of them and at least 10). Short pages read as plain text can be
mostly their site's template: 40 unrelated 60-word briefs in one 170-word template shared most of their shingles
through it, 23 of them formed one near-duplicate cluster, and ``dedup clean`` kept one of the 23 (found by trying
it, 2026-12-07). A pair the rule confirms is therefore judged again on what each document holds beside such
paragraphs, where both hold enough of it to judge (``SUBSTANTIAL_SHARE`` of their shingles and
``SUBSTANTIAL_SHINGLES`` at least); a story syndicated to a few sites is no furniture, and the copies of one
syndicated more widely leave little beside it (a dateline, a note) and keep the full text's verdict.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.confirm.pair_scores import exact_scores_many, is_duplicate, row_dots
from dedup.sketch.shingle import ShingleSets
from dedup.util.arrays import distinct_pairs

# What each side of a confirmed pair must hold beside the paragraphs many documents hold, for that to be judged
# again: a share of its shingles and a number of them (a one-line editor's note beside a copied story is not).
SUBSTANTIAL_SHARE = 0.15
SUBSTANTIAL_SHINGLES = 10


def frequent_nodes(occurrences: np.ndarray, limit: float) -> np.ndarray:
    """Whether each paragraph node is found word for word in more than ``limit`` documents (``occurrences``: the
    scan's (node, doc, paragraph, ...) rows): page furniture."""
    held = distinct_pairs(occurrences[:, 0], occurrences[:, 1])
    return np.bincount(held[:, 0], minlength=int(occurrences[:, 0].max(initial=-1)) + 1) > limit


def furniture_of(occurrences: np.ndarray, docs: set[int], frequent: np.ndarray) -> dict[int, list[int]]:
    """For each document of ``docs`` holding any, the numbers of its paragraphs that are furniture (``frequent``,
    by node)."""
    rows = occurrences[frequent[occurrences[:, 0]]]
    found: dict[int, list[int]] = {}
    for doc, paragraph in rows[:, 1:3].tolist():
        if doc in docs:
            found.setdefault(doc, []).append(paragraph)
    return {doc: sorted(set(paragraphs)) for doc, paragraphs in found.items()}


def content_rows(counts: np.ndarray, whole: list[int], left_out: list[list[int]]) -> tuple[list[int], np.ndarray]:
    """The paragraph rows (of a batch whose texts have ``counts`` paragraphs) of the ``whole`` texts without their
    ``left_out`` paragraphs, and how many each keeps: what ``measure`` signs as their content."""
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    rows, kept = [], []
    for text, out in zip(whole, left_out):
        out = set(out)
        own = [starts[text] + p for p in range(int(counts[text])) if p not in out]
        rows += own
        kept.append(len(own))
    return rows, np.array(kept, dtype=np.int64)


def alike_beside_furniture(pairs: list[tuple[int, int]], whole: "DocumentRows", content: "DocumentRows",
                           jaccard_threshold: float, cosine_threshold: float) -> np.ndarray:
    """Whether each pair (of documents with furniture, the rule passed on their whole texts) is still alike on
    what they hold beside it: yes where either holds too little of its own to judge it by, where their own texts
    pass the rule, or where either's own text stands in the other's whole text (a copy whose edited paragraphs
    are its own: their originals, unedited, are the other's furniture)."""
    def sizes(rows: DocumentRows, side: int) -> np.ndarray:
        return np.array([len(rows.sets[pair[side]]) for pair in pairs])

    own = [(sizes(content, side), sizes(whole, side)) for side in (0, 1)]
    enough = np.logical_and(*[(size >= SUBSTANTIAL_SHINGLES) & (size >= SUBSTANTIAL_SHARE * of) for size, of in own])
    alike = is_duplicate(*content.score_pairs(pairs), jaccard_threshold, cosine_threshold)
    for side in (0, 1):
        mine = [content.sets[pair[side]] for pair in pairs]
        held = exact_scores_many(mine, [whole.sets[pair[1 - side]] for pair in pairs])[1]
        alike |= held >= jaccard_threshold
    return ~enough | alike


def one_story_pairs(dropped: list[tuple[int, int]], confirmed: np.ndarray, occurrences: np.ndarray,
                    frequent: np.ndarray, n_docs: int) -> np.ndarray:
    """The ``dropped`` pairs (alike as wholes, not beside their furniture) that share a paragraph of a story: one
    held by many documents, all of them alike as wholes with the others (one component of the ``confirmed`` and
    ``dropped`` pairs). A story copied by 15 of 60 documents, each copy with its own comment block, is furniture
    by its number and was kept apart; a site's template is held across components, and so is a paragraph of the
    story that one other document quotes (the story's other paragraphs are not)."""
    if not dropped:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate((confirmed.reshape(-1, 2), np.asarray(dropped, dtype=np.int64)))
    graph = sparse.coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n_docs, n_docs))
    component = connected_components(graph, directed=False)[1]
    held = distinct_pairs(occurrences[:, 0], occurrences[:, 1])  # (node, doc), once each
    held = held[frequent[held[:, 0]]]
    spread = np.bincount(distinct_pairs(held[:, 0], component[held[:, 1]])[:, 0], minlength=len(frequent)) > 1
    involved = {doc for pair in dropped for doc in pair}
    nodes_of: dict[int, set[int]] = {}
    for node, doc in held[np.isin(held[:, 1], list(involved))].tolist():
        nodes_of.setdefault(doc, set()).add(node)
    return np.array([(a, b) for a, b in dropped if not all(spread[n] for n in nodes_of.get(a, set()) &
                                                             nodes_of.get(b, set()))], dtype=np.int64).reshape(-1, 2)


class DocumentRows:
    """Exact shingle sets and TF-IDF rows of documents, added a batch at a time (pass two's ``Evidence``)."""

    def __init__(self) -> None:
        self.sets: dict[int, np.ndarray] = {}
        self._rows: dict[int, int] = {}
        self._chunks: list[sparse.csr_matrix] = []

    def add(self, docs: list[int], sets: ShingleSets, vectors: sparse.csr_matrix) -> None:
        """Keep the sets and rows of ``docs`` (in the order of ``sets`` and ``vectors``)."""
        first = len(self._rows)
        for row, doc in enumerate(docs):
            self.sets[doc] = sets.get(row)
            self._rows[doc] = first + row
        self._chunks.append(vectors)

    def finish(self) -> None:
        self.vectors = sparse.vstack(self._chunks).tocsr() if self._chunks else sparse.csr_matrix((0, 1))
        self._chunks = []

    def has(self, doc: int) -> bool:
        return doc in self._rows

    def score_pairs(self, pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact Jaccard, containment and TF-IDF cosine of many document pairs (cosines in one sparse product)."""
        jaccard, containment = exact_scores_many([self.sets[a] for a, _ in pairs], [self.sets[b] for _, b in pairs])
        return jaccard, containment, row_dots(self.vectors, [self._rows[a] for a, _ in pairs],
                                              [self._rows[b] for _, b in pairs])
