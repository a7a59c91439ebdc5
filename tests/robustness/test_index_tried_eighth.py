"""Found by running the index as an operator would for months, eighth round. Each test failed before its fix."""

import itertools
import json
import re
import sqlite3
import threading

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.index.store import IndexFileError, IndexLocationError
from tests.robustness.test_tried_eighth import FILLER, SAID

_PREFIXES = itertools.count()
PAGES = [f"Page {n}: " + " ".join(f"w{(n * 37 + i * 11) % 500}" for i in range(90)) + "." for n in range(6)]


def _run(*args, stdin=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


@pytest.fixture
def redis_location(redis_url):
    return f"{redis_url.rsplit('/', 1)[0]}/9?prefix=eighth{next(_PREFIXES)}"


def _jsonl(*texts: str) -> str:
    return "".join(json.dumps({"text": t}) + "\n" for t in texts)


# 1. Records without an id piped in were named <stdin>:LINE on every run: a later run's new pages took ids
# already indexed, were not added, and a copy was compared only with the pages indexed before that id

def test_pages_piped_in_without_ids_on_later_runs_are_added_and_known_again(tmp_path):
    db, seed = tmp_path / "crawl.db", tmp_path / "seed.txt"
    seed.write_text(FILLER[0] + "\n")
    assert _run("index", "add", db, seed).exit_code == 0
    first = _run("index", "query", db, "-", "--add", "-f", "jsonl", stdin=_jsonl(*PAGES[:3]))
    second = _run("index", "query", db, "-", "--add", "-f", "jsonl", stdin=_jsonl(*PAGES[3:5]))
    verdicts = [json.loads(line) for result in (first, second) for line in result.stdout.splitlines()]
    assert [v["added"] for v in verdicts] == [True] * 5
    assert all(re.fullmatch(r"<stdin>:[0-9a-f]{16}", v["id"]) for v in verdicts)
    assert len({v["id"] for v in verdicts}) == 5
    assert "named by their text" in second.stderr
    again = _run("index", "query", db, "-", "--add", "-f", "jsonl", stdin=_jsonl(PAGES[1]))
    (known,) = [json.loads(line) for line in again.stdout.splitlines()]
    assert known["id"] == verdicts[1]["id"] and known["added"] is False
    added = _run("index", "add", db, "-", stdin=_jsonl(PAGES[5], PAGES[0]))
    assert "added 1 of 2 documents (1 already indexed" in added.stderr
    with dedup.Index(str(db)) as index:
        assert len(index) == 7


# 2. Expiry on Redis looped for ever over a document whose id was lost from the id hash

def test_expire_on_redis_ends_past_a_document_whose_id_was_lost(redis_location):
    import redis

    with dedup.Index(redis_location, within=False) as index:
        for n, page in enumerate(PAGES[:4]):
            index.add(f"d{n}", page, date=f"2026-01-0{n + 1}")
    url, prefix = redis_location.split("?prefix=")
    client = redis.Redis.from_url(url)
    client.hdel(f"{prefix}:ids", "d1")  # a partial restore, an eviction
    client.close()
    expired = []
    with dedup.Index(redis_location, within=False) as index:
        worker = threading.Thread(target=lambda: expired.append(index.expire(before="2026-02-01")), daemon=True)
        worker.start()
        worker.join(300)  # the bound only turns the old endless loop into a failure
        assert not worker.is_alive() and expired == [3]
        assert len(index) == 0


# 3. Commands that only read wrote the index's metadata on opening: refused on a replica and for a read-only user

def test_read_only_commands_write_nothing_to_redis(redis_location, redis_url):
    import redis

    with dedup.Index(redis_location, within=False) as index:
        index.add("a", PAGES[0])
    url, prefix = redis_location.split("?prefix=")
    client = redis.Redis.from_url(url)
    user = f"reader{next(_PREFIXES)}"
    client.acl_setuser(user, enabled=True, passwords=["+pw"], keys=["*"],
                       commands=["+@read", "+ping", "+info", "+client", "+hello", "+select", "+auth", "+multi",
                                                                "+exec", "+watch", "+unwatch", "+discard"])
    try:
        reader = url.replace("redis://", f"redis://{user}:pw@") + f"?prefix={prefix}"
        for args in (["stats"], ["check"], ["query", "-", "--top", "1"]):
            result = _run("index", args[0], reader, *args[1:], stdin=PAGES[0] if args[0] == "query" else None)
            assert result.exit_code == 0, result.output
        result = _run("index", "add", reader, "-", stdin=PAGES[1])
        assert result.exit_code == 1 and "refused the write" in result.stderr
    finally:
        client.acl_deluser(user)
        client.close()


# 4. Dates index add could not read were taken silently as the time added: an expiry then missed them

def test_index_add_says_how_many_dates_it_could_not_read(tmp_path):
    source = tmp_path / "dated.jsonl"
    source.write_text("".join(json.dumps({"id": f"p{n}", "text": PAGES[n], "date": date}) + "\n" for n, date in
                              enumerate([1767225600000, "Mon, 05 Jan 2026 10:00:00 GMT", "2026-01-05", None])))
    result = _run("index", "add", tmp_path / "i.db", source)
    assert result.exit_code == 0
    assert "2 of 4 records hold a 'date' that is no ISO 8601 date or epoch seconds" in result.stderr


# 5. A location starting with file: was a URI to SQLite and a file name to dedup's own checks

def test_a_file_uri_is_refused_in_one_line_and_makes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("index", "add", "file:new.db", "-", stdin=PAGES[0])
    assert result.exit_code == 1 and "a file: URI is no index location" in result.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(IndexLocationError):
        dedup.Index("file:new.db")


# 6. An index written before reuse_keys and copy_window were stored refused the values it was made with

def test_an_index_older_than_its_stored_reuse_settings_opens_with_the_settings_it_has(tmp_path):
    db = str(tmp_path / "old.db")
    with dedup.Index(db, within=False, reuse_keys="uncommon", copy_window=0) as index:
        index.add("a", " ".join([SAID] * 3))
    with sqlite3.connect(db) as con:
        (params,) = con.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
        stored = {k: v for k, v in json.loads(params).items() if k not in ("reuse_keys", "copy_window")}
        con.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps(stored),))
    with dedup.Index(db, within=False, reuse_keys="uncommon", copy_window=0) as index:
        assert len(index) == 1
    with pytest.raises(IndexFileError, match="created with copy_window=0, not 30"):
        dedup.Index(db, within=False, copy_window=30)
