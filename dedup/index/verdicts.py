"""What ``Index.check`` answers (``Verdict``, ``PassageMatch``) and the term-count arithmetic it scores with.

Term counts are kept as bytes (uint32 buckets, then uint16 counts) in either store; the cosine of two is
taken under the current corpus IDF, so scores follow the corpus as it grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dedup.confirm.idf import HashedIdf
from dedup.confirm.pair_scores import sparse_dot
from dedup.records import DocumentMatch, Report, Reuse

MAX_LISTED = 5  # indexed documents listed per reused paragraph


@dataclass(frozen=True)
class PassageMatch:
    """Paragraph ``paragraph`` of the checked text reuses paragraph ``number`` of indexed document ``doc``."""

    paragraph: int
    doc: str
    number: int
    cosine: float
    text: str  # first 200 characters of the indexed paragraph
    documents: int = 1  # indexed documents holding this passage (boilerplate: many; only a few are listed)


@dataclass(frozen=True)
class ScoredMatch:
    """One of the most similar indexed documents (``Index.query``, ``check(..., top=k)``), with its scores and
    whether it is a duplicate of the text (``duplicate``: it passes the query's duplicate rule and, for a
    document checked again, was indexed before it, as the verdict's ``duplicates``)."""

    doc: str
    jaccard: float
    containment: float
    cosine: float
    duplicate: bool


@dataclass
class Verdict:
    """What the index knows about one text."""

    id: str
    duplicates: list[DocumentMatch] = field(default_factory=list)  # a = this text, b = the indexed document
    passages: list[PassageMatch] = field(default_factory=list)
    restated: Report | None = None  # the text's own restated paragraphs (None when the index skips them)
    text: str = ""  # the text that was checked (the main text of an HTML page)
    added: bool = False
    seconds: float = 0.0
    # Whether this text should replace the indexed copies it duplicates under the index's ``keep`` rule
    # (``dedup.cluster.keep.preferred``): the index itself keeps whatever was added first.
    preferred: bool = False
    kept_by: str = "longest"  # the rule ``preferred`` was decided by
    # With ``top=k``: the k most similar indexed documents, best first, duplicates or not (else None).
    top: list[ScoredMatch] | None = None
    # Passages this text (``a``) shares with indexed documents (``b``) that it does not near-duplicate, located
    # to the character in both (``Index(reuse=True)``, the default): the corpus scan's ``reuse`` records.
    reuse: list[Reuse] = field(default_factory=list)
    # The steps that failed on this text, each with its error on one line: "restatement_search" (then
    # ``restated`` is None) or "reuse_search" (``reuse`` empty). A fault of dedup's on one text costs that step's
    # results, not the check: its other results stand.
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def is_duplicate(self) -> bool:
        return bool(self.duplicates)


def term_blobs(idf: HashedIdf, tokens) -> list[bytes]:
    """Each text's hashed term counts as bytes: uint32 buckets, then uint16 counts."""
    owner, buckets = tokens.owner(), idf.buckets(tokens)
    keys = np.unique(owner * idf.n_features + buckets, return_counts=True)
    texts, cols, counts = keys[0] // idf.n_features, keys[0] % idf.n_features, np.minimum(keys[1], 65535)
    bounds = np.searchsorted(texts, np.arange(len(tokens) + 1))
    return [cols[a:b].astype("<u4").tobytes() + counts[a:b].astype("<u2").tobytes()
            for a, b in zip(bounds[:-1], bounds[1:])]


def term_total(blob: bytes) -> int:
    """The tokens a term-count blob counts (each bucket's count capped at 65,535): the text's length."""
    n = len(blob) // 6
    return int(np.frombuffer(blob, dtype="<u2", offset=4 * n, count=n).sum(dtype=np.int64))


def term_buckets(blob: bytes) -> np.ndarray:
    """The distinct buckets of a term-count blob: those its document counted in the document frequencies."""
    return np.frombuffer(blob, dtype="<u4", count=len(blob) // 6).astype(np.int64)


def _weights(blob: bytes, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(blob) // 6
    cols = np.frombuffer(blob, dtype="<u4", count=n)
    counts = np.frombuffer(blob, dtype="<u2", offset=4 * n, count=n)
    weights = (1.0 + np.log(counts)) * idf[cols]
    norm = np.linalg.norm(weights)
    return cols, weights / norm if norm else weights


def term_cosine(blob_a: bytes, blob_b: bytes, idf: np.ndarray) -> float:
    """TF-IDF cosine (sublinear tf, current IDF) of two term-count blobs."""
    cols_a, w_a = _weights(blob_a, idf)
    cols_b, w_b = _weights(blob_b, idf)
    return sparse_dot(cols_a, w_a, cols_b, w_b)


def term_cosines(blob: bytes, blobs: list[bytes], idf: np.ndarray) -> np.ndarray:
    """``term_cosine`` of ``blob`` with each of ``blobs``, in a few array operations for all of them: a page with
    thousands of indexed copies scored each one in a Python loop (about 60 us a copy)."""
    if not blobs:
        return np.zeros(0)
    cols_a, w_a = _weights(blob, idf)
    sizes = np.fromiter((len(b) // 6 for b in blobs), np.int64, len(blobs))
    parts = list(zip(blobs, sizes.tolist()))
    cols = np.concatenate([np.frombuffer(b, dtype="<u4", count=n) for b, n in parts])
    counts = np.concatenate([np.frombuffer(b, dtype="<u2", offset=4 * n, count=n) for b, n in parts])
    weights = (1.0 + np.log(counts)) * idf[cols]
    held = sizes > 0
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[held]
    norms = np.zeros(len(blobs))
    norms[held] = np.sqrt(np.add.reduceat(weights * weights, starts))
    # Each of their buckets' weight in ``blob`` (0 where it has none): the products summed per document.
    at = np.minimum(np.searchsorted(cols_a, cols), max(len(cols_a) - 1, 0))
    mine = np.where(cols_a[at] == cols, w_a[at], 0.0) if len(cols_a) else np.zeros(len(cols))
    dots = np.zeros(len(blobs))
    dots[held] = np.add.reduceat(mine * weights, starts)
    return np.divide(dots, norms, out=np.zeros(len(blobs)), where=norms > 0)


def listed(found) -> list[PassageMatch]:
    """The passage matches in order (paragraph, best cosine first), at most ``MAX_LISTED`` per paragraph:
    boilerplate matches thousands of documents, so a few are listed and all are counted (``documents``)."""
    ranked = sorted(found, key=lambda m: (m.paragraph, -m.cosine, m.doc, m.number))
    holding: dict[int, set[str]] = {}  # a document repeating the passage holds it once
    for m in ranked:
        holding.setdefault(m.paragraph, set()).add(m.doc)
    per_paragraph = {paragraph: len(docs) for paragraph, docs in holding.items()}
    shown: dict[int, int] = {}
    out = []
    for m in ranked:
        shown[m.paragraph] = shown.get(m.paragraph, 0) + 1
        if shown[m.paragraph] <= MAX_LISTED:
            out.append(PassageMatch(m.paragraph, m.doc, m.number, m.cosine, m.text, per_paragraph[m.paragraph]))
    return out
