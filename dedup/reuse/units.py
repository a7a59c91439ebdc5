"""The units reuse is aligned on: a text's sentences, located in the text as read, with their content words.

Offsets are character offsets into the text exactly as given (after decoding, before any normalization:
CRLF, a BOM, curly quotes and non-ASCII letters stay where they are), so ``text[start:end]`` is the
sentence. Sentences come from the one sentence splitter (``dedup.text.segment.split_sentences``) applied
to each blank-line block; words from the one word definition (``dedup.text.words``), lower-cased, stop
words dropped and lightly stemmed, as everywhere else. A sentence of fewer than ``min_words`` content
words is joined to the next one of its block, so a heading or a two-word line is never a unit alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dedup.text.segment import split_sentences
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, word_spans

_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass(frozen=True)
class Units:
    """A text's sentences: ``spans[i]`` is ``(start, end)`` into the text, ``words[i]`` its content words."""

    text: str
    spans: tuple[tuple[int, int], ...]
    words: tuple[tuple[str, ...], ...]
    block: tuple[int, ...]  # the blank-line block (paragraph) each sentence is in

    def __len__(self) -> int:
        return len(self.spans)

    def sentence(self, i: int) -> str:
        start, end = self.spans[i]
        return self.text[start:end]


def content_words(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` of each content word of ``text`` (not a stop word, longer than one letter)."""
    found = []
    for word, start, end in word_spans(text):
        if not word.isascii():
            word = unicodedata.normalize("NFKC", word)
        if len(word) > 1 and word not in ENGLISH_STOP_WORDS:
            found.append((light_stem(word), start, end))
    return found


def units_of(text: str, min_words: int = 4) -> Units:
    """The sentences of ``text`` with spans into it (see the module docstring)."""
    spans, words, blocks = [], [], []
    for number, (block_start, block) in enumerate(_blocks(text)):
        pending: list[tuple[int, int, list[str]]] = []
        for sentence in split_sentences(block):
            found = content_words(sentence.text)
            if not found:
                continue
            every = word_spans(sentence.text)  # the sentence runs from its first word to its last, stop words too
            start = block_start + sentence.start + every[0][1]
            end = block_start + sentence.start + end_of(sentence.text, every[-1][2])
            stems = [w for w, _, _ in found]
            if pending:  # a short sentence before this one joins it
                start, stems = pending[0][0], pending[0][2] + stems
                pending = []
            if len(stems) < min_words:
                pending = [(start, end, stems)]
                continue
            spans.append((start, end))
            words.append(tuple(stems))
            blocks.append(number)
        if pending:  # a short last sentence joins the one before it in its block, else stands alone
            start, end, stems = pending[0]
            if blocks and blocks[-1] == number:
                spans[-1] = (spans[-1][0], end)
                words[-1] = words[-1] + tuple(stems)
            else:
                spans.append((start, end))
                words.append(tuple(stems))
                blocks.append(number)
    return Units(text=text, spans=tuple(spans), words=tuple(words), block=tuple(blocks))


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
