"""Speed of the in-document restatement search (``find_redundancy``), against a bare datasketch pass.

One run measures, on this machine:

1. ``find_redundancy(text)`` with the default learned confirm and with ``confirm="tfidf"``, on the
   bundled article and on ``--docs`` generated 300-word documents (``corpusgen``: random Zipf words,
   so no document restates anything), against datasketch written as its documentation shows over the
   same texts' paragraphs: regex ``\\w+`` word 3-grams, ``MinHash(num_perm=128).update_batch``,
   ``MinHashLSH(threshold=0.5, num_perm=128)`` query-then-insert, one LSH per document. That
   constructor searches its (bands, rows) with scipy's numerical integration, most of datasketch's
   time on a short document, so a second row ("LSH params given") passes the parameters it found
   instead: the stricter baseline.
   Runs are interleaved (each repeat times every method in turn, so a slow spell of the shared machine
   falls on all of them); figures are medians over repeats, for documents the median document of
   each method's per-document medians, and ratios are of those medians.
2. Where ``Detector.detect``'s time goes, by stage: the exclusive time of the functions that make up
   each stage, the outermost one counting when they nest (so the tokenizer called while fitting
   TF-IDF counts as TF-IDF), measured in separate instrumented runs (the wrappers cost a little);
   "other" is the rest (the loops that tie the stages together).
3. The share of generated documents reported with any restatement group, for each confirm stage:
   every one is a false report; and of real news articles with no restatement: the labelled articles
   of ``data/dev`` (``--dev``) each without the paragraphs that restate an earlier one (the headline stays:
   over its lede it is news's shape, reported as kind "headline", not a restatement).

    python benchmarks/restatement_speed.py [--docs 200 --repeat 5 --seed 0]
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterator

import datasketch
import numpy as np
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpusgen import generate  # noqa: E402

import dedup.article.detector as detector_module  # noqa: E402
from dedup import Detector, find_redundancy  # noqa: E402
from dedup.text.segment import segment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "vance_article.txt"
NUM_PERM = 128
LSH_THRESHOLD = 0.5  # datasketch's documented example
WORD = re.compile(r"\w+")
PARAGRAPHS = re.compile(r"\n\s*\n")
MODES = ("learned", "tfidf")

# ---------------------------------------------------------------- the datasketch baseline


def word_3grams(text: str) -> list[str]:
    tokens = WORD.findall(text.lower())
    return [" ".join(tokens[i:i + 3]) for i in range(len(tokens) - 2)]


def datasketch_pass(text: str, params: tuple[int, int] | None = None) -> set[tuple[int, int]]:
    """Candidate paragraph pairs of one document, as datasketch's documentation builds them."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, params=params)
    pairs = set()
    for i, paragraph in enumerate(p for p in PARAGRAPHS.split(text) if p.strip()):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in word_3grams(paragraph)])
        pairs.update((other, i) for other in lsh.query(m))
        lsh.insert(i, m)
    return pairs


_PARAMS = (lambda lsh: (lsh.b, lsh.r))(MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM))

# ---------------------------------------------------------------- methods timed


def methods() -> dict[str, Callable[[str], object]]:
    return {
        "datasketch (as documented)": datasketch_pass,
        "datasketch (LSH params given)": functools.partial(datasketch_pass, params=_PARAMS),
        "find_redundancy learned": find_redundancy,
        "find_redundancy tfidf": functools.partial(find_redundancy, confirm="tfidf"),
    }


def timed(call: Callable[[str], object], text: str) -> tuple[float, object]:
    started = time.perf_counter()
    result = call(text)
    return time.perf_counter() - started, result


def interleaved(texts: list[str], repeat: int) -> tuple[dict[str, np.ndarray], dict[str, list]]:
    """Seconds (methods -> (repeat, texts) array) and the last run's results, methods taken in turn."""
    runs = methods()
    seconds = {name: np.zeros((repeat, len(texts))) for name in runs}
    results: dict[str, list] = {}
    for name, call in runs.items():  # warm: the reranker file, caches, imports
        call(texts[0])
    for r in range(repeat):
        for name, call in runs.items():
            out = []
            for k, text in enumerate(texts):
                seconds[name][r, k], result = timed(call, text)
                out.append(result)
            results[name] = out
    return seconds, results


# ---------------------------------------------------------------- stages


STAGES = ("segment", "tokenize/shingle", "sign", "LSH", "amounts", "TF-IDF/features", "model", "spans", "groups",
          "other")


