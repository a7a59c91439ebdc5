"""Text reuse between two documents on PAN 2013's text-alignment training corpus: one table, one run.

Methods: the two baselines of benchmarks/reuse_baselines.py ("shared 5-grams", "paragraph passages
today": the corpus scan's paragraph passages), and "dedup" (``dedup.reuse.align.align_texts``) when
that module exists. For each method and each label of the corpus (no-plagiarism, none = verbatim,
random, translation, summary) and overall: the share of pairs linked (at least one detection), and
PAN's measures (dedup/reuse/measures.py: character precision and recall macro-averaged over
detections and cases, granularity, plagdet) over the pairs of that label.

Every method's settings are chosen by stratified K-fold cross-validation: each fold is scored with the
setting of the method's grid that had the best overall plagdet on the other folds, and the figures are
those held-out predictions pooled over the folds. A method's detections are computed once per setting;
the cross-validation then only adds up per-pair counts.

Needs ``../shared/eval/pan13-train`` (``--pan DIR``); never copy it into the repository.

    python benchmarks/reuse.py [--pan DIR] [--limit N] [--folds 5] [--seed 1] [-j 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reuse_baselines import ParagraphScan, SharedNgrams  # noqa: E402

from dedup.reuse.measures import Annotation, Counts, Scores, pair_counts, total  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAN = ROOT.parent / "shared" / "eval" / "pan13-train"
LABELS = ("no-plagiarism", "none", "random", "translation", "summary")


@dataclass(frozen=True)
class Pair:
    """One record of the corpus: a suspicious and a source text, the label, and the gold cases."""

    key: str
    label: str
    susp: str
    src: str
    cases: tuple[Annotation, ...]


def load_pairs(pan: Path, limit: int | None = None, seed: int = 1) -> list[Pair]:
    """The corpus's pairs, or a seeded sample of ``limit`` pairs of each label (in file order)."""
    pairs = []
    with gzip.open(pan / "pairs.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            cases = tuple(Annotation.of(c["this_offset"], c["this_length"], c["source_offset"], c["source_length"])
                          for c in r["cases"])
            pairs.append(Pair(f'{r["susp"]}|{r["src"]}', r["label"], r["susp_text"], r["src_text"], cases))
    if limit is None:
        return pairs
    rng, kept = random.Random(seed), set()
    for label in LABELS:
        members = [i for i, p in enumerate(pairs) if p.label == label]
        kept.update(rng.sample(members, min(limit, len(members))))
    return [p for i, p in enumerate(pairs) if i in kept]


class DedupAlign:
    """``dedup.reuse.align`` over its ``SETTINGS_GRID`` (``[{}]`` without one): the two texts are compared
    once (``Alignment``) and searched under each setting."""

    name = "dedup"

    def __init__(self, module) -> None:
        self.module = module
        self.grid = list(getattr(module, "SETTINGS_GRID", None) or [{}])
        self.dropped = 0  # alignments with an empty or reversed span

    def detect_all(self, susp: str, src: str, grid: list[dict]) -> list[list[tuple[int, int, int, int]]]:
        from dataclasses import replace

        from dedup.reuse.units import units_of

        base = self.module.AlignSettings()
        alignment = self.module.Alignment(units_of(susp, base.min_words), units_of(src, base.min_words))
        results = []
        for setting in grid:
            found = []
            for m in alignment.passages(replace(base, **setting)):
                (s0, s1), (r0, r1) = (int(x) for x in m.a_span), (int(x) for x in m.b_span)
                if 0 <= s0 < s1 and 0 <= r0 < r1:
                    found.append((s0, s1, r0, r1))
                else:
                    self.dropped += 1
            results.append(found)
        return results


def available_methods() -> list:
    methods: list = [SharedNgrams(), ParagraphScan()]
    try:
        from dedup.reuse import align
    except ImportError:
        methods.append(None)  # said in the output
    else:
        methods.append(DedupAlign(align))
    return methods


# Set before the pool forks, read by the workers.
_PAIRS: list[Pair] = []
_METHOD = None


