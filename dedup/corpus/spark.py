"""The corpus scan on Apache Spark (``dedup[spark]``): near-duplicate clusters, passages reused between
documents, and restatements inside each document.

The same pipeline as ``CorpusScanner``, spread over a cluster, calling the
library's own code on every executor (no second implementation):

1. sign: ``mapPartitions`` runs the scanner's ``BatchSigner`` (tokenizing,
   shingling, one-permutation MinHash, the reuse search's seeds, and which
   documents a headline, amounts or a shared run may restate) over batches of
   documents and its ``LSHBanding.band_keys``; each partition also counts the
   hashed-token document frequencies, summed into the corpus IDF;
2. candidates: (band key, document) rows grouped by key; buckets larger than
   ``max_bucket`` pair each member with the first only and are counted (``capped_buckets``), as locally;
   pairs whose MinHash estimate is far below the threshold are dropped;
3. confirm: the documents in a candidate pair are tokenized again for their
   exact shingle sets and TF-IDF rows under the broadcast IDF; a pair is
   confirmed on exact Jaccard or containment and cosine, as locally;
4. cluster (``spark_clusters``): connected components of the confirmed pairs, on the driver when the
   candidates are few enough to collect their scores, else by distributed large-star/small-star rounds; the
   member ranked first by the scanner's ``keep`` rule (``dedup.cluster.keep.rank``: the longest, the first
   in input order, or the earliest dated) represents its cluster;
5. reuse (``spark_reuse``): the seeds' keys grouped on the executors into the candidate pairs
   ``ReuseSearch.candidates`` gives, less pairs inside one cluster, aligned by ``align_units``;
6. restatements (``spark_restate``): the documents the local scan searches, searched by the detector.

Output: ``assignments`` (id, cluster_id, is_representative) for every
document; ``matches`` (cluster_id, id, jaccard, containment, cosine), each
member against its representative; ``reuse`` (``spark_reuse.REUSE_SCHEMA``) with the scanner's reuse search;
``restatements`` (id, paragraphs, groups, matches, candidates_dropped) with its detector.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from dedup.cluster.keep import timestamp
from dedup.confirm.idf import HashedIdf
from dedup.corpus.candidates import worth_confirming
from dedup.corpus.scanner import CorpusScanner
from dedup.corpus.spark_clusters import clusters as find_clusters
from dedup.corpus.spark_input import hadoop_path, read_inputs
from dedup.corpus.spark_interrupt import Interrupt, cancelled_on_interrupt, started
from dedup.corpus.spark_rdd import batches, paired
from dedup.corpus.spark_restate import restatement_rows
from dedup.corpus.spark_reuse import REUSE_SCHEMA, aligned, candidate_pairs, furniture_forms, global_seeds
from dedup.io.readers import DEFAULT_MAX_BYTES
from dedup.records import Report
from dedup.sketch.minhash import estimated_scores
from dedup.util.validate import text_problem

RESTATEMENTS_SCHEMA = "id string, paragraphs int, groups string, matches string, candidates_dropped int, error string"


@dataclass
class SparkScan:
    """What ``scan_dataframe`` returns: the DataFrames and the counts of the run."""

    assignments: "object"  # pyspark DataFrame: id, cluster_id, is_representative
    matches: "object"  # pyspark DataFrame: cluster_id, id, jaccard, containment, cosine
    stats: dict
    reuse: "object" = None  # pyspark DataFrame (REUSE_SCHEMA), or None when the scanner has no reuse search
    restatements: "object" = None  # pyspark DataFrame (RESTATEMENTS_SCHEMA), or None without a detector


def scan_dataframe(df, scanner: CorpusScanner | None = None, id_col: str = "id", text_col: str = "text",
                   batch_size: int = 256, date_col: str | None = None,
                   report_to_dict: Callable[[Report], dict] | None = None) -> SparkScan:
    """Near-duplicate clusters, reused passages and restatements of the documents in ``df`` (columns ``id_col``
    and ``text_col``).

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per document; ids must be unique. A row whose text is null, empty, without words or not a
        string is left out, as the local scan skips it, and counted in ``stats["skipped"]``.
    scanner : CorpusScanner, optional
        Its parameters (shingles, signatures, bands, thresholds, ``reuse`` search, ``detector``) are used as
        they are locally; default ``CorpusScanner(detector=None)`` (reuse on, no restatements).
    id_col, text_col : str
        Column names.
    date_col : str, optional
        With ``scanner.keep == "earliest"``: the column of each document's date (ISO 8601 strings or
        timestamps); absent or None, documents are undated and rank in input order.
    batch_size : int, default=256
        Documents per batch handed to numpy inside a partition.
    report_to_dict : callable, optional
        With a ``scanner.detector``: ``dedup.report.formats.report_to_dict``, which writes each document's
        restatements as the JSON report does (the report layer sits above this one, so it is handed in).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import NumericType

    scanner = scanner or CorpusScanner(detector=None)
    if scanner.detector is not None and report_to_dict is None:
        raise ValueError("restatements on Spark need report_to_dict=dedup.report.formats.report_to_dict "
                         "(or a scanner with detector=None)")
    spark = df.sparkSession
    sc = spark.sparkContext
    signer, lsh, n_features, search = scanner.signer, scanner.lsh, scanner.n_features, scanner.reuse
    within = scanner.detector is not None
    # Input order numbers the documents, so ties (representatives) break as they do locally.
    keep = scanner.keep
    dated = keep == "earliest" and date_col is not None and date_col in df.columns
    # A column of numbers (epoch seconds, as ``read_inputs`` gives) is read as numbers; others as ISO 8601 text.
    numeric = dated and isinstance(df.schema[date_col].dataType, NumericType)
    date = (F.col(date_col).cast("double") if numeric else F.col(date_col).cast("string")) if dated else F.lit(None)
    rows = df.select(id_col, text_col, date).rdd
    n = max(sc.defaultParallelism, rows.getNumPartitions())  # partitions of signing and of every shuffle
    # Spread after numbering: a gzipped input arrives as one partition.
    # A row whose text is null, empty, wordless or no string is no document, as ``CorpusScanner.scan`` skips it
    # (it was scanned as one, and counted in the corpus IDF); how many, in ``stats["skipped"]``. Left out before
    # the documents are numbered: numbered first, they reached past the count, and reuse pairs decoded wrong.
    skipped = rows.filter(lambda r: text_problem(r[1]) is not None).count()
    indexed = rows.filter(lambda r: text_problem(r[1]) is None).zipWithIndex().map(
        lambda r: (r[1], r[0][0], r[0][1], timestamp(r[0][2]))).repartition(n).cache()

    def sign(rows: Iterator) -> Iterator:
        df_counts, count = np.zeros(n_features, dtype=np.int64), 0
        for batch in batches(rows, batch_size):
            signed = signer([row[2] for row in batch])
            df_counts += np.bincount(signed.buckets, minlength=n_features)
            count += len(batch)
            keys = lsh.band_keys(signed.signatures).view(np.int64)
            for i, (idx, doc_id, _, date) in enumerate(batch):
                yield ("doc", (idx, doc_id, int(signed.lengths[i]), int(signed.sizes[i]),
                               signed.signatures[i].tobytes(), keys[i].tolist(), date))
            if within:  # documents the restatement search may be worth, and whether a rule flags them
                for i in np.flatnonzero(signed.paragraphs >= 2).tolist():
                    yield ("restate", (batch[i][0], bool(signed.restate[i])))
            if signed.reuse is not None:
                yield ("seeds", global_seeds(signed.reuse, np.array([row[0] for row in batch], dtype=np.int64)))
        yield ("df", (df_counts, count))

    signed = indexed.mapPartitions(sign).cache()
    docs = signed.filter(lambda r: r[0] == "doc").map(lambda r: r[1]).cache()
    df_total, n_docs = signed.filter(lambda r: r[0] == "df").map(lambda r: r[1]).reduce(
        lambda x, y: (x[0] + y[0], x[1] + y[1]))
    idf = HashedIdf(n_features)
    idf.load(df_total, n_docs)
    idf.idf()
    idf_b = sc.broadcast(idf)

    max_bucket = lsh.max_bucket
    capped = sc.accumulator(0)

    def bucket_pairs(item) -> Iterator[tuple[int, int]]:
        members = sorted(item[1])
        if len(members) > max_bucket:  # as ``lsh_budget.hub_pair_codes``: each member with the first
            capped.add(1)
            yield from ((members[0], b) for b in members[1:])
            return
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield (a, b)

    band_rows = docs.filter(lambda d: d[3] > 0).flatMap(lambda d: [(key, d[0]) for key in d[5]])
    pairs = band_rows.groupByKey(n).flatMap(bucket_pairs).distinct(n)
    signatures = docs.map(lambda d: (d[0], (np.frombuffer(d[4], dtype=np.uint32), d[3])))
    threshold = scanner.jaccard_threshold

    def estimated(item) -> bool:
        (_, (sig_a, size_a)), (sig_b, size_b) = item
        jaccard, containment = estimated_scores(sig_a[None], sig_b[None], np.array([size_a]), np.array([size_b]))
        return bool(worth_confirming(jaccard, containment, threshold)[0])

    candidates = paired(pairs, signatures, n).filter(estimated).map(lambda r: r[0][0]).cache()
    n_candidates = candidates.count()
    evidence = _evidence(indexed, candidates, signer, idf_b, batch_size, n).cache()
    found = find_clusters(candidates, n_candidates, evidence, docs, keep, threshold, scanner.cosine_threshold, n)

    assignments_df = spark.createDataFrame(found.assignments, "id string, cluster_id string, is_representative boolean")
    matches_df = spark.createDataFrame(
        found.matches, "cluster_id string, id string, jaccard double, containment double, cosine double")
    stats = {"skipped": skipped, "documents": n_docs, "document_candidates": n_candidates,
             "capped_buckets": capped.value, "partitions": indexed.getNumPartitions(), "clusters": found.count,
             "components_on": found.where}
    if keep == "earliest":  # as the local scan says it: an absent or misspelt date field does not go unnoticed
        stats["undated_documents"] = indexed.filter(lambda r: r[3] is None).count()
    reuse_df = restatements_df = None
    if search is not None:
        seeds = signed.filter(lambda r: r[0] == "seeds").map(lambda r: r[1])
        furniture_b = spark.sparkContext.broadcast(furniture_forms(seeds, search, n_docs, n))
        flagged = candidate_pairs(seeds, search, idf_b, n_docs, n, furniture_b).cache()
        texts = indexed.map(lambda r: (r[0], (r[1], r[2])))
        found_rows = None
        stats["reuse_candidates"] = 0
        for copied in (True, False):
            pairs_ = found.apart(flagged.filter(lambda r, c=copied: r[2] == c).map(lambda r: (r[0], r[1]))).cache()
            stats["reuse_candidates"] += pairs_.count()
            rows_ = aligned(pairs_, texts, signer, idf_b, n, copied, furniture_b)
            found_rows = rows_ if found_rows is None else found_rows.union(rows_)
        found_rows = found_rows.cache()
        stats["reuse_screened_out"] = int(found_rows.filter(lambda r: r[0] == "screened_out").map(
            lambda r: r[1]).sum())
        stats["reuse_alignment_failed"] = found_rows.filter(lambda r: r[0] == "failed").map(lambda r: r[1]).collect()
        stats["reuse_furniture_forms"] = int(len(furniture_b.value))
        stats["reuse_furniture_passages"] = int(found_rows.filter(lambda r: r[0] == "furniture_out").map(
            lambda r: r[1]).sum())
        reuse_df = spark.createDataFrame(found_rows.filter(lambda r: r[0] == "reuse").map(lambda r: r[1]),
                                         REUSE_SCHEMA)
    if within:
        restatements_df = spark.createDataFrame(
            restatement_rows(signed, indexed, signer, idf_b, n_docs, n, report_to_dict), RESTATEMENTS_SCHEMA)
    return SparkScan(assignments_df, matches_df, stats, reuse_df, restatements_df)


