"""The embedded default store: one SQLite file in WAL mode, safe for several writing processes.

A dedup index file says what it is: ``PRAGMA application_id`` is
``APPLICATION_ID``, and its tables and columns are exactly ``LAYOUT``. Both
are checked with reads alone before anything is written (not even the
switch to WAL), so another program's database is refused byte-identical.
A file of schema version 2 (dedup before the application id) with exactly
that version's tables is adopted: read as it is, and given the id, the
sparse document-frequency table and version 3 on its first write.

Version 3 keeps the corpus document frequencies one row per bucket seen
(``df``), not one dense 4 MB array per write: a ten-document index is tens
of kilobytes, not 8 MB (the dense array, rewritten by each batch, also left
its old pages free in the file). Each row notes the document count after
the batch that last changed it, so a process reads only the rows changed
since its last look.

Version 4 adds indexes by document to the band tables and by date to
``docs``, so that removing a document or expiring old ones touches only
their rows (``sqlite_maintenance``); and as removals make the document count
go down as well as up, a df row now notes the write generation that last
changed it (``meta`` row "generation", one more per write), not that count.

Version 5 keeps a document's two dates apart: ``added``, when it was
added, and ``dated``, the date its caller gave (None where none was); up
to version 4 ``added`` held the caller's date where one was given, and
those rows keep it there (their ``dated`` is None). A document's date, for
``keep="earliest"`` and by default for expiry, is ``dated``, else ``added``.

Version 6 adds the reuse search's tables: each document's reuse keys (``reuse_keys``, by key and by
document) and its text as added (``texts``), which the passages a new text shares with it are aligned on.
A file of an earlier version gets them, empty, on its first write: the documents already in it take no
part in the reuse search (``stats`` counts those that do).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

from dedup.index.sqlite_lookups import SQLiteLookups
from dedup.index.sqlite_maintenance import SQLiteMaintenance, _guarded, _writes
from dedup.index.sqlite_reuse import SQLiteReuse
from dedup.index.sqlite_schema import (
    APPLICATION_ID,
    DATE,
    SCHEMA,
    SQLITE_VERSION,
    Transaction,
    has_dated_column,
    has_df_table,
    header_says_ours,
    held_transaction,
    identify,
    migrate,
)
from dedup.index.store import (
    PACK,
    IndexFileError,
    IndexLocationError,
    IndexReadOnlyError,
    IndexStoreError,
    IndexUnavailableError,
    IndexWriteError,
    NewDocuments,
    add_counts,
    check_params,
)

_MMAP_BYTES = 1 << 31


class SQLiteStore(SQLiteLookups, SQLiteReuse, SQLiteMaintenance):
    """An index in one SQLite file.

    Parameters
    ----------
    path : str
        The file; created if missing (its folder must exist).
    timeout : float, default=60
        Seconds to wait for another process's lock before giving up (``Index(lock_timeout=)``): a writer's
        lock stops other writers, a lock taken with ``locking_mode=EXCLUSIVE`` (or by a non-WAL journal)
        readers too; past it, ``IndexUnavailableError`` (opening, reading) or ``IndexWriteError`` (writing).
    read_only : bool, optional
        Open with ``mode=ro`` (SQLite then writes nothing). None: read-only exactly when the file or its
        folder is not writable. False: refuse a read-only file at once (``IndexReadOnlyError``).

    Not thread-safe by itself: ``Index`` serializes its use with a lock (the connection is made with
    ``check_same_thread=False`` for that).
    """

    def __init__(self, path: str, timeout: float = 60.0, read_only: bool | None = None) -> None:
        self.path, self.timeout = path, timeout
        self.db: sqlite3.Connection | None = None
        self._counts: tuple[np.ndarray, int] | None = None
        self.held = False  # inside ``exclusive``
        self._version: int | None = None
        self._generation = -1  # the write generation ``_counts`` is as of
        self._has_df = False
        self._dated = False  # whether ``docs`` has the column ``dated`` (version 5), once seen
        self._has_reuse = False  # whether the reuse tables (version 6) exist, once seen
        self._has_forms = False  # whether the page furniture's table (version 7) exists, once seen
        self._has_young = False  # whether the table of documents keyed young (version 8) exists, once seen
        file = Path(path)
        if file.is_dir():
            raise IndexLocationError(f"{path}: is a folder, not an index file")
        existed = file.exists()
        if existed and not file.is_file():  # /dev/null, a named pipe: SQLite saw a new file and made an index in it
            raise IndexLocationError(f"{path}: not a regular file (a device, a named pipe or a socket), not an "
                                     "index file")
        folder = file.parent
        if not existed and read_only:
            raise IndexLocationError(f"{path}: no such index")
        if not existed and not folder.is_dir():
            raise IndexLocationError(f"{path}: cannot create the index: folder {str(folder)!r} does not exist")
        # An index in WAL mode also needs its folder writable (for -wal and -shm); os.access is True for root.
        writable = os.access(folder, os.W_OK) and (not existed or os.access(file, os.W_OK))
        if not existed and not writable:
            raise IndexReadOnlyError(f"{path}: cannot create the index: folder {str(folder)!r} is read-only")
        if read_only is False and not writable:
            raise IndexReadOnlyError(f"{path}: the index file or its folder is read-only; nothing was written")
        self.read_only = not writable if read_only is None else bool(read_only)
        self._created = not existed
        started = time.monotonic()
        try:
            self._connect()
            self._kind, self._meta = self._identify()
            if self._kind != "new":
                self._setup()
        except BaseException as err:
            self.close()
            if isinstance(err, sqlite3.Error):  # a lock held past the wait (``_identify`` passes it on)
                raise self._error(err, time.monotonic() - started) from None
            raise

    # -- opening ------------------------------------------------------------

    def _connect(self) -> None:
        kwargs = dict(timeout=self.timeout, isolation_level=None, check_same_thread=False)
        # isolation_level=None: transactions are begun explicitly, BEGIN IMMEDIATE for writes.
        try:
            if not self.read_only:
                self.db = sqlite3.connect(self.path, **kwargs)
                return
            uri = "file:" + quote(os.path.abspath(self.path))
            self.db = sqlite3.connect(uri + "?mode=ro", uri=True, **kwargs)
            try:
                self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL file in a folder where its -shm cannot be made: with no -wal file no writer is at
                # work on it, so it is read as the immutable file it is (SQLite takes no locks then).
                self.db.close()
                if Path(self.path + "-wal").exists():
                    raise
                self.db = sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True, **kwargs)
        except sqlite3.OperationalError as err:
            if _locked(err):
                raise
            leftover = self.read_only and Path(self.path + "-wal").exists()
            raise IndexLocationError(f"{self.path}: cannot open the index ({err})" + (
                f"; a writer's {self.path}-wal is left beside it (a run ended before it closed the index), which "
                "a read-only folder cannot apply: open the index once with write access" if leftover else "")) \
                from None

    def _identify(self) -> tuple[str, dict | None]:
        """("new" | "ours" | "legacy", meta) of the file, by reads alone; refuses any other file."""
        try:
            return identify(self.db, self.path)
        except sqlite3.DatabaseError as err:
            if _locked(err):  # says nothing of what the file is: the caller reports the lock
                raise
            what = "a damaged dedup index" if header_says_ours(self.path) else "not a dedup index"
            raise IndexFileError(f"{self.path}: {what} ({err}); the file was left unchanged") from None

    def _setup(self) -> None:
        if not self.read_only:
            self.db.execute("PRAGMA journal_mode=WAL")  # a no-op on an index made by dedup, which is in WAL
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-131072")  # 128 MB of pages: the band tables stay hot
        # Reads through a memory map of the file (SQLite caps it at its own limit, 2 GB by default): a check's few
        # hundred B-tree probes of a 1.7 GB index of 100,000 documents read pages the system holds without a
        # read call and a copy each, 7.2 -> 6.2 ms a check at the median (docs/benchmarks.md, "The index").
        self.db.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
        self._has_df = self._kind == "ours"
        self._has_reuse = self._has_forms = self._has_young = self._kind == "ours"

    def open(self, given: dict, defaults: dict) -> dict:
        """The index's parameters; a new file is created with ``defaults`` updated by ``given``."""
        if self._kind == "new":
            if self.read_only:
                raise IndexFileError(f"{self.path}: an empty file, not a dedup index")
            return self._create(given, defaults)
        try:
            stored = json.loads(self._meta["params"])
        except ValueError:
            stored = None
        if not isinstance(stored, dict):
            raise IndexFileError(f"{self.path}: not a dedup index (its parameters are not readable)")
        return check_params(stored, given, defaults, self.path)

    def _create(self, given: dict, defaults: dict) -> dict:
        started = time.monotonic()
        try:
            with self._writing():
                # Again inside the write lock: another process may have created the index meanwhile.
                self._kind, self._meta = self._identify()
                if self._kind == "new":
                    params = check_params(None, given, defaults, self.path)
                    self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    for statement in SCHEMA:
                        self.db.execute(statement)
                    self.db.executemany("INSERT INTO meta VALUES (?, ?)", [
                        ("schema_version", str(SQLITE_VERSION)), ("params", json.dumps(params)),
                        ("created", str(time.time())), ("generation", "0")])
                    self.db.execute("INSERT INTO idf VALUES (0, 0, x'')")
                    self._meta = {"schema_version": str(SQLITE_VERSION), "params": json.dumps(params)}
            self._kind = "ours" if self._kind == "new" else self._kind
            self._setup()  # WAL only now: a failed creation leaves the empty file it found
        except sqlite3.Error as err:
            error = self._error(err, time.monotonic() - started, writes=True)
            self._abandon()
            raise error from err
        except BaseException:  # anything else (a value JSON cannot hold, Ctrl-C): no empty file left behind
            self._abandon()
            raise
        return self.open(given, defaults)

    def _abandon(self) -> None:
        """Close, and remove the file when this store created it and nothing was committed to it."""
        self.close()
        if self._created and Path(self.path).exists() and Path(self.path).stat().st_size == 0:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(self.path + suffix).unlink(missing_ok=True)

    def _writing(self):  # inside ``exclusive`` the transaction is open already
        return contextlib.nullcontext() if self.held else Transaction(self.db, self.timeout)

    def exclusive(self):
        """The write lock held over a block: ``Index.check(add=True)``'s check and add in one step."""
        return held_transaction(self)

    def _error(self, err: sqlite3.Error, waited: float | None = None, writes: bool = False) -> IndexStoreError:
        """The ``IndexStoreError`` for ``err``, met by a call that ``writes`` or not after ``waited`` seconds."""
        text = str(err)
        if "readonly" in text:
            return IndexReadOnlyError(f"{self.path}: the index is read-only ({text}); nothing was written")
        if _locked(err):  # another process's lock, never a fault of the file: try again later
            waited = self.timeout if waited is None else waited
            locked = f"{self.path}: locked by another process (waited {waited:.{0 if waited >= 10 else 1}f} s)"
            if writes:
                return IndexWriteError(f"{locked}; nothing was written, try again when it is done")
            return IndexUnavailableError(f"{locked}; try again when it is done")
        if "malformed" in text or "not a database" in text:
            return IndexFileError(f"{self.path}: a damaged index ({text})")
        if isinstance(err, sqlite3.OperationalError):
            return IndexWriteError(f"{self.path}: {text}")
        return IndexStoreError(f"{self.path}: {text}")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # -- writing ------------------------------------------------------------

    @_writes
    def insert(self, batch: NewDocuments) -> int:
        """Store the documents whose ids are not yet present, all or nothing; returns how many."""
        if self.read_only:
            raise IndexReadOnlyError(f"{self.path}: the index was opened read-only (a read-only file or folder); "
                                     "nothing was written")
        batch.check_packable()
        before = self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young
        try:
            return self._insert(batch)
        except BaseException:
            # rolled back, a migration with it
            self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young = before
            raise

    def _insert(self, batch: NewDocuments) -> int:
        with self._writing():
            present = self.present(batch.ids)
            if present:
                batch = batch.only(np.array([d not in present for d in batch.ids], dtype=bool))
            if not batch.ids:
                return 0
            if self._kind != "ours":  # an adopted file: our id, sparse counts, version 3, in this transaction
                migrate(self.db)
                self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young = (
                    "ours", True, True, True, True)
            first = self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs").fetchone()[0]
            rows = np.arange(first, first + len(batch.ids), dtype=np.int64)
            now = time.time()
            dates = batch.dates or [None] * len(rows)
            self.db.executemany(
                "INSERT INTO docs (rowid, id, paragraphs, shingles, terms, added, dated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                zip(rows.tolist(), batch.ids, batch.paragraphs.tolist(), batch.shingles, batch.terms,
                    [now] * len(rows), dates))
            keys = batch.band_keys[batch.banded]
            _insert_sorted(self.db, "doc_bands", keys.ravel(), np.repeat(rows[batch.banded], keys.shape[1]))
            owners = rows[batch.para_owner]
            self.db.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)", zip(
                owners.tolist(), batch.para_number.tolist(), batch.para_fingerprint.tolist(), batch.para_terms,
                batch.para_snippets))
            keys = batch.para_keys[batch.para_banded]
            packed = owners[batch.para_banded] * PACK + batch.para_number[batch.para_banded]
            _insert_sorted(self.db, "paragraph_bands", keys.ravel(), np.repeat(packed, keys.shape[1]))
            if batch.texts is not None:
                self._insert_reuse(batch, rows)
            counts, generation = self._add_counts(batch)
        self._counts, self._generation = counts, generation  # only once committed
        return len(batch.ids)

    def _add_counts(self, batch: NewDocuments) -> tuple[tuple[np.ndarray, int], int]:
        """Count the batch's buckets (inside the write lock, on top of what every process has written);
        the new counts and the generation they are as of."""
        df, n_docs = self.idf_counts()
        generation = self._next_generation()
        n_docs += len(batch.ids)
        buckets, counts = np.unique(batch.df_bucket, return_counts=True)
        # Each row holds its absolute count and the generation of the write that last changed it.
        self.db.executemany(
            "INSERT INTO df VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET count = count + excluded.count, "
            "batch = excluded.batch", zip(buckets.tolist(), counts.tolist(), [generation] * len(buckets)))
        self.db.execute("UPDATE idf SET docs = ? WHERE id = 0", (n_docs,))
        return (add_counts(df, batch.df_bucket), n_docs), generation

    def _next_generation(self) -> int:
        """One more than the stored write generation, stored (inside the caller's write transaction)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation = int(row[0]) + 1 if row else 1
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(generation),))
        return generation

    # -- reading ------------------------------------------------------------

    @_guarded
    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    @_guarded
    def row_of(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    @_guarded
    def present(self, ids: list[str]) -> set[str]:
        found = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM docs WHERE id IN ({marks})", chunk))
        return found

    @_guarded
    def idf_counts(self) -> tuple[np.ndarray, int]:
        """(document frequency per bucket, documents counted), read again only when another process wrote,
        and then only the buckets changed since."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._counts is not None and version == self._version:
            return self._counts
        own = not self.db.in_transaction
        if own:
            self.db.execute("BEGIN")  # one snapshot for the document count and the rows
        try:
            row = self.db.execute("SELECT docs, df FROM idf WHERE id = 0").fetchone()
            n_docs, blob = (0, b"") if row is None else (int(row[0]), row[1])
            if n_docs < 0 or not isinstance(blob, bytes) or len(blob) % 4:  # written by hand, not by dedup
                raise IndexFileError(f"{self.path}: a damaged index (the document frequencies in its idf table "
                                     "cannot be read)")
            if not self._has_df:  # another process may have moved a version 2 file to version 3
                self._has_df = has_df_table(self.db)
            marks = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'df_full')"))
            # A file not yet at version 4 has no generation: its df rows are marked with document counts.
            generation = int(marks.get("generation", n_docs))
            purged = int(marks.get("df_full", -1))  # ``compact`` dropped zero rows then: a reader before it
            if self._counts is None or blob or self._generation < purged:  # reads all again (so does a
                df, since = np.frombuffer(blob, dtype="<i4").astype(np.int64), -1  # version 2 file: one blob)
            elif generation != self._generation:  # only the buckets of writes committed since
                df, since = self._counts[0], self._generation
            else:
                df = None
            if df is not None and self._has_df:
                changed = np.array(self.db.execute("SELECT bucket, count FROM df WHERE batch > ?",
                                                   (since,)).fetchall(), dtype=np.int64).reshape(-1, 2)
                df = _assign(df, changed[:, 0], changed[:, 1])
        finally:
            if own:
                self.db.execute("COMMIT")
        self._version = version
        if df is not None:
            self._counts, self._generation = (df, n_docs), generation
        return self._counts

    @_guarded
    def dates_of(self, rows: list[int]) -> dict[int, float]:
        """row -> date of the documents: ``dated`` (the date given when it was added), else ``added``."""
        found, date = {}, self._date_sql("dated")
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT rowid, {date} FROM docs WHERE rowid IN ({marks})", chunk))
        return found

    def _date_sql(self, by: str) -> str:
        """The SQL of a document's date ``by`` "added" or "dated" (``dated``, else ``added``). A file not yet at
        version 5 has no ``dated``: its ``added`` held the caller's date where one was given."""
        if by == "added":
            return "added"
        if not self._dated:  # another process may have moved the file to version 5 since
            self._dated = self._kind == "ours" or has_dated_column(self.db)
        return DATE if self._dated else "added"

def _locked(err: sqlite3.Error) -> bool:
    """Whether ``err`` is SQLite giving up on another connection's lock (SQLITE_BUSY or SQLITE_LOCKED)."""
    text = str(err)
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _assign(df: np.ndarray, buckets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A copy of ``df`` (grown to fit) with ``df[buckets] = counts``: the cached array is never changed in place,
    so ``Index`` can tell a new one by identity."""
    size = max(df.size, int(buckets.max()) + 1 if len(buckets) else 0)
    out = np.zeros(size, dtype=np.int64)
    out[:df.size] = df
    out[buckets] = counts
    return out


def _insert_sorted(db: sqlite3.Connection, table: str, keys: np.ndarray, values: np.ndarray) -> None:
    """Insert (key, value) rows in key order: B-tree pages are then touched once each, not at random."""
    order = np.lexsort((values, keys))
    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)", zip(keys[order].tolist(), values[order].tolist()))
