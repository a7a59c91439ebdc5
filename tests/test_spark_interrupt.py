"""Ctrl-C and SIGTERM during a Spark job: the job cancelled, "Aborted!" in one line, no py4j traceback, and none of
the run's result folders left (they printed three tracebacks of py4j's before "Aborted!")."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dedup.corpus.spark_interrupt import Interrupt, cancelled_on_interrupt, started


class _Context:
    """Stands for a SparkContext: ``cancelAllJobs`` (called from the canceller's thread) is recorded."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()

    def cancelAllJobs(self) -> None:  # noqa: N802 (PySpark's name)
        self.cancelled.set()


# A call through py4j, as the handler tells one (by the module of a frame on the stack): it takes the signals
# given, then waits for the jobs' cancel and fails as a cancelled job's call does, or returns.
_PY4J = {"__name__": "py4j.java_gateway_stand_in"}
exec("def call(context, signals, fail):\n"
     "    import os\n"
     "    for signum in signals:\n"
     "        os.kill(os.getpid(), signum)\n"
     "    assert context.cancelled.wait(60)\n"
     "    if fail:\n"
     "        raise RuntimeError('Job 1 cancelled')\n"
     "    return 'returned'\n", _PY4J)


def test_a_signal_during_a_call_cancels_the_jobs_and_the_failed_call_ends_as_an_interrupt():
    context, before = _Context(), signal.getsignal(signal.SIGINT)  # PySpark's, after another module's session
    with pytest.raises(KeyboardInterrupt):
        with cancelled_on_interrupt(context) as interrupted:
            _PY4J["call"](context, [signal.SIGINT], fail=True)
    assert interrupted.is_set()
    assert signal.getsignal(signal.SIGINT) is before  # the handler before it, set back


def test_a_second_signal_during_a_call_waits_for_the_cancel_as_the_first():
    """Raised at once, the second broke py4j's connection mid-read (its tracebacks on stderr)."""
    context, after = _Context(), []
    with pytest.raises(KeyboardInterrupt):
        with cancelled_on_interrupt(context):
            after.append(_PY4J["call"](context, [signal.SIGINT, signal.SIGINT], fail=False))
    assert after == ["returned"]  # the call ran to its end; the interrupt came at the block's


def test_a_signal_between_calls_ends_the_run_there_and_errors_pass_unchanged_without_one():
    context, after = _Context(), []
    with pytest.raises(KeyboardInterrupt):
        with cancelled_on_interrupt(context):
            os.kill(os.getpid(), signal.SIGINT)
            after.append("ran on")
    assert not after and context.cancelled.wait(60)  # a job left running is cancelled all the same
    with pytest.raises(ValueError, match="a bad input"):
        with cancelled_on_interrupt(_Context()):
            raise ValueError("a bad input")


class _Session:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class _Builder:
    """Stands for ``SparkSession.builder``: a signal comes while Spark starts (PySpark waits for its JVM)."""

    def __init__(self, signals: list[int]) -> None:
        self.signals, self.session = signals, _Session()

    def getOrCreate(self) -> _Session:  # noqa: N802 (PySpark's name)
        for signum in self.signals:
            os.kill(os.getpid(), signum)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # PySpark sets its own as the context starts
        return self.session


def test_a_signal_while_spark_starts_stops_the_session_once_started():
    """Interrupted while PySpark waited for the JVM, the JVM was left running after dedup had ended."""
    builder, before = _Builder([signal.SIGINT, signal.SIGINT]), signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        started(builder)
    assert builder.session.stopped
    assert signal.getsignal(signal.SIGINT) is before
    quiet = _Builder([])
    assert started(quiet) is quiet.session and not quiet.session.stopped


HOLD_HOOK = '''
import os
if os.environ.get("DEDUP_TEST_HOLD"):  # this test's own switch: Spark's Python tasks wait, so a job is running
    from pathlib import Path
    import time

    import dedup.corpus.spark_rdd as spark_rdd

    batched = spark_rdd.batches

    def held(rows, size):
        folder = Path(os.environ["DEDUP_TEST_HOLD"])
        (folder / f"held-{os.getpid()}").write_text("")
        while not (folder / "release").exists():  # until the test ends (a cancelled task's worker is killed first)
            time.sleep(0.05)
        yield from batched(rows, size)

    spark_rdd.batches = held
'''


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_spark_job_aborts_in_one_line(tmp_path, signum):
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'dedup[spark]')")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark (apt-get install default-jre-headless; .ci/run does)")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{k}", "text": f"Page {k} says something of its own, {k} times."})
                              + "\n" for k in range(20)), encoding="utf-8")
    hook, hold = tmp_path / "hook", tmp_path / "hold"
    hook.mkdir()
    hold.mkdir()
    (hook / "sitecustomize.py").write_text(HOLD_HOOK, encoding="utf-8")
    paths = [str(hook)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "DEDUP_TEST_HOLD": str(hold),
           "PYSPARK_PYTHON": sys.executable}
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "dedup", "scan", str(corpus), "--engine", "spark",
                                "--spark-output", str(out), "-o", str(tmp_path / "summary.json")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 600  # a hang guard only: the event waited for is a task holding
        while not any(hold.glob("held-*")):
            assert process.poll() is None, process.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "no Spark task started"
            time.sleep(0.1)
        process.send_signal(signum)
        _, err = process.communicate(timeout=600)
    finally:
        (hold / "release").write_text("")
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 1, err[-3000:]
    assert err.rstrip().endswith("Aborted!") or "\nAborted!\n" in err, err[-3000:]
    assert "Traceback" not in err and "py4j" not in err and "ERROR:root" not in err, err[-3000:]
    assert not (tmp_path / "summary.json").exists()
    assert not [p.name for p in Path(out).glob("*")] if out.exists() else True


