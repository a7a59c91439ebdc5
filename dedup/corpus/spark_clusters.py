"""Near-duplicate clusters on Spark from the scored candidate pairs: components, representatives, matches.

Two ways, one result (the local engine's clusters, representatives and scores):

- **on the driver** (the usual case): when the candidate pairs number at most ``DRIVER_PAIRS`` (40 bytes each
  there), their scores are collected, the confirmed ones joined into components by scipy's
  ``connected_components``, and the members' ranks (``dedup.cluster.keep.rank``) collected to choose each
  cluster's representative. Assignments are then a map over the documents (the members broadcast as
  sorted arrays) and matches are mostly the scores already collected: a fixed number of Spark jobs and
  stages, whatever the clusters look like;
- **distributed** (past the bound): connected components by alternating large-star and small-star steps
  on the edge list (Kiveris et al. 2014), one job a round, and the clusters by joins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup.cluster.keep import rank
from dedup.confirm.pair_scores import is_duplicate
from dedup.corpus.spark_rdd import as_arrays, batches, scored

DRIVER_PAIRS = 1_000_000  # scored candidate pairs collected to the driver at most (else: distributed rounds)
_MAX_ROUNDS = 64


@dataclass
class SparkClusters:
    """What either way gives: Row RDDs of assignments and matches, the number of clusters, and ``apart``:
    (a, b) pairs RDD -> the pairs whose documents are not in one cluster."""

    assignments: object
    matches: object
    count: int
    apart: Callable
    where: str  # "driver" or "distributed"


def clusters(candidates, n_candidates: int, evidence, docs, keep: str, threshold: float, cosine_threshold: float,
             n: int) -> SparkClusters:
    """Clusters of the confirmed ``candidates`` (an RDD of (a, b), ``n_candidates`` of them); ``docs`` rows
    are (doc, id, length, size, signature, band keys, date) as signing makes them."""
    pair_scores = scored(candidates, evidence, n).map(lambda r: (r[0][0], r[0][1], r[1], r[2], r[3]))
    if n_candidates <= DRIVER_PAIRS:
        parts = pair_scores.mapPartitions(lambda rows: as_arrays(rows, 5)).collect()
        return _on_driver(parts, evidence, docs, keep, threshold, cosine_threshold, n)
    confirmed = pair_scores.filter(lambda r: is_duplicate(r[2], r[3], r[4], threshold, cosine_threshold))
    return _distributed(confirmed.map(lambda r: (r[0], r[1])), evidence, docs, keep, n)


def _on_driver(parts: list, evidence, docs, keep: str, threshold: float, cosine_threshold: float,
               n: int) -> SparkClusters:
    from pyspark.sql import Row

    sc = docs.context
    a, b, jaccard, containment, cosine = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
                                          for i in range(5))
    a, b = a.astype(np.int64), b.astype(np.int64)
    ok = np.asarray(is_duplicate(jaccard, containment, cosine, threshold, cosine_threshold), dtype=bool)
    nodes = np.unique(np.concatenate((a[ok], b[ok])))  # the members of every cluster, sorted
    graph = sparse.coo_matrix((np.ones(int(ok.sum())), (np.searchsorted(nodes, a[ok]), np.searchsorted(nodes, b[ok]))),
                              shape=(len(nodes), len(nodes)))
    count, labels = connected_components(graph, directed=False)
    info = _member_info(docs, nodes, keep) if len(nodes) else []  # (doc, id, rank), sorted by doc
    ids = [i for _, i, _ in info]
    best: dict[int, int] = {}  # component -> position in nodes of its representative
    assert [d for d, _, _ in info] == nodes.tolist(), "every member is a document"
    for position, (label, (_, _, key)) in enumerate(zip(labels.tolist(), info)):
        if label not in best or key < info[best[label]][2]:
            best[label] = position
    rep = np.array([best[label] for label in labels.tolist()], dtype=np.int64)  # each member's representative
    root = nodes[rep] if len(nodes) else nodes

    # Matches: each member against its representative, from the scores collected where the pair was a candidate.
    base = int(max(a.max(), b.max())) + 1 if len(a) else 1
    codes = np.minimum(a, b) * base + np.maximum(a, b)
    order = np.argsort(codes)
    codes = codes[order]
    others = np.flatnonzero(rep != np.arange(len(nodes)))  # members that do not represent their cluster
    wanted = np.minimum(root[others], nodes[others]) * base + np.maximum(root[others], nodes[others])
    at = np.minimum(np.searchsorted(codes, wanted), max(len(codes) - 1, 0))
    known = codes[at] == wanted if len(codes) else np.zeros(len(others), bool)
    rows = [Row(cluster_id=ids[rep[m]], id=ids[m], jaccard=round(float(jaccard[order[i]]), 4),
                containment=round(float(containment[order[i]]), 4), cosine=round(float(cosine[order[i]]), 4))
            for m, i, found in zip(others.tolist(), at.tolist(), known.tolist()) if found]
    matches = sc.parallelize(rows, 1)
    missing = [(int(root[m]), int(nodes[m])) for m, found in zip(others.tolist(), known.tolist()) if not found]
    if missing:  # a member reached through others: scored on Spark like any pair
        named = {int(nodes[m]): ids[m] for m in others.tolist()} | {int(root[m]): ids[rep[m]] for m in others.tolist()}
        matches = matches.union(scored(sc.parallelize(missing, n), evidence, n).map(lambda r: Row(
            cluster_id=named[r[0][0]], id=named[r[0][1]], jaccard=round(r[1], 4), containment=round(r[2], 4),
            cosine=round(r[3], 4))))

    table = sc.broadcast((nodes, rep, ids))

    def assign(rows):
        members, reps, names = table.value
        for batch in batches(rows, 1024):
            docs_ = np.array([d[0] for d in batch], dtype=np.int64)
            at = np.minimum(np.searchsorted(members, docs_), max(len(members) - 1, 0))
            inside = (members[at] == docs_) if len(members) else np.zeros(len(docs_), bool)
            for d, i, yes in zip(batch, at.tolist(), inside.tolist()):
                cluster = names[reps[i]] if yes else d[1]
                yield Row(id=d[1], cluster_id=cluster, is_representative=cluster == d[1])

    def apart(pairs):
        def keep_apart(rows):
            members, reps, _ = table.value
            for batch in batches(rows, 4096):
                ends = np.array(batch, dtype=np.int64).reshape(-1, 2)
                at = np.minimum(np.searchsorted(members, ends), len(members) - 1)
                cluster = np.where(members[at] == ends, reps[at], -1 - ends)  # -1 - doc: in no cluster
                yield from (pair for pair, split in zip(batch, (cluster[:, 0] != cluster[:, 1]).tolist()) if split)

        return pairs.mapPartitions(keep_apart) if len(nodes) else pairs

    return SparkClusters(docs.mapPartitions(assign), matches, int(count), apart, "driver")


def _member_info(docs, nodes: np.ndarray, keep: str) -> list[tuple[int, str, tuple]]:
    """(doc, id, rank under ``keep``) of the documents ``nodes`` (sorted), collected in their order."""
    wanted = docs.context.broadcast(nodes)

    def pick(rows):
        members = wanted.value
        for batch in batches(rows, 1024):
            at = np.minimum(np.searchsorted(members, [d[0] for d in batch]), len(members) - 1)
            for d, i in zip(batch, at.tolist()):
                if members[i] == d[0]:
                    yield d[0], d[1], rank(keep, d[2], d[0], d[6])

    return sorted(docs.mapPartitions(pick).collect())


def _distributed(confirmed, evidence, docs, keep: str, n: int) -> SparkClusters:
    from pyspark.sql import Row

    component = _components(confirmed, n).cache()  # (doc, smallest doc of its component)
    # The rule's key per document (input order last, so ties break as locally); the smallest represents.
    ranks = docs.map(lambda d: (d[0], rank(keep, d[2], d[0], d[6])))  # idx -> rank
    rep_of = component.join(ranks, n).map(lambda r: (r[1][0], r[1][1])) \
        .reduceByKey(min, n).map(lambda r: (r[0], r[1][2])).cache()  # component -> representative idx
    member_rep = component.map(lambda r: (r[1], r[0])).join(rep_of, n).map(lambda r: (r[1][0], r[1][1]))
    id_of = docs.map(lambda d: (d[0], d[1]))
    rep_id = member_rep.map(lambda r: (r[1], r[0])).join(id_of, n).map(lambda r: (r[1][0], r[1][1]))  # member -> rep id
    assignments = id_of.leftOuterJoin(rep_id, n).map(
        lambda r: Row(id=r[1][0], cluster_id=r[1][1] or r[1][0], is_representative=r[1][1] in (None, r[1][0])))
    rep_pairs = member_rep.filter(lambda r: r[0] != r[1]).map(lambda r: (r[1], r[0]))  # (rep, member)
    scores = scored(rep_pairs, evidence, n).map(lambda r: (r[0][0], (r[0][1], r[1:])))  # rep -> (member, scores)
    with_rep = scores.join(id_of, n).map(lambda r: (r[1][0][0], (r[1][1], r[1][0][1])))  # member -> (rep id, scores)
    matches = with_rep.join(id_of, n).map(lambda r: Row(
        cluster_id=r[1][0][0], id=r[1][1], jaccard=round(r[1][0][1][0], 4), containment=round(r[1][0][1][1], 4),
        cosine=round(r[1][0][1][2], 4)))

    def apart(pairs):
        by_b = pairs.leftOuterJoin(component, n).map(lambda r: (r[1][0], (r[0], r[1][1])))  # b -> (a, root of a)
        both = by_b.leftOuterJoin(component, n)  # b -> ((a, root of a), root of b)
        return both.filter(lambda r: r[1][0][1] is None or r[1][0][1] != r[1][1]).map(lambda r: (r[1][0][0], r[0]))

    return SparkClusters(assignments, matches, rep_of.count(), apart, "distributed")


def _components(edges, n: int):
    """(node, smallest node of its component) for every node on an edge: large-star / small-star rounds, each
    checked for convergence in one job (the check's shuffles materialize the round, so its lineage starts there)."""
    edges = edges.map(lambda e: (max(e), min(e))).distinct(n).persist()
    for _ in range(_MAX_ROUNDS):
        after = _small_star(_large_star(edges, n), n).persist()
        settled = after.subtract(edges, n).union(edges.subtract(after, n)).isEmpty()
        edges.unpersist()
        edges = after
        if settled:
            break
    # Converged: every edge joins a node to its component's smallest node.
    roots = edges.map(lambda e: (e[1], e[1]))
    return edges.union(roots).reduceByKey(min, n)


def _large_star(edges, n: int):
    """Each node links its larger neighbours to the smallest node of its neighbourhood."""
    def emit(item):
        node, neighbours = item
        smallest = min(min(neighbours), node)
        return [(v, smallest) for v in neighbours if v > node]

    both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])])
    return both.groupByKey(n).mapValues(set).flatMap(emit).distinct(n)


def _small_star(edges, n: int):
    """Each node links itself and its smaller neighbours to the smallest of them."""
    def emit(item):
        node, neighbours = item
        everyone = set(neighbours) | {node}
        smallest = min(everyone)
        return [(v, smallest) for v in everyone if v != smallest]

    oriented = edges.map(lambda e: (max(e), min(e)))
    return oriented.groupByKey(n).flatMap(emit).distinct(n)
