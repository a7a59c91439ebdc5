"""A persistent, incremental near-duplicate index in one SQLite file.

Scrapers check each new page as it arrives::

    with dedup.Index("news.db") as index:
        verdict = index.check(url, text, add=True)
        if verdict.duplicates: ...

The file holds, per document, its exact shingle set and hashed term counts
(raw little-endian arrays), its LSH band keys in an indexed table, and per
paragraph a fingerprint, band keys, term counts and a 200-character snippet;
corpus document frequencies are one array. Nothing is pickled. Parameters are
stored at creation; opening with different ones is an error.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from .batch import BatchSigner, Tokenized
from .confirm_pass import SNIPPET
from .detector import Detector
from .html import as_text
from .idf import HashedIdf
from .lsh import LSHBanding
from .readers import Document
from .records import DocumentMatch, Report
from .tokens import TokenTable

SCHEMA_VERSION = 1
MAX_LISTED = 5  # indexed documents listed per reused paragraph
_MAX_NUMBER = 1 << 16  # paragraph_bands packs (doc row, paragraph number) as row * 2**16 + number
DEFAULTS = {"k": 3, "paragraph_k": 2, "num_perm": 128, "seed": 1, "lsh_threshold": 0.3,
            "paragraph_lsh_threshold": 0.4, "n_features": 1 << 20, "stop_words": True, "stem": True}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, paragraphs INTEGER NOT NULL,
    shingles BLOB NOT NULL, terms BLOB NOT NULL, added REAL NOT NULL);
CREATE TABLE IF NOT EXISTS doc_bands (key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paragraphs (doc INTEGER NOT NULL, number INTEGER NOT NULL,
    fingerprint INTEGER NOT NULL, terms BLOB NOT NULL, snippet TEXT NOT NULL,
    PRIMARY KEY (doc, number)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraphs_by_fingerprint ON paragraphs (fingerprint);
CREATE TABLE IF NOT EXISTS paragraph_bands (key INTEGER NOT NULL, paragraph INTEGER NOT NULL,
    PRIMARY KEY (key, paragraph)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idf (id INTEGER PRIMARY KEY CHECK (id = 0), docs INTEGER NOT NULL, df BLOB NOT NULL);
"""


