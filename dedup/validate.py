"""Parameter checks shared by the classes that take thresholds and counts.

One wording everywhere, and the parameter named as the caller spelled it (a
class that passes a value on to another validates it first, under its own
name, so the error never names the wrong culprit). NaN, booleans and strings
are refused like any value out of range.
"""

from __future__ import annotations

from numbers import Integral, Real


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
