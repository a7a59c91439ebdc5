"""Which copy of a near-duplicate cluster is kept: the one rule the scan, the index and Spark share.

A cluster's representative is the copy ``dedup clean`` keeps. Three rules choose it:

- ``longest``: the copy with the most content words (a truncated copy never wins; ties go to the first
  in input order). The default, see ``DEFAULT``.
- ``first``: the first copy in input order.
- ``earliest``: the copy with the earliest date; copies without a date rank after every dated one, and
  among themselves (and on equal dates) by input order.

Each rule is a sort key (``rank``): the member with the smallest key represents the cluster. The key is a
plain tuple of numbers, so Spark can compare it in a ``reduceByKey`` exactly as the local scan does.
"""

from __future__ import annotations

import math
import os
from datetime import date as _date
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Sequence, Union

if TYPE_CHECKING:
    from dedup.io.readers import Document

RULES = ("longest", "first", "earliest")
# ``longest`` stays the default: it is the one rule that never keeps a truncated copy whatever the input
# order (``first`` keeps whichever file name sorts first, e.g. "article-half.txt" before "article.txt"), it
# needs no dates (file mtimes are reset by every copy), a copy with added material still holds all of the
# original's text, and it is what every earlier release did (reports and cleaned outputs stay the same).
DEFAULT = "longest"
LABELS = {"longest": "longest copy", "first": "first in input", "earliest": "earliest date"}
HELP = ("Which copy of a near-duplicate cluster represents it (and is what clean keeps): longest (the most "
        "complete copy; never a truncated one, whatever the input order), first (first in input order: a "
        "chronological feed or crawl), or earliest (earliest date: --date-field of JSON Lines records, the "
        "modification time of files; undated copies come after dated ones, in input order). Default longest: "
        "the only rule that never drops text, needs no dates and does not depend on file names; use "
        "earliest or first when the input says which copy is the original.")

DateLike = Union[str, datetime, _date, float, int, None]
Rank = tuple[int, float, int]


def check_rule(value: object) -> str:
    """``value`` when it names a rule; ``ValueError`` naming the parameter otherwise."""
    if value not in RULES:
        raise ValueError(f"keep must be one of {', '.join(RULES)}, got {value!r}")
    return value  # type: ignore[return-value]


FIRST_SECOND = datetime(1, 1, 1, tzinfo=timezone.utc).timestamp()
_LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()


def timestamp(value: DateLike) -> float | None:
    """Seconds since the epoch of a date, datetime, ISO 8601 string or number; None when it is none.

    Strings are read with ``datetime.fromisoformat`` (a trailing ``Z`` read as UTC, which Python before
    3.11 refuses); a date or a datetime without a zone is taken as UTC, so naive and zoned dates compare.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            seconds = float(value)
        except OverflowError:  # an int past a float's range: no date (``math.isfinite`` raised on it)
            return None
        # Seconds no calendar date stands for (past year 9999, before year 1: 1e100, -1e18) are no date either.
        return seconds if FIRST_SECOND <= seconds <= _LAST_SECOND else None
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime):
        # A zone can put a calendar's edge past it ("0001-01-01T00:00:00+14:00" is in year 0 in UTC): read as
        # the edge, as a number past it would be refused, and the index then refused the date it had read.
        seconds = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
        return min(max(seconds, FIRST_SECOND), _LAST_SECOND)
    if isinstance(value, _date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    return None


def document_date(doc: "Document", date_field: str) -> float | None:
    """The date of an input document: the ``date`` it was given, else its record's ``date_field`` (JSON Lines),
    else its file's mtime; None for a record without a readable date, and for stdin."""
    if doc.date is not None:
        return timestamp(doc.date)
    if doc.record is not None:
        return timestamp(doc.record.get(date_field))
    if doc.path is None:
        return None
    try:
        return os.stat(doc.path).st_mtime
    except OSError:  # gone since it was read: undated, not an error
        return None


def rank(rule: str, length: int, order: int, date: float | None = None) -> Rank:
    """The sort key of a copy under ``rule``: the smallest represents its cluster.

    ``length`` is the copy's content words, ``order`` its place in the input, ``date`` its timestamp
    (None or NaN: undated). Every key ends in ``order``, so ties break toward the first copy.
    """
    if rule == "longest":
        return (0, -float(length), order)
    if rule == "first":
        return (0, 0.0, order)
    if date is None or math.isnan(date):
        return (1, 0.0, order)
    return (0, float(date), order)


def representative(members: Sequence[int], lengths: Sequence[int], rule: str = DEFAULT,
                   dates: Sequence[float] | None = None) -> int:
    """The member (an input order number) that represents its cluster under ``rule``."""
    return min(members, key=lambda d: rank(rule, int(lengths[d]), d, None if dates is None else dates[d]))


def preferred(rule: str, length: int, date: float | None, indexed: Sequence[tuple[int, float | None]]) -> bool:
    """Whether a new copy should replace every ``indexed`` copy (``(length, date)`` each) it duplicates.

    The new copy comes after them in input order, so it wins only when the rule ranks it strictly first:
    never under ``first``, when longer than each under ``longest``, when dated earlier under ``earliest``.
    """
    if not indexed:
        return False
    mine = rank(rule, length, 1, date)
    return all(mine < rank(rule, their_length, 0, their_date) for their_length, their_date in indexed)


def undated_note(undated: int, documents: int, date_field: str) -> str:
    """What to say once when ``--keep earliest`` met documents without a date."""
    share = f"none of the {documents:,} documents has a date" if undated == documents else \
        f"{undated:,} of {documents:,} documents have no date"
    return (f"note: --keep earliest: {share} (JSON Lines field {date_field!r} missing or not ISO 8601, "
            "or stdin); undated copies rank after dated ones, in input order")
