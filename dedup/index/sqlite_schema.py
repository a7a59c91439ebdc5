"""What a dedup SQLite index file is, and telling one from any other file by reads alone.

An index made by this dedup has ``PRAGMA application_id`` = ``APPLICATION_ID``
and exactly the tables and columns of ``SCHEMA``. An index made before the
application id existed (schema version 2, application id 0) is recognised
by its exact version 2 tables and its ``meta`` rows, read as it is, and
moved to version 8 by ``migrate`` inside its first write transaction (so is
a version 3 file, which lacks the indexes removal needs, a version 4
file, which lacks the column ``dated``, a version 5 file, which lacks the
reuse search's tables, a version 6 file, which lacks the page furniture's, and
a version 7 file, which lacks the table of documents keyed young). Any
other SQLite file, even one with a table called ``meta``, is refused
before anything is written to it. ``Transaction`` is the write transaction.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import time

import numpy as np

from dedup.index.store import YOUNG_INDEX, IndexFileError

APPLICATION_ID = 0x64656475  # "dedu" in ASCII: the SQLite header field that names the application of a file
# 8: young_keys, the documents whose reuse keys were made while the index held fewer than ``store.YOUNG_INDEX``
# documents, with the count they were made at (``Index`` makes them again as the index grows); documents added
# before are taken as keyed at their row;
# 7: page furniture (``reuse.furniture``): each document's distinct sentence forms (table reuse_forms, and with
# its text, so that removal finds its rows); documents added before have none;
# 6: the reuse search's tables: each document's reuse keys (``reuse.search.ReuseSearch.document_keys``) and its
# text as added (the passages it shares are aligned on it); documents added before have neither;
# 5: docs.dated, the date the caller gave a document (None: none given), apart from docs.added, now always
# the time it was added (up to 4, added held the caller's date where one was given), and an index by the
# date expiry goes by unless told otherwise (dated, else added);
# 4: indexes by document on the band tables and by date on docs (so a document can be removed and old ones
# expired without scanning the file), and df.batch a write generation (meta "generation") that only grows,
# since removals make the document count go down as well as up;
# 3: document frequencies one row per bucket (table df); 2: one dense blob in table idf.
SQLITE_VERSION = 8
READABLE_VERSIONS = (2, 3, 4, 5, 6, 7, 8)

_VERSION_2 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, paragraphs INTEGER NOT NULL, "
    "shingles BLOB NOT NULL, terms BLOB NOT NULL, added REAL NOT NULL)",
    "CREATE TABLE doc_bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID",
    "CREATE TABLE paragraphs (doc INTEGER NOT NULL, number INTEGER NOT NULL, fingerprint INTEGER NOT NULL, "
    "terms BLOB NOT NULL, snippet TEXT NOT NULL, PRIMARY KEY (doc, number)) WITHOUT ROWID",
    "CREATE INDEX paragraphs_by_fingerprint ON paragraphs (fingerprint)",
    "CREATE TABLE paragraph_bands (key INTEGER NOT NULL, paragraph INTEGER NOT NULL, "
    "PRIMARY KEY (key, paragraph)) WITHOUT ROWID",
    "CREATE TABLE idf (id INTEGER PRIMARY KEY CHECK (id = 0), docs INTEGER NOT NULL, df BLOB NOT NULL)",
]
# batch: the write generation that last changed the row (a reader asks for rows past the one it has seen;
# version 3 wrote the document count there, which the generation of a migrated file starts from).
DF_TABLE = "CREATE TABLE df (bucket INTEGER PRIMARY KEY, count INTEGER NOT NULL, batch INTEGER NOT NULL)"
REMOVAL_INDEXES = [
    "CREATE INDEX doc_bands_by_doc ON doc_bands (doc)",
    "CREATE INDEX paragraph_bands_by_paragraph ON paragraph_bands (paragraph)",
    "CREATE INDEX docs_by_added ON docs (added)",
]
# Added to a table of data as to an empty one: ALTER TABLE ADD COLUMN rewrites no row (old rows read None).
DATED_COLUMN = "ALTER TABLE docs ADD COLUMN dated REAL"
DATE = "COALESCE(dated, added)"  # a document's date: the one its caller gave, else when it was added
DATE_INDEX = f"CREATE INDEX docs_by_date ON docs ({DATE})"  # a query must spell ``DATE`` exactly to use it
# A document's keys are kept with its text (int64 bytes), so removing it finds its key rows without an index by
# document on the largest table (about 160 rows a 300-word document).
REUSE_TABLES = [
    "CREATE TABLE reuse_keys (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID",
    "CREATE TABLE texts (doc INTEGER PRIMARY KEY, text TEXT NOT NULL, keys BLOB NOT NULL)",
]
# Version 7: how many documents hold a sentence form (page furniture, ``reuse.furniture``), counted no further
# than the furniture limit by the primary key; a text's forms (int64 bytes) kept with it, for removal.
FORM_TABLES = [
    "CREATE TABLE reuse_forms (form INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (form, doc)) WITHOUT ROWID",
    "ALTER TABLE texts ADD COLUMN forms BLOB",
]
# Version 8: the documents keyed while the index was young (at most ``store.YOUNG_INDEX`` rows, then none).
YOUNG_TABLE = "CREATE TABLE young_keys (doc INTEGER PRIMARY KEY, keyed INTEGER NOT NULL)"
_VERSION_5 = [*_VERSION_2, DF_TABLE, *REMOVAL_INDEXES, DATED_COLUMN, DATE_INDEX]
_VERSION_6 = [*_VERSION_5, *REUSE_TABLES]
_VERSION_7 = [*_VERSION_6, *FORM_TABLES]
SCHEMA = [*_VERSION_7, YOUNG_TABLE]


def _objects(db: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """name -> (type, table) of the schema objects, SQLite's own (``sqlite_autoindex_...``) left out."""
    return {name: (kind, table) for kind, name, table in db.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")}


def _layout(db: sqlite3.Connection, objects: dict[str, tuple[str, str]]) -> dict[str, tuple]:
    """name -> (type, table, columns as (name, type, not null, primary key position))."""
    out = {}
    for name, (kind, table) in objects.items():
        columns = () if kind != "table" else tuple(
            (r[1], r[2].upper(), r[3], r[5]) for r in db.execute(f'PRAGMA table_info("{name}")'))
        out[name] = (kind, table, columns)
    return out


def _expected(statements: list[str]) -> dict[str, tuple]:
    db = sqlite3.connect(":memory:")
    for statement in statements:
        db.execute(statement)
    layout = _layout(db, _objects(db))
    db.close()
    return layout


LAYOUTS = {2: _expected(_VERSION_2), 3: _expected([*_VERSION_2, DF_TABLE]),
           4: _expected([*_VERSION_2, DF_TABLE, *REMOVAL_INDEXES]), 5: _expected(_VERSION_5),
           6: _expected(_VERSION_6), 7: _expected(_VERSION_7), 8: _expected(SCHEMA)}


def has_df_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'df'").fetchone() is not None


def has_reuse_tables(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'texts'").fetchone() is not None


def has_form_table(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reuse_forms'").fetchone()
    return found is not None


def has_young_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'young_keys'").fetchone() is not None


def has_dated_column(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM pragma_table_info('docs') WHERE name = 'dated'").fetchone() is not None


def header_says_ours(path: str) -> bool:
    """Whether the file's SQLite header carries dedup's application id (bytes 68-71, big-endian): a dedup index
    SQLite cannot read (cut short, say) is a damaged index, not another program's file."""
    try:
        with open(path, "rb") as file:
            header = file.read(72)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\0" and int.from_bytes(header[68:72], "big") == APPLICATION_ID


def identify(db: sqlite3.Connection, path: str) -> tuple[str, dict | None]:
    """("new" | "ours" | "legacy", the ``meta`` rows) of the database, by reads alone.

    "new": an empty file to create the index in; "ours": a version 8 index with our application id;
    "legacy": an index to bring to version 8 on its first write. Anything else raises ``IndexFileError``
    (and ``sqlite3.DatabaseError`` for a file that is not SQLite), having written nothing.
    """
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    objects = _objects(db)
    if not objects and app_id == 0 and os.path.getsize(path) == 0:
        return "new", None
    unchanged = "; the file was left unchanged"
    if app_id not in (0, APPLICATION_ID):
        raise IndexFileError(f"{path}: not a dedup index (a SQLite database of another application, "
                             f"application_id {app_id:#x}){unchanged}")
    layout = None
    if any(set(objects) == set(want) for want in LAYOUTS.values()):
        found = _layout(db, objects)  # only now: table_info is asked of our own table names alone
        layout = next((version for version, want in LAYOUTS.items() if found == want), None)
    if layout is None:
        if app_id == APPLICATION_ID:
            raise IndexFileError(f"{path}: a damaged dedup index (its tables are not those of any schema version)")
        raise IndexFileError(f"{path}: not a dedup index (a SQLite database without dedup's application id and "
                             f"tables){unchanged}")
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    try:
        version = int(meta["schema_version"])
    except (KeyError, TypeError, ValueError):
        raise IndexFileError(f"{path}: not a dedup index (no schema version in its meta table){unchanged}") from None
    if version not in READABLE_VERSIONS:
        readable = ", ".join(map(str, READABLE_VERSIONS[:-1])) + f" and {READABLE_VERSIONS[-1]}"
        raise IndexFileError(f"{path}: index schema version {version}; this dedup reads {readable} "
                             "(rebuild the index from its documents with `dedup index add`)")
    if "params" not in meta or layout != version:
        raise IndexFileError(f"{path}: a damaged dedup index (schema version {version} with the tables of "
                             f"version {layout}, or no parameters)")
    return ("ours" if app_id == APPLICATION_ID and version == SQLITE_VERSION else "legacy"), meta


def migrate(db: sqlite3.Connection) -> None:
    """Bring a legacy index to version 8, inside the caller's write transaction (each step only if needed:
    another process may have done it first)."""
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    if not has_df_table(db):
        db.execute(DF_TABLE)
        row = db.execute("SELECT docs, df FROM idf WHERE id = 0").fetchone()
        if row is None:
            db.execute("INSERT INTO idf VALUES (0, 0, x'')")
        else:
            df = np.frombuffer(row[1], dtype="<i4")
            seen = np.flatnonzero(df)
            db.executemany("INSERT INTO df VALUES (?, ?, ?)", zip(seen.tolist(), df[seen].tolist(),
                                                                 [int(row[0])] * len(seen)))
            db.execute("UPDATE idf SET df = x'' WHERE id = 0")
    if not has_dated_column(db):  # before its index; the old rows keep their one date in added
        db.execute(DATED_COLUMN)
    existing = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    # One pass over each table, once: a version 3 file of 100,000 documents takes seconds here, and removal
    # and expiry need them.
    for statement in [*REMOVAL_INDEXES, DATE_INDEX]:
        if statement.split()[2] not in existing:
            db.execute(statement)
    if not has_reuse_tables(db):  # new, empty tables: the documents already there take no part in reuse
        for statement in REUSE_TABLES:
            db.execute(statement)
    if not has_form_table(db):  # the documents already there hold no form: furniture is told by later ones
        for statement in FORM_TABLES:
            db.execute(statement)
    if not has_young_table(db):
        db.execute(YOUNG_TABLE)
        # The documents already there were keyed at about as many documents as their row (exactly, for pages
        # added one at a time; a batch's at its end, so they are keyed again a little early): those of a young
        # index are kept to be keyed again as the ones added from now on.
        db.execute("INSERT INTO young_keys SELECT doc, doc FROM texts WHERE doc < ?", (YOUNG_INDEX,))
    # Version 3 marked each df row with the document count after its batch: the generation goes on from there.
    db.execute("INSERT OR IGNORE INTO meta SELECT 'generation', CAST(docs AS TEXT) FROM idf WHERE id = 0")
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SQLITE_VERSION),))


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT, retried while another process holds the write lock, until ``timeout`` seconds
    have passed in all.

    SQLite's busy handler waits up to its timeout on each BEGIN; some lock conflicts (a WAL snapshot gone
    stale) return at once without it, and those are tried again after a short back-off. The deadline is one for
    all tries, so ``Index(lock_timeout=60)`` gives up after about 60 s, not after five waits of 60 s.
    """

    def __init__(self, db: sqlite3.Connection, timeout: float = 5.0) -> None:
        self.db, self.timeout = db, timeout

    def __enter__(self):
        deadline = time.monotonic() + self.timeout
        for attempt in itertools.count():
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return self
            except sqlite3.OperationalError as err:
                pause = min(0.1 * 2 ** attempt, 1.0)  # back-off between lock attempts, not a wait for an event
                if "locked" not in str(err) or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.Error:
                if self.db.in_transaction:  # a failed COMMIT (disk full) leaves the transaction open
                    self.db.execute("ROLLBACK")
                raise
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")


# A store's cached view of its file, set back when a held transaction does not commit (``held_transaction``).
_CACHED_STATE = ("_counts", "_generation", "_version", "_kind", "_has_df", "_has_reuse", "_has_forms", "_has_young")


@contextlib.contextmanager
def held_transaction(store):
    """``store``'s write transaction held over a block (``SQLiteStore.exclusive``): the block's reads see what
    every process has committed, no other process writes until it ends, and the store's own writes in it
    (``store._writing``) are part of it, committed with it or rolled back."""
    if store.held or store.read_only:
        yield
        return
    # What the store caches of the file (document counts, tables present), as of before the block: its writes
    # in the block update them, and a block that does not commit (a full disk at COMMIT) must not keep them, or
    # the next write stores counts of documents that were rolled back.
    cached = {name: getattr(store, name) for name in _CACHED_STATE if hasattr(store, name)}
    started = time.monotonic()
    try:
        with Transaction(store.db, store.timeout):
            store.held = True
            try:
                yield
            finally:
                store.held = False
    except BaseException as err:
        store.__dict__.update(cached)
        if not isinstance(err, sqlite3.Error):
            raise
        # At BEGIN, or at COMMIT (rolled back by ``Transaction``).
        error = store._error(err, time.monotonic() - started, True)
        raise (error if "nothing was written" in str(error) else type(error)(f"{error}; nothing was written")) \
            from err
