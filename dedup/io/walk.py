"""The files a scan's inputs name: a folder given as input walked recursively, links to folders followed (each real
folder once, so a link back up does not loop), what cannot be read named rather than passed over, and a file met
twice read once."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from dedup.io.input_error import InputError, shown_path

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


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


def expand(paths: list[str]) -> Iterator[str | InputError]:
    """Paths of the documents to read: files as given, folders walked for .txt/.md/.html/.htm files.

    A folder that cannot be listed, or a file in one that cannot be read (a link to nothing), is an
    ``InputError`` (``Path.rglob`` passed over them in silence, losing their files without a word); links to
    folders are followed (``walk.walk_folder``). A file met again (a folder and a file of it, "./a.txt" and
    "a.txt", a link) is an ``InputError`` naming where it was first met: read twice, it was its own
    near-duplicate.
    """
    first: dict[tuple[int, int], str] = {}
    for item in _expanded(paths):
        key = file_key(item) if isinstance(item, str) and item != "-" else None
        if key is not None and key in first and _same_file(first[key], item):
            yield InputError(item, read_once(first[key], item), same_as=first[key])
            continue
        if key is not None:
            first[key] = item
        yield item


def read_once(first: str, path: str) -> str:
    """Why ``path``, a file already met as ``first``, is skipped (the local readers and Spark say it alike)."""
    said = "given twice" if first == path else f"the same file as {shown_path(first)}"
    return f"{said}, read once"


def _same_file(first: str, path: str) -> bool:
    """Whether ``first`` still names the file ``path`` names: a file read and then deleted (a crawler rotating its
    files) leaves its inode number to the next file made, which is another file."""
    try:
        return os.path.samefile(first, path)
    except (OSError, ValueError):
        return False


def file_key(path: str) -> tuple[int, int] | None:
    """(device, inode) of a regular file, which names it whatever the path; None for anything else (a pipe is read
    once as it is)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _expanded(paths: list[str]) -> Iterator[str | InputError]:
    named = {file_key(p) for p in paths if p != "-"} - {None}  # files named as arguments of their own
    for path in paths:
        if path != "-" and is_folder(path):
            found, problems = walk_folder(Path(path), TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES)
            unlisted = [InputError(where, reason) for where, reason in problems]
            # A folder's JSON Lines files are not read (its text files are its documents), but found: named, as a
            # skip, so records are never left out without a word (a folder of day files was scanned as empty).
            # One also named on its own is read as that argument, so not skipped (it was said skipped, exit 1).
            lines = [InputError(str(f), "JSON Lines in a folder is not read (a folder is walked for .txt, .md, "
                                ".html and .htm files): name the file to read it") for f in found
                     if is_jsonl(str(f)) and file_key(str(f)) not in named]
            found = [f for f in found if not is_jsonl(str(f))]
            yield from unlisted
            yield from lines
            if not found and not unlisted and not lines:
                yield InputError(path, "directory holds no .txt or .md files (nor .html or .htm)")
            for f in found:
                yield str(f)
        else:
            yield path


def is_folder(path: str) -> bool:
    """Whether ``path`` is a folder; False for a path that cannot be looked at (too long, say): reading it then
    names the reason."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_jsonl(path: str) -> bool:
    return path.lower().endswith(JSONL_SUFFIXES)
