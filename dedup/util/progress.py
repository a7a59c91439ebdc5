"""A one-line progress display on stderr for long scans and index builds."""

from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    """Show documents done, documents per second and, when the input size is known, an ETA.

    Parameters
    ----------
    label : str
        What is being done ("scanning", "indexing").
    total_bytes : int, optional
        Size of the input; with it, the share of bytes read gives the ETA.
    stream : file, default=sys.stderr
        Where to draw; nothing is drawn unless it is a terminal.
    enabled : bool, default=True
        False (``--quiet``) draws nothing.
    interval : float, default=0.2
        Seconds between redraws.
    """

    def __init__(self, label: str, total_bytes: int | None = None, stream: IO[str] | None = None,
                 enabled: bool = True, interval: float = 0.2) -> None:
        self.label = label
        self.total_bytes = total_bytes
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_terminal(self.stream)
        self.interval = interval
        self.docs = 0
        self.bytes = 0
        self._start = time.perf_counter()
        self._drawn = 0.0
        self._closed = False

    def update(self, docs: int, nbytes: int = 0) -> None:
        self.docs += docs
        self.bytes += nbytes
        now = time.perf_counter()
        if self.enabled and now - self._drawn >= self.interval:
            self._drawn = now
            self.stream.write("\r" + self.line(now) + "\x1b[K")
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.perf_counter()) - self._start, 1e-9)
        text = f"{self.label}: {self.docs:,} documents, {self.docs / elapsed:,.0f} docs/s"
        if self.total_bytes and self.bytes:
            share = min(self.bytes / self.total_bytes, 1.0)
            eta = elapsed * (1.0 - share) / max(share, 1e-9)
            text += f", {share:.0%}, ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        return text

    def close(self) -> None:
        if self.enabled and not self._closed:
            self.stream.write("\r" + self.line() + "\x1b[K\n")
            self.stream.flush()
        self._closed = True

    def stage(self, label: str) -> "Progress":
        """Close this line and start another, for a later step (documents counted from 0 again)."""
        self.close()
        return Progress(label, stream=self.stream, enabled=self.enabled, interval=self.interval)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
