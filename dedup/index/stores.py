"""Opening a store by its location: the one place that knows both backends (each backend builds on
``store``, so ``store`` itself must not import them)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dedup.index.store import is_redis, sqlite_path


def open_store(location: str, timeout: float = 60.0, read_only: bool | None = None):
    """A store for ``location``: ``sqlite:///path``, ``redis://host:port/db?prefix=name``, or a plain path.

    ``read_only``: True opens a SQLite file read-only, None does when the file or its folder is not
    writable (Redis ignores it: its permissions are the server's).
    """
    if is_redis(location):
        from dedup.index.redis_store import RedisStore

        prefix = parse_qs(urlsplit(location).query).get("prefix", ["dedup"])[0]
        return RedisStore(location.split("?")[0], prefix=prefix)
    from dedup.index.sqlite_store import SQLiteStore

    return SQLiteStore(sqlite_path(location), timeout=timeout, read_only=read_only)


def store_exists(location: str) -> bool:
    """Whether an index already lives at ``location`` (a file for SQLite, the prefix's keys in Redis)."""
    if not is_redis(location):
        return Path(sqlite_path(location)).exists()
    store = open_store(location)
    try:
        return store.exists()
    finally:
        store.close()


def is_empty_file(location: str) -> bool:
    """Whether ``location`` is a SQLite file of zero bytes: no index yet, though ``Index`` would create one in
    it (as ``dedup index add`` does, for a file made with ``touch``); the commands that only read or remove
    refuse it instead of writing an empty index into it."""
    if is_redis(location):
        return False
    path = Path(sqlite_path(location))
    return path.is_file() and path.stat().st_size == 0
