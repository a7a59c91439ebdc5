"""Tokenize many texts at once into one flat array of 64-bit token hashes.

The corpus path signs tens of thousands of documents per second, so pure-ASCII
texts never touch Python per token: ``_byte_values`` finds token edges, stop
words, stems and each word's hash (its bytes read as 8-byte integers,
``word_hash``) in numpy over the batch's bytes. Other texts go through a regex
that yields exactly the same tokens on ASCII input and ``TokenTable``, which
maps each raw token to the same final hash (stop words dropped, stem applied,
sentence end flagged) the first time it is seen, so a copy with curly quotes
still matches.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.word_hash import _CHUNKED_BYTES, chunk_hashes, eight_byte_reads, word_hash
from dedup.text.words import ENDS as _ENDS
from dedup.text.words import NO_SPACE_SCRIPTS, TOKEN, light_stem, word_of

# Low bit of a token hash: a sentence ends after this token.
SENTENCE_END = 1
# Joins the texts of a batch. Not whitespace (str.split would eat it) and
# mapped to a space inside the texts themselves, so it never occurs in one.
_SEPARATOR = "\x01"
_SEPARATED = f" {_SEPARATOR} "
_SEPARATOR_VALUE = (1 << 64) - 1
# The same tokens for any text (``words.TOKEN``: letter/digit runs on through combining marks, with sentence
# ends attached), and the separator between texts.
_TOKEN = re.compile(f"{TOKEN}|{_SEPARATOR}")
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
        value = self.value(raw)
        if len(self) < _MAX_CACHED:
            self[raw] = value
        return value

    def value(self, raw: str) -> int:
        """The hash of ``raw``, not cached (for the rare long token, which would only fill the table)."""
        word = raw.rstrip(_ENDS)
        end = SENTENCE_END if len(word) < len(raw) else 0
        # "u.s" or "3.5": periods inside a token are part of it, not sentence ends (``words.word_of``).
        word = word_of(word)
        if not word or (self.stop_words and word in ENGLISH_STOP_WORDS):
            value = end  # dropped, but still ends the sentence it closes
        else:
            value = (word_hash(light_stem(word) if self.stem else word) & ~1) | end | 2
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
    # bool: the token starts with an ASCII digit (a number, "3rd", "1990s"); None where not known. The reuse
    # search reads a sentence with its numbers masked to tell a page's templated furniture ("generated at 14:21").
    numeric: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def owner(self) -> np.ndarray:
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))

    def select(self, texts: Sequence[int]) -> "Tokens":
        """The tokens of the texts numbered ``texts`` only, in that order."""
        texts = np.asarray(texts, dtype=np.int64)
        sizes = self.offsets[texts + 1] - self.offsets[texts]
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        # Position of every kept token in the old arrays: its text's old start, plus its rank inside the text.
        at = np.repeat(self.offsets[texts] - offsets[:-1], sizes) + np.arange(offsets[-1], dtype=np.int64)
        return Tokens(self.hashes[at], self.sentence[at], offsets, None if self.numeric is None else self.numeric[at])


def tokenize(texts: Sequence[str], table: TokenTable) -> Tokens:
    """Tokens of every text in ``texts``: pure-ASCII texts in numpy over their bytes, others via ``table``.

    A batch of more than ``_SLICE_CHARS`` characters is tokenized a slice at a time, and a text longer
    than that is cut into pieces at whitespace (no token spans whitespace, so the tokens are the same):
    numpy's scratch memory is about 50 bytes a character, so one 200 MB single-line text took about 10 GB
    in one pass. Only the kept tokens (16 bytes each) are held for the whole batch.
    """
    hashes, sentences, counts, numeric = [], [], [], []
    carry_owner, carry_sentence, carry_end = -1, -1, False
    for pieces, piece_owner in _slices(texts):
        raw_values, owner, leads = _raw_values(pieces, table)
        if piece_owner is not None:
            owner = piece_owner[owner]
        ends = (raw_values & np.uint64(SENTENCE_END)).astype(bool)
        # A sentence starts after a flagged token and wherever one text gives way to the next.
        starts = np.ones(len(owner), dtype=bool)
        if len(owner):
            starts[0] = owner[0] != carry_owner or carry_end
            starts[1:] = (owner[1:] != owner[:-1]) | ends[:-1]
        sentence = np.cumsum(starts) + carry_sentence
        if len(owner):
            carry_owner, carry_sentence, carry_end = int(owner[-1]), int(sentence[-1]), bool(ends[-1])
        kept = raw_values > np.uint64(SENTENCE_END)
        hashes.append(raw_values[kept] & ~np.uint64(SENTENCE_END))
        sentences.append(sentence[kept])
        numeric.append(leads[kept])
        counts.append(np.bincount(owner[kept], minlength=len(texts)))
        del raw_values, owner, ends, starts, sentence, kept, leads
    total = np.sum(counts, axis=0) if counts else np.zeros(len(texts), np.int64)
    return Tokens(
        hashes=np.concatenate(hashes) if hashes else np.zeros(0, np.uint64),
        sentence=np.concatenate(sentences) if sentences else np.zeros(0, np.int64),
        offsets=np.concatenate(([0], np.cumsum(total))).astype(np.int64),
        numeric=np.concatenate(numeric) if numeric else np.zeros(0, bool),
    )


# Characters tokenized in one numpy pass (see ``tokenize``): about 50 MB of scratch.
_SLICE_CHARS = 1 << 20
_WHITESPACE = re.compile(r"\s")


def _slices(texts: Sequence[str]) -> Iterator[tuple[list[str], np.ndarray | None]]:
    """Consecutive runs of texts (long ones cut into pieces) of at most about ``_SLICE_CHARS`` characters,
    each with the number of the text every piece belongs to. A batch of normal size is one slice, its
    pieces the texts themselves (numbers None: nothing to renumber)."""
    if sum(map(len, texts)) <= _SLICE_CHARS:
        yield list(texts), None
        return
    pieces: list[str] = []
    owners: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        for piece in _pieces(text) if len(text) > _SLICE_CHARS else (text,):
            if pieces and size + len(piece) > _SLICE_CHARS:
                yield pieces, np.asarray(owners, dtype=np.int64)
                pieces, owners, size = [], [], 0
            pieces.append(piece)
            owners.append(i)
            size += len(piece)
    if pieces:
        yield pieces, np.asarray(owners, dtype=np.int64)


def _pieces(text: str) -> Iterator[str]:
    """``text`` cut into pieces of at most ``_SLICE_CHARS`` characters, each ending with whitespace where
    the text has any in the last half of the piece (a word longer than that is cut)."""
    start = 0
    while len(text) - start > _SLICE_CHARS:
        end = start + _SLICE_CHARS
        cut = None  # after the last whitespace near the limit, else after a space further back, else at the limit
        for match in _WHITESPACE.finditer(text, max(start, end - 4096), end):
            cut = match.end()
        if cut is None:
            cut = text.rfind(" ", start + _SLICE_CHARS // 2, end) + 1 or end
        yield text[start:cut]
        start = cut
    yield text[start:]


def _raw_values(texts: Sequence[str], table: TokenTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every token's raw value (``TokenTable``'s: dropped tokens 0 or ``SENTENCE_END``), its text, and whether it
    starts with an ASCII digit (``Tokens.numeric``), in order."""
    plain = [t.isascii() for t in texts]
    if all(plain):
        return _byte_values(texts, table)
    ascii_ = [i for i, p in enumerate(plain) if p]
    lowered = {i: t.lower() for i, (t, p) in enumerate(zip(texts, plain)) if not p}
    letters, other = [], []
    for i, text in lowered.items():
        (other if _needs_regex(text) else letters).append(i)
    values, owners, leads = [], [], []
    for group, tokenized in ((ascii_, lambda g: _byte_values([texts[i] for i in g], table)),
                             (letters, lambda g: _byte_values([lowered[i] for i in g], table, utf8=True)),
                             (other, lambda g: _regex_values([lowered[i] for i in g], table))):
        if group:
            found, local, lead = tokenized(group)
            values.append(found)
            owners.append(np.asarray(group, dtype=np.int64)[local])
            leads.append(lead)
    raw_values, owner = np.concatenate(values), np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    return raw_values[order], owner[order], np.concatenate(leads)[order]