def _pair_counts(i: int) -> tuple[int, list[Counts], str | None, int]:
    """Pair ``i`` under every setting of ``_METHOD``: its ``Counts`` per setting, the error if the method
    failed on it (then no detections), and the problems the method counted on it."""
    pair, grid = _PAIRS[i], _METHOD.grid
    error, before = None, _problems(_METHOD)
    try:
        detections = _METHOD.detect_all(pair.susp, pair.src, grid)
    except Exception as exc:  # a method under construction: counted and said, not fatal
        detections, error = [[] for _ in grid], f"{type(exc).__name__}: {exc}"
    counts = [pair_counts(pair.cases, [Annotation((s0, s1), (r0, r1)) for s0, s1, r0, r1 in found])
              for found in detections]
    return i, counts, error, _problems(_METHOD) - before


def _problems(method) -> int:
    """Texts whose paragraphs could not be mapped back to offsets, and alignments dropped for a bad span."""
    return getattr(method, "mapping_failures", 0) + getattr(method, "dropped", 0)


def run_method(method, pairs: list[Pair], jobs: int) -> tuple[list[list[Counts]], list[str], int]:
    """Every pair's ``Counts`` under every setting of ``method`` (rows: pairs), the errors, and the
    method's problems (unmapped paragraphs, dropped spans)."""
    global _PAIRS, _METHOD
    _PAIRS, _METHOD = pairs, method
    counts: list[list[Counts]] = [[] for _ in pairs]
    errors: list[str] = []
    problems = 0
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = list(pool.imap_unordered(_pair_counts, range(len(pairs)), chunksize=4))
    else:
        results = [_pair_counts(i) for i in range(len(pairs))]
    for i, row, error, found in results:
        counts[i] = row
        problems += found
        if error is not None:
            errors.append(f"{pairs[i].key}: {error}")
    return counts, errors, problems


def stratified_folds(pairs: list[Pair], k: int, seed: int) -> list[int]:
    """Fold number of each pair: each label's pairs shuffled (seeded) and dealt round-robin."""
    folds = [0] * len(pairs)
    rng = random.Random(seed)
    for label in sorted({p.label for p in pairs}):
        members = [i for i, p in enumerate(pairs) if p.label == label]
        rng.shuffle(members)
        for rank, i in enumerate(members):
            folds[i] = rank % k
    return folds


def cross_validate(counts: list[list[Counts]], folds: list[int], k: int, reusing: list[bool] | None = None,
                   tie: float = 0.0, max_false_links: float = 1.0) -> tuple[list[Counts], list[int]]:
    """Held-out ``Counts`` of each pair (under the setting its fold was given) and each fold's setting:
    the one with the best overall plagdet on the other folds among those linking at most ``max_false_links``
    of the other folds' pairs without reuse (all settings when none does). Settings within ``tie`` of that
    plagdet are a tie, won by the one that links the most pairs with reuse (``reusing``) on the other folds,
    then by the first of the grid: plagdet scores characters, and a user first asks which documents reuse
    (and would rather not be told that two documents do when they do not)."""
    n_settings = len(counts[0]) if counts else 0
    reusing = reusing or [False] * len(counts)
    by_fold = [[total(row[s] for row, f in zip(counts, folds) if f == fold) for s in range(n_settings)]
               for fold in range(k)]
    linked = [[sum(row[s].detections > 0 for row, f, r in zip(counts, folds, reusing) if f == fold and r)
               for s in range(n_settings)] for fold in range(k)]
    false = [[sum(row[s].detections > 0 for row, f, r in zip(counts, folds, reusing) if f == fold and not r)
              for s in range(n_settings)] for fold in range(k)]
    without = [sum(f == fold and not r for f, r in zip(folds, reusing)) for fold in range(k)]
    chosen = []
    for fold in range(k):
        scores = [Scores.of(total(by_fold[g][s] for g in range(k) if g != fold)).plagdet for s in range(n_settings)]
        links = [sum(linked[g][s] for g in range(k) if g != fold) for s in range(n_settings)]
        pairs_without = sum(without[g] for g in range(k) if g != fold)
        allowed = [s for s in range(n_settings)
                   if sum(false[g][s] for g in range(k) if g != fold) <= max_false_links * pairs_without]
        allowed = allowed or list(range(n_settings))
        best = max(scores[s] for s in allowed)
        chosen.append(max((s for s in allowed if scores[s] >= best - tie), key=lambda s: (links[s], -s)))
    return [row[chosen[f]] for row, f in zip(counts, folds)], chosen


