"""Bounded restatement search: one document's candidate pairs grow linearly, not with the square of its
paragraphs (a 20 MB document of 37,556 paragraphs ran past 590 s and 8 GB). Every assertion is on counts
and sizes the code returns, never on time."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.sketch.band_pairs import band_pair_codes
from dedup.sketch.lsh import LSHBanding
from dedup.sketch.lsh_budget import budgeted_pair_codes
from dedup.text.segment import segment

from ..conftest import ARTICLE

PARAGRAPHS = 4000
COPY = (3, PARAGRAPHS - 10)  # a verbatim restatement planted among unrelated paragraphs


def zipf_document(paragraphs: int, seed: int = 16) -> str:
    """``paragraphs`` paragraphs of 3-6 sentences of 8-20 words drawn from a Zipf-distributed (exponent 1.05)
    vocabulary of 20,000 words, as running text has them: the common words put most sentences of the
    document in some LSH bucket together."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"v{i}q" for i in range(20_000)], dtype=object)
    weights = 1.0 / np.arange(1, len(vocabulary) + 1) ** 1.05
    cdf = np.cumsum(weights) / weights.sum()
    out = []
    for _ in range(paragraphs):
        lengths = rng.integers(8, 21, size=int(rng.integers(3, 7)))
        drawn = vocabulary[np.minimum(np.searchsorted(cdf, rng.random(int(lengths.sum()))), len(vocabulary) - 1)]
        bounds = np.concatenate(([0], np.cumsum(lengths)))
        out.append(" ".join(" ".join(drawn[a:b]).capitalize() + "." for a, b in zip(bounds[:-1], bounds[1:])))
    out[paragraphs - 10] = out[3]
    return "\n\n".join(out)


@pytest.fixture(scope="module")
def huge_text() -> str:
    return zipf_document(PARAGRAPHS)


def test_candidate_generation_stays_within_its_budget(huge_text):
    detector = dedup.Detector(max_candidates=100)
    article = detector._sign(segment(huge_text))
    assert len(article.paragraphs) == PARAGRAPHS
    budget = detector.generation_budget
    assert budget == 1_000_000  # the floor: 200 per candidate would be 20,000
    skipped = []
    for signatures, sizes in ((article.sentence_signatures, article.sentence_sizes),
                              (article.paragraph_signatures, article.paragraph_sizes)):
        pairs, left_out = detector.lsh.budgeted_candidate_array(signatures, sizes == 0, budget)
        assert len(pairs) <= budget
        assert len(np.unique(pairs, axis=0)) == len(pairs) and (pairs[:, 0] < pairs[:, 1]).all()
        skipped.append(left_out)
    assert skipped[0] > budget  # the sentence level searched coarsely: more was left out than generated
    candidates, dropped = detector.capped_candidates(article)
    assert len(candidates) == 100
    # Counted from bucket sizes, at most every other paragraph pair: far more than were generated.
    assert 2 * budget < dropped <= PARAGRAPHS * (PARAGRAPHS - 1) // 2 - 100
    # A verbatim restatement shares every band key, its rarest ones too, and is the most similar pair.
    assert COPY in [(c.a, c.b) for c in candidates]


