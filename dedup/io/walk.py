"""The files a folder given as input holds: walked recursively, links to folders followed (each real folder once,
so a link back up does not loop), and what cannot be read named rather than passed over."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def walk_folder(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files under ``folder`` whose names end in one of ``suffixes`` (sorted), and ``(path, reason)`` for each
    that cannot be read: a folder that cannot be listed, a link to nothing or a loop of links, a FIFO or device
    with such a name.

    ``os.walk`` passed over all of these in silence (a linked folder's files, a dangling link): a scan lost
    them without a word; and it recursed, so a tree a thousand folders deep stopped the scan with a traceback.
    The walk keeps its own stack. A folder reached twice is walked once, by its own path when the tree holds
    it: every folder reached without a link is walked before those reached through one (the listing's order
    decided which path named its files).
    """
    found: list[Path] = []
    problems: list[tuple[str, str]] = []
    walked: set[str] = set()
    direct, linked = [Path(folder)], []
    while direct or linked:
        current = direct.pop() if direct else linked.pop(0)
        real = os.path.realpath(current)
        if real in walked:  # a second way into a folder already walked (or a link to a folder above it)
            continue
        walked.add(real)
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as err:
            reason = "permission denied" if isinstance(err, PermissionError) else f"cannot list ({err.strerror})"
            problems.append((err.filename or str(current), reason))
            continue
        for entry in entries:
            path = Path(current, entry.name)
            if _is_folder(entry):
                (linked if entry.is_symlink() else direct).append(path)
            elif entry.name.lower().endswith(suffixes):
                _file(entry, path, found, problems)
    return sorted(found), problems


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _file(entry: os.DirEntry, path: Path, found: list[Path], problems: list[tuple[str, str]]) -> None:
    """``path`` into ``found`` when it is a regular file (or a link to one), else named in ``problems``."""
    try:
        if entry.is_file():
            found.append(path)
            return
        os.stat(path)
    except OSError as err:  # a link to nothing, or to a link back to itself
        loop = err.errno == errno.ELOOP
        problems.append((str(path), "a loop of links" if loop else "a link to nothing (its target is missing)"))
        return
    problems.append((str(path), "not a regular file"))
