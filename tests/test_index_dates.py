"""A document's two dates: when it was added (``added``) and the date its caller gave (``dated``).

Expiry goes by either (``expire(by="dated")``, the default: the given date, else the add time;
``by="added"``: the add time alone), ``keep="earliest"`` by the given date, else the add time. An index of
the previous SQLite schema (4: one date, ``added``, holding the caller's where one was given) or a Redis
index written before ``dated`` was kept is read as it is and upgraded by its first write. Each test runs on
both stores (a real ``redis-server``, ``redis_url`` in conftest). Add times are set by a fixed clock in the
store modules, so nothing here depends on how fast the machine is or on sleeping.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.index import redis_store, sqlite_store
from dedup.io.readers import Document

from .planted import planted_corpus

_PREFIXES = itertools.count()
LONG_AGO = datetime(2001, 1, 1, tzinfo=timezone.utc).timestamp()  # when the fixed clock adds documents
OLD = datetime(1990, 1, 1, tzinfo=timezone.utc).timestamp()  # caller dates older than any add time


def _utc(*args) -> float:
    return datetime(*args, tzinfo=timezone.utc).timestamp()


@pytest.fixture(scope="module")
def corpus():
    records = []
    for seed in (5, 6):
        batch, _ = planted_corpus(seed=seed, originals=24)
        records += [dict(r, id=f"s{seed}-{r['id']}") for r in batch]
    return records  # 58 documents


@pytest.fixture
def clock(monkeypatch):
    """``clock(t)``: from then on both stores add documents at epoch second ``t``; ``clock(None)``: at the real
    time again."""
    def set_clock(now: float | None) -> None:
        fixed = time if now is None else SimpleNamespace(time=lambda: now, monotonic=time.monotonic)  # lock waits still timed
        monkeypatch.setattr(sqlite_store, "time", fixed)
        monkeypatch.setattr(redis_store, "time", fixed)
    return set_clock


def _stored(index: Index, doc_id: str) -> tuple[float, float | None]:
    """(added, dated) as the store holds them."""
    store = index.store
    if hasattr(store, "db"):
        return store.db.execute("SELECT added, dated FROM docs WHERE id = ?", (doc_id,)).fetchone()
    added, dated = store.r.hmget(store._key("doc", store.row_of(doc_id)), ["added", "dated"])
    return float(added), None if dated is None else float(dated)


def _present(index: Index, records: list[dict]) -> list[str]:
    return [r["id"] for r in records if r["id"] in index]


# --- both dates, and expiry by each ----------------------------------------------------------------------------


def test_each_document_keeps_when_it_was_added_and_the_date_it_was_given(make_location, corpus, clock):
    old, future, undated = corpus[:4], corpus[4:8], corpus[8:12]
    clock(LONG_AGO)
    with Index(make_location(), within=False, batch_size=2) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD + 3600 * i) for i, r in enumerate(old))
        clock(LONG_AGO + 60)
        index.add_many(Document(r["id"], r["body"], date="2099-01-01") for r in future)
        clock(LONG_AGO + 120)
        index.add_many(Document(r["id"], r["body"]) for r in undated)
        assert _stored(index, old[1]["id"]) == (LONG_AGO, OLD + 3600)
        assert _stored(index, future[0]["id"]) == (LONG_AGO + 60, _utc(2099, 1, 1))
        assert _stored(index, undated[0]["id"]) == (LONG_AGO + 120, None)
        with pytest.raises(ValueError, match="by must be one of dated, added"):
            index.expire(before="2000-01-01", by="published")
        # Given an old date but added since: expired by the date it was given, kept by when it was added.
        assert index.expire(before="1995-01-01", by="added") == 0 and len(index) == 12
        batches = []
        assert index.expire(before="1995-01-01", on_batch=lambda n, total: batches.append(n)) == 4
        assert batches == [2, 2] and _present(index, old) == [] and index.verify() == []
        # By date: undated documents go by when they were added; those dated in 2099 stay.
        assert index.expire(before="2002-01-01", by="dated") == 4
        assert _present(index, corpus[:12]) == [r["id"] for r in future]
        # By when added, the date they were given does not count.
        assert index.expire(before="2002-01-01", by="added") == 4 and len(index) == 0 and index.verify() == []
        assert index.expire(before="2002-01-01", by="added") == 0  # a re-run is a no-op


def test_keep_earliest_compares_the_given_date_else_the_add_time(make_location, corpus, clock):
    dated, undated = corpus[0], corpus[1]
    clock(LONG_AGO)
    with Index(make_location(), within=False, keep="earliest") as index:
        index.add(dated["id"], dated["body"], date="2020-06-01")  # added in 2001 by the clock: the date counts
        index.add(undated["id"], undated["body"])  # no date: its add time, 2001-01-01, stands for it
        assert index.check("p", dated["body"], date="2020-05-31").preferred
        assert not index.check("p", dated["body"], date="2020-06-02").preferred
        assert index.check("p", undated["body"], date="2000-12-31").preferred
        assert not index.check("p", undated["body"], date="2001-01-02").preferred


def test_the_command_line_says_which_date_it_expired_by(make_location, corpus, clock):
    location = make_location()
    clock(LONG_AGO)
    with Index(location, within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD) for r in corpus[:3])
        index.add_many(Document(r["id"], r["body"]) for r in corpus[3:5])
    run = lambda *args: CliRunner().invoke(main, ["index", "expire", location, *args])  # noqa: E731
    assert run("--before", "1995-01-01", "--by", "published").exit_code == 2
    result = run("--before", "1995-01-01", "--by", "added")
    assert result.exit_code == 0 and "expired 0 documents by added (the time added)" in result.stderr
    result = run("--before", "1995-01-01")
    assert result.exit_code == 0, result.output
    assert "expired 3 documents by dated (the date given when added, else the time added)" in result.stderr
    result = run("--older-than", "1d", "--by", "added", "--batch-size", "1")
    assert result.exit_code == 0 and result.stdout.splitlines() == ["expired 1 (total 1)", "expired 1 (total 2)"]
    assert "holds 0" in result.stderr


@pytest.mark.parametrize("args, named", [(["--before", ""], "--before"), (["--before", "soon"], "--before"),
                                         (["--older-than", ""], "--older-than"), (["--older-than", "3y"], "--older-than")])
def test_an_unreadable_cutoff_names_the_option_it_was_given_as(make_location, args, named):
    location = make_location()
    with Index(location, within=False):
        pass
    result = CliRunner().invoke(main, ["index", "expire", location, *args])
    assert result.exit_code == 2 and f"Invalid value for {named}:" in result.stderr, result.output


# --- indexes written before the two dates were kept apart ------------------------------------------------------


def _state(path) -> dict:
    """name -> sha256 of the index file and any -wal / -shm beside it."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir())}