def _evidence(indexed, candidates, signer, idf_b, batch_size: int, n: int):
    """(doc, (shingle set, TF-IDF columns, TF-IDF weights)) for the documents of the candidate pairs."""
    wanted = candidates.flatMap(lambda p: [(p[0], None), (p[1], None)]).distinct(n)
    texts = indexed.map(lambda r: (r[0], r[2])).join(wanted, n).map(lambda r: (r[0], r[1][0]))

    def tokenize(rows: Iterator) -> Iterator:
        for batch in batches(rows, batch_size):
            tokenized = signer.tokens([text for _, text in batch])
            sets = signer.document_sets(tokenized)
            vectors = idf_b.value.transform(tokenized.by_document())
            for i, (idx, _) in enumerate(batch):
                row = vectors[i]
                yield idx, (sets.get(i).copy(), row.indices.copy(), row.data.copy())

    return texts.mapPartitions(tokenize)


RESULTS = ("assignments", "matches", "reuse", "restatements")  # the folders a run writes under its output


def _stranger(folder: str) -> str | None:
    """The first entry of ``folder`` that is not Spark's own (``_SUCCESS``, ``part-*`` files and their checksums,
    the ``_temporary`` folder of a write cut off), or None: a folder of Spark's files alone is an earlier run's
    output. A user's folder of that name (``reuse/src/main.py``) was deleted with them, and a link stopped the
    run."""
    for entry in os.scandir(folder):
        name = entry.name
        if name in ("_SUCCESS", "._SUCCESS.crc") and entry.is_file(follow_symlinks=False):
            continue
        if name.startswith(("part-", ".part-")) and entry.is_file(follow_symlinks=False):
            continue
        if name == "_temporary" and entry.is_dir(follow_symlinks=False):
            continue
        return name
    return None


