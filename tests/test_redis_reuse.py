"""The reuse search's records (texts as added, reuse keys) on both stores: written with a batch, read back
alike, and removed with their document (SQLite, and a real ``redis-server``: ``redis_url`` in conftest)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dedup.index.params import DEFAULTS
from dedup.index.store import NewDocuments
from dedup.index.stores import open_store

TEXTS = ["Line one\r\nLine two\r\n", "\ufeffBOM first, then caf\u00e9 \u4e2d\u6587 \U0001f600 and \u00a0nbsp",
         "plain ascii\n\nsecond paragraph", ""]
IDS = ["crlf", "bom", "plain", "empty"]
# (key, document) rows: key 7 held by three documents, key -5 by two, key 2**62 by one; "empty" holds none.
KEYS = np.array([7, -5, 7, 1 << 62, 7, -5, 11], dtype=np.int64)
OWNER = np.array([0, 0, 1, 1, 2, 2, 2], dtype=np.int64)


def _batch(texts=TEXTS, ids=IDS, keys=KEYS, owner=OWNER) -> NewDocuments:
    """A minimal hand-built batch: a paragraph, two band keys and one term bucket per document."""
    n = len(ids)
    doc = np.arange(n, dtype=np.int64)
    bucket = doc + 1
    terms = [np.array([b], "<u4").tobytes() + np.array([1], "<u2").tobytes() for b in bucket.tolist()]
    return NewDocuments(
        ids=list(ids), paragraphs=np.ones(n, dtype=np.int64), shingles=[np.array([i], "<u4").tobytes() for i in doc],
        terms=terms, band_keys=np.stack([doc + 100, doc + 200], axis=1), banded=np.ones(n, dtype=bool),
        para_owner=doc, para_number=np.zeros(n, dtype=np.int64), para_fingerprint=doc * 1000 + 1,
        para_terms=terms, para_snippets=[f"snippet {i}" for i in range(n)],
        para_keys=np.stack([doc + 300, doc + 400], axis=1), para_banded=np.ones(n, dtype=bool),
        df_owner=doc, df_bucket=bucket, dates=[None] * n, texts=list(texts), reuse_keys=keys, reuse_owner=owner)


@pytest.fixture
def stores(tmp_path, redis_url, request):
    opened = []
    for location in (f"sqlite:///{tmp_path}/reuse.db", f"{redis_url}?prefix=reuse-{request.node.name}"):
        store = open_store(location)
        store.open({}, DEFAULTS)
        opened.append(store)
    yield opened
    for store in opened:
        store.close()


def _pairs(store, keys, max_bucket):
    found_keys, found_docs = store.documents_with_reuse_keys(keys, max_bucket)
    assert found_keys.dtype == np.int64 and found_docs.dtype == np.int64
    return list(zip(found_keys.tolist(), found_docs.tolist()))


def test_texts_and_reuse_keys_round_trip_and_are_removed_alike(stores):
    answers = []
    for store in stores:
        assert store.insert(_batch()) == 4
        rows = {doc_id: store.row_of(doc_id) for doc_id in IDS}
        texts = store.texts_of(list(rows.values()) + [999_999])
        assert texts == {rows[d]: (d, t) for d, t in zip(IDS, TEXTS)}  # exact: CRLF, BOM, non-ASCII, empty
        by_row = {row: doc_id for doc_id, row in rows.items()}
        every = [7, -5, 1 << 62, 11, 12345]
        named = lambda pairs: [(key, by_row[row]) for key, row in pairs]  # noqa: E731
        wide = named(_pairs(store, every, 10))
        assert sorted(wide) == sorted([(7, "crlf"), (7, "bom"), (7, "plain"), (-5, "crlf"), (-5, "plain"),
                                       (1 << 62, "bom"), (11, "plain")])
        narrow = named(_pairs(store, every, 2))
        assert all(key != 7 for key, _ in narrow) and len(narrow) == 4  # key 7 is held by 3 > 2 documents
        assert _pairs(store, [], 2) == [] and _pairs(store, [12345], 2) == []
        stats = store.stats()
        assert stats["documents_with_text"] == 4 and stats["reuse_key_rows"] == 7
        assert store.verify() == []

        assert store.delete(["plain"]) == ["plain"]
        after = named(_pairs(store, every, 2))
        assert sorted(after) == sorted([(7, "crlf"), (7, "bom"), (-5, "crlf"), (1 << 62, "bom")])
        assert rows["plain"] not in store.texts_of(list(rows.values()))
        stats = store.stats()
        assert stats["documents_with_text"] == 3 and stats["reuse_key_rows"] == 4
        assert store.verify() == []
        answers.append((wide, narrow, after))
    assert answers[0] == answers[1]  # the same rows, in the same order, on both stores


def test_documents_stored_without_reuse_records_take_no_part(stores):
    for store in stores:
        old = _batch(ids=["old"], texts=["x"], keys=KEYS[:0], owner=OWNER[:0])
        assert store.insert(replace(old, texts=None, reuse_keys=None, reuse_owner=None)) == 1
        assert store.insert(_batch()) == 4
        row = store.row_of("old")
        assert store.texts_of([row]) == {} and all(r != row for _, r in _pairs(store, [7, -5, 11], 10))
        stats = store.stats()
        assert stats["documents_with_text"] == 4 and stats["reuse_key_rows"] == 7
        assert sorted(store.delete(["old", "bom"])) == ["bom", "old"] and store.verify() == []
        assert store.stats()["reuse_key_rows"] == 5


def test_redis_verify_reports_reuse_key_sets_pointing_at_no_document(redis_url):
    import redis

    location = f"{redis_url}?prefix=reuse-stray"
    store = open_store(location)
    try:
        store.open({}, DEFAULTS)
        store.insert(_batch())
        redis.Redis.from_url(redis_url).sadd("reuse-stray:rk:7", 424242)
        assert store.verify() == ["1 reuse key set members pointing at no document or paragraph"]
    finally:
        store.close()


def test_sentence_forms_are_counted_and_removed_alike(stores):
    # Form 3 held by three documents, -9 by two, 1 << 62 by one (page furniture, ``reuse.furniture``).
    forms, owner = np.array([3, -9, 3, 1 << 62, 3, -9], dtype=np.int64), np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
    answers = []
    for store in stores:
        assert store.insert(replace(_batch(), reuse_forms=forms, form_owner=owner)) == 4
        rows = {doc_id: store.row_of(doc_id) for doc_id in IDS}
        asked = [3, -9, 1 << 62, 5]
        held = [store.furniture_forms(asked, limit, -1).tolist() for limit in (0, 1, 2, 3)]
        assert held == [[3, -9, 1 << 62], [3, -9], [3], []]
        assert store.furniture_forms(asked, 1, rows["crlf"]).tolist() == [3]  # its own entry left out
        assert store.stats()["reuse_form_rows"] == 6 and store.verify() == []
        assert store.delete(["plain"]) == ["plain"]
        after = store.furniture_forms(asked, 1, -1).tolist()
        assert after == [3] and store.stats()["reuse_form_rows"] == 4 and store.verify() == []
        answers.append((held, after))
    assert answers[0] == answers[1]


def test_redis_verify_reports_sentence_form_sets_pointing_at_no_document(redis_url):
    import redis

    location = f"{redis_url}?prefix=form-stray"
    store = open_store(location)
    try:
        store.open({}, DEFAULTS)
        store.insert(_batch())
        redis.Redis.from_url(redis_url).sadd("form-stray:rf:3", 424242)
        assert store.verify() == ["1 sentence form set members pointing at no document or paragraph"]
    finally:
        store.close()
