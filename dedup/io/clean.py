"""Remove restatements from an article, keeping each claim's first occurrence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dedup.records import CorpusReport, Paragraph, Report, SentencePair
from dedup.text.definitions import defines_another
from dedup.text.facts import says_more
from dedup.text.headline import is_headline
from dedup.text.sections import (
    CLAIM_WORDS,
    claim_words,
    footers_alone,
    headings,
    leaves_a_sentence,
    pasted_headings,
    run_in_heading,
)
from dedup.text.segment import normalize, paragraph_spans, segment
from dedup.text.words import light_stem, words
from dedup.util.validate import WORD_CHAR, check_between, check_bool, check_str


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and what was taken out of it."""

    text: str
    removed_paragraphs: tuple[int, ...]
    removed_sentences: tuple[tuple[int, int], ...]  # (paragraph, sentence) inside kept paragraphs


# The reranker's probability a match confirmed by it alone needs before its paragraph may be removed: more than
# reporting it asks (the detector's 0.82), as a removed paragraph is lost to the reader and a kept one is only
# redundant. Chosen (docs/benchmarks.md) as the highest of 0.85, 0.9, 0.92 and 0.95 that keeps every correct
# removal of data/dev's dev half and of the bundled article; on real web pages it removes fewer paragraphs that
# say something else.
REMOVAL_PROBABILITY = 0.9
_ALONE = frozenset({"reranker", "amounts"})
_CLOSING_SINGLE = re.compile(r"[\w.,!?]'(?=\s|$)")  # a single quote closing a quotation ("storms,' the mayor")


def restated_sentences(report: Report, removal_probability: float = REMOVAL_PROBABILITY) -> set[tuple[int, int]]:
    """``(paragraph, sentence)`` of every sentence that restates one in an earlier paragraph.

    A body sentence is not restated by the headline alone (``Match.kind == "headline"``): a headline that
    restates the lede is the normal shape of news, and the lede is what a reader needs. Only the headline
    repeated (a sentence of the same words, ``_repeats``) is restated by it. Nor is a sentence
    restated by a match only its amounts confirm (``confirmed_by == ("amounts",)``): a rewording that states the
    same amount is reported, but its other words may carry what the first did not say, and the amount route
    is the least precise of the confirm stage's reasons (docs/benchmarks.md), so nothing is removed for it.
    Nor is a sentence that says what its partner does not (``_says_more``): a name, a number or a negation
    of its own. A report may show "Senator Lopez won" beside "Senator Becker won", or "voted to approve"
    beside "voted not to approve", as restated (most of their words are one run); removing the second would
    lose a fact. Nor is a sentence restated by a match the reranker alone confirms under ``removal_probability``.
    """
    restated: set[tuple[int, int]] = set()
    entries: list[tuple[int, set[int], set[int]]] = []  # (paragraph, its sentences saying more, those restated)
    first_seen = _FirstSeen(report.paragraphs)
    heading = headings(report.paragraphs)
    for m in report.matches:  # matches always have a < b: b is the later paragraph
        if m.confirmed_by == ("amounts",):
            continue
        if m.b < len(report.paragraphs) and claim_words(report.paragraphs[m.b].text) < CLAIM_WORDS:
            continue  # "No, not yet." under another quoted question: a reply says what its context asks
        if m.b < len(heading) and None not in (heading[m.a], heading[m.b]) and heading[m.a][0] == heading[m.b][0] \
                and heading[m.a] != heading[m.b]:
            continue  # under another heading, another fact: "## M24 Office Plus" and the M24 Office's table
        if set(m.confirmed_by) <= _ALONE and m.reranker is not None and m.reranker < removal_probability:
            continue
        # The title rule between two body paragraphs (a short one whose words the other holds) is no headline:
        # it weighs as the reranker does (it removed a paragraph stating who sued whom at a score of 0.76).
        if m.a != 0 and set(m.confirmed_by) <= _ALONE | {"headline"} and m.reranker is not None \
                and m.reranker < removal_probability:
            continue
        earlier = report.paragraphs[m.a].text if m.a < len(report.paragraphs) else None
        # A title-like line of the body restating the headline is kind "restatement" (both are titles), and was
        # removed for the headline alone.
        headline = m.kind == "headline" or (m.a < len(report.paragraphs) and is_headline(report.paragraphs[m.a]))
        found, changed = set(), set()
        for pair in m.sentences:
            if headline and not _repeats(pair.a, pair.b):
                continue
            if _says_more(pair, earlier, lambda stem, later=m.b: first_seen(stem) < later):
                changed.add(pair.b_index)
            else:
                found.add(pair.b_index)
        if m.kind != "headline" and earlier is not None and m.b < len(report.paragraphs):
            found.update(i for _, i in _repeated_whole(report.paragraphs[m.b], earlier,
                                                       {p.b_index for p in m.sentences}))
        entries.append((m.b, changed - found, found))
    covered = {(b, i) for b, _, found in entries for i in found}
    for b, changed, found in entries:
        # A parallel paragraph ("The PowerDrill 12V comes with ... Torque is 50 Nm." after the 18V's): a sentence of
        # it says more than its partner and nothing else restates it; what its other sentences repeat, they say
        # of another thing, and nothing of this match is restated.
        if all((b, i) in covered for i in changed):
            restated.update((b, i) for i in found)
    return restated