def earlier_results(output: str, paths: list[str], writes: set[str]) -> list[str]:
    """The earlier run's result folders under a local ``output``, which a run removes before it writes any of
    its own (so that a run cut off between two folders leaves none of the earlier run's beside its own).

    Raises ``ValueError`` for a folder this run ``writes`` that is a link or holds anything but Spark's files,
    and for an input inside a result folder: Spark's overwrite deleted them (a user's files, the run's own
    input). A folder this run does not write that holds other things is left as it is."""
    found = []
    for name in RESULTS:
        folder = f"{output}/{name}"
        if not os.path.lexists(folder):
            continue
        inside = [p for p in paths if "://" not in p and p != "-" and
                  os.path.commonpath([os.path.realpath(p), os.path.realpath(folder)]) == os.path.realpath(folder)]
        stranger = "a link" if os.path.islink(folder) else None if os.path.isdir(folder) else "a file"
        stranger = stranger or _stranger(folder)
        if inside and (name in writes or stranger is None):  # replaced, or removed as an earlier run's
            raise ValueError(f"--spark-output {output}: input {inside[0]} lies in {name}/, which the scan "
                             f"{'replaces' if name in writes else 'removes'}; move it or give another folder")
        if stranger is None:
            found.append(folder)
        elif name in writes:
            raise ValueError(f"--spark-output {output}: {name}/ holds {stranger!r}, not an earlier scan's Parquet "
                             f"output; the scan replaces {name}/ whole: move it or give another folder")
    return found


