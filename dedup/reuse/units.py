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

import itertools
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
from dedup.text.words import ENDS, is_plain, light_stem, lowered_word_bounds, word_arrays

_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_LINE_END = re.compile(r"\n\s*")
_LONE_CR = re.compile(r"\r(?!\n)")
# Chinese characters (hanzi, kanji): each a word of its own (``words.NO_SPACE_SCRIPTS``), and a content word, where
# the kana of Japanese are mostly its particles and endings (Thai and Lao letters are no words: a word of theirs
# is a run of letters between spaces).
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_KANA, _HANGUL = (0x3040, 0x30FF), (0xAC00, 0xD7A3)
_ONE_A_WORD = (*_HAN, _KANA)  # Chinese and Japanese: a character a word
# How many letters of English a character of a script counts as in a passage's length (``Units.length``, against
# ``AlignSettings.min_chars``): a Chinese translation has about a third of the English characters; kana and Hangul
# syllables are a few letters each. Others count once.
LENGTH_WEIGHTS = (*((low, high, 3) for low, high in _HAN), (*_KANA, 2), (*_HANGUL, 2))


def _character_class(ranges) -> re.Pattern:
    return re.compile("[" + "".join(f"{chr(r[0])}-{chr(r[1])}" for r in ranges) + "]")


_CONTENT_CHARACTER = _character_class(_HAN)
_WEIGHTED = _character_class(LENGTH_WEIGHTS)


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
    word_stems: np.ndarray  # uint64, each word's content stem hash (0: a stop word, a single letter or digit)
    # ``Units.length``'s letters past the characters, in the units before each unit (len(spans) + 1: a character of
    # weight 3 adds 2, ``LENGTH_WEIGHTS``); None for a text without weighted characters.
    extra_before: np.ndarray | None = field(default=None, compare=False, repr=False)
    dense: bool = False  # most of the text's words are characters of Chinese or Japanese, one a word
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

    def length(self, first: int, last: int) -> int:
        """How long units ``first`` to ``last`` (both included) are, as text: the characters from the first one's
        start to the last one's end, a character of Chinese, Japanese or Korean counted as the letters of English
        it says about as much as (``LENGTH_WEIGHTS``)."""
        chars = self.spans[last][1] - self.spans[first][0]
        if self.extra_before is None:
            return chars
        return chars + int(self.extra_before[last + 1] - self.extra_before[first])

    def stems_of(self, first: int, last: int) -> np.ndarray:
        """The content words (stem hashes) of units ``first`` to ``last``, both included."""
        return self.stems[self.stem_offsets[first]:self.stem_offsets[last + 1]]

    def stems_between(self, start: int, end: int) -> np.ndarray:
        """The content words (stem hashes) of the words lying whole in the characters ``start`` to ``end`` (a copied
        passage's spans start and end at words, ``trim.copied_edges``)."""
        first = int(np.searchsorted(self.word_starts, start))
        last = int(np.searchsorted(self.word_ends, end, side="right"))
        stems = self.word_stems[first:max(first, last)]
        return stems[stems != 0]


