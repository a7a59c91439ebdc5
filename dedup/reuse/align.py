"""Align the passages two texts share: sentence seeds, extended into passages, confirmed.

The restatement search, for two texts or one text against itself:

1. **Seeds.** Every sentence of one text is compared with every sentence of the other under a TF-ISF
   weighting (term frequency times inverse *sentence* frequency over both texts): a pair is a seed when
   its cosine and the Dice coefficient of its word sets both pass their thresholds. Verbatim sentences
   are seeds whatever the weights; so reworded sentences that keep their content words are.
2. **Extension.** Seeds are grouped into passages: sorted along one text, cut where two consecutive seeds
   are more than ``max_gap`` sentences apart, then the same along the other text, until the groups no
   longer change (reuse is interleaved with new text, so gaps are allowed). A passage runs from its first
   seed's sentence to its last in each text. A group whose two passages are not similar as wholes
   (``passage_cosine``) is split again with a smaller gap. A passage shorter than ``min_chars`` grows
   sentence by sentence into neighbours that resemble the other side (``neighbour_cosine``): reworded
   reuse often has one seed among sentences too changed to be seeds themselves, and a chance pair of
   sentences in two texts on one topic has no such neighbours.
3. **Summaries.** A short passage that restates a long one has its seeds far apart in the long text, and
   a summary's sentences share fewer words with their sources than reused sentences do: seeds at the
   lower ``summary_seed_cosine`` are grouped again with ``summary_gap``, and a group kept when its long
   side is at least three times its short side and most of the short side's sentences have a partner
   (``summary_coverage``): a summary restates sentence after sentence, where two texts on one topic share
   a sentence here and there.
4. **Confirm.** Passages that overlap in the first text keep the best (in the second they may: one passage
   reused twice; a corpus scan, whose two texts have no order, puts the longer first: ``align_units``'
   ``symmetric``); passages shorter than ``min_chars`` on either side are dropped. Summaries come after the
   passages: one replaces only passages lying inside it that cover a small share of it
   (``summary_replace_share``, ``passages.with_summaries``); of one text, no passage's two ranges overlap.
5. **Digests.** When nothing else is found, a few sentences of one text may restate the whole other text
   (a summary of a document shares too few words with any one of its sentences to seed): the window of
   one text closest to the other text as a whole is reported when it is close enough and far closer than
   the rest of its text (``digest_cosine``, ``digest_lift``; ``dedup.reuse.digest``).

This follows the shape of the best-known PAN text-alignment systems (sentence seeding, gap-bounded
extension, filtering: Sanchez-Perez et al., PAN 2014); ``benchmarks/reuse.py`` chooses the settings by
cross-validation on the PAN 2013 training corpus.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
from scipy import sparse

from dedup.records import Reuse
from dedup.reuse.copies_first import beside_copies, copies_first
from dedup.reuse.digest import best_digest
from dedup.reuse.passage_record import passage_records, without_restated_twice
from dedup.reuse.passages import (
    Passage,
    extend,
    fragment_cosine,
    held,
    is_summary,
    length,
    with_summaries,
    without_overlaps,
)
from dedup.reuse.trim import copied_seeds
from dedup.reuse.unit_rows import LAZY_CELLS, LazyCosines, pair_dots, unit_rows
from dedup.reuse.units import Units, units_of, units_of_many
from dedup.util.faults import Failed, attempt
from dedup.util.validate import check_between, check_fraction, check_int, check_str


@dataclass(frozen=True)
class AlignSettings:
    """How two texts are aligned (see the module docstring).

    The defaults are the setting 5-fold cross-validation chose on the PAN 2013 text-alignment training
    corpus (``benchmarks/reuse.py``, settings within 0.001 of the best plagdet won by the one linking
    more reusing pairs; 3 of the 5 folds chose it, the others the same with stricter digests and without
    short seeded passages or with growth): held-out plagdet 0.866 (2026-12-06), verbatim linked 1.000, summaries 0.937,
    random obfuscation 0.919, translation 0.948, no-reuse pairs 0.017 (docs/benchmarks.md). Growth
    (``neighbour_cosine``) links more obfuscated reuse (0.908 held out at 0.25, before summaries replaced
    passages) at some precision in verbatim pairs.

    Parameters
    ----------
    seed_cosine : float, default=0.35
        TF-ISF cosine a sentence pair needs to be a seed.
    seed_dice : float, default=0.35
        Dice coefficient of the two sentences' content-word sets a seed needs too.
    max_gap : int, default=3
        Sentences between two seeds of one passage, at most, in either text.
    summary_gap : int, default=24
        The same for summaries (0: no summary search).
    passage_cosine : float, default=0.45
        TF-ISF cosine of the two passages as wholes that a group of seeds needs.
    summary_cosine : float, default=0.3
        The same for a summary (its seeds are far apart, so chance seeds could join).
    summary_seed_cosine : float, default=0.3
        TF-ISF cosine, and Dice coefficient, a sentence pair needs to be a summary's seed.
    summary_coverage : float, default=0.7
        Share of the summary's (the short side's) sentences, from its first seed to its last, that a seed
        holds, at least.
    summary_sentences : int, default=3
        Sentences of the summary that a seed holds, at least.
    summary_replace_share : float, default=0.7
        A summary replaces the passages it overlaps in the first text when they lie inside it in both texts
        and cover at most this share of its short side (0: a passage always stands and the summary is
        dropped).
    min_chars : int, default=150
        A passage shorter than this in either text is dropped (one short sentence pair says little), unless
        it grows past it (``neighbour_cosine``) or its seeds are two or more (``seeded_min_share``). In
        characters, a Chinese character counted three times, a kana or Hangul syllable twice (``Units.length``).
    seeded_min_share : float, default=0.65
        A passage whose seeds hold two or more sentences of each text needs only this share of ``min_chars``
        in either text, when its sides' cosine reaches ``seeded_cosine``: two sentence pairs in a row are more
        than one short pair by chance (obfuscated reuse of a short passage has them). 1 asks ``min_chars`` of
        every passage.
    seeded_cosine : float, default=0.45
        See ``seeded_min_share``.
    min_words : int, default=4
        Content words of the shortest sentence unit (shorter sentences join the next).
    digest_cosine : float, default=0.35
        When nothing else is found, a window of up to ``digest_units`` consecutive sentences of one text whose
        cosine with the whole other text reaches this, and exceeds the two texts' cosine as wholes by
        ``digest_lift``, is reported as a digest of that text (``dedup.reuse.digest``): a summary of a whole
        document. 1 turns the rule off. Not applied to one text aligned with itself.
    digest_lift : float, default=0.12
        See ``digest_cosine``.
    digest_units : int, default=10
        Sentences of a digest, at most.
    neighbour_cosine : float, default=1.0
        A passage shorter than ``min_chars`` grows into the sentence before or after it, in one text or
        in both (along the diagonal), while that sentence's best cosine with the other side reaches this,
        until it is long enough; it is kept when its sides are then still alike as wholes
        (``passage_cosine``). 1 turns growth off. Not applied to one text aligned with itself.
    """

    seed_cosine: float = 0.35
    seed_dice: float = 0.35
    max_gap: int = 3
    summary_gap: int = 24
    passage_cosine: float = 0.45
    summary_cosine: float = 0.3
    summary_seed_cosine: float = 0.3
    summary_coverage: float = 0.7
    summary_sentences: int = 3
    summary_replace_share: float = 0.7
    min_chars: int = 150
    seeded_min_share: float = 0.65
    seeded_cosine: float = 0.45
    min_words: int = 4
    neighbour_cosine: float = 1.0
    digest_cosine: float = 0.35
    digest_lift: float = 0.12
    digest_units: int = 10

    def __post_init__(self) -> None:
        for name in ("seed_cosine", "seed_dice", "passage_cosine", "summary_cosine", "summary_seed_cosine",
                     "neighbour_cosine", "seeded_cosine", "digest_cosine"):
            check_fraction(name, getattr(self, name))
        check_between("summary_coverage", self.summary_coverage, 0.0, 1.0)
        check_between("summary_replace_share", self.summary_replace_share, 0.0, 1.0)
        check_between("seeded_min_share", self.seeded_min_share, 0.0, 1.0)
        check_between("digest_lift", self.digest_lift, 0.0, 1.0)
        for name, low in (("max_gap", 0), ("summary_gap", 0), ("min_chars", 0), ("min_words", 1),
                          ("summary_sentences", 1), ("digest_units", 2)):
            check_int(name, getattr(self, name), low)


# The grid benchmarks/reuse.py chooses from by cross-validation on the PAN 2013 training corpus. Kept from the
# 480-setting run of 2026-12-03 (docs/benchmarks.md): the values some fold chose (growth at 0.25 or none, short
# seeded passages or not); seeds at 0.3, gap 4, replace share 0.5 and the other summary rules, which no fold
# chose there, left it. Each with the digest rule off or at three cosines and three lifts.
_DIGEST_RULES = [{"digest_cosine": 1.0}] + [{"digest_cosine": c, "digest_lift": lift}
                                            for c in (0.35, 0.38, 0.4) for lift in (0.12, 0.15, 0.18)]
SETTINGS_GRID = [{"neighbour_cosine": n, **seeded, **digest}
                 for n in (0.25, 1.0) for seeded in ({"seeded_min_share": 1.0}, {}) for digest in _DIGEST_RULES]


def align_texts(a: str, b: str | None = None, a_id: str = "a", b_id: str = "b", settings: AlignSettings | None = None,
                idf: Callable[[np.ndarray], np.ndarray] | None = None, **params) -> list[Reuse]:
    """The passages ``a`` and ``b`` share, with character spans into each, in ``a``'s order; without ``b``,
    the passages of ``a`` that restate others of ``a`` (one text against itself).

    Parameters
    ----------
    a, b : str
        The two texts, as read (spans index them directly). Two texts are two documents even when they are
        equal, or one object: ``align_texts(t, t)`` finds ``t`` reused whole. ``b=None``: ``a`` against itself,
        where a sentence never restates one of its own paragraph (the records name ``a_id`` on both sides).
    a_id, b_id : str
        The documents' ids, as the records name them.
    settings : AlignSettings, optional
        The search's settings; keyword arguments override single ones.
    idf : callable, optional
        A corpus's inverse document frequency of each word of an array of stem hashes (see ``align_units``).

    Returns
    -------
    list of Reuse
        One record per aligned passage pair.
    """
    check_str("a", a, blank=True)
    if b is not None:
        check_str("b", b, blank=True)
    # The records carry them (a report's ids are strings): settings passed by position landed here, unread.
    check_str("a_id", a_id, blank=True)
    check_str("b_id", b_id, blank=True)
    if settings is not None and not isinstance(settings, AlignSettings):
        raise TypeError(f"settings must be an AlignSettings, got {type(settings).__name__}")
    if idf is not None and not callable(idf):  # it was called deep in the search: "'int' object is not callable"
        raise TypeError(f"idf must be a function of an array of stem hashes, or None; got {type(idf).__name__}")
    settings = replace(settings or AlignSettings(), **params)
    if b is None:  # the one case the same units stand for both sides (``align_units`` reads it so); a text
        units_a = units_of(a, settings.min_words, lines=True)  # without blank lines has a paragraph a line
        return align_units(units_a, units_a, a_id, a_id, settings, idf)
    units_a = units_of(a, settings.min_words)
    # Two texts, even one string object twice: units of their own, so that the result never depends on whether
    # the caller's two equal strings happen to be one object (an interned literal, a cached page).
    return align_units(units_a, units_of(b, settings.min_words), a_id, b_id, settings, idf)


def align_many(pairs: Sequence[tuple[str, str, str, str]], settings: AlignSettings,
               idf: Callable[[np.ndarray], np.ndarray] | None = None,
               on_fault: Callable[[str, str, str], None] | None = None, symmetric: bool = False) -> list[Reuse]:
    """``align_units`` of each ``(a_id, a_text, b_id, b_text)``, each text cut into units once (a corpus
    scan's task: one document is often in several pairs).

    ``on_fault(a_id, b_id, error)``, where given, is told of a pair the alignment raised on (``util.faults``:
    the error on one line; a ``MemoryError`` is raised) and the other pairs are aligned: one pair that
    triggers a fault of dedup's costs its own passages, not a whole scan's. Without it the error is raised.
    ``symmetric``: each pair aligned as ``align_units`` says (a scan's pairs, whose order is the inputs')."""
    texts = dict((p[k], p[k + 1]) for p in pairs for k in (0, 2))
    guarded = attempt if on_fault else _called  # without on_fault nothing is ``Failed``: the error is raised
    cut = guarded(units_of_many, list(texts.values()), settings.min_words)
    if isinstance(cut, Failed):  # the texts cut one by one: only the pairs of a text that fails are lost
        cut = [attempt(units_of_many, [text], settings.min_words) for text in texts.values()]
        cut = [c if isinstance(c, Failed) else c[0] for c in cut]
    units = dict(zip(texts, cut))
    found: list[Reuse] = []
    for a_id, _, b_id, _ in pairs:
        a, b = units[a_id], units[b_id]
        uncut = a if isinstance(a, Failed) else b if isinstance(b, Failed) else None
        records = uncut or guarded(align_units, a, b, a_id, b_id, settings, idf, symmetric)
        if isinstance(records, Failed):
            on_fault(a_id, b_id, records.error)
        else:
            found.extend(records)
    return found


def _called(step: Callable, *args):
    return step(*args)


def align_units(units_a: Units, units_b: Units, a_id: str, b_id: str, settings: AlignSettings,
                idf: Callable[[np.ndarray], np.ndarray] | None = None, symmetric: bool = False) -> list[Reuse]:
    """``align_texts`` on texts already cut into units (the corpus search cuts each text once).

    ``idf`` gives the corpus's inverse document frequency of each word of an array of stem hashes
    (``Units.stems``; ``unit_rows.word_idf``): a corpus scan knows
    which words are common in its corpus, so two sentences sharing only those are not a seed (two texts
    alone cannot tell a common word from a topical one).

    ``symmetric``: the same passages whichever text comes first (a corpus scan, where the order is only the
    inputs'). The search is directed: passages never overlap in the first text, and may in the second (one
    passage reused twice). Symmetric, it runs with the texts in an order of their own (``leads``), and the
    records still name ``a_id`` first."""
    if symmetric and units_a is not units_b and not leads(units_a.text, units_b.text):
        return Alignment(units_b, units_a, idf).passages(settings, b_id, a_id, swap=True)
    return Alignment(units_a, units_b, idf).passages(settings, a_id, b_id)


def leads(a: str, b: str) -> bool:
    """Whether ``a`` comes first in a symmetric alignment (``align_units``): the longer text, of two as long the
    one of lower CRC-32 (an order that depends on the texts alone)."""
    if len(a) != len(b):
        return len(a) > len(b)
    return zlib.crc32(a.encode("utf-8", "surrogatepass")) <= zlib.crc32(b.encode("utf-8", "surrogatepass"))


class Alignment:
    """Two texts' units compared sentence by sentence once; ``passages`` then searches them under any
    settings (the seeds' thresholds, gaps and filters), so a benchmark can try many settings cheaply.

    Parameters
    ----------
    units_a, units_b : Units
        The two texts cut into units (the same object: one text against itself).
    idf : callable, optional
        The corpus IDF of each word of an array of stem hashes (see ``align_units``).
    """

    def __init__(self, units_a: Units, units_b: Units, idf: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.units_a, self.units_b = units_a, units_b
        self.empty = not len(units_a) or not len(units_b)
        if self.empty:
            return
        self.weights_a, self.weights_b, self.sets_a, self.sets_b, self.word_weights = unit_rows(units_a, units_b, idf)
        self.sizes_a = np.asarray(self.sets_a.sum(axis=1)).ravel()
        self.sizes_b = np.asarray(self.sets_b.sum(axis=1)).ravel()
        self.lazy = sparse.issparse(self.weights_a) and len(units_a) * len(units_b) > LAZY_CELLS
        if self.lazy:  # long texts: every unit pair held whole would not fit (``unit_rows``)
            self.cosine = LazyCosines(self.weights_a, self.weights_b)
        else:
            self.cosine, shared = _dense(self.weights_a @ self.weights_b.T), _dense(self.sets_a @ self.sets_b.T)
            self.dice = self._dice(shared, self.sizes_a[:, None], self.sizes_b[None, :])
        self.copies = copied_seeds(units_a, units_b)
        if units_a is units_b:  # one text against itself: a sentence never restates one of its own paragraph
            self.block = np.asarray(units_a.block)
            self.copies = self.copies[self.block[self.copies[:, 0]] != self.block[self.copies[:, 1]]]
            if not self.lazy:
                self.other_block = np.triu(self.block[:, None] != self.block[None, :], 1)

    @staticmethod
    def _dice(shared: np.ndarray, sizes_a: np.ndarray, sizes_b: np.ndarray) -> np.ndarray:
        return 2 * shared / np.maximum(sizes_a + sizes_b, 1)

    def passages(self, settings: AlignSettings, a_id: str = "a", b_id: str = "b", swap: bool = False) -> list[Reuse]:
        """The aligned passages under ``settings``, in ``a``'s order; ``swap``: the records name ``b`` first, in
        ``b``'s order (``align_units``' ``symmetric``)."""
        if self.empty:
            return []
        seeds = self._seeds(settings.seed_cosine, settings.seed_dice)
        units_a, units_b, weights_a, weights_b = self.units_a, self.units_b, self.weights_a, self.weights_b
        two_texts = units_a is not units_b  # copies, growth and digests: not for one text against itself
        passages = extend(seeds, settings.max_gap, weights_a, weights_b, settings.passage_cosine,
                          one_text=not two_texts) if len(seeds) else []
        if two_texts:
            passages += self._copied(passages, settings)
        # A passage shorter than any kept one (``without_overlaps``' lowest bar) takes no seed from the others.
        shortest = settings.min_chars * min(settings.seeded_min_share, 1.0)
        passages = copies_first(passages, self.copies, (weights_a, weights_b), settings.passage_cosine,
                                settings.max_gap, lambda p: min(length(units_a, p.a), length(units_b, p.b)) >= shortest)
        if settings.neighbour_cosine < 1.0 and two_texts:
            passages = [self._grown(p, settings) for p in passages]
        kept = without_overlaps(passages, units_a, units_b, settings.min_chars,
                                settings.seeded_min_share * settings.min_chars, settings.seeded_cosine,
                                (weights_a, weights_b), settings.passage_cosine)
        if settings.summary_gap > settings.max_gap:
            # After the passages: a summary's long side reaches past a reused passage's ends, so by weight
            # alone it would outweigh the passage it contains.
            kept = with_summaries(kept, self._summaries(settings), units_a, units_b, settings.min_chars,
                                   settings.summary_replace_share)
        if not kept and settings.digest_cosine < 1.0 and two_texts:
            kept = self._digest(settings)
        records = passage_records(kept, units_a, units_b, a_id, b_id, self.cosine, swap, self.word_weights)
        if two_texts:  # one text against itself: each restatement is its own (no second text)
            records = without_restated_twice(records, kept, units_b)
        return sorted(records, key=lambda r: r.a_span) if swap else records

    def _copied(self, passages: list[Passage], settings: AlignSettings) -> list[Passage]:
        """The copied-run seeds that no passage holds, grouped as passages whatever their sides' cosine: a shared
        run of words is reuse even inside a unit far longer than the copy (a block without sentence ends),
        whose cosine as a whole the rest of the unit drags down; the record's edges are the run's
        (``trim.copied_edges``)."""
        rest = self.copies[~held(self.copies, passages)]
        if not len(rest):
            return []
        return [replace(p, copied=True) for p in extend(rest, settings.max_gap, self.weights_a, self.weights_b, 0.0)]

    def _seeds(self, min_cosine: float, min_dice: float) -> np.ndarray:
        """The (unit in a, unit in b) pairs at or above both thresholds, and those sharing a copied run (of one
        text against itself, only pairs in different blocks), less those beside the copies (``beside_copies``)."""
        if self.lazy:
            seeds = self._lazy_seeds(min_cosine, min_dice)
        else:
            is_seed = (self.cosine >= min_cosine) & (self.dice >= min_dice)
            if self.units_a is self.units_b:
                is_seed &= self.other_block
            is_seed[self.copies[:, 0], self.copies[:, 1]] = True
            seeds = np.argwhere(is_seed)
        return beside_copies(seeds, self.copies, self.cosine, self.units_a is not self.units_b)

    def _lazy_seeds(self, min_cosine: float, min_dice: float) -> np.ndarray:
        """``_seeds`` of long texts, from the pairs ``LazyCosines`` finds (none of cosine 0)."""
        rows, columns, _ = self.cosine.at_least(min_cosine)
        shared = pair_dots(self.sets_a, self.sets_b, rows, columns)
        keep = self._dice(shared, self.sizes_a[rows], self.sizes_b[columns]) >= min_dice
        if self.units_a is self.units_b:
            keep &= (rows < columns) & (self.block[rows] != self.block[columns])
        width = len(self.units_b)
        codes = np.union1d(rows[keep] * width + columns[keep], self.copies[:, 0] * width + self.copies[:, 1])
        return np.column_stack(np.divmod(codes, width))

    def _summaries(self, settings: AlignSettings) -> list[Passage]:
        """Summaries: seeds at ``summary_seed_cosine`` grouped with ``summary_gap``, kept as ``is_summary``
        says."""
        seeds = self._seeds(settings.summary_seed_cosine, settings.summary_seed_cosine)
        if not len(seeds):
            return []
        return [p for p in extend(seeds, settings.summary_gap, self.weights_a, self.weights_b,
                                   settings.summary_cosine, twice_in_b=False, one_text=self.units_a is self.units_b)
                if is_summary(p, self.units_a, self.units_b, settings.summary_sentences, settings.summary_coverage)]

    def _digest(self, settings: AlignSettings) -> list[Passage]:
        """The digest of one text in the other (``dedup.reuse.digest``) that passes ``settings``, the one of
        more lift where each text has one; as a passage from the window to the whole other text."""
        found = []
        for side, (units, weights, other_units, other) in enumerate((
                (self.units_a, self.weights_a, self.units_b, self.weights_b),
                (self.units_b, self.weights_b, self.units_a, self.weights_a))):
            digest = best_digest(weights, other, units, length(other_units, (0, len(other_units) - 1)),
                                 settings.min_chars, settings.digest_units)
            if digest and digest.cosine >= settings.digest_cosine and digest.lift >= settings.digest_lift:
                found.append((digest.lift, side, digest))
        if not found:
            return []
        _, side, digest = max(found, key=lambda f: f[0])
        window = np.arange(digest.first, digest.last + 1)
        partner = (self.cosine[window] if side == 0 else self.cosine[:, window].T).argmax(axis=1)
        whole = (0, len(self.units_b if side == 0 else self.units_a) - 1)
        if side == 0:
            return [Passage((digest.first, digest.last), whole, np.column_stack((window, partner)), digest.cosine)]
        return [Passage(whole, (digest.first, digest.last), np.column_stack((partner, window)), digest.cosine)]

    def _grown(self, passage: Passage, settings: AlignSettings) -> Passage:
        """``passage`` grown into its neighbours until both sides reach ``min_chars`` (see ``AlignSettings``),
        or itself where it is long enough, or cannot grow, or grown is not alike as a whole (the length
        filter then drops it)."""
        units_a, units_b, cosine = self.units_a, self.units_b, self.cosine
        (a0, a1), (b0, b1) = passage.a, passage.b
        while True:
            long_a = length(units_a, (a0, a1)) >= settings.min_chars
            long_b = length(units_b, (b0, b1)) >= settings.min_chars
            if long_a and long_b:
                break
            options = []  # (cosine of the new sentence(s) with the other side, the grown ranges)
            if a0 > 0 and b0 > 0:
                options.append((cosine[a0 - 1, b0 - 1], (a0 - 1, a1, b0 - 1, b1)))
            if a1 + 1 < len(units_a) and b1 + 1 < len(units_b):
                options.append((cosine[a1 + 1, b1 + 1], (a0, a1 + 1, b0, b1 + 1)))
            if long_a:  # only b is short: b's neighbours against all of a's side
                if b0 > 0:
                    options.append((cosine[a0:a1 + 1, b0 - 1].max(), (a0, a1, b0 - 1, b1)))
                if b1 + 1 < len(units_b):
                    options.append((cosine[a0:a1 + 1, b1 + 1].max(), (a0, a1, b0, b1 + 1)))
            if long_b:
                if a0 > 0:
                    options.append((cosine[a0 - 1, b0:b1 + 1].max(), (a0 - 1, a1, b0, b1)))
                if a1 + 1 < len(units_a):
                    options.append((cosine[a1 + 1, b0:b1 + 1].max(), (a0, a1 + 1, b0, b1)))
            best = max(options, key=lambda option: option[0], default=None)
            if best is None or best[0] < settings.neighbour_cosine:
                return passage
            a0, a1, b0, b1 = best[1]
        if ((a0, a1), (b0, b1)) == (passage.a, passage.b):  # long enough as it was
            return passage
        whole = fragment_cosine(self.weights_a, (a0, a1), self.weights_b, (b0, b1))
        return replace(passage, a=(a0, a1), b=(b0, b1), cosine=whole) if whole >= settings.passage_cosine else passage


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else matrix
