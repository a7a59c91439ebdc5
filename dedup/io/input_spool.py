"""Inputs that cannot be read twice (stdin, pipes, FIFOs), saved to disk on the first read.

A corpus scan reads its inputs twice (pass two re-reads candidates; ``clean`` then reads what it
writes back; the HTML report reads the texts it shows). A pipe gives its bytes once: a second read
found it empty (no passages, nothing written) or, for a FIFO, waited forever. ``InputSpool`` copies
each such input into a private temporary folder, in bounded memory, and hands back the paths to read
instead, with the names the inputs keep in ids and messages.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from dedup.io.outputs import WriteError
from dedup.io.readers import InputError, standard_input
from dedup.io.streams import rereadable, sniff
from dedup.io.walk import is_jsonl
from dedup.util import scratch

_CHUNK = 1 << 20


class InputSpool:
    """Copies of the inputs that cannot be read twice, for as long as the ``with`` block lasts.

    Parameters
    ----------
    max_bytes : int
        A text input (one document) larger than this is not copied whole: the copy stops one byte past
        it, so reading it is refused as too large, as for a file. A JSON Lines input's limit is per record:
        a line longer is copied only to one byte past it (refused as too large just the same), unless
        ``whole_records``; a compressed one is copied whole, a chunk at a time.
    whole_records : bool, default=False
        Copy every JSON Lines record whole (``dedup clean`` writes a refused record back as it came in);
        a scan needs none past the limit, and an endless line (``cat /dev/zero``) filled the disk.
    stdin : binary stream, optional
        Standard input (default ``sys.stdin.buffer``).
    """

    def __init__(self, max_bytes: int, stdin: BinaryIO | None = None, whole_records: bool = False) -> None:
        self.max_bytes, self.stdin, self.whole_records = max_bytes, stdin, whole_records
        self.names: dict[str, str] = {}  # copy's path -> the input's name ("-" for stdin)
        self.folder: str | None = None

    def __enter__(self) -> "InputSpool":
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)  # our own temporary folder, made by mkdtemp

    def paths(self, paths: list[str]) -> list[str]:
        """``paths`` with each input that cannot be read twice replaced by its copy."""
        return [path if rereadable(path) else self._copy(path, n) for n, path in enumerate(paths)]

    def _copy(self, path: str, n: int) -> str:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix=scratch.prefix("inputs"))
        try:
            opened = standard_input(self.stdin) if path == "-" else open(path, "rb")
        except (OSError, InputError):
            return path  # left as it is: reading it names the input and the reason, as for any other
        # The copy keeps the input's file name, so its suffix still says how to read it (.jsonl, .gz, .html);
        # one without a JSON Lines suffix is JSON Lines when its first bytes say so (``sniff``).
        name, source = "stdin" if path == "-" else Path(path).name or "input", opened
        if not is_jsonl(path):
            kind, source = sniff(opened)
            name += "" if kind == "text" else f".{kind}"
        target = Path(self.folder, str(n), name)
        target.parent.mkdir()
        jsonl = is_jsonl(name)
        try:
            with open(target, "wb") as out:
                if jsonl and not name.lower().endswith(".gz") and not self.whole_records:
                    _copy_lines(source, out, self.max_bytes + 2)
                else:
                    _copy_stream(source, out, None if jsonl else self.max_bytes + 1)
        except OSError as err:  # a full disk, a file size limit: one line naming the copy, not a traceback
            raise WriteError(f"{'standard input' if path == '-' else path}'s copy in {self.folder}", err) from None
        finally:
            if path != "-":
                opened.close()
        self.names[str(target)] = path
        return str(target)


def _copy_lines(source: BinaryIO, out: BinaryIO, longest: int) -> None:
    """Copy ``source``'s lines, each cut to its first ``longest`` bytes (the record limit and a CR, and one more:
    a cut line is still refused as too large, at the same line number), a chunk at a time."""
    line = 0  # bytes of the current line seen so far
    while chunk := source.read(_CHUNK):
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            body_end = len(chunk) if end < 0 else end
            room = longest - line
            if room > 0:
                out.write(chunk[start:min(body_end, start + room)])
            line += body_end - start
            if end < 0:
                break
            out.write(b"\n")
            line, start = 0, end + 1


def _copy_stream(source: BinaryIO, out: BinaryIO, limit: int | None) -> None:
    left = limit
    while left is None or left > 0:
        chunk = source.read(_CHUNK if left is None else min(_CHUNK, left))
        if not chunk:
            return
        out.write(chunk)
        if left is not None:
            left -= len(chunk)