def content_stem(word: str) -> str | None:
    """The stem a lower-cased word counts as, or None for a stop word or a single letter or digit; a Chinese
    character is a word of its own (``words.NO_SPACE_SCRIPTS``), and counts: Chinese text has no other words."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
        if len(word) == 1 and _CONTENT_CHARACTER.match(word):
            return word
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
            # A run's words in NFKC, as the stems are (``content_stem``): a copy saved decomposed (NFD, as macOS
            # writes "é" as "e" and U+0301) is the same run of words as its composed original.
            composed = [w if w.isascii() else unicodedata.normalize("NFKC", w) for w in words]
            found[i] = (word_hashes(composed).view(np.int64),
                        np.fromiter(map(_stem_hash, words), np.uint64, len(words)), starts, ends)
    return found


def units_of(text: str, min_words: int = 4, lines: bool = False) -> Units:
    """The sentences of ``text`` with spans into it (see the module docstring; ``lines``: ``_blocks``)."""
    return units_of_many([text], min_words, lines)[0]


def units_of_many(texts: Sequence[str], min_words: int = 4, lines: bool = False) -> list[Units]:
    """``units_of`` each text: the words of all of them hashed at once, and their sentences' words found and
    gathered at once (per text, numpy's call overhead was most of a corpus scan's 300-word texts' cutting)."""
    if not texts:
        return []
    words = _word_hashes(texts)
    numbers, bounds, per_text = _sentences(texts, lines)
    # The texts laid end to end (one position between two), so one sorted search finds every sentence's words.
    base = np.concatenate(([0], np.cumsum([len(text) + 1 for text in texts], dtype=np.int64)))
    starts = np.concatenate([w[2] for w in words]).astype(np.int64)
    placed = starts + np.repeat(base[:-1], [len(w[2]) for w in words])
    stem_hashes = np.concatenate([w[1] for w in words])
    is_content = stem_hashes != 0
    # Content words before each word: a sentence's count is a difference, its words need no list.
    before = np.concatenate(([0], np.cumsum(is_content)))
    bounds += np.repeat(base[:-1], per_text)[:, None]
    firsts = np.searchsorted(placed, bounds[:, 0])  # each sentence's first word
    lasts = np.searchsorted(placed, bounds[:, 1])  # one past its last
    # Read only where a sentence holds a content word (so ``first < last <= words``).
    held = len(starts) > 0
    first_start = starts[np.minimum(firsts, len(starts) - 1)] if held else np.zeros(len(firsts), np.int64)
    last_end = np.concatenate([w[3] for w in words]).astype(np.int64)[lasts - 1] if held else first_start
    rows = zip(numbers, before[firsts].tolist(), before[lasts].tolist(), first_start.tolist(), last_end.tolist())
    all_units = [_joined_units(text, list(itertools.islice(rows, n)), min_words) for text, n in zip(texts, per_text)]
    ranges = np.array([(u[3], u[4]) for units in all_units for u in units], dtype=np.int64).reshape(-1, 2)
    sizes = ranges[:, 1] - ranges[:, 0]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    # Each unit's content words: its range of the texts', one gather for all.
    at = np.repeat(ranges[:, 0] - offsets[:-1], sizes) + np.arange(offsets[-1], dtype=np.int64)
    stems = stem_hashes[is_content][at]
    unit_starts = np.cumsum([0] + [len(units) for units in all_units]).tolist()
    out = []
    for i, (text, units, (hashes, word_stems, text_starts, text_ends)) in enumerate(zip(texts, all_units, words)):
        own = offsets[unit_starts[i]:unit_starts[i + 1] + 1]
        spans = tuple((u[1], u[2]) for u in units)
        out.append(Units(text=text, spans=spans, stems=stems[own[0]:own[-1]], stem_offsets=own - own[0],
                         block=tuple(u[0] for u in units), word_starts=text_starts, word_ends=text_ends,
                         word_hashes=hashes, word_stems=word_stems, **_weighted(text, spans, len(hashes))))
    return out


def _weighted(text: str, spans: tuple[tuple[int, int], ...], n_words: int) -> dict:
    """``Units.extra_before`` and ``Units.dense`` of a text's unit spans (none for a text without weighted
    characters: the fields' defaults)."""
    if text.isascii() or not _WEIGHTED.search(text):
        return {}
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)  # one a character, any
    extra = np.zeros(len(points), dtype=np.int64)
    for low, high, weight in LENGTH_WEIGHTS:
        extra[(points >= low) & (points <= high)] = weight - 1
    one_a_word = np.zeros(len(points), dtype=bool)
    for low, high in _ONE_A_WORD:
        one_a_word |= (points >= low) & (points <= high)
    bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
    before = np.concatenate(([0], np.cumsum(extra)))
    return {"extra_before": np.concatenate(([0], np.cumsum(before[bounds[:, 1]] - before[bounds[:, 0]]))),
            "dense": 2 * int(one_a_word.sum()) > n_words}


def _sentences(texts: Sequence[str], lines: bool = False) -> tuple[list[int], np.ndarray, list[int]]:
    """Each sentence's block number and ``(start, end)`` (int64 rows) in its text, from the one sentence splitter,
    the texts' in turn; and how many sentences each text has (``lines``: ``_blocks``)."""
    numbers: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    per_text = []
    for text in texts:
        held = len(numbers)
        for number, (block_start, block) in enumerate(_blocks(text, lines)):
            for start, end in sentence_spans(block):
                numbers.append(number)
                starts.append(block_start + start)
                ends.append(block_start + end)
        per_text.append(len(numbers) - held)
    return numbers, np.array([starts, ends], dtype=np.int64).T.reshape(-1, 2), per_text


