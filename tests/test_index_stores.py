"""The shared index: SQLite and Redis behind one interface, several writing processes at once.

Redis tests start a real ``redis-server`` (Debian's package, installed by
``.ci/run``) on a free loopback port, and skip with the reason when the
server or the ``redis`` package is missing.
"""

import pytest

from dedup import Index
from dedup.cluster.groups import cluster_pairs
from dedup.index.store import IndexFileError
from dedup.index.stores import open_store
from dedup.io.readers import Document

from .planted import planted_corpus


@pytest.fixture(scope="module")
def corpus():
    return planted_corpus(seed=11, originals=30)


def _documents(records):
    return [Document(r["id"], r["body"]) for r in records]


def _clusters(location, records) -> set[frozenset[str]]:
    """Near-duplicate clusters: every record checked against the index of all the others."""
    edges = []
    with Index(location, within=False) as index:
        for r in records:
            edges += [(r["id"], m.b) for m in index.check(r["id"], r["body"]).duplicates]
    return {frozenset(c) for c in cluster_pairs(edges) if len(c) > 1}


def _verdicts(location, records):
    out = {}
    with Index(location, within=False) as index:
        for r in records:
            v = index.check(r["id"], r["body"])
            out[r["id"]] = ([(m.b, m.jaccard, m.containment, m.cosine) for m in v.duplicates],
                            [(p.paragraph, p.doc, p.number, p.cosine, p.documents) for p in v.passages])
    return out


def test_urls_choose_the_store(tmp_path):
    assert type(open_store(f"sqlite:///{tmp_path}/a.db")).__name__ == "SQLiteStore"
    assert (tmp_path / "a.db").exists()
    assert type(open_store(str(tmp_path / "b.db"))).__name__ == "SQLiteStore"
    with pytest.raises(ValueError, match="unknown index URL scheme"):
        open_store("mongodb://localhost/x")
    with pytest.raises(ValueError, match="sqlite:///"):
        open_store("sqlite://")


def test_sqlite_and_redis_give_the_same_results(corpus, tmp_path, redis_url):
    records, expected = corpus
    sqlite_url = f"sqlite:///{tmp_path}/news.db"
    redis_index = f"{redis_url}?prefix=same"
    for location in (sqlite_url, redis_index):
        with Index(location) as index:
            assert index.add_many(_documents(records)) == len(records)
            assert index.add_many(_documents(records[:7])) == 0  # idempotent by id
            assert len(index) == len(records)
    assert _verdicts(sqlite_url, records) == _verdicts(redis_index, records)
    assert _clusters(sqlite_url, records) == _clusters(redis_index, records) == {frozenset(c) for c in expected}


def test_redis_index_reopens_with_its_parameters_and_separates_prefixes(corpus, redis_url):
    records, _ = corpus
    location = f"{redis_url}?prefix=params"
    with Index(location, num_perm=64) as index:
        index.add_many(_documents(records[:5]))
    with pytest.raises(IndexFileError, match="num_perm=64, not 128"):
        Index(location, num_perm=128)
    with Index(location) as index:
        assert len(index) == 5 and index.params["num_perm"] == 64
        verdict = index.check("copy", records[0]["body"], add=True)
        assert [m.b for m in verdict.duplicates] == [records[0]["id"]] and verdict.added
        assert verdict.restated is not None
    with Index(f"{redis_url}?prefix=other") as other:
        assert len(other) == 0


def test_cli_index_commands_take_a_redis_url(corpus, tmp_path, redis_url):
    import json

    from click.testing import CliRunner

    from dedup.cli.main import main

    records, _ = corpus
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    location = f"{redis_url}?prefix=cli"
    runner = CliRunner()
    missing = runner.invoke(main, ["index", "stats", location])
    assert missing.exit_code == 1 and "no such index" in missing.output
    assert runner.invoke(main, ["index", "add", location, str(path), "--text-field", "body", "-q"]).exit_code == 0
    stats = json.loads(runner.invoke(main, ["index", "stats", location]).stdout)
    assert stats["store"] == "redis" and stats["documents"] == len(records)
    unreachable = runner.invoke(main, ["index", "stats", "redis://127.0.0.1:1/0"])
    assert unreachable.exit_code == 1 and "cannot reach Redis" in unreachable.output


def test_an_index_of_an_older_schema_is_refused_with_what_to_do(corpus, tmp_path):
    import sqlite3

    records, _ = corpus
    path = str(tmp_path / "old.db")
    with Index(path, within=False) as index:
        index.add_many(_documents(records[:3]))
    db = sqlite3.connect(path)
    with db:  # version 1 hashed words differently: its band keys would silently match nothing
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(IndexFileError, match=r"schema version 1; this dedup reads 2, 3, 4, 5, 6, 7 and 8 \(rebuild"):
        Index(path, within=False)
