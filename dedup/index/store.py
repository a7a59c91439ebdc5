"""Where the index keeps its documents: an embedded SQLite file, or Redis.

Both stores hold the same records (per document its exact shingle set and
hashed term counts, its LSH band keys, per paragraph a fingerprint, band keys,
term counts and a snippet, and the corpus document frequencies), take a batch
of new documents in one atomic step that skips ids already present, remove
a batch the same way (``delete`` by id, ``expire`` by one of its two dates; each document
counted off the document frequencies), and answer the same lookups, so
``Index`` gives the same results on either. ``compact`` gives space back.
Nothing is pickled: arrays are raw little-endian bytes, parameters JSON.

A store is chosen by a URL (``open_store``): ``sqlite:///news.db`` or a
plain path for SQLite (``sqlite_store``), ``redis://host:6379/0?prefix=news``
for Redis (``redis_store``). Every failure a store meets is raised as an
``IndexStoreError`` subclass with a one-line message that never holds a
password (``mask_location``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

# 2: word hashes in 8-byte chunks (``tokens.word_hash``), so band keys and IDF buckets of version 1 differ.
# The Redis layout; a SQLite file has its own version (``sqlite_store.SQLITE_VERSION``).
SCHEMA_VERSION = 2
PACK = 1 << 16  # a paragraph is referred to as doc row * 2**16 + paragraph number
MAX_PARAGRAPHS = PACK  # so a document of more paragraphs cannot be stored (both stores refuse it alike)
# A paragraph band key held by more indexed paragraphs than this pairs nothing (a template's shingles, as the
# reuse keys' ``max_bucket``); and a check compares at most ``PAIR_BUDGET`` (paragraph, indexed paragraph) pairs
# found by band keys, those of the rarest keys first: a page of thousands of alike paragraphs against another
# made every pair a candidate (67 s and 650 MB at 2,000 paragraphs; a 30,000-paragraph page took 24 GB).
MAX_PARAGRAPH_BUCKET = 1000
PAIR_BUDGET = 200_000
# A document's reuse keys leave out the words common in the index when they are made (``ReuseSearch.document_keys``);
# while the index is young its frequencies say little, so a store keeps the documents keyed while it held fewer
# than this, with the count they were keyed at, and ``Index`` keys them again each time the index has doubled.
YOUNG_INDEX = 2000


def bounded_refs(band_keys: list[list[int]], held: dict[int, list]) -> list[set]:
    """Each asking paragraph's refs from its ``band_keys``, given the refs ``held`` under each key (keys past
    ``MAX_PARAGRAPH_BUCKET`` left out by the store): keys taken from the rarest, until ``PAIR_BUDGET`` pairs."""
    askers: dict[int, list[int]] = {}
    for k, keys in enumerate(band_keys):
        for key in keys:
            askers.setdefault(key, []).append(k)
    wanted: list[set] = [set() for _ in band_keys]
    pairs = 0
    for key in sorted(held, key=lambda key: (len(held[key]), key)):
        refs, asking = held[key], askers.get(key, ())
        pairs += len(refs) * len(asking)
        if pairs > PAIR_BUDGET:
            break
        for k in asking:
            wanted[k].update(refs)
    return wanted

Row = tuple  # (doc row, doc id, ...) as each lookup documents


class IndexStoreError(Exception):
    """Base of every failure of an index store: one line, saying what happened, no password in it."""


class IndexFileError(IndexStoreError, ValueError):
    """The store is not a dedup index, or was built with other parameters."""


class IndexLocationError(IndexStoreError, ValueError):
    """The location is malformed (an unknown URL scheme, a port that is no number) or cannot hold an index."""


class IndexUnavailableError(IndexStoreError):
    """The store cannot be reached, or the connection to it was lost (Redis stopped), or another process held
    a lock on the SQLite file past the wait (``lock_timeout``) while opening or reading it: the index is
    fine, try again later. (A lock met by a write is an ``IndexWriteError``: nothing was written.)"""


class IndexClosedError(IndexStoreError, ValueError):
    """The ``Index`` was closed (``close``, or the end of its ``with`` block): as with a closed file, every later
    use raises this ``ValueError``, on either store."""


class IndexWriteError(IndexStoreError):
    """A write failed (disk full, I/O error, lock timeout); the batch being written was rolled back.

    ``added`` is set by ``Index.add_many`` to the documents committed by that call before the failure.
    """

    added: int | None = None


class IndexReadOnlyError(IndexWriteError):
    """The index was opened read-only (a read-only file or folder, or ``read_only=True``)."""


class ClosedStore:
    """What ``Index.store`` becomes on ``close``: every use of it raises ``IndexClosedError``, the same on SQLite
    (whose connection is gone) and Redis (whose client would quietly reconnect); closing again does nothing."""

    def __init__(self, where: str, read_only: bool) -> None:
        self.where, self.read_only = where, read_only

    def close(self) -> None:
        pass

    def refuse(self) -> None:
        raise IndexClosedError(f"index {self.where} is closed")

    def __getattr__(self, name: str):
        if name.startswith("__"):  # Python's protocol probes (copy, pickle) get the usual AttributeError
            raise AttributeError(name)
        self.refuse()


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
    # Per document, the date its caller gave (epoch seconds), or None: the store keeps it as ``dated``, and
    # the time it stores the document as ``added``; ``dates_of`` reads ``dated``, else ``added``, back.
    dates: list[float | None] | None = None
    # The reuse search (schema 6): each document's text as added, and its distinct reuse keys
    # (``ReuseSearch.document_keys``: sentence and copied-run keys, one int64 key space) with their document.
    texts: list[str] | None = None
    reuse_keys: np.ndarray | None = None
    reuse_owner: np.ndarray | None = None
    # Page furniture (schema 7, ``reuse.furniture``): each document's distinct sentence forms (int64), with their
    # document; how many documents hold a form tells whether it is furniture.
    reuse_forms: np.ndarray | None = None
    form_owner: np.ndarray | None = None
    # The document count the reuse keys were made at (the index's, this batch counted): the store keeps the
    # documents keyed under ``YOUNG_INDEX`` (``young_rows``) to be keyed again (``rekey``).
    keyed: int | None = None

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
            para_banded=self.para_banded[para], df_owner=new_index[self.df_owner[df]], df_bucket=self.df_bucket[df],
            dates=None if self.dates is None else [d for d, k in zip(self.dates, keep) if k],
            texts=None if self.texts is None else [t for t, k in zip(self.texts, keep) if k],
            reuse_keys=None if self.reuse_keys is None else self.reuse_keys[keep[self.reuse_owner]],
            reuse_owner=None if self.reuse_owner is None else new_index[self.reuse_owner[keep[self.reuse_owner]]],
            reuse_forms=None if self.reuse_forms is None else self.reuse_forms[keep[self.form_owner]],
            form_owner=None if self.form_owner is None else new_index[self.form_owner[keep[self.form_owner]]])

    def check_packable(self) -> None:
        """Refuse a batch holding a document of more than ``MAX_PARAGRAPHS`` paragraphs (``Index`` skips
        those first): its paragraph references would overflow into the next document's."""
        if self.paragraphs.size and int(self.paragraphs.max()) > MAX_PARAGRAPHS:
            raise ValueError(f"a document of more than {MAX_PARAGRAPHS:,} paragraphs cannot be stored")


