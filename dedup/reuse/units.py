"""The units reuse is aligned on: a text's sentences, located in the text as read, with their content words.

Offsets are character offsets into the text exactly as given (the string passed here: no normalization,
so CRLF, curly quotes and non-ASCII letters stay where they are), so ``text[start:end]`` is the
sentence. A file is given as the readers decoded it (``dedup.io.readers.decode``), a leading byte order
mark dropped: offsets into a file's text count from the character after its BOM. Sentences come from the
one sentence splitter (``dedup.text.segment.sentence_spans``) applied to each blank-line block; words
from the one word definition (``dedup.text.words``), lower-cased, stop words dropped and lightly
stemmed, as everywhere else. A sentence of fewer than ``min_words`` content words is joined to the next
one of its block, so a heading or a two-word line is never a unit alone. Every word of the text (stop
words too) is kept with its span and its hash (``text.word_hash``, as everywhere else), for the
copied-run search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

import numpy as np

from dedup.text.segment import sentence_spans
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.tokens import plain_word_hashes
from dedup.text.word_hash import word_hash, word_hashes
from dedup.text.words import is_plain, light_stem, lowered_word_bounds, word_arrays

_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass(frozen=True)
class Units:
    """A text's sentences: ``spans[i]`` is ``(start, end)`` into the text; its content words are
    ``stems[stem_offsets[i]:stem_offsets[i + 1]]``, each the ``word_hash`` of its stem (the hash a corpus scan's
    tokens carry, so the corpus IDF of a word is found from it: ``unit_rows.word_idf``).

    ``word_starts``, ``word_ends`` and ``word_hashes`` describe every word of the text in order (stop
    words too), for exact shared runs.
    """

    text: str
    spans: tuple[tuple[int, int], ...]
    stems: np.ndarray  # uint64, every unit's content words in order
    stem_offsets: np.ndarray  # int64, len(spans) + 1
    block: tuple[int, ...]  # the blank-line block (paragraph) each sentence is in
    word_starts: np.ndarray
    word_ends: np.ndarray
    word_hashes: np.ndarray
    _grams: dict = field(default_factory=dict, compare=False, repr=False)  # n -> word_grams(word_hashes, n)

    def __len__(self) -> int:
        return len(self.spans)

    def grams(self, n: int) -> np.ndarray:
        """``word_grams`` of all the text's words, computed once (a corpus scan aligns a text with several)."""
        if n not in self._grams:
            self._grams[n] = word_grams(self.word_hashes, n)
        return self._grams[n]

    def sentence(self, i: int) -> str:
        start, end = self.spans[i]
        return self.text[start:end]

    def stems_of(self, first: int, last: int) -> np.ndarray:
        """The content words (stem hashes) of units ``first`` to ``last``, both included."""
        return self.stems[self.stem_offsets[first]:self.stem_offsets[last + 1]]


