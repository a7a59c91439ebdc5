"""Ctrl-C and SIGTERM during a Spark job: the jobs cancelled, then the run ended as the local scan ends one.

PySpark's own SIGINT handler calls ``cancelAllJobs`` from inside the signal handler, on the py4j connection the
interrupted call is still reading: py4j logged two or three tracebacks ("reentrant call inside
<_io.BufferedReader>") before ``Aborted!``. Here the handler only sets a flag and cancels from another thread
(py4j gives each thread its own connection); the interrupted call then fails with the cancelled job's error,
which is said as the interrupt it is.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

_RECANCEL_SECONDS = 0.5  # a job submitted between two cancels (the driver was between calls) is cancelled too


class Interrupt:
    """What ``cancelled_on_interrupt`` yields: whether a signal came (``is_set``), and ``held`` blocks, where one
    waits until the block is done (the earlier run's folders removed: cut off between two, a mix was left)."""

    def __init__(self) -> None:
        self._came = threading.Event()
        self.holding = False

    def is_set(self) -> bool:
        return self._came.is_set()

    def set(self) -> None:
        self._came.set()

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.is_set():
            raise KeyboardInterrupt


@contextmanager
def cancelled_on_interrupt(spark_context) -> Iterator[Interrupt]:
    """Within the block, SIGINT (and SIGTERM, SIGHUP, which ``dedup.cli`` hands to the SIGINT handler) cancels
    the context's jobs; the block then ends with ``KeyboardInterrupt``, whatever error the cancelled call
    raised, or at once where the signal finds the driver outside py4j. A second signal during a call waits as
    the first does. Outside the main thread (no signal reaches it) nothing changes.

    Parameters
    ----------
    spark_context : pyspark.SparkContext
        The context whose jobs a signal cancels.

    Returns
    -------
    Interrupt
        Set once a signal came (the block may look at it between its own calls, and hold one off).
    """
    interrupted, done = Interrupt(), threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def cancel_until_done() -> None:
        while True:
            try:
                spark_context.cancelAllJobs()
            except Exception:  # the gateway is going away with the process: nothing left to cancel
                return
            if done.wait(_RECANCEL_SECONDS):
                return

    def on_signal(signum, frame) -> None:
        first = not interrupted.is_set()
        interrupted.set()
        if first:
            threading.Thread(target=cancel_until_done, name="dedup-spark-cancel", daemon=True).start()
        if not _in_py4j(frame) and not interrupted.holding:  # between calls to Spark: the run ends here
            raise KeyboardInterrupt
        # Inside one, raised it broke py4j's connection mid-read (its tracebacks, and a cancelled write's tasks
        # still running while the run's folders were removed); a second signal waits for the cancel as the first.

    previous = signal.signal(signal.SIGINT, on_signal)
    try:
        yield interrupted
    except Exception:
        if interrupted.is_set():  # the cancelled job's error (Py4JJavaError ...): the interrupt is the cause
            raise KeyboardInterrupt from None
        raise
    finally:
        done.set()
        signal.signal(signal.SIGINT, previous)
    if interrupted.is_set():  # the signal came while the driver was between calls that all returned
        raise KeyboardInterrupt


def _in_py4j(frame) -> bool:
    """Whether ``frame`` (where a signal found the main thread) is inside a call through py4j."""
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("py4j."):
            return True
        frame = frame.f_back
    return False


def started(builder):
    """``builder.getOrCreate()``, a signal during Spark's start held until it has started: the session is then
    stopped and ``KeyboardInterrupt`` raised. Interrupted while PySpark waited for its JVM, the run ended and the
    JVM (spark-submit) was left running, an orphan writing Spark's log to the terminal."""
    if threading.current_thread() is not threading.main_thread():
        return builder.getOrCreate()
    came: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        spark = builder.getOrCreate()
    finally:
        signal.signal(signal.SIGINT, previous)  # also over PySpark's own, set as the context starts
    if came:
        spark.stop()
        raise KeyboardInterrupt
    return spark
