"""A passage as the record a report carries (``records.Reuse``): its spans to the character, its kind, its
content-word Jaccard and the aligned sentences behind it."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right

import numpy as np

from dedup.records import Reuse, ReusedSentence
from dedup.reuse.passages import Passage
from dedup.reuse.trim import copied_edges
from dedup.reuse.unit_rows import LazyCosines, WordWeights
from dedup.reuse.units import Units
from dedup.text.words import without_invisible
from dedup.util.arrays import distinct


def _widened(units: Units, first_last: tuple[int, int]) -> tuple[int, int]:
    """The characters from the end of the unit before the passage to the start of the unit after it."""
    first, last = first_last
    start = units.spans[first - 1][1] if first > 0 else 0
    end = units.spans[last + 1][0] if last + 1 < len(units) else len(units.text)
    return start, end


def passage_records(kept: list[Passage], units_a: Units, units_b: Units, a_id: str, b_id: str,
                    cosine: np.ndarray | LazyCosines, swap: bool = False,
                    word_weights: WordWeights | None = None) -> list[Reuse]:
    """``passage_record`` of each of ``kept`` (in ``a``'s order); a passage that gave up units to a better one
    (``passages._outside``) after the others, its edges kept out of their spans in the first text (they would
    grow back over the units it gave up)."""
    def record(p: Passage, limits: tuple[int, int] | None = None) -> Reuse:
        return passage_record(p, units_a, units_b, a_id, b_id, cosine, swap, word_weights, limits)

    found = {k: record(p) for k, p in enumerate(kept) if not p.trimmed}
    taken = [r.b_span if swap else r.a_span for r in found.values()]  # their spans in the first text
    for k, p in enumerate(kept):
        if p.trimmed:
            start, end = units_a.spans[p.a[0]][0], units_a.spans[p.a[1]][1]
            found[k] = record(p, (max([e for _, e in taken if e <= start], default=0),
                                  min([s for s, _ in taken if s >= end], default=len(units_a.text))))
    return [found[k] for k in range(len(kept))]


def without_restated_twice(records: list[Reuse], kept: list[Passage], units_b: Units) -> list[Reuse]:
    """``records`` (of the passages ``kept``, in order) without a ``restated`` one whose units in the second text
    (``units_b``) are at least half (``_TWICE_SHARE``, in characters) sentences that a stronger (higher score)
    ``verbatim`` or ``edited`` record's passage aligns.

    The second text may hold one passage reused twice, but a source passage that one record shows copied is
    rarely restated a second time by likeness alone elsewhere: on PAN 2013's training pairs with verbatim reuse,
    such second records held reuse in 1-5% of their characters (the text beside a copy restating its topic),
    in the obfuscated pairs about 30% (docs/benchmarks.md). A stronger restatement, or an edited one, stays; so
    does the restatement of a sentence a copy's record only spans (two copies a gap apart are one record, and
    the sentence between them was not copied)."""
    stronger = [k for k, r in enumerate(records) if r.kind != "restated"]
    if not stronger:
        return records
    aligned = {k: set(np.unique(kept[k].seeds[:, 1]).tolist()) for k in stronger}
    found = []
    for k, r in enumerate(records):
        if r.kind == "restated":
            units = range(kept[k].b[0], kept[k].b[1] + 1)
            sizes = {u: units_b.spans[u][1] - units_b.spans[u][0] for u in units}
            whole = sum(sizes.values())
            if any(records[o].score > r.score and sum(sizes[u] for u in units if u in aligned[o])
                   >= _TWICE_SHARE * whole for o in stronger):
                continue
        found.append(r)
    return found


def passage_record(passage: Passage, units_a: Units, units_b: Units, a_id: str, b_id: str,
                   cosine: np.ndarray | LazyCosines, swap: bool = False,
                   word_weights: WordWeights | None = None, limits: tuple[int, int] | None = None) -> Reuse:
    """The record of ``passage`` between the texts cut into ``units_a`` and ``units_b`` (ids ``a_id``, ``b_id``;
    ``cosine``: their units' cosines): its spans (a copy's the edges of its shared runs, ``trim.copied_edges``),
    content-word Jaccard, kind, TF-ISF cosine as its score, and its aligned sentence pairs (``aligned_seeds``).
    ``swap``: the record names ``b`` first (``b_id`` its ``a``, its sentences in ``b``'s order): the passage
    was found with the texts in the other order (``align.align_units``' ``symmetric``). ``word_weights``: the
    texts' words' ISF (``unit_rows``); a copy cut to its shared runs gets the TF-ISF cosine of its own words, not
    of the units it was found in (a copy seeded with a headline its edges then left out had theirs). ``limits``:
    characters of text ``a`` a copy's edges do not grow past (``trim.copied_edges``: other records' spans)."""
    a_span = (units_a.spans[passage.a[0]][0], units_a.spans[passage.a[1]][1])
    b_span = (units_b.spans[passage.b[0]][0], units_b.spans[passage.b[1]][1])
    window_a = _widened(units_a, passage.a)
    if limits is not None:  # the words between the units too: another record may hold them
        window_a = (max(window_a[0], limits[0]), min(window_a[1], limits[1]))
    copied = copied_edges(units_a, window_a, units_b, _widened(units_b, passage.b), densest=passage.copied,
                          limits=limits)
    held_a, held_b = passage.a, passage.b
    passage_cosine = passage.cosine
    if copied:  # the record is the shared runs: its sentences are those of the units they lie in, cut to them,
        a_span, b_span = copied  # and its words its own (a unit may run far past a copy: a block without stops)
        if not passage.copied:  # and the sentences it rewords past them
            a_span, b_span = _with_reworded(passage, a_span, b_span, units_a, units_b, cosine)
        held_a, held_b = _units_in(units_a, a_span), _units_in(units_b, b_span)
    text_a, text_b = units_a.text[a_span[0]:a_span[1]], units_b.text[b_span[0]:b_span[1]]
    if copied:
        words_a, words_b = units_a.stems_between(*a_span), units_b.stems_between(*b_span)
        if word_weights is not None:
            passage_cosine = word_weights.cosine(words_a, words_b)
        words_a, words_b = distinct(words_a), distinct(words_b)
    else:
        words_a, words_b = distinct(units_a.stems_of(*held_a)), distinct(units_b.stems_of(*held_b))
    shared = len(np.intersect1d(words_a, words_b, assume_unique=True))
    jaccard = shared / max(len(words_a) + len(words_b) - shared, 1)
    # Chinese and Japanese put no space between sentences: a copy that joins two paragraphs is still verbatim.
    glue = "" if units_a.dense or units_b.dense else " "
    if _same_text(glue.join(text_a.casefold().split()), glue.join(text_b.casefold().split())):
        kind = "verbatim"
    else:
        kind = "edited" if jaccard >= _EDITED_JACCARD else "restated"
    seeds = passage.seeds
    inside = (seeds[:, 0] >= held_a[0]) & (seeds[:, 0] <= held_a[1]) & (seeds[:, 1] >= held_b[0]) & \
        (seeds[:, 1] <= held_b[1])
    seeds, values = aligned_seeds(seeds[inside] if inside.any() else seeds, cosine)
    first, then = (1, 0) if swap else (0, 1)
    order = np.lexsort((seeds[:, then], seeds[:, first]))[:_MAX_SENTENCES]
    pairs = [(_sentence(units_a, int(i), a_span), _sentence(units_b, int(j), b_span), round(float(c), 4))
             for (i, j), c in zip(seeds[order], values[order])]
    pairs = list(dict.fromkeys(pairs))  # a title repeated in both texts is one sentence pair to a reader, not four
    if swap:
        a_id, b_id, a_span, b_span = b_id, a_id, b_span, a_span
        pairs = [(b, a, c) for a, b, c in pairs]
    return Reuse(a=a_id, b=b_id, a_span=a_span, b_span=b_span, score=round(passage_cosine, 4),
                 jaccard=round(jaccard, 4), cosine=round(passage_cosine, 4), kind=kind,
                 sentences=tuple(ReusedSentence(a=a, b=b, cosine=c) for a, b, c in pairs))


def _with_reworded(passage: Passage, a_span: tuple[int, int], b_span: tuple[int, int], units_a: Units,
                   units_b: Units, cosine: np.ndarray | LazyCosines) -> tuple[tuple[int, int], tuple[int, int]]:
    """A copy's edges (``a_span``, ``b_span``: its shared runs') widened, sentence by sentence outwards, over the
    pairs of units next to it in both texts that ``passage`` seeds alike (``_REWORDED_COSINE``): a passage of
    copied sentences and reworded ones was cut to its copied runs, and its reworded part lost. Only neighbours
    in step in both texts: a sentence like another on the other side of the copy, or past an unseeded one, is
    the texts' own."""
    seeds = passage.seeds
    values = seed_cosines(seeds, cosine)
    alike = {tuple(pair) for pair in seeds[values >= _REWORDED_COSINE].tolist()}
    if not alike:
        return a_span, b_span
    before_a = bisect_right(units_a.spans, a_span[0], key=lambda span: span[1]) - 1  # the last unit ending by it
    before_b = bisect_right(units_b.spans, b_span[0], key=lambda span: span[1]) - 1
    while (before_a, before_b) in alike:
        a_span, b_span = (units_a.spans[before_a][0], a_span[1]), (units_b.spans[before_b][0], b_span[1])
        before_a, before_b = before_a - 1, before_b - 1
    after_a = bisect_left(units_a.spans, a_span[1], key=lambda span: span[0])  # the first unit starting from it
    after_b = bisect_left(units_b.spans, b_span[1], key=lambda span: span[0])
    while (after_a, after_b) in alike:
        a_span, b_span = (a_span[0], units_a.spans[after_a][1]), (b_span[0], units_b.spans[after_b][1])
        after_a, after_b = after_a + 1, after_b + 1
    return a_span, b_span


