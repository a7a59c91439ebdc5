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


@contextmanager
def cancelled_on_interrupt(spark_context) -> Iterator[threading.Event]:
    """Within the block, SIGINT (and SIGTERM, SIGHUP, which ``dedup.cli`` hands to the SIGINT handler) cancels
    the context's jobs; the block then ends with ``KeyboardInterrupt``, whatever error the cancelled call
    raised. A second signal raises at once. Outside the main thread (no signal reaches it) nothing changes.

    Parameters
    ----------
    spark_context : pyspark.SparkContext
        The context whose jobs a signal cancels.

    Returns
    -------
    threading.Event
        Set once a signal came (the block may look at it between its own calls).
    """
    interrupted, done = threading.Event(), threading.Event()
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
        if interrupted.is_set():
            raise KeyboardInterrupt
        interrupted.set()
        threading.Thread(target=cancel_until_done, name="dedup-spark-cancel", daemon=True).start()

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
