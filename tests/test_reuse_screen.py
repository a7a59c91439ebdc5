"""The reuse candidates' screen: scored from pass one's seeds as the alignment scores seeds, it leaves out
only pairs the alignment would find nothing in."""

from __future__ import annotations

import numpy as np
import pytest

from dedup import CorpusScanner
from dedup.confirm.idf import HashedIdf
from dedup.io.readers import Document
from dedup.reuse import screen
from dedup.reuse.align import Alignment, AlignSettings
from dedup.reuse.screen import Reach, reach
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch
from dedup.reuse.unit_rows import word_idf
from dedup.reuse.units import units_of
from tests.test_reuse import PASSAGE, REWORDED, _filler, _join
from tests.test_spark import _reuse_corpus


def _texts() -> list[str]:
    """Generated documents, a third with the test passage pasted in, a third with its rewording."""
    inserted = ([" ".join(PASSAGE)], [" ".join(REWORDED)], [])
    return [_join(_filler(i)[:2] + inserted[i % 3] + _filler(i)[2:]) for i in range(9)]


def test_reach_is_the_alignments_best_seed_score():
    """On texts whose sentences are all units of their own, the screen's score of a pair is exactly the
    alignment's: the best sentence pair's lower ratio of TF-ISF cosine and Dice to their seed thresholds."""
    texts = _texts()
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(texts)
    idf = HashedIdf()
    idf.load(df, len(texts))
    table = idf.idf()
    pairs = np.array([(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))])
    found = reach(seeds, pairs, table, search.align).best
    settings = search.align
    expected = []
    for a, b in pairs.tolist():
        aligned = Alignment(units_of(texts[a]), units_of(texts[b]), word_idf(table.astype(np.float32)))
        expected.append(np.minimum(aligned.cosine / settings.seed_cosine, aligned.dice / settings.seed_dice).max())
    np.testing.assert_allclose(found, expected, rtol=1e-4, atol=1e-5)
    assert (found[[k for k, (a, b) in enumerate(pairs.tolist()) if a % 3 == b % 3 != 2]] >= 1).all()
    assert (found[[k for k, (a, b) in enumerate(pairs.tolist()) if 2 in (a % 3, b % 3)]] < 1).all()


def test_reach_of_a_document_without_sentences_is_zero():
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(["", _join(_filler(3)), "the of and"])
    found = reach(seeds, np.array([[0, 1], [1, 2]]), HashedIdf().idf(), search.align, near=0.0)
    assert found.best.tolist() == [0.0, 0.0] and found.near.tolist() == [0, 0]


def test_near_seeds_are_counted_with_their_best_cosine():
    texts = _texts()
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(texts)
    idf = HashedIdf()
    idf.load(df, len(texts))
    found = reach(seeds, np.array([[0, 3], [0, 1], [0, 2]]), idf.idf(), search.align, near=0.8)
    # The passage's four sentences, copied or reworded, are near seeds; a document without it has none.
    assert found.near[0] >= 4 and found.near[1] >= 4 and found.near[2] == 0
    assert found.near_cosine[0] > 0.99 and 0.45 < found.near_cosine[1] < 0.99 and found.near_cosine[2] == 0


def test_a_lone_near_seed_passes_only_with_a_passages_cosine():
    settings = AlignSettings()
    found = Reach(best=np.array([1.2, 1.2, 1.2, 0.5]), near=np.array([1, 1, 2, 0]),
                  near_cosine=np.array([0.3, 0.4, 0.3, 0.0]))
    assert found.passes(0.8, settings).tolist() == [False, True, True, False]  # 0.8 x passage cosine 0.45 = 0.36


