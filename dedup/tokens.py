"""Tokenize many texts at once into one flat array of 64-bit token hashes.

The corpus path signs thousands of documents per second, so per-token Python
work is cut to one dictionary lookup: ``TokenTable`` maps each raw token to
its final hash (stop words dropped, stem applied, sentence end flagged) the
first time it is seen. Pure-ASCII texts are split with ``str.translate`` and
``str.split`` (C speed); other texts with a regex that yields exactly the same
tokens on ASCII input, so a copy with curly quotes still matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .shingle import NO_SPACE_SCRIPTS, light_stem, token_hash

# Low bit of a token hash: a sentence ends after this token.
SENTENCE_END = 1
_STOP = 0  # a dropped token (stop word, or a bare "." after a space)
_ENDS = ".!?"
# Joins the texts of a batch. Not whitespace (str.split would eat it) and
# mapped to a space inside the texts themselves, so it never occurs in one.
_SEPARATOR = "\x01"
_SEPARATED = f" {_SEPARATOR} "
_SEPARATOR_VALUE = (1 << 64) - 1
# ASCII: every character that is not a letter, digit or sentence end becomes a space.
_ASCII_TABLE = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) not in _ENDS})
# The same tokens for any text: letter/digit runs, with sentence ends attached.
_TOKEN = re.compile(
    rf"[{NO_SPACE_SCRIPTS}][{_ENDS}]*|[^\W_{NO_SPACE_SCRIPTS}]+(?:[{_ENDS}]+[^\W_{NO_SPACE_SCRIPTS}]+)*[{_ENDS}]*|[{_ENDS}]+|{_SEPARATOR}"
)
_MAX_CACHED = 2_000_000


class TokenTable(dict):
    """Raw token -> final 64-bit hash, filled on first sight.

    Parameters
    ----------
    stop_words : bool, default=True
        Map English stop words to 0 (dropped).
    stem : bool, default=True
        Apply ``light_stem`` before hashing.
    """

    def __init__(self, stop_words: bool = True, stem: bool = True) -> None:
        super().__init__()
        self.stop_words = stop_words
        self.stem = stem
        self[_SEPARATOR] = _SEPARATOR_VALUE

    def __missing__(self, raw: str) -> int:
        word = raw.rstrip(_ENDS)
        end = SENTENCE_END if len(word) < len(raw) else 0
        # "u.s" or "3.5": periods inside a token are part of it, not sentence ends.
        word = word.replace(".", "").replace("!", "").replace("?", "")
        if not word or (self.stop_words and word in ENGLISH_STOP_WORDS):
            value = end  # dropped, but still ends the sentence it closes
        else:
            value = (token_hash(light_stem(word) if self.stem else word) & ~1) | end | 2
        if len(self) < _MAX_CACHED:
            self[raw] = value
        return value


@dataclass(frozen=True)
class Tokens:
    """The tokens of many texts: text ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``.

    ``sentence`` numbers sentences across the whole batch, so a window of
    tokens stays inside one sentence exactly when its ends share a number.
    Dropped tokens are already removed.
    """

    hashes: np.ndarray  # uint64, low bit cleared
    sentence: np.ndarray  # int64
    offsets: np.ndarray  # int64, len(texts) + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def owner(self) -> np.ndarray:
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))


def tokenize(texts: Sequence[str], table: TokenTable) -> Tokens:
    """Tokens of every text in ``texts``, in a few C-level passes over the whole batch."""
    ascii_ = [i for i, t in enumerate(texts) if t.isascii()]
    other = [i for i, t in enumerate(texts) if not t.isascii()] if len(ascii_) < len(texts) else []
    lookup = table.__getitem__
    values, owners = [], []
    for order, raw in _split(texts, ascii_, other):
        found = np.fromiter(map(lookup, raw), np.uint64, len(raw))
        separator = found == _SEPARATOR_VALUE
        local = np.cumsum(separator)
        values.append(found[~separator])
        owners.append(np.asarray(order, dtype=np.int64)[local[~separator]])
    raw_values = np.concatenate(values) if values else np.zeros(0, np.uint64)
    owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
    if len(values) > 1:
        order = np.argsort(owner, kind="stable")
        raw_values, owner = raw_values[order], owner[order]
    ends = (raw_values & np.uint64(SENTENCE_END)).astype(bool)
    # A sentence starts after a flagged token and wherever one text gives way to the next.
    starts = np.ones(len(owner), dtype=bool)
    starts[1:] = (owner[1:] != owner[:-1]) | ends[:-1]
    sentence = np.cumsum(starts) - 1
    kept = raw_values > np.uint64(SENTENCE_END)
    counts = np.bincount(owner[kept], minlength=len(texts))
    return Tokens(
        hashes=raw_values[kept] & ~np.uint64(SENTENCE_END),
        sentence=sentence[kept].astype(np.int64),
        offsets=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
    )


def _split(texts: Sequence[str], ascii_: list[int], other: list[int]):
    """``(text numbers, raw tokens with separators between texts)`` per tokenizer."""
    if ascii_:
        joined = _SEPARATED.join(texts[i].translate(_ASCII_TABLE) for i in ascii_)
        yield ascii_, joined.lower().split()
    if other:
        joined = _SEPARATED.join(texts[i].replace(_SEPARATOR, " ") for i in other)
        yield other, _TOKEN.findall(joined.lower())
