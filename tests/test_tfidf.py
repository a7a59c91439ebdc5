"""The TF-IDF rows of dedup.confirm.tfidf against scikit-learn's TfidfVectorizer."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from dedup.confirm.tfidf import CharNgramTfidf, TokenTfidf
from dedup.sketch.shingle import Shingler

TEXTS = [
    "The city council voted on Tuesday to close the northern pier.",
    "On Tuesday the City Council voted   to close the\tnorthern pier for repairs!",
    "A b c: I, a; x-y 3.14 and 2,000 \u201cquoted\u201d words \u2014 caf\u00e9 na\u00efve \u00c9COLE.",
    "tabs\tand\nnewlines\r\nand\u00a0no-break\u3000ideographic\u2003em spaces",
    "",
    "   \t ",
    "a",
    "\u0130stanbul \u00df STRASSE \ufb01ne",  # lowercasing that changes length
    "Lone surrogate \ud800 kept as it is",
    "Emoji \U0001F600 past the basic plane \U0001F600",
]


def _sklearn(ngram_range, texts):
    return TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True).fit(texts)


def _same_rows(ours, theirs):
    """Equal up to the order of the columns: the same cosines and, row by row, the same values."""
    ours, theirs = ours.tocsr(), theirs.tocsr()
    assert ours.shape[0] == theirs.shape[0]
    np.testing.assert_allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-12)
    for i in range(ours.shape[0]):
        np.testing.assert_allclose(np.sort(ours[i].data), np.sort(theirs[i].data), atol=1e-12)


@pytest.mark.parametrize("ngram_range", [(3, 5), (1, 1), (2, 4), (5, 6)])
def test_rows_equal_scikit_learn_up_to_column_order(ngram_range):
    fitted = _sklearn(ngram_range, TEXTS)
    ours = CharNgramTfidf(ngram_range)
    rows = ours.fit_transform(TEXTS)
    assert rows.shape[1] == len(fitted.vocabulary_)  # the same n-grams, none merged or split
    _same_rows(rows, fitted.transform(TEXTS))
    fresh = ["the pier is closed", "unseen \u263a characters \u263a here", "", "Tuesday"]
    _same_rows(ours.transform(fresh), fitted.transform(fresh))


def test_articles_paragraphs_and_sentences_equal_scikit_learn():
    import random

    rng = random.Random(3)
    words = ["alpha", "Beta", "gamma", "it's", "U.S.", "don\u2019t", "x", "42", "self-made", "\u00fcber"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(60)]
    rows = CharNgramTfidf().fit_transform(texts)
    _same_rows(rows, _sklearn((3, 5), texts).transform(texts))


def test_too_many_distinct_characters_are_left_to_scikit_learn():
    texts = ["".join(chr(0x4E00 + i) for i in range(j, 5000, 3)) for j in range(3)]  # 5,000 characters
    ours = CharNgramTfidf()
    _same_rows(ours.fit_transform(texts), _sklearn((3, 5), texts).transform(texts))
    assert ours._fallback is not None


def test_nothing_to_count_is_refused_as_scikit_learn_does():
    with pytest.raises(ValueError, match="empty vocabulary"):
        CharNgramTfidf().fit_transform(["", "  "])
    with pytest.raises(ValueError, match="ngram_range"):
        CharNgramTfidf((4, 2))


def test_token_rows_equal_scikit_learn_up_to_column_order():
    tokenize = Shingler(k=1).tokenize
    texts = TEXTS + ["The council voted to close the pier; the pier closes Monday.", "voted voted voted"]
    fitted = TfidfVectorizer(analyzer=tokenize, sublinear_tf=True).fit(texts)
    ours = TokenTfidf(tokenize)
    rows = ours.fit_transform(texts)
    assert sorted(ours.get_feature_names_out()) == sorted(fitted.get_feature_names_out())
    _same_rows(rows, fitted.transform(texts))
    fresh = ["the pier voted", "words never seen", ""]
    _same_rows(ours.transform(fresh), fitted.transform(fresh))
    assert ours.counts(["voted voted pier unseen"]).sum() == 3  # unknown tokens are left out
    with pytest.raises(ValueError, match="empty vocabulary"):
        TokenTfidf(tokenize).fit(["", " -- "])