def _regex_values(lowered: list[str], table: TokenTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_raw_values`` of lower-cased texts of any script, a regex match and a table lookup per token."""
    raw = _TOKEN.findall(_SEPARATED.join(t.replace(_SEPARATOR, " ") for t in lowered))
    found = np.fromiter(map(table.__getitem__, raw), np.uint64, len(raw))
    lead = np.fromiter((token[0] in _DIGITS for token in raw), bool, len(raw))
    separator = found == _SEPARATOR_VALUE
    return found[~separator], np.cumsum(separator)[~separator], lead[~separator]


def _needs_regex(lowered: str) -> bool:
    """Whether a lower-cased text must go through the regex: it has a non-ASCII character that is not a letter
    or digit (a combining mark or a symbol: the regex decides where those end a word) or is of a script
    written without spaces."""
    return any(not run.isalnum() or _NO_SPACE.search(run) for run in _NON_ASCII.findall(lowered))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_DIGITS = frozenset(string.digits)
_NO_SPACE = re.compile(f"[{NO_SPACE_SCRIPTS}]")


_OTHER, _ALNUM, _END = 0, 1, 2
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[[ord(c) for c in string.ascii_letters + string.digits]] = _ALNUM
_CLASS[[ord(c) for c in _ENDS if c.isascii()]] = _END  # the others: only in texts the regex reads
_CLASS[0x80:] = _ALNUM  # UTF-8 bytes of the non-ASCII letters and digits of the texts ``_byte_values`` takes
_STOP_HASHES = np.array(sorted({word_hash(w) for w in ENGLISH_STOP_WORDS}), dtype=np.uint64)


def _stop_table(hashes: np.ndarray) -> tuple[np.ndarray, np.uint64, np.uint64]:
    """A collision-free table of the stop-word hashes: ``table[(h >> shift) & mask] == h`` exactly for them.

    One gather and one compare per token, where a binary search took a dozen steps. Slots hold 0,
    the hash of no word (``words.fmix64`` is a bijection and 0 is the empty word's).
    """
    for bits in range(10, 21):
        for shift in range(0, 65 - bits):
            slots = (hashes >> np.uint64(shift)) & np.uint64((1 << bits) - 1)
            if len(np.unique(slots)) == len(hashes):
                table = np.zeros(1 << bits, dtype=np.uint64)
                table[slots] = hashes
                return table, np.uint64(shift), np.uint64((1 << bits) - 1)
    raise AssertionError("no collision-free stop-word table")  # not reached for a few hundred hashes


_STOP_TABLE, _STOP_SHIFT, _STOP_MASK = _stop_table(_STOP_HASHES)


def _byte_values(texts: list[str], table: TokenTable,
                 utf8: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw token values (as ``table`` gives them) of ASCII texts, or with ``utf8`` of lower-cased texts whose
    non-ASCII characters are all letters or digits; each token's text number; whether it starts with a digit.

    A token is a run of letters, digits and ``.!?``, exactly as the regex
    ``_TOKEN`` gives it for these texts; its hash covers its letters and
    digits only (their UTF-8 bytes), stemmed by the rules of
    ``words.light_stem`` (which leave a non-ASCII word alone). The rare
    token with ``.!?`` before a letter ("u.s", "3.5") or longer than
    ``_CHUNKED_BYTES`` goes through ``table``.
    """
    if utf8:
        encoded = [t.encode("utf-8") for t in texts]
        raw = _SEPARATED.encode().join(encoded)
        sizes = np.fromiter(map(len, encoded), np.int64, len(texts))
    else:
        raw = _SEPARATED.join(texts).lower().encode("ascii")
        sizes = np.fromiter(map(len, texts), np.int64, len(texts))
    buffer, words8 = eight_byte_reads(raw)
    data = buffer[: len(raw)]
    kind = _CLASS[buffer]
    inside = kind[: len(raw)] != _OTHER
    edge = np.zeros(len(inside) + 1, dtype=bool)
    if len(inside):
        edge[0], edge[-1] = inside[0], inside[-1]
        np.not_equal(inside[1:], inside[:-1], out=edge[1:-1])
    # Token edges alternate: a start, then its stop.
    bounds = np.flatnonzero(edge)
    starts, stops = bounds[0::2], bounds[1::2]
    # Tokens per text from one search per text, not one per token.
    text_starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes + len(_SEPARATED), out=text_starts[1:])
    per_text = np.diff(np.searchsorted(starts, text_starts))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), per_text)
    end = kind[stops - 1] == _END
    length = _letters(kind, starts, stops, end)
    drop = length == 0
    word = chunk_hashes(words8, starts, np.minimum(length, _CHUNKED_BYTES))
    if table.stop_words:
        drop |= _STOP_TABLE[(word >> _STOP_SHIFT) & _STOP_MASK] == word
    if table.stem:
        # Only words of five letters or more change (``light_stem``), and dropped ones need no stem.
        stemmed = (length > 4) & (length <= _CHUNKED_BYTES) & ~drop
        if utf8:  # light_stem leaves a word with a non-ASCII letter as it is
            high = np.zeros(len(data) + 1, dtype=np.int64)
            np.cumsum(data >= 0x80, out=high[1:])
            stemmed &= high[stops] == high[starts]
        long = np.flatnonzero(stemmed)
        changed, new_length, add_y = _stems(data, starts[long], length[long])
        long = long[changed]
        word[long] = chunk_hashes(words8, starts[long], new_length, add_y)
    value = (word & ~np.uint64(3)) | np.uint64(2)
    value[drop] = 0
    value |= end.astype(np.uint64)
    odd = _odd_tokens(kind, starts, length)
    if len(odd):
        tokens = (raw[i:j].decode("utf-8") for i, j in zip(starts[odd].tolist(), stops[odd].tolist()))
        value[odd] = [table.value(token) if len(token) > _CHUNKED_BYTES else table[token] for token in tokens]
    first = data[starts] if len(starts) else np.zeros(0, np.uint8)
    return value, owner, (first >= ord("0")) & (first <= ord("9"))


