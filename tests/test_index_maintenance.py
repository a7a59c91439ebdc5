"""An index for a live crawl: remove, expire, top-k with scores, thresholds per query, compaction.

Every test runs against both stores (SQLite and a real ``redis-server``, ``redis_url`` in conftest). The
parity test drives a seeded random sequence of adds, removes, expiries and re-adds and asks for the same
answers as an index built from scratch from the surviving documents: that holds only when removal counts
each document off the document frequencies exactly.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.index.maintenance import cutoff, parse_age
from dedup.io.readers import Document

from .planted import FOOTER, planted_corpus

BASE = datetime(2026, 10, 1, tzinfo=timezone.utc).timestamp()  # documents are dated BASE + i days


@pytest.fixture(scope="module")
def corpus():
    records, _ = planted_corpus(seed=5, originals=24)
    return records


def _doc(record: dict, day: float | None = None) -> Document:
    return Document(record["id"], record["body"], date=None if day is None else BASE + day * 86400)


def _answers(index: Index, probes: list[dict]) -> list:
    """Per probe: duplicates with scores, passages with their document counts, and the top 5."""
    out = []
    for p in probes:
        v = index.check(p["id"] + "#probe", p["body"], top=5)
        out.append(([(m.b, m.jaccard, m.containment, m.cosine) for m in v.duplicates],
                    [(x.paragraph, x.doc, x.number, x.cosine, x.documents) for x in v.passages],
                    v.top, v.is_duplicate))
    return out


# --- remove ----------------------------------------------------------------------------------------------------


def test_a_removed_document_is_gone_whole_and_the_index_checks(make_location, corpus):
    location = make_location()
    with Index(location, within=False) as index:
        index.add_many(_doc(r) for r in corpus)
        target = corpus[0]
        assert any(m.b == target["id"] for m in index.check("probe", target["body"]).duplicates)
        removal = index.remove([target["id"], "never-added", target["id"]])
        assert removal.removed == [target["id"]] and removal.not_indexed == ["never-added"]
        assert target["id"] not in index and len(index) == len(corpus) - 1
        after = index.check("probe", target["body"], top=len(corpus))
        assert target["id"] not in {m.b for m in after.duplicates} | {m.doc for m in after.top}
        assert target["id"] not in {p.doc for p in after.passages}
        assert index.verify() == []
        assert index.idf.n_docs == len(corpus) - 1
        # A shared passage (the newsletter footer) is counted in one document fewer once one holding it goes.
        holders = [r["id"] for r in corpus if FOOTER in r["body"]]
        probe = f"{FOOTER}\n\nAn unrelated closing paragraph about lighthouses, tides and the keepers' long nights."

        def footer_documents() -> int:
            return max(p.documents for p in index.check("footer-probe", probe).passages if p.paragraph == 0)

        assert footer_documents() == len(holders) - (target["id"] in holders)
        index.remove(holders[-1:])
        assert footer_documents() == len(holders) - 1 - (target["id"] in holders[:-1])
        # Removed, then added again: found again.
        assert index.add(target["id"], target["body"]) and target["id"] in index
        assert target["id"] in {m.doc for m in index.query(target["body"], top=3)}
        assert index.verify() == []


def test_remove_refuses_one_string_and_a_read_only_index(tmp_path, corpus):
    path = str(tmp_path / "x.db")
    with Index(path, within=False) as index:
        index.add_many(_doc(r) for r in corpus[:3])
        with pytest.raises(TypeError, match="not one string"):
            index.remove(corpus[0]["id"])
    with Index(path, within=False, read_only=True) as index:
        with pytest.raises(Exception, match="read-only"):
            index.remove([corpus[0]["id"]])
        assert len(index) == 3


# --- expire ----------------------------------------------------------------------------------------------------


def test_expire_removes_what_is_older_in_batches(make_location, corpus):
    location = make_location()
    with Index(location, within=False, batch_size=4) as index:
        index.add_many(_doc(r, day=i) for i, r in enumerate(corpus))  # one day apart
        batches = []
        count = index.expire(before=datetime.fromtimestamp(BASE + 10 * 86400, timezone.utc),
                             on_batch=lambda n, total: batches.append((n, total)))
        assert count == 10 and [n for n, _ in batches] == [4, 4, 2] and batches[-1][1] == 10
        assert {r["id"] for r in corpus[:10]}.isdisjoint({r["id"] for r in corpus if r["id"] in index})
        assert all(r["id"] in index for r in corpus[10:])
        assert index.expire(before=BASE + 10 * 86400) == 0  # nothing left to expire: a re-run is a no-op
        assert index.verify() == []
        # Undated documents are dated when added: now, so not older than a day.
        index.add("fresh", corpus[0]["body"])
        assert index.expire(older_than="1d") == len(corpus) - 10 and list(index.query(corpus[0]["body"]))
        assert "fresh" in index and len(index) == 1 and index.verify() == []


def test_ages_and_cutoffs():
    assert parse_age("30d") == timedelta(days=30) and parse_age("2w") == timedelta(weeks=2)
    assert parse_age("90m") == timedelta(minutes=90) and parse_age("1.5h") == timedelta(hours=1.5)
    for bad in ("30", "d", "-1d", "0s", "3y", ""):
        with pytest.raises(ValueError, match="s, m, h, d or w"):
            parse_age(bad)
    assert cutoff(before="2026-11-01") == datetime(2026, 11, 1, tzinfo=timezone.utc).timestamp()
    assert cutoff(older_than="1h", now=7200.0) == 3600.0
    with pytest.raises(ValueError, match="exactly one"):
        cutoff()
    with pytest.raises(ValueError, match="before"):
        cutoff(before="yesterday")


# --- top-k and thresholds per query ----------------------------------------------------------------------------


def test_top_k_scores_best_first_and_marks_duplicates(make_location, corpus):
    with Index(make_location(), within=False) as index:
        index.add_many(_doc(r) for r in corpus)
        probe = corpus[0]
        top = index.query(probe["body"], top=3)
        assert 1 <= len(top) <= 3
        keys = [(-max(m.jaccard, m.containment), -m.jaccard, -m.cosine, m.doc) for m in top]
        assert keys == sorted(keys) and top[0].doc == probe["id"] and top[0].jaccard == 1.0 and top[0].duplicate
        verdict = index.check("probe", probe["body"], top=10)
        assert {m.b for m in verdict.duplicates} == {m.doc for m in verdict.top if m.duplicate}
        # Thresholds per query: a stricter rule flags fewer, a looser one more; the scores stay.
        strict = index.check("probe", probe["body"], top=10, jaccard_threshold=1.0, cosine_threshold=1.0)
        loose = index.check("probe", probe["body"], top=10, jaccard_threshold=0.05, cosine_threshold=0.05)
        assert len(strict.duplicates) <= len(verdict.duplicates) <= len(loose.duplicates)
        assert [(m.doc, m.jaccard, m.cosine) for m in strict.top] == [(m.doc, m.jaccard, m.cosine) for m in loose.top]
        assert all(m.duplicate for m in loose.top if max(m.jaccard, m.containment) >= 0.05 and m.cosine >= 0.05)
        exact = index.check("probe", probe["body"], passage_cosine_threshold=1.0, jaccard_threshold=1.0).passages
        assert all(p.cosine == 1.0 for p in exact)  # only verbatim passages at 1.0
        assert len(exact) <= len(index.check("probe", probe["body"], jaccard_threshold=1.0, passage_cosine_threshold=0.1).passages)
        assert index.check("probe", probe["body"]).top is None  # no top unless asked


@pytest.mark.parametrize("name", ["num_perm", "k", "seed", "bands", "n_features"])
def test_what_needs_a_rebuild_is_refused_per_query(tmp_path, name):
    with Index(str(tmp_path / "x.db"), within=False) as index:
        index.add("a", "Some words to index here, enough of them to sign a document properly today.")
        for call in (lambda: index.check("q", "Some words", **{name: 64}),
                     lambda: index.query("Some words", **{name: 64})):
            with pytest.raises(ValueError, match=rf"{name} cannot change per query.*rebuild"):
                call()
        with pytest.raises(TypeError, match="unknown query parameter"):
            index.check("q", "Some words", thresh=0.5)
        with pytest.raises(ValueError, match="cosine_threshold"):
            index.check("q", "Some words", cosine_threshold=1.5)
        with pytest.raises(ValueError, match="top"):
            index.query("Some words", top=0)
        with pytest.raises(ValueError, match="one setting"):
            index.check("q", "Some words", threshold=0.5, jaccard_threshold=0.6)


# --- parity: a mutated index answers as one built from its survivors ---------------------------------------------


def test_after_random_adds_removes_expiries_the_index_equals_a_rebuild(make_location, corpus):
    rng = random.Random(2026)
    location = make_location()
    day = {r["id"]: rng.uniform(0, 30) for r in corpus}
    by_id = {r["id"]: r for r in corpus}
    with Index(location, within=False, batch_size=3) as index:
        # Random steps, then a removal and an expiry for certain (so the survivors are a proper subset).
        for step, action in enumerate([rng.choice(["add", "add", "remove", "expire", "readd"]) for _ in range(12)]
                                      + ["remove", "expire"]):
            absent = [r for r in corpus if r["id"] not in index]
            present = [r for r in corpus if r["id"] in index]
            if action in ("add", "readd") and absent:
                index.add_many(_doc(r, day[r["id"]]) for r in rng.sample(absent, min(len(absent), 8)))
            elif action == "remove" and present:
                chosen = [r["id"] for r in rng.sample(present, min(len(present), 4))]
                assert index.remove(chosen + ["ghost"]).not_indexed == ["ghost"]
            elif action == "expire":
                index.expire(before=BASE + rng.uniform(0, 8) * 86400)
            assert index.verify() == [], f"after step {step} ({action})"
        survivors = sorted((index.store.row_of(r["id"]), r["id"]) for r in corpus if r["id"] in index)
        assert 3 < len(survivors) < len(corpus)
        mutated = _answers(index, corpus)
        df, n_docs = index.store.idf_counts()
    rebuilt = make_location()
    with Index(rebuilt, within=False) as fresh:  # in the survivors' order, so ties of the same score agree
        fresh.add_many(_doc(by_id[doc_id], day[doc_id]) for _, doc_id in survivors)
        assert _answers(fresh, corpus) == mutated
        df2, n2 = fresh.store.idf_counts()
    size = max(df.size, df2.size)
    assert n_docs == n2 and np.array_equal(np.pad(df, (0, size - df.size)), np.pad(df2, (0, size - df2.size)))


# --- compaction and size ---------------------------------------------------------------------------------------


def test_compact_gives_space_back_and_keeps_the_answers(make_location, corpus):
    location = make_location()
    with Index(location, within=False) as index:
        index.add_many(_doc(r) for r in corpus)
        index.remove([r["id"] for r in corpus[: len(corpus) // 2]])
        before = _answers(index, corpus[:6])
        stats = index.stats()
        assert stats["bytes_per_document"] > 0
        result = index.compact()
        assert result["bytes_after"] <= result["bytes_before"] or location.startswith("redis")
        assert _answers(index, corpus[:6]) == before and index.verify() == []
        if location.startswith("sqlite"):
            assert index.stats()["free_bytes"] == 0
        assert index.add_many(_doc(r) for r in corpus[:2]) == 2 and index.verify() == []


def test_a_reader_sees_removals_and_compaction_of_another_process(tmp_path, corpus):
    path = str(tmp_path / "shared.db")
    with Index(path, within=False) as writer, Index(path, within=False) as reader:
        writer.add_many(_doc(r) for r in corpus)
        reader.check("warm", corpus[0]["body"])  # caches the counts
        writer.remove([r["id"] for r in corpus[:5]])
        writer.compact()  # drops the zero rows: the reader must read its counts again, not keep stale ones
        writer.add_many(_doc(r) for r in corpus[:2])
        assert _answers(reader, corpus[:4]) == _answers(writer, corpus[:4])
        assert np.array_equal(reader.store.idf_counts()[0][: writer.store.idf_counts()[0].size],
                              writer.store.idf_counts()[0])


def test_a_version_3_file_is_adopted_by_its_first_removal(tmp_path, corpus):
    path = tmp_path / "v3.db"
    with Index(str(path), within=False) as index:
        index.add_many(_doc(r) for r in corpus[:8])
    db = sqlite3.connect(path)
    with db:  # what dedup before removal wrote: no indexes by document, df rows marked with document counts
        for name in ("doc_bands_by_doc", "paragraph_bands_by_paragraph", "docs_by_added", "docs_by_date"):
            db.execute(f"DROP INDEX {name}")
        db.execute("ALTER TABLE docs DROP COLUMN dated")  # version 5's
        db.execute("DROP TABLE young_keys")  # version 8's
        db.execute("DROP TABLE reuse_forms")  # version 7's
        db.execute("DROP TABLE reuse_keys")  # version 6's
        db.execute("DROP TABLE texts")
        db.execute("DELETE FROM meta WHERE key = 'generation'")
        db.execute("UPDATE df SET batch = 8")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.close()
    with Index(str(path), within=False) as old, Index(str(path), within=False) as other:
        assert old.stats()["schema_version"] == 3 and old.verify() == []
        other.check("warm", corpus[0]["body"])
        assert old.remove([corpus[0]["id"]]).removed == [corpus[0]["id"]]
        assert old.verify() == [] and other.idf.n_docs in (7, 8)
        other.check("warm", corpus[0]["body"])
        assert other.idf.n_docs == 7
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "8"
    assert db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'docs_by_added'").fetchone()
    assert db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'docs_by_date'").fetchone()
    db.close()


# --- the command line ------------------------------------------------------------------------------------------


def test_cli_remove_expire_query_top_and_compact(make_location, corpus, tmp_path):
    location = make_location()
    with Index(location, within=False) as index:
        index.add_many(_doc(r, day=i) for i, r in enumerate(corpus))
    run = lambda *args: CliRunner().invoke(main, [str(a) for a in args])  # noqa: E731
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{corpus[1]['id']}\n\nunknown-id\n", encoding="utf-8")
    result = run("index", "remove", location, corpus[0]["id"], "--from", ids)
    assert result.exit_code == 0, result.output
    assert "removed 2 (total 2)" in result.stdout and "not indexed: unknown-id" in result.stderr
    assert "removed 2 documents of 3 ids (1 not indexed)" in result.stderr
    assert run("index", "remove", location).exit_code == 2  # no ids at all
    result = run("index", "expire", location, "--before", "2026-10-06", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["expired 2 (total 2)", "expired 1 (total 3)"]  # days 2, 3, 4
    assert run("index", "expire", location, "--older-than", "3y").exit_code == 2
    assert run("index", "expire", location).exit_code == 2
    probe = tmp_path / "probe.txt"
    probe.write_text(corpus[10]["body"], encoding="utf-8")
    result = run("index", "query", location, probe, "--top", "3", "-f", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)["queries"][0]
    assert answer["top"][0] == {"doc": corpus[10]["id"], "jaccard": 1.0, "containment": 1.0,
                                "cosine": answer["top"][0]["cosine"], "duplicate": True}
    assert {"duplicates", "passages", "duplicate", "preferred"} <= set(answer)  # the fields it always had
    strict = json.loads(run("index", "query", location, probe, "--top", "3", "-f", "json",
                            "--jaccard-threshold", "1", "--cosine-threshold", "1",
                            "--passage-cosine-threshold", "1").stdout)["queries"][0]
    assert len(strict["duplicates"]) <= len(answer["duplicates"])
    assert [m["doc"] for m in strict["top"]] == [m["doc"] for m in answer["top"]]
    assert run("index", "query", location, probe, "--num-perm", "64").exit_code == 2  # not offered
    table = run("index", "query", location, probe, "--top", "2")
    assert "top 1: " in table.stdout and "duplicate" in table.stdout
    assert json.loads(run("index", "compact", location).stdout)["bytes_after"] >= 0
    check = run("index", "check", location)
    assert check.exit_code == 0 and f"ok, {len(corpus) - 5} documents" in check.stdout
    assert json.loads(run("index", "stats", location).stdout)["bytes_per_document"] > 0


def test_redis_documents_stored_before_band_keys_were_kept_are_removed_whole(redis_url, corpus):
    import redis

    location = f"{redis_url}?prefix=legacy-maint"
    with Index(location, within=False) as index:
        index.add_many(_doc(r, day=i) for i, r in enumerate(corpus))
    raw = redis.Redis.from_url(redis_url)
    for key in raw.scan_iter(match="legacy-maint:doc:*"):  # as dedup before removal stored them
        raw.hdel(key, "bands")
    for key in raw.scan_iter(match="legacy-maint:par:*"):
        raw.hdel(key, *[f for f in raw.hkeys(key) if f.startswith(b"keys:")])
    raw.delete("legacy-maint:added")
    with Index(location, within=False) as index:
        assert index.remove([corpus[0]["id"], corpus[1]["id"]]).removed == [corpus[0]["id"], corpus[1]["id"]]
        assert index.verify() == []  # no set member left pointing at them
        assert index.expire(before=BASE + 5 * 86400) == 3 and index.verify() == []
        assert len(index) == len(corpus) - 5
