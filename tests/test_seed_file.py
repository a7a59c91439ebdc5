"""Pass one's sentence seeds kept in a file for the reuse screen: any documents' seeds read back exactly, the
screen from them is the screen from the re-read texts, and the file goes with the scan."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

from dedup import CorpusScanner
from dedup.confirm.idf import HashedIdf
from dedup.corpus.reuse_pass import screen_pairs
from dedup.corpus.seed_file import SeedFile
from dedup.io.readers import Document
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch
from tests.test_reuse_screen import _texts
from tests.test_spark import _reuse_corpus


def _seeds_of(seeds, docs):
    """The seeds of ``docs`` cut from the whole, sentence by sentence (what ``SeedFile.of`` must give)."""
    ends = np.cumsum(seeds.unit_words)
    units = [u for u in range(len(seeds.unit_doc)) if seeds.unit_doc[u] in set(docs)]
    words = [seeds.words[ends[u] - seeds.unit_words[u]:ends[u]] for u in units]
    return (np.concatenate(words) if words else np.zeros(0, np.uint32), seeds.unit_words[units],
            seeds.unit_doc[units])


@pytest.mark.parametrize("in_memory", [False, True])
def test_any_documents_seeds_are_read_back_exactly(in_memory, monkeypatch, tmp_path):
    texts = ["", *_texts(), "the of and", _texts()[1]]  # documents without a sentence first, between and last
    seeds, _ = ReuseSearch().seeds_of_texts(texts)
    if in_memory:  # a temporary folder that cannot be written: the seeds stay in memory
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    kept = SeedFile(seeds, len(texts))
    try:
        assert (kept._folder is None) == in_memory
        for docs in ([0], [1], [0, 2, 5], [10, 11], list(range(len(texts))), [3, 10]):
            found = kept.of(np.array(docs))
            for got, expected in zip((found.words, found.unit_words, found.unit_doc), _seeds_of(seeds, docs)):
                assert got.tolist() == expected.tolist()
    finally:
        kept.close()


def test_the_file_is_removed_when_closed():
    seeds, _ = ReuseSearch().seeds_of_texts(_texts())
    kept = SeedFile(seeds, len(_texts()))
    folder = kept._folder.name
    assert os.path.isdir(folder)
    kept.close()
    assert not os.path.exists(folder)


def test_the_screen_from_the_file_is_the_screen_from_the_texts():
    """Spark's tasks screen from the texts they align, tokenized again (``screen_pairs``); the local scan from
    pass one's seeds kept in the file. Both keep the same pairs."""
    texts = _texts()
    signer = CorpusScanner(detector=None, reuse=ReuseSearch()).signer
    seeds = signer.reuse_seeds(texts)
    idf = HashedIdf()
    _, df = signer.reuse.seeds_of_texts(texts)
    idf.load(df, len(texts))
    table = idf.idf().astype(np.float32)
    pairs = np.array([(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))])
    kept = SeedFile(seeds, len(texts))
    try:
        from_file = signer.reuse.screened(kept.of(np.arange(len(texts))), pairs, np.zeros(len(pairs), bool), table)
    finally:
        kept.close()
    from_texts = screen_pairs(signer, [(str(a), texts[a], str(b), texts[b], False) for a, b in pairs.tolist()], table)
    assert [(int(p[0]), int(p[2])) for p in from_texts] == [tuple(p) for p in pairs[from_file].tolist()]
    assert 0 < from_file.sum() < len(pairs)


def test_a_scan_leaves_no_seed_file_behind(monkeypatch):
    made = []

    class Recorded(SeedFile):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self._folder.name)

    monkeypatch.setattr("dedup.corpus.reuse_pass.SeedFile", Recorded)
    # The MinHash keys: their chance candidates make the screen read the file (the pair keys' all pass here).
    search = ReuseSearch(**KEY_SETTINGS["uncommon"])
    report = CorpusScanner(detector=None, reuse=search).scan(Document(i, t) for i, t in _reuse_corpus())
    assert report.reuse and report.stats["reuse_screened_out"] > 0
    assert len(made) == 1 and not os.path.exists(made[0])