def plain_word_hashes(lowered: str, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of the words of a lower-cased ASCII text (``words.plain_word_bounds``: runs of letters and digits):
    each one's ``word_hash``, and the ``word_hash`` of its ``light_stem``, 0 for a stop word. Computed in
    numpy on the text's bytes, as ``_byte_values`` computes a batch's tokens (the reuse units of a text: one
    Python call a word took half of their time)."""
    raw = lowered.encode("ascii")
    buffer, words8 = eight_byte_reads(raw)
    length = np.asarray(ends, np.int64) - starts
    word = chunk_hashes(words8, starts, np.minimum(length, _CHUNKED_BYTES))
    stop = _STOP_TABLE[(word >> _STOP_SHIFT) & _STOP_MASK] == word
    stem = word.copy()
    long = np.flatnonzero((length > 4) & (length <= _CHUNKED_BYTES) & ~stop)
    changed, new_length, add_y = _stems(buffer[:len(raw)], starts[long], length[long])
    long = long[changed]
    stem[long] = chunk_hashes(words8, starts[long], new_length, add_y)
    for i in np.flatnonzero(length > _CHUNKED_BYTES).tolist():  # hashed whole (BLAKE2b), rare
        token = lowered[starts[i]:ends[i]]
        word[i] = word_hash(token)
        stop[i] = token in ENGLISH_STOP_WORDS
        stem[i] = word_hash(light_stem(token))
    stem[stop] = 0
    return word, stem


def _letters(kind: np.ndarray, starts: np.ndarray, stops: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Each token's length without its trailing run of ``.!?`` (0 for a token of those only)."""
    stop = stops.copy()
    run = np.flatnonzero(end)
    while len(run):
        stop[run] -= 1
        run = run[(stop[run] > starts[run]) & (kind[stop[run] - 1] == _END)]
    return stop - starts


def _odd_tokens(kind: np.ndarray, starts: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Tokens the chunk hash cannot take: ``.!?`` before a letter or digit, or too long."""
    ends = np.flatnonzero(kind == _END)  # ``kind`` is padded, so ``ends + 1`` is in range
    inner = ends[kind[ends + 1] == _ALNUM]
    odd = np.searchsorted(starts, inner, side="right") - 1
    return np.union1d(odd, np.flatnonzero(length > _CHUNKED_BYTES))


def _stems(data: np.ndarray, first: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of these words (longer than four letters) ``light_stem`` changes, their stems' lengths, and
    whether a "y" is appended ("studies" -> "study")."""
    last = first + length - 1
    # The last three bytes in one integer, so a suffix test is one masked compare.
    tail = data[last].astype(np.uint32) | (data[last - 1].astype(np.uint32) << 8)
    tail |= data[last - 2].astype(np.uint32) << 16

    def ends_with(suffix: str) -> np.ndarray:
        code = int.from_bytes(suffix.encode()[::-1], "little")
        return (tail & np.uint32((1 << 8 * len(suffix)) - 1)) == np.uint32(code)

    todo = ~ends_with("ss")
    new_length = length.copy()
    add_y = np.zeros(len(length), dtype=bool)
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        hit = todo & ends_with(suffix)
        if len(suffix) - len(replacement) > 2:  # the stem must keep three letters; words here have five
            hit &= length - len(suffix) + len(replacement) >= 3
        new_length[hit] = length[hit] - len(suffix)
        if replacement:
            add_y |= hit
        todo &= ~hit
    strip_e = ~add_y & (data[first + new_length - 1] == ord("e")) & (new_length > 3)
    new_length[strip_e] -= 1
    changed = np.flatnonzero(new_length != length)  # an "ies" word loses three letters, so it is here too
    return changed, new_length[changed], add_y[changed]
