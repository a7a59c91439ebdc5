"""JSON indented by two spaces, as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, faster.

The standard library's C encoder serves only unindented output; with ``indent`` every value goes through its
pure-Python encoder, which was a tenth of a 20,000-document scan (0.26 s of the report's documents; written here
0.08 s: docs/benchmarks.md). The containers are laid out here and every leaf is written by the ``json``
module's own functions, so the text is the same to the byte; anything this does not know (a key that is no
string, a value of another type) is left to ``json.dumps``.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring

_INFINITY = float("inf")


def dumps_indented(value, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, every line but the first prefixed with ``indent``
    (``textwrap.indent`` of it, less the first line's prefix)."""
    try:
        return _value(value, indent)
    except TypeError:  # a type this does not lay out: the json module's text (or its error)
        text = json.dumps(value, ensure_ascii=False, indent=2)
        return text.replace("\n", "\n" + indent) if indent else text


def _value(value, indent: str) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        return "{\n" + ",\n".join(inner + encode_basestring(_key(key)) + ": " + _value(item, inner)
                                  for key, item in value.items()) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _value(item, inner) for item in value) + "\n" + indent + "]"
    return _leaf(value)


def _key(key) -> str:
    if isinstance(key, str):
        return key
    raise TypeError(key)  # json's own rules for other keys (numbers, booleans, None)


def _leaf(value) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (_INFINITY, -_INFINITY):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise TypeError(value)
