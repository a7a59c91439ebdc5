"""Measure the single-article pipeline against gold labels, and choose its defaults.

Prints, from one run on the same article:
1. shingle settings (k, stop words, stemming): LSH candidates, their recall of
   gold pairs, and precision / recall after confirmation;
2. confirm settings (sentence threshold, shared-run length);
3. two named baselines: plain paragraph TF-IDF cosine over all pairs, and
   datasketch MinHashLSH on word 5-grams (the usual hand-rolled script);
4. the default detector's scores and its median wall time.

    python benchmarks/article_quality.py [--article PATH --gold PATH]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import statistics
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from sklearn.feature_extraction.text import TfidfVectorizer

from dedup import Detector
from dedup.article.evaluate import Gold, score
from dedup.text.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def pair_scores(reported: set[tuple[int, int]], gold: Gold) -> tuple[float, float]:
    reported = reported - gold.ambiguous
    hits = len(reported & gold.positives)
    return (hits / len(reported) if reported else 1.0), hits / len(gold.positives)


def shingle_sweep(text: str, gold: Gold) -> None:
    print("\n1. shingle settings (TF-IDF confirm, other parameters at their defaults)")
    print(f"{'k':>2} {'stop':>5} {'stem':>5} {'cands':>6} {'cand_rec':>8} {'prec':>6} {'r_dir':>6} {'r_link':>6}")
    for k, stop, stem in itertools.product((1, 2, 3, 5), (True, False), (True, False)):
        detector = Detector(k=k, stop_words=stop, stem=stem, confirm="tfidf")
        article = detector._sign(segment(text))
        candidates = {(c.a, c.b) for c in detector.candidates(article)}
        cand_recall = len(candidates & gold.positives) / len(gold.positives)
        s = score(detector.detect(text), gold)
        print(f"{k:>2} {stop!s:>5} {stem!s:>5} {len(candidates):>6} {cand_recall:>8.3f} "
              f"{s.precision:>6.3f} {s.recall_direct:>6.3f} {s.recall_linked:>6.3f}")


def confirm_sweep(text: str, gold: Gold) -> None:
    print("\n2. TF-IDF confirm settings (--confirm tfidf)")
    print(f"{'sent_thr':>8} {'shared':>6} {'prec':>6} {'r_dir':>6} {'r_group':>7} {'r_link':>6}")
    for threshold, shared in itertools.product((0.2, 0.25, 0.3, 0.35, 0.4, 0.5), (0, 4, 5, 6)):
        s = score(Detector(sentence_cosine_threshold=threshold, min_shared_words=shared, confirm="tfidf").detect(text),
                  gold)
        print(f"{threshold:>8} {shared:>6} {s.precision:>6.3f} {s.recall_direct:>6.3f} "
              f"{s.recall_grouped:>7.3f} {s.recall_linked:>6.3f}")


def baselines(text: str, gold: Gold) -> None:
    paragraphs = [p.text for p in segment(text)]
    print("\n3a. baseline: plain paragraph TF-IDF (scikit-learn defaults, English stop words), all pairs")
    vectors = TfidfVectorizer(stop_words="english").fit_transform(paragraphs)
    cosine = (vectors @ vectors.T).toarray()
    for t in (0.1, 0.15, 0.2, 0.3, 0.4, 0.5):
        reported = {(a, b) for a, b in itertools.combinations(range(len(paragraphs)), 2) if cosine[a, b] >= t}
        p, r = pair_scores(reported, gold)
        print(f"   cosine >= {t:<4}  pairs {len(reported - gold.ambiguous):>3}  precision {p:.3f}  recall {r:.3f}")
    print("3b. baseline: datasketch MinHashLSH on word 5-grams, 128 permutations")
    for t in (0.1, 0.3, 0.5):
        lsh, sketches = MinHashLSH(threshold=t, num_perm=128), []
        for i, para in enumerate(paragraphs):
            words = re.findall(r"\w+", para.lower())
            m = MinHash(num_perm=128)
            m.update_batch([" ".join(words[j:j + 5]).encode() for j in range(max(len(words) - 4, 1))])
            lsh.insert(i, m)
            sketches.append(m)
        reported = {(min(i, j), max(i, j)) for i, m in enumerate(sketches) for j in lsh.query(m) if i != j}
        p, r = pair_scores(reported, gold)
        print(f"   threshold {t:<4}  pairs {len(reported - gold.ambiguous):>3}  precision {p:.3f}  recall {r:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", default=ROOT / "data" / "vance_article.txt", type=Path)
    parser.add_argument("--gold", default=ROOT / "data" / "vance_article.gold.json", type=Path)
    args = parser.parse_args()
    text, gold = args.article.read_text(encoding="utf-8"), Gold.load(args.gold)
    print(f"article {args.article.name}: {len(gold.positives)} gold pairs; machine: {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    shingle_sweep(text, gold)
    confirm_sweep(text, gold)
    baselines(text, gold)
    for confirm in ("learned", "tfidf"):
        detector = Detector(confirm=confirm)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            report = detector.detect(text)
            times.append(time.perf_counter() - start)
        print(f"\n4. detector, --confirm {confirm}:", score(report, gold).line())
        print(f"   detect() median {statistics.median(times) * 1000:.1f} ms over 20 runs")


if __name__ == "__main__":
    main()
