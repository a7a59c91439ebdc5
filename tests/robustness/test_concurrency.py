"""Four processes adding (and removing) at once on one index (SQLite file, and Redis): nothing lost, nothing doubled."""

import multiprocessing

import pytest

from dedup import Index

from ..planted import planted_corpus
from ..test_index_stores import _clusters, _documents


@pytest.fixture(scope="module")
def corpus():
    return planted_corpus(seed=11, originals=30)


def _writer(location, records, start, step):
    with Index(location, batch_size=8) as index:
        index.add_many(_documents(records[start::step]))
        index.add_many(_documents(records[::5]))  # overlapping: every writer also adds the same fifth


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_four_processes_add_at_once_without_loss_or_doubles(corpus, tmp_path, store, request):
    records, expected = corpus
    location = (f"sqlite:///{tmp_path}/shared.db" if store == "sqlite"
                else f"{request.getfixturevalue('redis_url')}?prefix=concurrent")
    Index(location).close()  # created once, so the writers race on documents, not on the schema
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(location, records, k, 4)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=900)  # a guard against a hang only: four processes on a loaded 2-core machine are slow
        if w.is_alive():
            w.terminate()
        assert w.exitcode == 0, f"writer exit code {w.exitcode} (None: still running after 900 s)"
    with Index(location, within=False) as index:
        assert len(index) == len(records)
        assert {r["id"] for r in records} == {r["id"] for r in records if r["id"] in index}
        assert index.idf.n_docs == len(records)  # every document counted once in the IDF
    serial = f"sqlite:///{tmp_path}/serial.db"
    with Index(serial) as index:
        index.add_many(_documents(records))
    assert _clusters(location, records) == _clusters(serial, records) == {frozenset(c) for c in expected}


def _mixed_writer(location, records, old_ids, start, step):
    """Adds its share in chunks, removing some of each chunk right after (and ids never added), adds the
    overlapping fifth, then races the other writers to remove the same pre-existing documents."""
    mine = records[start::step]
    doomed = {r["id"] for r in records if _doomed(records.index(r))}
    with Index(location, batch_size=4, within=False) as index:
        for chunk in range(0, len(mine), 5):
            part = mine[chunk:chunk + 5]
            index.add_many(_documents(part))
            index.remove([r["id"] for r in part if r["id"] in doomed] + [f"ghost-{start}-{chunk}"])
        index.add_many(_documents(records[::5]))
        index.remove(old_ids)  # every writer removes these: each must be counted off once


def _doomed(i: int) -> bool:
    return i % 3 == 0 and i % 5 != 0  # never in the fifth every writer adds, so only its owner adds it


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_four_processes_add_and_remove_at_once(corpus, tmp_path, store, request):
    records, _ = corpus
    old, _ = planted_corpus(seed=3, originals=12)
    old = [dict(r, id=f"old-{r['id']}") for r in old]
    location = (f"sqlite:///{tmp_path}/mixed.db" if store == "sqlite"
                else f"{request.getfixturevalue('redis_url')}?prefix=mixed")
    with Index(location, within=False) as index:
        index.add_many(_documents(old))
    context = multiprocessing.get_context("spawn")
    old_ids = [r["id"] for r in old]
    writers = [context.Process(target=_mixed_writer, args=(location, records, old_ids, k, 4)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=900)  # a guard against a hang only
        if w.is_alive():
            w.terminate()
        assert w.exitcode == 0, f"writer exit code {w.exitcode} (None: still running after 900 s)"
    survivors = [r for i, r in enumerate(records) if not _doomed(i)]
    with Index(location, within=False) as index:
        assert index.verify() == []  # no stray rows or set members, document frequencies counted exactly
        assert len(index) == len(survivors) == index.idf.n_docs
        assert all(r["id"] in index for r in survivors) and not any(r["id"] in index for r in old)
        assert not any(r["id"] in index for i, r in enumerate(records) if _doomed(i))
    serial = f"sqlite:///{tmp_path}/serial-survivors.db"
    with Index(serial) as index:
        index.add_many(_documents(survivors))
    assert _clusters(location, survivors) == _clusters(serial, survivors)
