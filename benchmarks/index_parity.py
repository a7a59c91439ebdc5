"""Does an index find the reuse a scan of the same documents finds? One table, one run.

Real web pages: documents of PAN 2013's text-alignment training corpus (a source and a suspicious document of
pairs drawn at random, every label), each once, in a seeded random order. The reference is the corpus scan's
reuse records (``CorpusScanner(within=False)``); the index is a fresh SQLite file (or a Redis prefix,
``--redis``), filled and asked four ways:

- batch: every document added in one ``add_many``, then each checked by its id;
- one at a time: each document added alone (a young index keys its early documents again as it grows), then
  each checked by its id;
- crawl: ``check(id, text, add=True)`` page by page, as a scraper calls it (each page against those before it,
  under the frequencies of the pages seen so far: its records differ from a scan's by design).

A record is its two documents, both spans and its kind, oriented by id. Printed per way: records identical to
the scan's, records found, and seconds (the scan's own seconds in its row).

Needs ``../shared/eval/pan13-train`` (``--pan DIR``); nothing of it is copied into the repository.

    python benchmarks/index_parity.py [--pan DIR] [--docs 200] [--seed 2] [--redis URL]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from pathlib import Path

from dedup import CorpusScanner, Index
from dedup.io.readers import Document

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAN = ROOT.parent / "shared" / "eval" / "pan13-train"


def pan_documents(pan: Path, n_docs: int, seed: int) -> list[Document]:
    """``n_docs`` distinct documents of whole pairs drawn at random, in a random order."""
    with gzip.open(pan / "pairs.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    rng = random.Random(seed)
    rng.shuffle(records)
    texts: dict[str, str] = {}
    for r in records:
        fresh = {r["susp"], r["src"]} - set(texts)
        if len(texts) + len(fresh) > n_docs:
            continue
        texts.setdefault(r["susp"], r["susp_text"])
        texts.setdefault(r["src"], r["src_text"])
        if len(texts) >= n_docs:
            break
    ids = sorted(texts)
    rng.shuffle(ids)
    return [Document(doc_id.removesuffix(".txt"), texts[doc_id]) for doc_id in ids]


def oriented(records) -> set[tuple]:
    """Each record as (first id, second id, its span in the first, in the second, kind), ids in order."""
    found = set()
    for r in records:
        one, other = (r.a, tuple(r.a_span)), (r.b, tuple(r.b_span))
        first, second = sorted([one, other])
        found.add((first[0], second[0], first[1], second[1], r.kind))
    return found


def index_records(location: str, docs: list[Document], way: str) -> tuple[set[tuple], float]:
    started = time.perf_counter()
    found: list = []
    with Index(location, within=False) as index:
        if way == "batch":
            index.add_many(docs)
        elif way == "one at a time":
            for doc in docs:
                index.add(doc.id, doc.text, fmt="text")
        for doc in docs:
            found += index.check(doc.id, doc.text, add=way == "crawl", fmt="text").reuse
    return oriented(found), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pan", type=Path, default=DEFAULT_PAN)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--redis", help="a Redis URL; a fresh prefix a way (default: a SQLite file)")
    args = parser.parse_args()
    docs = pan_documents(args.pan, args.docs, args.seed)
    print(f"{len(docs)} PAN 2013 documents, {sum(len(d.text) for d in docs):,} characters, seed {args.seed}")
    started = time.perf_counter()
    reference = oriented(CorpusScanner(within=False).scan(docs).reuse)
    print(f"| way | records identical to the scan's | records found | seconds |\n|---|---|---|---|\n"
          f"| scan | {len(reference)} | {len(reference)} | {time.perf_counter() - started:.1f} |")
    with tempfile.TemporaryDirectory() as folder:
        for k, way in enumerate(("batch", "one at a time", "crawl")):
            location = f"{args.redis}?prefix=parity-{time.time_ns()}-{k}" if args.redis else f"{folder}/{k}.db"
            found, seconds = index_records(location, docs, way)
            print(f"| {way} | {len(found & reference)} | {len(found)} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
