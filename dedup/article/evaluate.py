"""Score a report against hand-made gold labels (``data/*.gold.json``).

Gold lists *claims*, each with the paragraphs that state it; two paragraphs
sharing a claim are a restatement pair. ``related`` pairs are hard negatives,
``ambiguous`` pairs are not scored, and every other pair is a negative.

- precision: share of reported matches that are gold pairs;
- recall (direct): share of gold pairs reported as matches;
- recall (grouped): share of gold pairs whose paragraphs share a group;
- recall (linked): share of gold pairs joined through groups that share a
  paragraph (the issue accepts "one group or linked groups").

Gold files of the development set (``data/dev``, ``docs/labelling.md``) also give each claim pair a
*kind* (verbatim, edited, reworded, headline) and the article a ``split``; ``counts`` gives the
figures per kind and for the distractors as counts, so a benchmark can sum them over articles.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from dedup.cluster.groups import cluster_pairs
from dedup.records import Report

Pair = tuple[int, int]
KINDS = ("verbatim", "edited", "reworded", "headline")


@dataclass(frozen=True)
class Gold:
    positives: frozenset[Pair]
    related: frozenset[Pair]
    ambiguous: frozenset[Pair]
    # The kind of each labelled gold pair ((pair, kind), sorted; empty where the file gives none) and the split.
    kinds: tuple[tuple[Pair, str], ...] = ()
    split: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> "Gold":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        positives = {
            pair for claim in data["claims"] for pair in itertools.combinations(sorted(set(claim["paragraphs"])), 2)
        }
        related = {tuple(sorted(r["pair"])) for r in data.get("related", [])}
        ambiguous = {tuple(sorted(r["pair"])) for r in data.get("ambiguous", [])}
        kinds = {tuple(sorted(k["pair"])): k["kind"] for claim in data["claims"] for k in claim.get("kinds", [])}
        return cls(frozenset(positives), frozenset(related), frozenset(ambiguous), tuple(sorted(kinds.items())),
                   data.get("split"))

    def of_kind(self, kind: str) -> frozenset[Pair]:
        """The gold pairs labelled ``kind`` (ambiguous pairs left out)."""
        return frozenset(pair for pair, k in self.kinds if k == kind) - self.ambiguous


@dataclass(frozen=True)
class Scores:
    precision: float
    recall_direct: float
    recall_grouped: float
    recall_linked: float
    precision_grouped: float  # over every pair of paragraphs placed in one group
    precision_linked: float  # the same, groups that share a paragraph joined
    false_positives: tuple[Pair, ...]
    missed: tuple[Pair, ...]

    def line(self) -> str:
        return (
            f"precision {self.precision:.3f}  recall: direct {self.recall_direct:.3f}, "
            f"grouped {self.recall_grouped:.3f}, linked {self.recall_linked:.3f}  "
            f"precision grouped {self.precision_grouped:.3f}, linked {self.precision_linked:.3f}  "
            f"false positives {list(self.false_positives)}  missed (linked) {list(self.missed)}"
        )


def _pairs_within(groups: list[tuple[int, ...]]) -> set[Pair]:
    return {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}


def score(report: Report, gold: Gold) -> Scores:
    reported = {(min(m.a, m.b), max(m.a, m.b)) for m in report.matches} - gold.ambiguous
    groups = [g.paragraphs for g in report.groups]
    grouped = _pairs_within(groups) - gold.ambiguous
    linked_groups = cluster_pairs(pair for g in groups for pair in zip(g, g[1:]))
    linked = (_pairs_within([tuple(c) for c in linked_groups]) | reported) - gold.ambiguous
    true_positive = reported & gold.positives
    n_gold = len(gold.positives) or 1
    return Scores(
        precision=len(true_positive) / len(reported) if reported else 1.0,
        recall_direct=len(true_positive) / n_gold,
        recall_grouped=len(grouped & gold.positives) / n_gold,
        recall_linked=len(linked & gold.positives) / n_gold,
        precision_grouped=_precision(grouped, gold),
        precision_linked=_precision(linked, gold),
        false_positives=tuple(sorted(reported - gold.positives)),
        missed=tuple(sorted(gold.positives - linked)),
    )


def _precision(pairs: set[Pair], gold: Gold) -> float:
    return len(pairs & gold.positives) / len(pairs) if pairs else 1.0


@dataclass(frozen=True)
class Counts:
    """Counts behind "pairs in one group" precision and recall, to sum over articles (ambiguous pairs left out).

    ``related_flagged`` and ``extra`` count flagged pairs, those placed in one group or reported as a match:
    the ``related`` ones, and those that are not gold pairs (a restatement-free article with ``extra`` flagged
    something it should not have); ``by_kind`` maps each kind to (its gold pairs in one group, its gold pairs).
    """

    gold: int
    grouped: int
    grouped_true: int
    related: int
    related_flagged: int
    extra: int
    by_kind: dict[str, tuple[int, int]]


def counts(report: Report, gold: Gold) -> Counts:
    grouped = _pairs_within([g.paragraphs for g in report.groups]) - gold.ambiguous
    flagged = grouped | ({(min(m.a, m.b), max(m.a, m.b)) for m in report.matches} - gold.ambiguous)
    return Counts(
        gold=len(gold.positives - gold.ambiguous),
        grouped=len(grouped),
        grouped_true=len(grouped & gold.positives),
        related=len(gold.related),
        related_flagged=len(flagged & gold.related),
        extra=len(flagged - gold.positives),
        by_kind={kind: (len(grouped & gold.of_kind(kind)), len(gold.of_kind(kind))) for kind in KINDS},
    )


def recall_by_kind(report: Report, gold: Gold) -> dict[str, float | None]:
    """Per kind, the share of its gold pairs placed in one group (None for a kind the gold has no pair of)."""
    return {kind: found / total if total else None for kind, (found, total) in counts(report, gold).by_kind.items()}
