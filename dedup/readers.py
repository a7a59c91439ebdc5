"""Read input documents: files, folders of .txt/.md files, or stdin.

Every problem with one input becomes an ``InputError`` with a one-line
message naming the culprit; a batch reader yields it in place of the
document and moves on, so one bad file never costs the good ones.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

TEXT_SUFFIXES = (".txt", ".md")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """One input could not be read; ``str()`` is a one-line message naming it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class Document:
    """One input text and where it came from (a path, or ``-`` for stdin)."""

    id: str
    text: str


def decode(data: bytes, source: str) -> str:
    """Decode bytes as UTF-8 (BOM allowed) or BOM-marked UTF-16; refuse binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(source, f"invalid UTF-16 at byte {err.start}") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(source, f"binary file (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        raise InputError(source, f"not valid UTF-8 (byte 0x{bad} at offset {err.start})") from None


def _read_limited(stream: BinaryIO, source: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(source, f"larger than the {max_bytes:,}-byte limit (raise --max-bytes)")
    return data


def read_document(path: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None) -> Document:
    """Read one file (or ``-`` for stdin) as a ``Document``; raise ``InputError``."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = _read_limited(stream, "<stdin>", max_bytes)
        source = "-"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(path, "no such file or directory")
        if p.is_dir():
            raise InputError(path, "is a directory")
        try:
            with p.open("rb") as stream:
                data = _read_limited(stream, path, max_bytes)
        except PermissionError:
            raise InputError(path, "permission denied") from None
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        source = path
    text = decode(data, "<stdin>" if source == "-" else source)
    if not text.strip():
        raise InputError("<stdin>" if source == "-" else source, "empty (no text to scan)")
    return Document(id=source, text=text)


def expand(paths: list[str]) -> Iterator[str | InputError]:
    """Paths of the documents to read: files as given, folders walked for .txt/.md files."""
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                yield InputError(path, "directory holds no .txt or .md files")
            for f in found:
                yield str(f)
        else:
            yield path


def read_documents(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
                   stdin: BinaryIO | None = None) -> Iterator[Document | InputError]:
    """Each input as a ``Document``, or the ``InputError`` that stopped it."""
    for item in expand(paths):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            yield read_document(item, max_bytes=max_bytes, stdin=stdin)
        except InputError as err:
            yield err
