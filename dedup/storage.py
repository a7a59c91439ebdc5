"""Where the index keeps its documents: an embedded SQLite file, or Redis.

Both stores hold the same records (per document its exact shingle set and
hashed term counts, its LSH band keys, per paragraph a fingerprint, band keys,
term counts and a snippet, and the corpus document frequencies), take a batch
of new documents in one atomic step that skips ids already present, and
answer the same lookups, so ``Index`` gives the same results on either.
Nothing is pickled: arrays are raw little-endian bytes, parameters JSON.

A store is chosen by a URL (``open_store``): ``sqlite:///news.db`` or a
plain path for SQLite, ``redis://host:6379/0?prefix=news`` for Redis.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np

# 2: word hashes in 8-byte chunks (``tokens.word_hash``), so band keys and IDF buckets of version 1 differ
SCHEMA_VERSION = 2
PACK = 1 << 16  # a paragraph is referred to as doc row * 2**16 + paragraph number

Row = tuple  # (doc row, doc id, ...) as each lookup documents


class IndexFileError(ValueError):
    """The store is not a dedup index, or was built with other parameters."""


@dataclass(frozen=True)
class NewDocuments:
    """A batch of signed documents, ready to store. Paragraph arrays say which document (``para_owner``)."""

    ids: list[str]
    paragraphs: np.ndarray  # paragraph count per document
    shingles: list[bytes]
    terms: list[bytes]
    band_keys: np.ndarray  # (documents, bands) int64
    banded: np.ndarray  # bool: documents with a signature
    para_owner: np.ndarray
    para_number: np.ndarray
    para_fingerprint: np.ndarray  # int64
    para_terms: list[bytes]
    para_snippets: list[str]
    para_keys: np.ndarray  # (paragraphs, bands) int64
    para_banded: np.ndarray  # bool: paragraphs long enough to be banded
    df_owner: np.ndarray  # (document, distinct bucket) pairs for the IDF counts
    df_bucket: np.ndarray

    def only(self, keep: np.ndarray) -> "NewDocuments":
        """The documents where ``keep`` is True, renumbered."""
        new_index = np.cumsum(keep) - 1
        para, df = keep[self.para_owner], keep[self.df_owner]
        return replace(
            self, ids=[d for d, k in zip(self.ids, keep) if k], paragraphs=self.paragraphs[keep],
            shingles=[s for s, k in zip(self.shingles, keep) if k], terms=[t for t, k in zip(self.terms, keep) if k],
            band_keys=self.band_keys[keep], banded=self.banded[keep], para_owner=new_index[self.para_owner[para]],
            para_number=self.para_number[para], para_fingerprint=self.para_fingerprint[para],
            para_terms=[t for t, k in zip(self.para_terms, para) if k],
            para_snippets=[s for s, k in zip(self.para_snippets, para) if k], para_keys=self.para_keys[para],
            para_banded=self.para_banded[para], df_owner=new_index[self.df_owner[df]], df_bucket=self.df_bucket[df])


def open_store(location: str, timeout: float = 60.0):
    """A store for ``location``: ``sqlite:///path``, ``redis://host:port/db?prefix=name``, or a plain path."""
    if location.startswith("redis://") or location.startswith("rediss://"):
        from .redis_store import RedisStore

        parsed = urlparse(location)
        prefix = parse_qs(parsed.query).get("prefix", ["dedup"])[0]
        return RedisStore(location.split("?")[0], prefix=prefix)
    if location.startswith("sqlite://"):
        location = location[len("sqlite:///"):] if location.startswith("sqlite:///") else ""
        if not location:
            raise ValueError("a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db")
    elif "://" in location:
        raise ValueError(f"unknown index URL scheme in {location!r}: use sqlite:/// or redis://")
    return SQLiteStore(location, timeout=timeout)


def store_exists(location: str) -> bool:
    """Whether an index already lives at ``location`` (a file for SQLite, the prefix's keys in Redis)."""
    store_class = "redis" if location.startswith(("redis://", "rediss://")) else "sqlite"
    if store_class == "sqlite":
        path = location[len("sqlite:///"):] if location.startswith("sqlite:///") else location
        return Path(path).exists()
    store = open_store(location)
    try:
        return store.exists()
    finally:
        store.close()