def _repeated_whole(paragraph: Paragraph, earlier: str, aligned: set[int]) -> list[tuple[int, int]]:
    """``(paragraph, sentence)`` of the sentences of ``paragraph`` no sentence pair aligned (too short to take
    part: "Critics disagree.") whose words stand in ``earlier`` as one run: repeated, so nothing of theirs is
    lost. Without it a paragraph repeated word for word was kept for its shortest sentence."""
    said, lines = f" {' '.join(words(earlier))} ", {line.strip() for line in earlier.splitlines()}
    rows = {_cells(line) for line in lines if _TABLE_ROW.search(line)}
    # A line without words the earlier paragraph holds too (a table's "|---|---|" rule) is repeated: a table repeated
    # was kept for it. Another one ("★★" for "★★★★★") is not; nor a row whose words are a run there but whose cells
    # differ ("| Garden Suite | ✓ | ✓ |" after "| Garden Suite | ✓ | ✗ |").
    return [(paragraph.index, i) for i, s in enumerate(paragraph.sentences)
            if i not in aligned and not run_in_heading(paragraph, i, earlier) and (
                _cells(s.text) in rows if _TABLE_ROW.search(s.text) else (
                (run := words(s.text)) and f" {' '.join(run)} " in said or not run and s.text.strip() in lines))]


def _cells(row: str) -> tuple[str, ...]:
    """A table row's cells, spaced and cased alike, a rule's dashes counted as one ("|----|" is "|---|")."""
    return tuple(_RULE.sub(r"\1-\2", " ".join(cell.split()).casefold())
                 for cell in re.split(r"\||\t", row.strip().strip("|")))


_RULE = re.compile(r"^(:?)-+(:?)$")


def _says_more(pair: SentencePair, earlier: str | None, said_before=None) -> bool:
    """Whether sentence ``pair.b`` states something its partner ``pair.a`` and the earlier paragraph ``earlier``
    (else ``pair.a``) do not (``text.facts.says_more``): a number, a negation, a name or a negating prefix. A row of
    a table says more unless its partner is the same row: "| export to PDF | no | yes |" restated a row of "no"
    and "yes" in other places, and a changed cell was lost."""
    if _TABLE_ROW.search(pair.b):
        return _cells(pair.b) != _cells(pair.a)
    return says_more(pair.b, pair.a, earlier if earlier is not None else pair.a, said_before) or \
        defines_another(pair.b, pair.a)  # '"Disclosing Party" means ...' for '"Confidential Information" means ...'


