"""Parameter checks shared by the classes that take thresholds and counts.

One wording everywhere, and the parameter named as the caller spelled it (a
class that passes a value on to another validates it first, under its own
name, so the error never names the wrong culprit). NaN, booleans and strings
are refused like any value out of range.
"""

from __future__ import annotations

import functools
import inspect
import re
import warnings
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


def check_callable(name: str, value):
    """``value`` if it is None or callable; a ``TypeError`` naming ``name`` otherwise (checked when given, not
    when first called: a callback's mistake then surfaced only at the first bad record)."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function (or None), got {type(value).__name__}")
    return value


def check_iterable(name: str, value):
    """``value`` if it can be iterated and is not a string (one document, not many); a ``TypeError`` naming
    ``name`` otherwise."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be an iterable of documents, got {type(value).__name__}")
    return value


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


# A letter or digit, in any script: a text without one has no words (no shingles, no paragraphs to match).
WORD_CHAR = re.compile(r"[^\W_]")


def text_problem(text) -> str | None:
    """Why ``text`` is no text to scan, worded to follow its subject ("field 'body' is empty"), or None.

    The one rule for the readers' records and for documents made by hand (``CorpusScanner.scan``): not a
    string, empty or only whitespace, no letter or digit, or a lone surrogate (which would stop a batch
    later, when a report or record holding it is written out).
    """
    if not isinstance(text, str):
        kind = "null" if text is None else "float" if isinstance(text, float) else type(text).__name__
        return f"is {kind}, not a string" + (" (decode it first)" if isinstance(text, (bytes, bytearray)) else "")
    if not text or text.isspace():  # not text.strip(): that copies a 200 MB text
        return "is empty"
    if not WORD_CHAR.search(text):
        return "has no words (only punctuation, symbols or spaces)"
    at = lone_surrogate(text)
    if at is not None:
        return f"holds a lone surrogate {text[at]!r} at {at}: not valid Unicode text"
    return None


def lone_surrogate(text: str) -> int | None:
    """Where ``text`` holds its first lone surrogate (``"\\ud800"``: valid in a Python string and in JSON, but
    no Unicode text, so every UTF-8 writer, SQLite and Redis included, fails on it), or None. The one test for
    it: the readers skip such a record, ``Index`` refuses such an argument."""
    if text.isascii():  # a fast pass for most texts
        return None
    found = _SURROGATE.search(text)  # searched, not encoded: encoding a 200 MB text would copy it
    return None if found is None else found.start()


# Every surrogate code point: in a str, a lone one (a pair is one code point once decoded).
_SURROGATE = re.compile("[\ud800-\udfff]")


class TextRefused(ValueError):
    """A text no index can take: empty, without words, with no main text once its markup is removed, or holding a
    lone surrogate. Bad data, not a failure: a scraper skips the page (``contrib.scrapy``)."""


def check_encodable(name: str, value: str) -> str:
    """``value`` if it holds no lone surrogate (``lone_surrogate``); a ``ValueError`` naming ``name`` otherwise."""
    at = lone_surrogate(value)
    if at is not None:
        raise ValueError(f"{name} holds a lone surrogate ({value[at]!r}) at index {at}, not encodable as UTF-8")
    return value


def renamed_params(func, old: dict, renames: dict[str, str], values: dict, stacklevel: int = 3) -> dict:
    """``values`` (new name -> value as passed to ``func``) with the values passed under an old name.

    Each old name warns (``DeprecationWarning``: it goes in the next release); a name that is neither old
    nor new raises ``TypeError`` as Python would; one setting given under both names (the new one not at
    its default) with two values raises ``ValueError``.
    """
    if not old:
        return values
    owner = func.__qualname__.replace(".__init__", "")
    defaults = {name: p.default for name, p in inspect.signature(func).parameters.items()}
    values = dict(values)
    for name, value in old.items():
        new = renames.get(name)
        if new is None:
            raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}")
        _warn_renamed(owner, name, new, stacklevel + 1)
        if values[new] != defaults.get(new) and values[new] != value:
            raise ValueError(f"{owner}: {name}={value!r} and {new}={values[new]!r} are one setting; give it once")
        values[new] = value
    return values


def _warn_renamed(owner: str, old: str, new: str, stacklevel: int) -> None:
    warnings.warn(f"{owner}: {old!r} is now called {new!r}; the old name goes in the next release",
                  DeprecationWarning, stacklevel=stacklevel)


def refuses_two_values(renames: dict[str, str]):
    """Decorate a function so that it takes ``renames``' old names (old -> new), the constructors' way: each old
    name given warns (at the caller's line) and becomes its new one before the call; one setting given under both
    names with two values raises ``ValueError``, even where the new name is given at its default
    (``renamed_params``, for methods whose new names default to None, sees only the values: in a constructor
    ``CorpusScanner(threshold=0.5, jaccard_threshold=0.8)`` kept 0.5, 0.8 being the default). Calls with no old
    name go straight through."""
    def decorate(func):
        signature = inspect.signature(func)
        owner = func.__qualname__.replace(".__init__", "")

        @functools.wraps(func)
        def call(*args, **kwargs):
            if not renames.keys() & kwargs.keys():
                return func(*args, **kwargs)
            old = {name: kwargs.pop(name) for name in renames if name in kwargs}
            given = signature.bind_partial(*args, **kwargs).arguments
            for name, value in old.items():
                new = renames[name]
                _warn_renamed(owner, name, new, 3)
                if new in given and given[new] != value:
                    raise ValueError(f"{owner}: {name}={value!r} and {new}={given[new]!r} are one setting; "
                                     "give it once")
                if new not in given:
                    kwargs[new] = value
            return func(*args, **kwargs)
        return call
    return decorate


def positional_doc_id(owner: str, old: tuple, doc_id: str, default: str = "-") -> str:
    """The id given after the text by position (the old order of ``detect``), with a ``DeprecationWarning``.

    Where an id is required it comes first (``Index.check(doc_id, text)``); where it is optional it is
    keyword-only (``detect(text, doc_id=...)``), so no call reads the two strings in the wrong order. An id given
    both ways (``doc_id`` not at its ``default``) raises ``TypeError``, as Python does (the keyword was dropped).
    """
    if not old:
        return doc_id
    if len(old) > 1:
        raise TypeError(f"{owner}() takes the text and one doc_id; got {1 + len(old)} positional arguments")
    if doc_id != default:
        raise TypeError(f"{owner}() got multiple values for argument 'doc_id' ({old[0]!r} and {doc_id!r})")
    warnings.warn(f"{owner}(text, doc_id): pass doc_id={old[0]!r} by keyword; the positional form goes in the "
                  "next release", DeprecationWarning, stacklevel=3)
    return old[0]
