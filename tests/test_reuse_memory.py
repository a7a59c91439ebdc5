"""The reuse search's memory-bounded steps give what the whole-corpus steps gave, and a checkpoint written
with the earlier (per-word) seeds still resumes."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import dedup.reuse.key_rows as key_rows
import dedup.reuse.search as search
from dedup.corpus.checkpoint import Checkpoint
from dedup.corpus.scanner import CorpusScanner
from dedup.io.readers import Document
from dedup.reuse.restating import restating
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch
from dedup.text.segment import split_paragraphs
from tests.test_reuse import PASSAGE, REWORDED, _filler, _join

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
from corpusgen import iter_corpus  # noqa: E402


def _texts(n: int = 400) -> list[str]:
    return [doc["text"] for doc, _ in iter_corpus(n, 300, seed=5)]


def _seeds(search_: ReuseSearch, texts: list[str]):
    """The seeds and document frequencies of ``texts``, as ``candidates_of_texts`` makes them."""
    from dedup.confirm.idf import HashedIdf
    from dedup.text.tokens import TokenTable, tokenize

    paragraphs = [split_paragraphs(t) for t in texts]
    tokens = tokenize([p for ps in paragraphs for p in ps], TokenTable())
    token_doc = np.repeat(np.arange(len(texts)), [len(p) for p in paragraphs])[tokens.owner()]
    idf = HashedIdf()
    buckets = idf.buckets(tokens)
    seeds = search_.seeds(tokens, token_doc, buckets)
    df = np.bincount(search.distinct_rows(buckets.astype(np.uint64), token_doc)[0].astype(np.int64),
                     minlength=idf.n_features)
    return seeds, df


@pytest.mark.parametrize("keys", sorted(KEY_SETTINGS))
def test_sentence_keys_are_the_same_keyed_a_few_documents_at_a_time(monkeypatch, keys):
    finder = ReuseSearch(**KEY_SETTINGS[keys])
    texts = _texts()
    seeds, df = _seeds(finder, texts)
    whole = finder.sentence_keys(seeds, df, len(texts))
    assert len(whole[0]) > 1000
    for size in (1, 50, 3000):  # one document at a time, a few, many
        monkeypatch.setattr(search, "_WORDS_PER_CHUNK", size)
        chunked = finder.sentence_keys(seeds, df, len(texts))
        assert np.array_equal(chunked[0], whole[0]) and np.array_equal(chunked[1], whole[1])
    # Per-word counts of uncounted documents (an index's) are cut with the words.
    uncounted = np.arange(len(seeds.words)) % 3
    monkeypatch.setattr(search, "_WORDS_PER_CHUNK", 4_000_000)
    expected = finder.sentence_keys(seeds, df, len(texts), uncounted)
    monkeypatch.setattr(search, "_WORDS_PER_CHUNK", 70)
    got = finder.sentence_keys(seeds, df, len(texts), uncounted)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_keys_held_once_are_dropped_before_pairing_with_the_same_pairs(monkeypatch):
    finder = ReuseSearch(**KEY_SETTINGS["all"])
    texts = _texts()
    seeds, df = _seeds(finder, texts)
    keys, docs = finder.sentence_keys(seeds, df, len(texts))
    monkeypatch.setattr(key_rows, "_FILTER_ROWS", 10 ** 12)
    plain = finder.pair_codes(keys, docs, len(texts), weighted=True)
    monkeypatch.setattr(key_rows, "_FILTER_ROWS", 0)
    monkeypatch.setattr(key_rows, "_FILTER_PART", 777)
    filtered = finder.pair_codes(keys, docs, len(texts), weighted=True)
    assert len(plain[0]) > 1000
    assert np.array_equal(plain[0], filtered[0]) and np.array_equal(plain[1], filtered[1])
    assert len(finder.pair_codes(np.arange(5, dtype=np.uint64), np.arange(5), 5)) == 0  # every key held once


@pytest.mark.parametrize("filter_rows", [0, 10 ** 12])
def test_a_key_on_several_rows_of_one_document_counts_once(monkeypatch, filter_rows):
    """Sentence keys are not made distinct per document (two sentences of one may share a band): pairing
    counts such a key once, and a key only one document holds pairs nothing."""
    monkeypatch.setattr(key_rows, "_FILTER_ROWS", filter_rows)
    finder = ReuseSearch()
    keys = np.array([7, 7, 7, 9, 9, 5, 5, 5], dtype=np.uint64)
    docs = np.array([0, 0, 1, 2, 2, 3, 1, 3])
    codes, weights = finder.pair_codes(keys, docs, 4, weighted=True)
    assert sorted(codes.tolist()) == [0 * 4 + 1, 1 * 4 + 3]  # key 7: documents 0 and 1; key 5: 1 and 3
    assert weights.tolist() == key_rows.key_weights(np.array([2, 2]), 4).tolist()
    texts = _texts()
    seeds, df = _seeds(finder, texts)
    rows = finder.sentence_keys(seeds, df, len(texts))
    doubled = (np.concatenate((rows[0], rows[0][:50])), np.concatenate((rows[1], rows[1][:50])))
    assert np.array_equal(finder.pair_codes(*rows, len(texts)), finder.pair_codes(*doubled, len(texts)))


def test_two_processes_fall_back_to_one_when_the_key_files_cannot_be_written(monkeypatch):
    """The candidate step's worker reads its share from files; with no room for them (a full temporary folder)
    the scan's process makes every key itself: the same reuse as with one job."""
    import dedup.corpus.reuse_pass as reuse_pass

    # Batches of 4, on a machine said to have 8 cores: the scan starts its worker on any machine.
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)

    expected = CorpusScanner(detector=None, jobs=1).scan(iter(_reuse_corpus()))
    tried = []

    def no_room(folder, arrays):
        tried.append(folder)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reuse_pass, "_save_share", no_room)
    found = CorpusScanner(detector=None, jobs=2, batch_size=4).scan(iter(_reuse_corpus()))
    assert tried and found.reuse == expected.reuse and found.reuse


