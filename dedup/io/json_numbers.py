"""JSON numbers as a record spelled them: an integer too long for Python kept as its digits, and a number with a
fraction or an exponent with its spelling (what an id made of it is)."""

from __future__ import annotations

import json


def _int(digits: str) -> int | str:
    """A JSON integer; one longer than Python converts (4,300 digits) is kept as its digits: it raised
    ValueError, which stopped the whole batch."""
    if digits == "-0":  # its spelling, as an id: int() makes it 0, and a record with id 0 was then a duplicate
        return SpelledFloat(digits)
    try:
        return int(digits)
    except ValueError:
        return digits


class SpelledFloat(float):
    """A JSON number with a fraction or an exponent, and how the record spelled it: an id is its spelling
    (``1e400`` and ``2e400`` are both ``inf`` as floats, and were one id; ``1e2`` was "100.0")."""

    __slots__ = ("spelled",)

    def __new__(cls, text: str) -> "SpelledFloat":
        number = super().__new__(cls, text)
        number.spelled = text
        return number


# A JSON Lines record's decoder: every integer read (or kept as its digits), every other number with its spelling.
JSON_RECORDS = json.JSONDecoder(parse_int=_int, parse_float=SpelledFloat)