class _FirstSeen:
    """The first paragraph each word stem is in (``facts.says_more``'s ``said_before``), read when first asked:
    most articles never ask (no sentence states a condition its partner lacks)."""

    def __init__(self, paragraphs: list[Paragraph]) -> None:
        self.paragraphs, self.first = paragraphs, None

    def __call__(self, stem: str) -> int:
        if self.first is None:
            self.first = {}
            for p in self.paragraphs:
                for w in words(p.text):
                    self.first.setdefault(light_stem(w), p.index)
        return self.first.get(stem, len(self.paragraphs))


def _repeats(headline: str, sentence: str) -> bool:
    """Whether ``sentence`` is the headline repeated: its words, up to case and punctuation (a scraper's doubled
    title). A lede in the headline's words ("A storm closed schools across Riverton.") is the lede: with most
    content words shared counted as a repeat, it was removed."""
    said = words(headline)
    return bool(said) and said == words(sentence)


def clean(report: Report, sentences: bool = False, drop: frozenset[int] | set[int] = frozenset(),
          source: str | None = None, removal_probability: float = REMOVAL_PROBABILITY) -> CleanResult:
    """Drop every paragraph whose sentences all restate earlier paragraphs.

    With ``sentences=True``, restated sentences are also cut out of the
    paragraphs that are kept (the paragraph's other sentences stay).
    Paragraphs numbered in ``drop`` (boilerplate, say) go too.

    ``source``, the text the report was made of as given, is what is written back: the removed paragraphs cut
    out of it and every other byte kept (line ends, quotes, spacing), in the paragraphs with sentences cut out
    too (a paragraph whose sentences cannot be found in it as given is kept whole). Without it, or where its
    paragraphs cannot be located (``segment.paragraph_spans``), the kept paragraphs are written as the report
    holds them, a blank line apart.

    ``removal_probability`` (0 to 1): a match the learned reranker alone confirms removes nothing under this
    probability (``REMOVAL_PROBABILITY``); matches a shared run or the title rule confirms are not held to it.
    """
    if not isinstance(report, Report):  # ``Verdict.restated`` is None when the index searches no restatements
        raise TypeError(f"report must be a Report (find_redundancy's, or a Verdict's restated), got "
                        f"{type(report).__name__}")
    check_between("removal_probability", removal_probability, 0.0, 1.0)
    check_bool("sentences", sentences)
    if source is not None:
        check_str("source", source, blank=True)
    restated = restated_sentences(report, removal_probability)
    blocks: list[str | None] = []  # each paragraph's text as written, None when removed
    rewritten: set[int] = set()  # paragraphs with sentences cut out
    removed, cut = [], []
    for p in report.paragraphs:
        covered = [(p.index, i) in restated for i in range(len(p.sentences))]
        if (p.sentences and all(covered)) or p.index in drop:
            removed.append(p.index)
            blocks.append(None)
        elif sentences and (covered := [c and _cuttable(p.sentences, i) for i, c in enumerate(covered)]) \
                and any(covered) and leaves_a_sentence(p, covered):
            cut.extend((p.index, i) for i, c in enumerate(covered) if c)
            blocks.append(_without(p, {i for i, c in enumerate(covered) if c}))
            rewritten.add(p.index)
        else:
            blocks.append(p.text)
    for k in _fence_partners_of_removed(report.paragraphs, blocks):  # a fence left open: the rest read as code
        blocks[k] = report.paragraphs[k].text
        removed.remove(k)
    for k in pasted_headings(report.paragraphs, set(removed)):  # a section pasted twice goes with its heading
        blocks[k] = None
        removed = sorted({*removed, k})
    spans = paragraph_spans(source) if source is not None else None
    if spans is not None and len(spans) == len(blocks):
        for k in sorted(rewritten):  # the sentences kept, as given: not as normalized ("10⁶" was written "106")
            blocks[k] = _without_as_given(source[spans[k][0]:spans[k][1]], report.paragraphs[k],
                                          {i for p, i in cut if p == k})
            if blocks[k] is None:  # its sentences not found in it as given: the paragraph kept whole
                blocks[k], cut = source[spans[k][0]:spans[k][1]], [c for c in cut if c[0] != k]
        text = _cut(source, spans, blocks, rewritten)
    else:
        text = "\n\n".join(b for b in blocks if b is not None) + "\n"
    return CleanResult(text=text, removed_paragraphs=tuple(removed), removed_sentences=tuple(cut))


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")  # a Markdown code fence's line: three or more backticks or tildes


