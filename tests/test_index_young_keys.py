"""Documents keyed while the index was young are keyed again as it grows (``IndexReuse._rekey_young``).

A document's reuse keys leave out the words common in the index when it is added. Added first, when every word
is rare, a document was keyed on words that later became common, and a page copying one of its sentences, keyed
on the rare words alone, shared too few keys with it: a crawl that indexed pages one at a time missed a copy
that the same documents added in one batch, or scanned, found (found by trying it on 2026-12-07)."""

from __future__ import annotations

import sqlite3

import pytest

from dedup import Index
from tests.test_reuse import _filler, _join

SOURCE = ("The harbour commission said on Monday that dredging of the northern shipping channel would begin in March "
          "and that the work should be finished before the autumn storms reach the coast.")
# An edited copy (words dropped and changed: no run of words long enough for a copied-run key).
EDITED = ("The harbour commission said that dredging of the shipping channel would begin in March and the work "
          "would be finished before autumn storms reach the coast.")
# The later pages make most of its words common: the sentence is left with three rare ones.
COMMON = ("On Monday officials said work on the northern shipping channel should begin in March and be finished "
          "before autumn storms reach the coast.")


def _later(k: int) -> str:
    return _join(_filler(700 + k, 2) + [COMMON])


@pytest.fixture(params=["sqlite", "redis"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "young.db")
    return f"{request.getfixturevalue('redis_url')}?prefix=young-{request.node.name}"


def _grown(location: str, later: int = 40) -> Index:
    """An index of the source, added first, then ``later`` pages added one at a time."""
    index = Index(location, within=False)
    source = _join(_filler(600, 2) + [SOURCE] + _filler(601, 1))
    assert index.add("source", source)
    for k in range(later):
        assert index.add(f"later{k}", _later(k))
    return index


def test_an_edited_sentence_copied_from_a_document_added_first_is_found_once_the_index_grew(location):
    page = _join(_filler(800, 2) + [EDITED] + _filler(801, 1))
    with _grown(location) as index:
        verdict = index.check("page", page)
    assert [(r.b, r.kind) for r in verdict.reuse] == [("source", "edited")]
    assert page[slice(*verdict.reuse[0].a_span)] == EDITED


def test_each_document_is_keyed_again_as_the_index_doubles(tmp_path):
    path = tmp_path / "young.db"
    with _grown(str(path), later=9) as index:
        assert len(index) == 10
    db = sqlite3.connect(path)
    keyed = dict(db.execute("SELECT d.id, y.keyed FROM young_keys y JOIN docs d ON d.rowid = y.doc"))
    db.close()
    # The source, keyed at 1 document, was keyed again at 2, 4 and 8; none is keyed at under half of what the
    # index holds (each was keyed again before a page was added past twice its count).
    assert keyed["source"] == 8 and set(keyed) == {"source", *(f"later{k}" for k in range(9))}
    assert all(5 <= n <= 10 for n in keyed.values()), keyed


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_documents_keyed_past_the_young_bound_are_no_longer_kept(store, tmp_path, request, monkeypatch):
    for module in ("dedup.index.sqlite_reuse", "dedup.index.redis_maintenance", "dedup.index.redis_store"):
        monkeypatch.setattr(f"{module}.YOUNG_INDEX", 8)
    location = str(tmp_path / "young.db") if store == "sqlite" else \
        f"{request.getfixturevalue('redis_url')}?prefix=bound-{request.node.name}"
    with _grown(location, later=6) as index:  # 7 documents: all keyed under 8
        assert sorted(index.store.young_rows(10**6, 100)) == list(range(1, 8))
        assert index.stats()["documents_keyed_young"] == 7
        for k in range(6, 14):
            index.add(f"later{k}", _later(k))
        # 15 documents: those keyed at 7 or fewer were keyed again at 8 or more and left the set; the pages
        # added since were keyed at 8 or more to begin with.
        assert index.store.young_rows(10**6, 100) == [] and index.stats()["documents_keyed_young"] == 0
        assert index.verify() == []


def test_a_removed_document_leaves_no_young_row(location):
    with _grown(location, later=3) as index:
        rows = index.store.young_rows(10**6, 100)
        assert len(rows) == 4 and index.remove(["source"]).removed == ["source"]
        assert sorted(index.store.young_rows(10**6, 100)) == sorted(rows)[1:]  # the source was added first
        assert index.verify() == []
        assert index.add("later9", _later(9))


def test_a_version_7_file_gets_its_young_documents_on_its_first_write(tmp_path):
    path = tmp_path / "v7.db"
    with _grown(str(path), later=2) as index:
        assert len(index) == 3
    db = sqlite3.connect(path)
    with db:  # what dedup wrote at schema 7: no table of documents keyed young
        db.execute("DROP TABLE young_keys")
        db.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    db.close()
    with Index(str(path), within=False) as old:
        assert old.stats()["schema_version"] == 7 and old.store.young_rows(10**6, 100) == []
        assert old.add("later2", _later(2)) and old.stats()["schema_version"] == 8
        # The documents of the older file are taken as keyed at their row (as they were, added one at a time),
        # and keyed again as the others: the first two at 4 documents, before a fifth is added.
        assert _keyed(path) == {1: 1, 2: 2, 3: 3, 4: 4}
        assert old.add("later3", _later(3)) and _keyed(path) == {1: 4, 2: 4, 3: 3, 4: 4, 5: 5}
        assert old.verify() == []


def _keyed(path) -> dict[int, int]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT doc, keyed FROM young_keys"))
    finally:
        db.close()


def _stored_keys(index: Index, doc_id: str) -> set[int]:
    import numpy as np
    blob = index.store.db.execute("SELECT t.keys FROM texts t JOIN docs d ON d.rowid = t.doc WHERE d.id = ?",
                                  (doc_id,)).fetchone()[0]
    return set(np.frombuffer(blob, dtype="<i8").tolist())


def test_a_row_given_to_another_document_meanwhile_keeps_its_own_keys(tmp_path):
    """Writer A reads the texts of the young documents due, then writer B removes the newest and adds another
    page, which SQLite gives the row of a removed one: A's keys of the removed text were written on it (found by
    the reviewer of the change: a page quoting the newcomer found nothing)."""
    path = str(tmp_path / "race.db")
    with Index(path, within=False) as a, Index(path, within=False) as b:
        for k in range(10):
            assert a.add(f"page{k}", _later(k) if k % 2 else _join(_filler(900 + k, 3)))
        read = a.store.texts_of

        def texts_of(rows):
            found = read(rows)
            if 5 in rows and not b.store.row_of("newcomer"):  # A has read the due texts: B moves in between
                assert len(b.remove([f"page{k}" for k in range(4, 10)])) == 6
                assert b.add("newcomer", _join(_filler(950, 3) + [SOURCE]))
            return found

        a.store.texts_of = texts_of
        assert a.add("page10", _later(10))
        assert b.store.row_of("newcomer") == 5
        with Index(str(tmp_path / "alone.db"), within=False) as alone:  # the newcomer's own keys, by one writer
            assert alone.add("newcomer", _join(_filler(950, 3) + [SOURCE]))
            own = _stored_keys(alone, "newcomer")
        assert _stored_keys(a, "newcomer") == own and a.verify() == []


def test_young_rows_left_by_a_dedup_that_kept_none_are_let_go(redis_url, request):
    """A dedup from before the young documents were kept removes documents without taking them out of
    ``P:young``. Those rows, the earliest keyed, were read first by every later add and skipped, so the others
    were never keyed again, and ``verify`` failed for good (found by the reviewer of the change). Now an add
    lets them go."""
    location = f"{redis_url}?prefix=stray-{request.node.name}"
    with _grown(location, later=39) as index:
        young = index.store.r.zrange(index.store._key("young"), 0, -1, withscores=True)
        assert len(index.remove([f"later{k}" for k in range(34)]).removed) == 34  # 6 documents left
        index.store.r.zadd(index.store._key("young"), dict(young))  # as an older dedup leaves it
        assert index.verify() == ["34 documents keyed young that are not indexed"]
        survivors = {row: keyed for row, keyed in young if index.store.texts_of([int(row)])}
        for k in range(40, 120):
            assert index.add(f"later{k}", _later(k))
        assert index.verify() == []
        now = dict(index.store.r.zrange(index.store._key("young"), 0, -1, withscores=True))
        assert all(now[row] > keyed for row, keyed in survivors.items()), (survivors, now)
