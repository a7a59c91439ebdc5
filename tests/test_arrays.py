"""The numpy helpers behind the pipeline steps agree with numpy's own (slower) answers."""

import numpy as np
import pytest

from dedup.text.tokens import Tokens
from dedup.util.arrays import distinct, distinct_pairs


def test_distinct_matches_np_unique_on_runs_and_random_values():
    rng = np.random.default_rng(7)
    runs = (np.repeat(np.arange(300), 50).astype(np.int64) << 20) + rng.integers(0, 1 << 20, 15_000)
    for values in (runs, rng.integers(0, 50, 5_000), rng.integers(0, 2**63, 1_000, dtype=np.uint64),
                   np.zeros(0, np.int64), np.array([5])):
        got = distinct(values)
        assert got.dtype == values.dtype
        np.testing.assert_array_equal(got, np.unique(values))


def test_distinct_pairs_matches_np_unique_rows():
    rng = np.random.default_rng(8)
    left, right = rng.integers(0, 40, 3_000), rng.integers(0, 1_000, 3_000)
    np.testing.assert_array_equal(distinct_pairs(left, right), np.unique(np.stack((left, right), axis=1), axis=0))
    assert distinct_pairs(np.zeros(0, np.int64), np.zeros(0, np.int64)).shape == (0, 2)


def test_tokens_select_keeps_the_chosen_texts_in_the_given_order():
    tokens = Tokens(hashes=np.arange(10, dtype=np.uint64), sentence=np.arange(10) // 3,
                    offsets=np.array([0, 3, 3, 7, 10]))
    chosen = tokens.select([3, 1, 0])
    np.testing.assert_array_equal(chosen.offsets, [0, 3, 3, 6])
    np.testing.assert_array_equal(chosen.hashes, [7, 8, 9, 0, 1, 2])
    np.testing.assert_array_equal(chosen.sentence, [2, 2, 3, 0, 0, 0])
    assert len(tokens.select([])) == 0


def test_paragraph_nodes_are_numbered_in_order_of_first_sight_across_batches():
    from dedup.corpus.scanner import CorpusState

    def reference(batches):
        node_of, numbered, introduced = {}, [], []
        count = 0
        for fps in batches:
            nodes, new = [], []
            for p, fp in enumerate(fps):
                node = node_of.get(fp) if fp else None
                if node is None:
                    node = count + len(new)
                    if fp:
                        node_of[fp] = node
                    new.append(p)
                nodes.append(node)
            count += len(new)
            numbered.append(nodes)
            introduced.append(new)
        return numbered, introduced

    rng = np.random.default_rng(11)
    batches = [rng.choice(np.array([0, 3, 5, 7, 9, 11, 13, 15], dtype=np.uint64), 40) for _ in range(4)]
    expected = reference([b.tolist() for b in batches])
    state = CorpusState(16)
    got = [state._nodes(b) for b in batches]
    assert [n.tolist() for n, _ in got] == expected[0]
    assert [new.tolist() for _, new in got] == expected[1]


@pytest.mark.parametrize("chunk", [1, 97, 1 << 22])  # a pair per chunk, a few pairs, all pairs at once
def test_exact_scores_of_many_pairs_equal_the_pairwise_scores(chunk, monkeypatch):
    from dedup.confirm import pair_scores
    from dedup.confirm.pair_scores import exact_scores, exact_scores_many

    monkeypatch.setattr(pair_scores, "_MERGED_SHINGLES", chunk)
    rng = np.random.default_rng(12)
    sets_a = [np.unique(rng.integers(0, 300, rng.integers(0, 80))).astype(np.uint32) for _ in range(300)]
    sets_b = [np.unique(rng.integers(0, 300, rng.integers(0, 80))).astype(np.uint32) for _ in range(300)]
    sets_a += [np.zeros(0, np.uint32), np.array([2**32 - 1], np.uint32)]
    sets_b += [np.zeros(0, np.uint32), np.array([2**32 - 1], np.uint32)]
    jaccard, containment = exact_scores_many(sets_a, sets_b)
    expected = [exact_scores(a, b) for a, b in zip(sets_a, sets_b)]
    assert jaccard.tolist() == [j for j, _ in expected]
    assert containment.tolist() == [c for _, c in expected]
    assert jaccard[-1] == containment[-1] == 1.0 and jaccard[-2] == 0.0


def test_row_dots_in_chunks_equal_one_product(monkeypatch):
    from scipy import sparse

    from dedup.confirm import pair_scores

    rng = np.random.default_rng(3)
    matrix = sparse.random(50, 40, density=0.2, format="csr", random_state=4)
    rows_a, rows_b = rng.integers(0, 50, 1000).tolist(), rng.integers(0, 50, 1000).tolist()
    expected = np.asarray(matrix[rows_a].multiply(matrix[rows_b]).sum(axis=1)).ravel()
    assert np.allclose(pair_scores.row_dots(matrix, rows_a, rows_b), expected)
    monkeypatch.setattr(pair_scores, "_DOT_PAIRS", 7)
    assert np.allclose(pair_scores.row_dots(matrix, rows_a, rows_b), expected)
    assert pair_scores.row_dots(matrix, [], []).shape == (0,)
