"""The local engine and the Spark engine on the same generated corpus: docs/s and agreement.

Writes a ``corpusgen`` corpus (~300-word documents, 10% planted
near-duplicates) as JSON Lines, then times, from that file:
- the local engine: ``CorpusScanner(detector=None)`` (``dedup scan --no-within``), one process;
- the Spark engine: ``dedup.corpus.spark.run`` in ``local[N]`` mode, Parquet output
  included, session start-up excluded (reported apart);
and checks that both give the same clusters. Needs ``dedup[spark]`` and Java.

    python benchmarks/spark_scan.py [--docs 20000] [--master local[2]]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpusgen import generate  # noqa: E402

from dedup.corpus.scanner import CorpusScanner  # noqa: E402
from dedup.io.readers import read_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    from dedup.corpus.spark import run

    corpus, planted = generate(args.docs, dup_rate=0.10, seed=21)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "corpus.jsonl.gz")
        with gzip.open(source, "wt", encoding="utf-8") as out:
            for d in corpus:
                out.write(json.dumps(d) + "\n")
        mb = os.path.getsize(source) / 2**20
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{len(corpus):,} documents, {len(planted):,} planted copies, {mb:.1f} MB gzipped JSONL")

        started = time.perf_counter()
        local = CorpusScanner(detector=None).scan(read_documents([source]))
        local_s = time.perf_counter() - started
        print(f"local engine, 1 process:      {local_s:7.1f} s  {len(corpus) / local_s:8,.0f} docs/s  "
              f"{len(local.clusters)} clusters")

        started = time.perf_counter()
        spark = (SparkSession.builder.master(args.master).config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        spark.range(1).count()
        startup_s = time.perf_counter() - started
        started = time.perf_counter()
        summary = run([source], os.path.join(tmp, "out"))
        spark_s = time.perf_counter() - started
        print(f"spark engine, {args.master}:   {spark_s:7.1f} s  {len(corpus) / spark_s:8,.0f} docs/s  "
              f"{summary['clusters']} clusters  (session start {startup_s:.1f} s, not counted)")
        rows = spark.read.parquet(os.path.join(tmp, "out", "assignments")).collect()
        members = defaultdict(set)
        for r in rows:
            members[r.cluster_id].add(r.id)
        same = {frozenset(m) for m in members.values() if len(m) > 1} == {frozenset(c.members) for c in local.clusters}
        print(f"same clusters: {same}; spark/local time ratio {spark_s / local_s:.1f}x; stats {summary}")
        spark.stop()


if __name__ == "__main__":
    main()