def _fence_partners_of_removed(paragraphs: list[Paragraph], blocks: list[str | None]) -> list[int]:
    """Removed paragraphs that open or close a code fence whose other end a kept paragraph holds: a code block
    with a blank line inside is two paragraphs, and the second, repeating an earlier block's end, went with its
    closing fence (or boilerplate took it), so that the rest of the file read as code. Their removal is undone.
    A fence closes with a line of its own mark, as long or longer (a "```" inside a "````" block is code)."""
    restored, opened, mark = [], None, ""
    for k, p in enumerate(paragraphs):
        for line in p.text.splitlines():
            fence = _FENCE.match(line)
            if fence is None:
                continue
            if opened is None:
                opened, mark = k, fence.group(1)
            elif fence.group(1)[0] == mark[0] and len(fence.group(1)) >= len(mark) and not line[fence.end():].strip():
                if opened != k and (blocks[opened] is None) != (blocks[k] is None):
                    restored.append(opened if blocks[opened] is None else k)
                opened = None
    return restored


def _without(paragraph: Paragraph, cut: set[int]) -> str:
    """``paragraph``'s text without its sentences numbered in ``cut``, each taken out with the space after it
    (the last with the space before it): what separated the sentences kept stays, a line end as a line end
    (joining them with spaces wrote a paragraph of several lines as one, and put a space between CJK sentences)."""
    text, sentences = paragraph.text, paragraph.sentences
    pieces, at = [], 0
    for i, sentence in enumerate(sentences):
        if i in cut:
            pieces.append(text[at:sentence.start])
            at = sentences[i + 1].start if i + 1 < len(sentences) else sentence.end
    pieces.append(text[at:])
    return "".join(pieces).strip()


def _without_as_given(given: str, paragraph: Paragraph, cut: set[int]) -> str | None:
    """``_without`` on the paragraph as the input gives it (``given``, whose ``normalize`` is ``paragraph.text``
    but for its line breaks), so that what is kept is written byte for byte. None where its sentences cannot be
    found in it (``_given_spans``)."""
    spans = _given_spans(given, paragraph)
    if spans is None:
        return None
    pieces, at = [], 0
    for i, (start, end) in enumerate(spans):
        if i in cut:
            pieces.append(given[at:start])
            at = spans[i + 1][0] if i + 1 < len(spans) else end
    pieces.append(given[at:])
    kept = "".join(pieces).strip()
    if _folded(kept) != _folded(_without(paragraph, cut)):  # checked, not assumed
        return None
    # The paragraph's own indent and trailing spaces stay; what the cuts left at its edges goes.
    return given[:len(given) - len(given.lstrip())] + kept + given[len(given.rstrip()):]


def _given_spans(given: str, paragraph: Paragraph) -> list[tuple[int, int]] | None:
    """Where each sentence of ``paragraph`` lies in ``given``: from the first character after the one before that
    normalizes to something, to the first place up to which ``given`` normalizes to the sentence (spaces and line
    breaks aside), found by galloping and bisection over its own length (a search over the whole paragraph for
    each sentence took minutes for a paragraph of a few thousand). None where a sentence is not found."""
    spans, at = [], 0
    for sentence in paragraph.sentences:
        while at < len(given) and not _folded(given[at]):
            at += 1
        wanted = _folded(sentence.text)
        size = lambda stop, at=at: len(_folded(given[at:stop]))  # noqa: E731 (grows with ``stop``)
        step, low = max(len(wanted), 1), at
        while at + step < len(given) and size(at + step) < len(wanted):
            low, step = at + step, step * 2
        high = min(at + step, len(given))
        while low < high:  # the first place where the normalized part is as long as the sentence
            middle = (low + high) // 2
            low, high = (middle + 1, high) if size(middle) < len(wanted) else (low, middle)
        # A combining mark after the place composes with the character before it: a few places on are looked at.
        end = next((stop for stop in range(low, min(low + 8, len(given)) + 1)
                    if _folded(given[at:stop]) == wanted), None)
        if end is None:
            return None
        spans.append((at, end))
        at = end
    return spans


