"""Words: what counts as one, its light stem, and the 64-bit mixes every hash of dedup starts from.

The lowest layer of the text front-end: the corpus tokenizer (``tokens``), shingles (``sketch.shingle``),
the reranker's features, shared spans and reuse units all take their words and stems from here, so a word
is the same word on every path.

A token is a run of letters and digits that may hold ``.!?`` (on through combining marks), or one character
of a script written without spaces; the ``.!?`` in it are not part of the word ("U.S." is the word "us",
"3.5" the word "35"), and a token of ``.!?`` only ("...") is no word. Trailing ``.!?`` end a sentence for
the corpus tokenizer (``tokens.TokenTable``), which finds its tokens with the same ``TOKEN`` pattern.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Callable, Iterator, TypeVar

import numpy as np

from dedup.text.marks import MARK
from dedup.text.stop_words import ENGLISH_STOP_WORDS

_U64 = np.uint64
# One character of a script written without spaces is one token (character
# shingles), so Chinese or Japanese text still yields shingles. Not the alphabets written without spaces
# between words (Thai, Lao, as Khmer and Burmese): their letters are letters, and a token is a run of them
# between spaces, a phrase (their letters as tokens made any two Thai paragraphs alike).
NO_SPACE_SCRIPTS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Sentence punctuation: inside a token it is dropped from the word, at its end it also ends a sentence. Besides
# ".!?": the ideographic full stop of Chinese and Japanese ("！？" are "!?" once NFKC-normalized), the danda and
# double danda of Hindi and the other Indic scripts, the Urdu full stop, the Arabic question mark, and the full
# stops of Armenian, Ethiopic, Burmese, Khmer and Tibetan.
ENDS = ".!?\u3002\u0964\u0965\u06d4\u061f\u0589\u1362\u104b\u17d4\u0f0d"
NON_ASCII_ENDS = ENDS[3:]
_LETTER = rf"[^\W_{NO_SPACE_SCRIPTS}]"  # a letter or digit, not of a no-space script
# Letters, digits and ".!?" in any order: runs of each, so the regex loops inside a character class and alternates
# only where the one gives way to the other.
_RUN = rf"(?:{_LETTER}++|[.!?]++)"
# A word runs on through combining marks and invisible characters: soft hyphens (U+00AD, a hyphenation point:
# "Straßen\u00adbahn" is one word, "straßenbahn"), zero-width spaces, joiners and non-joiners, the word joiner and
# the direction marks, each dropped from it as the end marks are. Split there, a copy with one inside every word
# shared no word with its source (found by trying it, 2026-12-07).
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\u200e\u200f"
_IN_WORD = rf"(?:{MARK}|[{INVISIBLE}])"
_HAS_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_NO_INVISIBLE = str.maketrans("", "", INVISIBLE)


def without_invisible(text: str) -> str:
    """``text`` without its invisible characters (``INVISIBLE``)."""
    return text.translate(_NO_INVISIBLE)
# One token (of lower-cased text): possessive, so never any backtracking. The other end marks close a token, never
# join two ("iPhone。Apple" is two words, where "U.S" is one), or stand alone ("है ।").
TOKEN = (rf"[{NO_SPACE_SCRIPTS}][{ENDS}]*+|{_RUN}++(?:{_IN_WORD}++{_RUN}*+)*+[{NON_ASCII_ENDS}]*+"
         rf"|[{NON_ASCII_ENDS}]++")
_TOKEN = re.compile(TOKEN)
# Where no ".!?" is followed by a letter, digit or mark, a token is its word plus punctuation before or after it
# (or punctuation only, no word): the words are found faster without the punctuation.
_NON_ASCII_END = re.compile(f"[{NON_ASCII_ENDS}]")
_INNER = re.compile(rf"[.!?](?:{_LETTER}|{_IN_WORD})")
_PLAIN = re.compile(rf"[{NO_SPACE_SCRIPTS}]|{_LETTER}++(?:{_IN_WORD}++{_LETTER}*+)*+")
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


def word_of(token: str) -> str:
    """The word of a (lower-cased) token: the token without its ``ENDS`` ("u.s." -> "us"); "" for none."""
    word = token.replace(".", "").replace("!", "").replace("?", "")
    return word if word.isascii() else word.translate(_NO_ENDS)


_NO_ENDS = str.maketrans("", "", ENDS + INVISIBLE)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, exactly the corpus tokenizer's (``tokens``) before it drops stop words
    and stems: stop words kept, nothing stemmed. Inside ``shared_words()``, each text's words are found once
    (a copy is returned each time)."""
    return per_text(_words, text)


