"""Removing, expiring and compacting an index (mixed into ``dedup.Index``): what a live crawl needs.

Each batch of removals is one transaction of the store, like a batch of
adds: a process killed mid-way leaves whole batches removed and the rest
in place, and running the same removal again finishes it. A removed
document takes everything it contributed with it (its rows, band keys,
paragraph fingerprints and its share of the document frequencies), so the
index then answers exactly as one built from the remaining documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from dedup.cluster.keep import FIRST_SECOND, DateLike, timestamp
from dedup.index.params import checked_id, unreadable_date
from dedup.index.store import ClosedStore, IndexReadOnlyError, IndexStoreError
from dedup.util.validate import check_int

OnBatch = Callable[[int, int], None]  # (documents this committed batch removed, documents removed so far)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_MAX_AGE = timedelta(days=999_999_999)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# What ``expire`` goes by: "dated", a document's date (the one given when it was added, else when it was: the
# date ``keep="earliest"`` compares), the default; "added", when it was added, whatever date it was given.
DATES = {"dated": "the date given when added, else the time added", "added": "the time added"}


@dataclass
class Removal:
    """What ``Index.remove`` did: the ids it removed, and those that were not indexed (left alone)."""

    removed: list[str] = field(default_factory=list)
    not_indexed: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.removed)


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w`` as a ``timedelta``; ``ValueError`` naming the forms otherwise."""
    match = _AGE.match(text) if isinstance(text, str) else None
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"age must be a positive number and a unit s, m, h, d or w (like 30d), got {text!r}")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    # timedelta's own bound (999,999,999 days): past it timedelta raises OverflowError, which no caller expects.
    if seconds > _MAX_AGE.total_seconds():
        raise ValueError(f"age must be at most {_MAX_AGE.days:,} days (timedelta's range), got {text!r:.40}")
    return timedelta(seconds=seconds)


def check_by(by: object) -> str:
    """``by`` when it names a date ``expire`` can go by (``DATES``); ``ValueError`` naming it otherwise."""
    if by not in DATES:
        raise ValueError(f"by must be one of {', '.join(DATES)}, got {by!r}")
    return by  # type: ignore[return-value]


def cutoff(before: DateLike = None, older_than: timedelta | str | None = None, now: float | None = None) -> float:
    """Epoch seconds of ``before`` (a date, datetime, ISO 8601 string or epoch seconds), or of now minus
    ``older_than``; exactly one must be given."""
    if (before is None) == (older_than is None):
        raise ValueError("give exactly one of before and older_than")
    if older_than is not None:
        age = parse_age(older_than) if isinstance(older_than, str) else older_than
        if not isinstance(age, timedelta) or age <= timedelta(0):
            raise ValueError(f"older_than must be a positive timedelta or an age like 30d, got {older_than!r}")
        # An age older than the calendar (999999999d) is its first second: nothing is dated before it.
        return max((datetime.now(timezone.utc).timestamp() if now is None else now) - age.total_seconds(),
                   FIRST_SECOND)
    problem = unreadable_date(before)
    if problem is not None:
        raise ValueError(f"before: {problem}")
    return timestamp(before)