def run(paths: list[str], output: str, scanner: CorpusScanner | None = None, text_field: str = "text",
        id_field: str = "id", master: str | None = None,
        report_to_dict: Callable[[Report], dict] | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
        progress: bool = True) -> dict:
    """Scan ``paths`` on Spark and write Parquet under ``output``: assignments/ and matches/, reuse/ with the
    scanner's reuse search, restatements/ with its detector (``report_to_dict``: see ``scan_dataframe``). The
    inputs are read by the local readers' rules (``spark_input``): the summary counts and names the skipped.
    ``progress=False``: no stage bars on stderr (``spark.ui.showConsoleProgress``; spark-submit's settings stand)."""
    from pyspark.sql import SparkSession

    output = output.rstrip("/") or "/"  # its folders named out/assignments, not out//assignments
    builder = SparkSession.builder.appName("dedup scan")
    if not progress:
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    launched = "PYSPARK_GATEWAY_PORT" in os.environ  # by spark-submit, whose settings stand
    if not os.environ.get("PYSPARK_PYTHON") and (master or ("" if launched else "local")).startswith("local"):
        # Local Python workers run this interpreter: a venv's `dedup` run without activating the venv
        # otherwise starts workers on the system python3, which lacks dedup's dependencies. PySpark
        # reads the variable itself when it starts the context (the spark.pyspark.python setting is
        # spark-submit's).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    scanner = scanner or CorpusScanner(detector=None)
    writes = {"assignments", "matches"} | ({"reuse"} if scanner.reuse is not None else set()) | (
        {"restatements"} if scanner.detector is not None else set())
    earlier = earlier_results(output, paths, writes) if "://" not in output else []  # refused before the job
    spark = started(builder)
    with cancelled_on_interrupt(spark.sparkContext) as interrupted:
        return _scan_and_write(spark, paths, output, scanner, text_field, id_field, report_to_dict, max_bytes,
                               earlier, interrupted)