class _Frame:
    """Stands for a result DataFrame: ``write.mode(...).parquet(path)`` writes a part file, or runs ``fail``."""

    def __init__(self, fail=None) -> None:
        self.fail = fail
        self.write = self

    def mode(self, _):
        return self

    def parquet(self, path: str) -> None:
        Path(path).mkdir(parents=True)
        if self.fail:
            self.fail()
        (Path(path) / "part-00000.parquet").write_bytes(b"PAR1")


def test_folders_of_an_interrupted_run_are_removed_not_some_left(tmp_path, monkeypatch):
    """Interrupted between two result folders' writes: the folder already written goes too (a set of result
    folders is one run's, and the run did not finish); a job that fails without a signal leaves what it wrote."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'dedup[spark]')")
    from dedup.corpus import spark as engine
    from dedup.corpus.scanner import CorpusScanner

    interrupted = Interrupt()

    def cancelled():  # the second folder's job, cancelled by a Ctrl-C
        interrupted.set()
        raise RuntimeError("Job 2 cancelled")

    def failed():
        raise RuntimeError("No space left on device")

    monkeypatch.setattr(engine, "read_inputs", lambda *args: (None, {}))
    scanner = CorpusScanner(detector=None, reuse=False)
    for fail, expected in ((cancelled, "Job 2 cancelled"), (failed, "No space left")):
        result = engine.SparkScan(assignments=_Frame(), matches=_Frame(fail), stats={})
        monkeypatch.setattr(engine, "scan_dataframe", lambda *args, **kwargs: result)
        out = tmp_path / fail.__name__
        with pytest.raises(RuntimeError, match=expected):
            engine._scan_and_write(None, [], str(out), scanner, "text", "id", None, 0, [], interrupted)
        assert (out / "assignments").exists() == (fail is failed)
        assert (out / "matches").exists() == (fail is failed)
        interrupted = Interrupt()


def test_a_signal_while_the_earlier_runs_folders_are_removed_waits_for_all_of_them(tmp_path, monkeypatch):
    """Raised in the middle of the removal (the driver outside py4j), it left the earlier run's matches/ and
    reuse/ without its assignments/: a result set that never was (the reviewer of the round's fixes)."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'dedup[spark]')")
    from dedup.corpus import spark as engine
    from dedup.corpus.scanner import CorpusScanner

    out, earlier = tmp_path / "out", []
    for name in ("assignments", "matches", "reuse"):
        (out / name).mkdir(parents=True)
        (out / name / "part-00000.parquet").write_bytes(b"PAR1")
        earlier.append(str(out / name))
    removed, rmtree = [], shutil.rmtree

    def removing(folder, *args, **kwargs):
        rmtree(folder, *args, **kwargs)
        removed.append(folder)
        if len(removed) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C after the first folder

    monkeypatch.setattr(engine.shutil, "rmtree", removing)
    monkeypatch.setattr(engine, "read_inputs", lambda *args: (None, {}))
    result = engine.SparkScan(assignments=_Frame(), matches=_Frame(), stats={})
    monkeypatch.setattr(engine, "scan_dataframe", lambda *args, **kwargs: result)
    scanner = CorpusScanner(detector=None, reuse=False)
    with pytest.raises(KeyboardInterrupt):
        with cancelled_on_interrupt(_Context()) as interrupted:
            engine._scan_and_write(None, [], str(out), scanner, "text", "id", None, 0, earlier, interrupted)
    assert removed == earlier and not any(Path(folder).exists() for folder in earlier)
