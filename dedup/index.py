"""A persistent, incremental near-duplicate index: an embedded SQLite file, or Redis.

Scrapers check each new page as it arrives::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)
        if verdict.duplicates: ...

The store (``storage``: SQLite, the default, or Redis) holds, per document,
its exact shingle set and hashed term counts, its LSH band keys, and per
paragraph a fingerprint, band keys, term counts and a 200-character snippet;
corpus document frequencies are one array. Nothing is pickled. Parameters are
stored at creation; opening with different ones is an error. This module
signs and scores; the store keeps and looks up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from .arrays import distinct
from .batch import BatchSigner, Tokenized
from .confirm_pass import SNIPPET
from .detector import Detector
from .html import as_text
from .idf import HashedIdf
from .lsh import LSHBanding
from .readers import Document
from .records import DocumentMatch, Report
from .storage import PACK, IndexFileError, NewDocuments, open_store  # noqa: F401 (IndexFileError re-exported)
from .tokens import TokenTable

MAX_LISTED = 5  # indexed documents listed per reused paragraph
DEFAULTS = {"k": 3, "paragraph_k": 2, "num_perm": 128, "seed": 1, "lsh_threshold": 0.3,
            "paragraph_lsh_threshold": 0.4, "n_features": 1 << 20, "stop_words": True, "stem": True}


@dataclass(frozen=True)
class PassageMatch:
    """Paragraph ``paragraph`` of the checked text reuses paragraph ``number`` of indexed document ``doc``."""

    paragraph: int
    doc: str
    number: int
    cosine: float
    text: str  # first 200 characters of the indexed paragraph
    documents: int = 1  # indexed documents holding this passage (boilerplate: many; only a few are listed)


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

    @property
    def is_duplicate(self) -> bool:
        return bool(self.duplicates)


class Index:
    """Near-duplicate documents and reused passages against everything added so far.

    Parameters
    ----------
    location : str
        Where the index lives: a SQLite file (``news.db`` or
        ``sqlite:///news.db``; created if missing; several processes may write
        at once) or a Redis database (``redis://host:6379/0?prefix=news``,
        needs ``dedup[redis]``; for scrapers spread over machines). Both give
        the same results on the same input.
    threshold, cosine_threshold, passage_threshold, min_passage_words :
        As in ``CorpusScanner``; they apply at query time and are not stored.
    batch_size : int, default=512
        Documents per transaction in ``add_many``.
    within : bool, default=True
        Whether ``check`` also finds the text's own restated paragraphs.
    detector : Detector, optional
        The detector for those (default: ``Detector()``).
    **params :
        Signature parameters (``DEFAULTS``: k, paragraph_k, num_perm, seed,
        lsh_threshold, paragraph_lsh_threshold, n_features). Stored when the
        file is created; giving a different value for an existing file raises.
    """

    def __init__(self, location: str, threshold: float = 0.8, cosine_threshold: float = 0.5,
                 passage_threshold: float = 0.7, min_passage_words: int = 8, batch_size: int = 512,
                 within: bool = True, detector: Detector | None = None, **params) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown index parameter(s): {', '.join(sorted(unknown))}")
        self.path = location
        self.threshold, self.cosine_threshold = threshold, cosine_threshold
        self.passage_threshold, self.min_passage_words = passage_threshold, min_passage_words
        self.batch_size = batch_size
        self.detector = (detector or Detector()) if within else None
        self.store = open_store(location)
        try:
            self.params = self.store.open(params, DEFAULTS)
        except Exception:
            self.store.close()
            raise
        p = self.params
        self.lsh = LSHBanding(threshold=p["lsh_threshold"], num_perm=p["num_perm"])
        self.paragraph_lsh = LSHBanding(threshold=p["paragraph_lsh_threshold"], num_perm=p["num_perm"])
        self.signer = BatchSigner(p["k"], p["paragraph_k"], p["num_perm"], p["seed"], self.paragraph_lsh,
                                  p["n_features"], TokenTable(p["stop_words"], p["stem"]), None)
        self.idf = HashedIdf(p["n_features"])
        self._counts = None
        self._refresh_idf()

    def _refresh_idf(self) -> None:
        """Take the store's document frequencies when they changed (this or another process added)."""
        counts = self.store.idf_counts()
        if counts is not self._counts:
            df, n_docs = counts
            short = self.idf.n_features - df.size  # a fresh store has no counts yet
            self.idf.load(np.pad(df, (0, short)) if short > 0 else df, n_docs)
            self._counts = counts

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    def __contains__(self, doc_id: str) -> bool:
        return self.store.row_of(doc_id) is not None

    # -- adding -------------------------------------------------------------

    def add(self, doc_id: str, text: str, fmt: str = "auto") -> bool:
        """Add one document (plain text or HTML, see ``check``); False when its id is already indexed."""
        return self.add_many([Document(doc_id, as_text(text, fmt))]) == 1

    def add_many(self, documents: Iterable[Document]) -> int:
        """Add documents, one atomic step every ``batch_size``; returns how many were new.

        Adds are idempotent by id: a document whose id is indexed (by this
        or another process, even one racing this one) is skipped.
        """
        added, batch = 0, []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                added += self._add_batch(batch)
                batch = []
        return added + (self._add_batch(batch) if batch else 0)

    def _add_batch(self, docs: list[Document]) -> int:
        unique = list({d.id: d for d in docs}.values())
        present = self.store.present([d.id for d in unique])
        new = [d for d in unique if d.id not in present]
        if not new:
            return 0
        # Signed outside the store's write lock; the store skips ids another process added meanwhile.
        added = self.store.insert(self._signed(new))
        self._refresh_idf()
        return added

    def _signed(self, docs: list[Document]) -> NewDocuments:
        texts = [d.text for d in docs]
        tokenized = self.signer.tokens(texts)
        signed = self.signer.sign(texts, tokenized)
        doc_sets = self.signer.document_sets(tokenized)
        by_document = tokenized.by_document()
        owner = np.repeat(np.arange(len(docs)), tokenized.counts)
        numbers = np.arange(len(owner)) - np.repeat(np.cumsum(tokenized.counts) - tokenized.counts, tokenized.counts)
        buckets = self.idf.buckets(by_document)
        pairs = distinct(by_document.owner() * self.idf.n_features + buckets)
        return NewDocuments(
            ids=[d.id for d in docs], paragraphs=np.asarray(tokenized.counts, dtype=np.int64),
            shingles=[doc_sets.get(i).astype("<u4").tobytes() for i in range(len(docs))],
            terms=_terms(self.idf, by_document),
            band_keys=self.lsh.band_keys(signed.signatures).view(np.int64), banded=signed.sizes > 0,
            para_owner=owner, para_number=numbers, para_fingerprint=signed.fingerprints.view(np.int64),
            para_terms=_terms(self.idf, tokenized.tokens),
            para_snippets=[p[:SNIPPET] for ps in tokenized.paragraphs for p in ps],
            para_keys=signed.paragraph_keys.view(np.int64),
            para_banded=(np.diff(tokenized.tokens.offsets) >= self.min_passage_words) & (numbers < PACK),
            df_owner=pairs // self.idf.n_features, df_bucket=pairs % self.idf.n_features,
        )

    # -- asking -------------------------------------------------------------

    def check(self, doc_id: str, text: str, add: bool = False, fmt: str = "auto") -> Verdict:
        """Which indexed documents ``text`` near-duplicates, which of their passages it reuses, and
        which of its own paragraphs restate each other.

        ``text`` is plain text or HTML (``fmt="html"``, or sniffed with ``"auto"``: the page's main
        text is extracted, one paragraph per block). With ``add=True`` the text is then added under
        ``doc_id`` (unless that id is already indexed). An indexed document with the same id is not
        compared with itself.
        """
        started = time.perf_counter()
        text = as_text(text, fmt)
        self._refresh_idf()
        texts = [text]
        tokenized = self.signer.tokens(texts)
        signed = self.signer.sign(texts, tokenized)
        own = self.store.row_of(doc_id)
        own_row = -1 if own is None else own
        verdict = Verdict(id=doc_id, text=text)
        if self.detector is not None and text.strip():
            verdict.restated = self.detector.detect(text, doc_id)
        if signed.sizes[0] > 0:
            verdict.duplicates = self._duplicates(doc_id, tokenized, signed, own_row)
        verdict.passages = self._passages(tokenized, signed, own_row, {m.b for m in verdict.duplicates})
        if add and own is None:
            verdict.added = self.add(doc_id, text, fmt="text")
        verdict.seconds = time.perf_counter() - started
        return verdict

    def _duplicates(self, doc_id: str, tokenized: Tokenized, signed, own_row: int) -> list[DocumentMatch]:
        rows = self.store.documents_in_bands([int(k) for k in self.lsh.band_keys(signed.signatures).view(np.int64)[0]])
        mine = self.signer.document_sets(tokenized).get(0)
        my_terms = _terms(self.idf, tokenized.by_document())[0]
        idf = self.idf.idf()
        found = []
        for row, other_id, shingles, terms in rows:
            if row == own_row:
                continue
            theirs = np.frombuffer(shingles, dtype="<u4")
            shared = len(np.intersect1d(mine, theirs, assume_unique=True))
            union = len(mine) + len(theirs) - shared
            jaccard = shared / union if union else 0.0
            containment = shared / max(min(len(mine), len(theirs)), 1)
            cosine = _cosine(my_terms, terms, idf)
            if max(jaccard, containment) >= self.threshold and cosine >= self.cosine_threshold:
                found.append((row, DocumentMatch(doc_id, other_id, round(jaccard, 4), round(containment, 4),
                                                 round(cosine, 4))))
        # Best first (an exact copy before a fragment it contains: Jaccard breaks ties of containment);
        # then in the order documents were added, so the original comes before its copies.
        found.sort(key=lambda item: (-max(item[1].jaccard, item[1].containment), -item[1].jaccard, item[0]))
        return [match for _, match in found]

    def _passages(self, tokenized: Tokenized, signed, own_row: int, skip: set[str]) -> list[PassageMatch]:
        sizes = np.diff(tokenized.tokens.offsets)
        my_terms = _terms(self.idf, tokenized.tokens)
        idf = self.idf.idf()
        keys = signed.paragraph_keys.view(np.int64)
        found: dict[tuple[int, str, int], PassageMatch] = {}
        for p in range(len(sizes)):
            fingerprint = int(signed.fingerprints[p].view(np.int64))
            rows = self.store.paragraphs_with_fingerprint(fingerprint)
            if sizes[p] >= self.min_passage_words:
                rows += self.store.paragraphs_in_bands([int(k) for k in keys[p]])
            for row, other_id, number, terms, snippet, their_fp in rows:
                if row == own_row or other_id in skip or (p, other_id, number) in found:
                    continue
                cosine = 1.0 if their_fp == fingerprint and fingerprint else _cosine(my_terms[p], terms, idf)
                if cosine >= self.passage_threshold:
                    found[(p, other_id, number)] = PassageMatch(p, other_id, number, round(cosine, 4), snippet)
        ranked = sorted(found.values(), key=lambda m: (m.paragraph, -m.cosine, m.doc, m.number))
        per_paragraph: dict[int, int] = {}
        for m in ranked:
            per_paragraph[m.paragraph] = per_paragraph.get(m.paragraph, 0) + 1
        # Boilerplate matches thousands of documents: list a few, count them all.
        shown: dict[int, int] = {}
        out = []
        for m in ranked:
            shown[m.paragraph] = shown.get(m.paragraph, 0) + 1
            if shown[m.paragraph] <= MAX_LISTED:
                out.append(PassageMatch(m.paragraph, m.doc, m.number, m.cosine, m.text, per_paragraph[m.paragraph]))
        return out

    def verify(self) -> list[str]:
        """Integrity problems of the store (empty when consistent); see ``dedup index check``."""
        return self.store.verify()

    def stats(self) -> dict:
        """Counts, parameters and store facts."""
        return {**self.store.stats(), "params": self.params, "bands": self.lsh.bands, "rows": self.lsh.rows}


