"""How well each confirm method tells a restatement from a related text: one table, one run.

Rows: MinHash only (estimated Jaccard of dedup's shingles); plain TF-IDF
cosine; the learned reranker shipped in the package; the reranker refitted
with a sentence-embedding cosine as one more feature (only when
the packages of benchmarks/semantic_encoder.py are installed). Columns:

- MRPC test accuracy and F1, at a threshold chosen on MRPC train;
- STS Benchmark news test: Spearman correlation of the score with the gold grade;
- Clough-Stevenson: accuracy of reuse detection, binary (any reuse vs none)
  and 4-class (cut / light / heavy / none), leave-one-task-out: cut points
  on the score are learned on four tasks (a decision tree on the score
  alone, so any score scale works) and tested on the fifth;
- the bundled article, all paragraph pairs: precision, recall and F1 at the
  method's training-chosen precise threshold (precision 0.9 on training data).

Then the article detector end to end, learned vs ``--confirm tfidf``.
Every threshold comes from training data; test splits are only scored.
Needs ``../shared/eval`` (``--eval DIR``).

    python benchmarks/quality.py [--eval DIR] [--no-semantic]
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import platform
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.stats import spearmanr
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalsets import DEFAULT_EVAL, PairSet, load_clough, load_mrpc, load_sts  # noqa: E402
from train_reranker import (  # noqa: E402
    accuracy_and_f1,
    best_threshold,
    features_of,
    fit_reranker,
    precise_threshold,
    training_sets,
)

from dedup import Detector  # noqa: E402
from dedup.article.evaluate import Gold, score  # noqa: E402
from dedup.confirm.features import FEATURES  # noqa: E402
from dedup.confirm.reranker import Reranker, default_reranker  # noqa: E402
from dedup.sketch.minhash import MinHasher, estimate_jaccard  # noqa: E402
from dedup.sketch.shingle import Shingler  # noqa: E402
from dedup.text.segment import segment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
Scorer = Callable[[PairSet], np.ndarray]


def minhash_scores(pairs: PairSet) -> np.ndarray:
    shingler, hasher = Shingler(k=1), MinHasher(num_perm=128)
    signatures = hasher.sign(shingler.shingle(pairs.a + pairs.b))
    n = len(pairs)
    return np.array([estimate_jaccard(signatures[i], signatures[n + i]) for i in range(n)])


def tfidf_scores(pairs: PairSet) -> np.ndarray:
    return features_of(pairs)[:, FEATURES.index("word_cosine")]


MODEL: list[Reranker] = []  # ``--model``: a reranker file instead of the shipped one


def reranker_scores(pairs: PairSet) -> np.ndarray:
    return (MODEL or [default_reranker()])[0].predict_proba(features_of(pairs), pairs.a, pairs.b)


class RefittedMethod:
    """The reranker refitted on the same training data, optionally with an embedding cosine as one more feature."""

    def __init__(self, training: list[PairSet], shipped: Reranker, semantic: bool = False) -> None:
        if semantic:
            from semantic_encoder import SemanticEncoder  # benchmarks/, beside this script

            self.encoder = SemanticEncoder()
        self.semantic = semantic
        dense = np.vstack([self.dense(p) for p in training])
        a, b = [t for p in training for t in p.a], [t for p in training for t in p.b]
        y = np.array([label for p in training for label in p.labels])
        self.model, _, _ = fit_reranker(dense, a, b, y, len(training[0]), len(training[0]) + len(training[1]),
                                        C=shipped.C, mrpc_weight=shipped.metadata.get("mrpc_weight", 1.0),
                                        substitution_weight=shipped.substitution_weight)
        self.threshold, self.precise = self.model.probability_threshold, self.model.detector_probability_threshold

    def dense(self, pairs: PairSet) -> np.ndarray:
        dense = features_of(pairs)
        return np.column_stack([dense, self.encoder.pair_cosines(pairs.a, pairs.b)]) if self.semantic else dense

    def __call__(self, pairs: PairSet) -> np.ndarray:
        return self.model.predict_proba(self.dense(pairs), pairs.a, pairs.b)


def mrpc_columns(scores_train, y_train, scores_test, y_test, threshold=None) -> tuple[float, float, float]:
    threshold = best_threshold(scores_train, y_train) if threshold is None else threshold
    return (*accuracy_and_f1(scores_test, y_test, threshold), threshold)


def clough_columns(scores: np.ndarray, pairs: PairSet) -> tuple[float, float]:
    """Leave-one-task-out accuracy, binary and 4-class, from cut points learned on the other tasks."""
    labels, groups = np.array(pairs.labels, dtype=int), np.array(pairs.groups)
    binary_hits = four_hits = 0
    for task in sorted(set(pairs.groups)):
        train, test = groups != task, groups == task
        reuse = labels > 0
        cut = DecisionTreeClassifier(max_depth=1, random_state=0).fit(scores[train, None], reuse[train])
        binary_hits += (cut.predict(scores[test, None]) == reuse[test]).sum()
        tree = DecisionTreeClassifier(max_leaf_nodes=4, random_state=0).fit(scores[train, None], labels[train])
        four_hits += (tree.predict(scores[test, None]) == labels[test]).sum()
    return binary_hits / len(labels), four_hits / len(labels)


def article_pairs(article: Path) -> PairSet:
    paragraphs = [p.text for p in segment(article.read_text(encoding="utf-8"))]
    pairs = list(itertools.combinations(range(len(paragraphs)), 2))
    return PairSet("article", [paragraphs[i] for i, _ in pairs], [paragraphs[j] for _, j in pairs],
                   [0.0] * len(pairs), [f"{i}-{j}" for i, j in pairs])


def article_columns(scores: np.ndarray, pairs: PairSet, gold: Gold, threshold: float) -> tuple[float, float, float]:
    index = [tuple(int(x) for x in g.split("-")) for g in pairs.groups]
    reported = {p for p, s in zip(index, scores) if s >= threshold} - gold.ambiguous
    hits = len(reported & gold.positives)
    precision = hits / len(reported) if reported else 1.0
    recall = hits / len(gold.positives)
    return precision, recall, 2 * precision * recall / (precision + recall) if hits else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the shared/eval folder")
    parser.add_argument("--article", type=Path, default=ROOT / "data" / "vance_article.txt")
    parser.add_argument("--gold", type=Path, default=ROOT / "data" / "vance_article.gold.json")
    parser.add_argument("--no-semantic", action="store_true", help="skip the semantic row even if installed")
    parser.add_argument("--model", type=Path, default=None,
                        help="a reranker file (train_reranker.py -o) instead of the shipped one")
    args = parser.parse_args()
    if args.model:
        MODEL.append(Reranker.load(args.model))

    mrpc_train, mrpc_test = load_mrpc(args.eval, "train"), load_mrpc(args.eval, "test")
    sts_test, clough = load_sts(args.eval, "test"), load_clough(args.eval)
    gold, article = Gold.load(args.gold), article_pairs(args.article)
    y_train, y_test = np.array(mrpc_train.labels), np.array(mrpc_test.labels)
    reranker = (MODEL or [default_reranker()])[0]

    methods: list[tuple[str, Scorer, float | None, float]] = []
    training = training_sets(args.eval, 1500)
    for name, scorer in (("MinHash only (Jaccard estimate)", minhash_scores), ("plain TF-IDF cosine", tfidf_scores)):
        train_scores = np.concatenate([scorer(p) for p in training[:2]])
        train_y = np.concatenate([p.labels for p in training[:2]])
        methods.append((name, scorer, None, precise_threshold(train_scores, train_y)))
    methods.append(("learned reranker", reranker_scores, reranker.probability_threshold,
                    reranker.detector_probability_threshold))
    semantic_note = "not installed (see benchmarks/semantic_encoder.py)"
    if not args.no_semantic:
        from semantic_encoder import available

        if available():
            semantic = RefittedMethod(training, reranker, semantic=True)
            methods.append(("reranker + MiniLM cosine", semantic, semantic.threshold, semantic.precise))
            semantic_note = "installed"
    print(f"dedup confirm-stage quality, {datetime.date.today().isoformat()}, {platform.machine()}, "
          f"Python {platform.python_version()}; semantic extra: {semantic_note}")
    print(f"reranker model trained {reranker.metadata.get('trained')} on {reranker.metadata.get('training_data')}\n")
    header = ("| method | MRPC acc | MRPC F1 | STS-B news Spearman | Clough binary | Clough 4-class "
              "| article P | article R | article F1 |")
    print(header)
    print("|" + "---|" * 9)
    for name, scorer, threshold, precise in methods:
        accuracy, f1, _ = mrpc_columns(scorer(mrpc_train) if threshold is None else None, y_train,
                                       scorer(mrpc_test), y_test, threshold)
        rho = spearmanr(scorer(sts_test), sts_test.labels).statistic
        binary, four = clough_columns(scorer(clough), clough)
        p, r, f = article_columns(scorer(article), article, gold, precise)
        print(f"| {name} | {accuracy:.3f} | {f1:.3f} | {rho:.3f} | {binary:.3f} | {four:.3f} "
              f"| {p:.3f} | {r:.3f} | {f:.3f} |")

    print("\nthe article detector end to end (LSH candidates, then the confirm stage): pairs reported "
          "directly, and every pair of paragraphs placed in one group")
    print("| confirm | direct P | direct R | direct F1 | grouped P | grouped R | grouped F1 | linked R | ms/article |")
    print("|" + "---|" * 9)
    text = args.article.read_text(encoding="utf-8")
    for confirm in ("learned", "tfidf"):
        detector = Detector(confirm=confirm, reranker=(MODEL or [None])[0] if confirm == "learned" else None)
        detector.detect(text)
        started = time.perf_counter()
        report = detector.detect(text)
        ms = (time.perf_counter() - started) * 1000
        s = score(report, gold)
        print(f"| {confirm} | {s.precision:.3f} | {s.recall_direct:.3f} | {f_score(s.precision, s.recall_direct):.3f} "
              f"| {s.precision_grouped:.3f} | {s.recall_grouped:.3f} "
              f"| {f_score(s.precision_grouped, s.recall_grouped):.3f} | {s.recall_linked:.3f} | {ms:.0f} |")


def f_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


if __name__ == "__main__":
    main()