def _targets() -> Iterator[tuple[str, object, str]]:
    """(stage, owner, attribute) of each function timed; those this version lacks are skipped."""
    from dedup.article import candidates, evidence, rerank_step
    from dedup.confirm import agreement, features, reranker, rules, spans
    from dedup.sketch import minhash, shingle

    d = detector_module
    yield from (("segment", d, "segment"),
                ("tokenize/shingle", shingle.Shingler, "tokenize"), ("tokenize/shingle", shingle.Shingler,
                                                                      "shingle_tokens"),
                ("tokenize/shingle", d, "union"), ("tokenize/shingle", d, "sentence_tokens"),
                ("sign", minhash.MinHasher, "sign"), ("sign", d, "merge"),
                ("LSH", d.Detector, "capped_candidates"),
                ("TF-IDF/features", rules.TfidfConfirmer, "fit_transform"),
                ("TF-IDF/features", rules.TfidfConfirmer, "transform"),
                ("TF-IDF/features", rules.TfidfConfirmer, "decide"),
                ("TF-IDF/features", d.Detector, "_sentence_cosines"),
                ("TF-IDF/features", evidence.Cosines, "__init__"), ("TF-IDF/features", evidence.Cosines, "block"),
                ("TF-IDF/features", features.PairFeaturizer, "fit"),
                ("TF-IDF/features", features.PairFeaturizer, "transform"),
                ("TF-IDF/features", d, "tfidf_scores"), ("TF-IDF/features", d, "pair_features"),
                ("model", reranker.Reranker, "predict_proba"),
                ("spans", d, "shared_spans"), ("spans", spans.Words, "of"), ("spans", d, "bounded"),
                ("spans", d, "candidate_spans"), ("spans", rerank_step, "bounded"),
                ("amounts", agreement, "quantities"), ("amounts", agreement, "content_word_names"),
                ("amounts", candidates, "amount_pairs"), ("amounts", d, "confirmed_by_amounts"),
                ("groups", d, "group_matches"), ("groups", d.Detector, "_match"))


