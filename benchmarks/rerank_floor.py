"""Choose the TF-IDF floor under which the learned confirm stage does not ask its reranker.

The detector's confirm stage is a cascade (``Detector._learned_scores``): the reranker (features and two
models, most of an article's time) scores only the candidates whose TF-IDF score, the higher of the
paragraph cosine and the best sentence cosine, reaches ``_RERANK_FLOOR`` (and those a shared run or the
title rule confirms anyway). A floor is safe when no pair the reranker would confirm scores under it.

One run, the floor off, records every candidate's TF-IDF score and whether the reranker confirms it, on:

- choice sets: the dev half of ``data/dev`` and MRPC train (each pair a two-paragraph document; ``--eval``);
- held-out sets: the held-out half of ``data/dev``, MRPC test, the bundled article;
- ``--docs`` generated random-word documents (``corpusgen``), where every confirmation is false.

It prints, for each floor of the grid, the share of candidates the reranker still scores and the
confirmations lost, and chooses the highest floor of the grid at most half the lowest score of a
confirmation on the choice sets: a margin, since the held-out sets' lowest confirmations score lower than
the choice sets' (a floor one grid step under the highest safe one lost one of the bundled article's).
Then the detector runs again at the shipped floor and the floor off, and the reports (matches, their
scores, evidence and groups) are compared document by document.

    python benchmarks/rerank_floor.py [--eval ../shared/eval] [--docs 300]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpusgen import iter_corpus  # noqa: E402
from dev_set import load  # noqa: E402
from evalsets import load_mrpc  # noqa: E402

import dedup.article.rerank_step as rerank_step  # noqa: E402  (the floor lives with the reranking step)
from dedup import Detector  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GRID = (0.0, 0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3)
CHOICE = ("dev half", "MRPC train")


def document_sets(eval_root: Path | None, docs: int) -> dict[str, list[str]]:
    articles = load(ROOT / "data" / "dev")
    sets = {"dev half": [a.text for a in articles if a.gold.split == "dev"],
            "held-out half": [a.text for a in articles if a.gold.split == "heldout"],
            "bundled article": [(ROOT / "data" / "vance_article.txt").read_text(encoding="utf-8")]}
    if eval_root is not None:
        for split in ("train", "test"):
            pairs = load_mrpc(eval_root, split)
            sets[f"MRPC {split}"] = [f"{a}\n\n{b}" for a, b in zip(pairs.a, pairs.b)]
    sets["generated"] = [doc["text"] for doc, _ in iter_corpus(docs, 300, seed=3)]
    return sets


def recorded(texts: list[str]) -> np.ndarray:
    """(TF-IDF score, reranker confirms) of every candidate of ``texts``, the floor off."""
    rows: list[tuple[float, bool]] = []
    learned = Detector._learned

    def record(self, scored, probability, deciding, shared_words, title, amounts=False):
        rows.append((scored.score, deciding >= self.probability_threshold))
        return learned(self, scored, probability, deciding, shared_words, title, amounts)

    rerank_step._RERANK_FLOOR, Detector._learned = 0.0, record
    try:
        detector = Detector()
        for text in texts:
            detector.detect(text)
    finally:
        Detector._learned = learned
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def reports(texts: list[str], floor: float) -> tuple[list, float]:
    rerank_step._RERANK_FLOOR = floor
    detector, out, start = Detector(), [], time.perf_counter()
    for text in texts:
        report = detector.detect(text)
        out.append(([(m.a, m.b, m.score, m.reranker, m.sentences, m.spans, m.confirmed_by, m.kind)
                     for m in report.matches], report.groups))
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=None, help="shared/eval (MRPC); without it, data/dev only")
    parser.add_argument("--docs", type=int, default=300, help="generated random-word documents")
    args = parser.parse_args()
    shipped = rerank_step._RERANK_FLOOR
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}; shipped floor {shipped}")
    sets = document_sets(args.eval, args.docs)
    table = {name: recorded(texts) for name, texts in sets.items()}
    print("\nper set: candidates, reranker confirmations, lowest TF-IDF score of one")
    for name, rows in table.items():
        confirmed = rows[rows[:, 1] > 0, 0]
        lowest = confirmed.min() if len(confirmed) else float("nan")
        print(f"  {name:<16} {len(rows):>6} {len(confirmed):>6}  {lowest:.3f}")
    print("\nfloor: share of candidates the reranker scores / confirmations lost, per set")
    print("  floor  " + "  ".join(f"{name:>16}" for name in table))
    choice_rows = np.concatenate([table[name] for name in CHOICE if name in table])
    lowest = choice_rows[choice_rows[:, 1] > 0, 0].min()
    for floor in GRID:
        cells = []
        for name, rows in table.items():
            kept = rows[:, 0] >= floor
            lost = int(((rows[:, 1] > 0) & ~kept).sum())
            cells.append(f"{kept.mean() if len(rows) else 0:>9.3f} / {lost:<4}")
        print(f"  {floor:<5}  " + "  ".join(f"{c:>16}" for c in cells))
    chosen = max(f for f in GRID if f <= lowest / 2)
    print(f"\nlowest score of a confirmation on {' and '.join(n for n in CHOICE if n in table)}: {lowest:.3f}; "
          f"chosen floor (the grid's highest at most half of it): {chosen} (shipped: {shipped})")
    print("\nreports at the shipped floor against the floor off (documents whose matches or groups differ; seconds)")
    for name, texts in sets.items():
        off, off_seconds = reports(texts, 0.0)
        on, on_seconds = reports(texts, shipped)
        differ = sum(a != b for a, b in zip(off, on))
        print(f"  {name:<16} {differ:>5} of {len(texts):<5}  {off_seconds:7.2f} s off, {on_seconds:7.2f} s on "
              f"({off_seconds / max(on_seconds, 1e-9):.2f}x)")
    rerank_step._RERANK_FLOOR = shipped


if __name__ == "__main__":
    main()
