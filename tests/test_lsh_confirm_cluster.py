import itertools
import json

import numpy as np
import pytest

from dedup.cluster.groups import UnionFind, cluster_pairs, group_matches
from dedup.confirm.rules import TfidfConfirmer
from dedup.records import Match, SentencePair
from dedup.sketch import band_pairs as lsh_module
from dedup.sketch.lsh import LSHBanding, candidate_probability, optimal_bands
from dedup.sketch.minhash import MinHasher
from dedup.sketch.shingle import Shingler


def _signatures(texts, num_perm=128):
    return MinHasher(num_perm=num_perm).sign(Shingler(k=1, stop_words=False).shingle(texts))


def test_optimal_bands_centre_on_threshold():
    for threshold in (0.1, 0.3, 0.5, 0.8):
        bands, rows = optimal_bands(threshold, 128)
        assert bands * rows <= 128
        assert candidate_probability(threshold + 0.25, bands, rows) > 0.9 or threshold + 0.25 > 1
        assert candidate_probability(max(threshold - 0.25, 0.0), bands, rows) < 0.5


def test_identical_and_similar_sets_are_candidates_unrelated_are_not():
    texts = [
        "vance suggests military action as a tool in negotiations with russia over ukraine",
        "vance suggests military action as a tool in negotiations with russia over ukraine",
        "vance suggests military action as a tool in talks with russia over ukraine war",
        "the weather in lisbon is sunny with light winds from the north all week",
    ]
    pairs = LSHBanding(threshold=0.5).candidate_pairs(_signatures(texts))
    assert (0, 1) in pairs and (0, 2) in pairs
    assert not any(3 in p for p in pairs)


def test_empty_sets_never_pair():
    sigs = _signatures(["", "", "a real sentence here"])
    pairs = LSHBanding(threshold=0.5).candidate_pairs(sigs, empty=np.array([True, True, False]))
    assert pairs == set()


def test_huge_buckets_pair_each_member_with_the_first_and_are_counted(bucketing):
    """30 copies of one text fill a bucket of every band past ``max_bucket``: not its 435 pairs, but each copy
    with the first (they were skipped, and the copies were no cluster at all)."""
    sigs = _signatures(["same words every time"] * 30 + ["something else entirely, not like the others"])
    lsh = LSHBanding(threshold=0.5, max_bucket=10)
    assert lsh.candidate_pairs(sigs) == {(0, j) for j in range(1, 30)}
    assert lsh.capped_buckets == lsh.bands
    assert LSHBanding(threshold=0.5, max_bucket=30).candidate_pairs(sigs) == {
        (i, j) for i in range(30) for j in range(i + 1, 30)}


def test_a_page_copied_past_the_bucket_cap_is_one_cluster_and_clean_keeps_one(tmp_path):
    from click.testing import CliRunner

    from dedup.cli.main import main

    page = "The same syndicated wire story, word for word, in every paper that bought it this week. " * 4
    lines = [json.dumps({"id": f"copy{i}", "text": page}) for i in range(1_100)]
    lines.append(json.dumps({"id": "other", "text": "A different story about the harbour and its ferries. " * 4}))
    (tmp_path / "pages.jsonl").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "pages.jsonl"), "-f", "json", "-q", "--no-within"])
    report = json.loads(result.output)
    assert [len(c["members"]) for c in report["clusters"]] == [1_100]
    assert report["stats"]["capped_buckets"] > 0  # every band's bucket held 1,100 > 1,000 copies
    cleaned = tmp_path / "kept.jsonl"
    CliRunner().invoke(main, ["clean", str(tmp_path / "pages.jsonl"), "-o", str(cleaned), "-q"])
    assert sorted(json.loads(line)["id"] for line in cleaned.read_text().splitlines()) == ["copy0", "other"]


@pytest.mark.parametrize("kwargs", [dict(threshold=0), dict(threshold=1.5), dict(bands=100, rows=2),
                                    dict(bands=4), dict(max_bucket=1)])
def test_bad_banding_is_refused(kwargs):
    with pytest.raises(ValueError):
        LSHBanding(**kwargs)


def _confirmer(paragraphs, **kw):
    conf = TfidfConfirmer(tokenizer=Shingler().tokenize, **kw).fit(paragraphs)
    return conf, conf.transform(paragraphs)


def test_word_in_every_paragraph_gets_lowest_idf():
    paragraphs = ["Ukraine talks stall.", "Ukraine harvest grows.", "Ukraine wins the cup.", "Cup final in Kyiv, Ukraine."]
    conf, _ = _confirmer(paragraphs)
    vocab = list(conf.vectorizer_.get_feature_names_out())
    idf = {word: conf.idf_[vocab.index(Shingler().tokenize(word)[0])] for word in ("Ukraine", "cup", "talks")}
    assert idf["Ukraine"] == pytest.approx(1.0)
    assert idf["Ukraine"] < idf["cup"] < idf["talks"]


def test_background_frequencies_lower_the_weight_of_common_words():
    paragraphs = ["The minister resigned today.", "Storm hits the coast."]
    plain, _ = _confirmer(paragraphs)
    blended, _ = _confirmer(paragraphs, background={"minister": 900}, background_docs=1000)
    i = list(plain.vectorizer_.get_feature_names_out()).index("minister")
    assert blended.idf_[i] < plain.idf_[i]