class StageClock:
    """Exclusive seconds per stage of the wrapped functions; the outermost wrapped call counts."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.active = False
        self._saved: list[tuple[object, str, object]] = []

    def wrap(self, stage: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            if self.active:
                return function(*args, **kwargs)
            self.active = True
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started
                self.active = False
        return timed_call

    def __enter__(self) -> "StageClock":
        for stage, owner, name in _targets():
            raw = vars(owner).get(name) if isinstance(owner, type) else getattr(owner, name, None)
            if raw is None:
                continue
            self._saved.append((owner, name, raw))
            if isinstance(raw, (classmethod, staticmethod)):
                setattr(owner, name, type(raw)(self.wrap(stage, raw.__func__)))
            else:
                setattr(owner, name, self.wrap(stage, raw))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, raw in reversed(self._saved):
            setattr(owner, name, raw)


def stage_breakdown(texts: list[str], mode: str, rounds: int) -> tuple[dict[str, float], float]:
    """Milliseconds per detect by stage, and in all, over ``rounds`` passes over ``texts``."""
    with StageClock() as clock:
        found = Detector(confirm=mode)  # after patching: the confirmer keeps a bound tokenizer
        found.detect(texts[0])
        clock.seconds.clear()
        started = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                found.detect(text)
        total = time.perf_counter() - started
    per = 1000.0 / (rounds * len(texts))
    stages = {stage: clock.seconds.get(stage, 0.0) * per for stage in STAGES[:-1]}
    stages["other"] = total * per - sum(stages.values())
    return stages, total * per


# ---------------------------------------------------------------- report


def timing_rows(title: str, seconds: dict[str, np.ndarray]) -> Iterator[str]:
    """Median ms per document of each method (per-document medians over repeats), and ratios to datasketch."""
    per_doc = {name: np.median(s, axis=0) * 1000 for name, s in seconds.items()}
    base = {name: float(np.median(v)) for name, v in per_doc.items()}
    yield f"{title}"
    yield f"  {'method':32} {'median ms':>10} {'total ms':>10} {'vs ds documented':>17} {'vs ds params':>13}"
    for name, values in per_doc.items():
        yield (f"  {name:32} {base[name]:10.2f} {values.sum():10.1f} "
               f"{base[name] / base['datasketch (as documented)']:16.2f}x "
               f"{base[name] / base['datasketch (LSH params given)']:12.2f}x")


def stage_rows(title: str, texts: list[str], rounds: int) -> Iterator[str]:
    yield f"{title}: ms per detect by stage (instrumented runs)"
    yield "  " + f"{'stage':18}" + "".join(f"{mode:>18}" for mode in MODES)
    found = {mode: stage_breakdown(texts, mode, rounds) for mode in MODES}
    for stage in STAGES:
        yield "  " + f"{stage:18}" + "".join(
            f"{found[m][0][stage]:10.2f} ({found[m][0][stage] / found[m][1]:4.0%})" for m in MODES)
    yield "  " + f"{'total':18}" + "".join(f"{found[m][1]:10.2f}       " for m in MODES)


def non_redundant(article) -> tuple[str, set[tuple[int, int]]]:
    """A labelled article without its restatements: every paragraph that states a claim an earlier paragraph
    stated is left out (the headline stays), so no two paragraphs left say the same thing but the headline and
    its lede; and the pairs left that the labels call ambiguous, numbered as in the new text."""
    paragraphs = segment(article.text)
    kinds = dict(article.gold.kinds)
    later = {b for a, b in article.gold.positives if kinds.get((a, b)) != "headline"}
    kept = [p.index for p in paragraphs if p.index not in later]
    new = {old: i for i, old in enumerate(kept)}
    ambiguous = {(new[a], new[b]) for a, b in article.gold.ambiguous if a in new and b in new}
    return "\n\n".join(paragraphs[i].text for i in kept) + "\n", ambiguous


def false_on_real_articles(folder: Path) -> str:
    """The labelled news articles of ``folder`` made non-redundant (``non_redundant``): how many each confirm
    stage still reports with a restatement (a match of kind "restatement" between two paragraphs the labels do
    not call ambiguous; the headline over its lede is the shape of news, not a false report)."""
    from dev_set import load

    articles = [(a.name, *non_redundant(a)) for a in load(folder)]
    lines = [f"real non-redundant articles: the {len(articles)} labelled articles of {folder.name}/, each without "
             "the paragraphs that restate an earlier one"]
    for mode in MODES:
        detector = Detector(confirm=mode)
        flagged = [name for name, text, ambiguous in articles
                   if any(m.kind != "headline" and (m.a, m.b) not in ambiguous
                          for m in detector.detect(text, doc_id=name).matches)]
        share = len(flagged) / max(len(articles), 1)
        lines.append(f"  confirm={mode}: {len(flagged)} of {len(articles)} reported with a restatement ({share:.1%}; "
                     f"target <= 1%){': ' + ', '.join(flagged) if flagged else ''}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="generated 300-word documents")
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dev", type=Path, default=ROOT / "data" / "dev",
                        help="labelled articles; those whose labels hold no restatement are the real non-redundant set")
    args = parser.parse_args()

    article = ARTICLE.read_text(encoding="utf-8")
    docs = [d["text"] for d in generate(args.docs, args.words, dup_rate=0.0, seed=args.seed)[0]]
    print(f"python {platform.python_version()}, numpy {np.__version__}, datasketch {datasketch.__version__}, "
          f"{os.cpu_count()} cores, {platform.machine()}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"article: {ARTICLE.relative_to(ROOT)}; documents: {len(docs)} of ~{args.words} words "
          f"(corpusgen seed {args.seed}); {args.repeat} interleaved repeats; datasketch LSH params {_PARAMS}")
    print()
    seconds, _ = interleaved([article] * 1, args.repeat * 4)
    print("\n".join(timing_rows("bundled article (one document)", seconds)))
    print()
    seconds, results = interleaved(docs, args.repeat)
    print("\n".join(timing_rows(f"{len(docs)} generated documents", seconds)))
    print()
    for mode in MODES:
        flagged = [k for k, report in enumerate(results[f"find_redundancy {mode}"]) if report.groups]
        pairs = sum(len(report.matches) for report in results[f"find_redundancy {mode}"])
        print(f"false restatements, confirm={mode}: {len(flagged)} of {len(docs)} random-word documents "
              f"({len(flagged) / len(docs):.1%}) with a group, {pairs} matched pairs (target <= 1%)")
    print(false_on_real_articles(args.dev))
    print()
    print("\n".join(stage_rows("bundled article", [article], 10)))
    print()
    print("\n".join(stage_rows(f"{len(docs)} generated documents", docs, 1)))


if __name__ == "__main__":
    main()