def test_a_huge_document_is_reported_partial_and_its_restatement_found(huge_text, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text(huge_text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-q", "--max-candidates", "100"])
    assert result.exit_code == 0, result.stderr
    [document] = json.loads(result.stdout)["documents"]
    assert document["paragraphs"] == PARAGRAPHS
    assert document["candidates_dropped"] > 2_000_000
    assert list(COPY) in [[m["a"], m["b"]] for m in document["matches"]]
    assert "restatement search partial in 1 document" in result.stderr and str(path) in result.stderr


def test_budget_expands_the_smallest_buckets_first_and_counts_the_rest():
    # One band; buckets of 2, 3, 3, 40 and 600 sets (pairs: 1, 3, 3, 780, 179,700), the rest alone.
    sizes = [2, 3, 3, 40, 600]
    keys = np.concatenate([np.full(s, 1000 + k, dtype=np.uint64) for k, s in enumerate(sizes)]
                          + [np.arange(50, dtype=np.uint64) + 5000])
    n = len(keys)
    live = np.arange(n, dtype=np.int64)
    everything = band_pair_codes(keys[:, None], live, n, 1000)[0]
    assert len(everything) == 1 + 3 + 3 + 780 + 179_700
    codes, capped, skipped = budgeted_pair_codes(keys[:, None], live, n, 1000, 10**6)
    assert np.array_equal(codes, everything) and capped == skipped == 0  # within budget: the exact search
    codes, capped, skipped = budgeted_pair_codes(keys[:, None], live, n, 1000, 1000)
    assert len(codes) == 1 + 3 + 3 + 780 and skipped == 179_700 and capped == 0
    codes, _, skipped = budgeted_pair_codes(keys[:, None], live, n, 1000, 5)
    assert len(codes) == 1 + 3 and skipped == 3 + 780 + 179_700  # one of the two 3-buckets fits
    codes, capped, skipped = budgeted_pair_codes(keys[:, None], live, n, 100, 1000)
    # Past max_bucket: never expanded, but each member paired with the first, the other pairs left out.
    assert len(codes) == 787 + 599 and capped == 1 and skipped == 179_700 - 599


def test_generated_pairs_do_not_grow_with_the_sets():
    """Many sets in few buckets (every pair of a bucket alike in one band): the pairs generated stay at the
    budget however many sets there are, and the rest is counted."""
    rng = np.random.default_rng(3)
    for n in (20_000, 80_000):
        keys = rng.integers(0, n // 20, size=(n, 4)).astype(np.uint64)  # buckets of about 20 in each band
        live = np.arange(n, dtype=np.int64)
        codes, capped, skipped = budgeted_pair_codes(keys, live, n, 1000, 50_000)
        assert 40_000 < len(codes) <= 50_000 and capped == 0
        assert skipped > n * 20  # about 4 bands x n / 20 buckets x 20**2 / 2 pairs, less the budget


@pytest.mark.parametrize("name", ["article", "many_paragraphs"])
def test_normal_documents_are_searched_exactly(name):
    """Below the budget nothing changes: the article (and a 1,500-paragraph document of uniform words) get
    every candidate banding finds, with nothing skipped."""
    if name == "article":
        text = ARTICLE.read_text(encoding="utf-8")
    else:
        rng = np.random.default_rng(5)
        vocabulary = [f"w{i}x" for i in range(3000)]
        text = "\n\n".join(" ".join(rng.choice(vocabulary, 30)) + ". " + " ".join(rng.choice(vocabulary, 30)) + "."
                           for _ in range(1500))
    detector = dedup.Detector()
    article = detector._sign(segment(text))
    for signatures, sizes in ((article.sentence_signatures, article.sentence_sizes),
                              (article.paragraph_signatures, article.paragraph_sizes)):
        pairs, skipped = detector.lsh.budgeted_candidate_array(signatures, sizes == 0, detector.generation_budget)
        assert skipped == 0
        assert np.array_equal(pairs, detector.lsh.candidate_array(signatures, sizes == 0))
    # Dropped only by the confirm cap, and counted exactly, as before the budget.
    assert detector.capped_candidates(article)[1] == max(len(detector.candidates(article)) - 5000, 0)


def test_band_keys_in_slices_equal_band_keys_at_once(monkeypatch):
    import dedup.sketch.lsh as lsh_module

    signatures = np.random.default_rng(1).integers(0, 2**32, size=(5000, 128), dtype=np.uint64).astype(np.uint32)
    lsh = LSHBanding(threshold=0.1, num_perm=128)
    whole = lsh.band_keys(signatures)
    monkeypatch.setattr(lsh_module, "_KEY_CHUNK", 777)
    assert np.array_equal(lsh.band_keys(signatures), whole)


def test_a_huge_documents_confirm_step_reads_only_its_candidates(monkeypatch):
    """Past ``FIT_LIMIT`` paragraphs only the candidates' sentences get TF-IDF rows (same cosines as all of
    them) and the reranker's IDF comes from a sample; the planted restatement is still confirmed."""
    import dedup.article.detector as detector_module
    import dedup.article.rerank_step as rerank_module
    from dedup.article.evidence import Cosines

    text = zipf_document(300)
    detector = dedup.Detector(max_candidates=200)
    article = detector._sign(segment(text))
    candidates = detector.capped_candidates(article)[0]
    needed = sorted({p for c in candidates for p in (c.a, c.b)})
    detector.confirmer.fit_transform([p.text for p in article.paragraphs])
    every = Cosines(detector.confirmer.transform([s.text for p in article.paragraphs for s in p.sentences]))
    for module in (detector_module, rerank_module):
        monkeypatch.setattr(module, "FIT_LIMIT", 50)
    monkeypatch.setattr(rerank_module, "_FIT_SAMPLE", 40)
    some = detector._sentence_cosines(article, needed)
    assert some.vectors.shape[0] < len(article.sentence_owner)
    first = article.sentence_first
    for c in candidates[:50]:
        rows = np.arange(first[c.a], first[c.a] + len(article.paragraphs[c.a].sentences))
        cols = np.arange(first[c.b], first[c.b] + len(article.paragraphs[c.b].sentences))
        assert np.allclose(some.block(rows, cols), every.block(rows, cols))
    assert (3, 290) in [(m.a, m.b) for m in detector.detect(text).matches]


@pytest.mark.parametrize("dense_limit", [10**6, 0])
def test_cosine_blocks_of_all_candidates_are_each_pairs_block(monkeypatch, dense_limit):
    """``Cosines.blocks`` (one product per paragraph past the dense limit) gives each candidate the very values
    ``block`` gives it alone, with and without an index of the candidates' rows, empty blocks included."""
    import dedup.article.evidence as evidence

    monkeypatch.setattr(evidence, "_DENSE_LIMIT", dense_limit)
    text = zipf_document(120)
    detector = dedup.Detector()
    article = detector._sign(segment(text))
    candidates = detector.capped_candidates(article)[0]
    detector.confirmer.fit_transform([p.text for p in article.paragraphs])
    sentences = detector.confirmer.transform([s.text for p in article.paragraphs for s in p.sentences])
    first = article.sentence_first

    def rows_of(p):
        return np.arange(first[p], first[p] + len(article.paragraphs[p].sentences))
    pairs = [(rows_of(c.a), rows_of(c.b)) for c in candidates] + [(rows_of(0), rows_of(1)[:0])]
    every = evidence.Cosines(sentences)
    assert (every.whole is None) == (dense_limit == 0)
    for got, (rows, cols) in zip(every.blocks(pairs), pairs):
        assert np.array_equal(got, every.block(rows, cols))
    picked = np.unique(np.concatenate([np.concatenate(p) for p in pairs]))
    index = np.full(sentences.shape[0], -1, dtype=np.int64)
    index[picked] = np.arange(len(picked))
    some = evidence.Cosines(sentences[picked], index)
    for got, (rows, cols) in zip(some.blocks(pairs), pairs):
        assert np.array_equal(got, every.block(rows, cols))
    assert len(candidates) > 20
