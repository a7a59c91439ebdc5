"""Content words and their case: which words of a text read as names.

The detector's claim rules (``article.claims``) and the grouping of matches (``cluster.groups``) ask the same
question of a text, so it is answered here once.
"""

from __future__ import annotations

from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, per_text, word_spans

_ENDS = (".", "!", "?")
NAME_PREFIX = 4  # names compared by their first letters, so that "India" and "Indian", "Norway" and "Norwegians" meet


def content_word_names(text: str) -> dict[str, bool]:
    """Each content word's stem -> whether it reads as a name in ``text``: capitalised at each occurrence
    past a sentence's first word (whose capital says nothing), with at least one such occurrence. Inside
    ``words.shared_words`` found once per text (the amounts, name rule and groups each ask of the same
    paragraphs and sentences: 20 calls for 7 texts on the bundled article)."""
    return per_text(_content_word_names, text)


def _content_word_names(text: str) -> dict[str, bool]:
    found: dict[str, list[bool]] = {}
    starts_sentence = True
    for word, start, end in word_spans(text):
        if word not in ENGLISH_STOP_WORDS:
            capital = text[start].isupper()
            seen = found.setdefault(light_stem(word), [])
            if not starts_sentence or not capital:
                seen.append(capital)
        starts_sentence = text[end:end + 1] in _ENDS and not text[end + 1:end + 2].isalnum()
    return {word: bool(seen) and all(seen) for word, seen in found.items()}


def name_prefixes(text: str) -> frozenset[str]:
    """The first ``NAME_PREFIX`` letters of each word that reads as a name in ``text`` (``content_word_names``;
    numbers left out): how the agreement model and ``dedup clean`` tell whether two texts name the same."""
    return frozenset(w[:NAME_PREFIX] for w, is_name in content_word_names(text).items()
                     if is_name and not w[:1].isdigit())
