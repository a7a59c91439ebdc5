"""What the inputs of a scan were, cheaply, so that a resumed scan can tell they changed since.

A checkpoint stands for the documents read so far; resumed on inputs that changed since, it mixes
documents of the old files with those of the new ones (a file cut to 100 lines was reported with the
1,312 documents it had held). Each file a scan reads is fingerprinted when the scan starts: its
resolved path, size, modification time and inode, and a digest of its first and last 64 KiB
(a same-size rewrite with the modification time put back is caught when it touches either end; the
whole file is not read, so that starting or resuming a scan of a large file stays cheap).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from typing import Any

from dedup.io.input_error import InputError
from dedup.io.walk import expand

_ENDS = 64 * 1024  # bytes digested at each end of a file

Fingerprint = dict[str, Any]  # JSON-ready, as a checkpoint keeps it


def fingerprint_inputs(paths: list[str]) -> list[Fingerprint]:
    """One fingerprint per file the scan reads, in reading order (folders walked as the readers walk them).

    A folder's files are listed one by one, so a file added to or removed from it is a change too.
    """
    found: list[Fingerprint] = []
    for item in expand(list(paths)):
        if isinstance(item, InputError) and item.same_as is not None:
            continue  # a file met again under another name: its first name's fingerprint stands for it
        if isinstance(item, InputError):  # a folder that could not be listed, or held nothing to read
            found.append({"input": os.path.abspath(item.source), "unreadable": item.reason})
        else:
            found.append(_fingerprint(item))
    return found


def _fingerprint(path: str) -> Fingerprint:
    name = os.path.abspath(path)
    try:
        st = os.stat(path)
        with open(path, "rb") as stream:
            digest = _digest(stream, st.st_size)
    except OSError as err:  # missing or unreadable: skipped by the scan, so it must be so again
        return {"input": name, "unreadable": err.strerror or type(err).__name__}
    return {"input": name, "path": os.path.realpath(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "inode": st.st_ino, "digest": digest}
    # Not the device number: it may differ after a reboot or on a network mount, when a resume is most likely.


def _digest(stream, size: int) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(stream.read(_ENDS))
    if size > _ENDS:
        stream.seek(max(_ENDS, size - _ENDS))
        digest.update(stream.read(_ENDS))
    return digest.hexdigest()


def first_change(saved: list[Fingerprint], now: list[Fingerprint]) -> tuple[str, str] | None:
    """The first input that differs, and how (``None``: every input is as it was)."""
    before = {f["input"]: f for f in saved}
    after = {f["input"]: f for f in now}
    for f in now:
        if f["input"] not in before:
            return f["input"], "it was not among the inputs then"
    for f in saved:
        if f["input"] not in after:
            return f["input"], "it is gone"
        how = _how(f, after[f["input"]])
        if how is not None:
            return f["input"], how
    if [f["input"] for f in saved] != [f["input"] for f in now]:  # the same files, read in another order
        return now[0]["input"], "the inputs are read in another order"
    return None


def _how(old: Fingerprint, new: Fingerprint) -> str | None:
    """How one input changed, the likeliest cause first (``None``: it did not)."""
    if old == new:
        return None
    if "size" not in old or "size" not in new:  # missing or unreadable, then or now: skipped, or read
        return f"{_state(old)} then, {_state(new)} now"
    if old["size"] != new["size"]:
        return f"{old['size']:,} bytes then, {new['size']:,} now"
    if old["digest"] != new["digest"]:
        return "its content differs"
    if old["path"] != new["path"]:
        return f"it now leads to {new['path']}"
    if old["mtime_ns"] != new["mtime_ns"]:
        return "its modification time differs"
    return "it was replaced by another file"  # the inode


def _state(f: Fingerprint) -> str:
    return f"unreadable ({f['unreadable']})" if "unreadable" in f else f"{f['size']:,} bytes"


def text_check(text: str) -> int:
    """A checksum of a document's text as read (CRC-32 of its UTF-8, lone surrogates kept): a scan's pass two
    compares the text it reads again with the one pass one signed."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))