def _folded(text: str) -> str:
    """``text`` normalized, its spaces and line breaks folded to single spaces (``normalize`` keeps line breaks)."""
    return " ".join(normalize(text).split())


def _starts_sentence(text: str) -> bool:
    first = text.lstrip()[:1]
    return first.isupper() or first.isdigit() or first in "\"'\u201c\u2018(["


_BACK = frozenset("this that these those it its he she they his her their him them such".split())


def _points_back(text: str) -> bool:
    """Whether a sentence opens with a word that points at the one before ("This stands in contrast to ..."):
    that one is then not cut (``_cuttable``), or the paragraph's first words would point at nothing."""
    words = text.split(None, 1)
    return bool(words) and words[0].strip("\"'\u201c\u2018(").lower().rstrip(",") in _BACK


def _bare_quote(text: str) -> bool:
    """Whether a sentence is a quotation that does not say who speaks."""
    return text[:1] in "\"\u201c'\u2018" and not _SAID.search(text)


_SAID = re.compile(r"\b(?:said|says|say|told|tells|added|adds|asked|wrote|writes|according to)\b", re.IGNORECASE)


_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}|[A-Za-z]|[ivxlcdm]{1,6})[.)]\s*$")  # a numbered list item's "1." or "b)"
_TABLE_ROW = re.compile(r"\S\s*\|\s*\S|\S\t+\S")  # cells divided by "|" or tabs


def _cuttable(sentences, i: int) -> bool:
    """Whether sentence ``i`` can be cut out of its paragraph leaving whole sentences (``clean(sentences=True)``):
    it and the sentence after it start as sentences do, and its quotes and brackets close. The splitter ends a
    sentence at "Ph.D." or "Calif." before a lower-case word, and inside a quotation; cutting there left "a
    Ph.D. The council ..." and a closing quote without its opening."""
    text = sentences[i].text
    if not _starts_sentence(text) or (i + 1 < len(sentences) and not _starts_sentence(sentences[i + 1].text)):
        return False
    if _LIST_MARKER.match(text) or (i > 0 and _LIST_MARKER.match(sentences[i - 1].text)):
        return False  # "1." read as a sentence: cutting the item after it left "1. 2. Parking ..." and a bare "3."
    if _TABLE_ROW.search(text):  # a row of a table: the same row under another heading ("Result in 2025") is
        return False  # another fact, and a table without it says the row's party won nothing
    if i + 1 < len(sentences) and (_points_back(sentences[i + 1].text) or (
            _SAID.search(text) and _bare_quote(sentences[i + 1].text))):
        return False  # '"...," Lopez said. "We will fight this."': the quote after it would lose its speaker
    if text.startswith("'") and not _CLOSING_SINGLE.search(text, 1):  # 'Work on ... complete. The wall ...,' he said
        return False
    return text.count('"') % 2 == 0 and all(text.count(o) == text.count(c) for o, c in ("()", "[]", "\u201c\u201d"))


def _cut(source: str, spans: list[tuple[int, int]], blocks: list[str | None], rewritten: set[int]) -> str:
    """``source`` without the paragraphs whose block is None, each taken out with the blank lines after it
    (after the last kept paragraph: with the blank lines before it), and the ``rewritten`` paragraphs'
    spans replaced by their block."""
    kept = [k for k, b in enumerate(blocks) if b is not None]
    last = kept[-1] if kept else -1
    pieces, at = [], 0
    for k, ((start, end), block) in enumerate(zip(spans, blocks)):
        if block is None:
            stop = spans[k + 1][0] if k < last else end
            begin = start if k < last or last < 0 else max(spans[last][1], at)
            pieces.append(source[at:begin])
            at = stop
        elif k in rewritten:
            pieces.append(source[at:start])
            pieces.append(block)
            at = end
    pieces.append(source[at:])
    return "".join(pieces)