def test_restated_sentence_is_confirmed_inside_long_paragraphs():
    paragraphs = [
        "Markets fell sharply. Zelensky wants a united front and a clear plan before any talks with Russia. Oil rose.",
        "Weather was mild. Zelensky's priority is a united front and a clear plan before talks with Russia. Rain.",
        "Farmers in Spain report a record olive harvest thanks to a wet spring.",
    ]
    conf, vectors = _confirmer(paragraphs)
    sents = [conf.transform(p.split(". ")) for p in paragraphs]
    hit = conf.score_pair(vectors[0], vectors[1], sents[0], sents[1])
    miss = conf.score_pair(vectors[0], vectors[2], sents[0], sents[2])
    assert hit.confirmed and hit.sentence_pairs[0][:2] == (1, 1)
    assert not miss.confirmed and miss.sentence_pairs == ()


def test_shared_run_of_words_confirms_a_low_cosine_pair():
    conf, vectors = _confirmer(["a b", "c d"], sentence_cosine_threshold=0.99, paragraph_cosine_threshold=0.99)
    empty = conf.transform([])
    assert not conf.score_pair(vectors[0], vectors[1], empty, empty, shared_words=4).confirmed
    assert conf.score_pair(vectors[0], vectors[1], empty, empty, shared_words=5).confirmed


def test_union_find_and_cluster_pairs():
    uf = UnionFind()
    for a, b in [(1, 2), (3, 4), (2, 3), (7, 8)]:
        uf.union(a, b)
    assert uf.find(1) == uf.find(4) and uf.find(1) != uf.find(7)
    assert cluster_pairs([(5, 6), (1, 2), (2, 3)]) == [[1, 2, 3], [5, 6]]


def _match(a, b, *sentence_pairs):
    return Match(a=a, b=b, jaccard=0.5, containment=0.5, cosine=0.5, score=0.5,
                 sentences=tuple(SentencePair("x", "y", 0.5, i, j) for i, j in sentence_pairs))


def test_groups_follow_claims_not_whole_paragraphs():
    # Paragraph 2 makes two claims: sentence 0 restates paragraph 0, sentence 1 restates paragraph 5.
    matches = [_match(0, 2, (0, 0)), _match(2, 5, (1, 0)), _match(0, 3, (0, 1)), _match(2, 3, (0, 1))]
    groups = group_matches(matches)
    assert [g.paragraphs for g in groups] == [(0, 2, 3), (2, 5)]
    assert [g.representative for g in groups] == [0, 2]


def test_match_without_sentence_evidence_links_paragraphs():
    assert [g.paragraphs for g in group_matches([_match(4, 9)])] == [(4, 9)]


@pytest.fixture(params=["one sort", "band by band"])
def bucketing(request, monkeypatch):
    """Both ways of bucketing band keys: all bands in one sort (small inputs) and one band at a time."""
    if request.param == "band by band":
        monkeypatch.setattr(lsh_module, "ONE_SORT", -1)
    return request.param


def test_candidate_pairs_equal_brute_force_band_comparison(bucketing):
    rng = np.random.default_rng(5)
    # Few distinct values per position, so many bands collide.
    sigs = rng.integers(0, 3, size=(60, 16)).astype(np.uint32)
    lsh = LSHBanding(bands=8, rows=2, num_perm=16, max_bucket=1000)
    expected = {
        (i, j) for i in range(60) for j in range(i + 1, 60)
        if any((sigs[i, b * 2:(b + 1) * 2] == sigs[j, b * 2:(b + 1) * 2]).all() for b in range(8))
    }
    assert lsh.candidate_pairs(sigs) == expected
    empty = np.zeros(60, bool)
    empty[:30] = True
    assert lsh.candidate_pairs(sigs, empty) == {p for p in expected if p[0] >= 30}


def test_keys_alike_in_their_low_bits_pair_only_when_equal(bucketing):
    # Keys are first sifted by their low bits; here every key shares its low bits with many others.
    rng = np.random.default_rng(8)
    n = 3000
    low = rng.integers(0, 8, size=(n, 4)).astype(np.uint64)
    high = rng.integers(0, 40, size=(n, 4)).astype(np.uint64)
    keys = (high << np.uint64(40)) | low
    expected = set()  # brute force: every pair of equal keys in a band
    for b in range(4):
        holders: dict[int, list[int]] = {}
        for i, key in enumerate(keys[:, b].tolist()):
            holders.setdefault(key, []).append(i)
        expected |= {pair for group in holders.values() for pair in itertools.combinations(group, 2)}
    lsh = LSHBanding(bands=4, rows=1, num_perm=4, max_bucket=n)
    found = {tuple(p) for p in lsh.pairs_from_keys(keys).tolist()}
    assert found == expected and len(expected) > 10_000


def test_equal_keys_in_different_bands_do_not_pair(bucketing):
    # Band 0's largest key is band 1's smallest: sorted together they are neighbours, yet no bucket.
    keys = np.array([[5, 7], [3, 5]], dtype=np.uint64)
    lsh = LSHBanding(bands=2, rows=1, num_perm=2)
    assert len(lsh.pairs_from_keys(keys)) == 0
    assert lsh.pairs_from_keys(np.array([[5, 7], [5, 8]], dtype=np.uint64)).tolist() == [[0, 1]]