class IndexMaintenance:
    """``remove``, ``expire``, ``compact``, ``verify`` and ``stats`` of ``dedup.Index`` (which provides the
    store, lock and IDF)."""

    def remove(self, doc_ids: Iterable[str], on_batch: OnBatch | None = None) -> Removal:
        """Remove these documents, one store transaction per ``batch_size`` ids.

        Parameters
        ----------
        doc_ids : iterable of str
            The ids to remove (one string alone is refused: it would be taken letter by letter).
        on_batch : callable, optional
            Called as ``on_batch(removed_in_batch, removed_so_far)`` after each committed batch.

        Returns
        -------
        Removal
            ``removed``: the ids removed; ``not_indexed``: ids given that were not in the index (an
            unknown id is reported there, not raised, and does not stop the others).

        A store failure raises its ``IndexStoreError`` subclass saying how many were removed before it
        (``err.removed``); the index stays consistent and the same call again finishes the job.
        """
        if isinstance(doc_ids, (str, bytes)):
            raise TypeError("doc_ids must be an iterable of ids, not one string (use [doc_id])")
        if not isinstance(doc_ids, Iterable):
            raise TypeError(f"doc_ids must be an iterable of ids, got {type(doc_ids).__name__} {doc_ids!r:.60}")
        ids = list(dict.fromkeys(checked_id("doc id", d) for d in doc_ids))
        self._writable("removed")
        removal = Removal()
        def batches():
            start, step = 0, self.batch_size
            while start < len(ids):
                got, done = _shrinking(lambda size: self.store.delete(ids[start:start + size]), step)
                start, step = start + done, done
                yield got

        self._removing(batches(), removal, on_batch)
        gone = set(removal.removed)
        removal.not_indexed = [doc_id for doc_id in ids if doc_id not in gone]
        return removal

    def expire(self, before: DateLike = None, older_than: timedelta | str | None = None,
               on_batch: OnBatch | None = None, batch_size: int | None = None, by: str = "dated") -> int:
        """Remove every document dated before ``before`` (or older than ``older_than``: ``30d``, a timedelta),
        oldest first, one transaction per ``batch_size`` documents (default: the index's); how many.

        ``by`` says which date: ``"dated"`` (the default) the ``date`` a document was added with
        (``add(..., date=)``, ``Document.date``: a page's publication time, say), else the time it was
        added; ``"added"`` the time it was added, whatever date it was given. (A document added before
        schema 5 of a SQLite index, or by an older dedup to Redis, has one date: the one it was given, else
        the time it was added.) Interrupted (even by SIGKILL), the index holds whole batches removed and the
        rest in place: the same call again removes what is left.

        Returns
        -------
        int
            How many documents were removed.
        """
        limit = self.batch_size if batch_size is None else check_int("batch_size", batch_size, 1)
        check_by(by)
        seconds = cutoff(before, older_than)
        self._writable("expired")
        removal = Removal()

        def batches():
            size = limit
            while True:
                got, size = _shrinking(lambda n: self.store.expire(seconds, n, by), size)
                if not got:
                    return
                yield got

        self._removing(batches(), removal, on_batch)
        return len(removal.removed)

    def _check_open(self) -> None:
        """``IndexClosedError`` once the index is closed (any use of its store raises it; checked first where a
        loop of batches would otherwise report it as a failure after none was done)."""
        if isinstance(self.store, ClosedStore):
            self.store.refuse()

    def _writable(self, what: str) -> None:
        self._check_open()
        if self.read_only:
            raise IndexReadOnlyError(f"{self.path}: the index was opened read-only; nothing was {what}")

    def _removing(self, batches, removal: Removal, on_batch: OnBatch | None) -> None:
        """Run the store's removal batches one at a time under the lock (other threads get in between)."""
        try:
            while True:
                with self._lock:
                    got = next(batches, None)
                    if got is None:
                        return
                    self._refresh_idf()
                removal.removed += got
                if on_batch is not None:
                    on_batch(len(got), len(removal.removed))
        except IndexStoreError as err:
            failure = type(err)(f"{err}; {len(removal.removed)} documents were removed before the failure (a batch "
                                "is removed whole or not at all; running the same removal again finishes it)")
            failure.removed = len(removal.removed)
            raise failure from err

    def compact(self) -> dict:
        """Give the space of removed documents back: SQLite drops zero document-frequency rows and VACUUMs
        (rewrites the file; writers wait meanwhile), Redis asks its allocator to return freed memory (Redis
        frees a deleted key's memory itself, and deletes a set with its last member). Returns
        ``bytes_before`` and ``bytes_after`` (SQLite: the file; Redis: the server's used memory)."""
        self._writable("compacted")
        with self._lock:
            result = self.store.compact()
            self._refresh_idf()
        return result

    def verify(self) -> list[str]:
        """Integrity problems of the store; see ``dedup index check``.

        Returns
        -------
        list of str
            One line per problem; empty when the store is consistent.
        """
        with self._lock:
            return self.store.verify()

    def stats(self) -> dict:
        """Counts, parameters and store facts.

        Returns
        -------
        dict
            The store's counts and facts (documents, paragraphs, schema, size; a Redis URL's password is
            masked), ``params`` (the stored signature parameters), ``bands`` and ``rows``.
        """
        with self._lock:
            return {**self.store.stats(), "params": self.params, "bands": self.lsh.bands, "rows": self.lsh.rows}


def _shrinking(step, size: int):
    """``step(size)`` and the size it took: halved while the store is out of memory (a Redis at ``maxmemory``
    refuses every command of a transaction, and a removal of 512 documents queues some 15,000: every run failed
    the same way, though one document at a time gets through and frees memory)."""
    while True:
        try:
            return step(size), size
        except IndexStoreError as err:
            if size == 1 or "maxmemory" not in str(err):
                raise
            size = max(1, size // 2)
