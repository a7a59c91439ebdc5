"""Scoring a text against the index's candidates (mixed into ``dedup.Index``), and the per-query rule.

The duplicate thresholds only decide which scored candidates are called
duplicates, so each query may set its own (``Rule``). What built the stored
signatures and band keys (shingle size, permutations, seed, bands, the
feature hashing) cannot change without rebuilding the index, and is refused
with that reason.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from dedup.cluster.keep import DateLike, preferred, timestamp
from dedup.confirm.pair_scores import exact_scores, exact_scores_many, is_duplicate
from dedup.corpus.pass_one import Tokenized
from dedup.corpus.pass_two import MIN_PASSAGE_TOKENS
from dedup.index.params import compared
from dedup.index.store import IndexFileError
from dedup.index.verdicts import (
    PassageMatch,
    ScoredMatch,
    listed,
    term_blobs,
    term_cosine,
    term_cosines,
    term_total,
)
from dedup.records import DocumentMatch
from dedup.util.validate import check_fraction, renamed_params

# Fixed when the index was built: the stored signatures, band keys and term buckets depend on them.
REBUILD_PARAMS = ("k", "paragraph_k", "num_perm", "seed", "lsh_threshold", "paragraph_lsh_threshold", "n_features",
                  "stop_words", "stem", "bands", "rows", "reuse_keys", "copy_window")


@dataclass(frozen=True)
class Rule:
    """The duplicate rule of one query: ``max(jaccard, containment) >= jaccard`` and ``cosine >= cosine``;
    a reused passage needs ``cosine >= passage``."""

    jaccard: float
    cosine: float
    passage: float


def query_rule(defaults: Rule, jaccard_threshold=None, cosine_threshold=None, passage_cosine_threshold=None,
               fixed: dict | None = None, params: dict | None = None) -> Rule:
    """The rule of one query: the index's ``defaults`` overridden by the thresholds given (each checked as a
    fraction in (0, 1], ``ValueError`` naming it). ``fixed`` holds any other keyword the caller passed: one
    of ``REBUILD_PARAMS`` raises ``ValueError`` saying it needs a rebuild (unless it is the index's own value),
    anything else ``TypeError``."""
    for name, value in (fixed or {}).items():
        if name in REBUILD_PARAMS:
            if params and name in params and params[name] == value and type(value) is type(params[name]):
                continue  # the index's own value (the same settings passed to Index and check): nothing changes
            now = f" (this index has {name}={params[name]!r})" if params and name in params else ""
            raise ValueError(f"{name} cannot change per query{now}: the stored signatures and band keys were "
                             f"built with it; rebuild the index (dedup index add into a new location) with {name}="
                             f"{value!r} to use another")
        raise TypeError(f"unknown query parameter {name!r}")
    return Rule(
        jaccard=defaults.jaccard if jaccard_threshold is None else check_fraction("jaccard_threshold",
                                                                                  jaccard_threshold),
        cosine=defaults.cosine if cosine_threshold is None else check_fraction("cosine_threshold", cosine_threshold),
        passage=defaults.passage if passage_cosine_threshold is None else check_fraction(
            "passage_cosine_threshold", passage_cosine_threshold))


# Old names of the duplicate rule's thresholds (one release with a DeprecationWarning).
RENAMED = {"threshold": "jaccard_threshold", "passage_threshold": "passage_cosine_threshold"}


def split_renamed(keywords: dict, renames: dict[str, str] = RENAMED) -> tuple[dict, dict]:
    """(the old threshold names of ``renames`` among ``keywords``, the rest)."""
    return ({k: v for k, v in keywords.items() if k in renames},
            {k: v for k, v in keywords.items() if k not in renames})


def _check_blobs(rows: list, where: str) -> None:
    """A candidate whose stored shingles or term counts are no whole numbers of their items is a damaged index,
    said as one (an index edited by hand named the checked page as the culprit, in numpy's words)."""
    for _, doc_id, shingles, terms in rows:
        if shingles is None or terms is None or len(shingles) % 4 or len(terms) % 6:
            raise IndexFileError(f"{where}: a damaged index (the stored shingles or term counts of {doc_id!r} are "
                                 "missing, cut short or overlong)")


def _candidate_scores(mine: np.ndarray, my_terms: bytes, rows: list, idf: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jaccard, containment and cosine of a text (shingle set, term blob) with each candidate ``(row, id, shingles,
    terms)``: one by one for a few (a check's usual one or two: 46 us a candidate, against 125 us for the array
    steps' setup), all at once for more (a page with thousands of indexed copies: 60 us a copy one by one)."""
    sets = [np.frombuffer(r[2], dtype="<u4") for r in rows]
    if len(rows) <= _ONE_BY_ONE:
        scores = [exact_scores(mine, s) for s in sets]
        return (np.array([j for j, _ in scores], dtype=float), np.array([c for _, c in scores], dtype=float),
                np.array([term_cosine(my_terms, r[3], idf) for r in rows], dtype=float))
    jaccard, containment = exact_scores_many([mine] * len(rows), sets)
    return jaccard, containment, term_cosines(my_terms, [r[3] for r in rows], idf)


_ONE_BY_ONE = 4  # candidates scored one by one (more: at once); the two cost the same at 3 to 5


class IndexScoring:
    """``_duplicates``, ``_preferred`` and ``_passages`` of ``dedup.Index`` (its signer, IDF, store, keep)."""

    def _rule(self, method, jaccard_threshold, cosine_threshold, passage_cosine_threshold, fixed: dict) -> Rule:
        """The duplicate rule of one ``check`` or ``query`` (``method``), old threshold names taken with a
        warning that names the caller's line."""
        renames = RENAMED
        if fixed:  # an old name whose new one ``method`` does not take (query has no passages) stays unknown
            accepted = inspect.signature(method).parameters
            renames = {old: new for old, new in RENAMED.items() if new in accepted}
        old, fixed = split_renamed(fixed, renames)
        given = renamed_params(method, old, renames, {"jaccard_threshold": jaccard_threshold,
                                                      "passage_cosine_threshold": passage_cosine_threshold},
                               stacklevel=4)
        defaults = Rule(self.jaccard_threshold, self.cosine_threshold, self.passage_cosine_threshold)
        return query_rule(defaults, given["jaccard_threshold"], cosine_threshold, given["passage_cosine_threshold"],
                          fixed, {**self.params, "bands": self.lsh.bands, "rows": self.lsh.rows})

    def _duplicates(self, doc_id: str, tokenized: Tokenized, signed, own_row: int, rule: Rule,
                    top: int | None = None
                    ) -> tuple[list[DocumentMatch], list[tuple[int, int]], list[ScoredMatch] | None]:
        """The matches, the (row, length) of each matched document, and the ``top`` best candidates whether
        or not they match (None without ``top``)."""
        rows = [r for r in self.store.documents_in_bands(
            [int(k) for k in self.lsh.band_keys(signed.signatures).view(np.int64)[0]]) if r[0] != own_row]
        mine = self.signer.document_sets(tokenized).get(0)
        my_terms = term_blobs(self.idf, tokenized.by_document())[0]
        _check_blobs(rows, self.path)
        jaccard, containment, cosine = _candidate_scores(mine, my_terms, rows, self.idf.idf())
        duplicate = is_duplicate(jaccard, containment, cosine, rule.jaccard, rule.cosine)  # unrounded, as before
        found, scored = [], []
        for (row, other_id, _, terms), *values in zip(rows, jaccard.tolist(), containment.tolist(), cosine.tolist(),
                                                       duplicate.tolist()):
            scores = tuple(round(v, 4) for v in values[:3])
            # A re-checked document's duplicates are those indexed before it: a later copy passes the rule but is
            # not one, and ``top`` said "duplicate" of it while the verdict said the text was none.
            is_one = bool(values[3] and compared(row, own_row))
            if is_one:
                found.append((row, DocumentMatch(doc_id, other_id, *scores), term_total(terms)))
            if top is not None:
                scored.append(ScoredMatch(other_id, *scores, is_one))
        # Best first (an exact copy before a fragment it contains: Jaccard breaks ties of containment);
        # then in the order documents were added, so the original comes before its copies.
        found.sort(key=lambda item: (-max(item[1].jaccard, item[1].containment), -item[1].jaccard, item[0]))
        best = None
        if top is not None:  # ties by id, not by row: the same answer as an index rebuilt in another order
            best = sorted(scored, key=lambda m: (-max(m.jaccard, m.containment), -m.jaccard, -m.cosine, m.doc))[:top]
        return [match for _, match, _ in found], [(row, length) for row, _, length in found], best

    def _preferred(self, tokenized: Tokenized, date: DateLike, rows: list[tuple[int, int]]) -> bool:
        """Whether the text beats every duplicate (``rows``: (row, length)) under ``keep``."""
        if self.keep == "first" or not rows:  # the indexed copies came first: no need to look
            return False
        length = term_total(term_blobs(self.idf, tokenized.by_document())[0])
        if self.keep == "longest":
            return preferred("longest", length, None, [(n, None) for _, n in rows])
        # An undated text is dated now, as it would be stored: later than everything added before.
        mine = timestamp(date)
        dates = self.store.dates_of([row for row, _ in rows])  # each one's dated, else added
        return preferred("earliest", length, time.time() if mine is None else mine,
                         [(n, dates.get(row)) for row, n in rows])

    def _passages(self, tokenized: Tokenized, signed, own_row: int, skip: set[str],
                  threshold: float, duplicate_rows: Sequence[tuple[int, int]] = ()) -> list[PassageMatch]:
        """The indexed paragraphs each paragraph of the text reuses, leaving out the documents ``skip`` (ids; its
        near-duplicates: the whole text is shared with them), whose ``(row, length)`` ``duplicate_rows`` are not even
        read."""
        rows_skipped = frozenset(row for row, _ in duplicate_rows)
        sizes = np.diff(tokenized.tokens.offsets)
        my_terms = term_blobs(self.idf, tokenized.tokens)
        idf = self.idf.idf()
        keys = signed.paragraph_keys.view(np.int64)
        # A one- or two-word line ("Contents", "Figure A") is no reused passage (``pass_two``); a short one is
        # looked up by its fingerprint only.
        asked = [p for p in range(len(sizes)) if sizes[p] >= MIN_PASSAGE_TOKENS]
        fingerprints = [int(signed.fingerprints[p].view(np.int64)) for p in asked]
        band_keys = [keys[p].tolist() if sizes[p] >= self.min_passage_words else [] for p in asked]
        found: dict[tuple[int, str, int], PassageMatch] = {}
        for p, fingerprint, rows in zip(asked, fingerprints,
                                        self.store.paragraph_matches(fingerprints, band_keys, rows_skipped)):
            for row, other_id, number, terms, snippet, their_fp in rows:
                if not compared(row, own_row) or other_id in skip or (p, other_id, number) in found:
                    continue
                cosine = 1.0 if their_fp == fingerprint and fingerprint else term_cosine(my_terms[p], terms, idf)
                if cosine >= threshold:
                    found[(p, other_id, number)] = PassageMatch(p, other_id, number, round(cosine, 4), snippet)
        return listed(found.values())
