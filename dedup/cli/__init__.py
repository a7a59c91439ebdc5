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
    main()


def interrupt_on_termination() -> None:
    """SIGTERM and SIGHUP (``timeout``, ``kill``, a closed terminal) handled as Ctrl-C is: a checkpoint saved, the
    temporary files and a half-written ``-o`` copy removed. They ended the process at once, leaving both behind.
    A signal the process was started ignoring (``nohup``) stays ignored."""
    import signal

    def as_interrupt(signum, frame) -> None:
        handler = signal.getsignal(signal.SIGINT)  # the scan's own while it saves checkpoints, else Python's
        if not callable(handler):  # Ctrl-C ignored (a shell's background job): the signal still ends the run
            raise KeyboardInterrupt
        handler(signal.SIGINT, frame)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, as_interrupt)
