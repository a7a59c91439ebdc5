"""A worker's large results come back through a file in the pool's private folder (``dedup.util.parcels``)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from dedup.corpus.pass_one import SignedBatch
from dedup.corpus.scanner import CorpusScanner
from dedup.io.readers import Document
from dedup.util import parcels, workers
from dedup.util.parcels import Parcel, pack, unpack


def _batch(n: int) -> SignedBatch:
    rng = np.random.default_rng(n)
    keys = rng.integers(0, 2**63, size=(n * 3, 9), dtype=np.uint64)
    return SignedBatch(signatures=rng.integers(0, 2**32, size=(n, 128), dtype=np.uint32),
                       sizes=np.arange(n, dtype=np.int32), lengths=np.arange(n, dtype=np.int32) * 2,
                       paragraphs=np.full(n, 3, np.int32), fingerprints=keys[:, 0].copy(),
                       paragraph_tokens=np.arange(n * 3, dtype=np.int32), paragraph_keys=keys[:, ::2],  # not contiguous
                       buckets=np.arange(n * 7, dtype=np.int32), restate=np.zeros(n, np.uint8))


def _same(a: SignedBatch, b: SignedBatch) -> None:
    for name in ("signatures", "sizes", "lengths", "paragraphs", "fingerprints", "paragraph_tokens",
                 "paragraph_keys", "buckets", "restate"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.reuse is None and b.reuse is None


def test_a_large_result_goes_through_a_file_that_unpack_reads_and_removes(tmp_path):
    batch = _batch(400)
    parcel = pack(batch, str(tmp_path))
    assert isinstance(parcel, Parcel) and os.path.exists(parcel.path)
    assert os.path.getsize(parcel.path) == sum(parcel.lengths) >= parcels.MIN_BYTES
    # The contiguous arrays' bytes are in the file; a strided view is pickled whole, as pickle does it.
    assert len(parcel.pickled) < batch.paragraph_keys.nbytes + 4096
    back = unpack(parcel)
    _same(back, batch)
    assert not os.path.exists(parcel.path) and os.listdir(tmp_path) == []
    back.signatures[0, 0] += 1  # arrays of their own, writable


def test_a_small_result_no_folder_or_no_room_comes_back_as_it_is(tmp_path):
    small = _batch(2)
    assert pack(small, str(tmp_path)) is small and os.listdir(tmp_path) == []
    large = _batch(400)
    assert pack(large, None) is large
    assert pack(large, str(tmp_path / "gone")) is large  # the write fails: the pipe, as before
    assert unpack(large) is large and unpack(None) is None


def test_a_truncated_result_file_is_an_error_not_wrong_arrays(tmp_path):
    parcel = pack(_batch(400), str(tmp_path))
    with open(parcel.path, "r+b") as file:
        file.truncate(sum(parcel.lengths) - 8)
    with pytest.raises(OSError, match="ended early"):
        unpack(parcel)
    assert not os.path.exists(parcel.path)


def _sign_in_worker(signer, n: int) -> tuple[int, SignedBatch]:
    return os.getpid(), _batch(n)


def _sizes(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def test_workers_hand_back_large_results_through_their_folder_and_remove_it(monkeypatch):
    monkeypatch.setattr(workers, "usable_cores", lambda: 2)  # a pool even on a one-core machine
    seen: list[bool] = []

    def noting(value):
        seen.append(isinstance(value, Parcel))
        return unpack(value)

    monkeypatch.setattr(workers, "unpack", noting)
    with workers.Workers(2, CorpusScanner(detector=None).signer) as pool:
        results = list(pool.ordered(_sign_in_worker, [((n,), n) for n in (300, 301, 302, 303, 304, 305)]))
        folder = pool.folder
        assert folder is not None and os.path.isdir(folder) and os.listdir(folder) == []  # each read is removed
        assert [s.tolist() for s in pool.split(_sizes, [(9000,), (9001,)])] == [list(range(9000)), list(range(9001))]
    assert not os.path.exists(folder)
    assert [tag for tag, _ in results] == [300, 301, 302, 303, 304, 305]
    for n, (pid, batch) in results:
        _same(batch, _batch(n))
    assert any(pid != os.getpid() for _, (pid, _) in results)  # some were the worker's ...
    assert seen and all(seen)  # ... and every worker result came through a file


def test_a_scan_with_a_worker_reports_what_one_process_reports():
    texts = [f"Report {i}: the council met on day {i % 7} and voted on the harbour budget.\n\n"
             f"Residents {i % 5} said the vote on day {i % 7} was close."
             + ("\n\nThe harbour authority approved a new ferry terminal with forty berths, a cargo yard and a "
                "car park beside the old fish market." if i % 10 == 0 else "") for i in range(120)]
    docs = [Document(id=f"d{i:03d}", text=text) for i, text in enumerate(texts)]
    one = CorpusScanner(detector=None, batch_size=16, jobs=1).scan(docs)
    two = CorpusScanner(detector=None, batch_size=16, jobs=2).scan(docs)
    assert [c.members for c in one.clusters] == [c.members for c in two.clusters]
    assert one.passages == two.passages and len(one.passages) > 0
    assert one.reuse == two.reuse


@pytest.mark.parametrize("jobs, items, most, size", [
    (1, 45, 32, 32),  # one process: the largest task
    (None, 45, 32, 32),  # two jobs but no pool running: no pool started for a step's few tasks
    (2, 45, 32, 6),  # 8 tasks: each process gets several
    (2, 265, 256, 34),  # the alignment of 265 pairs was one task of 256 and one of 9
    (2, 10_000, 256, 256),
    (2, 0, 32, 1),
    (4, 3, 32, 1),
])
def test_a_step_is_cut_into_several_tasks_per_process(monkeypatch, jobs, items, most, size):
    monkeypatch.setattr(workers, "usable_cores", lambda: 8)
    pool = workers.Workers(jobs or 2, None)
    if jobs is not None:
        pool.pool = object()  # as if running (a step cuts its work only then)
    assert pool.task_size(items, most) == size


_PARENT = os.getpid()


def _die_in_a_worker(signer, n):
    if os.getpid() != _PARENT:
        os._exit(9)  # as the kernel's out-of-memory killer ends a process: no result, no exception
    return n


def _die_in_a_worker_share(n):
    return _die_in_a_worker(None, n)


def test_a_worker_that_dies_ends_the_step_instead_of_hanging(monkeypatch):
    """Found by trying it: a worker killed mid-task left ``Pool`` waiting for its task forever (the scan hung; with
    a checkpoint Ctrl-C did not end it). Each way of waiting for a worker now raises ``WorkerLost``."""
    monkeypatch.setattr(workers, "usable_cores", lambda: 2)  # a pool even on a one-core machine

    def hung(*_):  # a guard against the hang itself, however slow the machine: never reached when it works
        raise TimeoutError("still waiting for a dead worker's task")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(600)
    try:
        with workers.Workers(2, CorpusScanner(detector=None).signer) as pool:
            with pytest.raises(workers.WorkerLost, match="a worker process died"):
                list(pool.ordered(_die_in_a_worker, [((n,), n) for n in range(8)]))
        with workers.Workers(2, CorpusScanner(detector=None).signer) as pool:
            list(pool.ordered(_sign_in_worker, [((n,), n) for n in (300, 301, 302)]))  # the pool started, alive
            with pytest.raises(workers.WorkerLost):
                pool.split(_die_in_a_worker_share, [(1,), (2,)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
