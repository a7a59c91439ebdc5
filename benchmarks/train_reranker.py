"""Fit the learned reranker that ships in ``dedup/models/reranker.npz``.

Training data (training splits only; nothing from a test split is read):
- MRPC train: 4,076 news sentence pairs, 1 = paraphrase;
- STS Benchmark train, news genre: score >= 4 is a restatement, <= 2.5 is
  not, the pairs in between are left out;
- generated pairs from those training sentences: verbatim and lightly
  edited copies of one to three sentences (word dropped, replaced, or
  swapped, a sentence dropped), alone or inside a longer text with one or
  two other sentences, as restatements; random pairs as unrelated. MRPC
  calls a sentence that adds details "not equivalent"; for dedup a text
  restated inside a longer one is still a restatement, and verbatim or
  lightly edited repeats must never be lost.

Two thresholds, both from 5-fold out-of-fold predictions on training data:
``threshold`` (pairs classified one by one) maximizes accuracy on MRPC
train; ``detector_threshold`` (the article detector, which must be precise)
is the lowest with precision >= 0.9 over the MRPC and STS training pairs. Needs ``../shared/eval`` (``--eval DIR``).

    python benchmarks/train_reranker.py [--eval DIR] [-o dedup/models/reranker.npz]
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalsets import DEFAULT_EVAL, PairSet, load_mrpc, load_sts  # noqa: E402

from dedup.features import PairFeaturizer  # noqa: E402
from dedup.reranker import MODEL_PATH, Reranker  # noqa: E402

STS_POSITIVE, STS_NEGATIVE = 4.0, 2.5


def binarize_sts(pairs: PairSet) -> PairSet:
    keep = [i for i, s in enumerate(pairs.labels) if s >= STS_POSITIVE or s <= STS_NEGATIVE]
    return PairSet(pairs.name + "-binary", [pairs.a[i] for i in keep], [pairs.b[i] for i in keep],
                   [float(pairs.labels[i] >= STS_POSITIVE) for i in keep], [pairs.groups[i] for i in keep])


def light_edit(text: str, vocabulary: list[str], rng: random.Random) -> str:
    tokens = text.split()
    if len(tokens) < 6:
        return text
    i = rng.randrange(len(tokens) - 1)
    kind = rng.choice(("drop", "replace", "swap"))
    if kind == "drop":
        del tokens[i]
    elif kind == "replace":
        tokens[i] = rng.choice(vocabulary)
    else:
        tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    return " ".join(tokens)


def headline(sentence: str, rng: random.Random) -> str:
    """A headline-like summary: 3-8 of the sentence's content words in order, some inflections changed."""
    content = [w.strip(".,;:!?\"'()") for w in sentence.split()]
    content = [w for w in content if w and w.lower() not in ENGLISH_STOP_WORDS]
    if len(content) < 4:
        return sentence
    start = rng.randrange(max(1, len(content) - 3))
    kept = content[start:start + rng.randint(3, 8)]
    kept = [w[:-2] + "es" if w.endswith("ed") and rng.random() < 0.3 else w for w in kept]
    if rng.random() < 0.5:
        kept = [w[:1].upper() + w[1:] for w in kept]
    return " ".join(kept) + rng.choice(("", "."))


def content_words(text: str) -> set[str]:
    return {w.strip(".,;:!?\"'()$").lower() for w in text.split()} - ENGLISH_STOP_WORDS - {""}


def related_sentence(title: str, source: str, sentences: list[str], index: dict, rng: random.Random) -> str:
    """A sentence sharing two or more of the headline's words but not its source's claim (a related text)."""
    counts: dict[int, int] = {}
    for word in content_words(title):
        for k in index.get(word, ()):
            counts[k] = counts.get(k, 0) + 1
    own = content_words(source)
    found = [k for k, c in counts.items() if c >= 2
             and len(own & content_words(sentences[k])) / len(own | content_words(sentences[k])) < 0.3]
    return sentences[rng.choice(sorted(found))] if found else rng.choice(sentences)


