"""The dedup command line."""

import sys


def run() -> None:
    """The ``dedup`` command: ``main``, where a Ctrl-C while its modules load ends as click ends one later
    ("Aborted!", exit status 1), not with a traceback."""
    try:
        from dedup.cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    interrupt_on_termination()
    notes_for_own_warnings()
    if sys.stdout is None:  # >&-: click's echo then wrote nothing, and a command that printed only there said 0
        sys.stdout = ClosedOutput()
    elif (sys.stdout.encoding or "").lower().replace("-", "") != "utf8" and hasattr(sys.stdout, "reconfigure"):
        # A locale that is not UTF-8 (LC_ALL=C without Python's coercion, PYTHONIOENCODING=latin-1): reports and
        # cleaned text are UTF-8 (docs/cli.md), and a character the locale lacks stopped the run with a traceback.
        sys.stdout.reconfigure(encoding="utf-8")
    if hasattr(sys.stderr, "reconfigure"):  # messages name files and ids the locale may not spell
        sys.stderr.reconfigure(errors="backslashreplace")
    try:
        main()
    except MemoryError:  # one line, as every other error (a 79-line traceback; the temporary files are gone by now)
        sys.stderr.write("dedup: error: out of memory: run it with more memory, or on fewer or smaller inputs "
                         "(--max-bytes caps one input's size)\n")
        sys.exit(1)
    except OSError as err:
        if not _stdout_failed(err):
            raise
        # > /dev/full, >&-: one line, as the commands that write through ``atomic_output`` say it (a traceback
        # came from every other command's output, their --help and --version).
        sys.stderr.write(f"dedup: error: <stdout>: cannot write ({err.strerror or err})\n")
        sys.exit(1)


class ClosedOutput:
    """Standard output when the process was started without one: writing to it fails, as writing to a closed
    file does."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(9, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _stdout_failed(err: OSError) -> bool:
    """Whether ``err`` is standard output failing: closed, or raised by a write to it (a local of one of the
    innermost frames is the stream: click's echo, json's dump). What is left in its buffer is let go then
    (Python's exit would flush it once more, and print another error)."""
    if isinstance(sys.stdout, ClosedOutput):
        return True
    streams = {id(sys.stdout), id(getattr(sys.stdout, "buffer", None))}
    frames, tb = [], err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    if not any(id(value) in streams for frame in frames[-3:] for value in frame.f_locals.values()):
        return False
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return True


def interrupt_on_termination() -> None:
    """SIGTERM and SIGHUP (``timeout``, ``kill``, a closed terminal) handled as Ctrl-C is: a checkpoint saved, the
    temporary files and a half-written ``-o`` copy removed. They ended the process at once, leaving both behind.
    A signal the process was started ignoring (``nohup``) stays ignored."""
    import signal

    def as_interrupt(signum, frame) -> None:
        handler = signal.getsignal(signal.SIGINT)  # the scan's own while it saves checkpoints, else Python's
        if not callable(handler):  # Ctrl-C ignored (a shell's background job): the signal still ends the run
            raise KeyboardInterrupt
        handler(signum, frame)  # its own number: a Ctrl-C ignored at start stays ignored (``scanner``)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, as_interrupt)


def notes_for_own_warnings() -> None:
    """dedup's own warnings (``WorkersUnavailable``: no worker processes could start, the scan goes on in one) said
    as one ``dedup: note:`` line, as the commands say everything else, not as Python's two-line warning with the
    source line under it; other packages' warnings as Python shows them."""
    import warnings

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if category.__module__.startswith("dedup."):
            sys.stderr.write(f"dedup: note: {message}\n")
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
