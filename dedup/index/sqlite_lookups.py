"""The lookups ``Index.check`` scores a text with, in a SQLite index (mixed into ``SQLiteStore``): the documents
sharing a band key with it, and the paragraphs sharing a fingerprint or a band key with one of its paragraphs."""

from __future__ import annotations

from dedup.index.sqlite_maintenance import _guarded
from dedup.index.store import MAX_PARAGRAPH_BUCKET, PACK, Row, bounded_refs

_PARAGRAPH_COLUMNS = "p.doc, d.id, p.number, p.terms, p.snippet, p.fingerprint"
_REFS_AT_ONCE = 400  # (doc, number) refs a statement reads: 800 variables, under SQLite's oldest limit (999)
_KEYS_AT_ONCE = 900  # fingerprints or band keys a statement looks up
# The band keys held by at most MAX_PARAGRAPH_BUCKET paragraphs, each counted no further than one past that.
_SMALL_KEYS = ("SELECT w.column1 FROM (VALUES {}) w WHERE (SELECT count(*) FROM "
               "(SELECT 1 FROM paragraph_bands c WHERE c.key = w.column1 LIMIT ?)) <= ?")


class SQLiteLookups:
    """``documents_in_bands`` and ``paragraph_matches`` of ``SQLiteStore`` (its ``db`` assumed)."""

    @_guarded
    def documents_in_bands(self, keys: list[int]) -> list[Row]:
        """(row, id, shingles, terms) of the documents sharing a band key."""
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT d.rowid, d.id, d.shingles, d.terms FROM docs d WHERE d.rowid IN "
            f"(SELECT DISTINCT doc FROM doc_bands WHERE key IN ({marks}))", keys).fetchall()

    @_guarded
    def paragraph_matches(self, fingerprints: list[int], band_keys: list[list[int]],
                          skip: frozenset[int] = frozenset()) -> list[list[Row]]:
        """For each paragraph asked (its fingerprint, and its band keys: none to look it up by fingerprint only), the
        (doc row, doc id, number, terms, snippet, fingerprint) of the indexed paragraphs sharing the fingerprint or a
        band key, each once, less those of the documents (rows) in ``skip``.

        Every paragraph of a checked page is looked up at once: the refs by fingerprint, then by band key, then the
        rows of the refs wanted (one statement each, a few where a page asks more than SQLite's variables), as the
        Redis store does in two round trips. On SQLite the time is the band keys' probes either way."""
        wanted: list[set[tuple[int, int]]] = [set() for _ in fingerprints]
        asking = _askers(enumerate(fingerprints))
        for fingerprint, doc, number in self._keyed("SELECT fingerprint, doc, number FROM paragraphs "
                                                    "WHERE fingerprint IN ({})", list(asking)):
            for k in asking[fingerprint]:
                wanted[k].add((doc, number))
        held: dict[int, list[tuple[int, int]]] = {}
        small = [key for (key,) in self._keyed(_SMALL_KEYS, sorted({key for keys in band_keys for key in keys}),
                                               (MAX_PARAGRAPH_BUCKET + 1, MAX_PARAGRAPH_BUCKET), "(?)")]
        for key, packed in self._keyed("SELECT key, paragraph FROM paragraph_bands WHERE key IN ({})", small):
            ref = divmod(packed, PACK)
            if ref[0] not in skip:  # a near-duplicate's paragraphs: never read, never paired
                held.setdefault(key, []).append(ref)
        for k, refs in enumerate(bounded_refs(band_keys, held)):
            wanted[k] |= refs
        rows = {(row[0], row[2]): row for row in self._paragraph_rows(sorted(set().union(*wanted)), skip)}
        return [[rows[ref] for ref in sorted(refs) if ref in rows] for refs in wanted]

    def _keyed(self, statement: str, values: list[int], after: tuple = (), mark: str = "?") -> list[Row]:
        """The rows of ``statement`` (its ``{}``: the variables' marks, each ``mark``) for ``values``,
        ``_KEYS_AT_ONCE`` at a time (``after``: the variables that follow them)."""
        found: list[Row] = []
        for start in range(0, len(values), _KEYS_AT_ONCE):
            chunk = values[start:start + _KEYS_AT_ONCE]
            found += self.db.execute(statement.format(",".join([mark] * len(chunk))), (*chunk, *after)).fetchall()
        return found

    def _paragraph_rows(self, refs, skip: frozenset[int]) -> list[Row]:
        """The paragraphs' rows of the ``(doc, number)`` refs whose document is not in ``skip``: read after the
        refs (``paragraph_matches``), so the paragraphs of a checked page's thousands of indexed copies (its
        near-duplicates, skipped) are never read whole (540 ms a check at 3,000 copies, most of it theirs)."""
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


def _askers(asked) -> dict[int, list[int]]:
    """The askers of each value, from ``(asker, value)`` pairs: a key two paragraphs hold is looked up once."""
    askers: dict[int, list[int]] = {}
    for asker, value in asked:
        askers.setdefault(value, []).append(asker)
    return askers
