"""Agreement on who and how much: the confirm stage's evidence for restatements that share few words.

A reworded restatement keeps the claim's amounts (rounded or spelled out) and its names, not its wording:
"the board voted 9-4 to approve the $298 million budget" / "nine of the thirteen trustees backed the roughly
$300 million plan". A distractor in the same article shares the topic and often one amount, but states other
amounts beside it ("the same $1.2 million, for libraries vs road resurfacing"). So a pair of texts is
described by

- ``amounts_agreeing``: specific amounts of one text that agree with one of the other's (``quantities.agree``:
  the same unit, within rounding), counted on the side with fewer;
- ``amounts_rounded``: agreeing pairs of amounts of which one is stated roughly ("nearly forty million" for
  "€38 million"): a rewrite rounds, where a distractor repeats a figure exactly for another thing;
- ``amounts_conflicting``: specific amounts of either text that agree with none of the other's amounts of
  the same unit;
- ``names_shared``: names (words capitalised inside sentences) both use, by their first four letters, so
  that "India" and "Indian", "Norway" and "Norwegians" meet;
- ``headline``: whether one of the two is the article's headline (whose one amount is its lede's by design);

and ``AgreementModel``, a logistic model over these and the pair's lexical evidence, decides the pairs whose
texts agree on at least one specific amount. ``benchmarks/train_agreement.py`` fits it on the dev half of
``data/dev``, choosing by cross-validation over its articles, and writes ``dedup/models/agreement.json``.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from dedup.text.cases import name_prefixes
from dedup.text.quantities import CLOCK_TOLERANCE, EXACT_TOLERANCE, ROUGH_TOLERANCE, Quantity, agree, quantities

AGREEMENT_PATH = Path(__file__).resolve().parent.parent / "models" / "agreement.json"
# What each confirm stage's model reads, in order: the reranker's probability of the whole pair (as a logit)
# and its character n-gram cosine with confirm="learned"; the paragraph TF-IDF cosine with confirm="tfidf".
FEATURES = {
    "learned": ("probability_logit", "char_cosine", "amounts_agreeing", "amounts_rounded", "amounts_conflicting",
                "names_shared", "headline"),
    "tfidf": ("paragraph_cosine", "amounts_agreeing", "amounts_rounded", "amounts_conflicting", "names_shared",
              "headline"),
}
_CAP = 3  # counts past this say nothing more


@dataclass(frozen=True)
class Claims:
    """What a text says about how much and who: its specific amounts, and its names (found when first asked:
    only the few pairs that agree on an amount need them)."""

    amounts: tuple[Quantity, ...] = ()
    text: str = ""

    @classmethod
    def of(cls, text: str) -> "Claims":
        label = _SECTION_LABEL.match(text)  # "2.2 The Receiving Party shall ...": a clause's number, no amount
        marks = [found.span() for found in _MEDIA_TIMES.finditer(text)]  # a cue's number and times: none either
        return cls(tuple(q for q in quantities(text) if specific(q) and not (label and q.start < label.end())
                         and not any(start <= q.start < end for start, end in marks)), text)

    @cached_property
    def names(self) -> frozenset[str]:
        return name_prefixes(self.text)


# A number that opens a paragraph as a clause's or section's label: a clause repeated under another number ("6.1"
# for "2.2") read as a restatement stating other amounts, and was not reported.
# A bare count is none ("300 Britons were flown home", "12 Days Later"), nor a figure before a scale ("2.5 Million").
_SECTION_LABEL = re.compile(r"\s*(?:(?:\u00a7\s*|(?:Section|Article|Clause|Rule)\s+)\d+(?:\.\d+)*[.)]?|\(\d+\)|"
                            r"\d+\.(?:\d+\.?)*)\s+(?!(?:Hundred|Thousand|Million|Billion|Trillion|Percent)\b)"
                            r"(?=[A-Z\"\u201c(])")


# A subtitle cue's timing line ("00:01:01,500 --> 00:01:03,250") and number, a transcript's turn time ("[00:00:31]
# MOORE: ..."): read as amounts, two cues agreed on their milliseconds ("500 ~ 500") and were one claim, and two
# turns of one speaker, a 10-word run apart, were two facts for their times.
_TIME = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
_MEDIA_TIMES = re.compile(rf"(?m)^\d+[ \t]*\r?\n(?=[ \t]*{_TIME}\s*-->)|{_TIME}\s*-->\s*{_TIME}|\[{_TIME}\]")


def specific(quantity: Quantity) -> bool:
    """An amount that says something: with a unit, not a whole number up to 12 ("four countries", "3-1" are
    everywhere in an article), not a calendar year or a day of the month."""
    if quantity.unit in ("year", "date"):
        return False
    return quantity.unit != "" or quantity.value > 12 or quantity.value != int(quantity.value)


@dataclass(frozen=True)
class Agreement:
    """What two texts' claims agree on (see the module for each count)."""

    amounts_agreeing: int
    amounts_rounded: int
    amounts_conflicting: int
    names_shared: int


