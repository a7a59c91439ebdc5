"""Candidates in two stages: the clusters and passages of confirming every pair of every bucket, at the cost of
about one pair per copy (a wire story republished by hundreds of sites was half a million pairs a band)."""

import itertools
import random

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from dedup import CorpusScanner
from dedup.cluster.staged import confirmed_in_stages
from dedup.io.readers import Document
from dedup.sketch import lsh as lsh_module
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.lsh_budget import apart_pair_codes


def _groups(pairs: np.ndarray, n: int) -> list[frozenset]:
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) if len(pairs) else \
        sparse.coo_matrix((n, n))
    labels = connected_components(graph, directed=False)[1]
    found: dict = {}
    for item, label in enumerate(labels.tolist()):
        found.setdefault(label, set()).add(item)
    return sorted(frozenset(g) for g in found.values() if len(g) > 1)


@pytest.mark.parametrize("seed", range(30))
def test_two_stages_join_what_every_pair_of_every_bucket_joins(seed):
    """Random bands (a few keys, so buckets of every size), a random rule for which pairs confirm: the groups of
    the two stages equal those of every candidate pair confirmed, whatever the first stage's size limit."""
    rng = np.random.default_rng(seed)
    n, bands = int(rng.integers(5, 60)), int(rng.integers(1, 6))
    keys = rng.integers(0, int(rng.integers(2, 8)), size=(n, bands)).astype(np.uint64)
    true = {tuple(sorted(p)) for p in rng.integers(0, n, size=(int(rng.integers(0, 3 * n)), 2)).tolist()}

    def confirm(pairs):
        return pairs[np.array([tuple(p) in true for p in pairs.tolist()], dtype=bool).reshape(-1)]

    lsh = LSHBanding(threshold=0.5, num_perm=bands, bands=bands, rows=1)
    every = lsh.pairs_from_keys(keys)
    expected = _groups(confirm(every), n)
    for above in (2, 3, 5, 100):
        pairs, buckets = lsh.staged_pairs_from_keys(keys, stage_above=above)
        confirmed, candidates = confirmed_in_stages(pairs, buckets, n, confirm)
        assert _groups(confirmed, n) == expected
        assert candidates <= len(every)
        proposed = {tuple(p) for p in confirmed.tolist()}
        assert proposed <= {tuple(p) for p in every.tolist()}  # only real candidates are ever proposed


def test_a_bucket_whose_members_are_joined_proposes_nothing_more():
    members = np.arange(10)
    joined = np.zeros(20, dtype=np.int64)
    assert len(apart_pair_codes([members], joined, 20)) == 0
    apart = joined.copy()
    apart[[3, 7]] = [1, 2]  # two members left apart: each with every member of another group, once
    codes = apart_pair_codes([members], apart, 20)
    found = {(int(c) // 20, int(c) % 20) for c in codes}
    assert found == {tuple(sorted((i, j))) for i in (3, 7) for j in range(10) if j != i}


def _near_copies(copies: int, others: int, seed: int = 0) -> list[Document]:
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    docs = [Document(f"o{i}", " ".join(rng.choice(vocabulary) for _ in range(250))) for i in range(others)]
    base = [rng.choice(vocabulary) for _ in range(250)]
    for k in range(copies):
        words = list(base)
        for _ in range(3):  # a few words edited in each copy
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        if k % 25 == 24:  # and some copies edited much more, so their first-stage pair may not confirm
            for _ in range(40):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        docs.append(Document(f"c{k}", "\n\n".join(" ".join(words[i:i + 50]) for i in range(0, 250, 50))))
    rng.shuffle(docs)
    return docs


def test_a_story_republished_many_times_is_one_cluster_for_about_one_pair_a_copy(monkeypatch):
    """200 near-copies: one stage confirmed all 19,900 of their pairs; two confirm a few per copy, and the report
    (clusters, representatives, scores, passages) is the same as with one stage."""
    docs = _near_copies(200, 100)
    staged = CorpusScanner(within=False, reuse=False).scan(docs)
    monkeypatch.setattr(lsh_module, "STAGE_ABOVE", 10**9)  # every bucket expanded whole: one stage
    whole = CorpusScanner(within=False, reuse=False).scan(docs)
    assert [c.members for c in staged.clusters] == [c.members for c in whole.clusters]
    assert staged.clusters == whole.clusters and staged.passages == whole.passages
    assert max(len(c.members) for c in staged.clusters) >= 190
    assert whole.stats["document_candidates"] > 15_000
    assert staged.stats["document_candidates"] < 2_000
    assert staged.stats["paragraph_candidates"] < whole.stats["paragraph_candidates"] / 4


def test_the_two_stages_do_not_depend_on_input_order():
    docs = _near_copies(120, 40, seed=3)
    first = CorpusScanner(within=False, reuse=False).scan(docs)
    shuffled = list(docs)
    random.Random(9).shuffle(shuffled)
    second = CorpusScanner(within=False, reuse=False).scan(shuffled)
    assert sorted(sorted(c.members) for c in first.clusters) == sorted(sorted(c.members) for c in second.clusters)


def test_small_buckets_are_still_expanded_whole():
    keys = np.array([[1], [1], [1], [2], [2]], dtype=np.uint64)
    pairs, buckets = LSHBanding(threshold=0.5, num_perm=1, bands=1, rows=1).staged_pairs_from_keys(keys)
    assert {tuple(p) for p in pairs.tolist()} == set(itertools.combinations(range(3), 2)) | {(3, 4)}
    assert buckets == []
