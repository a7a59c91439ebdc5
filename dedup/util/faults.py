"""A fault of dedup's on one item of a batch (a document, a pair of documents), kept from ending the batch.

A scan, an index query or a crawl runs the same search over many texts; a bug that one text triggers
should cost that text's result, said by name, not every other result. ``attempt`` runs one step on one
item and returns ``Failed`` where it raised. A ``MemoryError`` is not caught: the next item would
most likely fail too, and the process's state is no longer one to trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")

ERROR_CHARS = 300  # an error's message is cut here: it is printed on one line and kept in reports


@dataclass(frozen=True)
class Failed:
    """A step raised on one item: its error, one line (``one_line``)."""

    error: str


def one_line(error: BaseException) -> str:
    """``error``'s type and message on one line, at most ``ERROR_CHARS`` characters."""
    return " ".join(f"{type(error).__name__}: {error}".split())[:ERROR_CHARS]


def attempt(step: Callable[..., T], *args, raises: tuple[type[BaseException], ...] = ()) -> T | Failed:
    """``step(*args)``, or ``Failed`` with its error where it raised; a ``MemoryError`` is raised, and so is an
    error of one of the types ``raises`` (a store's failure: not a fault of one item's, and the next would
    meet it too)."""
    try:
        return step(*args)
    except (MemoryError, *raises):
        raise
    except Exception as error:  # a fault of dedup's on one item: the batch goes on and says so
        return Failed(one_line(error))