def generated_pairs(sentences: list[str], n: int, seed: int) -> PairSet:
    """Verbatim and lightly edited copies and headlines (1), related and random pairs (0), of training sentences."""
    rng = random.Random(seed)
    vocabulary = [w for s in sentences[:2000] for w in s.split()]
    index: dict[str, list[int]] = {}
    for k, sentence in enumerate(sentences):
        for word in content_words(sentence):
            index.setdefault(word, []).append(k)
    a, b, labels = [], [], []
    for _ in range(n):
        chunk = rng.sample(sentences, rng.randint(1, 3))
        text = " ".join(chunk)
        copy = [light_edit(s, vocabulary, rng) for s in chunk]
        if len(copy) > 1 and rng.random() < 0.3:
            del copy[rng.randrange(len(copy))]
        a.append(text)
        b.append(text if rng.random() < 0.2 else " ".join(copy))
        labels.append(1.0)
        a.append(text)
        b.append(" ".join(rng.sample(sentences, len(chunk))))
        labels.append(0.0)
        # The same restated inside a longer text (a title inside a paragraph).
        extra = rng.sample(sentences, rng.randint(1, 2))
        position = rng.randint(0, len(extra))
        a.append(text)
        b.append(" ".join(extra[:position] + copy + extra[position:]))
        labels.append(1.0)
        # A headline restated by a sentence (a title and its lede), and the
        # same headline against another sentence, half the time one that
        # shares some of its words.
        title = headline(chunk[0], rng)
        a.append(title)
        b.append(" ".join(copy[:1] + extra[:rng.randint(0, 1)]))
        labels.append(1.0)
        a.append(title)
        b.append(related_sentence(title, chunk[0], sentences, index, rng) if rng.random() < 0.5
                 else rng.choice(sentences))
        labels.append(0.0)
    return PairSet("generated", a, b, labels, ["generated"] * len(a))


def features_of(pairs: PairSet) -> np.ndarray:
    """Dense features with the IDF of the set's own texts, as dedup fits it on the collection it scans."""
    return PairFeaturizer().fit(pairs.a + pairs.b).transform(pairs.a, pairs.b)


def out_of_fold(dense, a, b, y, folds: int = 5, seed: int = 0, **params) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(y))
    scores = np.zeros(len(y))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        model = Reranker(**params).fit(dense[train], [a[i] for i in train], [b[i] for i in train], y[train])
        scores[test] = model.predict_proba(dense[test], [a[i] for i in test], [b[i] for i in test])
    return scores


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    grid = np.round(np.arange(0.20, 0.81, 0.01), 2)
    accuracy = [((scores >= t) == (y == 1)).mean() for t in grid]
    return float(grid[int(np.argmax(accuracy))])


def precise_threshold(scores: np.ndarray, y: np.ndarray, precision: float = 0.9) -> float:
    grid = np.round(np.arange(0.20, 0.96, 0.01), 2)
    for t in grid:
        chosen = scores >= t
        if chosen.any() and (y[chosen] == 1).mean() >= precision:
            return float(t)
    return float(grid[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the shared/eval folder")
    parser.add_argument("-o", "--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--generated", type=int, default=1500,
                        help="generated groups (3 restatements and 2 unrelated pairs each)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the logistic part")
    args = parser.parse_args()

    mrpc = load_mrpc(args.eval, "train")
    sts = binarize_sts(load_sts(args.eval, "train"))
    generated = generated_pairs(sorted(set(mrpc.a + mrpc.b + sts.a + sts.b)), args.generated, seed=0)
    parts = [mrpc, sts, generated]
    dense = np.vstack([features_of(p) for p in parts])
    a = [t for p in parts for t in p.a]
    b = [t for p in parts for t in p.b]
    y = np.array([label for p in parts for label in p.labels])

    n_mrpc = len(mrpc)
    oof = out_of_fold(dense, a, b, y, C=args.C)
    threshold = best_threshold(oof[:n_mrpc], y[:n_mrpc])
    oof_accuracy = ((oof[:n_mrpc] >= threshold) == (y[:n_mrpc] == 1)).mean()
    n_real = len(mrpc) + len(sts)  # generated pairs are easy: they would make any threshold look precise
    detector_threshold = precise_threshold(oof[:n_real], y[:n_real])
    model = Reranker(C=args.C, threshold=threshold, detector_threshold=detector_threshold).fit(dense, a, b, y)
    model.metadata = {
        "trained": datetime.date.today().isoformat(),
        "training_data": {p.name: len(p) for p in parts},
        "threshold_rule": "max accuracy of 5-fold out-of-fold predictions on mrpc-train",
        "detector_threshold_rule": "lowest with out-of-fold precision >= 0.9 on mrpc-train and sts-train",
        "mrpc_train_oof_accuracy": round(float(oof_accuracy), 4),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.output)
    print(f"trained on {model.metadata['training_data']}; threshold {threshold}, "
          f"detector threshold {detector_threshold} "
          f"(MRPC train out-of-fold accuracy {oof_accuracy:.4f}); wrote {args.output}")


if __name__ == "__main__":
    main()
