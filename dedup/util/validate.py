"""Parameter checks shared by the classes that take thresholds and counts.

One wording everywhere, and the parameter named as the caller spelled it (a
class that passes a value on to another validates it first, under its own
name, so the error never names the wrong culprit). NaN, booleans and strings
are refused like any value out of range.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def check_fraction(name: str, value, *, open_high: bool = False) -> float:
    """``value`` as a float in (0, 1], or in (0, 1) with ``open_high``; a ``ValueError`` naming ``name`` otherwise."""
    number = _real(value)
    if number is None or not (0.0 < number < 1.0 or (number == 1.0 and not open_high)):
        raise ValueError(f"{name} must be in (0, {'1)' if open_high else '1]'}, got {value!r}")
    return number


def check_int(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (no upper bound without ``high``); a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low or (high is not None and value > high):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bounds}, got {value!r}")
    return int(value)


def check_positive(name: str, value) -> float:
    """``value`` as a float > 0 and finite; a ``ValueError`` naming ``name`` otherwise."""
    number = _real(value)
    if number is None or not 0.0 < number < float("inf"):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def check_between(name: str, value, low: float, high: float = float("inf")) -> float:
    """``value`` as a finite float in [low, high]; a ``ValueError`` naming ``name`` otherwise."""
    number = _real(value)
    if number is None or not low <= number <= high or number == float("inf"):
        bounds = f"in [{low:g}, {high:g}]" if high != float("inf") else f">= {low:g}"
        raise ValueError(f"{name} must be a number {bounds}, got {value!r}")
    return number


def _real(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    return float(value)


def check_bool(name: str, value) -> bool:
    """``value`` if it is a bool (numpy's too); a ``ValueError`` naming ``name`` otherwise (1, "yes" and None too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_str(name: str, value, *, blank: bool = False) -> str:
    """``value`` if it is a string, non-blank unless ``blank``: a ``TypeError`` naming ``name`` for another type,
    a ``ValueError`` for an empty or whitespace-only string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r:.60}")
    if not blank and not value.strip():
        raise ValueError(f"{name} is empty or only whitespace, got {value!r:.60}")
    return value
