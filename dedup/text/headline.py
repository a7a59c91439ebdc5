"""A headline's shape: one of an article's first two blocks, one short sentence without a body sentence's end mark.
Read by the article detector (a match's kind) and by ``dedup clean`` (the headline alone removes no paragraph)."""

from __future__ import annotations

from dedup.records import Paragraph
from dedup.text.words import ENDS, word_spans

# A headline is one of the first two blocks (a page may repeat its title, as the bundled article does), one
# sentence of at most this many words, without the full stop a sentence of the body ends with.
_HEADLINE_WORDS = 20
_HEADLINE_PARAGRAPHS = 2


def is_headline(paragraph: Paragraph) -> bool:
    """Whether ``paragraph`` is the article's headline: a title-like line among its first two blocks."""
    return paragraph.index < _HEADLINE_PARAGRAPHS and title_like(paragraph)


def title_like(paragraph: Paragraph) -> bool:
    """One sentence of at most ``_HEADLINE_WORDS`` words, without the full stop a sentence of a body ends
    with: a headline, or a headline repeated further down."""
    text = paragraph.text.strip()
    return (len(paragraph.sentences) == 1 and 0 < len(word_spans(text)) <= _HEADLINE_WORDS
            and not text.endswith((*ENDS, ":", ";", "\uff01", "\uff1f", "\uff1b", "\uff1a", "\uff0e")))
