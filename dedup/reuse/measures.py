"""PAN's text-alignment measures: character-level precision and recall, granularity, plagdet.

As defined by Potthast, Stein, Barron-Cedeno and Rosso, "An Evaluation Framework for Plagiarism
Detection" (COLING 2010), and as PAN's own evaluator computes them:

- a case (gold reuse) and a detection are each a pair of character ranges: one in the suspicious
  document, one in the source document;
- a detection *detects* a case when the two overlap in both documents;
- recall is the mean over cases of the share of the case's characters (those of both ranges,
  ``|case| = susp length + src length``) covered by the detections that detect it; precision is the
  same with cases and detections swapped (the mean over detections);
- granularity is the mean number of detections per detected case (1 when no case is detected);
- ``plagdet = F1 / log2(1 + granularity)``.

The means are macro averages over a whole corpus of document pairs, not per pair, so the measures take
cases and detections keyed by pair. Every sum they need adds up across pairs (``Counts``), so a corpus's
scores, or any subset's (a label, a cross-validation fold), come from adding the per-pair ``Counts``.

PAN's conventions for empty sets are kept: no cases and no detections scores precision = recall = 1;
cases but no detections, or detections but no cases, scores precision = recall = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping, Sequence

Range = tuple[int, int]  # [start, end) character offsets


@dataclass(frozen=True)
class Annotation:
    """A case or a detection: a range of the suspicious text and the range of the source text it reuses.

    Attributes
    ----------
    susp : tuple of int
        ``(start, end)`` character offsets in the suspicious document, ``start < end``.
    src : tuple of int
        ``(start, end)`` character offsets in the source document, ``start < end``.
    """

    susp: Range
    src: Range

    def __post_init__(self) -> None:
        for name, (start, end) in (("susp", self.susp), ("src", self.src)):
            if not (0 <= start < end):
                raise ValueError(f"{name} range must satisfy 0 <= start < end, got {(start, end)}")

    @classmethod
    def of(cls, this_offset: int, this_length: int, source_offset: int, source_length: int) -> Annotation:
        """From PAN's offset/length fields (``this_*`` in the suspicious document, ``source_*`` in the source)."""
        return cls((this_offset, this_offset + this_length), (source_offset, source_offset + source_length))

    def __len__(self) -> int:
        """Characters in both ranges together."""
        return (self.susp[1] - self.susp[0]) + (self.src[1] - self.src[0])


def _overlaps(a: Range, b: Range) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def detects(detection: Annotation, case: Annotation) -> bool:
    """Whether ``detection`` detects ``case``: they overlap in the suspicious and in the source document.

    The relation is symmetric.
    """
    return _overlaps(detection.susp, case.susp) and _overlaps(detection.src, case.src)


def _covered(within: Range, ranges: Iterable[Range]) -> int:
    """Characters of ``within`` that at least one of ``ranges`` covers (overlaps counted once)."""
    clipped = sorted((max(s, within[0]), min(e, within[1])) for s, e in ranges)
    total, reach = 0, within[0]
    for start, end in clipped:
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def covered_share(item: Annotation, others: Sequence[Annotation]) -> float:
    """The share of ``item``'s characters (both ranges) covered by those of ``others`` that detect it.

    With ``item`` a case and ``others`` the detections this is the case's recall; with ``item`` a
    detection and ``others`` the cases, the detection's precision.
    """
    hits = [o for o in others if detects(o, item)]
    if not hits:
        return 0.0
    covered = _covered(item.susp, (o.susp for o in hits)) + _covered(item.src, (o.src for o in hits))
    return covered / len(item)


@dataclass(frozen=True)
class Counts:
    """The additive sums behind the measures, for one document pair or any set of them (``+``).

    Attributes
    ----------
    cases, detections : int
        How many cases and detections.
    recall_sum : float
        Sum over cases of ``covered_share(case, detections)``.
    precision_sum : float
        Sum over detections of ``covered_share(detection, cases)``.
    detected_cases : int
        Cases detected by at least one detection.
    detections_of_detected : int
        Sum over detected cases of the number of detections that detect them.
    """

    cases: int = 0
    detections: int = 0
    recall_sum: float = 0.0
    precision_sum: float = 0.0
    detected_cases: int = 0
    detections_of_detected: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.cases + other.cases, self.detections + other.detections,
                      self.recall_sum + other.recall_sum, self.precision_sum + other.precision_sum,
                      self.detected_cases + other.detected_cases,
                      self.detections_of_detected + other.detections_of_detected)


def pair_counts(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> Counts:
    """The ``Counts`` of one document pair's detections against its cases."""
    per_case = [sum(detects(d, c) for d in detections) for c in cases]
    return Counts(
        cases=len(cases), detections=len(detections),
        recall_sum=sum(covered_share(c, detections) for c in cases),
        precision_sum=sum(covered_share(d, cases) for d in detections),
        detected_cases=sum(n > 0 for n in per_case),
        detections_of_detected=sum(per_case),
    )


def total(counts: Iterable[Counts]) -> Counts:
    """The sum of ``counts`` (an empty ``Counts`` when there are none)."""
    result = Counts()
    for c in counts:
        result = result + c
    return result


def plagdet(precision: float, recall: float, granularity: float) -> float:
    """``F1 / log2(1 + granularity)``; 0 when precision and recall are both 0.

    Parameters
    ----------
    precision, recall : float
        In [0, 1].
    granularity : float
        At least 1.

    Returns
    -------
    float
        The plagdet score in [0, 1].
    """
    if precision < 0 or recall < 0 or granularity < 1:
        raise ValueError(f"precision and recall must be >= 0 and granularity >= 1, "
                         f"got {precision}, {recall}, {granularity}")
    if precision == 0 and recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall) / math.log2(1 + granularity)


@dataclass(frozen=True)
class Scores:
    """PAN's measures over a set of document pairs.

    Attributes
    ----------
    precision, recall : float
        Macro-averaged character precision (over detections) and recall (over cases).
    granularity : float
        Mean detections per detected case; 1 when none is detected.
    plagdet : float
        ``F1 / log2(1 + granularity)``.
    cases, detections : int
        How many of each were scored.
    """

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    @classmethod
    def of(cls, counts: Counts) -> Scores:
        """The measures from summed ``Counts`` (PAN's conventions when cases or detections are empty)."""
        if counts.cases == 0 and counts.detections == 0:
            precision = recall = 1.0
        elif counts.cases == 0 or counts.detections == 0:
            precision = recall = 0.0
        else:
            precision = counts.precision_sum / counts.detections
            recall = counts.recall_sum / counts.cases
        granularity = counts.detections_of_detected / counts.detected_cases if counts.detected_cases else 1.0
        return cls(precision, recall, granularity, plagdet(precision, recall, granularity),
                   counts.cases, counts.detections)


def evaluate(cases: Mapping[Hashable, Sequence[Annotation]],
             detections: Mapping[Hashable, Sequence[Annotation]]) -> Scores:
    """PAN's measures of ``detections`` against ``cases`` over a corpus of document pairs.

    Parameters
    ----------
    cases : mapping
        Document pair key -> its gold cases (a pair without reuse may be absent or map to ``[]``).
    detections : mapping
        Document pair key -> its detections; a key absent from ``cases`` is a pair without cases.

    Returns
    -------
    Scores
        Precision, recall, granularity and plagdet, macro-averaged over all cases and detections.
    """
    keys = list(cases) + [k for k in detections if k not in cases]
    return Scores.of(total(pair_counts(cases.get(k, ()), detections.get(k, ())) for k in keys))
