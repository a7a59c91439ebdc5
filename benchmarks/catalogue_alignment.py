"""Time of ``align_texts`` on two catalogues: thousands of short, alike lines (a product list, a price table, a
log) in each text, where nearly every line of one is a seed with many lines of the other.

Each size runs in a fresh process, one run each, for this checkout and, with ``--baseline PATH``, for another
checkout in the same run (interleaved), so the two columns are comparable on a shared machine. Doubling the
size shows how the time grows: about 2x a doubling is linear, 4x quadratic.

    python benchmarks/catalogue_alignment.py [--sizes 2000 4000 8000 16000] [--baseline /path/to/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLOURS = "red blue green black white grey navy olive".split()
KINDS = "shirt trousers jacket scarf hat sock coat dress".split()


def catalogue(lines: int, seed: int) -> str:
    """``lines`` catalogue lines, one a line, each a sentence."""
    rng = random.Random(seed)
    return "\n".join(f"Item {rng.randint(10000, 99999)} {rng.choice(COLOURS)} cotton {rng.choice(KINDS)} size "
                     f"{rng.choice('SML')} price {rng.randint(5, 99)}.99 USD." for _ in range(lines))


def measure(lines: int) -> dict:
    """One alignment of two catalogues of ``lines`` lines, in this process."""
    from dedup.reuse.align import align_texts

    a, b = catalogue(lines, 1), catalogue(lines, 2)
    start = time.perf_counter()
    records = align_texts(a, b)
    return {"lines": lines, "seconds": time.perf_counter() - start, "records": len(records)}


def child(code: Path, lines: int, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    try:
        done = subprocess.run([sys.executable, __file__, "--one", str(lines)], env=env, capture_output=True,
                              text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"lines": lines, "seconds": float("inf"), "records": None}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000, 16000])
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout, timed in the same run")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a size may take")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # a child's size
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    codes = [("this checkout", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    print(f"align_texts on two generated catalogues, one run a size in a fresh process; {platform.node()}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"{'lines a side':>12} " + " ".join(f"{name + ' s':>16} {'x prev':>6} {'records':>7}" for name, _ in codes))
    previous: dict[str, float] = {}
    for lines in args.sizes:
        cells = []
        for name, code in codes:
            found = child(code, lines, args.timeout)
            growth = found["seconds"] / previous[name] if name in previous else float("nan")
            previous[name] = found["seconds"]
            cells.append(f"{found['seconds']:16.2f} {growth:6.2f} {str(found['records']):>7}")
        print(f"{lines:12d} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
