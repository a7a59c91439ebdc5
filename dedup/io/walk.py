"""The files a folder given as input holds: walked recursively, links to folders followed (each real folder once,
so a link back up does not loop), and what cannot be read named rather than passed over."""

from __future__ import annotations

import os
from pathlib import Path


def walk_folder(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files under ``folder`` whose names end in one of ``suffixes`` (sorted), and ``(path, reason)`` for each
    that cannot be read: a folder that cannot be listed, a link to nothing, a FIFO or device with such a name.

    ``os.walk`` passed over all of these in silence (a linked folder's files, a dangling link): a scan lost
    them without a word. A folder reached twice (through a link) is walked once.
    """
    found: list[Path] = []
    problems: list[tuple[str, str]] = []

    def failed(err: OSError) -> None:
        reason = "permission denied" if isinstance(err, PermissionError) else f"cannot list ({err.strerror or err})"
        problems.append((err.filename or str(folder), reason))

    walked: set[str] = set()
    for root, folders, names in os.walk(folder, onerror=failed, followlinks=True):
        real = os.path.realpath(root)
        if real in walked:  # a second way into a folder already walked (or a link to a folder above it)
            folders[:] = []
            continue
        walked.add(real)
        for name in names:
            path = Path(root, name)
            if path.suffix.lower() not in suffixes:
                continue
            if path.is_file():
                found.append(path)
            elif path.is_symlink() and not path.exists():
                problems.append((str(path), "a link to nothing (its target is missing)"))
            else:
                problems.append((str(path), "not a regular file"))
    return sorted(found), problems
