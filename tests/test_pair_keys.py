"""The reuse search's default sentence keys: pairs of a bottom-k sketch of each sentence (``dedup.reuse.pair_keys``)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup import CorpusScanner
from dedup.io.readers import Document
from dedup.reuse.pair_keys import bottom_pair_keys
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch


def _keys(words, units, k=3, min_words=2):
    return bottom_pair_keys(np.array(words, np.uint64), np.array(units, np.int64), k, min_words)


def test_a_sentence_keys_every_pair_of_its_first_k_words_whatever_their_order():
    keys, owners = _keys([11, 12, 13, 14, 15], [0] * 5)
    assert len(keys) == 3 and owners.tolist() == [0, 0, 0]  # three words taken: three pairs
    shuffled, _ = _keys([15, 13, 11, 14, 12, 13], [0] * 6)  # another order, a word repeated
    assert set(keys.tolist()) == set(shuffled.tolist())
    four, _ = _keys([11, 12, 13, 14, 15], [0] * 5, k=4)
    assert len(four) == 6 and set(keys.tolist()) <= set(four.tolist())


def test_a_key_is_its_two_words_whatever_else_the_sentence_holds():
    keys, _ = _keys(list(range(1, 40)), [0] * 39)
    first = _keys(list(range(1, 40)), [0] * 39, k=2)[0]
    # The sentence's first two words by hash make one of its keys; a copy that drops only words after its first
    # three keeps all three keys.
    assert len(first) == 1 and set(first.tolist()) <= set(keys.tolist())
    order = sorted(range(1, 40), key=lambda w: (w * 0x9E3779B97F4A7C15 % 2**64) >> 24)
    kept = order[:3] + order[10:]
    assert set(_keys(kept, [0] * len(kept))[0].tolist()) == set(keys.tolist())
    # Nothing but the words makes a key: the same sentence in another unit of another call, the same keys.
    again, owners = _keys([0] * 3 + list(range(1, 40)), [5] * 3 + [9] * 39)
    assert set(again[owners == 9].tolist()) == set(keys.tolist())


def test_units_are_keyed_apart_and_short_ones_not_at_all():
    keys, owners = _keys([1, 2, 3, 1, 2, 3, 9], [0, 0, 0, 1, 1, 1, 2], min_words=2)
    assert owners.tolist() == [0, 0, 0, 1, 1, 1]  # unit 2 has one word: no pair
    assert keys[:3].tolist() == keys[3:].tolist()  # the same words, the same keys
    assert not len(_keys([1, 2], [0, 0], min_words=3)[0])


def test_an_edited_copy_is_a_candidate_and_an_unrelated_document_is_not():
    """Every fifth word dropped and the sentences reversed: no copied run is left, so the sentences must find it.
    (On 20,000 such documents the MinHash bands over uncommon words found 90 of 250 such copies, the pair keys
    about 220: ``benchmarks/reuse_scale.py``; in 400 documents few words are common yet.)"""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from corpusgen import generate

    corpus, _ = generate(400, dup_rate=0.0, seed=4)
    texts = [d["text"] for d in corpus]
    planted = []
    rng = random.Random(5)
    for k in range(20):
        target, source = 2 * k, 2 * k + 1
        sentences = [s for p in texts[source].split("\n\n")[1:] for s in p.split(". ") if s][:3]
        edited = [" ".join(w for i, w in enumerate(s.split()) if i % 5 != 4) for s in reversed(sentences)]
        paragraphs = texts[target].split("\n\n")
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), ". ".join(edited).rstrip(".") + ".")
        texts[target] = "\n\n".join(paragraphs)
        planted.append((target, source))
    planted_docs = {d for pair in planted for d in pair}
    found, chance = {}, {}
    for name in ("pairs", "uncommon"):
        search = ReuseSearch(**KEY_SETTINGS[name])
        seeds, df = search.seeds_of_texts(texts)
        pairs = {tuple(p) for p in search.candidates(seeds, df, len(texts)).tolist()}
        found[name] = sum(p in pairs for p in planted)
        chance[name] = len({p for p in pairs if not set(p) <= planted_docs})  # independent random documents
    assert found["pairs"] >= 14 and chance["pairs"] <= 2
    assert chance["uncommon"] > chance["pairs"]


def test_a_copy_and_a_rewording_of_one_source_are_both_found():
    """A source with a verbatim copy elsewhere: the words it shares with the copy alone must not crowd out
    those it shares with a rewording (as they did when the first words were the rarest ones)."""
    from tests.test_reuse import _corpus

    docs, expected = _corpus()
    report = CorpusScanner(detector=None).scan([Document(k, v) for k, v in docs.items()])
    assert {frozenset(p) for p in expected} <= {frozenset((r.a, r.b)) for r in report.reuse}


def test_more_units_than_a_code_holds_are_keyed_a_part_at_a_time(monkeypatch):
    import dedup.reuse.pair_keys as pair_keys

    words = np.array([11, 12, 13, 11, 12, 13, 21, 22, 23], np.uint64)
    units = np.array([0, 0, 0, 5, 5, 5, 9, 9, 9], np.int64)
    whole = bottom_pair_keys(words, units, 3)
    monkeypatch.setattr(pair_keys, "_MAX_UNITS", 4)  # as a huge document's millions of sentences would
    parted = pair_keys.bottom_pair_keys(words, units, 3)
    assert whole[0].tolist() == parted[0].tolist() and whole[1].tolist() == parted[1].tolist()
    assert parted[1].tolist() == [0, 0, 0, 5, 5, 5, 9, 9, 9]


@pytest.mark.parametrize("key_words", [1, -1, 2.5])
def test_key_words_is_validated(key_words):
    with pytest.raises((ValueError, TypeError), match="key_words"):
        ReuseSearch(key_words=key_words)