def _terms(idf: HashedIdf, tokens) -> list[bytes]:
    """Each text's hashed term counts as bytes: uint32 buckets, then uint16 counts."""
    owner, buckets = tokens.owner(), idf.buckets(tokens)
    keys = np.unique(owner * idf.n_features + buckets, return_counts=True)
    texts, cols, counts = keys[0] // idf.n_features, keys[0] % idf.n_features, np.minimum(keys[1], 65535)
    bounds = np.searchsorted(texts, np.arange(len(tokens) + 1))
    return [cols[a:b].astype("<u4").tobytes() + counts[a:b].astype("<u2").tobytes()
            for a, b in zip(bounds[:-1], bounds[1:])]


def _weights(blob: bytes, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(blob) // 6
    cols = np.frombuffer(blob, dtype="<u4", count=n)
    counts = np.frombuffer(blob, dtype="<u2", offset=4 * n, count=n)
    weights = (1.0 + np.log(counts)) * idf[cols]
    norm = np.linalg.norm(weights)
    return cols, weights / norm if norm else weights


def _cosine(blob_a: bytes, blob_b: bytes, idf: np.ndarray) -> float:
    """TF-IDF cosine (sublinear tf, current IDF) of two term-count blobs."""
    cols_a, w_a = _weights(blob_a, idf)
    cols_b, w_b = _weights(blob_b, idf)
    _, ia, ib = np.intersect1d(cols_a, cols_b, assume_unique=True, return_indices=True)
    return float(np.dot(w_a[ia], w_b[ib]))
