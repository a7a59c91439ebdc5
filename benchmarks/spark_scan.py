"""The local engine and the Spark engine on the same generated corpus: docs/s, Spark stages, and agreement.

Writes a ``corpusgen`` corpus (~300-word documents, 10% planted
near-duplicates) as JSON Lines, then times, from that file:
- the local engine: ``CorpusScanner(detector=None)`` (``dedup scan --no-within``), one process;
- the Spark engine: ``dedup.corpus.spark.run`` in ``local[N]`` mode, Parquet output
  included, session start-up excluded (reported apart), with the jobs and stages it ran
  (``SparkContext.statusTracker`` over the run's job group) and the call sites the stages come from;
and checks that both give the same clusters and the same reused passages. Needs ``dedup[spark]`` and Java.

    python benchmarks/spark_scan.py [--docs 20000] [--master local[2]] [--no-reuse] [--sites] [--distributed]
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
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpusgen import generate  # noqa: E402

from dedup.corpus.scanner import CorpusScanner  # noqa: E402
from dedup.io.readers import read_documents  # noqa: E402

GROUP = "dedup-benchmark"


def stage_counts(sc, group: str = GROUP) -> dict:
    """Jobs and stages of the job group ``group``: stages that ran tasks, stages skipped (their shuffle output
    was already there), and the ran stages counted by call site (``reduceByKey at spark.py:123``)."""
    tracker = sc.statusTracker()
    jobs = sorted(tracker.getJobIdsForGroup(group))
    stage_ids = sorted({s for j in jobs for s in (tracker.getJobInfo(j).stageIds if tracker.getJobInfo(j) else ())})
    ran, skipped, sites = 0, 0, Counter()
    for s in stage_ids:
        info = tracker.getStageInfo(s)
        if info is None or info.numCompletedTasks == 0:
            skipped += 1
            continue
        ran += 1
        sites[info.name.split(" at ")[-1] if " at " in info.name else info.name] += 1
    return {"jobs": len(jobs), "stages": ran, "skipped_stages": skipped, "tasks": sum(
        tracker.getStageInfo(s).numCompletedTasks for s in stage_ids if tracker.getStageInfo(s)),
        "stage_sites": dict(sites.most_common())}


def timed_run(spark, run, *args, **kwargs) -> tuple[dict, float, dict]:
    """``run(*args, **kwargs)`` in its own job group: its summary, seconds, and ``stage_counts``."""
    sc = spark.sparkContext
    sc.setJobGroup(GROUP, "dedup scan")
    started = time.perf_counter()
    summary = run(*args, **kwargs)
    seconds = time.perf_counter() - started
    sc.setLocalProperty("spark.jobGroup.id", None)
    return summary, seconds, stage_counts(sc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--no-reuse", action="store_true", help="both engines without reused passages")
    parser.add_argument("--sites", action="store_true", help="print the stages' call sites")
    parser.add_argument("--event-log", metavar="DIR", help="also write Spark's event log there (stage times)")
    parser.add_argument("--distributed", action="store_true",
                        help="connected components by the distributed rounds, as past the driver's bound")
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    from dedup.corpus import spark_clusters
    from dedup.corpus.spark import run

    if args.distributed:
        spark_clusters.DRIVER_PAIRS = -1
    reuse = not args.no_reuse
    corpus, planted = generate(args.docs, dup_rate=0.10, seed=21)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "corpus.jsonl.gz")
        with gzip.open(source, "wt", encoding="utf-8") as out:
            for d in corpus:
                out.write(json.dumps(d) + "\n")
        mb = os.path.getsize(source) / 2**20
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{len(corpus):,} documents, {len(planted):,} planted copies, {mb:.1f} MB gzipped JSONL; "
              f"reuse {'on' if reuse else 'off'}")

        started = time.perf_counter()
        local = CorpusScanner(detector=None, reuse=reuse).scan(read_documents([source]))
        local_s = time.perf_counter() - started
        print(f"local engine, 1 process:      {local_s:7.1f} s  {len(corpus) / local_s:8,.0f} docs/s  "
              f"{len(local.clusters)} clusters, {len(local.reuse)} reused passages")

        started = time.perf_counter()
        builder = (SparkSession.builder.master(args.master).config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
        if args.event_log:
            os.makedirs(args.event_log, exist_ok=True)
            builder = builder.config("spark.eventLog.enabled", "true").config(
                "spark.eventLog.dir", Path(args.event_log).resolve().as_uri())
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        spark.range(1).count()
        startup_s = time.perf_counter() - started
        out = os.path.join(tmp, "out")
        summary, spark_s, stages = timed_run(spark, run, [source], out, CorpusScanner(detector=None, reuse=reuse))
        print(f"spark engine, {args.master}:   {spark_s:7.1f} s  {len(corpus) / spark_s:8,.0f} docs/s  "
              f"{summary['clusters']} clusters, {summary.get('reuse_passages', 0)} reused passages  "
              f"(session start {startup_s:.1f} s, not counted)")
        print(f"spark jobs {stages['jobs']}, stages run {stages['stages']} (skipped {stages['skipped_stages']}), "
              f"tasks {stages['tasks']}")
        if args.sites:
            for site, count in stages["stage_sites"].items():
                print(f"  {count:4d}  {site}")
        rows = spark.read.parquet(os.path.join(out, "assignments")).collect()
        members = defaultdict(set)
        for r in rows:
            members[r.cluster_id].add(r.id)
        same = {frozenset(m) for m in members.values() if len(m) > 1} == {frozenset(c.members) for c in local.clusters}
        same_reuse = True
        if reuse:
            found = {(r.a, r.b, r.a_start, r.a_end, r.b_start, r.b_end, r.kind)
                     for r in spark.read.parquet(os.path.join(out, "reuse")).collect()}
            same_reuse = found == {(r.a, r.b, *r.a_span, *r.b_span, r.kind) for r in local.reuse}
        stats = {k: v for k, v in summary.items() if k != "written"}
        print(f"same clusters: {same}; same reused passages: {same_reuse}; "
              f"spark/local time ratio {spark_s / local_s:.1f}x; stats {stats}")
        spark.stop()


if __name__ == "__main__":
    main()
