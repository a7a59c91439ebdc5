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
    main()
