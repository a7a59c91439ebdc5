"""The processes of a corpus scan (``--jobs N``): this one and ``N - 1`` workers, shared by both passes.

Each worker holds the scan's ``BatchSigner`` (sent once, when the pool starts) and runs
module-level task functions that take it as their first argument, so a task pickles as a
reference plus its own data: a batch of texts, or a slice of LSH band keys. This process
reads the input and, whenever the workers have enough queued, computes a batch itself:
with two cores, two processes keep both busy, where this one plus two workers fought over them.

The pool starts when there is work for it, and no larger than that work and the machine allow
(``worker_count``): ``-j 64`` on one small file started 63 processes on a 2-core machine, and
``-j 100000`` ran the machine out of memory.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.pool
import os
import shutil
import signal
import tempfile
import threading
import warnings
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from threadpoolctl import threadpool_limits

from dedup.util import scratch
from dedup.util.allocator import keep_pages
from dedup.util.parcels import pack, unpack

if TYPE_CHECKING:
    from dedup.corpus.pass_one import BatchSigner

Tag = TypeVar("Tag")
# Scans holding BLAS at one thread, and the limit that restores it: overlapping scans in threads each restored what
# they found on entry, so the second put back the first's one thread for good.
_BLAS_LOCK = threading.Lock()
_BLAS_HELD: list[Any] = [0, None]


def _hold_blas(step: int) -> None:
    """One scan more (+1) or fewer (-1) holding BLAS at one thread: the first sets the limit, the last lifts it."""
    with _BLAS_LOCK:
        if step > 0 and _BLAS_HELD[0] == 0:
            _BLAS_HELD[1] = threadpool_limits(limits=1, user_api="blas")
        _BLAS_HELD[0] += step
        if _BLAS_HELD[0] == 0 and _BLAS_HELD[1] is not None:
            _BLAS_HELD[1].restore_original_limits()
            _BLAS_HELD[1] = None
_SIGNER: "BatchSigner | None" = None
_FOLDER: str | None = None  # where a worker writes its large results (``parcels``)
_PARENT = 0  # a worker's parent process, while it lives
_QUEUED = 2  # batches queued per worker: one running, one waiting
_WAITING = 8  # results held here behind an earlier one not yet back (a few MB each)
_TASKS_PER_PROCESS = 4  # pieces of a step per process at least, so that no process waits long for another
_LIVENESS_CHECK = 0.5  # seconds between looks at the workers while a result is awaited (not a time limit)
# Seconds the end of a pool waits for its queue's write lock: the pool's task thread holds it for one small message;
# past this, a dead worker is taken to hold it (a worker killed while it sent a result: rare, and then this long).
_LOCK_HANDOVER = 5.0


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def worker_count(jobs: int, tasks: int, cores: int | None = None) -> int:
    """The worker processes to start for ``tasks`` pieces of work under ``jobs`` processes: never more than
    the pieces this process does not take itself (``tasks - 1``), nor than the cores it may use leave
    (``cores - 1``, ``usable_cores`` by default): another process on a busy core only waits its turn."""
    cores = usable_cores() if cores is None else cores
    return max(0, min(jobs, cores, tasks) - 1)


class WorkersUnavailable(UserWarning):
    """The worker processes could not be started: the work runs in this process (the same results)."""


class Workers:
    """Up to ``jobs`` processes: this one and a pool of workers holding ``signer`` (none for one job).

    ``jobs`` is capped at the cores this process may use; the pool starts with the first ``ordered`` step
    that has more than one batch, with ``worker_count`` workers for it (``size``), and serves every later
    step of the scan.
    Use as a context manager; the pool stops on exit.
    """

    def __init__(self, jobs: int, signer: "BatchSigner") -> None:
        self.jobs = max(1, min(jobs, usable_cores()))  # processes at most, this one counted
        self.signer = signer
        self.pool = None
        self.processes: list = []
        self.size = 0  # worker processes started
        self.folder: str | None = None  # the workers' result files (``parcels``), while the pool runs
        self._blas_limit = None

    def __enter__(self) -> "Workers":
        # The scan's processes are its parallelism: a BLAS thread pool inside each (2 threads on 2 cores) only
        # contends with them. The reuse alignment's small products took 4x as long on a busy machine
        # (28 against 8 ms a pair of 1,200-word documents; docs/benchmarks.md); restored on exit.
        _hold_blas(+1)
        self._blas_limit = True
        return self

    def _start(self, tasks: int) -> None:
        """Start the pool for ``tasks`` pieces of work, unless it runs already or one process is enough."""
        if self.pool is not None:
            return
        size = worker_count(self.jobs, tasks)
        if size:
            try:
                self.folder = tempfile.mkdtemp(prefix=scratch.prefix("results"))
            except OSError:  # no temporary folder: results come down the pipe
                self.folder = None
            try:
                context = multiprocessing.get_context()
                self.pool = context.Pool(size, initializer=_init, initargs=(self.signer, self.folder))
            except OSError as err:  # no shared memory for its locks (a read-only /dev/shm in a container)
                self.jobs = 1  # the same results in this process: said once, never a traceback
                warnings.warn(f"cannot start worker processes ({err.strerror or err}): running in one",
                              WorkersUnavailable, stacklevel=2)
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)
                    self.folder = None
                return
            self.size = size
            self.processes = list(self.pool._pool)  # its workers as started: one that ends has died

    def __exit__(self, *exc) -> None:
        try:
            if self.pool is not None:
                pool, self.pool, self.size = self.pool, None, 0
                _end_workers(pool)
                try:
                    pool.terminate()
                    pool.join()
                except Exception:  # noqa: BLE001 - e.g. a killed worker's half-read task left in the queue (EOFError,
                    pass  # an unpickling error): the workers are gone and the results taken or given up
        finally:
            if self.folder is not None:  # results never taken (an error, Ctrl-C) leave with it
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None
            if self._blas_limit is not None:
                _hold_blas(-1)
                self._blas_limit = None

    def ordered(self, task: Callable[..., Any], items: Iterable[tuple[tuple, Tag]]) -> Iterator[tuple[Tag, Any]]:
        """``(tag, task(signer, *args))`` for each ``(args, tag)`` of ``items``, in order.

        Items go to the workers while each has fewer than two unfinished, and are computed here
        otherwise, and so is the last item while every worker is busy (a short input of two
        items sent both to the one worker); at most a few results wait here for an earlier one,
        so memory stays flat.
        """
        items = iter(items)
        if self.pool is None and self.jobs > 1:
            # How much work there is, up to one piece per process, before any worker is started for it.
            ahead = list(itertools.islice(items, self.jobs))
            self._start(len(ahead))
            items = itertools.chain(ahead, items)
        capacity = _QUEUED * self.size
        pending: deque = deque()  # [tag, AsyncResult or None, result], in order
        following = next(items, None)
        while following is not None:
            (args, tag), following = following, next(items, None)
            # Counted by what the workers have not finished, not by what was not yet taken back here:
            # otherwise a worker that finished early waits until its result reaches the front.
            unfinished = sum(1 for _, result, _ in pending if result is not None and not result.ready())
            if unfinished < capacity and (following is not None or unfinished < self.size):
                pending.append([tag, self.pool.apply_async(with_signer, (task, *args)), None])
            else:
                pending.append([tag, None, task(self.signer, *args)])
            while pending and (pending[0][1] is None or pending[0][1].ready() or len(pending) > capacity + _WAITING):
                tag_, result, value = pending.popleft()
                yield tag_, (value if result is None else self._taken(result))
        for tag_, result, value in pending:
            yield tag_, (value if result is None else self._taken(result))

    def task_size(self, items: int, most: int) -> int:
        """Items per task for a step of ``items`` items: at most ``most``, and small enough that each process
        gets several tasks. The restatement search of 45 documents was one task of 32 and one of 13, and
        the alignment of 265 pairs one of 256 and one of 9: one process did nearly all of the step while
        the other waited. Only where the pool runs already: a step does not start one for work it would
        have done in one or two tasks."""
        if self.jobs < 2 or self.pool is None:
            return max(1, most)
        return max(1, min(most, -(-items // (_TASKS_PER_PROCESS * self.jobs))))

    def split(self, task: Callable[..., Any], shares: list[tuple]) -> list[Any]:
        """``task(*share)`` for each share: the last computed here, the others in the workers.

        All here when no pool runs: a split (LSH bands, reuse keys) never starts one, since the scan's
        batches did not (one batch of input: work for this process alone)."""
        if self.pool is None or len(shares) < 2:
            return [task(*share) for share in shares]
        started = [self.pool.apply_async(packed, (task, *share)) for share in shares[:-1]]
        last = task(*shares[-1])
        return [self._taken(r) for r in started] + [last]

    def _taken(self, result) -> Any:
        """A task's result, waited for while the workers live: a worker that dies (killed for memory) takes its
        task with it, and ``multiprocessing.Pool`` starts another worker and waits for that task forever (a
        scan hung; with a checkpoint even Ctrl-C did not end it). A dead worker is ``WorkerLost``."""
        while True:
            try:
                return unpack(result.get(timeout=_LIVENESS_CHECK))
            except multiprocessing.TimeoutError:
                dead = [p for p in self.processes if p.exitcode is not None]
                if dead:
                    code = dead[0].exitcode
                    why = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                    raise WorkerLost(f"a worker process died ({why}{', out of memory?' if code == -9 else ''}); "
                                     "the scan stopped, nothing was written") from None


def _end_workers(pool) -> None:
    """End ``pool``'s workers by SIGKILL and free the queue locks they held, so that ``pool.terminate()`` cannot wait
    for ever. Its own SIGTERM came, now and then, between a worker's last check for signals and its wait for the
    queue's lock, which ``terminate`` holds: the handler (``_terminated``) never ran, and the scan hung at its end
    (6 runs of 40 of a small ``-j`` scan on a busy machine). A worker that died while it waited for a task (killed
    for memory, ``kill -9``) held the queue's read lock, and ``terminate`` waited for that lock too. No worker is
    started again, every worker is killed (the results are all taken or given up, and the result files leave with
    the pool's folder), and the locks, held by none of them now, are released if a dead one left them taken.
    (``multiprocessing.Pool``'s own parts: it offers no way to end a pool whose lock a dead process holds.)"""
    handler = pool._worker_handler
    handler._state = multiprocessing.pool.TERMINATE  # the handler starts no worker again
    pool._change_notifier.put(None)
    handler.join()
    for process in list(pool._pool):
        process.kill()
        process.join()
    # The read lock: an idle worker waits for its task holding it, so a killed one leaves it taken; no live process
    # takes it now. The write lock: a worker killed while it sent a result leaves it taken, but the pool's own task
    # thread, woken by the handler's end, takes it to send its last message: released under that thread, the lock
    # was released twice ("semaphore or lock released too many times", 1 scan of about 170), so it is waited for.
    for lock, wait in ((pool._inqueue._rlock, None), (pool._outqueue._wlock, _LOCK_HANDOVER)):
        if lock is not None:
            lock.acquire(block=wait is not None, timeout=wait)  # ours now, or still a dead worker's
            lock.release()


class WorkerLost(RuntimeError):
    """A worker process of a scan died mid-task (the kernel's out-of-memory killer, a signal): its work is lost."""


def with_signer(task: Callable[..., Any], *args: Any) -> Any:
    """Run ``task(signer, *args)`` in a worker, with the signer the pool started with."""
    assert _SIGNER is not None, "with_signer runs in a Workers pool's worker"
    return pack(task(_SIGNER, *args), _FOLDER)


def packed(task: Callable[..., Any], *args: Any) -> Any:
    """Run ``task(*args)`` in a worker, its result packed (``parcels.pack``) for ``Workers.split`` to take."""
    return pack(task(*args), _FOLDER)


def _init(signer: "BatchSigner", folder: str | None) -> None:
    # Ctrl-C, SIGTERM and SIGHUP sent to the whole process group (a terminal, ``timeout``, a closed terminal) are
    # the parent's to handle: it saves a checkpoint, then ends the pool. A worker that died of one while it waited
    # for a task took the pool's queue lock with it, and the parent's terminate() waited for that lock for ever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)  # ends the worker only once its parent is gone
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a parent gone: end quietly, not with a BrokenPipeError trace
    keep_pages()
    threadpool_limits(limits=1, user_api="blas")  # as in the scan's own process (``Workers.__enter__``)
    global _SIGNER, _FOLDER, _PARENT
    _SIGNER, _FOLDER, _PARENT = signer, folder, os.getppid()


def _terminated(signum: int, frame) -> None:
    """A worker's SIGTERM: sent to the whole group, it is left to the parent, which ends the pool in turn
    (``_end_workers``), unless the parent is gone (killed: nothing else would end the worker, which waits for a
    task for ever) or the worker is still starting; then it ends the worker, by an exception, so that the locks
    it holds are released on the way out."""
    if os.getppid() != _PARENT:
        raise SystemExit(128 + signum)
