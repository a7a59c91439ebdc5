import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from dedup.sketch.minhash import EMPTY, MinHasher, estimate_containment, estimate_jaccard, merge
from dedup.sketch.shingle import Shingler, union
from dedup.text.words import light_stem


def test_tokenize_drops_stop_words_and_stems():
    assert Shingler().tokenize("The Secretary suggested that the troops were leaving") == [
        "secretary", "suggest", "troop", "leav"]
    assert Shingler(stop_words=False, stem=False).tokenize("The troops") == ["the", "troops"]


def test_light_stem_leaves_short_and_double_s_words():
    assert light_stem("bus") == "bus" and light_stem("class") == "class"
    assert light_stem("countries") == "country"


def test_shingles_do_not_cross_sentence_boundaries():
    sh = Shingler(k=2, stop_words=False, stem=False)
    joined = sh.shingle(["alpha beta gamma delta"]).get(0)
    split = sh.shingle(["alpha beta", "gamma delta"])
    across = set(joined.tolist()) - set(np.concatenate([split.get(0), split.get(1)]).tolist())
    assert len(joined) == 3 and len(across) == 1  # only "beta gamma" is lost


def test_short_sentence_gives_one_shingle_and_empty_gives_none():
    sets = Shingler(k=3).shingle(["Putin", "", "Vance threatens Russia"])
    assert list(sets.sizes()) == [1, 0, 1]


def test_shingles_are_unique_and_order_sensitive():
    sh = Shingler(k=2, stop_words=False, stem=False)
    sets = sh.shingle(["a b a b a b", "b a"])
    assert len(sets.get(0)) == 2  # "a b" and "b a"
    assert sets.get(1)[0] in sets.get(0)


def test_no_space_scripts_fall_back_to_character_tokens():
    sh = Shingler(k=2)
    assert len(sh.tokenize("我们今天开会")) == 6
    assert len(sh.shingle(["我们今天开会"]).get(0)) == 5


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        Shingler(k=0)
    with pytest.raises(ValueError):
        MinHasher(num_perm=0)


def _random_sets(rng, n, size):
    return [rng.choice(2**32 - 1, size=rng.integers(1, size), replace=False).astype(np.uint32) for _ in range(n)]


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 7), (256, 42)])
def test_signatures_equal_datasketch(num_perm, seed):
    rng = np.random.default_rng(seed)
    sets = Shingler(k=2).shingle([
        "JD Vance suggests military action as a tool in negotiations.",
        "Trump said he trusts Putin.",
        "",
        "Zelensky wants a united front and a clear plan before talks.",
    ])
    signer = MinHasher(num_perm=num_perm, seed=seed)
    ours = signer.sign(sets)
    for i in range(len(sets)):
        ref = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        ref.update_batch([int(h) for h in sets.get(i)])
        assert np.array_equal(ours[i], ref.hashvalues)
        assert np.array_equal(LeanMinHash(ref).hashvalues, ours[i])
    for hashes in _random_sets(rng, 5, 300):
        sig = signer.signature(hashes)
        ref = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        ref.update_batch([int(h) for h in hashes])
        assert np.array_equal(sig.hashvalues, ref.hashvalues)
        assert sig.to_datasketch().jaccard(LeanMinHash(ref)) == 1.0


def test_empty_set_signature_is_datasketch_empty():
    sets = Shingler().shingle([""])
    sig = MinHasher().sign(sets)[0]
    assert (sig == EMPTY).all()
    assert np.array_equal(sig, MinHash(num_perm=128).hashvalues)


def test_union_signature_is_elementwise_minimum():
    sets = Shingler().shingle(["Vance threatens military action.", "Putin refuses the peace deal."])
    signer = MinHasher()
    sigs = signer.sign(sets)
    whole = signer.sign(union(sets, [[0, 1]]))[0]
    assert np.array_equal(merge(sigs, [[0, 1]])[0], whole)


def test_signing_in_chunks_matches_signing_one_by_one():
    import dedup.sketch.minhash as mh

    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice(["w%d" % i for i in range(500)], size=40)) for _ in range(50)]
    sets = Shingler(k=2, stop_words=False).shingle(texts)
    signer = MinHasher(num_perm=32)
    whole = signer.sign(sets)
    old = mh._CHUNK_CELLS
    try:
        mh._CHUNK_CELLS = 32 * 50  # force many small chunks
        assert np.array_equal(signer.sign(sets), whole)
    finally:
        mh._CHUNK_CELLS = old


def test_jaccard_estimates_are_unbiased():
    rng = np.random.default_rng(0)
    signer = MinHasher(num_perm=128)
    errors = []
    for _ in range(300):
        universe = rng.choice(2**32 - 1, size=400, replace=False).astype(np.uint32)
        a = universe[: rng.integers(50, 300)]
        b = universe[rng.integers(0, 200) :]
        exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        est = estimate_jaccard(signer.signature(a).hashvalues, signer.signature(b).hashvalues)
        errors.append(est - exact)
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.01
    assert np.abs(errors).mean() < 0.05


def test_containment_estimate():
    assert estimate_containment(0.25, 10, 40) == pytest.approx(1.0)
    assert estimate_containment(0.0, 10, 40) == 0.0
    assert estimate_containment(1.0, 10, 10) == 1.0