# A number as written, digits with their inner separators ("2,300", "3.5"): the confirm stage's numbers
# feature and ``dedup clean``'s check that a sentence states no number its partner lacks.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't".split())


def negated(text: str, tokens: list[str] | None = None) -> bool:
    """Whether ``text`` (its ``words``, ``tokens``, when the caller has them) holds a negation word or a
    word ending in "n't"."""
    tokens = words(text) if tokens is None else tokens
    # A token ending in "n't" puts "n't" in the lower-cased text: the token scan only runs when it may find one.
    return not NEGATIONS.isdisjoint(tokens) or "n't" in text or (
        "n't" in text.lower() and any(t.endswith("n't") for t in tokens))


def stemmed(text: str) -> list[str]:
    """``light_stem`` of each of ``words(text)`` (inside ``shared_words()`` found once per text: the pair
    features, the model's design and the shared spans each stem the same paragraphs and sentences)."""
    return per_text(_stemmed, text)


def _stemmed(text: str) -> list[str]:
    return [light_stem(w) for w in words(text)]


def content_words(text: str) -> list[str]:
    """``words(text)`` less stop words (all kept when all are stop words), each ``light_stem``-med: the tokens of
    a default ``Shingler`` (the detector's shingles, TF-IDF, pair features and model's substitutions; inside
    ``shared_words()`` found once per text)."""
    return per_text(_content_words, text)


def _content_words(text: str) -> list[str]:
    return filtered_tokens(words(text), stop_words=True, stem=True)


def filtered_tokens(tokens: list[str], stop_words: bool, stem: bool) -> list[str]:
    """``tokens`` less stop words (all kept when all are stop words) and ``light_stem``-med, as asked: the one
    rule of the detector's tokens (``Shingler.tokenize``, ``content_words``)."""
    if stop_words:
        tokens = [t for t in tokens if t not in ENGLISH_STOP_WORDS] or tokens
    return [light_stem(t) for t in tokens] if stem else tokens


@contextmanager
def shared_words(limit: int = 20_000) -> Iterator[None]:
    """Find each text's ``words``, ``word_spans``, stems, content words (and whatever else is asked for through
    ``per_text``) once until the block ends, the first ``limit`` texts' kept (a huge document's others are
    found each time, so the memo stays bounded): the article detector's shingles, pair features and model
    each read the words of the same paragraphs and sentences (four times each on the bundled article), its
    shared spans, name rules, match kinds and groups the word spans of the same paragraphs (42 calls for 15
    paragraphs). The memo is this context's (a thread's or a task's own) and goes with the block."""
    token = _SHARED.set(({}, limit))
    try:
        yield
    finally:
        _SHARED.reset(token)


# The memos of ``shared_words``, one per function, and how many texts each may keep.
_SHARED: ContextVar[tuple[dict[Callable, dict], int] | None] = ContextVar("dedup_shared_words", default=None)
_Found = TypeVar("_Found", list, dict)


def per_text(find: Callable[[str], _Found], text: str) -> _Found:
    """``find(text)`` (a list or a dict), found once per text inside a ``shared_words`` block; a copy each time
    (callers may change what they get)."""
    shared = _SHARED.get()
    if shared is None:
        return find(text)
    memos, limit = shared
    memo = memos.get(find)
    if memo is None:
        memo = memos[find] = {}
    found = memo.get(text)
    if found is None:
        found = find(text)
        if len(memo) < limit:
            memo[text] = found
    return found.copy()


