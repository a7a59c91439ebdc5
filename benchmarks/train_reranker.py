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

MRPC pairs count twice in the fit (``--mrpc-weight``): they are the
hand-labelled news pairs, and the generated ones outnumber them. The
scale of the hashed word substitutions (``--substitution-weight``, 2) was
chosen out of fold on MRPC train among 0, 0.5, 1, 2, 3 and 4.

The mixing weight of the two models and two thresholds come from 5-fold
out-of-fold predictions on training data: ``linear_weight`` and
``threshold`` (pairs classified one by one) maximize the mean of accuracy
and F1 on MRPC train, the two figures MRPC is judged by;
``detector_threshold`` (the article detector, which must be precise) is the
lowest with precision >= 0.9 over the MRPC and STS training pairs. Needs
``../shared/eval`` (``--eval DIR``).

    python benchmarks/train_reranker.py [--eval DIR] [-o dedup/models/reranker.npz]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalsets import DEFAULT_EVAL, PairSet, load_mrpc, load_sts  # noqa: E402

from dedup.confirm.features import PairFeaturizer  # noqa: E402
from dedup.confirm.reranker import MODEL_PATH, Reranker  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
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


def long_negatives(sentences: list[str], n: int, seed: int = 1) -> PairSet:
    """``n`` groups of two unrelated pairs of unequal length (0): one to three training sentences, and a headline
    made of the first, each against a longer text of three to six other sentences, one or two of them sharing two
    or more of its content words (``related_sentence``). The generated positives hold every pair of a short text
    and a much longer one (a text restated inside a longer one, a headline and its lede): without these the
    model reads the length gap itself as a sign of a restatement."""
    rng = random.Random(seed)
    index: dict[str, list[int]] = {}
    for k, sentence in enumerate(sentences):
        for word in content_words(sentence):
            index.setdefault(word, []).append(k)
    a, b = [], []
    for _ in range(n):
        chunk = rng.sample(sentences, rng.randint(1, 3))
        text, title = " ".join(chunk), headline(chunk[0], rng)
        for short in (text, title):
            related = [related_sentence(short, chunk[0], sentences, index, rng) for _ in range(rng.randint(1, 2))]
            # Not a sentence of the chunk, nor one close to any (MRPC's paraphrases are among the sentences).
            longer = [s for s in related + rng.sample(sentences, rng.randint(2, 4))
                      if all(_jaccard(content_words(s), content_words(c)) < 0.3 for c in chunk)]
            rng.shuffle(longer)
            a.append(short)
            b.append(" ".join(longer))
    return PairSet("long-negatives", a, b, [0.0] * len(a), ["generated"] * len(a))


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / max(len(x | y), 1)


def features_of(pairs: PairSet) -> np.ndarray:
    """Dense features with the IDF of the set's own texts, as dedup fits it on the collection it scans."""
    return PairFeaturizer().fit(pairs.a + pairs.b).transform(pairs.a, pairs.b)


def out_of_fold(dense, a, b, y, sample_weight=None, folds: int = 5, seed: int = 0,
                **params) -> tuple[np.ndarray, np.ndarray]:
    """(logistic, trees) out-of-fold probabilities of every pair."""
    order = np.random.default_rng(seed).permutation(len(y))
    weight = np.ones(len(y)) if sample_weight is None else sample_weight
    linear, trees = np.zeros(len(y)), np.zeros(len(y))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        model = Reranker(**params).fit(dense[train], [a[i] for i in train], [b[i] for i in train], y[train],
                                       weight[train])
        linear[test], trees[test] = model.component_probabilities(dense[test], [a[i] for i in test],
                                                                  [b[i] for i in test])
    return linear, trees


