"""Sections of a document: the heading each paragraph stands under.

A paragraph repeated word for word under another heading states another fact: a spec table under "## M24 Office
Plus" that repeats the one under "## M24 Office", "2 tablespoons caster sugar" under "For the filling:" after
"For the pastry:", a changelog entry under "## Version 4.8.0" that "## Version 4.8.2" repeats. ``dedup clean``
removed each as a restatement (found by trying it, eighteenth round).

A heading is a Markdown heading under the title (a line starting with "##"), or a line of up to ``_LABEL_WORDS``
words ending in a colon ("For the filling:", "Ingredients:"); two paragraphs are in two sections where headings of
one kind head them. Inside a paragraph, a run-in heading ("Confidentiality. The
Processor shall ...") and a speaker's or a vote's label ("BEN", "Carried 3-1.") belong to the sentence beside
them: ``dedup clean --sentences`` does not leave them alone (``run_in_heading``, ``leaves_a_sentence``).
"""

from __future__ import annotations

import re

from dedup.records import Paragraph
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import words

_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+\S")
_LABEL_WORDS = 4
# Lines ending in a colon that introduce what follows, not a section: "In a statement, the company said:".
_INTRODUCING = frozenset("said says say wrote writes added adds told tells stated explained reads read follows "
                         "following include includes including are is were was".split())


def heading_kind(paragraph: Paragraph) -> str | None:
    """The kind of heading ``paragraph`` is: "#2" to "#6" for a Markdown heading under the title ("##"), "label"
    for a line of up to ``_LABEL_WORDS`` words ending in a colon, without a comma, not introducing speech or a list
    ("For the filling:"); None for none (a document's "# Title" heads it all)."""
    text = paragraph.text.strip()
    if "\n" in text or not text:
        return None
    found = _MARKDOWN_HEADING.match(text)
    if found:
        return f"#{len(found.group(1))}" if len(found.group(1)) > 1 else None
    label = text[:-1].split()
    if text.endswith(":") and "," not in text and 0 < len(label) <= _LABEL_WORDS and \
            label[-1].casefold() not in _INTRODUCING:
        return "label"
    return None


def is_heading(paragraph: Paragraph) -> bool:
    """Whether ``paragraph`` is one line that heads a section (``heading_kind``)."""
    return heading_kind(paragraph) is not None


def headings(paragraphs: list[Paragraph]) -> list[tuple[str, str] | None]:
    """For each paragraph, the heading above it as (kind, text spaced and cased alike), or None where none is:
    two paragraphs under headings of one kind and other texts are in two sections (a paragraph under the title
    and one under "## Conclusion" are not: a conclusion restates the introduction)."""
    found: list[tuple[str, str] | None] = []
    current = None
    for paragraph in paragraphs:
        found.append(current)
        kind = heading_kind(paragraph)
        if kind is not None:
            current = (kind, _key(paragraph.text))
    return found


def _key(text: str) -> str:
    return " ".join(text.strip().lstrip("#").split()).casefold()


def pasted_headings(paragraphs: list[Paragraph], removed: set[int]) -> list[int]:
    """The headings that repeat an earlier heading word for word and whose whole section (one paragraph at least,
    up to the next heading) is ``removed``: a section pasted twice, whose repeated body went, left its heading
    ("## Installing the server" at the end, with nothing under it)."""
    seen: set[str] = set()
    found = []
    for k, paragraph in enumerate(paragraphs):
        if not is_heading(paragraph):
            continue
        key = _key(paragraph.text)
        body = []
        for later in paragraphs[k + 1:]:
            if is_heading(later):
                break
            body.append(later.index)
        if key in seen and body and k not in removed and all(i in removed for i in body):
            found.append(k)
        seen.add(key)
    return found


def run_in_heading(paragraph: Paragraph, i: int, earlier: str) -> bool:
    """Whether sentence ``i`` opens ``paragraph`` as a run-in heading ("Confidentiality. The Processor shall ...",
    "Personal data. ..."): up to four words, the first capitalised, before more sentences, which the earlier
    paragraph does not hold as a sentence of its own ("Nothing. They are still waiting ..." repeated is a repeat).
    Its words stood in the earlier paragraph's text, and ``--sentences`` cut the heading with the sentence it
    labels."""
    label = paragraph.sentences[i].text.strip()
    found = _WORD.findall(label)
    return i == 0 and len(paragraph.sentences) > 1 and 0 < len(found) <= 4 and found[0][0].isupper() and \
        re.search(rf"(?:^|[.!?:]\s+){re.escape(label)}(?=\s|$)", earlier.strip()) is None


def leaves_a_sentence(paragraph: Paragraph, cut: list[bool]) -> bool:
    """Whether what ``--sentences`` leaves of ``paragraph`` holds a sentence of ``_LEFT_WORDS`` words at least. What
    is shorter ("BEN", "BEN: Thanks, Ana.", "Carried 3-1.", a subtitle cue's number and times) is a label or a
    tally of the sentence beside it, which says it of another speaker, vote or moment: cut, the label was left
    alone, and an SRT cue without its text."""
    return any(len(_WORD.findall(s.text)) >= _LEFT_WORDS for s, c in zip(paragraph.sentences, cut) if not c)


_LEFT_WORDS = 5


_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


CLAIM_WORDS = 2  # words of its own a paragraph needs to be removed as a restatement: "No, not yet." has none
_CONTRACTED = frozenset("don doesn didn isn wasn weren aren haven hasn hadn won wouldn shouldn couldn can".split())


def claim_words(text: str) -> int:
    """The words of ``text`` that are no stop word ("I don't know." has one: "know"; each character of Chinese
    or Japanese is a word)."""
    return sum(1 for w in words(text) if (len(w) > 1 or not w.isascii()) and w not in ENGLISH_STOP_WORDS
               and w not in _CONTRACTED)


def footers_alone(paragraphs: list[Paragraph], footers: dict[int, str]) -> set[int]:
    """The paragraphs of ``footers`` (number: the boilerplate passage's text) that hold nothing of their own before
    it (``own_text_before``): what ``clean --boilerplate`` removes."""
    return {p for p, passage in footers.items() if p >= len(paragraphs) or
            not own_text_before(paragraphs[p].text, passage)}


def own_text_before(paragraph: str, passage: str) -> bool:
    """Whether ``paragraph`` holds words of its own before the start of ``passage`` (a boilerplate passage's text
    as one of its occurrences begins): a mail's "Approved, go ahead with the purchase." with the signature glued
    under it, no blank line between, went with the signature under ``clean --boilerplate``."""
    start = " ".join(words(passage)[:_PASSAGE_START])
    said = " ".join(words(paragraph))
    at = said.find(start) if start else -1
    return at > 0  # a word stands before it


_PASSAGE_START = 6  # words of the passage looked for
