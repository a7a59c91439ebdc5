"""Opening a store by its location: the one place that knows both backends (each backend builds on
``store``, so ``store`` itself must not import them)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from dedup.index.store import IndexLocationError, is_redis, mask_location, sqlite_path


def open_store(location: str, timeout: float = 60.0, read_only: bool | None = None):
    """A store for ``location``: ``sqlite:///path``, ``redis://host:port/db?prefix=name``, or a plain path.

    ``read_only``: True opens the index read-only (a SQLite file in SQLite's ``mode=ro``; a Redis index written to
    by nothing), None does when a SQLite file or its folder is not writable (a Redis server's permissions are its
    own: a refused write says so).
    """
    if is_redis(location):
        from dedup.index.redis_store import RedisStore

        return RedisStore(*redis_url_and_prefix(location), read_only=bool(read_only))
    from dedup.index.sqlite_store import SQLiteStore

    return SQLiteStore(sqlite_path(location), timeout=timeout, read_only=read_only)


def redis_url_and_prefix(location: str) -> tuple[str, str]:
    """The URL redis-py is given (every query parameter but ``prefix``: ``db=``, ``password=``, ``ssl_*`` and
    timeouts were dropped with the whole query) and the prefix (``dedup`` when none is given; an empty
    ``prefix=`` was read as none, and wrote into the default index)."""
    try:
        parts = urlsplit(location)
    except ValueError as err:  # "redis://[bad": a bracketed host that is no IPv6 address
        raise IndexLocationError(f"{mask_location(location)}: not a Redis URL ({err})") from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [value for name, value in query if name == "prefix"]
    if prefixes and not prefixes[-1]:
        raise IndexLocationError(f"{mask_location(location)}: prefix= names no index; give a prefix, or leave it "
                                 "out for the default one (dedup)")
    if not prefixes:
        return location, "dedup"
    # The other parameters as written (not encoded again: a password's "@" became %40, and was then printed).
    kept = "&".join(item for item in parts.query.split("&") if item.partition("=")[0] != "prefix")
    return urlunsplit(parts._replace(query=kept)), prefixes[-1]


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
