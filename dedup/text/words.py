"""Words: what counts as one, its light stem, and the 64-bit mixes every hash of dedup starts from.

The lowest layer of the text front-end: tokenizers (``tokens``), shingles (``sketch.shingle``), the
reranker's features and shared spans all take their words and stems from here, so a word is the same
word on every path.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

from dedup.text.marks import MARK

_U64 = np.uint64
# One character of a script written without spaces is one token (character
# shingles), so Chinese, Japanese or Thai text still yields shingles.
NO_SPACE_SCRIPTS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
# A word starts with a letter or digit and runs on through letters, digits and combining marks.
WORD = rf"[^\W_{NO_SPACE_SCRIPTS}]++(?:{MARK}++[^\W_{NO_SPACE_SCRIPTS}]*+)*+"  # possessive: no backtracking
_TOKEN = re.compile(rf"[{NO_SPACE_SCRIPTS}]|{WORD}")
_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_FMIX64 = (_U64(33), _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53))


@lru_cache(maxsize=200_000)
def light_stem(token: str) -> str:
    """Strip one common English inflection, then a final "e".

    "close", "closes", "closed" and "closing" all become "clos", so a
    rewording that changes tense or number still shares the word.
    """
    if len(token) <= 4 or not token.isascii():
        return token
    stem = token
    for suffix, replacement in _SUFFIXES:
        if token.endswith(suffix) and not token.endswith("ss"):
            candidate = token[: len(token) - len(suffix)] + replacement
            if len(candidate) >= 3:
                stem = candidate
                break
    if stem.endswith("e") and len(stem) > 3:
        stem = stem[:-1]
    return stem


def token_hash(token: str) -> int:
    """Stable 64-bit hash of a normalized token (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stop words kept, nothing stemmed."""
    return _TOKEN.findall(text.lower())


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """``(lower-cased word, start, end)`` for each word of ``text``."""
    return [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, elementwise: a bijection that spreads every input bit."""
    shift, m1, m2 = _FMIX64
    values = values ^ (values >> shift)
    values = values * m1
    values = values ^ (values >> shift)
    values = values * m2
    return values ^ (values >> shift)