def test_pairs_sharing_a_copied_run_are_kept_whatever_their_sentences():
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(_texts())
    pairs = np.array([[2, 5], [2, 8], [0, 3]])
    idf = HashedIdf().idf()
    assert search.screened(seeds, pairs, np.array([False, False, False]), idf).tolist() == [False, False, True]
    assert search.screened(seeds, pairs, np.array([True, False, False]), idf).tolist() == [True, False, True]
    assert ReuseSearch(screen=0).screened(seeds, pairs, np.zeros(3, bool), idf).all()


def test_the_screen_leaves_the_reuse_records_as_they_are():
    docs = _reuse_corpus()

    def scan(screen: float, keys: str = "uncommon"):
        search = ReuseSearch(screen=screen, **KEY_SETTINGS[keys])
        return CorpusScanner(detector=None, reuse=search).scan(Document(i, t) for i, t in docs)

    assert scan(0.8, "pairs").reuse == scan(0.0, "pairs").reuse
    # The MinHash keys make more chance candidates, so some are screened out here.
    screened, unscreened = scan(0.8), scan(0.0)
    assert screened.reuse == unscreened.reuse and len(screened.reuse) >= 10
    assert screened.stats["reuse_screened_out"] > 0 == unscreened.stats["reuse_screened_out"]
    assert screened.stats["reuse_candidates"] == unscreened.stats["reuse_candidates"]
    assert screened.stats["reuse_passages"] == len(screened.reuse)


@pytest.mark.parametrize("screen", [-0.1, 1.5, "0.5"])
def test_screen_is_validated(screen):
    with pytest.raises(ValueError, match="screen"):
        ReuseSearch(screen=screen)


def test_cells_are_read_in_the_order_of_another_products_cells():
    from scipy import sparse

    from dedup.reuse.screen import _on_cells

    values = sparse.csr_matrix(np.array([[0, 2, 3], [4, 0, 0]], np.float32))
    cells = sparse.csr_matrix((np.ones(3, np.float32), np.array([2, 1, 0]), np.array([0, 2, 3])), shape=(2, 3))
    assert _on_cells(values, cells).data.tolist() == [3, 2, 4]


def test_reach_does_not_depend_on_how_the_pairs_are_cut_into_parts(monkeypatch):
    """The screen's parts are cut by words and by sentence pairs; each pair is scored alone, so the cut changes
    nothing (here down to a pair a part)."""
    texts = _texts()
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(texts)
    idf = HashedIdf()
    idf.load(df, len(texts))
    pairs = np.array([(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))])
    whole = reach(seeds, pairs, idf.idf(), search.align, near=0.8)
    monkeypatch.setattr(screen, "_ROWS_PER_PART", 50)
    cut = reach(seeds, pairs, idf.idf(), search.align, near=0.8)
    for field in ("best", "near", "near_cosine"):
        np.testing.assert_array_equal(getattr(cut, field), getattr(whole, field))


def test_a_line_repeated_through_both_documents_passes_unscreened(monkeypatch):
    """Two documents repeating one sentence meet n x m times: such a pair is not held whole in the screen's product
    (5 GB for two files of 300 KB and 1.1 MB): it passes, and the alignment decides it in bounded memory."""
    line = "The harbour cat sat on the old mat today."
    texts = [" ".join([line] * 60), " ".join(f"{line} {s}" for s in _filler(1) * 3), _join(_filler(2))]
    search = ReuseSearch()
    seeds, df = search.seeds_of_texts(texts)
    idf = HashedIdf()
    idf.load(df, len(texts))
    pairs = np.array([[0, 1], [1, 2]])
    scored = []
    real_cells = screen._cells
    monkeypatch.setattr(screen, "_cells", lambda words, idf_, units, part, settings:
                        scored.extend(part.tolist()) or real_cells(words, idf_, units, part, settings))
    monkeypatch.setattr(screen, "_CELLS_PER_PART", 1000)  # 60 x 60+ sentences meet past it
    found = reach(seeds, pairs, idf.idf(), search.align, near=0.8)
    assert found.passes(0.8, search.align).tolist()[0] and [0, 1] not in scored and [1, 2] in scored