def add_counts(df: np.ndarray, buckets: np.ndarray) -> np.ndarray:
    """``df`` plus one for each of ``buckets`` (grown to fit)."""
    counts = np.bincount(buckets, minlength=df.size)
    if df.size < counts.size:
        df = np.concatenate([df, np.zeros(counts.size - df.size, dtype=np.int64)])
    return df + counts


def check_params(stored: dict | None, given: dict, defaults: dict, where: str) -> dict:
    """The parameters to use: ``defaults`` updated by ``given`` for a new store, else the stored ones."""
    if stored is None:
        return {**defaults, **given}
    for key, value in given.items():
        if stored.get(key) != value:
            raise IndexFileError(f"{where}: index was created with {key}={stored.get(key)!r}, not {value!r}")
    return stored


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
_PARAGRAPH_COLUMNS = "p.doc, d.id, p.number, p.terms, p.snippet, p.fingerprint"


class SQLiteStore:
    """The embedded default: one SQLite file in WAL mode, safe for several writing processes.

    Parameters
    ----------
    path : str
        The file; created if missing.
    timeout : float, default=60
        Seconds a writer waits for another process's write lock before giving up.
    """

    def __init__(self, path: str, timeout: float = 60.0) -> None:
        self.path = path
        try:
            # isolation_level=None: transactions are begun explicitly, BEGIN IMMEDIATE for writes.
            self.db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "meta" not in tables:  # another program's database: never write into it
                raise IndexFileError(f"{path}: not a dedup index (a SQLite database with other tables)")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-131072")  # 128 MB of pages: the band tables stay hot
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise IndexFileError(f"{path}: not a dedup index ({err})") from None
        except IndexFileError:
            self.db.close()
            raise
        self._version, self._counts = None, None

    def open(self, given: dict, defaults: dict) -> dict:
        try:
            with self._writing():
                row = self.db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
                if row is None:
                    params = check_params(None, given, defaults, self.path)
                    self.db.executemany("INSERT INTO meta VALUES (?, ?)", [
                        ("schema_version", str(SCHEMA_VERSION)), ("params", json.dumps(params)),
                        ("created", str(time.time()))])
                    return params
        except sqlite3.DatabaseError as err:
            raise IndexFileError(f"{self.path}: not a dedup index ({err})") from None
        version = int(self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise IndexFileError(f"{self.path}: index schema version {version}; this dedup reads {SCHEMA_VERSION} "
                                 "(rebuild the index from its documents with `dedup index add`)")
        return check_params(json.loads(row[0]), given, defaults, self.path)

    def _writing(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def row_of(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def present(self, ids: list[str]) -> set[str]:
        found = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM docs WHERE id IN ({marks})", chunk))
        return found

    def insert(self, batch: NewDocuments) -> int:
        """Store the documents whose ids are not yet present, all or nothing; returns how many."""
        with self._writing():
            present = self.present(batch.ids)
            if present:
                batch = batch.only(np.array([d not in present for d in batch.ids], dtype=bool))
            if not batch.ids:
                return 0
            first = self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs").fetchone()[0]
            rows = np.arange(first, first + len(batch.ids), dtype=np.int64)
            now = time.time()
            self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", zip(
                rows.tolist(), batch.ids, batch.paragraphs.tolist(), batch.shingles, batch.terms,
                [now] * len(rows)))
            keys = batch.band_keys[batch.banded]
            _insert_sorted(self.db, "doc_bands", keys.ravel(), np.repeat(rows[batch.banded], keys.shape[1]))
            owners = rows[batch.para_owner]
            self.db.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)", zip(
                owners.tolist(), batch.para_number.tolist(), batch.para_fingerprint.tolist(), batch.para_terms,
                batch.para_snippets))
            keys = batch.para_keys[batch.para_banded]
            packed = owners[batch.para_banded] * PACK + batch.para_number[batch.para_banded]
            _insert_sorted(self.db, "paragraph_bands", keys.ravel(), np.repeat(packed, keys.shape[1]))
            self._add_counts(batch)
        return len(batch.ids)

    def _add_counts(self, batch: NewDocuments) -> None:
        self._counts = None  # inside the write lock: read what every process has written
        df, n_docs = self.idf_counts()
        df = add_counts(df, batch.df_bucket)
        self.db.execute("INSERT OR REPLACE INTO idf VALUES (0, ?, ?)",
                        (n_docs + len(batch.ids), df.astype("<i4").tobytes()))
        self._counts = (df, n_docs + len(batch.ids))

    def idf_counts(self) -> tuple[np.ndarray, int]:
        """(document frequency per bucket, documents counted), read again only when another process wrote."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._counts is None or version != self._version:
            self._version = version
            row = self.db.execute("SELECT docs, df FROM idf WHERE id = 0").fetchone()
            self._counts = (np.zeros(0, dtype=np.int64), 0) if row is None else (
                np.frombuffer(row[1], dtype="<i4").astype(np.int64), int(row[0]))
        return self._counts

    def documents_in_bands(self, keys: list[int]) -> list[Row]:
        """(row, id, shingles, terms) of the documents sharing a band key."""
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT d.rowid, d.id, d.shingles, d.terms FROM docs d WHERE d.rowid IN "
            f"(SELECT DISTINCT doc FROM doc_bands WHERE key IN ({marks}))", keys).fetchall()

    def paragraphs_with_fingerprint(self, fingerprint: int) -> list[Row]:
        """(doc row, doc id, number, terms, snippet, fingerprint) of the paragraphs with this fingerprint."""
        return self.db.execute(
            f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN docs d ON d.rowid = p.doc "
            "WHERE p.fingerprint = ?", (fingerprint,)).fetchall()

    def paragraphs_in_bands(self, keys: list[int]) -> list[Row]:
        """The same, for the paragraphs sharing a band key."""
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN docs d ON d.rowid = p.doc WHERE (p.doc, p.number) IN "
            f"(SELECT DISTINCT paragraph / {PACK}, paragraph % {PACK} FROM paragraph_bands "
            f"WHERE key IN ({marks}))", keys).fetchall()

    def verify(self) -> list[str]:
        """Problems found: SQLite's integrity check, then dedup's own invariants (empty: consistent)."""
        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        checks = {
            "band rows pointing at no document":
                "SELECT COUNT(*) FROM doc_bands WHERE doc NOT IN (SELECT rowid FROM docs)",
            "paragraphs of no document": "SELECT COUNT(*) FROM paragraphs WHERE doc NOT IN (SELECT rowid FROM docs)",
            "paragraph band rows pointing at no paragraph":
                f"SELECT COUNT(*) FROM paragraph_bands b LEFT JOIN paragraphs p ON p.doc = b.paragraph / {PACK} "
                f"AND p.number = b.paragraph % {PACK} WHERE p.doc IS NULL",
            "documents whose paragraph count differs from their paragraph rows":
                "SELECT COUNT(*) FROM docs d WHERE d.paragraphs != "
                "(SELECT COUNT(*) FROM paragraphs p WHERE p.doc = d.rowid)",
        }
        for what, sql in checks.items():
            if n := one(sql):
                problems.append(f"{n} {what}")
        counted = one("SELECT COALESCE((SELECT docs FROM idf WHERE id = 0), 0)")
        if counted != self.count():
            problems.append(f"IDF counts {counted} documents, the index holds {self.count()}")
        return problems

    def stats(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "store": "sqlite", "path": self.path, "schema_version": SCHEMA_VERSION, "documents": self.count(),
            "paragraphs": one("SELECT COUNT(*) FROM paragraphs"),
            "doc_band_rows": one("SELECT COUNT(*) FROM doc_bands"),
            "paragraph_band_rows": one("SELECT COUNT(*) FROM paragraph_bands"),
            "bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
        }


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, retried while another process holds the write lock past the busy timeout."""

    def __init__(self, db: sqlite3.Connection, attempts: int = 5) -> None:
        self.db, self.attempts = db, attempts

    def __enter__(self):
        for attempt in range(self.attempts):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return self
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or attempt == self.attempts - 1:
                    raise
                time.sleep(0.1 * 2 ** attempt)

    def __exit__(self, kind, value, traceback) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _insert_sorted(db: sqlite3.Connection, table: str, keys: np.ndarray, values: np.ndarray) -> None:
    """Insert (key, value) rows in key order: B-tree pages are then touched once each, not at random."""
    order = np.lexsort((values, keys))
    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", zip(keys[order].tolist(), values[order].tolist()))
