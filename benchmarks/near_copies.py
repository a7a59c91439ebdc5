"""Time and peak memory of ``dedup scan`` on a corpus holding clusters of near-copies: a wire story republished
with small edits by hundreds of sites, each copy one LSH bucket with all the others in most bands.

``--clusters`` stories of ``--copies`` copies each (three words edited a copy), among ``--others`` unrelated
300-word documents (``corpusgen``). Each run is ``dedup scan FILE -f json`` in a fresh process, for this checkout
and, with ``--baseline PATH``, for another checkout, interleaved in the same run so the columns are comparable on a
shared machine; the two reports are compared but for their ``stats`` (counts and seconds).

    python benchmarks/near_copies.py [--clusters 8 --copies 999 --others 4000] [--baseline /path/to/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpusgen import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(path: Path, clusters: int, copies: int, others: int, seed: int) -> None:
    rng = random.Random(seed)
    docs, _ = generate(others + clusters, 300, dup_rate=0.0, seed=seed)
    with path.open("w", encoding="utf-8") as out:
        for doc in docs[clusters:]:
            out.write(json.dumps(doc) + "\n")
        for c in range(clusters):
            base = docs[c]["text"].split(" ")
            for k in range(copies):
                words = list(base)
                for _ in range(3):
                    words[rng.randrange(len(words))] = rng.choice(base)
                out.write(json.dumps({"id": f"story{c}-copy{k}", "text": " ".join(words)}) + "\n")


# A child that runs ``dedup`` and prints its own peak RSS last (the children's ``ru_maxrss`` is the largest of
# any child so far, which would hide a smaller later one).
_CHILD = ("import resource, runpy, sys\n"
          "sys.argv = ['dedup'] + sys.argv[1:]\n"
          "try:\n    runpy.run_module('dedup', run_name='__main__')\nexcept SystemExit:\n    pass\n"
          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")


def scan(code: Path, corpus: Path, report: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``dedup scan`` with ``code`` on the path (run elsewhere: ``-c`` puts the
    working folder first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, "scan", str(corpus), "-f", "json", "-o", str(report), "-q"],
                          env=env, check=True, capture_output=True, text=True, cwd=corpus.parent)
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=8)
    parser.add_argument("--copies", type=int, default=999)
    parser.add_argument("--others", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout, run in the same run")
    args = parser.parse_args()
    codes = [("this checkout", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        write_corpus(corpus, args.clusters, args.copies, args.others, args.seed)
        print(f"dedup scan of {args.clusters} stories x {args.copies} near-copies + {args.others} other documents; "
              f"{platform.node()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
        reports = {}
        for name, code in codes:
            report = Path(folder) / f"{len(reports)}.json"
            seconds, peak = scan(code, corpus, report)
            found = json.loads(report.read_text(encoding="utf-8"))
            reports[name] = found
            stats = found["stats"]
            print(f"  {name:14} {seconds:8.2f} s  peak {peak:7.0f} MB  document candidates "
                  f"{stats['document_candidates']:,}  paragraph candidates {stats['paragraph_candidates']:,}  "
                  f"clusters {len(found['clusters'])}", flush=True)
        if len(reports) == 2:
            a, b = reports.values()
            same = all(a[k] == b[k] for k in a if k != "stats")
            print(f"  reports equal but for their stats: {same}")


if __name__ == "__main__":
    main()
