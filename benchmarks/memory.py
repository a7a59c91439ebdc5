"""Peak memory of a real ``dedup scan`` subprocess, and whether it grows with document length.

Writes ``--docs`` synthetic documents (``corpusgen``, streamed, 10% planted
near-duplicates) of ``--words`` words to a JSON Lines file, runs

    python -m dedup scan FILE --no-within -q -f json -o /dev/null

(``--within``: without ``--no-within``, the default scan searching restatements too)

as a child process and reads that child's own peak resident set size from
``os.wait4`` (``ru_maxrss``, KiB on Linux; it covers the child and any
processes it waited for). Then repeats with documents 4x as long, same count,
to show that memory follows the number of documents, not their length.
Prints docs, words per doc, input MB, wall seconds, peak RSS MB, and
PASS/MISS against a 1.5 GB budget.

    python benchmarks/memory.py [--docs 100000 --words 300 --seed 0 --workdir DIR --within]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpusgen import iter_corpus, write_jsonl  # noqa: E402

BUDGET_MB = 1500.0
LENGTH_FACTOR = 4


@dataclass
class Run:
    docs: int
    words: int
    input_mb: float
    seconds: float
    peak_rss_mb: float
    returncode: int


def write_corpus(path: str, docs: int, words: int, seed: int) -> float:
    """Stream the corpus to ``path``; return the MB of text written."""
    return write_jsonl((doc for doc, _ in iter_corpus(docs, words, seed=seed)), path) / 1e6


def scan_command(path: str, within: bool = False) -> list[str]:
    return [sys.executable, "-m", "dedup", "scan", path, *(() if within else ("--no-within",)), "-q", "-f", "json",
            "-o", os.devnull]


def peak_rss_of(command: list[str]) -> tuple[int, float, float]:
    """Run ``command``; return (exit code, wall seconds, peak RSS in MB) of that one child."""
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return child.returncode, seconds, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def measure(workdir: str, docs: int, words: int, seed: int, within: bool = False) -> Run:
    path = os.path.join(workdir, f"corpus-{docs}x{words}.jsonl")
    started = time.perf_counter()
    input_mb = write_corpus(path, docs, words, seed)
    print(f"  wrote {path}: {input_mb:,.1f} MB of text in {time.perf_counter() - started:.1f} s", flush=True)
    try:
        code, seconds, peak = peak_rss_of(scan_command(path, within))
    finally:
        os.remove(path)
    return Run(docs, words, input_mb, seconds, peak, code)


def print_table(runs: list[Run]) -> None:
    header = f"{'docs':>9} {'words/doc':>9} {'input MB':>9} {'seconds':>8} {'peak RSS MB':>11}  " \
             f"budget {BUDGET_MB:,.0f} MB"
    print(header)
    print("-" * len(header))
    for r in runs:
        ok = r.returncode == 0 and r.peak_rss_mb <= BUDGET_MB
        status = "PASS" if ok else "MISS" + ("" if r.returncode == 0 else f" (exit {r.returncode})")
        print(f"{r.docs:9,} {r.words:9,} {r.input_mb:9,.1f} {r.seconds:8.1f} {r.peak_rss_mb:11,.1f}  {status}")
    if len(runs) == 2 and runs[0].peak_rss_mb:
        growth = runs[1].peak_rss_mb / runs[0].peak_rss_mb
        print(f"\npeak RSS with {LENGTH_FACTOR}x longer documents: {growth:.2f}x "
              f"(input {runs[1].input_mb / runs[0].input_mb:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None, help="where to write the JSONL corpora (default: a temp dir)")
    parser.add_argument("--within", action="store_true", help="the default scan (restatements searched) instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dedup-memory-", dir=args.workdir) as workdir:
        runs = []
        for words in (args.words, args.words * LENGTH_FACTOR):
            print(f"scan of {args.docs:,} docs x {words:,} words:", flush=True)
            runs.append(measure(workdir, args.docs, words, args.seed, args.within))
        print()
        print_table(runs)


if __name__ == "__main__":
    main()
