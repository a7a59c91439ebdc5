"""``InputError``: one input that could not be read, named in one line; and ``shown_path``, how a path is named."""

from __future__ import annotations

import os

from dedup.util.validate import lone_surrogate


def shown_path(path: str) -> str:
    """``path`` as it is named in ids, messages and reports: text any UTF-8 writer takes.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as lone surrogates (PEP 383);
    written out they stopped the whole batch (a JSON or SQLite writer refuses them), or went out as raw
    bytes. They are named as ``\\xff`` escapes instead; the file itself is still opened by its real path.
    """
    if lone_surrogate(path) is None:
        return path
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte (typed as one): its own escape
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


class InputError(Exception):
    """One input could not be read; ``str()`` is a one-line message naming it."""

    def __init__(self, source: str, reason: str, line: bytes | None = None, path: str | None = None,
                 span: tuple[str, int, int] | None = None, after: int = 0, same_as: str | None = None) -> None:
        source = shown_path(source)  # it is listed in the reports too (the JSON's skipped inputs)
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        # What ``dedup clean`` writes in its place, as it came in (a skipped record is not lost from the output):
        # the JSON Lines record's bytes (``read_jsonl``'s ``lines``), or the file that could not be read.
        # or, for a record too large to hold, where its bytes are: (file, start, end), copied a chunk at a time.
        self.line = line
        self.path = path
        self.span = span
        # A file cut off after this many lines, whose records before the cut were read (0: none was).
        self.after = after
        # A file given again under another name (``walk.expand``): read once, as this one.
        self.same_as = same_as
