"""A worker's large result handed back through a file, its pickle alone through the pipe.

A pass-one batch comes back as about 2 MB of numpy arrays. Sent down the pool's pipe, the worker
blocks in its write until this process's result thread has read all of it, 64 KB at a time, while
this process is busy with its own batch: on the 20,000-document throughput corpus the worker stood
idle about 30 ms a batch, a third of its time (docs/benchmarks.md). Written to a file instead, the
worker goes straight on with its next batch, and this process reads the file when it takes the
result.

Only the arrays' raw bytes go into the file (pickle protocol 5's out-of-band buffers); the pickle
that says what they are goes through the pipe as before, so nothing is unpickled from a file. The
files live in a private temporary folder of the scan (``Workers``), and each is removed as soon as
it is read. A result whose buffers are small, or that cannot be written (no room), goes down the
pipe as it always did.
"""

from __future__ import annotations

import itertools
import os
import pickle
from dataclasses import dataclass
from typing import Any

MIN_BYTES = 1 << 16  # below this a result goes down the pipe: one write, nothing to gain
_NUMBERS = itertools.count()


@dataclass
class Parcel:
    """A result whose buffers wait in the file ``path``: ``pickled`` (protocol 5) without them, and
    their lengths in the order the pickle asks for them."""

    pickled: bytes
    path: str
    lengths: list[int]


def pack(value: Any, folder: str | None) -> Any:
    """``value`` as a ``Parcel`` in ``folder`` when its buffers hold ``MIN_BYTES`` or more, else ``value``."""
    if folder is None:
        return value
    buffers: list[pickle.PickleBuffer] = []
    pickled = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    if sum(r.nbytes for r in raws) < MIN_BYTES:
        return value
    path = os.path.join(folder, f"{os.getpid()}-{next(_NUMBERS)}")
    try:
        with open(path, "wb") as file:
            for raw in raws:
                file.write(raw)
    except OSError:  # no room: the pipe, as without a folder
        _remove(path)
        return value
    return Parcel(pickled, path, [r.nbytes for r in raws])


def unpack(value: Any) -> Any:
    """The result ``pack`` made of ``value`` (which may be no ``Parcel``), its file removed."""
    if not isinstance(value, Parcel):
        return value
    try:
        with open(value.path, "rb") as file:
            buffers = [bytearray(n) for n in value.lengths]
            for buffer in buffers:
                if file.readinto(buffer) != len(buffer):
                    raise OSError(f"{value.path}: a worker's result file ended early")
    finally:
        _remove(value.path)
    return pickle.loads(value.pickled, buffers=buffers)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