def accuracy_and_f1(scores: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    predicted, truth = scores >= threshold, y == 1
    return float((predicted == truth).mean()), float(2 * (predicted & truth).sum() / (predicted.sum() + truth.sum()))


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the best mean of accuracy and F1."""
    grid = np.round(np.arange(0.20, 0.81, 0.01), 2)
    return float(grid[int(np.argmax([sum(accuracy_and_f1(scores, y, t)) for t in grid]))])


def best_mix(linear: np.ndarray, trees: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(linear_weight, threshold) with the best mean of accuracy and F1."""
    def quality(w: float) -> float:
        mixed = w * linear + (1 - w) * trees
        return sum(accuracy_and_f1(mixed, y, best_threshold(mixed, y)))
    weight = max(np.round(np.arange(0, 1.01, 0.1), 1), key=quality)
    return float(weight), best_threshold(weight * linear + (1 - weight) * trees, y)


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
    parser.add_argument("--C", type=float, default=2.0, help="inverse L2 strength of the logistic part")
    parser.add_argument("--mrpc-weight", type=float, default=2.0, help="weight of an MRPC pair in the fit")
    parser.add_argument("--substitution-weight", type=float, default=2.0,
                        help="scale of the hashed word substitutions in the logistic part (0: none)")
    parser.add_argument("--pan-passages", type=int, default=0,
                        help="also N reused passage pairs of the PAN 2013 training corpus (random obfuscation and "
                             "translation, clipped to 120 words) and N windows of its no-reuse pairs (an experiment: "
                             "docs/reranker.md)")
    parser.add_argument("--dev-half", action="store_true",
                        help="also the paragraph pairs of data/dev's dev half (its claims' pairs, its related pairs "
                             "and 20 other pairs an article as not); never its held-out half")
    parser.add_argument("--web-pairs", action="store_true",
                        help="also the labelled paragraph pairs of the dev half of the web pages "
                             "(data/web_pairs.labels.jsonl, PAN 2013 source pages read from --eval); never the "
                             "held-out half")
    parser.add_argument("--long-negatives", type=int, default=0,
                        help="also N groups of unrelated pairs of unequal length (long_negatives)")
    args = parser.parse_args()

    parts = training_sets(args.eval, args.generated)
    if args.long_negatives:
        parts.append(long_negatives(sorted(set(parts[0].a + parts[0].b + parts[1].a + parts[1].b)),
                                    args.long_negatives))
    if args.pan_passages:
        parts.append(pan_passages(args.eval / "pan13-train", args.pan_passages))
    if args.dev_half:
        parts.append(dev_half_pairs(ROOT / "data" / "dev"))
    if args.web_pairs:
        parts.append(web_dev_pairs(args.eval))
    dense = np.vstack([features_of(p) for p in parts])
    a = [t for p in parts for t in p.a]
    b = [t for p in parts for t in p.b]
    y = np.array([label for p in parts for label in p.labels])
    model, oof_accuracy, oof_f1 = fit_reranker(dense, a, b, y, len(parts[0]), len(parts[0]) + len(parts[1]),
                                               C=args.C, mrpc_weight=args.mrpc_weight,
                                               substitution_weight=args.substitution_weight)
    model.metadata = {
        "trained": datetime.date.today().isoformat(),
        "training_data": {p.name: len(p) for p in parts},
        "mrpc_weight": args.mrpc_weight,
        "threshold_rule": "linear_weight and threshold: best mean of accuracy and F1 of 5-fold out-of-fold "
                          "predictions on mrpc-train",
        "detector_threshold_rule": "lowest with out-of-fold precision >= 0.9 on mrpc-train and sts-train",
        "mrpc_train_oof_accuracy": round(oof_accuracy, 4),
        "mrpc_train_oof_f1": round(oof_f1, 4),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.output)
    print(f"trained on {model.metadata['training_data']}; linear weight {model.linear_weight}, "
          f"threshold {model.probability_threshold}, detector threshold {model.detector_probability_threshold} "
          f"(MRPC train out-of-fold accuracy {oof_accuracy:.4f}, "
          f"F1 {oof_f1:.4f}); wrote {args.output}")


def fit_reranker(dense, a, b, y, n_mrpc: int, n_real: int, C: float, mrpc_weight: float,
                 substitution_weight: float) -> tuple[Reranker, float, float]:
    """The reranker fitted on all pairs (the first ``n_mrpc`` from MRPC, the first ``n_real`` hand-labelled), its
    mixing weight and thresholds chosen out of fold; and its MRPC out-of-fold accuracy and F1."""
    weight = np.where(np.arange(len(y)) < n_mrpc, mrpc_weight, 1.0)
    linear, trees = out_of_fold(dense, a, b, y, weight, C=C, substitution_weight=substitution_weight)
    linear_weight, threshold = best_mix(linear[:n_mrpc], trees[:n_mrpc], y[:n_mrpc])
    oof = linear_weight * linear + (1 - linear_weight) * trees
    oof_accuracy, oof_f1 = accuracy_and_f1(oof[:n_mrpc], y[:n_mrpc], threshold)
    # Generated pairs are easy: they would make any threshold look precise.
    detector_threshold = precise_threshold(oof[:n_real], y[:n_real])
    model = Reranker(C=C, linear_weight=linear_weight, substitution_weight=substitution_weight,
                     probability_threshold=threshold, detector_probability_threshold=detector_threshold)
    model.fit(dense, a, b, y, weight)
    return model, oof_accuracy, oof_f1


def training_sets(eval_dir: Path, generated: int) -> list[PairSet]:
    """MRPC train, binarized STS-B news train, and pairs generated from their sentences, in that order."""
    mrpc = load_mrpc(eval_dir, "train")
    sts = binarize_sts(load_sts(eval_dir, "train"))
    return [mrpc, sts, generated_pairs(sorted(set(mrpc.a + mrpc.b + sts.a + sts.b)), generated, seed=0)]


def pan_passages(pan: Path, n: int, seed: int = 0, words: int = 120) -> PairSet:
    """``n`` reused passages of PAN 2013 training pairs (random obfuscation, round-trip translation) against
    their sources (1), and ``n`` windows of 40-120 words of its no-reuse pairs (0), topically related texts."""
    rng = random.Random(seed)
    with gzip.open(pan / "pairs.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    a, b, labels = [], [], []
    cases = [(r, c) for r in rows if r["label"] in ("random", "translation") for c in r["cases"]]
    for r, c in rng.sample(cases, min(n, len(cases))):
        a.append(" ".join(r["susp_text"][c["this_offset"]:c["this_offset"] + c["this_length"]].split()[:words]))
        b.append(" ".join(r["src_text"][c["source_offset"]:c["source_offset"] + c["source_length"]].split()[:words]))
        labels.append(1.0)
    unrelated = [r for r in rows if r["label"] == "no-plagiarism"]
    for r in rng.sample(unrelated, min(n, len(unrelated))):
        first, second, size = r["susp_text"].split(), r["src_text"].split(), rng.randint(40, words)
        i, j = rng.randrange(max(len(first) - size, 1)), rng.randrange(max(len(second) - size, 1))
        a.append(" ".join(first[i:i + size]))
        b.append(" ".join(second[j:j + size]))
        labels.append(0.0)
    return PairSet("pan-passages", a, b, labels, ["pan"] * len(a))


def dev_half_pairs(folder: Path, others: int = 20, seed: int = 0) -> PairSet:
    """Paragraph pairs of the dev half of ``data/dev``: each claim's pairs (1); its related pairs and ``others``
    other pairs an article (0); ambiguous pairs left out."""
    from dedup.article.evaluate import Gold
    from dedup.text.segment import segment

    rng = random.Random(seed)
    a, b, labels = [], [], []
    for gold_path in sorted(folder.glob("*.gold.json")):
        gold = Gold.load(gold_path)
        if gold.split != "dev":
            continue
        paragraphs = [p.text for p in segment(gold_path.with_name(gold_path.name[:-len(".gold.json")] + ".txt")
                                              .read_text(encoding="utf-8"))]
        positives, negatives = gold.positives - gold.ambiguous, gold.related - gold.ambiguous
        rest = [(i, j) for i in range(len(paragraphs)) for j in range(i + 1, len(paragraphs))
                if (i, j) not in positives | negatives | gold.ambiguous]
        negatives = negatives | set(rng.sample(rest, min(others, len(rest))))
        for (i, j), label in [(pair, 1.0) for pair in sorted(positives)] + [(pair, 0.0) for pair in sorted(negatives)]:
            a.append(paragraphs[i])
            b.append(paragraphs[j])
            labels.append(label)
    return PairSet("dev-half", a, b, labels, ["dev"] * len(a))


def web_dev_pairs(eval_dir: Path) -> PairSet:
    """The labelled paragraph pairs of the web pages' dev half (``benchmarks/web_pages.py``): ``same`` 1,
    ``different`` 0, ``unsure`` left out."""
    from web_pages import LABELS, half, load_labels, source_pages

    from dedup.text.segment import segment

    labels = {k: v for k, v in load_labels(LABELS).items() if half(k[0]) == "dev" and v != "unsure"}
    pages = source_pages(eval_dir, 10**9)
    paragraphs_of = {name: [p.text for p in segment(pages[name])] for name in {name for name, _, _ in labels}}
    a, b, y = [], [], []
    for (name, i, j), label in sorted(labels.items()):
        paragraphs = paragraphs_of[name]
        a.append(paragraphs[i])
        b.append(paragraphs[j])
        y.append(float(label == "same"))
    return PairSet("web-dev-half", a, b, y, ["web"] * len(a))


if __name__ == "__main__":
    main()