def content_stem(word: str) -> str | None:
    """The stem a lower-cased word counts as, or None for a stop word or a single letter."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
    if len(word) < 2 or word in ENGLISH_STOP_WORDS:
        return None
    return light_stem(word)


@lru_cache(maxsize=200_000)
def _stem_hash(word: str) -> int:
    """``word_hash`` of the stem a lower-cased word counts as (``content_stem``), 0 (the empty word's) for none;
    cached, as a text's words repeat."""
    stem = content_stem(word)
    return 0 if stem is None else word_hash(stem)


_Words = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # word hashes, content stem hashes, starts, ends


def _word_hashes(texts: Sequence[str]) -> list[_Words]:
    """Of each text: every word's hash (int64) and its content stem's (uint64, 0 for none: ``content_stem``),
    and the words' starts and ends. Plain text (``words.is_plain``) is done in numpy for all texts at once
    (``tokens.plain_word_hashes``; per text, numpy's call overhead was most of it), other text word by word."""
    found: list[_Words | None] = [None] * len(texts)
    plain = [i for i, text in enumerate(texts) if is_plain(text)]
    if plain:
        # One space between texts: no word spans it, and a plain text's lower-casing keeps its length.
        joined = " ".join(texts[i] for i in plain).lower()
        starts, ends = lowered_word_bounds(joined)  # each text was checked plain: the joined text is too
        hashes, stems = plain_word_hashes(joined, starts, ends)
        stems[ends - starts < 2] = 0  # a single letter or digit is no content word
        text_starts = np.cumsum([0] + [len(texts[i]) + 1 for i in plain])
        cuts = np.searchsorted(starts, text_starts).tolist()
        for k, i in enumerate(plain):
            part, offset = slice(cuts[k], cuts[k + 1]), int(text_starts[k])
            found[i] = (hashes[part].view(np.int64), stems[part], starts[part] - offset, ends[part] - offset)
    for i, text in enumerate(texts):
        if found[i] is None:
            words, starts, ends = word_arrays(text)
            found[i] = (word_hashes(words).view(np.int64), np.fromiter(map(_stem_hash, words), np.uint64, len(words)),
                        starts, ends)
    return found


def units_of(text: str, min_words: int = 4) -> Units:
    """The sentences of ``text`` with spans into it (see the module docstring)."""
    return _units(text, min_words, *_word_hashes([text])[0])


def units_of_many(texts: Sequence[str], min_words: int = 4) -> list[Units]:
    """``units_of`` each text (the words of all of them hashed at once)."""
    return [_units(text, min_words, *words) for text, words in zip(texts, _word_hashes(texts))]


def _units(text: str, min_words: int, hashes: np.ndarray, stem_hashes: np.ndarray, starts: np.ndarray,
           ends: np.ndarray) -> Units:
    is_content = stem_hashes != 0
    # Content words before each word: a sentence's count is a difference, its words need no list.
    before = np.concatenate(([0], np.cumsum(is_content))).tolist()
    sentences = [(number, block_start + start, block_start + end)
                 for number, (block_start, block) in enumerate(_blocks(text)) for start, end in sentence_spans(block)]
    bounds = np.array([(s, e) for _, s, e in sentences], dtype=np.int64).reshape(-1, 2)
    firsts = np.searchsorted(starts, bounds[:, 0]).tolist()  # each sentence's words, found at once
    lasts = np.searchsorted(starts, bounds[:, 1]).tolist()  # one past its last
    word_starts, word_ends = starts.tolist(), ends.tolist()
    units: list[list[int]] = []  # block, start, end, first content word, content words past the last
    pending: list[int] | None = None  # a short sentence, as a unit
    for (number, _, _), first, last in zip(sentences, firsts, lasts):
        if pending is not None and pending[0] != number:  # a short last sentence of its block
            _add(pending, units)
            pending = None
        if before[last] == before[first]:  # no content word
            continue
        unit = [number, word_starts[first], end_of(text, word_ends[last - 1]), before[first], before[last]]
        if pending is not None:  # a short sentence before this one joins it
            unit[1], unit[3], pending = pending[1], pending[3], None
        if unit[4] - unit[3] < min_words:
            pending = unit
        else:
            units.append(unit)
    if pending is not None:
        _add(pending, units)
    ranges = np.array([(u[3], u[4]) for u in units], dtype=np.int64).reshape(-1, 2)
    sizes = ranges[:, 1] - ranges[:, 0]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    hashed = stem_hashes[is_content]
    # Each unit's content words: its range of the text's, one gather for all.
    at = np.repeat(ranges[:, 0] - offsets[:-1], sizes) + np.arange(offsets[-1], dtype=np.int64)
    return Units(text=text, spans=tuple((u[1], u[2]) for u in units), stems=hashed[at], stem_offsets=offsets,
                 block=tuple(u[0] for u in units), word_starts=starts, word_ends=ends, word_hashes=hashes)


def _add(unit: list[int], units: list[list[int]]) -> None:
    """Append a short unit ending its block: to the block's last unit when there is one, else on its own."""
    if units and units[-1][0] == unit[0]:
        units[-1][2], units[-1][4] = unit[2], unit[4]
    else:
        units.append(unit)


def _blocks(text: str):
    """``(offset, block)`` for each blank-line separated block of ``text``."""
    start = 0
    for match in _BLOCK_BREAK.finditer(text):
        if match.start() > start:
            yield start, text[start:match.start()]
        start = match.end()
    if start < len(text):
        yield start, text[start:]


def end_of(text: str, last_word_end: int) -> int:
    """Where a passage ending with the word that ends at ``last_word_end`` ends: after the punctuation and
    closing quotes right after that word."""
    end = last_word_end
    while end < len(text) and text[end] in _CLOSING:
        end += 1
    return end


_CLOSING = frozenset(".!?;:'\")]\u2019\u201d%")


def word_grams(hashes: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit value per run of ``n`` word hashes (``Units.word_hashes``)."""
    if len(hashes) < n:
        return np.zeros(0, np.int64)
    grams = hashes[:len(hashes) - n + 1].copy()
    for j in range(1, n):
        grams = grams * np.int64(1_000_003) ^ hashes[j:len(hashes) - n + 1 + j]
    return grams
