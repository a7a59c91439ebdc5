"""Removing, expiring and compacting a SQLite index, and checking it (mixed into ``SQLiteStore``).

A document is removed whole in its batch's one write transaction: its
``docs`` row, its band rows (found by the version 4 indexes by document, not
by scanning the band tables), its paragraphs and their band rows, and its
share of the document frequencies: the buckets of its stored term counts,
which are exactly the buckets counted when it was added. So an index after
removals answers as one built from the surviving documents alone, and a
writer killed mid-way leaves whole batches removed or not at all.
"""

from __future__ import annotations

import functools
import sqlite3
import time

import numpy as np

from dedup.index.sqlite_schema import migrate
from dedup.index.store import PACK, IndexReadOnlyError
from dedup.index.verdicts import term_buckets

_CHUNK = 500  # ids or rows per ``IN (...)`` (SQLite's default limit on variables is 999 in old builds)


def _guarded(method, writes: bool = False):
    """Raise SQLite's errors as ``IndexStoreError`` subclasses saying what happened, in one line (a lock held
    past the wait, with how long this call waited: ``IndexWriteError`` for a method that ``writes``, else
    ``IndexUnavailableError``)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        started = time.monotonic()
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as err:
            raise self._error(err, time.monotonic() - started, writes) from err
    return wrapper


def _writes(method):
    """``_guarded`` for a method that writes."""
    return _guarded(method, writes=True)


class SQLiteMaintenance:
    """``delete``, ``expire``, ``compact``, ``verify`` and ``stats`` of ``SQLiteStore`` (its attributes assumed)."""

    # -- removing -----------------------------------------------------------

    @_writes
    def delete(self, ids: list[str]) -> list[str]:
        """Remove the documents of these ids, all in one transaction; the ids that were indexed."""
        return self._removing("SELECT rowid, id, terms FROM docs WHERE id IN ({marks})", ids)

    @_writes
    def expire(self, before: float, limit: int, by: str = "dated") -> list[str]:
        """Remove up to ``limit`` documents whose date ``by`` ("added": when added; "dated": the date given
        when added, else when added) is before ``before`` (epoch seconds), oldest first, in one transaction;
        their ids (empty: none is left). Each way has its index (``docs_by_added``, ``docs_by_date``)."""
        return self._removing("SELECT rowid, id, terms FROM docs WHERE {date} < ? ORDER BY {date}, rowid LIMIT ?",
                              [before, limit], by)

    def _removing(self, select: str, args: list, by: str | None = None) -> list[str]:
        if self.read_only:
            raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; nothing was removed")
        before = self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young
        try:
            with self._writing():
                # Chosen inside the write lock, so two processes never remove (and count off) one document twice.
                if "{marks}" in select:
                    found = []
                    for start in range(0, len(args), _CHUNK):
                        chunk = args[start:start + _CHUNK]
                        found += self.db.execute(select.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
                else:  # the date's SQL read in the lock too: another process may move the file to version 5
                    found = self.db.execute(select.format(date=self._date_sql(by)), args).fetchall()
                if not found:
                    return []
                if self._kind != "ours":  # the indexes by document come with version 4
                    migrate(self.db)
                    self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young = (
                        "ours", True, True, True, True)
                counts, generation = self._delete_rows(found)
        except BaseException:
            # rolled back, a migration with it
            self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young = before
            raise
        self._counts, self._generation = counts, generation  # only once committed
        return [doc_id for _, doc_id, _ in found]

    def _delete_rows(self, found: list[tuple[int, str, bytes]]) -> tuple[tuple[np.ndarray, int], int]:
        """Delete everything of these (row, id, terms) documents and count them off the document frequencies."""
        rows = [row for row, _, _ in found]
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for table, column in (("doc_bands", "doc"), ("paragraphs", "doc"), ("docs", "rowid")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
        self._delete_reuse(rows)
        # A paragraph is referred to as row * PACK + number: a document's are one range of the index.
        # (Deleting the band rows in key order instead, as adds insert them, measured no faster.)
        self.db.executemany("DELETE FROM paragraph_bands WHERE paragraph >= ? AND paragraph < ?",
                            [(row * PACK, (row + 1) * PACK) for row in rows])
        df, n_docs = self.idf_counts()
        generation = self._next_generation()
        buckets, counts = np.unique(np.concatenate([term_buckets(t) for _, _, t in found] + [np.zeros(0, np.int64)]),
                                    return_counts=True)
        self.db.executemany("UPDATE df SET count = count - ?, batch = ? WHERE bucket = ?",
                            zip(counts.tolist(), [generation] * len(buckets), buckets.tolist()))
        n_docs -= len(rows)
        self.db.execute("UPDATE idf SET docs = ? WHERE id = 0", (n_docs,))
        df = df.copy()  # a new array, never changed in place: ``Index`` tells new counts by identity
        df[buckets] -= counts
        return (df, n_docs), generation

    # -- compacting ---------------------------------------------------------

    @_writes
    def compact(self) -> dict:
        """Drop document-frequency rows counted down to zero, then VACUUM: the file shrinks to its live pages.

        VACUUM rewrites the whole file and holds the write lock meanwhile (other writers wait, up to the
        busy timeout); readers go on. Returns the bytes before and after.
        """
        if self.read_only:
            raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; nothing was compacted")
        before = self._file_bytes()
        with self._writing():
            if self._kind != "ours":
                migrate(self.db)
                self._kind, self._has_df, self._has_reuse, self._has_forms, self._has_young = (
                    "ours", True, True, True, True)
            self.idf_counts()  # current, so the cache may be kept: its zeros are the rows dropped
            if self.db.execute("DELETE FROM df WHERE count = 0").rowcount:
                generation = self._next_generation()
                # Readers whose counts are older than this generation read them all again (see idf_counts).
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('df_full', ?)", (str(generation),))
                self._generation = generation
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the write-ahead log back to empty
        return {"bytes_before": before, "bytes_after": self._file_bytes()}

    def _file_bytes(self) -> int:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return one("PRAGMA page_count") * one("PRAGMA page_size")

    # -- checking -----------------------------------------------------------

    @_guarded
    def verify(self) -> list[str]:
        """Problems found: SQLite's integrity check, then dedup's own invariants (empty: consistent); all read in
        one transaction, one snapshot of the file (read apart, another process's batch committed between two
        reads made a consistent index look broken)."""
        own = not self.db.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            return self._problems()
        finally:
            if own:
                self.db.execute("COMMIT")

    def _problems(self) -> list[str]:
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
        if self._reuse_tables():
            checks["reuse key rows pointing at no document"] = \
                "SELECT COUNT(*) FROM reuse_keys WHERE doc NOT IN (SELECT doc FROM texts)"
            checks["texts of no document"] = "SELECT COUNT(*) FROM texts WHERE doc NOT IN (SELECT rowid FROM docs)"
        if self._young_table():
            checks["documents keyed young that are not indexed"] = \
                "SELECT COUNT(*) FROM young_keys WHERE doc NOT IN (SELECT doc FROM texts)"
        if self._form_table():
            checks["sentence form rows pointing at no document"] = \
                "SELECT COUNT(*) FROM reuse_forms WHERE doc NOT IN (SELECT doc FROM texts)"
        for what, sql in checks.items():
            if n := one(sql):
                problems.append(f"{n} {what}")
        if cut := one("SELECT COUNT(*) FROM docs WHERE length(shingles) % 4 != 0 OR length(terms) % 6 != 0"):
            problems.append(f"{cut} documents whose stored shingles or term counts are missing, cut short or "
                            "overlong")
        counted = one("SELECT COALESCE((SELECT docs FROM idf WHERE id = 0), 0)")
        if counted != self.count():
            problems.append(f"IDF counts {counted} documents, the index holds {self.count()}")
        # Every bucket counted exactly as often as the indexed documents hold it: removals counted off exactly.
        expected = np.zeros(0, dtype=np.int64)
        for (blob,) in self.db.execute("SELECT terms FROM docs"):
            buckets = term_buckets(blob)
            if buckets.size:
                expected = _grown(expected, int(buckets.max()) + 1)
                expected[buckets] += 1
        stored = self.idf_counts()[0]
        size = max(expected.size, stored.size)
        if wrong := int(np.count_nonzero(_grown(expected, size) != _grown(stored, size))):
            problems.append(f"{wrong} document-frequency buckets differ from the indexed documents' terms")
        return problems

    @_guarded
    def stats(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        documents, size = self.count(), self._file_bytes()
        return {
            "store": "sqlite", "path": self.path,  # as of now: a first write (here or elsewhere) moves it up
            "schema_version": int(one("SELECT value FROM meta WHERE key = 'schema_version'")),
            "read_only": self.read_only, "documents": documents,
            "paragraphs": one("SELECT COUNT(*) FROM paragraphs"),
            "doc_band_rows": one("SELECT COUNT(*) FROM doc_bands"),
            "paragraph_band_rows": one("SELECT COUNT(*) FROM paragraph_bands"),
            # Documents the reuse search can align on (those added before schema 6 have no text kept).
            "documents_with_text": one("SELECT COUNT(*) FROM texts") if self._reuse_tables() else 0,
            "reuse_key_rows": one("SELECT COUNT(*) FROM reuse_keys") if self._reuse_tables() else 0,
            "reuse_form_rows": one("SELECT COUNT(*) FROM reuse_forms") if self._form_table() else 0,
            # Documents keyed while the index was young, to be keyed again as it grows (``IndexReuse._rekey_young``).
            "documents_keyed_young": one("SELECT COUNT(*) FROM young_keys") if self._young_table() else 0,
            "bytes": size,
            # Pages freed by removals, reused by later adds; ``dedup index compact`` returns them to the disk.
            "free_bytes": one("PRAGMA freelist_count") * one("PRAGMA page_size"),
            "bytes_per_document": round(size / documents) if documents else None,
        }


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    return array if array.size >= size else np.concatenate([array, np.zeros(size - array.size, dtype=np.int64)])
