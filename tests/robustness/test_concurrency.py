"""Four processes adding to one index at once (SQLite file, and Redis): nothing lost, nothing doubled."""

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
