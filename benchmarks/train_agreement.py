"""Fit the agreement model (``dedup.confirm.agreement``) of each confirm stage on the dev half of ``data/dev``.

The detector is run on every dev-half article with a recording model, which keeps the feature row of each
paragraph pair that agrees on a specific amount (the pairs the model will decide); a row is positive when the
gold file puts both paragraphs in one claim.

The inverse regularisation ``C`` and the threshold are chosen by leave-one-article-out cross-validation on what
the issue measures, not on rows: each dev-half article is run through the detector with a model fitted on the
other articles' rows, at each threshold, and its groups are scored against its gold (pairs in one group,
``dedup.article.evaluate.counts``). A false match costs more in groups than in rows (it can join two claims),
so the choice is the setting with the best out-of-fold F1 of pairs in one group among those that meet the
issue's other targets: precision at least 0.9, at most 5% of the distractors flagged, and at most 5% of the
restatement-free articles flagged (with three of them in the dev half: none). The final model is fitted on
every dev-half row and written to ``dedup/models/agreement.json``. The held-out half is never read here
(``benchmarks/dev_set.py`` reports it).

    python benchmarks/train_agreement.py [--dev DIR] [-o PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dev_set  # noqa: E402

from dedup import Detector  # noqa: E402
from dedup.article.evaluate import Gold, counts  # noqa: E402
from dedup.confirm.agreement import AGREEMENT_PATH, FEATURES, AgreementModel, save_models  # noqa: E402
from dedup.confirm.reranker import Reranker  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
THRESHOLDS = tuple(round(0.3 + 0.05 * k, 2) for k in range(14))  # 0.30 .. 0.95
RERANKER: list[Reranker] = []  # ``--model``: the reranker the learned stage's rows come from


def _reranker(mode: str) -> dict:
    return {"reranker": RERANKER[0]} if RERANKER and mode == "learned" else {}


MIN_PRECISION = 0.9
MAX_DISTRACTORS = 0.05
MAX_CLEAN_FLAGGED = 0.05


class Recorder(AgreementModel):
    """An agreement model that confirms nothing and keeps every row it is asked about, with its pair."""

    def __init__(self, mode: str) -> None:
        super().__init__(mode, [0.0] * len(FEATURES[mode]), 0.0, 0.5)
        self.asked: list[tuple[tuple[int, int], list[float]]] = []

    def predict_pairs(self, pairs, rows) -> np.ndarray:
        self.asked.extend(zip(pairs, rows))
        return np.zeros(len(rows))


@dataclass
class Article(dev_set.Article):
    rows: np.ndarray  # the recorded feature rows of its pairs that agree on an amount
    labels: np.ndarray


def dev_articles(dev: Path, mode: str, split: str = "dev") -> list[Article]:
    """The articles of ``split`` with the recorded rows of their pairs agreeing on an amount."""
    articles = []
    for gold_path in sorted(dev.glob("*.gold.json")):
        gold = Gold.load(gold_path)
        if gold.split != split:
            continue
        recorder = Recorder(mode)
        text = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt")).read_text(encoding="utf-8")
        Detector(confirm=mode, agreement=recorder, **_reranker(mode)).detect(text)
        kept = [(pair, row) for pair, row in recorder.asked if pair not in gold.ambiguous]
        rows = np.array([row for _, row in kept], dtype=np.float64).reshape(-1, len(FEATURES[mode]))
        labels = np.array([pair in gold.positives for pair, _ in kept], dtype=bool)
        articles.append(Article(gold_path.name, text, gold, rows, labels))
    return articles


def fitted(articles: list[Article], c: float) -> LogisticRegression | None:
    x = np.vstack([a.rows for a in articles])
    y = np.concatenate([a.labels for a in articles])
    return LogisticRegression(C=c, max_iter=2000).fit(x, y) if 0 < y.sum() < len(y) else None


def out_of_fold(articles: list[Article], mode: str, c: float) -> dict[float, dev_set.Totals]:
    """Each threshold's tally of every article run with a model fitted on the other articles."""
    tallies = {t: dev_set.Totals() for t in THRESHOLDS}
    for k, held in enumerate(articles):
        model = fitted(articles[:k] + articles[k + 1:], c)
        for t in THRESHOLDS:
            agreement = AgreementModel(mode, model.coef_[0], model.intercept_[0], t) if model else None
            report = Detector(confirm=mode, agreement=agreement, **_reranker(mode)).detect(held.text)
            tallies[t].add(counts(report, held.gold), held.restatement_free)
    return tallies


def fit(dev: Path, mode: str) -> AgreementModel:
    articles = dev_articles(dev, mode)
    y = np.concatenate([a.labels for a in articles])
    print(f"{mode}: {len(y)} pairs agreeing on an amount in {len(articles)} dev-half articles, "
          f"{int(y.sum())} of them gold pairs")
    chosen = None
    for c in C_GRID:
        best = None
        for t, tally in out_of_fold(articles, mode, c).items():
            p, r, f1, distractors = tally.figures()
            clean = tally.clean_flagged / max(tally.clean, 1)
            if p >= MIN_PRECISION and distractors <= MAX_DISTRACTORS and clean <= MAX_CLEAN_FLAGGED \
                    and (best is None or f1 > best[4] + 1e-9):
                best = (c, t, p, r, f1, distractors)
        if best:
            print(f"  C {c:<5} out-of-fold, pairs in one group: threshold {best[1]:.2f}  P {best[2]:.3f}  "
                  f"R {best[3]:.3f}  F1 {best[4]:.3f}  distractors {best[5]:.3f}")
            if chosen is None or best[4] > chosen[4] + 1e-9:
                chosen = best
        else:
            print(f"  C {c:<5} no threshold meets the targets out of fold")
    if chosen is None:
        raise SystemExit(f"{mode}: no setting meets the targets out of fold; the model file is unchanged")
    c, t, p, r, f1, distractors = chosen
    model = fitted(articles, c)
    weights = ", ".join(f"{name} {w:+.2f}" for name, w in zip(FEATURES[mode], model.coef_[0]))
    print(f"  chosen C {c}, threshold {t}; weights {weights}, intercept {model.intercept_[0]:+.2f}")
    return AgreementModel(mode, model.coef_[0], model.intercept_[0], t, metadata={
        "trained": datetime.date.today().isoformat(), "data": "data/dev, dev half", "pairs": int(len(y)),
        "positives": int(y.sum()), "C": c, "out_of_fold_grouped": {
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "distractors": round(distractors, 4)}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "data" / "dev")
    parser.add_argument("-o", "--output", type=Path, default=AGREEMENT_PATH)
    parser.add_argument("--model", type=Path, default=None,
                        help="a reranker file (train_reranker.py -o) instead of the shipped one")
    args = parser.parse_args()
    if args.model:
        RERANKER.append(Reranker.load(args.model))
    models = [fit(args.dev, mode) for mode in FEATURES]
    save_models(models, args.output)
    print(f"wrote {args.output}")
    json.loads(args.output.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
