"""A sentence that is its partner word for word but for one short change: the change is the point.

``dedup clean`` removes a restated sentence only when it says nothing its partner does not (``facts.says_more``).
Those rules read kinds of word (numbers, names, negations, the words of ``fact_sides``), and a word of no listed
kind went unread: "in rats" for "in mice", "NQO1 protein" for "NQO1 mRNA", "exclusive of VAT" for "inclusive of
VAT", "opt out" for "opt in", "We shall indemnify you" for "You shall indemnify us", "Except where required by
law," put before a clause. Found by trying it (eighteenth round): of 95 scientific and 85 contract sentences each
repeating an earlier one but for one changed fact, ``clean`` removed 33 and 45.

A sentence repeated but for one change says something else whatever its words are; a restatement in other words
changes more than one place. Measured on ``data/dev`` before the rule was chosen: of the 74 paragraphs ``clean``
removes, all restatements, none holds a sentence that is its partner with one change of these shapes, so the rule
costs no removal there (docs/benchmarks.md, "Found by trying it, eighteenth round").

A sentence that says less (a qualifier or an attribution left out: '"...," said Mayor Beck' repeated as the quote
alone) is no change of this kind: what it says, its partner says.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from rapidfuzz.distance import Levenshtein

from dedup.text.stop_words import ENGLISH_STOP_WORDS
from dedup.text.words import light_stem, words

# Words whose change alone turns no fact ("the plan" for "this plan"; "also" put in); the words of saying ("say"
# for "said"); one word written the British or the American way ("modernise", "colour", "centre", "travelled");
# signs of a relation, which ``words`` does not read. Not the auxiliaries ("the police were warned" for "had
# warned"), not any stop word put in ("few of the residents", "part of its stake", "less pain"), not two words a
# letter or two apart ("employer" and "employee", "hypertension" and "hypotension"): a second reviewer found each.
_LIGHT = frozenset("a an the this that these those".split())
_ADDED_LIGHT = _LIGHT | {"also"}
_SAYING = frozenset("say says said saying tell tells told add adds added state states stated note notes noted explain "
                    "explains explained according".split())
_SPELLINGS = ((re.compile(r"is(e[sd]?|ing|ations?)$"), r"iz\1"), (re.compile(r"our(s|ed|ing)?$"), r"or\1"),
              (re.compile(r"tre(s|d)?$"), r"ter\1"), (re.compile(r"ll(ed|ing|er)$"), r"l\1"),
              (re.compile(r"ogue(s)?$"), r"og\1"), (re.compile(r"yse(s|d)?$"), r"yze\1"))
_RELATIONS = frozenset("<>\u00b1\u2260\u2264\u2265\u2191\u2193\u2b06\u2b07")
_TAG = re.compile(r"<[^<>\s]+>")  # "<https://...>", "<b>"
_QUOTING = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")  # a mail's "> > "
_CONDITIONS = frozenset("if unless provided providing".split())
# One word that, put in, changes how much or how sure: "less pain", "few residents", "only on weekends".
_QUANTIFIERS = frozenset("""few fewer less least more most many several some all none half only partly mostly nearly
    almost barely hardly slightly significantly largely entirely fully partially rarely never always""".split())
_PRONOUNS = frozenset("""i me my mine we us our ours you your yours he him his she her hers they them their theirs it
    its""".split())
MAX_REPLACED = 3  # words on each side of the one replaced place
MAX_ADDED = 10  # words the sentence adds in one place ("Except where required by law,")


def changed_once(sentence: str, partner: str, context: str) -> bool:
    """Whether ``sentence`` is ``partner`` with one short change that says something else: a place where up to
    ``MAX_REPLACED`` words stand for others, up to ``MAX_ADDED`` words added there that ``context`` (the earlier
    paragraph) does not hold, two words swapped ("the seller shall pay the buyer"), or only personal pronouns
    swapped ("We shall indemnify you" for "You shall indemnify us")."""
    if _relation_swapped(sentence, partner):
        return True
    mine, theirs = words(sentence), words(partner)
    blocks = _changed_blocks(mine, theirs)
    if len(blocks) == 1:
        return _one_change(blocks[0], mine, theirs, context)
    return bool(blocks) and (_two_swapped(mine, theirs) or all(
        i2 - i1 == 1 and j2 - j1 == 1 and mine[i1] in _PRONOUNS and theirs[j1] in _PRONOUNS
        for i1, i2, j1, j2 in blocks))


def _changed_blocks(mine: list[str], theirs: list[str]) -> list[tuple[int, int, int, int]]:
    """The places where the two word lists differ, ``(i1, i2, j1, j2)``: the edit operations of one place merged
    (rapidfuzz gives "exceed" for "be less than" as a replacement and an insertion side by side)."""
    blocks: list[list[int]] = []
    for op in Levenshtein.opcodes(mine, theirs):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [(i1, i2, j1, j2) for i1, i2, j1, j2 in blocks]


def _one_change(block: tuple[int, int, int, int], mine: list[str], theirs: list[str], context: str) -> bool:
    i1, i2, j1, j2 = block
    if i1 == i2:
        return False  # the sentence says less
    if j1 == j2:  # words added in one place: new unless light ("also") or words the earlier paragraph holds
        if mine[i1] in _CONDITIONS:
            return False  # "... if talks fail": a condition is ``facts``' to judge (one stated before is known)
        if i2 - i1 == 1 and mine[i1] not in _QUANTIFIERS and not _unit_like(mine[i1]):
            return False  # one word more: "police officers said", "the city council said"; not "few", "less", "mg"
        added = {light_stem(w) for w in mine[i1:i2] if w not in _ADDED_LIGHT}
        return i2 - i1 <= MAX_ADDED and bool(added - {light_stem(w) for w in words(context)})
    new, old = [w for w in mine[i1:i2] if w not in _LIGHT], [w for w in theirs[j1:j2] if w not in _LIGHT]
    if i2 - i1 > MAX_REPLACED or j2 - j1 > MAX_REPLACED or "".join(new) == "".join(old):
        return False  # a longer rewording; or one word written apart ("tie-break" for "tiebreak")
    if new and old and set(new) | set(old) <= _SAYING or len(new) == len(old) and all(map(_spelled, new, old)):
        return False  # "says" for "said"; "modernise" for "modernize", "debtae" for "debate"
    return {light_stem(w) for w in new} != {light_stem(w) for w in old}


def _spelled(word: str, other: str) -> bool:
    """Whether two words are one written the British and the American way (``_SPELLINGS``)."""
    return word != other and _american(word) == _american(other)


def _american(word: str) -> str:
    for pattern, replacement in _SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


def relation_signs(text: str) -> list[str]:
    """The signs of relation ``text`` states ("<1%", "p > 0.05", "↑ 4%", "&lt; 5"), each time one stands there: not
    a mail's quoting ("> " opening a line), a tag's or an autolink's brackets, nor an arrow's ("->", "<=")."""
    if "&" in text:
        text = html.unescape(text)
    text = _QUOTING.sub("", _TAG.sub(" ", text))
    return [c for k, c in enumerate(text) if c in _RELATIONS and not (
        c in "<>" and ((k > 0 and text[k - 1] in "-=") or text[k + 1:k + 2] in ("-", "=")))]


def _relation_swapped(sentence: str, partner: str) -> bool:
    """Whether the two sentences state other signs of relation: "p > 0.05" for "p < 0.05", "<1%" for "1%", "↓" for
    "↑" (``words`` reads no sign). Not "~", "≈", "+", "=" or "→": "~400" for "about 400", "C++", "London → Paris"."""
    return Counter(relation_signs(sentence)) != Counter(relation_signs(partner))


def _unit_like(word: str) -> bool:
    """A word of up to three letters that is no stop word: a unit ("45 mg" for "45 %", "µg", "ml")."""
    return len(word) <= 3 and word.isalpha() and word not in ENGLISH_STOP_WORDS


def _two_swapped(mine: list[str], theirs: list[str]) -> bool:
    """Whether the word lists are one with two words (not both light) in each other's places."""
    if len(mine) != len(theirs):
        return False
    places = [i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b]
    return len(places) == 2 and mine[places[0]] == theirs[places[1]] and mine[places[1]] == theirs[places[0]] \
        and not {mine[i] for i in places} <= _LIGHT
