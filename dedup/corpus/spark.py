"""The corpus scan's near-duplicate clusters on Apache Spark (``dedup[spark]``).

The same pipeline as ``CorpusScanner``, spread over a cluster, calling the
library's own code on every executor (no second implementation):

1. sign: ``mapPartitions`` runs the scanner's ``BatchSigner`` (tokenizing,
   shingling, one-permutation MinHash) over batches of documents and its
   ``LSHBanding.band_keys``; each partition also counts the hashed-token
   document frequencies, summed into the corpus IDF;
2. candidates: (band key, document) rows grouped by key; buckets larger than
   ``max_bucket`` are skipped and counted (``capped_buckets``), as locally;
   pairs whose MinHash estimate is far below the threshold are dropped;
3. confirm: the documents in a candidate pair are tokenized again for their
   exact shingle sets and TF-IDF rows under the broadcast IDF; a pair is
   confirmed on exact Jaccard or containment and cosine, as locally;
4. cluster: connected components by alternating large-star and small-star
   steps on the edge list (Kiveris et al. 2014), never collecting edges to
   the driver; the member ranked first by the scanner's ``keep`` rule (``dedup.cluster.keep.rank``: the
   longest, the first in input order, or the earliest dated) represents its cluster.

Output: ``assignments`` (id, cluster_id, is_representative) for every
document, and ``matches`` (cluster_id, id, jaccard, containment, cosine), each
member against its representative.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from dedup.cluster.keep import rank, timestamp
from dedup.confirm.idf import HashedIdf
from dedup.confirm.pair_scores import exact_scores, is_duplicate, sparse_dot
from dedup.corpus.pass_two import worth_confirming
from dedup.corpus.scanner import CorpusScanner
from dedup.sketch.minhash import estimated_scores

_MAX_ROUNDS = 64


@dataclass
class SparkScan:
    """What ``scan_dataframe`` returns: two DataFrames and the counts of the run."""

    assignments: "object"  # pyspark DataFrame: id, cluster_id, is_representative
    matches: "object"  # pyspark DataFrame: cluster_id, id, jaccard, containment, cosine
    stats: dict


def scan_dataframe(df, scanner: CorpusScanner | None = None, id_col: str = "id", text_col: str = "text",
                   batch_size: int = 256, date_col: str | None = None) -> SparkScan:
    """Near-duplicate clusters of the documents in ``df`` (columns ``id_col`` and ``text_col``).

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per document; ids must be unique.
    scanner : CorpusScanner, optional
        Its parameters (shingles, signatures, bands, thresholds) are used as
        they are locally; default ``CorpusScanner(detector=None)`` (restatements
        inside documents are not searched on Spark).
    id_col, text_col : str
        Column names.
    date_col : str, optional
        With ``scanner.keep == "earliest"``: the column of each document's date (ISO 8601 strings or
        timestamps); absent or None, documents are undated and rank in input order.
    batch_size : int, default=256
        Documents per batch handed to numpy inside a partition.
    """
    from pyspark.sql import Row
    from pyspark.sql import functions as F

    scanner = scanner or CorpusScanner(detector=None)
    spark = df.sparkSession
    sc = spark.sparkContext
    signer, lsh, n_features = scanner.signer, scanner.lsh, scanner.n_features
    # Input order numbers the documents, so ties (representatives) break as they do locally.
    keep = scanner.keep
    dated = keep == "earliest" and date_col is not None and date_col in df.columns
    rows = df.select(id_col, text_col, F.col(date_col).cast("string") if dated else F.lit(None)).rdd
    n = max(sc.defaultParallelism, rows.getNumPartitions())  # partitions of signing and of every shuffle
    # Spread after numbering: a gzipped input arrives as one partition.
    indexed = rows.zipWithIndex().map(lambda r: (r[1], r[0][0], r[0][1] or "", timestamp(r[0][2]))) \
        .repartition(n).cache()

    def sign(rows: Iterator) -> Iterator:
        df_counts = np.zeros(n_features, dtype=np.int64)
        for batch in _batches(rows, batch_size):
            texts = [row[2] for row in batch]
            signed = signer(texts)
            df_counts += np.bincount(signed.buckets, minlength=n_features)
            keys = lsh.band_keys(signed.signatures).view(np.int64)
            for i, (idx, doc_id, _, date) in enumerate(batch):
                yield ("doc", (idx, doc_id, int(signed.lengths[i]), int(signed.sizes[i]),
                               signed.signatures[i].tobytes(), keys[i].tolist(), date))
        yield ("df", df_counts)

    signed = indexed.mapPartitions(sign).cache()
    docs = signed.filter(lambda r: r[0] == "doc").map(lambda r: r[1]).cache()
    df_total = signed.filter(lambda r: r[0] == "df").map(lambda r: r[1]).reduce(np.add)
    n_docs = docs.count()
    idf = HashedIdf(n_features)
    idf.load(df_total, n_docs)
    idf.idf()
    idf_b = sc.broadcast(idf)

    max_bucket = lsh.max_bucket
    capped = sc.accumulator(0)

    def bucket_pairs(item) -> Iterator[tuple[int, int]]:
        members = sorted(item[1])
        if len(members) > max_bucket:
            capped.add(1)
            return
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield (a, b)

    band_rows = docs.filter(lambda d: d[3] > 0).flatMap(lambda d: [(key, d[0]) for key in d[5]])
    pairs = band_rows.groupByKey(n).flatMap(bucket_pairs).distinct(n)
    signatures = docs.map(lambda d: (d[0], (np.frombuffer(d[4], dtype=np.uint32), d[3])))
    threshold = scanner.threshold

    def estimated(item) -> bool:
        (_, (sig_a, size_a)), (sig_b, size_b) = item
        jaccard, containment = estimated_scores(sig_a[None], sig_b[None], np.array([size_a]), np.array([size_b]))
        return bool(worth_confirming(jaccard, containment, threshold)[0])

    candidates = _paired(pairs, signatures, n).filter(estimated).map(lambda r: r[0][0]).cache()

    evidence = _evidence(indexed, candidates, signer, idf_b, batch_size, n).cache()
    cosine_threshold = scanner.cosine_threshold
    confirmed = _scored(candidates, evidence, n).filter(
        lambda r: is_duplicate(r[1], r[2], r[3], threshold, cosine_threshold)).map(lambda r: r[0])
    component = _components(confirmed, n)  # (doc, smallest doc of its component)

    # The rule's key per document (input order last, so ties break as locally); the smallest represents.
    ranks = docs.map(lambda d: (d[0], rank(keep, d[2], d[0], d[6])))  # idx -> rank
    rep_of = component.join(ranks, n).map(lambda r: (r[1][0], r[1][1])) \
        .reduceByKey(min, n).map(lambda r: (r[0], r[1][2]))  # component -> representative idx
    member_rep = component.map(lambda r: (r[1], r[0])).join(rep_of, n).map(lambda r: (r[1][0], r[1][1]))
    id_of = docs.map(lambda d: (d[0], d[1]))
    rep_id = member_rep.map(lambda r: (r[1], r[0])).join(id_of, n).map(lambda r: (r[1][0], r[1][1]))  # member -> rep id
    assignments = id_of.leftOuterJoin(rep_id, n).map(
        lambda r: Row(id=r[1][0], cluster_id=r[1][1] or r[1][0], is_representative=r[1][1] in (None, r[1][0])))
    rep_pairs = member_rep.filter(lambda r: r[0] != r[1]).map(lambda r: (r[1], r[0]))  # (rep, member)
    scored = _scored(rep_pairs, evidence, n).map(lambda r: (r[0][0], (r[0][1], r[1:])))  # rep -> (member, scores)
    with_rep = scored.join(id_of, n).map(lambda r: (r[1][0][0], (r[1][1], r[1][0][1])))  # member -> (rep id, scores)
    matches = with_rep.join(id_of, n).map(lambda r: Row(
        cluster_id=r[1][0][0], id=r[1][1], jaccard=round(r[1][0][1][0], 4), containment=round(r[1][0][1][1], 4),
        cosine=round(r[1][0][1][2], 4)))

    assignments_df = spark.createDataFrame(assignments, "id string, cluster_id string, is_representative boolean")
    matches_df = spark.createDataFrame(
        matches, "cluster_id string, id string, jaccard double, containment double, cosine double")
    stats = {"documents": n_docs, "document_candidates": candidates.count(), "capped_buckets": capped.value,
             "partitions": indexed.getNumPartitions()}
    return SparkScan(assignments_df, matches_df, stats)


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _evidence(indexed, candidates, signer, idf_b, batch_size: int, n: int):
    """(doc, (shingle set, TF-IDF columns, TF-IDF weights)) for the documents of the candidate pairs."""
    wanted = candidates.flatMap(lambda p: [(p[0], None), (p[1], None)]).distinct(n)
    texts = indexed.map(lambda r: (r[0], r[2])).join(wanted, n).map(lambda r: (r[0], r[1][0]))

    def tokenize(rows: Iterator) -> Iterator:
        for batch in _batches(rows, batch_size):
            tokenized = signer.tokens([text for _, text in batch])
            sets = signer.document_sets(tokenized)
            vectors = idf_b.value.transform(tokenized.by_document())
            for i, (idx, _) in enumerate(batch):
                row = vectors[i]
                yield idx, (sets.get(i).copy(), row.indices.copy(), row.data.copy())

    return texts.mapPartitions(tokenize)


def _paired(pairs, values, n: int):
    """((a, b), value of a), value of b) for each pair (a, b), by two joins."""
    by_a = pairs.join(values, n).map(lambda r: (r[1][0], ((r[0], r[1][0]), r[1][1])))
    return by_a.join(values, n).map(lambda r: r[1])


def _scored(pairs, evidence, n: int):
    """((a, b), jaccard, containment, cosine) for document pairs, from their evidence."""
    def score(item):
        (pair, ev_a), ev_b = item
        jaccard, containment = exact_scores(ev_a[0], ev_b[0])
        return pair, jaccard, containment, sparse_dot(ev_a[1], ev_a[2], ev_b[1], ev_b[2])

    return _paired(pairs, evidence, n).map(score)


def _components(edges, n: int):
    """(node, smallest node of its component) for every node on an edge: large-star / small-star rounds."""
    edges = edges.map(lambda e: (max(e), min(e))).distinct(n).persist()
    for _ in range(_MAX_ROUNDS):
        after = _small_star(_large_star(edges, n), n).persist()
        after.count()  # materialized, so each round's lineage starts from the last
        settled = after.subtract(edges, n).isEmpty() and edges.subtract(after, n).isEmpty()
        edges.unpersist()
        edges = after
        if settled:
            break
    # Converged: every edge joins a node to its component's smallest node.
    roots = edges.map(lambda e: (e[1], e[1]))
    return edges.union(roots).reduceByKey(min, n)


def _large_star(edges, n: int):
    """Each node links its larger neighbours to the smallest node of its neighbourhood."""
    def emit(item):
        node, neighbours = item
        smallest = min(min(neighbours), node)
        return [(v, smallest) for v in neighbours if v > node]

    both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])])
    return both.groupByKey(n).mapValues(set).flatMap(emit).distinct(n)


def _small_star(edges, n: int):
    """Each node links itself and its smaller neighbours to the smallest of them."""
    def emit(item):
        node, neighbours = item
        everyone = set(neighbours) | {node}
        smallest = min(everyone)
        return [(v, smallest) for v in everyone if v != smallest]

    oriented = edges.map(lambda e: (max(e), min(e)))
    return oriented.groupByKey(n).flatMap(emit).distinct(n)


def read_paths(spark, paths: list[str], text_field: str = "text", id_field: str = "id",
               date_field: str | None = None):
    """A DataFrame (id, text, and date when ``date_field`` is given) of JSON Lines (optionally gzipped) or
    Parquet inputs; a date column an input lacks is null there."""
    from pyspark.sql import functions as F

    parquet = [p for p in paths if p.endswith(".parquet") or Path(p).is_dir()]
    frames = []
    if parquet:
        frames.append(spark.read.parquet(*parquet))
    rest = [p for p in paths if p not in parquet]
    if rest:
        frames.append(spark.read.json(rest))
    out = None
    for frame in frames:
        missing = [c for c in (id_field, text_field) if c not in frame.columns]
        if missing:
            raise ValueError(f"input has no column {missing[0]!r} (columns: {', '.join(frame.columns)})")
        columns = [F.col(id_field).cast("string").alias("id"), F.col(text_field).cast("string").alias("text")]
        if date_field is not None:
            date = F.col(date_field) if date_field in frame.columns else F.lit(None)
            columns.append(date.cast("string").alias("date"))
        frame = frame.select(*columns)
        out = frame if out is None else out.unionByName(frame)
    return out


def run(paths: list[str], output: str, scanner: CorpusScanner | None = None, text_field: str = "text",
        id_field: str = "id", master: str | None = None) -> dict:
    """Scan ``paths`` on Spark and write ``output``/assignments and ``output``/matches as Parquet."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("dedup scan")
    if master:
        builder = builder.master(master)
    launched = "PYSPARK_GATEWAY_PORT" in os.environ  # by spark-submit, whose settings stand
    if not os.environ.get("PYSPARK_PYTHON") and (master or ("" if launched else "local")).startswith("local"):
        # Local Python workers run this interpreter: a venv's `dedup` run without activating the venv
        # otherwise starts workers on the system python3, which lacks dedup's dependencies. PySpark
        # reads the variable itself when it starts the context (the spark.pyspark.python setting is
        # spark-submit's).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = builder.getOrCreate()
    scanner = scanner or CorpusScanner(detector=None)
    date_field = scanner.date_field if scanner.keep == "earliest" else None
    result = scan_dataframe(read_paths(spark, paths, text_field, id_field, date_field), scanner,
                            date_col=None if date_field is None else "date")
    result.assignments.write.mode("overwrite").parquet(f"{output}/assignments")
    result.matches.write.mode("overwrite").parquet(f"{output}/matches")
    clusters = result.assignments.filter("not is_representative").select("cluster_id").distinct().count()
    return {**result.stats, "clusters": clusters, "keep": scanner.keep, "output": output,
            "written": [f"{output}/assignments", f"{output}/matches"]}
