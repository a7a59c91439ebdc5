"""The index in Redis, for scrapers spread over machines (``dedup[redis]``).

The records of ``storage.SQLiteStore``, as Redis keys under one prefix:

- ``P:meta`` hash: parameters (JSON) and schema version; ``P:ids`` hash: doc id -> row;
  ``P:rows`` the last row number; ``P:version`` bumped by every batch;
- ``P:doc:ROW`` hash: id, paragraphs, shingles, terms (raw bytes), added (when it was added), dated (the
  date its caller gave; absent where none was), bands (its band keys, int64), text (the text as added,
  UTF-8) and reuse (its distinct reuse keys, int64) for the reuse search;
- ``P:db:KEY`` set of document rows sharing a document band key;
- ``P:rk:KEY`` set of document rows holding a reuse key (``reuse``);
- ``P:rf:FORM`` set of document rows holding a sentence form (``forms``; page furniture, ``reuse.furniture``);
- ``P:par:ROW`` hash: ``fp:N``, ``terms:N``, ``snip:N``, ``keys:N`` (band keys) for paragraph N;
- ``P:young`` sorted set of the rows whose reuse keys were made while the index held under ``YOUNG_INDEX``
  documents, by the count they were made at (``Index`` keys them again as the index grows);
- ``P:added`` sorted set of rows by date (``dated``, else ``added``) and ``P:added_time`` by ``added``
  (for ``expire``). A document stored before ``dated`` was kept has its one date in ``added``: the caller's
  where one was given, as ``P:added`` has always held; so a dedup of either kind reads the other's;
- ``P:fp:FINGERPRINT`` and ``P:pb:KEY`` sets of paragraphs (row * 2**16 + N);
- ``P:df`` packed 32-bit counters (``BITFIELD``), ``P:docs`` the documents counted.

A batch is written in one MULTI/EXEC transaction, watched on ``P:ids``: if
another writer added documents in between, the batch is re-checked and
retried, so an id is never stored twice and a batch is all or nothing.
Removal (``redis_maintenance``) works the same way. The band keys kept with
each document (``bands``, ``keys:N``) tell removal which sets to take it out
of; documents stored before they were kept are found by scanning the sets.

``text``, ``reuse``, ``forms``, ``P:rk:KEY``, ``P:rf:FORM`` and ``P:young`` are an addition to the layout, not a
change of it, so ``SCHEMA_VERSION`` stays 2 and a dedup of either kind reads the other's index: a document stored
without them (by an older dedup) simply takes no part in the reuse search (or in telling page furniture, or is not
keyed again), and ``stats`` counts those that do.
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import unquote, urlsplit

import numpy as np

from dedup.index.redis_lock import held_lock
from dedup.index.redis_maintenance import BITFIELD_CHUNK as _BITFIELD_CHUNK
from dedup.index.redis_maintenance import RedisMaintenance, _guarded, retry_or_raise, unreachable
from dedup.index.store import (
    MAX_PARAGRAPH_BUCKET,
    PACK,
    SCHEMA_VERSION,
    YOUNG_INDEX,
    IndexFileError,
    IndexLocationError,
    IndexReadOnlyError,
    IndexStoreError,
    IndexUnavailableError,
    IndexWriteError,
    NewDocuments,
    Row,
    add_counts,
    bounded_refs,
    check_params,
    mask_location,
)

# The keys of fixed names an index writes under its prefix (besides ``meta``): none may be there before it is made.
_FIXED_KEYS = ("ids", "rows", "docs", "df", "version", "added", "added_time")
PASSWORD_VARIABLE = "DEDUP_REDIS_PASSWORD"  # the password of a redis:// URL that holds none



class RedisStore(RedisMaintenance):
    """An index store in a Redis database.

    Parameters
    ----------
    url : str
        ``redis://[user:password@]host:port/db`` (as redis-py's ``Redis.from_url``); without a password in
        it, the one in the environment variable ``DEDUP_REDIS_PASSWORD``, if set.
    prefix : str, default="dedup"
        Key prefix, so several indexes share one database.
    read_only : bool, default=False
        Write nothing: adds and removals raise ``IndexReadOnlyError`` (``Index`` checks ``read_only``), and an
        index that is not there is not made (``IndexLocationError``).
    """

    def __init__(self, url: str, prefix: str = "dedup", read_only: bool = False) -> None:
        self.read_only = bool(read_only)
        try:
            import redis
        except ImportError as err:
            raise ImportError(f"a Redis index needs the redis extra: pip install 'dedup[redis]' ({err})") from None
        self._redis = redis
        self.prefix = prefix
        self.where = f"{mask_location(url)} ({prefix})"  # what messages show: never the password
        self.location = f"{mask_location(url)}{'&' if urlsplit(url).query else '?'}prefix={prefix}"
        parts = urlsplit(url)
        self._password = unquote(parts.password) if parts.password else os.environ.get(PASSWORD_VARIABLE)
        # What messages must not show: the password, and the pieces of one written unencoded ("ab/cd" of
        # redis://:ab/cd@host, which redis-py's "Port could not be cast ... as 'ab'" quoted).
        userinfo = url.split("://", 1)[-1].rpartition("@")[0]
        given = userinfo.split(":", 1)[1] if ":" in userinfo else ""
        self._secrets = sorted({s for s in (self._password, given, unquote(given), *re.split(r"[/?#]", given)) if s},
                               key=len, reverse=True)
        try:
            parts.port  # noqa: B018 (raises on a port that is no number)
            if parts.path.strip("/") and not parts.path.strip("/").isdigit():
                raise ValueError(f"the database must be a number, not {parts.path.strip('/')!r}")
            if not parts.hostname:
                raise ValueError("no host")
            # redis-py takes a URL's own password over this one, so it only fills in a missing one.
            self.r = redis.Redis.from_url(url, password=self._password)
        except ValueError as err:
            raise IndexLocationError(f"{self.where}: not a valid Redis URL ({self._scrub(str(err))}); "
                                     "expected redis://[user:password@]host:port/db?prefix=name") from None
        try:
            self.r.ping()
        except redis.RedisError as err:
            self.r.close()
            raise unreachable(self.where, err, self._scrub(str(err))) from None
        self._counts: tuple[np.ndarray, int] | None = None
        self._version = -1

    def _scrub(self, text: str) -> str:
        for secret in getattr(self, "_secrets", ()):
            text = text.replace(secret, "***")
        return text

    def _error(self, err: Exception) -> IndexStoreError:
        text = self._scrub(str(err))
        if isinstance(err, (self._redis.ConnectionError, self._redis.TimeoutError)):
            return IndexUnavailableError(f"{self.where}: lost the connection to Redis ({text})")
        refused = tuple(getattr(self._redis.exceptions, name, ()) for name in ("ReadOnlyError", "NoPermissionError"))
        if text.startswith(("READONLY", "NOPERM")) or isinstance(err, refused):  # redis-py drops the codes
            return IndexReadOnlyError(f"{self.where}: Redis refused the write ({text}); nothing was written")
        if isinstance(err, self._redis.ResponseError):
            return IndexWriteError(f"{self.where}: Redis refused the command ({text})")
        return IndexStoreError(f"{self.where}: {text}")

    def _key(self, *parts) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    @_guarded
    def open(self, given: dict, defaults: dict) -> dict:
        meta = self._key("meta")
        if not self.r.exists(meta):
            if self.read_only:
                raise IndexLocationError(f"{self.where}: no such index (opened read-only: none is made)")
            self._refuse_foreign_keys()
        fields = {"params": json.dumps({**defaults, **given}), "schema_version": str(SCHEMA_VERSION),
                  "created": str(time.time())}
        # Only what is missing is written (a new index, or one whose making was cut short): an index that is
        # whole is opened without a write, so a replica or a user allowed to read only can stats, check, query.
        missing = [name for name, value in zip(fields, self.r.hmget(meta, list(fields))) if value is None]
        if missing and not self.read_only:
            for name in missing:
                self.r.hsetnx(meta, name, fields[name])
        self._made = self.r.hget(meta, "params")  # what index this is: one made again with others is another
        try:
            version = int(self.r.hget(meta, "schema_version"))
            stored = json.loads(self.r.hget(meta, "params"))
        except (TypeError, ValueError) as err:  # keys of another program under this prefix, or a damaged index
            raise IndexFileError(f"{self.where}: not a dedup index (its {meta} hash is not readable: "
                                 f"{str(err)[:80]}); give another prefix") from None
        if version != SCHEMA_VERSION:
            raise IndexFileError(f"{self.where}: index schema version {version}; "
                                 f"this dedup reads {SCHEMA_VERSION} (rebuild it with `dedup index add`)")
        if not isinstance(stored, dict):
            raise IndexFileError(f"{self.where}: not a dedup index (its parameters are not readable)")
        return check_params(stored, given, defaults, self.where)

    def _refuse_foreign_keys(self) -> None:
        """Before a new index is made under this prefix: no key of the names it writes may be there already.
        Another program's ``P:ids`` or ``P:docs`` was taken over and written into, and ``check`` then found the
        index damaged (names it writes with a suffix, ``P:doc:7``, are looked for by those without)."""
        keys = [self._key(name) for name in _FIXED_KEYS]
        if self.r.exists(*keys):  # one round trip in the usual case, a fresh prefix
            taken = next(key for key in keys if self.r.exists(key))
            raise IndexFileError(f"{self.where}: not a dedup index (the prefix holds keys of another program, "
                                 f"{taken!r}, and no dedup metadata); give another prefix")

    def close(self) -> None:
        self.r.close()

    @_guarded
    def exists(self) -> bool:
        return bool(self.r.exists(self._key("meta")))

    @_guarded
    def count(self) -> int:
        with self.r.pipeline(transaction=False) as pipe:
            count, alive = pipe.hlen(self._key("ids")).hget(self._key("meta"), "params").execute()
        self._alive(alive)
        return count

    @_guarded
    def row_of(self, doc_id: str) -> int | None:
        # Read with the metadata's presence: a wiped index says so, not "no such document" (``_WIPED``).
        with self.r.pipeline(transaction=False) as pipe:
            row, alive = pipe.hget(self._key("ids"), doc_id).hget(self._key("meta"), "params").execute()
        self._alive(alive)
        return None if row is None else int(row)

    @_guarded
    def present(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        with self.r.pipeline(transaction=False) as pipe:
            rows, alive = pipe.hmget(self._key("ids"), ids).hget(self._key("meta"), "params").execute()
        self._alive(alive)
        return {doc_id for doc_id, row in zip(ids, rows) if row is not None}

    def exclusive(self):
        """A lock of the index's held over a block: ``Index.check(add=True)``'s check and add in one step."""
        return held_lock(self)

    @_guarded
    def insert(self, batch: NewDocuments) -> int:
        """Store the documents whose ids are not yet present, all or nothing; returns how many."""
        batch.check_packable()
        ids_key = self._key("ids")
        attempt = 0
        while True:
            with self.r.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(ids_key, self._key("rows"), self._key("meta"))
                    self._alive(pipe.hget(self._key("meta"), "params"))
                    rows = pipe.hmget(ids_key, batch.ids) if batch.ids else []
                    keep = np.array([row is None for row in rows], dtype=bool)
                    todo = batch if keep.all() else batch.only(keep)
                    if not todo.ids:
                        return 0
                    first = int(pipe.get(self._key("rows")) or 0) + 1
                    pipe.multi()
                    self._write(pipe, todo, np.arange(first, first + len(todo.ids), dtype=np.int64))
                    results = pipe.execute()
                except self._redis.WatchError as err:
                    attempt += 1
                    retry_or_raise(self._redis, err, attempt)
                    continue  # another writer added documents: check again
            self._after_write(todo, version=int(results[-1]))
            return len(todo.ids)

    def _write(self, pipe, batch: NewDocuments, rows: np.ndarray) -> None:
        pipe.set(self._key("rows"), int(rows[-1]))
        now = time.time()
        dates = batch.dates or [None] * len(rows)
        reuse = self._reuse_fields(batch)
        for i, row in enumerate(rows.tolist()):
            dated = {} if dates[i] is None else {"dated": dates[i]}
            pipe.hset(self._key("doc", row), mapping={
                "id": batch.ids[i], "paragraphs": int(batch.paragraphs[i]), "shingles": batch.shingles[i],
                "terms": batch.terms[i], "added": now, **dated, **reuse[i],
                "bands": batch.band_keys[i].astype("<i8").tobytes() if batch.banded[i] else b""})
            pipe.zadd(self._key("added"), {row: dated.get("dated", now)})
            pipe.zadd(self._key("added_time"), {row: now})
            if batch.keyed is not None and batch.keyed < YOUNG_INDEX:
                pipe.zadd(self._key("young"), {row: batch.keyed})
        for row, keys in zip(rows[batch.banded].tolist(), batch.band_keys[batch.banded].tolist()):
            for key in keys:
                pipe.sadd(self._key("db", key), row)
        if batch.reuse_keys is not None and batch.reuse_keys.size:
            keys, key_rows = batch.reuse_keys.astype(np.int64), rows[batch.reuse_owner]
            order = np.lexsort((key_rows, keys))
            keys, key_rows = keys[order], key_rows[order]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            for key, members in zip(keys[starts].tolist(), np.split(key_rows, starts[1:])):
                pipe.sadd(self._key("rk", key), *members.tolist())
        if batch.reuse_forms is not None:
            for form, row in zip(batch.reuse_forms.astype(np.int64).tolist(), rows[batch.form_owner].tolist()):
                pipe.sadd(self._key("rf", form), row)
        owners = rows[batch.para_owner]
        for k, (row, number) in enumerate(zip(owners.tolist(), batch.para_number.tolist())):
            packed = row * PACK + number
            fingerprint = int(batch.para_fingerprint[k])
            banded = bool(batch.para_banded[k]) and number < PACK
            pipe.hset(self._key("par", row), mapping={
                f"fp:{number}": fingerprint, f"terms:{number}": batch.para_terms[k],
                f"snip:{number}": batch.para_snippets[k],
                f"keys:{number}": batch.para_keys[k].astype("<i8").tobytes() if banded else b""})
            pipe.sadd(self._key("fp", fingerprint), packed)
            if banded:
                for key in batch.para_keys[k].tolist():
                    pipe.sadd(self._key("pb", key), packed)
        buckets, counts = np.unique(batch.df_bucket, return_counts=True)
        for start in range(0, len(buckets), _BITFIELD_CHUNK):
            ops = pipe.bitfield(self._key("df"))
            for bucket, count in zip(buckets[start:start + _BITFIELD_CHUNK].tolist(),
                                     counts[start:start + _BITFIELD_CHUNK].tolist()):
                ops.incrby("i32", f"#{bucket}", count)
            ops.execute()
        pipe.incrby(self._key("docs"), len(batch.ids))
        # The ids last: a reader that sees an id sees its whole document.
        pipe.hset(self._key("ids"), mapping=dict(zip(batch.ids, rows.tolist())))
        pipe.incr(self._key("version"))

    @staticmethod
    def _reuse_fields(batch: NewDocuments) -> list[dict]:
        """Per document, its ``text``, ``reuse`` (keys) and ``forms`` hash fields (none where the batch holds
        none)."""
        fields: list[dict] = [{} for _ in batch.ids]
        if batch.texts is not None:
            for field, text in zip(fields, batch.texts):
                field["text"] = text.encode("utf-8")
        for name, values, owner in (("reuse", batch.reuse_keys, batch.reuse_owner),
                                    ("forms", batch.reuse_forms, batch.form_owner)):
            if values is None:
                continue
            order = np.argsort(owner, kind="stable")
            packed = values[order].astype("<i8")
            bounds = np.searchsorted(owner[order], np.arange(len(batch.ids) + 1))
            for i, field in enumerate(fields):
                field[name] = packed[bounds[i]:bounds[i + 1]].tobytes()
        return fields

    def _after_write(self, batch: NewDocuments, version: int) -> None:
        """Keep the cached counts when this batch was the only write since they were read."""
        if self._counts is not None and version == self._version + 1:
            df, n_docs = self._counts
            self._counts = (add_counts(df, batch.df_bucket), n_docs + len(batch.ids))
            self._version = version
        else:
            self._counts = None

    @_guarded
    def idf_counts(self) -> tuple[np.ndarray, int]:
        """(document frequency per bucket, documents counted), read again only when another writer added."""
        with self.r.pipeline(transaction=False) as pipe:  # every check asks: one round trip for both
            version, alive = pipe.get(self._key("version")).hget(self._key("meta"), "params").execute()
        self._alive(alive)
        version = int(version or 0)
        if self._counts is None or version != self._version:
            with self.r.pipeline(transaction=True) as pipe:
                pipe.get(self._key("df"))
                pipe.get(self._key("docs"))
                pipe.get(self._key("version"))
                packed, n_docs, version = pipe.execute()
            packed = packed or b""
            if len(packed) % 4:  # BITFIELD grows the string by whole 32-bit counts: this is not dedup's
                raise IndexFileError(f"{self.where}: a damaged index (its document frequencies, {self._key('df')}, "
                                     f"are {len(packed)} bytes, not whole 32-bit counts)")
            df = np.frombuffer(packed, dtype=">i4").astype(np.int64)
            self._counts, self._version = (df, int(n_docs or 0)), int(version or 0)
        return self._counts

    @_guarded
    def documents_in_bands(self, keys: list[int]) -> list[Row]:
        """(row, id, shingles, terms) of the documents sharing a band key."""
        rows = sorted({int(r) for r in self.r.sunion([self._key("db", k) for k in keys])}) if keys else []
        with self.r.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.hmget(self._key("doc", row), ["id", "shingles", "terms"])
            found = pipe.execute()
        return [(row, doc_id.decode(), shingles, terms) for row, (doc_id, shingles, terms) in zip(rows, found)
                if doc_id is not None]

    @_guarded
    def dates_of(self, rows: list[int]) -> dict[int, float]:
        """row -> date of the documents: ``dated`` (the date given when it was added), else ``added``."""
        with self.r.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.hmget(self._key("doc", row), ["dated", "added"])
            found = pipe.execute()
        return {row: float(dated if dated is not None else added) for row, (dated, added) in zip(rows, found)
                if (dated, added) != (None, None)}

    @_guarded
    def documents_with_reuse_keys(self, keys: list[int], max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``(key, document row)`` rows of these reuse keys, leaving out a key held by more than
        ``max_bucket`` documents (page furniture: it pairs nothing, and is not read whole: SCARD first)."""
        found: list[tuple[int, int]] = []
        for start in range(0, len(keys), 1000):  # a round trip or two per thousand keys
            chunk = [int(k) for k in keys[start:start + 1000]]
            with self.r.pipeline(transaction=False) as pipe:
                for key in chunk:
                    pipe.scard(self._key("rk", key))
                sizes = pipe.execute()
            small = [key for key, size in zip(chunk, sizes) if 0 < size <= max_bucket]
            with self.r.pipeline(transaction=False) as pipe:
                for key in small:
                    pipe.smembers(self._key("rk", key))
                members = pipe.execute() if small else []
            for key, docs in zip(small, members):
                if len(docs) <= max_bucket:  # it may have grown since SCARD
                    found += [(key, doc) for doc in sorted(int(d) for d in docs)]
        pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    @_guarded
    def furniture_forms(self, forms: list[int], limit: int, own_row: int) -> np.ndarray:
        """Of these sentence forms (int64), those held by more than ``limit`` documents besides ``own_row``
        (page furniture, ``reuse.furniture``): a set's size and whether it holds ``own_row``, pipelined."""
        with self.r.pipeline(transaction=False) as pipe:
            for form in forms:
                pipe.scard(self._key("rf", int(form)))
                pipe.sismember(self._key("rf", int(form)), own_row)
            found = pipe.execute() if forms else []
        held = [size - bool(own) for size, own in zip(found[0::2], found[1::2])]
        return np.array([form for form, size in zip(forms, held) if size > limit], dtype=np.int64)

    @_guarded
    def texts_of(self, rows: list[int]) -> dict[int, tuple[str, str]]:
        """row -> (id, text as added) of the documents that have their text (an older dedup kept none)."""
        with self.r.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.hmget(self._key("doc", row), ["id", "text"])
            found = pipe.execute() if rows else []
        return {int(row): (doc_id.decode("utf-8"), text.decode("utf-8")) for row, (doc_id, text) in zip(rows, found)
                if doc_id is not None and text is not None}

    @_guarded
    def paragraph_matches(self, fingerprints: list[int], band_keys: list[list[int]],
                          skip: frozenset[int] = frozenset()) -> list[list[Row]]:
        """For each paragraph asked (its fingerprint, and its band keys: none to look it up by fingerprint only), the
        (doc row, doc id, number, terms, snippet, fingerprint) of the indexed paragraphs sharing the fingerprint or a
        band key, each once, less those of the documents (rows) in ``skip``: every paragraph in one round trip for
        the refs and one for the rows."""
        distinct = sorted({key for keys in band_keys for key in keys})
        with self.r.pipeline(transaction=False) as pipe:
            for fingerprint in fingerprints:
                pipe.smembers(self._key("fp", fingerprint))
            for key in distinct:
                pipe.scard(self._key("pb", key))
            found = pipe.execute()
        wanted = [set(members) for members in found[:len(fingerprints)]]
        small = [key for key, size in zip(distinct, found[len(fingerprints):]) if 0 < size <= MAX_PARAGRAPH_BUCKET]
        with self.r.pipeline(transaction=False) as pipe:
            for key in small:
                pipe.smembers(self._key("pb", key))
            held = {key: [p for p in members if int(p) // PACK not in skip]  # a near-duplicate's: never paired
                    for key, members in zip(small, pipe.execute())}
        for k, refs in enumerate(bounded_refs(band_keys, held)):
            wanted[k] |= refs
        rows = {row[0] * PACK + row[2]: row for row in self._paragraphs(set().union(*wanted), skip)}
        return [[rows[ref] for ref in sorted(int(p) for p in packed) if ref in rows] for packed in wanted]

    def _paragraphs(self, packed: set, skip: frozenset[int] = frozenset()) -> list[Row]:
        refs = sorted(ref for ref in (divmod(int(p), PACK) for p in packed) if ref[0] not in skip)
        with self.r.pipeline(transaction=False) as pipe:
            for row, number in refs:
                pipe.hget(self._key("doc", row), "id")
                pipe.hmget(self._key("par", row), [f"terms:{number}", f"snip:{number}", f"fp:{number}"])
            found = pipe.execute()
        out = []
        for (row, number), doc_id, (terms, snippet, fingerprint) in zip(refs, found[0::2], found[1::2]):
            if doc_id is not None and terms is not None:
                out.append((row, doc_id.decode(), number, terms, snippet.decode(), int(fingerprint)))
        return out
