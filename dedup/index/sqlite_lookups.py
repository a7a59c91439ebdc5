"""The lookups ``Index.check`` scores a text with, in a SQLite index (mixed into ``SQLiteStore``): the documents
sharing a band key with it, and the paragraphs sharing a fingerprint or a band key with one of its paragraphs."""

from __future__ import annotations

from dedup.index.sqlite_maintenance import _guarded
from dedup.index.store import PACK, Row

_PARAGRAPH_COLUMNS = "p.doc, d.id, p.number, p.terms, p.snippet, p.fingerprint"
_REFS_AT_ONCE = 400  # (doc, number) refs a statement reads: 800 variables, under SQLite's oldest limit (999)


class SQLiteLookups:
    """``documents_in_bands``, ``paragraphs_with_fingerprint`` and ``paragraphs_in_bands`` of ``SQLiteStore`` (its
    ``db`` assumed)."""

    @_guarded
    def documents_in_bands(self, keys: list[int]) -> list[Row]:
        """(row, id, shingles, terms) of the documents sharing a band key."""
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT d.rowid, d.id, d.shingles, d.terms FROM docs d WHERE d.rowid IN "
            f"(SELECT DISTINCT doc FROM doc_bands WHERE key IN ({marks}))", keys).fetchall()

    @_guarded
    def paragraphs_with_fingerprint(self, fingerprint: int, skip: frozenset[int] = frozenset()) -> list[Row]:
        """(doc row, doc id, number, terms, snippet, fingerprint) of the paragraphs with this fingerprint, less those
        of the documents (rows) in ``skip``."""
        if skip:
            refs = self.db.execute("SELECT doc, number FROM paragraphs WHERE fingerprint = ?", (fingerprint,))
            return self._paragraph_rows(refs, skip)
        return self.db.execute(
            f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN docs d ON d.rowid = p.doc "
            "WHERE p.fingerprint = ?", (fingerprint,)).fetchall()

    @_guarded
    def paragraphs_in_bands(self, keys: list[int], skip: frozenset[int] = frozenset()) -> list[Row]:
        """The same, for the paragraphs sharing a band key."""
        marks = ",".join("?" * len(keys))
        if skip:
            refs = self.db.execute(f"SELECT DISTINCT paragraph / {PACK}, paragraph % {PACK} FROM paragraph_bands "
                                   f"WHERE key IN ({marks})", keys)
            return self._paragraph_rows(refs, skip)
        return self.db.execute(
            f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN docs d ON d.rowid = p.doc WHERE (p.doc, p.number) IN "
            f"(SELECT DISTINCT paragraph / {PACK}, paragraph % {PACK} FROM paragraph_bands "
            f"WHERE key IN ({marks}))", keys).fetchall()

    def _paragraph_rows(self, refs, skip: frozenset[int]) -> list[Row]:
        """The paragraphs' rows of the ``(doc, number)`` refs whose document is not in ``skip``: read after the
        refs, so the paragraphs of a checked page's thousands of indexed copies (its near-duplicates, skipped)
        are never read whole (540 ms a check at 3,000 copies, most of it theirs)."""
        wanted = [ref for ref in refs if ref[0] not in skip]
        found: list[Row] = []
        for start in range(0, len(wanted), _REFS_AT_ONCE):
            chunk = wanted[start:start + _REFS_AT_ONCE]
            # Joined from the refs, each found by the primary key (``(p.doc, p.number) IN (VALUES ...)`` read the
            # whole table: 90 ms a check at 20,000 documents).
            found += self.db.execute(
                f"SELECT {_PARAGRAPH_COLUMNS} FROM (VALUES {','.join(['(?, ?)'] * len(chunk))}) v "
                "JOIN paragraphs p ON p.doc = v.column1 AND p.number = v.column2 JOIN docs d ON d.rowid = p.doc",
                [v for ref in chunk for v in ref]).fetchall()
        return found
