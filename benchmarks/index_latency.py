"""How fast the persistent index answers ``check`` once it holds many documents.

Builds a ``dedup.Index`` (a SQLite file, and with ``--redis URL`` the same
in Redis) from a generated corpus (``corpusgen``: ~300-word documents, Zipf
vocabulary, planted copies held back), then times ``check`` one document at
a time for planted copies (must be found) and for fresh documents (must not
be), and pages reusing one paragraph of an indexed document (the reuse search must find its source),
with the page's own restatements (``within``) and the reuse search (``reuse``) off, with reuse, and with
both (the defaults), and prints
p50 / p99 / max latency, how many copies were found, build speed and size. The named
baseline, timed in the same run on the same documents: datasketch's
in-memory ``MinHashLSH`` (threshold 0.8, word 5-grams), signature plus query
per document, which holds everything in RAM and confirms nothing.

Then, for a live crawl: ``query(top=10)`` latency, removal throughput (1% of
the index removed by id, one transaction per 512), expiry of the oldest 10%
(documents are dated one second apart), compaction, and the size per
document before and after.

    python benchmarks/index_latency.py --docs 100000 --queries 1000 [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpusgen import generate  # noqa: E402

import dedup  # noqa: E402
from dedup.io.readers import Document  # noqa: E402

WORD = re.compile(r"\w+")


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):6.2f} ms   p99 {np.percentile(ms, 99):6.2f} ms   max {ms.max():6.2f} ms"


BASE = 1_780_000_000.0  # document i is dated BASE + i seconds, so an expiry removes exactly the oldest


def size_of(stats: dict) -> int:
    return stats.get("bytes") or stats.get("redis_used_memory") or 0


def build(location: str, docs: list[dict]) -> tuple[float, str]:
    started = time.perf_counter()
    with dedup.Index(location, within=False) as index:
        index.add_many(Document(d["id"], d["text"], date=BASE + i) for i, d in enumerate(docs))
        stats = index.stats()
    size = size_of(stats)
    return time.perf_counter() - started, (f"{size / 2**20:,.0f} MB, {size / len(docs):,.0f} bytes per document "
                                           f"({size * 100_000 / len(docs) / 2**20:,.0f} MB per 100,000)")


def live_crawl(location: str, docs: list[dict], queries: list[dict], verify: bool) -> None:
    """query(top=10) latency, then remove 1% by id, expire the oldest 10%, compact; each timed."""
    with dedup.Index(location, within=False) as index:
        index.query(queries[0]["text"], top=10)
        times = []
        for q in queries:
            started = time.perf_counter()
            index.query(q["text"], top=10)
            times.append(time.perf_counter() - started)
        print(f"  {'query --top 10':26s} {percentiles(times)}")
        n = len(docs)
        gone = [d["id"] for d in docs[n // 10:][:: 100]]  # 1%, none of them among the oldest 10%
        started = time.perf_counter()
        removed = len(index.remove(gone))
        seconds = time.perf_counter() - started
        print(f"  remove {removed:,} by id: {seconds:.1f} s ({removed / seconds:,.0f} docs/s)")
        started = time.perf_counter()
        expired = index.expire(before=BASE + n // 10)
        seconds = time.perf_counter() - started
        before = size_of(index.stats())
        print(f"  expire the oldest 10% ({expired:,}): {seconds:.1f} s ({expired / seconds:,.0f} docs/s)")
        started = time.perf_counter()
        result = index.compact()
        seconds = time.perf_counter() - started
        stats = index.stats()
        print(f"  compact: {seconds:.1f} s, {result['bytes_before'] / 2**20:,.0f} MB -> "
              f"{result['bytes_after'] / 2**20:,.0f} MB ({size_of(stats) / stats['documents']:,.0f} bytes per "
              f"document; {before / 2**20:,.0f} MB before)")
        if verify:  # reads every row (Redis: every set), so minutes at 100,000 documents
            started = time.perf_counter()
            problems = index.verify()
            print(f"  verify: {'ok' if not problems else problems} ({time.perf_counter() - started:.1f} s)")


def time_checks(location: str, queries: list[dict], within: bool,
                reuse: bool) -> tuple[list[float], list[dedup.Verdict]]:
    times, verdicts = [], []
    with dedup.Index(location, within=within, reuse=reuse) as index:
        index.check("warm-up", queries[0]["text"])
        for q in queries:
            started = time.perf_counter()
            verdicts.append(index.check(q["id"], q["text"]))
            times.append(time.perf_counter() - started)
    return times, verdicts


def datasketch_baseline(docs: list[dict], queries: list[dict]) -> tuple[float, list[float], list[set]]:
    from datasketch import MinHash, MinHashLSH

    def sign(text: str) -> MinHash:
        words = WORD.findall(text.lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(max(len(words) - 4, 1))])
        return m

    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    for d in docs:
        lsh.insert(d["id"], sign(d["text"]))
    build_s = time.perf_counter() - started
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        found.append(set(lsh.query(sign(q["text"]))))
        times.append(time.perf_counter() - t)
    return build_s, times, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the index")
    parser.add_argument("--queries", type=int, default=1000, help="checks timed (half copies, half fresh)")
    parser.add_argument("--db", help="index file (default: a temporary one, removed afterwards)")
    parser.add_argument("--redis", help="also a Redis index at this URL (a fresh prefix is used)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--verify", action="store_true", help="check the index after the removals")
    args = parser.parse_args()

    n_copies = args.queries // 2
    # 10% of generated documents are copies; generate enough originals for the index and the fresh queries.
    corpus, planted = generate(int((args.docs + args.queries) / 0.9) + 100, dup_rate=0.10, seed=11)
    copy_ids = {c for _, c in planted}
    source_of = {c: o for o, c in planted}
    originals = [d for d in corpus if d["id"] not in copy_ids]
    indexed, fresh = originals[: args.docs], originals[args.docs : args.docs + args.queries - n_copies]
    indexed_ids = {d["id"] for d in indexed}
    copies = [d for d in corpus if d["id"] in copy_ids and source_of[d["id"]] in indexed_ids][:n_copies]
    # Pages reusing a paragraph of an indexed document inside text of their own (the reuse search's case).
    reusing = []
    for k, d in enumerate(originals[args.docs + args.queries:][:n_copies]):
        source = indexed[(k * 7919) % len(indexed)]
        own, theirs = d["text"].split("\n\n"), source["text"].split("\n\n")
        # Its longest paragraph: the alignment reports no passage under 150 characters (``AlignSettings``).
        reusing.append({"id": f"reuse{k}", "text": "\n\n".join(own[:2] + [max(theirs, key=len)] + own[2:]),
                        "source": source["id"]})
    queries = copies + fresh + reusing

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"index: {len(indexed):,} documents; queries: {len(copies)} planted copies + {len(fresh)} fresh documents")
    with tempfile.TemporaryDirectory() as tmp:
        stores = [("sqlite", args.db or os.path.join(tmp, "bench.db"))]
        if args.redis:
            stores.append(("redis", f"{args.redis.split('?')[0]}?prefix=bench{int(time.time())}"))
        for name, location in stores:
            build_s, size = build(location, indexed)
            print(f"\n{name}: build {build_s:.1f} s ({len(indexed) / build_s:,.0f} docs/s), {size}")
            for within, reuse in ((False, False), (False, True), (True, True)):
                times, verdicts = time_checks(location, queries, within, reuse)
                found = sum(any(m.b == source_of[q["id"]] for m in v.duplicates) for q, v in zip(copies, verdicts))
                false = sum(v.is_duplicate for v in verdicts[len(copies):len(copies) + len(fresh)])
                label = {(False, False): "check, within/reuse off", (False, True): "check + reuse",
                         (True, True): "check, defaults"}[within, reuse]
                print(f"  {label:26s} {percentiles(times)}   copies found {found}/{len(copies)}, "
                      f"fresh flagged {false}/{len(fresh)}")
                if reuse:
                    tail = verdicts[len(copies):]
                    linked = sum(any(r.b == q["source"] for r in v.reuse) for q, v in zip(reusing, tail[len(fresh):]))
                    fresh_reuse = sum(bool(v.reuse) for v in tail[:len(fresh)])
                    print(f"  {'':26s} reused paragraph found {linked}/{len(reusing)}, "
                          f"fresh pages with reuse {fresh_reuse}/{len(fresh)}")
                if not within and not reuse:
                    plain_times = times
            p50, p99 = np.percentile(times, 50) * 1000, np.percentile(times, 99) * 1000  # the defaults: the last row
            met = "met" if p50 <= 5 and p99 <= 20 else "MISSED"
            print(f"  issue 25's target, defaults p50 <= 5 ms and p99 <= 20 ms: {met} ({p50:.2f} / {p99:.2f} ms); "
                  f"p50 {p50 / (np.percentile(plain_times, 50) * 1000):.2f}x the check with both off, this run")
            live_crawl(location, indexed, queries, args.verify)
    if not args.skip_baseline:
        ds_build, ds_times, ds_found = datasketch_baseline(indexed, queries)
        ds_hits = sum(source_of[q["id"]] in f for q, f in zip(copies, ds_found))
        print(f"datasketch MinHashLSH     {percentiles(ds_times)}   copies found {ds_hits}/{len(copies)} "
              f"(in memory; build {ds_build:.1f} s)")
        ratio = np.percentile(ds_times, 50) / np.percentile(plain_times, 50)
        print(f"p50 ratio (datasketch / dedup): {ratio:.2f}x")


if __name__ == "__main__":
    main()