def mask_location(location: str) -> str:
    """``location`` fit to print: a URL's password (``redis://user:pw@host``, ``?password=pw``) becomes ``***``."""
    if "://" not in location:
        return location
    scheme, rest = location.split("://", 1)
    # The user information runs to the last "@": a password written unencoded may hold "/", "?" or "#", which
    # end urlsplit's netloc early, and then no "@" was found in it and the password printed.
    userinfo, at, after = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.split(':', 1)[0]}:***@{after}"
    return f"{scheme}://" + re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", rest)


def is_redis(location: str) -> bool:
    return location.startswith(("redis://", "rediss://"))


def sqlite_path(location: str) -> str:
    """The file of a SQLite location (``sqlite:///path`` or a plain path); ``IndexLocationError`` otherwise."""
    if location.startswith("sqlite://"):
        path = location[len("sqlite:///"):] if location.startswith("sqlite:///") else ""
        if not path:
            raise IndexLocationError(f"{location}: a SQLite URL is sqlite:///relative/path.db or "
                                     "sqlite:////absolute/path.db")
        return _file_path(path, location)
    if "://" in location:
        raise IndexLocationError(f"{mask_location(location)}: unknown index URL scheme (use a path, sqlite:///path "
                                 "or redis://host:port/db)")
    if not location:
        raise IndexLocationError("the index location is empty")
    return _file_path(location, location)


def _file_path(path: str, location: str) -> str:
    """``path`` if a file could hold the index there; ``IndexLocationError`` for SQLite's in-memory names (an index
    is kept between runs: an in-memory one would be lost at close) and for a NUL character (no file has one)."""
    if path == ":memory:" or (path.startswith("file:") and "mode=memory" in path):
        raise IndexLocationError(f"{location}: an in-memory SQLite database cannot hold an index (it is gone at "
                                 "close); give a file path")
    if "\0" in path:
        raise IndexLocationError(f"{location!r:.80}: a path cannot hold a NUL character")
    if path.startswith("file:"):  # SQLite built to read names as URIs took it as one, dedup's checks as a file name
        raise IndexLocationError(f"{location}: a file: URI is no index location; give a path or sqlite:///path "
                                 "(a file whose name starts with file: as ./file:...)")
    _refused_by_file_system(path, location)
    return path


def _refused_by_file_system(path: str, location: str) -> None:
    """``IndexLocationError`` for a path the file system refuses to look at: a name too long (pathlib's
    ``exists`` let ENAMETOOLONG through, a traceback from every ``dedup index`` command), a path through a file
    (said as "folder 'x' does not exist", where x was a file), a loop of links."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        file = next((p for p in reversed(Path(path).parents) if os.path.isfile(p)), None)
        raise IndexLocationError(f"{location}: {file or 'a part of the path'} is not a folder") from None
    except OSError as err:
        raise IndexLocationError(f"{location}: {err.strerror or err}") from None


def add_counts(df: np.ndarray, buckets: np.ndarray) -> np.ndarray:
    """``df`` plus one for each of ``buckets`` (grown to fit)."""
    counts = np.bincount(buckets, minlength=df.size)
    if df.size < counts.size:
        df = np.concatenate([df, np.zeros(counts.size - df.size, dtype=np.int64)])
    return df + counts


# What a parameter a file does not store stands for: it was written before the parameter was stored, when every
# index had these (reuse keys of "uncommon" words; copied-run keys sampled by hash, ``copy_window=0``; passages
# banded from 8 content words, ``min_passage_words``' default then).
STORED_BEFORE = {"reuse_keys": "uncommon", "copy_window": 0, "min_passage_words": 8}


def check_params(stored: dict | None, given: dict, defaults: dict, where: str) -> dict:
    """The parameters to use: ``defaults`` updated by ``given`` for a new store, else the stored ones."""
    if stored is None:
        return {**defaults, **given}
    for key, value in given.items():
        held = stored.get(key, STORED_BEFORE.get(key))
        if held != value:
            raise IndexFileError(f"{where}: index was created with {key}={held!r}, not {value!r}")
    return stored
