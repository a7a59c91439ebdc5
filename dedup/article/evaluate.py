"""Score a report against hand-made gold labels (``data/*.gold.json``).

Gold lists *claims*, each with the paragraphs that state it; two paragraphs
sharing a claim are a restatement pair. ``related`` pairs are hard negatives,
``ambiguous`` pairs are not scored, and every other pair is a negative.

- precision: share of reported matches that are gold pairs;
- recall (direct): share of gold pairs reported as matches;
- recall (grouped): share of gold pairs whose paragraphs share a group;
- recall (linked): share of gold pairs joined through groups that share a
  paragraph (the issue accepts "one group or linked groups").
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from dedup.cluster.groups import cluster_pairs
from dedup.records import Report

Pair = tuple[int, int]


@dataclass(frozen=True)
class Gold:
    positives: frozenset[Pair]
    related: frozenset[Pair]
    ambiguous: frozenset[Pair]

    @classmethod
    def load(cls, path: str | Path) -> "Gold":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        positives = {
            pair for claim in data["claims"] for pair in itertools.combinations(sorted(set(claim["paragraphs"])), 2)
        }
        related = {tuple(sorted(r["pair"])) for r in data.get("related", [])}
        ambiguous = {tuple(sorted(r["pair"])) for r in data.get("ambiguous", [])}
        return cls(frozenset(positives), frozenset(related), frozenset(ambiguous))


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
