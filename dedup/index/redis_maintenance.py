"""Removing, expiring and compacting a Redis index, checking it, and keying again the documents keyed while it was
young (mixed into ``RedisStore``).

A batch of documents is removed in one MULTI/EXEC transaction watched on
``P:ids``, as adds are: its hashes (its text with them), its rows in every band,
fingerprint and reuse key set (read from the band and reuse keys kept with it), its ``P:added`` and
``P:added_time`` entries, its share of the document frequencies
(``BITFIELD`` decrements of its term buckets) and its ids. Redis deletes a set when its last member goes, so removal
leaves no empty sets behind and frees the memory itself; ``compact`` only
asks the allocator to return freed pages (``MEMORY PURGE``).
"""

from __future__ import annotations

import functools
import re

import numpy as np

from dedup.index.store import PACK, SCHEMA_VERSION, YOUNG_INDEX, IndexFileError, IndexUnavailableError
from dedup.index.verdicts import term_buckets

BITFIELD_CHUNK = 4096  # INCRBY operations per BITFIELD call
_GLOB = re.compile(r"([*?\[\]\\])")  # what Redis's MATCH patterns read as wildcards, escaped in a prefix
_NUMBER = re.compile(rb"-?\d+")


# Watched transactions retried when another writer changed the keys (each retry is another writer's progress)
# at most this many times; one whose connection was lost at EXEC (redis-py reports it as a WatchError too) a few.
WATCH_RETRIES, LOST_RETRIES = 1000, 3
VERIFY_TRIES = 5  # checks read again when a writer changed the index meanwhile


def retry_or_raise(redis, err: Exception, attempt: int) -> None:
    """After the ``attempt``-th ``WatchError`` of a transaction: return to retry it, or raise. A connection lost
    while watching (a server that drops this client at EXEC, as ``maxmemory-clients`` does, every time) was
    retried forever at full speed: it now raises a ``ConnectionError`` after ``LOST_RETRIES`` tries."""
    lost = "occurred while watching" in str(err)
    if attempt >= (LOST_RETRIES if lost else WATCH_RETRIES):
        raise (redis.ConnectionError if lost else redis.RedisError)(
            f"{err} ({attempt} tries)" if lost else f"other writers changed the index {attempt} times in a row") \
            from err


# The index's metadata went while it was open: the server restarted without its data, or the database was flushed.
# Writing on would make an index no later process could open (its keys without metadata are "another program's"),
# and reading on answered "no duplicate" and "consistent" of an empty database.
_WIPED = ("{where}: the index is gone from Redis (its metadata was deleted: the server restarted without "
          "persistence, or the database was flushed); nothing was written. Open it again to start a new index")


def unreachable(where: str, err: Exception, text: str) -> IndexUnavailableError:
    """The error for a first PING that failed: Redis out of reach, or reached and wanting a password ("cannot
    reach" for a missing password sent an operator looking at the network)."""
    if type(err).__name__ == "AuthenticationError" or text.startswith(("NOAUTH", "WRONGPASS")) or any(
            said in text for said in ("HELLO must be called", "Authentication required", "invalid username-password")):
        return IndexUnavailableError(f"{where}: Redis refused the connection: it needs a password (in the URL, or "
                                     f"DEDUP_REDIS_PASSWORD) or another one ({text})")
    return IndexUnavailableError(f"{where}: cannot reach Redis ({text})")


