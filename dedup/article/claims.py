"""What a match says about claims: whether a paragraph is the article's headline, and whether two paragraphs
share nothing but names.

A headline restating the lede is the normal shape of news, not redundancy: such a match is reported as its
own kind (``Match.kind == "headline"``), and ``dedup clean`` never removes a body paragraph because the
headline alone restates it. Two paragraphs whose only shared content words are names ("US Defense Secretary",
"Riverton") are about the same people, not the same claim: the detector does not confirm them, so a group
never chains two claims through a name.
"""

from __future__ import annotations

from dedup.records import Paragraph
from dedup.text.cases import content_word_names
from dedup.text.headline import is_headline, title_like
from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, word_spans, words

HEADLINE = "headline"
RESTATEMENT = "restatement"
_CLAIM_WORDS = 3  # content words besides names that a copied run needs to state a claim (``name_run``)
_TITLE_CASE = 0.85  # share of capitalised content words past which a line is title case: its capitals say nothing


def match_kind(a: Paragraph, b: Paragraph) -> str:
    """``"headline"`` when one side is the headline and the other a paragraph of the body; ``"restatement"``
    otherwise (a title repeated anywhere restates the first, with a full stop too: the same words)."""
    headline = (is_headline(a) and not title_like(b)) or (is_headline(b) and not title_like(a))
    return HEADLINE if headline and words(a.text) != words(b.text) else RESTATEMENT


def names_only(a: str, b: str, memo: dict[str, dict[str, bool]] | None = None) -> bool:
    """Whether the content words ``a`` and ``b`` share are all names: capitalised inside sentences of a text
    written in sentence case, and never lower-case in it. False when they share none (a rewording shares no
    words, and that is for the confirm stage to judge) or a number. ``memo`` keeps each text's
    ``content_word_names`` across calls (a paragraph is in several pairs)."""
    memo = {} if memo is None else memo
    for text in (a, b):
        if text not in memo:
            memo[text] = content_word_names(text)
    words_a, words_b = memo[a], memo[b]
    shared = words_a.keys() & words_b.keys()
    if not shared:
        return False
    judged = [w for w in (words_a, words_b) if not _title_case(w)]
    if not judged:
        return False  # two headlines: their capitals tell nothing
    return all(not any(c.isdigit() for c in word) and all(w[word] for w in judged) for word in shared)


def name_run(run: str, a: str, b: str) -> bool:
    """Whether a run of words that ``a`` and ``b`` share has fewer than ``_CLAIM_WORDS`` content words besides
    the names (words that read as names in both): "miles from Santa Rosa Memorial Hospital", "Sonoma County
    Human Services Department" are a name the two repeat, as a list or a page's boilerplate does beside other
    facts, where "Defense Secretary Pete Hegseth ruled out sending American troops" copies a claim."""
    words = [light_stem(w) for w, _, _ in word_spans(run) if w not in ENGLISH_STOP_WORDS]
    # A text in title case says nothing by its capitals: the other decides, and if both are, nothing is a name.
    judged = [names for names in (content_word_names(a), content_word_names(b)) if not _title_case(names)]
    named = sum(1 for w in words if judged and all(names.get(w) for names in judged))
    return len(words) - named < _CLAIM_WORDS


def _title_case(words: dict[str, bool]) -> bool:
    return bool(words) and sum(words.values()) >= _TITLE_CASE * len(words)