def _joined_units(text: str, sentences: list[tuple[int, int, int, int, int]], min_words: int) -> list[list[int]]:
    """A text's units as ``[block, start, end, first content word, content words past the last]`` from its
    sentences' ``(block, content words before its first word, ... before its end, first word's start, last
    word's end)``: a sentence without content words dropped, a short one joined to the next of its block (or to
    the one before, ending its block)."""
    units: list[list[int]] = []
    pending: list[int] | None = None  # a short sentence, as a unit
    floor = 0  # where the unit before ends: a unit's opening marks are never its predecessor's closing ones
    for number, before_first, before_last, first_start, last_end in sentences:
        if pending is not None and pending[0] != number:  # a short last sentence of its block
            _add(pending, units)
            pending = None
        if before_last == before_first:  # no content word
            continue
        unit = [number, start_of(text, first_start, floor), end_of(text, last_end), before_first, before_last]
        floor = unit[2]
        if pending is not None:  # a short sentence before this one joins it
            unit[1], unit[3], pending = pending[1], pending[3], None
        if unit[4] - unit[3] < min_words:
            pending = unit
        else:
            units.append(unit)
    if pending is not None:
        _add(pending, units)
    return units


def _add(unit: list[int], units: list[list[int]]) -> None:
    """Append a short unit ending its block: to the block's last unit when there is one, else on its own."""
    if units and units[-1][0] == unit[0]:
        units[-1][2], units[-1][4] = unit[2], unit[4]
    else:
        units.append(unit)


def _blocks(text: str, lines: bool = False):
    """``(offset, block)`` for each block of ``text`` between blank lines; a lone CR is a line end (read as LF,
    the offsets kept: a text of CR line ends was one block, and a heading was taken into a reused passage).
    ``lines``: a text without a blank line is a block a line, as ``segment`` reads it (one text against itself,
    where a block never restates itself). Between two texts it stays one block: its lines as blocks cut PAN's
    passages in pieces (held-out plagdet 0.866 -> 0.851, granularity 1.017 -> 1.021)."""
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    start, breaks = 0, _BLOCK_BREAK.finditer(text)
    first = next(breaks, None)
    if first is None and lines:
        breaks = _LINE_END.finditer(text)
    elif first is not None:
        breaks = itertools.chain((first,), breaks)
    for match in breaks:
        if match.start() > start and not text[start:match.start()].isspace():
            yield start, text[start:match.start()]
        start = match.end()
    if start < len(text) and not text[start:].isspace():
        yield start, text[start:]


def start_of(text: str, first_word_start: int, floor: int = 0) -> int:
    """Where a passage beginning with the word that starts at ``first_word_start`` begins: before the opening
    quotes, brackets and currency signs right before that word ("$5 million", "(Updated)", "«Nous»"), not
    before ``floor``. A copy's span began at its first letter, and cut the quote or the dollar sign off; a number's
    sign too ("-5 degrees" began "5 degrees"), where it opens the number (after a space or an opening mark), not a
    range or a word ("5%-10%", "X-5")."""
    start = first_word_start
    if start > floor and text[start - 1] in _SIGNS and text[start:start + 1].isdigit() \
            and (start - 1 == floor or text[start - 2].isspace() or text[start - 2] in _OPENING):
        start -= 1
    while start > floor and text[start - 1] in _OPENING:
        start -= 1
    return start


def end_of(text: str, last_word_end: int) -> int:
    """Where a passage ending with the word that ends at ``last_word_end`` ends: after the punctuation and
    closing quotes right after that word."""
    end = last_word_end
    while end < len(text) and text[end] in _CLOSING:
        end += 1
    return end


# Closing marks: every sentence end (``words.ENDS``: the danda, "。", ...), and those of English and of Chinese
# and Japanese (full-width marks, corner brackets).
_CLOSING = frozenset(ENDS + ";:'\")]}\u2019\u201d%\u00bb\u203a\u2026*\u2020\u2021"
                     "\uff61\uff0e\uff01\uff1f\uff1b\uff1a\u300d\u300f\uff09\u3011\u3015\u300b\u3009\uff05")
# Opening marks: quotes (English, French, German), brackets, inverted marks, currency signs, and the Chinese and
# Japanese brackets that ``_CLOSING`` closes.
# A number's sign: hyphen-minus, minus (U+2212), plus.
_SIGNS = frozenset("-\u2212+")
_OPENING = frozenset("\"'([{\u00bf\u00a1\u00ab\u2039\u201c\u2018\u201e\u201a$\u20ac\u00a3\u00a5\u20b9#"
                     "\u300c\u300e\uff08\u3010\u3014\u300a\u3008")


def word_grams(hashes: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit value per run of ``n`` word hashes (``Units.word_hashes``)."""
    if len(hashes) < n:
        return np.zeros(0, np.int64)
    grams = hashes[:len(hashes) - n + 1].copy()
    for j in range(1, n):
        grams = grams * np.int64(1_000_003) ^ hashes[j:len(hashes) - n + 1 + j]
    return grams