def _make_version_4(path) -> None:
    """Turn a version 5 file into what dedup wrote at schema 4: one date, ``added``, the given one where any."""
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE docs SET added = COALESCE(dated, added)")
        db.execute("DROP INDEX docs_by_date")
        db.execute("ALTER TABLE docs DROP COLUMN dated")
        db.execute("DROP TABLE young_keys")  # version 8's
        db.execute("DROP TABLE reuse_forms")  # version 7's
        db.execute("DROP TABLE reuse_keys")  # version 6's
        db.execute("DROP TABLE texts")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_a_version_4_file_is_read_unchanged_and_upgraded_by_its_first_write(tmp_path, corpus, clock):
    path = tmp_path / "v4" / "x.db"
    path.parent.mkdir()
    clock(LONG_AGO)
    with Index(str(path), within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD + i) for i, r in enumerate(corpus[:4]))
        clock(LONG_AGO + 60)
        index.add_many(Document(r["id"], r["body"]) for r in corpus[4:8])
    _make_version_4(path)
    before = _state(path)
    for read_only in (True, None):  # read-only, and writable but only read
        with Index(str(path), within=False, keep="earliest", read_only=read_only) as old:
            assert old.stats()["schema_version"] == 4 and old.verify() == [] and len(old) == 8
            # Its one date, the given one where there was one, is what keep="earliest" compares.
            assert old.check("p", corpus[0]["body"], date=OLD - 1).preferred
            assert not old.check("p", corpus[0]["body"], date=OLD + 1).preferred
            assert old.check("p", corpus[4]["body"], date=LONG_AGO).preferred
            if read_only:
                with pytest.raises(Exception, match="read-only"):
                    old.expire(before="1995-01-01")
            else:
                assert old.expire(before="1980-01-01") == 0  # nothing to remove: nothing written
    assert _state(path) == before
    with Index(str(path), within=False) as old, Index(str(path), within=False) as other:
        # Expiry by its one date; the first removal moves the file to version 5, whichever process looks.
        assert old.expire(before="1995-01-01", batch_size=3) == 4 and old.stats()["schema_version"] == 8
        assert other.expire(before="1995-01-01") == 0 and other.stats()["schema_version"] == 8
        assert old.verify() == [] and _present(old, corpus[:8]) == [r["id"] for r in corpus[4:8]]
        assert _stored(old, corpus[4]["id"]) == (LONG_AGO + 60, None)  # the old rows' one date stays in added
        clock(LONG_AGO + 120)
        other.add(corpus[8]["id"], corpus[8]["body"], date=OLD)
        assert _stored(old, corpus[8]["id"]) == (LONG_AGO + 120, OLD)
        assert old.expire(before="1995-01-01", by="added") == 0 and old.expire(before="1995-01-01") == 1
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "8"
    assert db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'docs_by_date'").fetchone()
    db.close()


