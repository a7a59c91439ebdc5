"""Common runs and shared spans equal difflib's, on random, repetitive and real text."""

import random
from difflib import SequenceMatcher

import numpy as np
import pytest

from dedup.confirm.runs import longest_run, longest_runs, matching_blocks, runs_of_pair, runs_of_pairs
from dedup.confirm.spans import Words, _difflib_spans, shared_spans, shared_spans_many
from dedup.text.segment import segment

from .conftest import ARTICLE


def _random_sequences(rng, count):
    alphabet = rng.choice([2, 3, 5, 20])  # two letters: long repeated runs, many ties
    return [[rng.randrange(alphabet) for _ in range(rng.randint(0, 40))] for _ in range(count)]


def test_blocks_and_longest_run_equal_difflibs():
    rng = random.Random(0)
    for _ in range(1500):
        seqs = _random_sequences(rng, rng.randint(2, 6))
        pairs = [(rng.randrange(len(seqs)), rng.randrange(len(seqs))) for _ in range(rng.randint(1, 8))]
        found = runs_of_pairs([np.array(s) for s in seqs], np.array(pairs))
        for (p, q), runs in zip(pairs, found):
            a, b = seqs[p], seqs[q]
            assert sorted(runs) == sorted(runs_of_pair(a, b))
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            for least in (2, 3):
                assert matching_blocks(runs, len(a), len(b), least) == \
                    [tuple(m) for m in matcher.get_matching_blocks() if m.size >= least]
            longest = matcher.find_longest_match(0, len(a), 0, len(b)).size if a and b else 0
            assert longest_run(runs, bool(set(a) & set(b))) == longest
        shares = np.array([bool(set(seqs[p]) & set(seqs[q])) for p, q in pairs])
        assert longest_runs([np.array(s) for s in seqs], np.array(pairs), shares).tolist() == \
            [longest_run(runs, s) for runs, s in zip(found, shares.tolist())]


@pytest.mark.parametrize("budget", [10, 400, 5_000])
def test_pairs_past_the_join_budget_are_joined_in_chunks_with_the_same_runs(monkeypatch, budget):
    """A join past ``_JOIN_BUDGET`` is made again over halves of the pairs (a single pair past it alone is
    compared in Python); every pair's runs, in order, and longest run are those of one join."""
    import dedup.confirm.runs as runs_module

    rng = random.Random(1)
    cases = []
    for _ in range(60):
        seqs = [np.array(s, dtype=np.int64) for s in _random_sequences(rng, rng.randint(2, 12))]
        pairs = np.array([(rng.randrange(len(seqs)), rng.randrange(len(seqs))) for _ in range(rng.randint(1, 30))])
        shares = np.array([bool(set(seqs[p].tolist()) & set(seqs[q].tolist())) for p, q in pairs.tolist()])
        cases.append((seqs, pairs, shares, runs_of_pairs(seqs, pairs), longest_runs(seqs, pairs, shares)))
    joins = []
    maximal_runs = runs_module._maximal_runs
    monkeypatch.setattr(runs_module, "_maximal_runs", lambda *args: joins.append(1) or maximal_runs(*args))
    monkeypatch.setattr(runs_module, "_JOIN_BUDGET", budget)
    for seqs, pairs, shares, runs, longest in cases:
        assert runs_of_pairs(seqs, pairs) == runs
        assert longest_runs(seqs, pairs, shares).tolist() == longest.tolist()
    assert len(joins) > 2 * len(cases)  # some joins were past the budget and made again in chunks


def test_shared_spans_equal_difflibs_on_the_articles_paragraphs():
    paragraphs = segment(ARTICLE.read_text(encoding="utf-8"))
    words = [Words.of(p.text, [s.end for s in p.sentences]) for p in paragraphs]
    pairs = [(i, j) for i in range(len(words)) for j in range(i + 1, len(words))]
    for (i, j), spans in zip(pairs, shared_spans_many(words, pairs)):
        assert spans == _difflib_spans(words[i], words[j], 2)
    assert shared_spans_many(words, pairs[:5], min_content_words=1) == \
        [_difflib_spans(words[i], words[j], 1) for i, j in pairs[:5]]


def test_shared_spans_of_repetitive_text():
    a, b = "buffalo " * 300 + "the end of it all.", "the buffalo " * 200 + "of it all."
    assert shared_spans(a, b) == _difflib_spans(Words.of(a), Words.of(b), 2)
