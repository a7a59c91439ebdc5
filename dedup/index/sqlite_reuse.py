"""The reuse search's reads of a SQLite index (mixed into ``SQLiteStore``): the documents holding a text's
reuse keys, and the texts its passages are aligned on (schema version 6; see ``sqlite_store``), how many hold
a sentence form (page furniture, version 7), and the documents keyed while the index was young, keyed again
(version 8)."""

from __future__ import annotations

import numpy as np

from dedup.index.sqlite_maintenance import _guarded, _writes
from dedup.index.sqlite_schema import has_form_table, has_reuse_tables, has_young_table
from dedup.index.store import YOUNG_INDEX, IndexReadOnlyError, NewDocuments

_KEYS_A_STATEMENT = 500  # well under SQLite's limit on a statement's parameters


class SQLiteReuse:
    """``documents_with_reuse_keys`` and ``texts_of`` of ``SQLiteStore``, and the writes behind them (its
    attributes assumed)."""

    def _insert_reuse(self, batch: NewDocuments, rows: np.ndarray) -> None:
        """Store the batch's texts and reuse keys (``rows``: its documents' rows), in the caller's transaction."""
        keys, owner = batch.reuse_keys, batch.reuse_owner
        bounds = np.searchsorted(owner, np.arange(len(rows) + 1))  # key rows come grouped by document
        forms, form_owner = _forms_of(batch)
        form_bounds = np.searchsorted(form_owner, np.arange(len(rows) + 1))
        self.db.executemany("INSERT INTO texts (doc, text, keys, forms) VALUES (?, ?, ?, ?)", (
            (row, text, keys[a:b].astype("<i8").tobytes(), forms[c:d].astype("<i8").tobytes())
            for row, text, a, b, c, d in zip(rows.tolist(), batch.texts, bounds[:-1].tolist(), bounds[1:].tolist(),
                                             form_bounds[:-1].tolist(), form_bounds[1:].tolist())))
        order = np.lexsort((owner, keys))  # in key order: B-tree pages are touched once each
        self.db.executemany("INSERT OR IGNORE INTO reuse_keys VALUES (?, ?)",
                            zip(keys[order].tolist(), rows[owner[order]].tolist()))
        order = np.lexsort((form_owner, forms))
        self.db.executemany("INSERT OR IGNORE INTO reuse_forms VALUES (?, ?)",
                            zip(forms[order].tolist(), rows[form_owner[order]].tolist()))
        if batch.keyed is not None and batch.keyed < YOUNG_INDEX:
            self.db.executemany("INSERT OR REPLACE INTO young_keys VALUES (?, ?)",
                                ((row, batch.keyed) for row in rows.tolist()))

    def _delete_reuse(self, rows: list[int]) -> None:
        """Remove these documents' texts and key rows (the keys kept with each text say which)."""
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            marks = ",".join("?" * len(chunk))
            forms = "forms" if self._form_table() else "NULL"
            found = self.db.execute(f"SELECT doc, keys, {forms} FROM texts WHERE doc IN ({marks})", chunk).fetchall()
            self.db.executemany("DELETE FROM reuse_keys WHERE key = ? AND doc = ?", (
                (key, row) for row, blob, _ in found for key in np.frombuffer(blob, dtype="<i8").tolist()))
            self.db.executemany("DELETE FROM reuse_forms WHERE form = ? AND doc = ?", (
                (form, row) for row, _, blob in found for form in np.frombuffer(blob or b"", dtype="<i8").tolist()))
            self.db.execute(f"DELETE FROM texts WHERE doc IN ({marks})", chunk)
            if self._young_table():
                self.db.execute(f"DELETE FROM young_keys WHERE doc IN ({marks})", chunk)

    @_guarded
    def young_rows(self, keyed_by: int, limit: int) -> list[int]:
        """Up to ``limit`` documents (rows) whose reuse keys were made at ``keyed_by`` documents or fewer, those
        keyed earliest first (only documents keyed while the index held under ``YOUNG_INDEX`` are kept)."""
        if not self._young_table():
            return []
        return [row for (row,) in self.db.execute(
            "SELECT doc FROM young_keys WHERE keyed <= ? ORDER BY keyed, doc LIMIT ?", (keyed_by, limit))]

    @_writes
    def rekey(self, documents: list[tuple[int, str, np.ndarray]], keyed: int, keyed_by: int,
              gone: list[int] = ()) -> int:
        """Replace the reuse keys of these ``(row, text, keys)`` documents (``keys``: int64, made of ``text`` at
        ``keyed`` documents), in one transaction. A document whose row no longer holds that text (removed
        meanwhile; its row maybe another's by now), or keyed again by another process (past ``keyed_by``), is left
        as it is; a ``gone`` row (found without a document) leaves the young documents if it still has none.
        Returns how many were keyed again."""
        if self.read_only:
            raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; nothing was written")
        done = 0
        with self._writing():
            self.db.executemany("DELETE FROM young_keys WHERE doc = ? AND doc NOT IN (SELECT doc FROM texts)",
                                ((row,) for row in gone))
            for row, text, new in documents:
                found = self.db.execute("SELECT t.keys, t.text FROM texts t JOIN young_keys y ON y.doc = t.doc "
                                        "WHERE t.doc = ? AND y.keyed <= ?", (row, keyed_by)).fetchone()
                if found is None or found[1] != text:
                    continue
                old = np.frombuffer(found[0], dtype="<i8")
                self.db.executemany("DELETE FROM reuse_keys WHERE key = ? AND doc = ?",
                                    ((key, row) for key in np.setdiff1d(old, new).tolist()))
                self.db.executemany("INSERT OR IGNORE INTO reuse_keys VALUES (?, ?)",
                                    ((key, row) for key in np.setdiff1d(new, old).tolist()))
                self.db.execute("UPDATE texts SET keys = ? WHERE doc = ?", (new.astype("<i8").tobytes(), row))
                if keyed < YOUNG_INDEX:
                    self.db.execute("UPDATE young_keys SET keyed = ? WHERE doc = ?", (keyed, row))
                else:
                    self.db.execute("DELETE FROM young_keys WHERE doc = ?", (row,))
                done += 1
        return done

    def _young_table(self) -> bool:
        """Whether the file has the table of documents keyed young (version 8; a legacy file gets it on its first
        write)."""
        if not self._has_young:
            self._has_young = has_young_table(self.db)
        return self._has_young

    def _reuse_tables(self) -> bool:
        """Whether the file has the reuse tables (a legacy file gets them on its first write, here or in
        another process)."""
        if not self._has_reuse:
            self._has_reuse = has_reuse_tables(self.db)
        return self._has_reuse

    def _form_table(self) -> bool:
        """Whether the file has the page furniture's table (version 7; a legacy file gets it on its first write)."""
        if not self._has_forms:
            self._has_forms = has_form_table(self.db)
        return self._has_forms

    @_guarded
    def furniture_forms(self, forms: list[int], limit: int, own_row: int) -> np.ndarray:
        """Of these sentence forms (int64), those held by more than ``limit`` documents besides ``own_row``
        (page furniture, ``reuse.furniture``), each counted no further than ``limit + 1`` rows."""
        found: list[int] = []
        if self._form_table():
            for start in range(0, len(forms), _KEYS_A_STATEMENT):
                chunk = forms[start:start + _KEYS_A_STATEMENT]
                values = ",".join(["(?)"] * len(chunk))
                found += [form for (form,) in self.db.execute(
                    f"WITH wanted(form) AS (VALUES {values}) SELECT form FROM wanted WHERE (SELECT count(*) FROM "
                    "(SELECT 1 FROM reuse_forms f WHERE f.form = wanted.form AND f.doc != ? LIMIT ?)) > ?",
                    (*chunk, own_row, limit + 1, limit))]
        return np.array(found, dtype=np.int64)

    @_guarded
    def documents_with_reuse_keys(self, keys: list[int], max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``(key, document row)`` rows of these reuse keys, leaving out a key held by more than
        ``max_bucket`` documents (page furniture: it pairs nothing, and is not read whole)."""
        found: list[tuple[int, int]] = []
        if self._reuse_tables():
            # One statement a chunk, not one a key: the per-key loop runs in SQLite, and each key's bucket is
            # counted no further than ``max_bucket + 1`` rows before its rows are read (benchmarks/index_latency.py).
            for start in range(0, len(keys), _KEYS_A_STATEMENT):
                chunk = keys[start:start + _KEYS_A_STATEMENT]
                values = ",".join(["(?)"] * len(chunk))
                found += self.db.execute(
                    f"WITH wanted(key) AS (VALUES {values}) SELECT wanted.key, r.doc FROM wanted "
                    "JOIN reuse_keys r ON r.key = wanted.key WHERE (SELECT count(*) FROM (SELECT 1 FROM reuse_keys "
                    "c WHERE c.key = wanted.key LIMIT ?)) <= ?", (*chunk, max_bucket + 1, max_bucket)).fetchall()
        pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    @_guarded
    def texts_of(self, rows: list[int]) -> dict[int, tuple[str, str]]:
        """row -> (id, text as added) of the documents that have their text (added at version 6 or later)."""
        found: dict[int, tuple[str, str]] = {}
        if not self._reuse_tables():
            return found
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update((row, (doc_id, text)) for row, doc_id, text in self.db.execute(
                f"SELECT t.doc, d.id, t.text FROM texts t JOIN docs d ON d.rowid = t.doc WHERE t.doc IN ({marks})",
                chunk))
        return found


def _forms_of(batch: NewDocuments) -> tuple[np.ndarray, np.ndarray]:
    """The batch's ``(form, document)`` rows grouped by document (none for a batch made without them)."""
    if batch.reuse_forms is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(batch.form_owner, kind="stable")
    return batch.reuse_forms[order].astype(np.int64), batch.form_owner[order]