def test_a_version_4_file_is_upgraded_by_its_first_add(tmp_path, corpus):
    path = tmp_path / "x.db"
    with Index(str(path), within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD) for r in corpus[:3])
    _make_version_4(path)
    with Index(str(path), within=False) as old:
        assert old.add(corpus[3]["id"], corpus[3]["body"], date=OLD) and old.stats()["schema_version"] == 8
        assert _stored(old, corpus[0]["id"]) == (OLD, None) and _stored(old, corpus[3]["id"])[1] == OLD
        assert old.expire(before="1995-01-01", by="added") == 3 and old.verify() == []  # the old rows' one date
        assert old.expire(before="1995-01-01") == 1 and len(old) == 0


def test_redis_documents_stored_with_one_date_keep_working(redis_url, corpus, clock):
    import redis

    prefix = f"one-date{next(_PREFIXES)}"
    location = f"{redis_url}?prefix={prefix}"
    clock(LONG_AGO)
    with Index(location, within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD) for r in corpus[:3])
        index.add_many(Document(r["id"], r["body"]) for r in corpus[3:5])  # their one date: 2001
    raw = redis.Redis.from_url(redis_url)
    for key in raw.scan_iter(match=f"{prefix}:doc:*"):  # as dedup before ``dated`` stored them
        dated = raw.hget(key, "dated")
        if dated is not None:
            raw.hset(key, "added", dated)
            raw.hdel(key, "dated")
    raw.delete(f"{prefix}:added_time")
    with Index(location, within=False, keep="earliest") as index:
        assert index.check("p", corpus[0]["body"], date=OLD - 1).preferred
        assert not index.check("p", corpus[0]["body"], date=OLD + 1).preferred
        index.add(corpus[5]["id"], corpus[5]["body"], date=OLD)  # the new kind, beside the old: added 2001
        # By add time the old entries go by their one date; the new one, given the same date, stays.
        assert index.expire(before="1995-01-01", by="added") == 3 and corpus[5]["id"] in index
        assert index.expire(before="1995-01-01") == 1 and index.verify() == []
        assert index.expire(before="2002-01-01", by="added") == 2 and len(index) == 0


# --- killed mid-expiry, then run again -------------------------------------------------------------------------

# Expires a batch of 2 per transaction, printing a line once each batch has committed; after ``hold`` batches
# it waits on stdin, so the kill always lands mid-way however fast the machine (the test kills it first).
EXPIRER = """
import sys
from dedup import Index
db, before, by, hold = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
batches = 0

def report(count, total):
    global batches
    print(f"expired {count} (total {total})", flush=True)
    batches += 1
    if batches == hold:
        sys.stdin.read()

with Index(db, within=False, batch_size=2) as index:
    index.expire(before=before, by=by, on_batch=report)
"""
MARGIN = 5  # batches the expirer may commit past the one the test waits for before the kill lands