def test_seeds_keep_counts_not_a_sentence_number_per_word():
    finder = ReuseSearch()
    seeds, _ = _seeds(finder, _texts(50))
    assert seeds.unit_words.dtype == np.int32 and seeds.copy_doc.dtype == np.int32
    assert seeds.unit_words.sum() == len(seeds.words) and (seeds.unit_words > 0).all()
    assert len(seeds.unit_words) == len(seeds.unit_doc) and (np.diff(seeds.unit_doc) >= 0).all()


def _reuse_corpus() -> list[Document]:
    docs = [Document(f"filler-{i}", _join(_filler(400 + i))) for i in range(12)]
    docs.append(Document("source", _join(_filler(1)[:2] + [" ".join(PASSAGE)] + _filler(1)[2:])))
    docs.append(Document("copy", _join(_filler(2)[:1] + [" ".join(PASSAGE)] + _filler(2)[1:])))
    docs.append(Document("reworded", _join(_filler(3)[:3] + [" ".join(REWORDED)])))
    return docs


def test_a_checkpoint_holding_the_earlier_seeds_resumes_to_the_same_reuse(tmp_path):
    docs = _reuse_corpus()
    expected = CorpusScanner(batch_size=4, detector=None).scan(iter(docs))
    assert {(r.a, r.b) for r in expected.reuse} >= {("source", "copy")}

    def crashing(after):
        for i, doc in enumerate(docs):
            if i == after:
                raise RuntimeError("the machine went down")
            yield doc

    key = {"corpus": "planted"}
    with pytest.raises(RuntimeError):
        CorpusScanner(batch_size=4, detector=None).scan(crashing(14), checkpoint=Checkpoint(str(tmp_path), key,
                                                                                             every=0.0))
    # Rewrite the saved seeds as dedup wrote them before: each word's sentence (numbered across the corpus) as
    # an int64, copied-run documents as int64.
    slot = tmp_path / (tmp_path / "CURRENT").read_text().strip()
    with np.load(slot / "arrays.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    counts = arrays.pop("reuse_unit_words")
    assert counts.sum() > 0
    arrays["reuse_units"] = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    arrays["reuse_copy_doc"] = arrays["reuse_copy_doc"].astype(np.int64)
    np.savez(slot / "arrays.npz", **arrays)
    resumed = CorpusScanner(batch_size=4, detector=None).scan(iter(docs), checkpoint=Checkpoint(str(tmp_path), key,
                                                                                                  every=0.0))
    assert resumed.reuse == expected.reuse and resumed.clusters == expected.clusters


@pytest.mark.parametrize("jobs", [1, 2])
def test_pass_two_lets_the_seeds_go_once_it_has_their_candidates(monkeypatch, jobs):
    """With two processes, a worker makes the copied-run pairs and a third of the sentence keys: the same
    candidates."""
    import dedup.corpus.pass_two as pass_two

    seen = {}
    real = pass_two.reuse_candidates

    def spy(signer, state, workers=None, screen=False):
        seeds = state.reuse_seeds()
        seen["words"] = len(seeds.words)
        seen["expected"] = signer.reuse.candidates(seeds, state.idf.df, len(state.ids))
        seen["screened"] = restating(seeds, state.idf.df, len(state.ids), run_words=0) if screen else None
        seen["in_two"] = workers is not None and workers.pool is not None
        del seeds
        seen["pairs"] = real(signer, state, workers, screen)
        seen["left"] = sum(len(getattr(state, name)) for name in ("reuse_words", "reuse_unit_words", "reuse_unit_doc",
                                                                  "reuse_copy_keys", "reuse_copy_doc"))
        return seen["pairs"]

    monkeypatch.setattr(pass_two, "reuse_candidates", spy)
    # Batches of 4, on a machine said to have 8 cores: the scan starts its worker on any machine.
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)
    report = CorpusScanner(detector=None, jobs=jobs, batch_size=4).scan(iter(_reuse_corpus()))
    assert seen["words"] > 1000 and seen["left"] == 0 and seen["in_two"] == (jobs == 2)
    found = seen["pairs"]
    assert np.array_equal(found.pairs, seen["expected"]) and len(found.pairs) >= 2 and found.copied.any()
    assert {("source", "copy")} <= {(r.a, r.b) for r in report.reuse}
    assert found.restating is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_restatement_screen_made_beside_the_reuse_keys_is_the_screen_of_all_the_seeds(monkeypatch, jobs):
    """With restatements on, the reuse step screens the seeds for them too, a share in each process: the same
    documents as the screen of every seed at once."""
    import dedup.corpus.pass_two as pass_two

    seen = {}
    real = pass_two.reuse_candidates

    def spy(signer, state, workers=None, screen=False):
        seeds = state.reuse_seeds()
        seen["expected"] = restating(seeds, state.idf.df, len(state.ids), run_words=0)
        seen["in_two"] = workers is not None and workers.pool is not None
        del seeds
        seen["found"] = real(signer, state, workers, screen)
        return seen["found"]

    monkeypatch.setattr(pass_two, "reuse_candidates", spy)
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)
    # Enough documents to tell common words (``restating.COMMON_DOCS``), and the corpus of the reuse tests
    # first and last, so that each process's share holds documents the screen flags.
    reused = _reuse_corpus()
    corpus = [Document(f"first-{d.id}", d.text) for d in reused]
    corpus += [Document(f"g{i}", d["text"]) for i, (d, _) in enumerate(iter_corpus(260, 120, seed=3))]
    corpus += [Document(f"last-{d.id}", d.text) for d in reused]
    CorpusScanner(jobs=jobs, batch_size=32).scan(iter(corpus))
    assert seen["in_two"] == (jobs == 2)
    screened = seen["found"].restating
    assert screened is not None and np.array_equal(screened, seen["expected"])
    flagged = np.flatnonzero(screened)
    assert 0 < len(flagged) < len(corpus) // 10  # the screen told documents apart ...
    assert flagged.min() < len(reused) and flagged.max() >= len(corpus) - len(reused)  # ... in both shares


