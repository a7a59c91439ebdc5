"""Reuse between documents at corpus scale: its cost next to the scan without it, its memory, and its
recall of planted reuse, in one run.

Writes ``--docs`` synthetic documents (``corpusgen``: ~300 words, 10% planted near-duplicates) to a JSON
Lines file, and plants reuse in ``--planted`` of them: a run of three consecutive sentences of another
document, pasted as a paragraph of its own (``copied``), or the same with every fifth word dropped and
its sentences in reverse order (``edited``). Then runs, as child processes,

    python -m dedup scan FILE --no-within -q -f json -o OUT --reuse-keys KEYS   (for each of --reuse-keys)
    python -m dedup scan FILE --no-within --no-reuse -q -f json -o OUT

``--repeat`` times each in turn (``-j 1`` and ``-j 2``), and prints each one's median wall seconds, its
ratio to the scan without reuse, each child's peak RSS (``os.wait4``), the planted pairs found among the
reuse records, and the records that pair documents with nothing planted between them (the synthetic
documents are otherwise independent draws of random words, so those are false).

``--footer templated`` ends every document with a site's footer, a copyright line and "This page was generated
for reader N at HH:MM and may not be republished ..." (N and the time drawn per document); ``constant``, the
copyright line and a fixed notice: page furniture (``dedup.reuse.furniture``), which must add no record and
little time (the records it would add count among those sharing nothing planted).

    python benchmarks/reuse_scale.py [--docs 20000 --planted 500 --repeat 3 --seed 0 --reuse-keys pairs uncommon]
                                     [--footer none|constant|templated]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpusgen import iter_corpus  # noqa: E402

COPYRIGHT = "Copyright 2026 Example News Group, all rights reserved."
NOTICE = "This page may not be republished without permission from the editors."
STAMP = ("This page was generated for reader {reader} at {hh:02d}:{mm:02d} and may not be republished without "
         "permission from the editors.")


def write_corpus(path: str, docs: int, planted: int, seed: int,
                 footer: str = "none") -> tuple[dict[tuple[str, str], str], dict[str, str], float]:
    """Write the corpus with planted reuse (and each document's ``footer``, see the module docstring); return
    ``{(reusing id, source id): kind}``, each near-duplicate copy's original (``corpusgen``'s copies: edited,
    truncated, re-headlined) and the MB written."""
    corpus, original_of = [], {}
    for doc, pair in iter_corpus(docs, seed=seed):
        corpus.append(doc)
        if pair is not None:
            original_of[pair[1]] = original_of.get(pair[0], pair[0])
    rng = random.Random(seed)
    plants: dict[tuple[str, str], str] = {}
    for k in range(planted):
        target, source = rng.sample(range(docs), 2)
        sentences = [s for p in corpus[source]["text"].split("\n\n")[1:] for s in p.split(". ") if s]
        if len(sentences) < 4:
            continue
        start = rng.randrange(len(sentences) - 3)
        run = sentences[start:start + 3]
        kind = "copied" if k % 2 == 0 else "edited"
        if kind == "edited":
            run = [" ".join(w for i, w in enumerate(s.split()) if i % 5 != 4) for s in reversed(run)]
        paragraphs = corpus[target]["text"].split("\n\n")
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), ". ".join(run).rstrip(".") + ".")
        corpus[target]["text"] = "\n\n".join(paragraphs)
        plants[(corpus[target]["id"], corpus[source]["id"])] = kind
    for doc in corpus if footer != "none" else ():
        end = NOTICE if footer == "constant" else STAMP.format(reader=rng.randrange(10 ** 6), hh=rng.randrange(24),
                                                                mm=rng.randrange(60))
        doc["text"] += f"\n\n{COPYRIGHT} {end}"
    size = 0
    with open(path, "w", encoding="utf-8") as out:
        for doc in corpus:
            size += len(doc["text"].encode("utf-8"))
            out.write(json.dumps(doc) + "\n")
    return plants, original_of, size / 1e6


def run(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return its wall seconds and its peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--planted", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-keys", nargs="+", default=["pairs", "uncommon"], choices=["pairs", "uncommon", "all"],
                        help="dedup scan --reuse-keys of the runs with reuse, each timed in the same rounds (the "
                             "first is the default; uncommon: the default before 2026-12-04)")
    parser.add_argument("--workdir", help="where the corpus and reports go (default: a temporary folder)")
    parser.add_argument("--footer", choices=["none", "constant", "templated"], default="none",
                        help="end every document with a site's footer (page furniture)")
    args = parser.parse_args()
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        path = os.path.join(folder, "corpus.jsonl")
        plants, original_of, mb = write_corpus(path, args.docs, args.planted, args.seed, args.footer)
        print(f"{args.docs:,} documents ({mb:.1f} MB), {len(plants)} with planted reuse, footer {args.footer}; "
              f"{args.repeat} runs each, taken in turn; medians")
        report = os.path.join(folder, "report.json")
        runs = [(f"--reuse-keys {keys}", ["--reuse-keys", keys]) for keys in args.reuse_keys]
        runs.append(("without", ["--no-reuse"]))
        for jobs in (1, 2):
            times: dict[str, list[float]] = {name: [] for name, _ in runs}
            peaks: dict[str, float] = {}
            for _ in range(args.repeat):
                for name, extra in runs:
                    command = [sys.executable, "-m", "dedup", "scan", path, "--no-within", "-q", "-j", str(jobs),
                               "-f", "json", "-o", report, *extra]
                    seconds, peak = run(command)
                    times[name].append(seconds)
                    peaks[name] = max(peaks.get(name, 0.0), peak)
            without = statistics.median(times["without"])
            print(f"-j {jobs}: without reuse {without:.1f} s ({peaks['without']:.0f} MB peak)")
            for name, _ in runs[:-1]:
                seconds = statistics.median(times[name])
                print(f"-j {jobs}: {name}: {seconds:.1f} s ({peaks[name]:.0f} MB peak): ratio {seconds / without:.2f}")
        found = json.load(open(report, encoding="utf-8"))
        clustered = {m for c in found["clusters"] for m in c["members"]}
        for keys in args.reuse_keys:
            print(f"--reuse-keys {keys}:")
            recall(path, keys, plants, original_of, clustered)


def recall(path: str, keys: str, plants: dict, original_of: dict, clustered: set) -> None:
    """Print the planted pairs the scan with ``--reuse-keys keys`` finds, and its records that no plant explains."""
    reuse_report = subprocess.run(
        [sys.executable, "-m", "dedup", "scan", path, "--no-within", "-q", "-f", "json", "--reuse-keys", keys],
        capture_output=True, text=True, check=False)
    found = json.loads(reuse_report.stdout)
    records = found["reuse"]
    linked = {(r["a"], r["b"]) for r in records} | {(r["b"], r["a"]) for r in records}
    for kind in ("copied", "edited"):
        pairs = [p for p, k in plants.items() if k == kind]
        hit = sum(p in linked for p in pairs)
        print(f"  planted {kind}: {hit} of {len(pairs)} pairs found ({hit / max(len(pairs), 1):.3f})")
    planted_pairs = set(plants) | {(b, a) for a, b in plants}

    def origin(doc_id: str) -> str:
        return original_of.get(doc_id, doc_id)

    # A copy too edited or truncated to be a near-duplicate still shares passages with its original and
    # the other copies, and a document reusing an original reuses its copies: both are true reuse.
    explained = {(origin(a), origin(b)) for a, b in planted_pairs}
    copies = [r for r in records if (r["a"], r["b"]) not in planted_pairs and origin(r["a"]) == origin(r["b"])]
    false = [r for r in records if (r["a"], r["b"]) not in planted_pairs and origin(r["a"]) != origin(r["b"])
             and (origin(r["a"]), origin(r["b"])) not in explained]
    print(f"  reuse records: {len(records)}; between copies of one original not clustered as near-duplicates: "
          f"{len(copies)}; between documents sharing nothing planted: {len(false)}"
          f" ({len(clustered)} documents are in near-duplicate clusters); page furniture: "
          f"{found['stats'].get('reuse_furniture_forms', 0)} sentence forms, "
          f"{found['stats'].get('reuse_furniture_passages', 0)} passages left out")


if __name__ == "__main__":
    main()