@pytest.mark.parametrize("by", ["dated", "added"])
def test_sigkill_during_expiry_by_either_date_leaves_a_consistent_index_and_a_rerun_finishes(make_location, corpus,
                                                                                           clock, by, tmp_path):
    location = make_location()
    early, late = corpus[:28], corpus[28:]
    with Index(location, within=False) as index:  # ``early`` added in 2001, a minute apart; half dated 2099
        for i, r in enumerate(early):
            clock(LONG_AGO + 60 * i)
            index.add(r["id"], r["body"], date="2099-01-01" if i % 2 else None)
    clock(None)  # ``late`` added now, dated 1990, an hour apart
    with Index(location, within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=OLD + 3600 * i) for i, r in enumerate(late))
    # By date, the late ones go (dated 1990); by add time, the early ones (added 2001).
    before, doomed, kept = ((_utc(1995, 1, 1), late, early) if by == "dated" else (_utc(2002, 1, 1), early, late))
    doomed = [r["id"] for r in doomed]
    batches = random.Random(by).randint(1, 4)
    process = subprocess.Popen([sys.executable, "-c", EXPIRER, location, repr(before), by, str(batches + MARGIN)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = [process.stdout.readline() for _ in range(batches)]  # blocks until the expirer's own report
    assert all(seen), f"the expirer ended before {batches} batches: exit {process.wait(timeout=60)}"
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    reported = int(("".join(seen) + out).strip().splitlines()[-1].rsplit("(total ", 1)[1].rstrip(")"))
    with Index(location, within=False) as index:
        assert index.verify() == []
        gone = [doc_id for doc_id in doomed if doc_id not in index]
        # Oldest first, a batch at a time: what is gone is a prefix, at least what was reported.
        assert gone == doomed[: len(gone)] and reported <= len(gone) < len(doomed)
        assert _present(index, kept) == [r["id"] for r in kept]
    rerun = CliRunner().invoke(main, ["index", "expire", location, "--before", repr(before), "--by", by,
                                      "--batch-size", "2", "-q"])
    assert rerun.exit_code == 0, rerun.output
    with Index(location, within=False) as index:
        assert index.verify() == [] and len(index) == len(kept) == index.idf.n_docs
        assert _present(index, kept) == [r["id"] for r in kept]


def test_index_add_keeps_each_records_date_for_expire(tmp_path):
    """Found by trying it: `dedup index add` dropped the records' dates, so `index expire --before` (by the date a
    document was added with) could only go by when each was added. It reads `--date-field`, as `scan` does."""
    import json

    from click.testing import CliRunner

    from dedup.cli.main import main

    records = [{"id": "old", "date": "2020-01-01", "text": "An old story about the harbour council and its roads."},
               {"id": "new", "date": "2026-12-01", "text": "A new story about the library opening on Sundays."},
               {"id": "undated", "text": "A story without a date about the football club and its coach."},
               {"id": "unreadable", "published": "soon", "text": "A story dated in words about the city's trams."}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    runner = CliRunner()
    db = str(tmp_path / "d.db")
    assert runner.invoke(main, ["index", "add", db, str(tmp_path / "d.jsonl"), "-q"]).exit_code == 0
    assert runner.invoke(main, ["index", "expire", db, "--before", "2021-01-01", "-q"]).exit_code == 0
    import dedup

    with dedup.Index(db) as index:
        assert [i for i in ("old", "new", "undated", "unreadable") if i in index] == ["new", "undated", "unreadable"]
    other = str(tmp_path / "p.db")
    assert runner.invoke(main, ["index", "add", other, str(tmp_path / "d.jsonl"), "--date-field", "published",
                                "-q"]).exit_code == 0  # "soon" is no date: dated when added, not refused
    with dedup.Index(other) as index:
        assert len(index) == 4
