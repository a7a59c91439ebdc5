"""Byte streams: what one holds, read from its first bytes (JSON Lines, plain or gzipped, or one text), and
its blank lines skipped.

A file says how to read it by its suffix (.jsonl, .ndjson, .gz); standard input and a pipe have none, so
``crawl | dedup index add db -`` read every record as one text document. A stream whose first non-blank
line opens a JSON object is read as JSON Lines instead. Only the bytes needed to decide are read, with
``read1`` (what the pipe holds now), so a scraper's first record is read as soon as it is written; they
are put back in front of the rest (``Prefixed``), and nothing is lost.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
import zlib
from typing import BinaryIO

from dedup.io.input_error import InputError

GZIP_MAGIC = b"\x1f\x8b"
# A JSON object's start: "{" then a key's quote or "}"; an RTF file ("{\rtf1") or a brace in prose is not one.
_OBJECT_START = re.compile(rb"\A\s*\{\s*[\"}]")
_UNDECIDED = re.compile(rb"\A\s*(\{\s*)?\Z")  # only blanks so far, or a "{" and blanks: read on
_GZIP_HEAD = 1 << 16  # compressed bytes read to find a gzipped stream's first characters
_SNIFF_LIMIT = 1 << 16  # blank bytes past which a stream is text: JSON Lines do not start so


def kind_of(head: bytes, at_end: bool = True) -> str | None:
    """``"jsonl"``, ``"jsonl.gz"`` or ``"text"`` for a stream starting with ``head``; None while the bytes
    so far cannot tell (``at_end``: nothing follows them, so they must)."""
    if head.startswith(GZIP_MAGIC):
        if not at_end and len(head) < _GZIP_HEAD:
            return None
        return "jsonl.gz" if _OBJECT_START.match(_inflated(head)) else "text"
    if not at_end and (len(head) < 2 or codecs.BOM_UTF8.startswith(head)):
        return None  # maybe the start of gzip's magic number or of a BOM
    body = head.removeprefix(codecs.BOM_UTF8)
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # JSON Lines in UTF-16: read as such, so the
        # reader refuses them in one line as it does a file (read as text, the records were one garbage document)
        body = body[:_SNIFF_LIMIT].decode("utf-16", "ignore").encode("utf-8")
    if _OBJECT_START.match(body):
        return "jsonl"
    if not at_end and _UNDECIDED.match(body) and len(head) < _SNIFF_LIMIT:
        return None
    return "text"


def _inflated(head: bytes) -> bytes:
    """The first characters a gzipped stream starting with ``head`` holds (none if it is not gzip)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, 4096).removeprefix(codecs.BOM_UTF8)
    except zlib.error:
        return b""


def sniff(stream: BinaryIO) -> tuple[str, BinaryIO]:
    """(``kind_of`` the stream, a buffered stream giving every byte of it from the first)."""
    head = b""
    while True:
        chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
        head += chunk
        kind = kind_of(head, at_end=not chunk)
        if kind is not None:
            return kind, io.BufferedReader(Prefixed(head, stream, ended=not chunk), 1 << 16)


class Prefixed(io.RawIOBase):
    """``head``, then what ``rest`` holds: a stream read from the start after its first bytes were read. Once
    ``rest`` has ended (``ended``: already when ``head`` was read) it is not read again: a terminal's stdin reads
    on after its end-of-file (Ctrl-D had to be pressed twice)."""

    def __init__(self, head: bytes, rest: BinaryIO, ended: bool = False) -> None:
        super().__init__()
        self.head, self.rest, self.ended = memoryview(head), rest, ended

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        if self.ended or not len(buffer):
            return 0
        # What the stream holds now, not a full buffer: a buffered stdin's readinto waits for 64 KB or the end
        # of the pipe, so a scraper's second record was answered only when the scraper closed it.
        if hasattr(self.rest, "readinto1"):
            n = self.rest.readinto1(buffer)
        elif hasattr(self.rest, "readinto"):
            n = self.rest.readinto(buffer)
        else:
            data = self.rest.read1(len(buffer)) if hasattr(self.rest, "read1") else self.rest.read(len(buffer))
            buffer[: len(data)] = data
            n = len(data)
        self.ended = n == 0
        return n


_BLANK_RUN = re.compile(rb"[ \t\r\n]*\n")  # blank lines, up to the last line end of the run


def skip_blank_lines(stream) -> tuple[int, int]:
    """Skip the blank lines at the stream's position in buffer-sized steps; the bytes and lines skipped."""
    skipped = lines = 0
    while True:
        ahead = stream.peek(1 << 16)
        blank = _BLANK_RUN.match(ahead)
        if blank is None:
            return skipped, lines
        stream.read(blank.end())
        skipped, lines = skipped + blank.end(), lines + ahead.count(b"\n", 0, blank.end())


def rereadable(path: str) -> bool:
    """Whether ``path`` can be read again: a regular file or a folder (or something missing, which is
    reported when read); not stdin, a pipe, a FIFO, a socket or a character device."""
    if path == "-":
        return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def standard_input(stdin: BinaryIO | None = None) -> BinaryIO:
    """``stdin`` if given, else the process's standard input as bytes; ``InputError`` when it is closed (``<&-``:
    Python then has no ``sys.stdin``, and reading it raised AttributeError)."""
    if stdin is not None:
        if not callable(getattr(stdin, "read", None)):  # a text field name given in its place, say
            raise TypeError(f"stdin must be a binary stream, got {type(stdin).__name__}")
        return stdin
    if sys.stdin is None:
        raise InputError("<stdin>", "standard input is closed")
    return sys.stdin.buffer


def record_size(line: bytes) -> int:
    """The bytes of a JSON Lines record, its line end (LF or CRLF) not counted: what ``--max-bytes`` limits. A
    record of the limit was refused when a line end followed it and kept as the file's last line, without one."""
    return len(line) - (2 if line.endswith(b"\r\n") else 1 if line.endswith(b"\n") else 0)