@dataclass
class CorpusCleaner:
    """Decide, document by document, what ``dedup clean`` keeps of a scanned corpus.

    Parameters
    ----------
    report : CorpusReport
        The scan of the same input.
    documents : bool, default=True
        Keep only each near-duplicate cluster's representative.
    restated : bool, default=True
        Strip paragraphs that restate earlier ones in the same document.
    boilerplate : bool, default=False
        Strip paragraphs reported as boilerplate passages.
    sentences : bool, default=False
        Also cut restated sentences out of kept paragraphs.
    removal_probability : float, default=0.9
        The reranker's probability a match it alone confirms needs to remove a paragraph (``clean``).
    """

    report: CorpusReport
    documents: bool = True
    restated: bool = True
    boilerplate: bool = False
    sentences: bool = False
    removal_probability: float = REMOVAL_PROBABILITY

    def __post_init__(self) -> None:
        self.dropped_documents = {m for c in self.report.clusters for m in c.members if m != c.representative}
        self.furniture: dict[str, dict[int, str]] = {}  # doc -> {paragraph: the boilerplate passage's text}
        for passage in self.report.passages:
            if passage.boilerplate:
                for o in passage.occurrences:
                    self.furniture.setdefault(o.doc, {})[o.paragraph] = passage.text
        self.removed_paragraphs = 0
        self.as_read: list[str] = []  # documents read as HTML, written as the input holds them (``writers``)
        self.files_written = 0  # copies written into a folder (``writers``): an interrupted run says how many
        self.as_json: list[str] = []  # .json files of JSON, read as one text: written as they came in (``writers``)
        self.unread: list[str] = []  # inputs the scan skipped, written as they came in (``writers``)
        self.lost: list[str] = []  # inputs the scan skipped that the output has no place for (a whole file refused)
        self.cut: list[tuple[str, int]] = []  # (file, lines read) of a gzip cut off: the records after it are gone
        self.unscanned: list[str] = []  # ids the scan did not see (added to an input after it), written as they came
        self.last: tuple[str, CleanResult, int] | None = None  # (id, result, paragraphs) of the last cleaned
        self.emptied: list[str] = []  # documents with no word left once their boilerplate went: left out

    def keeps(self, doc_id: str) -> bool:
        return not (self.documents and doc_id in self.dropped_documents)

    def kept_text(self, doc_id: str, text: str) -> str | None:
        """``text``, or None when nothing but its boilerplate held words (a record that is only a site's footer):
        an empty record would be no document, and the next scan skips it (``emptied`` names it)."""
        cleaned = self.text(doc_id, text)
        if cleaned is not text and not WORD_CHAR.search(cleaned) and WORD_CHAR.search(text):
            self.emptied.append(doc_id)
            return None
        return cleaned

    def text(self, doc_id: str, text: str) -> str:
        """The document's text with the chosen paragraphs removed (unchanged when none are)."""
        result = self.report.documents.by_id(doc_id) if self.restated else None
        report = result.report if result is not None else None
        footers = self.furniture.get(doc_id, {}) if self.boilerplate else {}
        if report is None and not footers:
            return text
        report = report or Report(id=doc_id, paragraphs=segment(text))
        drop = footers_alone(report.paragraphs, footers)  # not a paragraph with a line of its own before its footer
        result = clean(report, sentences=self.sentences, drop=drop, source=text,
                       removal_probability=self.removal_probability)
        self.removed_paragraphs += len(result.removed_paragraphs)
        self.last = (doc_id, result, len(report.paragraphs))
        return result.text