def _scan_and_write(spark, paths: list[str], output: str, scanner: CorpusScanner, text_field: str, id_field: str,
                    report_to_dict: Callable[[Report], dict] | None, max_bytes: int, earlier: list[str],
                    interrupted: Interrupt) -> dict:
    date_field = scanner.date_field if scanner.keep == "earliest" else None
    frame, skips = read_inputs(spark, paths, text_field, id_field, date_field, max_bytes)
    result = scan_dataframe(frame, scanner, date_col=None if date_field is None else "date",
                            report_to_dict=report_to_dict)
    summary = {**result.stats, **skips, "keep": scanner.keep, "output": output, "written": []}
    with interrupted.held():  # all of the earlier run's, before any of this run's is written: never a mix
        for folder in earlier:
            shutil.rmtree(folder)
    begun = []
    try:
        for name, frame in zip(RESULTS, (result.assignments, result.matches, result.reuse, result.restatements)):
            if frame is not None:
                begun.append(f"{output}/{name}")
                frame.write.mode("overwrite").parquet(f"{output}/{name}")
                summary["written"].append(f"{output}/{name}")
    except BaseException:  # after Ctrl-C, SIGTERM: none of this run's folders, not some (a set is one run's)
        if interrupted.is_set() and "://" not in output:
            for folder in begun:
                shutil.rmtree(folder, ignore_errors=True)
        raise
    for name, stat in (("reuse", "reuse_passages"), ("restatements", "restatement_documents")):
        if f"{output}/{name}" in summary["written"]:
            written = spark.read.parquet(hadoop_path(f"{output}/{name}"))  # "out[1]": no pattern
            summary[stat] = written.count()  # the files' row counts
            if name == "restatements":  # rows of documents the search failed on (``util.faults.Failed``)
                failed = written.filter("error IS NOT NULL").collect()
                summary["restatement_search_failed"] = [{"id": r.id, "error": r.error} for r in failed]
    return summary