def _same_text(a: str, b: str) -> bool:
    """Whether two passages are the same text, canonically equivalent ones too (a copy saved decomposed, NFD), and
    the same but for invisible characters (soft hyphens, zero-width ones: a copy may have gained or lost them)."""
    return a == b or (not (a.isascii() and b.isascii()) and
                      unicodedata.normalize("NFC", without_invisible(a)) ==
                      unicodedata.normalize("NFC", without_invisible(b)))


def _sentence(units: Units, i: int, span: tuple[int, int]) -> str:
    """Unit ``i``'s text, cut to the record's ``span`` where it runs past it (a copy inside a longer block)."""
    start, end = units.spans[i]
    if span[0] <= start and end <= span[1]:
        return units.sentence(i)
    return units.text[max(start, span[0]):min(end, span[1])].strip()


def _units_in(units: Units, span: tuple[int, int]) -> tuple[int, int]:
    """The first and last units overlapping the characters ``span`` (the units' spans are in order)."""
    first = min(bisect_right(units.spans, span[0], key=lambda s: s[1]), len(units) - 1)
    return first, max(bisect_left(units.spans, span[1], key=lambda s: s[0]) - 1, first)


def seed_cosines(seeds: np.ndarray, cosine: np.ndarray | LazyCosines) -> np.ndarray:
    """The cosine of each seed's two units, as float64."""
    read = cosine.cells if isinstance(cosine, LazyCosines) else lambda rows, columns: cosine[rows, columns]
    return np.asarray(read(seeds[:, 0], seeds[:, 1]), dtype=np.float64)


