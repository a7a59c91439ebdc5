"""Copied-run keys: content-word n-grams sampled by hash and, where a run holds none, winnowed
(``reuse.key_rows.winnowed``), so a copied run of ``copy_n + copy_window - 1`` content words always gives the
two documents a shared key."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import dedup.reuse.key_rows as key_rows
from dedup import CorpusScanner, Index
from dedup.io.readers import Document
from dedup.reuse.key_rows import winnowed
from dedup.reuse.search import COPY_WINDOW, ReuseSearch
from tests.planted import _vocabulary


def _brute_force(hashes: np.ndarray, doc: np.ndarray, window: int, covered: np.ndarray) -> list[int]:
    kept = set()
    for d in np.unique(doc):
        where = np.flatnonzero(doc == d)
        if len(where) < window and not covered[where].any():
            kept.add(int(where[np.argmin(hashes[where])]))
        for i in range(len(where) - window + 1):
            run = where[i:i + window]
            if not covered[run].any():
                kept.update(int(p) for p in run[hashes[run] == hashes[run].min()])
    return sorted(kept)


@pytest.mark.parametrize("at_once", [1 << 20, 3])  # the whole array, and windows a few at a time
def test_winnowing_keeps_the_least_hash_of_every_window_holding_no_kept_one(monkeypatch, at_once):
    monkeypatch.setattr(key_rows, "_WINDOWS_AT_ONCE", at_once)
    rng = np.random.default_rng(3)
    for _ in range(400):
        n, window = int(rng.integers(0, 40)), int(rng.integers(1, 9))
        hashes = rng.integers(1, 40, n).astype(np.uint64)  # small values: equal hashes in a window too
        doc = np.sort(rng.integers(0, 4, n))
        covered = rng.random(n) < rng.choice([0.0, 0.1, 0.3])
        assert winnowed(hashes, doc, window, covered).tolist() == _brute_force(hashes, doc, window, covered)
        assert winnowed(hashes, doc, window).tolist() == _brute_force(hashes, doc, window, np.zeros(n, bool))


def _copy_keys(texts: list[str], search: ReuseSearch) -> list[set[int]]:
    signer = CorpusScanner(reuse=search).signer
    tokenized = signer.tokens(texts)
    seeds = search.seeds(tokenized.tokens, tokenized.token_document(), signer.bucketer.buckets(tokenized.tokens))
    return [set(seeds.copy_keys[seeds.copy_doc == d].tolist()) for d in range(len(texts))]


def _words(rng: random.Random, vocabulary: list[str], n: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def test_a_copied_run_of_fourteen_content_words_always_shares_a_key():
    # Invented words are all content words: a run of 14 is 14 content words, 7 n-grams of 8.
    rng = random.Random(11)
    vocabulary = _vocabulary(rng, 4000)
    run = ReuseSearch().copy_n + COPY_WINDOW - 1
    shared_by_chance, sampled_misses = 0, 0
    for trial in range(300):
        copy = _words(rng, vocabulary, run)
        texts = [f"{_words(rng, vocabulary, 60)} {copy} {_words(rng, vocabulary, 40)}.",
                 f"{_words(rng, vocabulary, 30)}. {copy}. {_words(rng, vocabulary, 70)}."]
        a, b = _copy_keys(texts, ReuseSearch())
        assert a & b, f"trial {trial}: a copied run of {run} content words shares no key"
        unrelated = _copy_keys([texts[0], _words(rng, vocabulary, 120)], ReuseSearch())
        shared_by_chance += bool(unrelated[0] & unrelated[1])
        old_a, old_b = _copy_keys(texts, ReuseSearch(copy_window=0))  # sampled by hash: a quarter kept
        sampled_misses += not old_a & old_b
    assert shared_by_chance == 0
    assert sampled_misses > 10  # about one in eight: what winnowing fixes


def test_the_sampled_keys_stay_and_winnowing_adds_a_few():
    # The sampled keys are all still made (an index written before winnowing meets them), and winnowing adds
    # about a quarter more: the runs of 7 n-grams holding no sampled one are one in eight.
    rng = random.Random(12)
    vocabulary = _vocabulary(rng, 4000)
    texts = [_words(rng, vocabulary, 300) for _ in range(50)]
    winnowed_keys, sampled_keys = _copy_keys(texts, ReuseSearch()), _copy_keys(texts, ReuseSearch(copy_window=0))
    assert all(s <= w for s, w in zip(sampled_keys, winnowed_keys))
    assert 1.1 < sum(map(len, winnowed_keys)) / sum(map(len, sampled_keys)) < 1.35


def test_a_scan_finds_every_short_copy(tmp_path):
    rng = random.Random(13)
    vocabulary = _vocabulary(rng, 3000)
    docs = [f"{_words(rng, vocabulary, 40)}. {_words(rng, vocabulary, 22)}.\n\n{_words(rng, vocabulary, 50)}."
            for _ in range(60)]
    planted = []
    for k in range(20):  # a 22-word sentence (about 170 characters) of one document pasted into another
        source, target = 2 * k, 2 * k + 1
        docs[target] += "\n\n" + docs[source].split(". ")[1].split("\n")[0]
        planted.append((f"d{source}", f"d{target}"))
    report = CorpusScanner(within=False).scan([Document(f"d{i}", t) for i, t in enumerate(docs)])
    found = {tuple(sorted((r.a, r.b))) for r in report.reuse}
    assert all(tuple(sorted(p)) in found for p in planted), sorted(set(map(tuple, map(sorted, planted))) - found)


def test_an_index_keeps_the_copied_run_keys_it_was_written_with(tmp_path):
    path = str(tmp_path / "old.db")
    Index(path, within=False, copy_window=0).close()
    assert Index(path, within=False).reuse_search.copy_window == 0  # its stored setting, not the default
    fresh = str(tmp_path / "new.db")
    Index(fresh, within=False).close()
    with Index(fresh, within=False) as index:
        assert index.reuse_search.copy_window == COPY_WINDOW and index.params["copy_window"] == COPY_WINDOW
    # A file written before copy_window was stored: its keys are the sampled ones.
    with Index(path, within=False) as index:
        params = {k: v for k, v in index.params.items() if k != "copy_window"}
        index.store.db.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps(params),))
        index.store.db.commit()
    with Index(path, within=False) as index:
        assert index.reuse_search.copy_window == 0
