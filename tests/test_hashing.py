"""The reranker's hashing and design matrix equal what scikit-learn and scipy built before, entry for entry."""

import copy
import random

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from dedup.confirm.design import HASH_FEATURES, SUBSTITUTION_FEATURES, SUBSTITUTIONS_PER_SIDE
from dedup.confirm.features import PairFeaturizer
from dedup.confirm.hashing import WordBytes, string_buckets
from dedup.confirm.reranker import default_reranker
from dedup.sketch.shingle import Shingler
from dedup.text.segment import segment
from dedup.text.words import stemmed

from .conftest import ARTICLE

ALPHABET = "abcdefghijklmnopqrstuvwxyz|'-0123456789éßü中文ÅΩ"


def _bucket(h, n):
    return (2147483647 - (n - 1)) % n if h == -(2**31) else abs(h) % n


def test_string_buckets_are_scikit_learns():
    rng = random.Random(0)
    strings = ["".join(rng.choice(ALPHABET) for _ in range(rng.choice([rng.randint(0, 15), rng.randint(0, 90)])))
               for _ in range(5000)]
    for n in (2**16, 2**18, 1000):
        assert string_buckets(strings, n).tolist() == [_bucket(murmurhash3_32(s, seed=0), n) for s in strings]
    words = list(dict.fromkeys(strings))[:300]
    left, right = np.array([rng.randrange(300) for _ in range(3000)]), np.array([rng.randrange(300) for _ in range(3000)])
    joined = [words[i] + "|" + words[j] for i, j in zip(left, right)]
    assert WordBytes(words).joined_buckets(left, right, 2**18).tolist() == string_buckets(joined, 2**18).tolist()


def _substitutions(pair):
    a, b = pair
    in_a, in_b = set(a), set(b)
    only_a = list(dict.fromkeys(w for w in a if w not in in_b))[:SUBSTITUTIONS_PER_SIDE]
    only_b = list(dict.fromkeys(w for w in b if w not in in_a))[:SUBSTITUTIONS_PER_SIDE]
    return [f"{min(x, y)}|{max(x, y)}" for x in only_a for y in only_b]


def _reference_design(model, dense, a, b):
    """The scipy build the model used before ``design.py``."""
    n, width = dense.shape
    standardized = sparse.csr_matrix((dense - model.mean_) / model.scale_)
    bins = np.stack([np.searchsorted(model.edges_[f], dense[:, f], side="right") for f in range(width)], axis=1)
    cols = (np.arange(width) * model.n_bins + bins).ravel()
    onehot = sparse.csr_matrix((np.ones(n * width), (np.repeat(np.arange(n), width), cols)),
                               shape=(n, width * model.n_bins))
    texts = list(dict.fromkeys([*a, *b]))
    row = {t: i for i, t in enumerate(texts)}
    ia, ib = [row[t] for t in a], [row[t] for t in b]
    hashed = HashingVectorizer(analyzer=stemmed, n_features=HASH_FEATURES, binary=True, norm=None,
                               alternate_sign=False).transform(texts)
    words_a, words_b = hashed[ia], hashed[ib]
    scale = sparse.diags(1.0 / np.sqrt(np.maximum(words_a.getnnz(axis=1) + words_b.getnnz(axis=1), 1) / 2))
    differ = scale @ abs(words_a - words_b)
    shared = scale @ words_a.multiply(words_b)
    content = [Shingler(k=1).tokenize(t) for t in texts]
    swaps = HashingVectorizer(analyzer=_substitutions, n_features=SUBSTITUTION_FEATURES, binary=True, norm=None,
                              alternate_sign=False).transform([(content[i], content[j]) for i, j in zip(ia, ib)])
    swaps = sparse.diags(model.substitution_weight / np.sqrt(np.maximum(swaps.getnnz(axis=1), 1))) @ swaps
    return sparse.hstack([standardized, onehot, differ, shared, swaps]).tocsr()


def _pairs():
    paragraphs = [p.text for p in segment(ARTICLE.read_text(encoding="utf-8"))]
    sentences = [s for p in segment(ARTICLE.read_text(encoding="utf-8")) for s in p.sentences]
    a = paragraphs[:-1] + [s.text for s in sentences[:10]] + ["", "the of and", paragraphs[3], "Straße über 中文 x"]
    b = paragraphs[1:] + [s.text for s in sentences[10:20]] + [paragraphs[0], "", paragraphs[3], "strasse uber 文"]
    return a, b


def test_design_matrix_is_the_scipy_builds_entry_for_entry():
    a, b = _pairs()
    dense = PairFeaturizer().fit(a + b).transform(a, b)
    unweighted = copy.copy(default_reranker())
    unweighted.substitution_weight = 0.0
    for model in (default_reranker(), unweighted):
        built, reference = model._design(dense, a, b), _reference_design(model, dense, a, b)
        assert built.shape == reference.shape
        for part in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(built, part), getattr(reference, part)), part
        assert np.array_equal(built @ model.coef_, reference @ model.coef_)