@pytest.mark.parametrize("part", [1, 2, 7, 1_000_000])
def test_shared_rows_keeps_exactly_the_rows_whose_key_is_on_another_row(monkeypatch, part):
    """Rows are compared with their neighbours in key order a part at a time: a key whose rows straddle two
    parts is kept on both sides."""
    monkeypatch.setattr(key_rows, "_FILTER_ROWS", 0)
    monkeypatch.setattr(key_rows, "_FILTER_PART", part)
    rng = np.random.default_rng(part)
    keys = np.concatenate((rng.integers(0, 40, 200), 1000 + np.arange(100)))[rng.permutation(300)]
    keys = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # 100 keys held once, among repeated ones
    docs = np.arange(300)
    got_keys, got_docs = key_rows.shared_rows(keys, docs)
    counts = {k: int((keys == k).sum()) for k in set(keys.tolist())}
    expected = [d for d, k in zip(docs.tolist(), keys.tolist()) if counts[k] > 1]
    assert got_docs.tolist() == expected and len(expected) < 300
    assert got_keys.tolist() == keys[expected].tolist()


def test_joined_rows_are_the_parts_in_order_and_let_the_parts_go():
    rng = np.random.default_rng(3)
    parts = [(rng.integers(0, 2**63, n, dtype=np.uint64), rng.integers(0, 1000, n).astype(np.int32))
             for n in (5, 0, 17, 1)]
    expected = np.concatenate([k for k, _ in parts]), np.concatenate([d for _, d in parts])
    keys, docs = key_rows.joined_rows(parts)
    assert parts == []
    assert keys.dtype == np.uint64 and docs.dtype == np.int32
    assert np.array_equal(keys, expected[0]) and np.array_equal(docs, expected[1])


def test_document_chunks_sum_wide_counts_where_32_bits_would_overflow():
    # Two sentences of 2**30 + 1 words each: their running total passes 2**31.
    unit_words = np.array([2**30 + 1, 2**30 + 1, 3], np.int32)
    unit_doc = np.array([0, 1, 2], np.int64)
    chunks = list(key_rows.document_chunks(unit_words, unit_doc, 2**30))
    assert chunks == [((0, 2**30 + 1), (0, 1)), ((2**30 + 1, 2**31 + 2), (1, 2)), ((2**31 + 2, 2**31 + 5), (2, 3))]
