"""Time and peak memory of ``find_redundancy`` on one long page, against a bare datasketch pass over it.

A scraper meets pages far longer than an article: a forum thread, a report, a whole book pasted into one
page. The page here is made of whole documents joined by blank lines until it reaches each size (PAN 2013's
web documents with ``--pan``, else generated ``corpusgen`` documents), so each size holds the one before it.
Each size runs in a fresh process, so its peak resident memory is its own: ``find_redundancy`` with the
learned confirm and with ``confirm="tfidf"``, and datasketch's documented MinHash + LSH pass over the same
paragraphs (``restatement_speed.datasketch_pass``, its LSH parameters given). One run each: a size takes
seconds to minutes. Run it with ``PYTHONPATH`` at another checkout to measure that code on the same pages.

    python benchmarks/long_page.py [--pan ../shared/eval/pan13-train] [--sizes 100000 400000 800000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def page(size: int, pan: Path | None) -> str:
    """Documents joined by blank lines until the text holds ``size`` characters."""
    if pan is not None:
        from restating_screen import pan_texts

        documents = pan_texts(pan / "pairs.jsonl.gz", 1000)
    else:
        from corpusgen import generate

        documents = [d["text"] for d in generate(400, dup_rate=0.0, seed=5)[0]]
    parts, length = [], 0
    for k in range(10**6):
        if length >= size:
            break
        parts.append(documents[k % len(documents)])
        length += len(parts[-1]) + 2
    return "\n\n".join(parts)


def measure(size: int, pan: Path | None) -> dict:
    """One size, in this process: each method's seconds, and the peak resident memory after all of them."""
    from restatement_speed import _PARAMS, datasketch_pass

    from dedup import find_redundancy

    text = page(size, pan)
    found = {"characters": len(text)}
    for name, call in (("datasketch", lambda t: datasketch_pass(t, params=_PARAMS)),
                       ("tfidf", lambda t: find_redundancy(t, confirm="tfidf")),
                       ("learned", find_redundancy)):
        started = time.perf_counter()
        result = call(text)
        found[name] = time.perf_counter() - started
        if name == "learned":
            found["paragraphs"], found["matches"] = len(result.paragraphs), len(result.matches)
    found["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pan", type=Path, default=None, help="the pan13-train folder (pairs.jsonl.gz)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 800_000])
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # a child's size
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.pan)))
        return
    import dedup

    print(f"python {platform.python_version()}, dedup from {Path(dedup.__file__).parent}, "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; "
          f"pages of {'PAN 2013 web documents' if args.pan else 'generated documents'}")
    print(f"{'characters':>10} {'paragraphs':>10} {'matches':>8} {'learned s':>10} {'tfidf s':>8} "
          f"{'datasketch s':>12} {'learned / ds':>12} {'peak MB':>8}")
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size)] + (["--pan", str(args.pan)] if args.pan else [])
        row = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(f"{row['characters']:>10,} {row['paragraphs']:>10,} {row['matches']:>8,} {row['learned']:>10.2f} "
              f"{row['tfidf']:>8.2f} {row['datasketch']:>12.2f} {row['learned'] / row['datasketch']:>11.1f}x "
              f"{row['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
