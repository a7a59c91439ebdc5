import socket

import numpy as np
import pytest

from dedup import semantic
from dedup.semantic import INSTALL_HINT, SemanticEncoder, available

needs_extra = pytest.mark.skipif(
    not available(),
    reason="semantic extra not installed (pip install 'dedup[semantic]'): onnxruntime, tokenizers, model",
)

CAT = "The cat sat on the mat."
CAT_PARAPHRASE = "A cat was sitting on the mat."
UNRELATED = "Quarterly revenue in the European division rose by twelve percent."


@pytest.fixture(scope="module")
def encoder():
    return SemanticEncoder(batch_size=4)


def test_missing_extra_raises_importerror_with_install_command(monkeypatch):
    monkeypatch.setattr(semantic, "_data_file", lambda package, relative: None)
    assert not available()
    enc = SemanticEncoder()  # lazy: constructing never fails
    with pytest.raises(ImportError, match=r"pip install 'dedup\[semantic\]'"):
        enc.encode(["anything"])
    assert "\n" not in INSTALL_HINT


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError):
        SemanticEncoder(batch_size=0)


@needs_extra
def test_loads_and_encodes_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the semantic encoder tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    vectors = SemanticEncoder().encode([CAT])  # a fresh encoder: loads the model under the guard
    assert vectors.shape == (1, semantic.DIM)


@needs_extra
def test_paraphrase_scores_higher_than_unrelated(encoder):
    paraphrase, unrelated = encoder.pair_cosines([CAT, CAT], [CAT_PARAPHRASE, UNRELATED])
    assert paraphrase > 0.8
    assert unrelated < 0.3
    assert paraphrase > unrelated + 0.5


@needs_extra
def test_encode_shape_dtype_unit_rows_and_input_order(encoder):
    texts = [UNRELATED, CAT, "", "word " * 600, CAT_PARAPHRASE, CAT]  # mixed lengths, one over 256 tokens
    vectors = encoder.encode(texts)
    assert vectors.shape == (len(texts), semantic.DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[1], vectors[5], atol=1e-6)  # same text, same vector
    # batching and the length sort do not change a text's vector
    alone = np.vstack([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(vectors, alone, atol=1e-5)
    assert encoder.encode([]).shape == (0, semantic.DIM)


@needs_extra
def test_pair_cosines_matches_encode_then_dot(encoder):
    a = [CAT, CAT, UNRELATED, CAT_PARAPHRASE, "Completely different: stocks fell."]
    b = [CAT_PARAPHRASE, UNRELATED, UNRELATED, CAT, CAT]
    cosines = encoder.pair_cosines(a, b)
    expected = np.sum(encoder.encode(a) * encoder.encode(b), axis=1)
    assert cosines.shape == (len(a),)
    np.testing.assert_allclose(cosines, expected, atol=1e-5)
    assert cosines[2] == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError):
        encoder.pair_cosines([CAT], [])
