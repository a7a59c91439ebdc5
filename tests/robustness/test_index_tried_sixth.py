"""Found by trying the index as an operator would, sixth round: a check that read a consistent index half before
and half after another process's batch, dates a zone moves past the calendar's edge, and numpy values for the
stored parameters. Each test failed before its fix."""

import os

import numpy as np
import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.index import redis_maintenance, sqlite_maintenance
from dedup.index.store import IndexStoreError
from dedup.io.readers import Document

WORDS = "alpha beta gamma delta epsilon zeta theta iota kappa lambda omicron sigma upsilon omega".split()


def _text(i: int) -> str:
    return " ".join(WORDS[(i * 7 + j) % len(WORDS)] + str(i * 31 + j) for j in range(40)) + "."


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# 1. verify() while another writer commits: one snapshot (SQLite), or read again (Redis); never a false problem

@pytest.mark.parametrize("writes", [1, "always"])
def test_verify_reads_the_index_as_of_one_moment(make_location, monkeypatch, writes):
    location = make_location()
    checked = dedup.Index(location, within=False, reuse=False)
    writer = dedup.Index(location, within=False, reuse=False)  # another connection, as another process has
    checked.add_many([Document(f"d{i}", _text(i)) for i in range(30)])
    module = sqlite_maintenance if location.startswith("sqlite") else redis_maintenance
    read_terms, added = module.term_buckets, []

    def land_a_batch():
        added.append(len(added))
        writer.add_many([Document(f"late{len(added)}-{i}", _text(100 + 10 * len(added) + i)) for i in range(5)])

    def a_batch_lands_meanwhile(blob):  # between the check's first reads and its document frequencies
        if not added:
            land_a_batch()
        return read_terms(blob)

    monkeypatch.setattr(module, "term_buckets", a_batch_lands_meanwhile)
    if writes == "always":  # and again in every later reading of the whole index
        store_class = type(checked.store)
        read_once = store_class._problems
        monkeypatch.setattr(store_class, "_problems", lambda self: [read_once(self), land_a_batch()][0])
    try:
        if writes == "always" and module is redis_maintenance:  # Redis cannot hold a snapshot: it says so
            with pytest.raises(IndexStoreError, match="other writers changed the index throughout 5 checks"):
                checked.verify()
        else:
            assert checked.verify() == []
        assert added  # the batch did land while the check read
        monkeypatch.undo()  # the writer done: the same check passes
        assert checked.verify() == [] and len(checked) == 30 + 5 * len(added)
    finally:
        checked.close()
        writer.close()


# 2. ISO dates a zone moves past the calendar's edge: read as the edge, never a traceback or a skipped record

def test_dates_at_the_calendars_edges_with_a_zone(tmp_path):
    db = tmp_path / "edges.db"
    first, last = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"
    page = tmp_path / "page.jsonl"
    page.write_text('{"id": "z", "text": "Kappa lambda omicron sigma upsilon omega rho tau chi.", '
                    f'"date": "{first}"}}\n')
    added = _run("index", "add", db, page)
    assert added.exit_code == 0 and "1 skipped" not in added.stderr, added.stderr
    with dedup.Index(str(db)) as index:
        assert index.add("y", "Alpha beta gamma delta epsilon zeta eta theta iota nu.", date=last)
        assert dedup.cluster.keep.timestamp(first) == dedup.cluster.keep.FIRST_SECOND
    for before, left in ((first, 2), (last, 1)):  # nothing is dated before the first second; "y" is at the last
        expired = _run("index", "expire", db, "--before", before)
        assert expired.exit_code == 0 and "Traceback" not in expired.output, expired.output
        with dedup.Index(str(db)) as index:
            assert len(index) == left


# 3. numpy values for stored parameters: stored as the numbers they are, never a TypeError and an empty file

def test_numpy_values_for_stored_parameters(tmp_path):
    db = tmp_path / "numpy.db"
    with dedup.Index(str(db), num_perm=np.int64(64), k=np.int32(2), stem=np.True_) as index:
        assert (index.params["num_perm"], index.params["k"], index.params["stem"]) == (64, 2, True)
        assert type(index.params["num_perm"]) is int and type(index.params["stem"]) is bool
        index.add("a", _text(1))
    with dedup.Index(str(db), num_perm=64, k=2) as index:  # the same index, reopened with plain values
        assert len(index) == 1
    result = _run("index", "stats", db)
    assert result.exit_code == 0, result.output
    assert not os.path.exists(tmp_path / "never.db")