def agreeing_pairs(a: Claims, b: Claims) -> list[tuple[Quantity, Quantity]]:
    """Every pair of an amount of ``a`` and one of ``b`` that agree (``quantities.agree``), in ``a``'s order.

    Past ``_ALL_PAIRS`` pairs, each amount of ``a`` is compared only with those of ``b`` that could agree with it:
    the same pairs, where two tables of thousands of figures compared every one with every other (a 110 KB page
    took 28 s, four times the time for twice the figures)."""
    if len(a.amounts) * len(b.amounts) <= _ALL_PAIRS:
        return [(q, r) for q in a.amounts for r in b.amounts if agree(q, r)]
    near = _Nearby(b.amounts)
    return [(q, b.amounts[k]) for q in a.amounts for k in near.of(q) if agree(q, b.amounts[k])]


_ALL_PAIRS = 4096


class _Nearby:
    """``agree``'s possible partners of an amount among ``amounts``, by value. Two amounts without a bound, of
    positive finite values, agree only within ``EXACT_TOLERANCE`` of the larger, or ``ROUGH_TOLERANCE`` where
    either is stated roughly (times of day: within ``CLOCK_TOLERANCE`` minutes); an amount with a bound, or of a
    value at most 0, may agree with any, and is always a candidate."""

    def __init__(self, amounts: tuple[Quantity, ...]) -> None:
        self._wide = [k for k, q in enumerate(amounts) if not _narrow(q)]
        self._sorted = {}  # (clock, rough) -> [(value, index)] in order
        for k, q in enumerate(amounts):
            if _narrow(q):
                self._sorted.setdefault((q.unit == "clock", q.rough), []).append((q.value, k))
        for found in self._sorted.values():
            found.sort()
        self._values = {kind: [v for v, _ in found] for kind, found in self._sorted.items()}
        self._everything = range(len(amounts))

    def of(self, q: Quantity) -> list[int]:
        if not _narrow(q):
            return list(self._everything)
        clock = q.unit == "clock"
        found = list(self._wide)
        for rough in (False, True):
            values = self._values.get((clock, rough), [])
            tolerance = ROUGH_TOLERANCE if q.rough or rough else EXACT_TOLERANCE
            low, high = ((q.value - CLOCK_TOLERANCE, q.value + CLOCK_TOLERANCE) if clock else
                         (q.value * (1 - tolerance), q.value / (1 - tolerance)))
            slack = 1e-9 * max(abs(low), abs(high), 1.0)  # the bounds' rounding: a candidate too many, never one less
            found += [k for _, k in self._sorted.get((clock, rough), [])[
                bisect_left(values, low - slack):bisect_right(values, high + slack)]]
        return sorted(found)


def _narrow(q: Quantity) -> bool:
    """Whether ``q`` agrees only with amounts near its own value (see ``_Nearby``)."""
    return not q.bound and math.isfinite(q.value) and (q.value > 0 or q.unit == "clock")


def _conflicting(a: Claims, b: Claims, agreeing: list[tuple[Quantity, Quantity]]) -> int:
    """Amounts of either text that agree with none of the other's, where the other states that unit."""
    found_a, found_b = {id(q) for q, _ in agreeing}, {id(r) for _, r in agreeing}
    units_a, units_b = {q.unit for q in a.amounts}, {q.unit for q in b.amounts}
    return (sum(1 for q in a.amounts if id(q) not in found_a and q.unit in units_b)
            + sum(1 for r in b.amounts if id(r) not in found_b and r.unit in units_a))


def agreement(a: Claims, b: Claims) -> Agreement:
    """How far two texts' claims agree (see the module)."""
    agreeing = agreeing_pairs(a, b)
    return Agreement(min(len({id(q) for q, _ in agreeing}), len({id(r) for _, r in agreeing})),
                     sum(1 for q, r in agreeing if q.rough or r.rough), _conflicting(a, b, agreeing),
                     len(a.names & b.names))