class IndexFileError(ValueError):
    """The file is not a dedup index, or was built with other parameters."""


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
    path : str
        SQLite file; created if missing.
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

    def __init__(self, path: str, threshold: float = 0.8, cosine_threshold: float = 0.5,
                 passage_threshold: float = 0.7, min_passage_words: int = 8, batch_size: int = 512,
                 within: bool = True, detector: Detector | None = None, **params) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown index parameter(s): {', '.join(sorted(unknown))}")
        self.path = path
        self.threshold, self.cosine_threshold = threshold, cosine_threshold
        self.passage_threshold, self.min_passage_words = passage_threshold, min_passage_words
        self.batch_size = batch_size
        self.detector = (detector or Detector()) if within else None
        try:
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-131072")  # 128 MB of pages: the band tables stay hot
            self.params = self._open(params)
        except sqlite3.DatabaseError as err:
            raise IndexFileError(f"{path}: not a dedup index ({err})") from None
        p = self.params
        self.lsh = LSHBanding(threshold=p["lsh_threshold"], num_perm=p["num_perm"])
        self.paragraph_lsh = LSHBanding(threshold=p["paragraph_lsh_threshold"], num_perm=p["num_perm"])
        self.signer = BatchSigner(p["k"], p["paragraph_k"], p["num_perm"], p["seed"], self.paragraph_lsh,
                                  p["n_features"], TokenTable(p["stop_words"], p["stem"]), None)
        self.idf = HashedIdf(p["n_features"])
        self._load_idf()

    def _open(self, given: dict) -> dict:
        with self.db:
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
            if row is None:
                params = {**DEFAULTS, **given}
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("params", json.dumps(params)),
                    ("created", str(time.time()))])
                return params
        version = int(self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise IndexFileError(f"{self.path}: index schema version {version}; this dedup reads {SCHEMA_VERSION}")
        params = json.loads(row[0])
        for key, value in given.items():
            if params.get(key) != value:
                raise IndexFileError(f"{self.path}: index was created with {key}={params.get(key)!r}, not {value!r}")
        return params

    def _load_idf(self) -> None:
        row = self.db.execute("SELECT docs, df FROM idf WHERE id = 0").fetchone()
        if row is not None:
            self.idf.load(np.frombuffer(row[1], dtype="<i4"), row[0])
        self._version = self.db.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def __contains__(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    # -- adding -------------------------------------------------------------

    def add(self, doc_id: str, text: str, fmt: str = "auto") -> bool:
        """Add one document (plain text or HTML, see ``check``); False when its id is already indexed."""
        return self.add_many([Document(doc_id, as_text(text, fmt))]) == 1

    def add_many(self, documents: Iterable[Document]) -> int:
        """Add documents, committing every ``batch_size``; returns how many were new."""
        added, batch = 0, []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                added += self._add_batch(batch)
                batch = []
        return added + (self._add_batch(batch) if batch else 0)

    def _add_batch(self, docs: list[Document]) -> int:
        unique = list({d.id: d for d in docs}.values())
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            present = self._present([d.id for d in unique])
            new = [d for d in unique if d.id not in present]
            if not new:
                return 0
            texts = [d.text for d in new]
            tokenized = self.signer.tokens(texts)
            signed = self.signer.sign(texts, tokenized)
            doc_sets = self.signer.document_sets(tokenized)
            by_document = tokenized.by_document()
            doc_terms, para_terms = _terms(self.idf, by_document), _terms(self.idf, tokenized.tokens)
            # Rows are numbered here, inside the write lock, so every table is filled by one executemany.
            first_row = self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs").fetchone()[0]
            rows = np.arange(first_row, first_row + len(new), dtype=np.int64)
            now = time.time()
            self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", (
                (int(rows[i]), d.id, int(tokenized.counts[i]), doc_sets.get(i).astype("<u4").tobytes(),
                 doc_terms[i], now) for i, d in enumerate(new)))
            signable = signed.sizes > 0
            keys = self.lsh.band_keys(signed.signatures[signable]).view(np.int64)
            owners = np.repeat(rows[signable], keys.shape[1])
            _insert_sorted(self.db, "doc_bands", keys.ravel(), owners)
            self._add_paragraphs(rows, tokenized, signed, para_terms)
            self._add_counts(self.idf.document_buckets(by_document), len(new))
        return len(new)

    def _add_paragraphs(self, rows: np.ndarray, tokenized: Tokenized, signed, para_terms: list[bytes]) -> None:
        owner_rows = rows[tokenized.owner]
        numbers = np.arange(len(owner_rows)) - np.repeat(np.cumsum(tokenized.counts) - tokenized.counts,
                                                         tokenized.counts)
        snippets = (p[:SNIPPET] for ps in tokenized.paragraphs for p in ps)
        fingerprints = signed.fingerprints.view(np.int64).tolist()
        self.db.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)",
                            zip(owner_rows.tolist(), numbers.tolist(), fingerprints, para_terms, snippets))
        banded = (np.diff(tokenized.tokens.offsets) >= self.min_passage_words) & (numbers < _MAX_NUMBER)
        keys = signed.paragraph_keys[banded].view(np.int64)
        packed = np.repeat(owner_rows[banded] * _MAX_NUMBER + numbers[banded], keys.shape[1])
        _insert_sorted(self.db, "paragraph_bands", keys.ravel(), packed)

    def _present(self, ids: list[str]) -> set[str]:
        found = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM docs WHERE id IN ({marks})", chunk))
        return found

    def _add_counts(self, buckets: np.ndarray, n_docs: int) -> None:
        self._load_idf()  # another process may have added documents since
        self.idf.add_counts(buckets, n_docs)
        self.db.execute("INSERT OR REPLACE INTO idf VALUES (0, ?, ?)",
                        (self.idf.n_docs, self.idf.df.astype("<i4").tobytes()))

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
        if self.db.execute("PRAGMA data_version").fetchone()[0] != self._version:
            self._load_idf()
        texts = [text]
        tokenized = self.signer.tokens(texts)
        signed = self.signer.sign(texts, tokenized)
        own = self.db.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
        own_row = own[0] if own else -1
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
        keys = [int(k) for k in self.lsh.band_keys(signed.signatures).view(np.int64)[0]]
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT d.rowid, d.id, d.shingles, d.terms FROM docs d WHERE d.rowid IN "
            f"(SELECT DISTINCT doc FROM doc_bands WHERE key IN ({marks}))", keys).fetchall()
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
                found.append(DocumentMatch(doc_id, other_id, round(jaccard, 4), round(containment, 4),
                                           round(cosine, 4)))
        found.sort(key=lambda m: (-max(m.jaccard, m.containment), m.b))
        return found

    def _passages(self, tokenized: Tokenized, signed, own_row: int, skip: set[str]) -> list[PassageMatch]:
        sizes = np.diff(tokenized.tokens.offsets)
        my_terms = _terms(self.idf, tokenized.tokens)
        idf = self.idf.idf()
        keys = signed.paragraph_keys.view(np.int64)
        found: dict[tuple[int, str, int], PassageMatch] = {}
        for p in range(len(sizes)):
            fingerprint = int(signed.fingerprints[p].view(np.int64))
            rows = self.db.execute(
                "SELECT p.doc, d.id, p.number, p.terms, p.snippet, p.fingerprint FROM paragraphs p "
                "JOIN docs d ON d.rowid = p.doc WHERE p.fingerprint = ?", (fingerprint,)).fetchall()
            if sizes[p] >= self.min_passage_words:
                marks = ",".join("?" * keys.shape[1])
                rows += self.db.execute(
                    f"SELECT p.doc, d.id, p.number, p.terms, p.snippet, p.fingerprint FROM paragraphs p "
                    f"JOIN docs d ON d.rowid = p.doc WHERE (p.doc, p.number) IN "
                    f"(SELECT DISTINCT paragraph / {_MAX_NUMBER}, paragraph % {_MAX_NUMBER} FROM paragraph_bands "
                    f"WHERE key IN ({marks}))", [int(k) for k in keys[p]]).fetchall()
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

    def stats(self) -> dict:
        """Counts, parameters and file facts."""
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "path": self.path, "schema_version": SCHEMA_VERSION, "documents": one("SELECT COUNT(*) FROM docs"),
            "paragraphs": one("SELECT COUNT(*) FROM paragraphs"),
            "doc_band_rows": one("SELECT COUNT(*) FROM doc_bands"),
            "paragraph_band_rows": one("SELECT COUNT(*) FROM paragraph_bands"),
            "bytes": one("PRAGMA page_count") * one("PRAGMA page_size"), "params": self.params,
            "bands": self.lsh.bands, "rows": self.lsh.rows,
        }


def _insert_sorted(db: sqlite3.Connection, table: str, keys: np.ndarray, values: np.ndarray) -> None:
    """Insert (key, value) rows in key order: B-tree pages are then touched once each, not at random."""
    order = np.lexsort((values, keys))
    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", zip(keys[order].tolist(), values[order].tolist()))


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
