"""Reuse found by a corpus scan on the whole PAN 2013 training corpus scanned as one corpus, per reuse kind.

``benchmarks/reuse.py`` aligns each labelled pair on its own: it measures the alignment. A scan must first
find the pair among all pairs of the corpus, and PAN's documents come in topics (several suspicious
documents per source, the no-reuse pairs topically related by design), which is what a corpus of news
looks like too. This script writes the corpus's distinct documents to a JSON Lines file (in a temporary
folder; nothing of it is kept), scans it with ``CorpusScanner(detector=None)`` under each named setting of
``ReuseSearch``, in turn, and prints for each: the candidate pairs aligned, the seconds, and per kind the
pairs whose two documents the reuse records link, with PAN's measures (``dedup.reuse.measures``) of the
records between each pair's two documents against its gold cases.

Settings: ``pairs`` (``ReuseSearch()``, ``dedup scan``'s default: each sentence keyed by the pairs of its first
three words in hash order), ``pairs4`` (its first four), ``pairs_min3`` / ``pairs4_min3`` (a sentence needs
three words that may key, not two: the grid the default was chosen from, with ``--halves``), ``uncommon``
(``--reuse-keys uncommon``: MinHash bands over the words in at most 0.5% of the documents, the default before
2026-12-04),
``all`` (``--reuse-keys all``: every content word keyed, 4 shared keys), ``before`` (the default until 2026-12-02
evening: ``uncommon`` without the partner cap), ``docs50`` / ``docs100`` / ``docs200`` (``uncommon`` with a word
common only past 50, 100 or 200 documents, whatever the share: what a small topical corpus gains and pays)
and ``shared4`` (``uncommon`` asking 4 shared sentence keys, not 3: fewer chance candidates, less reworded
reuse). ``--halves`` also prints each half of the pairs (split by a hash of the pair's key): a setting is
chosen on the dev half and reported on the held-out half. ``--shuffled N`` scans the corpus again in N shuffled
orders and counts the records that differ (none should: docs/guarantees.md, "Order-free results").

    python benchmarks/reuse_corpus.py --pan ../shared/eval/pan13-train [-j 2] [--settings pairs uncommon all] [--halves]
        [--shuffled N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reuse import LABELS, load_pairs  # noqa: E402

from dedup.corpus.scanner import CorpusScanner  # noqa: E402
from dedup.io.readers import read_documents  # noqa: E402
from dedup.reuse.measures import Annotation, Scores, pair_counts, total  # noqa: E402
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch  # noqa: E402

SETTINGS = {
    "pairs": KEY_SETTINGS["pairs"],
    "pairs4": {**KEY_SETTINGS["pairs"], "key_words": 4},
    "pairs_min3": {**KEY_SETTINGS["pairs"], "min_unit_words": 3},
    "pairs4_min3": {**KEY_SETTINGS["pairs"], "key_words": 4, "min_unit_words": 3},
    "uncommon": KEY_SETTINGS["uncommon"],
    "all": KEY_SETTINGS["all"],
    "before": {**KEY_SETTINGS["uncommon"], "max_partners": 0},
    "docs50": {**KEY_SETTINGS["uncommon"], "common_docs": 50},
    "docs100": {**KEY_SETTINGS["uncommon"], "common_docs": 100},
    "docs200": {**KEY_SETTINGS["uncommon"], "common_docs": 200},
    "shared4": {**KEY_SETTINGS["uncommon"], "min_shared": 4},
}


def write_corpus(pairs, path: Path) -> dict[str, str]:
    """Write each distinct text once; return text -> document id."""
    ids: dict[str, str] = {}
    with open(path, "w", encoding="utf-8") as out:
        for pair in pairs:
            for text in (pair.susp, pair.src):
                if text not in ids:
                    ids[text] = f"d{len(ids):05d}"
                    out.write(json.dumps({"id": ids[text], "text": text}) + "\n")
    return ids


def shuffled_copy(path: Path, seed: int) -> Path:
    """The corpus file with its lines in a shuffled order (the same documents and ids)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(seed).shuffle(lines)
    copy = path.with_name(f"shuffled-{seed}.jsonl")
    copy.write_text("".join(lines), encoding="utf-8")
    return copy