def aligned_seeds(seeds: np.ndarray, cosine: np.ndarray | LazyCosines) -> tuple[np.ndarray, np.ndarray]:
    """The seeds that are an alignment, with their cosines: a pair where one of its sentences has no better
    partner among the passage's seeds. A copy of two paragraphs that restate each other seeds every sentence
    with its copy and with its restatement; only the copies are its aligned sentences. A summary sentence
    keeps each source sentence it is the best partner of. Every sentence of a seed stays in some pair."""
    values = seed_cosines(seeds, cosine)
    if len(values) < 2 or (np.bincount(seeds[:, 0]).max() == 1 and np.bincount(seeds[:, 1]).max() == 1):
        return seeds, values  # one pair a sentence: every pair is its sentences' best
    best_a, best_b = np.full(int(seeds[:, 0].max()) + 1, -np.inf), np.full(int(seeds[:, 1].max()) + 1, -np.inf)
    np.maximum.at(best_a, seeds[:, 0], values)
    np.maximum.at(best_b, seeds[:, 1], values)
    keep = (values >= best_a[seeds[:, 0]]) | (values >= best_b[seeds[:, 1]])
    return seeds[keep], values[keep]


_EDITED_JACCARD = 0.5  # passages sharing at least half their content words are edited copies, not restatements
# Cosine of a seed next to a copy that widens its record over the seed's units (``_with_reworded``): 0.5 and 0.7 gave
# the same records on 400 generated alignments with planted mixed passages and on PAN's pairs; with 0.5, a copy next
# to a related sentence on the same side in both texts (an STS pair of different facts) was widened over it in 23 of
# 300 more generated alignments than with 0.7 (none more than before the widening).
_REWORDED_COSINE = 0.7
_TWICE_SHARE = 0.5  # of a restated record's sentences in the second text (``without_restated_twice``)
_MAX_SENTENCES = 50  # aligned sentence pairs listed per passage (a whole copied chapter needs no more)