def _words(text: str) -> list[str]:
    lowered = text.lower()
    if _INNER.search(lowered) is None:
        found = _PLAIN.findall(lowered)
        return [without_invisible(w) for w in found] if _HAS_INVISIBLE.search(lowered) else found
    # Tokens hold no whitespace: one pass drops the punctuation of all of them, and split() the empty ones.
    return word_of(" ".join(_TOKEN.findall(lowered))).split()


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` for each of ``words(text)``: ``text[start:end]`` is the word as written, from its
    first to its last letter, digit or mark ("U.S" of "U.S.", "3.5"). Inside ``shared_words()``, each text's
    spans are found once."""
    return per_text(_word_spans, text)


def _word_spans(text: str) -> list[tuple[str, int, int]]:
    lowered = text.lower()
    spans = _spans(lowered)
    if len(lowered) != len(text):  # a letter lower-cased into two characters ("İ"): offsets mapped back
        at = [0]  # where each character of ``text`` starts in ``lowered``
        for c in text:
            at.append(at[-1] + len(c.lower()))
        spans = [(word, bisect_right(at, start) - 1, bisect_left(at, end)) for word, start, end in spans]
    return spans


# ASCII letters and digits: a plain ASCII text's words are exactly the maximal runs of these (``_PLAIN``).
_ASCII_LETTER = np.zeros(256, dtype=bool)
_ASCII_LETTER[np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", np.uint8)] = True


def word_arrays(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``word_spans(text)`` as (words, starts, ends): the same words and offsets, found in numpy when the
    text is ASCII with no ``.!?`` inside a token (most text), where a word is a run of letters and digits;
    through ``word_spans`` otherwise. About four times faster on such text (the match objects are the cost)."""
    plain = plain_word_bounds(text)
    if plain is not None:
        lowered, starts, ends = plain
        return [lowered[a:b] for a, b in zip(starts.tolist(), ends.tolist())], starts, ends
    spans = word_spans(text)
    flat = np.array([(a, b) for _, a, b in spans], dtype=np.int64).reshape(-1, 2)
    return [w for w, _, _ in spans], flat[:, 0].copy(), flat[:, 1].copy()


def is_plain(text: str) -> bool:
    """Whether ``text`` is ASCII with no ``.!?`` inside a token (most text): its words are then exactly the
    maximal runs of ASCII letters and digits."""
    return text.isascii() and _INNER.search(text) is None


def plain_word_bounds(text: str) -> tuple[str, np.ndarray, np.ndarray] | None:
    """For a plain text (``is_plain``): the text lower-cased, and its words' starts and ends (``word_arrays``'
    offsets), found in numpy; None for any other text."""
    if not is_plain(text):
        return None
    lowered = text.lower()
    return (lowered, *lowered_word_bounds(lowered))


def lowered_word_bounds(lowered: str) -> tuple[np.ndarray, np.ndarray]:
    """The starts and ends of the words of a lower-cased plain text (``plain_word_bounds``, already checked)."""
    letter = _ASCII_LETTER[np.frombuffer(lowered.encode("ascii"), np.uint8)]
    edges = np.flatnonzero(np.diff(letter.view(np.int8), prepend=0, append=0))
    return edges[0::2].copy(), edges[1::2].copy()


def _spans(lowered: str) -> list[tuple[str, int, int]]:
    """``word_spans`` of lower-cased text, with spans into it."""
    if _INNER.search(lowered) is None:
        if _HAS_INVISIBLE.search(lowered):
            return [(without_invisible(m.group()), m.start(), m.end()) for m in _PLAIN.finditer(lowered)]
        return [(m.group(), m.start(), m.end()) for m in _PLAIN.finditer(lowered)]
    found = []
    for m in _TOKEN.finditer(lowered):
        token = m.group()
        if "." in token or "!" in token or "?" in token or _NON_ASCII_END.search(token):
            core = token.strip(ENDS + INVISIBLE)
            if core:  # it starts after the punctuation before it, with a character that is none
                start = m.start() + token.index(core)
                found.append((word_of(core), start, start + len(core)))
        else:
            found.append((without_invisible(token), m.start(), m.end()))
    return found


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, elementwise: a bijection that spreads every input bit."""
    shift, m1, m2 = _FMIX64
    values = values ^ (values >> shift)
    values = values * m1
    values = values ^ (values >> shift)
    values = values * m2
    return values ^ (values >> shift)