def sides(report) -> set:
    """Each reuse record as its two (document, span) sides, whichever is named first, with its kind and score."""
    return {(frozenset({(r.a, tuple(r.a_span)), (r.b, tuple(r.b_span))}), r.kind, r.score) for r in report.reuse}


def scan(path: Path, settings: dict, jobs: int):
    scanner = CorpusScanner(detector=None, reuse=ReuseSearch(**settings), jobs=jobs)
    started = time.perf_counter()
    report = scanner.scan(read_documents([str(path)]))
    return report, time.perf_counter() - started


def half(pair) -> str:
    """``dev`` or ``held-out``: a fixed split of the pairs by a hash of their key (``--halves``)."""
    return "dev" if int(hashlib.sha1(pair.key.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def rows(name: str, pairs, ids: dict[str, str], report) -> list[str]:
    spans = defaultdict(list)
    for r in report.reuse:
        spans[r.a, r.b].append((tuple(r.a_span), tuple(r.b_span)))
    counts = []
    for pair in pairs:
        susp, src = ids[pair.susp], ids[pair.src]
        found = [Annotation(a, b) for a, b in spans[susp, src]] + [Annotation(b, a) for a, b in spans[src, susp]]
        counts.append(pair_counts(pair.cases, found))
    lines = []
    for label in (*LABELS, "overall"):
        members = [c for p, c in zip(pairs, counts) if label in ("overall", p.label)]
        s = Scores.of(total(members))
        linked = sum(c.detections > 0 for c in members) / len(members)
        measures = (f"{s.precision:9.3f} {s.recall:7.3f} {s.granularity:7.3f} {s.plagdet:8.3f}" if s.cases
                    else f"{s.precision:9.3f} {'-':>7} {'-':>7} {'-':>8}")
        lines.append(f"{name:<10}{label:<15}{len(members):>6} {linked:7.3f} {measures}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pan", type=Path, required=True, help="the pan13-train folder (pairs.jsonl.gz)")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--settings", nargs="+", default=["pairs", "uncommon", "all"], choices=list(SETTINGS))
    parser.add_argument("--halves", action="store_true",
                        help="also print each half of the pairs (split by a hash of the pair), to choose on one")
    parser.add_argument("--shuffled", type=int, default=0, metavar="N",
                        help="also scan the corpus in N shuffled orders and count the records that differ "
                             "(docs/guarantees.md: the records do not depend on the input order)")
    args = parser.parse_args()
    pairs = load_pairs(args.pan)
    with tempfile.TemporaryDirectory(prefix="dedup-pan-") as folder:
        path = Path(folder) / "corpus.jsonl"
        ids = write_corpus(pairs, path)
        print(f"{len(pairs)} pairs, {len(ids)} distinct documents; python {platform.python_version()}, "
              f"{os.cpu_count()} cores, -j {args.jobs}; {time.strftime('%Y-%m-%d %H:%M')}")
        table = []
        for name in args.settings:
            report, seconds = scan(path, SETTINGS[name], args.jobs)
            print(f"{name}: {seconds:.1f} s, {report.stats.get('reuse_candidates')} candidate pairs aligned, "
                  f"{len(report.reuse)} reuse records; settings {ReuseSearch(**SETTINGS[name]).params()}",
                  flush=True)
            table += rows(name, pairs, ids, report)
            for seed in range(args.shuffled):
                other, _ = scan(shuffled_copy(path, seed), SETTINGS[name], args.jobs)
                found, again = sides(report), sides(other)
                print(f"{name}: shuffled order {seed}: {len(again)} records, {len(found - again)} of the first "
                      f"order's not found, {len(again - found)} new", flush=True)
            if args.halves:
                for part in ("dev", "held-out"):
                    table += rows(f"{name}/{part[0]}", [p for p in pairs if half(p) == part], ids, report)
    print(f"\n{'setting':<10}{'kind':<15}{'pairs':>6} {'linked':>7} {'precision':>9} {'recall':>7} {'gran':>7} "
          f"{'plagdet':>8}")
    print("\n".join(table))


if __name__ == "__main__":
    main()