def contradicts(a: Claims, b: Claims) -> bool:
    """Whether two texts state specific amounts of the same kind and agree on none of them: "cut the top rate
    to 4.5 percent" and "lowered the top rate from 5.75 percent to 5.25 percent" state two facts, however
    alike their words. (Names are not read: most confirmed pairs are checked, few need them.)"""
    if not a.amounts or not b.amounts:
        return False
    agreeing = agreeing_pairs(a, b)
    return not agreeing and _conflicting(a, b, agreeing) > 0


def feature_row(mode: str, found: Agreement, headline: bool = False, probability: float = 0.5,
                char_cosine: float = 0.0, paragraph_cosine: float = 0.0) -> list[float]:
    """One pair's features in the order ``FEATURES[mode]`` gives."""
    p = min(max(probability, 1e-4), 1 - 1e-4)
    values = {"probability_logit": math.log(p / (1 - p)), "char_cosine": char_cosine,
              "paragraph_cosine": paragraph_cosine, "amounts_agreeing": min(found.amounts_agreeing, _CAP),
              "amounts_rounded": min(found.amounts_rounded, _CAP),
              "amounts_conflicting": min(found.amounts_conflicting, _CAP),
              "names_shared": min(found.names_shared, _CAP), "headline": float(headline)}
    return [float(values[name]) for name in FEATURES[mode]]


class AgreementModel:
    """A logistic model that confirms a pair of texts agreeing on a specific amount.

    Parameters
    ----------
    mode : {"learned", "tfidf"}
        The confirm stage it serves, which sets its features (``FEATURES``).
    coef : sequence of float
        One weight per feature.
    intercept : float
    threshold : float
        The probability at which a pair is confirmed.
    metadata : dict, optional
        How it was fitted (kept in the model file).
    """

    def __init__(self, mode: str, coef, intercept: float, threshold: float, metadata: dict | None = None) -> None:
        if mode not in FEATURES:
            raise ValueError(f"mode must be one of {', '.join(FEATURES)}, got {mode!r}")
        self.mode = mode
        self.coef = np.asarray(coef, dtype=np.float64)
        if self.coef.shape != (len(FEATURES[mode]),):
            raise ValueError(f"{mode} agreement model needs {len(FEATURES[mode])} weights, got {self.coef.shape}")
        self.intercept = float(intercept)
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        self.threshold = float(threshold)
        self.metadata = dict(metadata or {})

    def predict_proba(self, rows) -> np.ndarray:
        """The probability that each pair (a row of ``feature_row``) states the same claim.

        Parameters
        ----------
        rows : array-like of shape (n_pairs, n_features)

        Returns
        -------
        ndarray of shape (n_pairs,)
        """
        x = np.asarray(rows, dtype=np.float64).reshape(-1, len(self.coef))
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def predict_pairs(self, pairs, rows) -> np.ndarray:
        """``predict_proba(rows)`` for the rows of ``pairs`` (paragraph numbers): the detector asks this way so
        that a fitting script (``benchmarks/train_agreement.py``) can record which pair each row is."""
        return self.predict_proba(rows)

    def to_dict(self) -> dict:
        return {"mode": self.mode, "features": list(FEATURES[self.mode]), "coef": self.coef.round(6).tolist(),
                "intercept": round(self.intercept, 6), "threshold": round(self.threshold, 6),
                "metadata": self.metadata}

    @classmethod
    def from_dict(cls, data: dict) -> "AgreementModel":
        mode = data["mode"]
        if list(data.get("features", [])) != list(FEATURES.get(mode, ())):
            raise ValueError(f"agreement model for {mode!r} has features {data.get('features')}, "
                             f"this dedup reads {list(FEATURES.get(mode, ()))}")
        return cls(mode, data["coef"], data["intercept"], data["threshold"], data.get("metadata"))


def save_models(models: list[AgreementModel], path: str | Path = AGREEMENT_PATH) -> None:
    """Write the models (one per confirm stage) as JSON."""
    Path(path).write_text(json.dumps({"models": [m.to_dict() for m in models]}, indent=1) + "\n", encoding="utf-8")


_LOADED: dict[str, AgreementModel] = {}


def default_agreement(mode: str) -> AgreementModel:
    """The shipped model of a confirm stage (``dedup/models/agreement.json``), read once."""
    if not _LOADED:
        data = json.loads(AGREEMENT_PATH.read_text(encoding="utf-8"))
        _LOADED.update({m["mode"]: AgreementModel.from_dict(m) for m in data["models"]})
    return _LOADED[mode]
