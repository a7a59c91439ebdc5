"""Found by trying the index as a scraper's author would, seventh round: a Redis index whose data the server lost
while it was open, and read_only on Redis. Each test failed before its fix."""

import itertools

import pytest

import dedup
from dedup.index.store import IndexFileError, IndexLocationError, IndexReadOnlyError

PIER = "The harbour authority said the northern pier will close on Monday for three weeks of repairs."
FERRY = "Ferries will use the southern terminal while engineers replace the damaged pilings."
_PREFIXES = itertools.count()


@pytest.fixture
def redis_location(redis_url):
    """A fresh index location in database 9 of the session's server (the other tests use database 0)."""
    return f"{redis_url.rsplit('/', 1)[0]}/9?prefix=seventh{next(_PREFIXES)}"


def _wipe(location: str) -> None:
    """What a restart without persistence or FLUSHDB does to the index: every key of its prefix gone."""
    import redis

    url, prefix = location.split("?prefix=")
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    assert keys
    client.delete(*keys)
    client.close()


# 1. The server lost the index's data while it was open: the next add writes nothing and says so

def test_an_add_after_the_server_lost_the_index_writes_nothing_and_says_so(redis_location):
    index = dedup.Index(redis_location, within=False)
    assert index.add("a", PIER)
    _wipe(redis_location)
    with pytest.raises(IndexFileError, match="the index is gone from Redis"):
        index.add("b", FERRY)
    index.close()
    with dedup.Index(redis_location, within=False) as again:  # a later process starts a new index there
        assert len(again) == 0 and again.add("b", FERRY) and again.verify() == []


# 2. read_only=True on Redis: nothing written, nothing made

def test_a_redis_index_opened_read_only_writes_nothing(redis_location):
    with dedup.Index(redis_location, within=False) as index:
        index.add("a", PIER)
    with dedup.Index(redis_location, within=False, read_only=True) as index:
        assert index.read_only
        with pytest.raises(IndexReadOnlyError):
            index.add("x", FERRY)
        with pytest.raises(IndexReadOnlyError):
            index.remove(["a"])
        assert len(index) == 1 and [d.b for d in index.check("q", PIER).duplicates] == ["a"]
    missing = redis_location + "never"
    with pytest.raises(IndexLocationError, match="no such index"):
        dedup.Index(missing, read_only=True)
    import redis

    url, prefix = missing.split("?prefix=")
    client = redis.Redis.from_url(url)
    assert list(client.scan_iter(f"{prefix}:*")) == []
    client.close()