def _guarded(method):
    """Raise redis-py's errors as ``IndexStoreError`` subclasses: one line, naming the index, no password."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except self._redis.RedisError as err:
            raise self._error(err) from err
    return wrapper


class RedisMaintenance:
    """``delete``, ``expire``, ``compact``, ``verify`` and ``stats`` of ``RedisStore`` (its attributes assumed)."""

    @_guarded
    def delete(self, ids: list[str]) -> list[str]:
        """Remove the documents of these ids in one transaction; the ids that were indexed."""
        return self._delete(list(dict.fromkeys(ids)))

    def _delete(self, ids: list[str], rows: dict[str, int] | None = None) -> list[str]:
        """Remove ``ids`` (only where an id still has the row in ``rows``, when given); the ids removed."""
        ids_key = self._key("ids")
        attempt = 0
        while True:
            with self.r.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(ids_key)
                    self._alive(pipe.hget(self._key("meta"), "params"))
                    current = pipe.hmget(ids_key, ids) if ids else []
                    found = [(doc_id, int(row)) for doc_id, row in zip(ids, current) if row is not None
                             and (rows is None or rows.get(doc_id) == int(row))]
                    if not found:
                        return []
                    # Watched too: another writer's re-keying of young documents rewrites a document's reuse keys
                    # (``rekey``), and keys read before it were left behind, pointing at no document.
                    pipe.watch(ids_key, *[self._key("doc", row) for _, row in found])
                    with self.r.pipeline(transaction=False) as read:
                        for _, row in found:
                            read.hgetall(self._key("doc", row))
                            read.hgetall(self._key("par", row))
                        hashes = read.execute()
                    docs, pars = hashes[0::2], hashes[1::2]
                    legacy = [i for i, doc in enumerate(docs) if b"bands" not in doc]
                    sets = self._all_band_sets() if legacy else ([], [])
                    pipe.multi()
                    self._unwrite(pipe, found, docs, pars, legacy, sets)
                    pipe.execute()
                except self._redis.WatchError as err:
                    attempt += 1
                    retry_or_raise(self._redis, err, attempt)
                    continue  # another writer changed the ids: look again
            self._counts = None  # read again next time (the version moved on)
            return [doc_id for doc_id, _ in found]

    def _all_band_sets(self) -> tuple[list[bytes], list[bytes]]:
        """Every document and paragraph band set: where documents stored without their band keys may be."""
        return list(self._own_keys("db")), list(self._own_keys("pb"))

    def _own_keys(self, kind: str):
        """This index's keys of ``kind`` (``P:kind:<number>``): the prefix escaped, so that ``*`` or ``[`` in it
        match themselves, and keys of another index whose prefix extends this one's (``P:doc:...``) left out."""
        head = self._key(kind, "")
        start = len(head.encode())
        for key in self.r.scan_iter(match=_GLOB.sub(r"\\\1", head) + "*", count=1000):
            if _NUMBER.fullmatch(key, start):
                yield key

    def _unwrite(self, pipe, found, docs, pars, legacy: list[int], sets) -> None:
        buckets = []
        for (_, row), doc, par in zip(found, docs, pars):
            for key in np.frombuffer(doc.get(b"bands", b""), dtype="<i8").tolist():
                pipe.srem(self._key("db", key), row)
            for key in np.frombuffer(doc.get(b"reuse", b""), dtype="<i8").tolist():
                pipe.srem(self._key("rk", key), row)
            for form in np.frombuffer(doc.get(b"forms", b""), dtype="<i8").tolist():
                pipe.srem(self._key("rf", form), row)
            for field, value in par.items():
                name, number = field.decode().split(":")
                packed = row * PACK + int(number)
                if name == "fp":
                    pipe.srem(self._key("fp", int(value)), packed)
                elif name == "keys":
                    for key in np.frombuffer(value, dtype="<i8").tolist():
                        pipe.srem(self._key("pb", key), packed)
            pipe.delete(self._key("doc", row), self._key("par", row))
            pipe.zrem(self._key("added"), row)
            pipe.zrem(self._key("added_time"), row)
            pipe.zrem(self._key("young"), row)
            buckets.append(term_buckets(doc.get(b"terms", b"")))
        if legacy:  # stored before documents kept their band keys: out of every set (SREM of a non-member is a no-op)
            old_rows = [found[i][1] for i in legacy]
            old_paragraphs = [found[i][1] * PACK + int(f.decode().split(":")[1])
                              for i in legacy for f in pars[i] if f.startswith(b"fp:")]
            for key in sets[0]:
                pipe.srem(key, *old_rows)
            for key in sets[1] if old_paragraphs else ():
                pipe.srem(key, *old_paragraphs)
        bucket, count = np.unique(np.concatenate(buckets + [np.zeros(0, np.int64)]), return_counts=True)
        for start in range(0, len(bucket), BITFIELD_CHUNK):
            ops = pipe.bitfield(self._key("df"))
            part = slice(start, start + BITFIELD_CHUNK)
            for b, c in zip(bucket[part].tolist(), count[part].tolist()):
                ops.incrby("i32", f"#{b}", -c)
            ops.execute()
        pipe.decrby(self._key("docs"), len(found))
        pipe.hdel(self._key("ids"), *[doc_id for doc_id, _ in found])
        pipe.incr(self._key("version"))

    @_guarded
    def young_rows(self, keyed_by: int, limit: int) -> list[int]:
        """Up to ``limit`` documents (rows) whose reuse keys were made at ``keyed_by`` documents or fewer, those
        keyed earliest first (``P:young``: only documents keyed while the index held under ``YOUNG_INDEX``)."""
        return [int(row) for row in self.r.zrangebyscore(self._key("young"), "-inf", keyed_by, start=0, num=limit)]

    @_guarded
    def rekey(self, documents: list[tuple[int, str, np.ndarray]], keyed: int, keyed_by: int,
              gone: list[int] = ()) -> int:
        """Replace the reuse keys of these ``(row, text, keys)`` documents (``keys``: int64, made at ``keyed``
        documents), in one transaction watched on their hashes and ``P:young`` (a row is never given to another
        document); a document removed meanwhile, or keyed again by another process (past ``keyed_by``), is left
        as it is; a ``gone`` row (found without a document: removed by a dedup that kept no ``P:young``) leaves
        it. Returns how many were keyed again."""
        rows = [row for row, _, _ in documents]
        young, attempt = self._key("young"), 0
        while True:
            with self.r.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(young, *[self._key("doc", row) for row in [*rows, *gone]])
                    # Read in one round trip beside the watch: a change to what is read fails the EXEC.
                    with self.r.pipeline(transaction=False) as read:
                        read.hget(self._key("meta"), "params")
                        for row in rows:
                            read.zscore(young, row).hget(self._key("doc", row), "reuse")
                        for row in gone:
                            read.exists(self._key("doc", row))
                        found = read.execute()
                    self._alive(found[0])
                    scores, old = found[1:1 + 2 * len(rows):2], found[2:2 + 2 * len(rows):2]
                    todo = [k for k in range(len(rows)) if scores[k] is not None and scores[k] <= keyed_by
                            and old[k] is not None]
                    stray = [row for row, held in zip(gone, found[1 + 2 * len(rows):]) if not held]
                    if not todo and not stray:
                        return 0
                    pipe.multi()
                    if stray:
                        pipe.zrem(young, *stray)
                    for k in todo:
                        self._rekeyed(pipe, rows[k], np.frombuffer(old[k], dtype="<i8"), documents[k][2], keyed)
                    pipe.execute()
                except self._redis.WatchError as err:
                    attempt += 1
                    retry_or_raise(self._redis, err, attempt)
                    continue  # another writer keyed or removed one of them: look again
            return len(todo)

    def _rekeyed(self, pipe, row: int, old: np.ndarray, new: np.ndarray, keyed: int) -> None:
        """``rekey``'s writes for one document: only the keys that changed move."""
        for key in np.setdiff1d(old, new).tolist():
            pipe.srem(self._key("rk", key), row)
        for key in np.setdiff1d(new, old).tolist():
            pipe.sadd(self._key("rk", key), row)
        pipe.hset(self._key("doc", row), "reuse", new.astype("<i8").tobytes())
        if keyed < YOUNG_INDEX:
            pipe.zadd(self._key("young"), {row: keyed})
        else:
            pipe.zrem(self._key("young"), row)

    @_guarded
    def expire(self, before: float, limit: int, by: str = "dated") -> list[str]:
        """Remove up to ``limit`` documents whose date ``by`` ("added": when added; "dated": the date given
        when added, else when added) is before ``before`` (epoch seconds), oldest first, in one transaction;
        their ids (empty: none is left)."""
        dates = self._key("added_time" if by == "added" else "added")
        self._alive(self.r.hget(self._key("meta"), "params"))  # a wiped index expires nothing: it says it is gone
        self._date_all(dates, by)
        while True:
            rows = [int(r) for r in self.r.zrangebyscore(dates, "-inf", f"({before!r}", start=0, num=limit)]
            if not rows:
                return []
            with self.r.pipeline(transaction=False) as read:
                for row in rows:
                    read.hget(self._key("doc", row), "id")
                ids = read.execute()
            gone = [row for row, doc_id in zip(rows, ids) if doc_id is None]
            if gone:  # left by a removal that did not know this set (an older dedup); dropped so the loop ends
                self.r.zrem(dates, *gone)
            chosen = {doc_id.decode(): row for row, doc_id in zip(rows, ids) if doc_id is not None}
            removed = self._delete(list(chosen), rows=chosen)
            if removed:
                return removed
            # Another process removed them first (or removed and added one again, now dated later): look again.
            # A removal takes a row out of the dated sets with its id, so a row that is still dated though its id
            # no longer names it is an orphan (its id lost from P:ids): it was chosen again and again, for ever.
            named = self.r.hmget(self._key("ids"), list(chosen)) if chosen else []
            orphans = [row for (doc_id, row), now in zip(chosen.items(), named) if now is None or int(now) != row]
            if orphans:
                self.r.zrem(dates, *orphans)

    def _date_all(self, dates: str, by: str) -> None:
        """Put the documents missing from the sorted set ``dates`` into it (stored before it existed, or by a
        dedup that did not keep it); idempotent if two processes do it. Two counts when none is missing."""
        if self.r.zcard(dates) >= self.r.hlen(self._key("ids")):
            return
        rows = [int(r) for r in self.r.hvals(self._key("ids"))]
        with self.r.pipeline(transaction=False) as read:
            for row in rows:
                read.hmget(self._key("doc", row), ["dated", "added"])
            found = read.execute()
        # A document stored without ``dated`` has its one date in ``added`` (the caller's, where given).
        dated = {row: float(added if by == "added" or given is None else given)
                 for row, (given, added) in zip(rows, found) if added is not None}
        if dated:
            self.r.zadd(dates, dated, nx=True)

    @_guarded
    def compact(self) -> dict:
        """Ask the allocator to return freed memory; Redis itself frees a key's memory when it is deleted and
        deletes a set with its last member, so there is nothing to rewrite. Memory before and after."""
        before = self.r.info("memory").get("used_memory")
        try:
            self.r.execute_command("MEMORY", "PURGE")
        except self._redis.ResponseError:  # an allocator other than jemalloc: nothing to purge
            pass
        return {"bytes_before": before, "bytes_after": self.r.info("memory").get("used_memory")}

    @_guarded
    def verify(self) -> list[str]:
        """dedup's invariants: every id's document exists and holds that id, every set member points at a
        stored document or paragraph, no document is outside the id table, and the document frequencies
        count each stored document's buckets once. Read as of one moment: the keys every write changes are
        watched, and the check is read again when a writer changed them meanwhile (read half before and half
        after another process's batch, a consistent index was reported broken)."""
        for _ in range(VERIFY_TRIES):
            with self.r.pipeline() as guard:
                guard.watch(self._key("ids"), self._key("docs"), self._key("df"))
                problems = self._problems()
                try:
                    guard.multi()
                    guard.execute()  # nothing to do: it fails when a watched key changed
                except self._redis.WatchError:
                    continue
                return problems
        raise self._redis.RedisError(f"other writers changed the index throughout {VERIFY_TRIES} checks; check it "
                                     "again when they pause")

    def _alive(self, made) -> None:
        """Raise ``IndexFileError`` when the index's metadata is gone (``_WIPED``), or is another index's (``made``,
        its stored parameters, are not those this store opened): wiped and made again with other parameters, the
        prefix took an older store's writes, signed with the old ones."""
        if self._gone(made):
            raise IndexFileError(_WIPED.format(where=self.where))

    def _gone(self, made) -> bool:
        return not made or made != getattr(self, "_made", made)

    def _problems(self) -> list[str]:
        if self._gone(self.r.hget(self._key("meta"), "params")):  # gone, or made again with other parameters
            return [_WIPED.format(where=self.where).split("; nothing was written")[0]]
        problems = []
        ids = {k.decode(): int(v) for k, v in self.r.hgetall(self._key("ids")).items()}
        with self.r.pipeline(transaction=False) as pipe:
            for row in ids.values():
                pipe.hmget(self._key("doc", row), ["id", "paragraphs", "terms", "shingles"])
            stored = pipe.execute()
        broken = sum(1 for doc_id, (found, *_) in zip(ids, stored) if found is None or found.decode() != doc_id)
        if broken:
            problems.append(f"{broken} ids pointing at no document")
        cut = sum(1 for found, _, terms, shingles in stored if found is not None and (
            terms is None or shingles is None or len(terms) % 6 or len(shingles) % 4))
        if cut:
            problems.append(f"{cut} documents whose stored shingles or term counts are missing, cut short or overlong")
        stored = [(found, n, terms) for found, n, terms, _ in stored]
        counted = int(self.r.get(self._key("docs")) or 0)
        if counted != len(ids):
            problems.append(f"IDF counts {counted} documents, the index holds {len(ids)}")
        paragraphs = {row: int(n or 0) for row, (_, n, _) in zip(ids.values(), stored)}
        stray = sum(1 for key in self._own_keys("doc") if int(key.decode().rsplit(":", 1)[1]) not in paragraphs)
        if stray:
            problems.append(f"{stray} documents outside the id table")
        if young := sum(1 for row in self.r.zrange(self._key("young"), 0, -1) if int(row) not in paragraphs):
            problems.append(f"{young} documents keyed young that are not indexed")  # an older dedup's removals
        bad = {"db": 0, "pb": 0, "fp": 0, "rk": 0, "rf": 0}
        for kind in bad:
            keys = list(self._own_keys(kind))
            for start in range(0, len(keys), 1000):  # a round trip per thousand sets, not per set
                with self.r.pipeline(transaction=False) as pipe:
                    for key in keys[start:start + 1000]:
                        pipe.smembers(key)
                    for members in pipe.execute():
                        for member in members:
                            whole = kind in ("db", "rk", "rf")  # members are document rows, not paragraphs
                            row, number = (int(member), 0) if whole else divmod(int(member), PACK)
                            if row not in paragraphs or (not whole and number >= paragraphs[row]):
                                bad[kind] += 1
        for kind, what in (("db", "document band"), ("pb", "paragraph band"), ("fp", "fingerprint"),
                           ("rk", "reuse key"), ("rf", "sentence form")):
            if bad[kind]:
                problems.append(f"{bad[kind]} {what} set members pointing at no document or paragraph")
        expected = np.zeros(0, dtype=np.int64)
        for _, _, terms in stored:
            buckets = term_buckets(terms or b"")
            if buckets.size:
                if expected.size <= buckets.max():
                    expected = np.concatenate([expected, np.zeros(int(buckets.max()) + 1 - expected.size, np.int64)])
                expected[buckets] += 1
        packed = self.r.get(self._key("df")) or b""
        df = np.frombuffer(packed, dtype=">i4", count=len(packed) // 4).astype(np.int64)
        size = max(df.size, expected.size)
        wrong = np.count_nonzero(np.pad(df, (0, size - df.size)) != np.pad(expected, (0, size - expected.size)))
        if wrong:
            problems.append(f"{wrong} document-frequency buckets differ from the indexed documents' terms")
        return problems

    def _used_memory(self) -> int | None:
        """The server's ``used_memory``, or None for a user whose ACL does not allow INFO (stats is a read: such a
        user's ``dedup index stats`` failed as "Redis refused the write")."""
        try:
            return self.r.info("memory").get("used_memory")
        except self._redis.exceptions.NoPermissionError:
            return None

    @_guarded
    def stats(self) -> dict:
        used, documents = self._used_memory(), self.count()
        with_text = reuse_rows = form_rows = 0
        rows = [int(r) for r in self.r.hvals(self._key("ids"))]
        for start in range(0, len(rows), 1000):  # a round trip per thousand documents
            with self.r.pipeline(transaction=False) as pipe:
                for row in rows[start:start + 1000]:
                    pipe.hexists(self._key("doc", row), "text")
                    pipe.hstrlen(self._key("doc", row), "reuse")
                    pipe.hstrlen(self._key("doc", row), "forms")
                found = pipe.execute()
            with_text += sum(map(bool, found[0::3]))
            reuse_rows += sum(found[1::3]) // 8
            form_rows += sum(found[2::3]) // 8
        return {"store": "redis", "path": self.location, "schema_version": SCHEMA_VERSION,
                "documents": documents, "redis_used_memory": used,
                # Documents the reuse search can align on (an older dedup kept no text), their (key, document) rows.
                "documents_with_text": with_text, "reuse_key_rows": reuse_rows, "reuse_form_rows": form_rows,
                "documents_keyed_young": self.r.zcard(self._key("young")),  # to be keyed again as the index grows
                # The whole server's memory over this index's documents: exact only when it holds this index alone.
                "bytes_per_document": round(used / documents) if documents and used else None}