def table_rows(name: str, pairs: list[Pair], held_out: list[Counts]) -> list[str]:
    rows = []
    for label in (*LABELS, "overall"):
        members = [c for p, c in zip(pairs, held_out) if label in ("overall", p.label)]
        if not members:
            continue
        s = Scores.of(total(members))
        linked = sum(c.detections > 0 for c in members) / len(members)
        if s.cases:
            measures = f"{s.precision:9.3f} {s.recall:7.3f} {s.granularity:7.3f} {s.plagdet:8.3f}"
        else:  # no cases: recall, granularity and plagdet say nothing (precision per PAN's convention)
            measures = f"{s.precision:9.3f} {'-':>7} {'-':>7} {'-':>8}"
        rows.append(f"{name:<26}{label:<15}{len(members):>6} {linked:7.3f} {s.detections:>6} {measures}")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pan", type=Path, default=DEFAULT_PAN, help="folder holding pairs.jsonl.gz")
    parser.add_argument("--limit", type=int, default=None, help="pairs per label (a seeded sample)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-j", "--jobs", type=int, default=1, help="processes (2 on this machine at most)")
    parser.add_argument("--tie", type=float, default=0.001,
                        help="plagdet difference under which settings tie; a tie goes to the one linking more "
                             "reusing pairs (0: only equal plagdets tie)")
    parser.add_argument("--max-false-links", type=float, default=1.0,
                        help="the share of the pairs without reuse a setting may link on the training folds to "
                             "be chosen (issue 19's target; 1: no bound)")
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")

    pairs = load_pairs(args.pan, args.limit, args.seed)
    folds = stratified_folds(pairs, args.folds, args.seed)
    print(f"PAN 2013 text alignment (train): {len(pairs)} pairs from {args.pan}"
          + (f", {args.limit} per label at most (seed {args.seed})" if args.limit else ""))
    print(f"Settings by {args.folds}-fold cross-validation stratified by label (seed {args.seed}): each fold is "
          f"scored with the setting that had the best overall plagdet on the other folds\n(within {args.tie}: "
          f"the one linking more reusing pairs), of those linking at most {args.max_false_links:.0%} of their "
          f"pairs without reuse; the figures are "
          f"the held-out predictions pooled over the {args.folds} folds.\n")
    header = (f"{'method':<26}{'label':<15}{'pairs':>6} {'linked':>7} {'dets':>6} {'precision':>9} "
              f"{'recall':>7} {'gran':>7} {'plagdet':>8}")
    rows, notes = [], []
    for method in available_methods():
        if method is None:
            notes.append("dedup: not available (no dedup.reuse.align yet)")
            continue
        started = time.perf_counter()
        counts, errors, problems = run_method(method, pairs, args.jobs)
        held_out, chosen = cross_validate(counts, folds, args.folds, [p.label != "no-plagiarism" for p in pairs],
                                          args.tie, args.max_false_links)
        elapsed = time.perf_counter() - started
        rows.extend(table_rows(method.name, pairs, held_out))
        notes.append(f"{method.name}: {elapsed:.1f} s for {len(pairs)} pairs x {len(method.grid)} settings "
                     f"(-j {args.jobs}); chosen per fold: {chosen}")
        for s, setting in enumerate(method.grid):
            whole = Scores.of(total(row[s] for row in counts))
            folds_chose = [f for f, c in enumerate(chosen) if c == s]
            notes.append(f"    [{s}] {setting}: plagdet on all pairs {whole.plagdet:.3f} (in-sample)"
                         + (f"  <- folds {folds_chose}" if folds_chose else ""))
        if errors:
            notes.append(f"    errors on {len(errors)} pairs (no detections there); first: {errors[0]}")
        if problems:
            notes.append(f"    {problems} texts unmapped or spans dropped")
    print(header)
    print("-" * len(header))
    previous = None
    for row in rows:
        if previous is not None and row[:26] != previous[:26]:
            print()
        print(row)
        previous = row
    print("\nlinked: share of pairs with at least one detection; dets: detections. no-plagiarism has no cases: "
          "its precision is PAN's convention\n(1 without detections, else 0); its detections count, as false "
          "ones, in the overall precision.\n")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
