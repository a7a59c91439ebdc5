"""Candidate paragraph pairs of one article: LSH over its sentences' and paragraphs' signatures, bounded.

A mixin of ``Detector`` (its ``lsh``, ``max_candidates`` and ``generation_budget``): the step between signing
and confirming, in a module of its own so that each step of the article pipeline can be read on its own.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from dedup.confirm.agreement import Claims
from dedup.records import CandidatePair, Paragraph
from dedup.sketch.minhash import estimated_scores
from dedup.text.quantities import CURRENCIES, Quantity, agree
from dedup.util.arrays import distinct

GENERATED_PER_CANDIDATE = 200
MIN_GENERATED = 1_000_000  # a low --max-candidates still searches a document of thousands of paragraphs whole
_CHUNK = 65_536  # candidate pairs whose signatures are compared at once (32 MB at 128 permutations)
_LEVELS = ("sentence", "paragraph", "amounts")
# Paragraphs that state amounts in one bin past which the bin proposes no pairs: a table of figures, not claims.
AMOUNT_BUCKET_CAP = 32
# Bins of amounts (log scale): two amounts that agree (``quantities.ROUGH_TOLERANCE``) are in one bin or two
# adjacent ones, and each amount is filed under its bin and the next, so they meet in one.
_AMOUNT_BIN = math.log(1.5)


@dataclass
class SignedArticle:
    """An article segmented and signed: the working state handed between the detector's steps."""

    paragraphs: list[Paragraph]
    sentence_owner: np.ndarray  # paragraph of each sentence, flat
    sentence_first: np.ndarray  # flat index of each paragraph's first sentence
    sentence_sizes: np.ndarray  # shingles per sentence
    paragraph_sizes: np.ndarray  # shingles per paragraph
    sentence_signatures: np.ndarray
    paragraph_signatures: np.ndarray
    claims: list[Claims] = field(default_factory=list)  # each paragraph's amounts and names (confirm.agreement)


class CandidateSearch:
    """``candidates`` and ``capped_candidates`` of ``Detector``."""

    def candidates(self, article: SignedArticle) -> list[CandidatePair]:
        """Paragraph pairs from LSH at the sentence level and the paragraph level (within the generation
        budget: see ``capped_candidates``).

        Returns
        -------
        list of CandidatePair
            ``(a, b)`` with ``a < b``, in order, each with ``via`` (the levels that proposed it).
        """
        return self.capped_candidates(article, cap=False)[0]

    def capped_candidates(self, article: SignedArticle, cap: bool = True) -> tuple[list[CandidatePair], int]:
        """The candidates, at most ``max_candidates`` of them (the most similar paragraphs by MinHash Jaccard or
        containment estimate, kept in order), and how many were dropped.

        Each LSH level generates at most ``generation_budget`` pairs: past it (a huge document), only the
        rarest band keys' buckets are expanded, and the pairs left out count as dropped too, so ``dropped``
        is then an upper bound (a pair in several buckets counted each time; at most every paragraph pair).
        A bucket of more than ``lsh.max_bucket`` sentences or paragraphs (one paragraph repeated more than
        1,000 times) is never expanded: each member is paired with its first member, so the copies still
        form one group, and its other pairs count as dropped, so the search is reported partial.
        Codes stay arrays until the cut: they can be millions.

        Returns
        -------
        candidates : list of CandidatePair
            At most ``max_candidates`` (all with ``cap=False``), in order.
        dropped : int
            How many were left out.
        """
        owner, n = article.sentence_owner, max(len(article.paragraphs), 1)
        sentence_pairs, skipped = self.lsh.budgeted_candidate_array(
            article.sentence_signatures, article.sentence_sizes == 0, self.generation_budget)
        a, b = owner[sentence_pairs[:, 0]], owner[sentence_pairs[:, 1]]
        by_sentence = distinct(np.minimum(a, b)[a != b] * n + np.maximum(a, b)[a != b])
        paragraph_pairs, skipped_too = self.lsh.budgeted_candidate_array(
            article.paragraph_signatures, article.paragraph_sizes == 0, self.generation_budget)
        by_paragraph = distinct(paragraph_pairs.min(axis=1) * n + paragraph_pairs.max(axis=1))
        by_amounts = amount_pairs(article.claims, n)
        # A paragraph of no sentence long enough to match (min_sentence_words: "ED502", a one-word line) restates
        # nothing, whatever amount or code it shares with another.
        worded = article.paragraph_sizes > 0
        by_amounts = by_amounts[worded[by_amounts // n] & worded[by_amounts % n]]
        codes = distinct(np.concatenate((by_sentence, by_paragraph, by_amounts)))  # np.union1d's, cheaper
        dropped = len(codes) - self.max_candidates if cap else 0
        if dropped > 0:
            closeness = np.concatenate([self._closeness(article, *np.divmod(codes[i:i + _CHUNK], n))
                                        for i in range(0, len(codes), _CHUNK)])
            codes = np.sort(codes[np.argsort(-closeness, kind="stable")[: self.max_candidates]])
        dropped = max(dropped, 0)
        if skipped + skipped_too:
            dropped = min(dropped + skipped + skipped_too, n * (n - 1) // 2 - len(codes))
        levels = [_members(codes, found) for found in (by_sentence, by_paragraph, by_amounts)]
        via = [frozenset(name for name, on in zip(_LEVELS, bits) if on) for bits in zip(*levels)]
        return [CandidatePair(*divmod(code, n), via=v) for code, v in zip(codes.tolist(), via)], dropped

    @staticmethod
    def _closeness(article: SignedArticle, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        sigs, sizes = article.paragraph_signatures, article.paragraph_sizes
        return np.maximum(*estimated_scores(sigs[a], sigs[b], sizes[a], sizes[b]))


def _members(codes: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``np.isin(codes, found)`` for ``found`` sorted (``distinct``): a binary search, without isin's cost of
    about 10 µs a call on a few dozen codes."""
    if not len(found):
        return np.zeros(len(codes), dtype=bool)
    return found[np.minimum(np.searchsorted(found, codes), len(found) - 1)] == codes


def _amount_bin(value: float) -> int:
    """The bin of an amount's size: its log in steps of 1.5x; zero and a numeral too long for a float (infinite,
    agreeing only with itself) each in a bin of their own."""
    if not value:
        return -10**6
    return math.floor(math.log(abs(value)) / _AMOUNT_BIN) if math.isfinite(value) else 10**6


def amount_pairs(claims: list[Claims], n: int) -> np.ndarray:
    """Codes ``a * n + b`` of the paragraph pairs that state amounts close enough to agree (the same unit,
    values within rounding, ``quantities.agree``): a reworded restatement keeps the claim's amounts when it
    keeps none of its words. A bin holding more than ``AMOUNT_BUCKET_CAP`` paragraphs proposes nothing (a
    table of figures), and a pair counts only by the amounts of the bin that proposes it."""
    bins: dict[tuple[str, int], dict[int, list[Quantity]]] = {}
    for paragraph, found in enumerate(claims):
        for amount in found.amounts:
            unit = "money" if amount.unit in CURRENCIES else amount.unit  # any two currencies may meet in a bin
            at = _amount_bin(amount.value)
            for key in ((unit, at), (unit, at + 1)):
                bins.setdefault(key, {}).setdefault(paragraph, []).append(amount)
    codes = {a * n + b for members in bins.values() if 1 < len(members) <= AMOUNT_BUCKET_CAP
             for a, b in itertools.combinations(sorted(members), 2)
             if any(agree(q, r) for q in members[a] for r in members[b])}
    return distinct(np.fromiter(codes, dtype=np.int64, count=len(codes)))
