"""The corpus scan on Spark (local[2]) against the local engine: the same clusters, representatives and scores."""

import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'dedup[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (apt-get install default-jre-headless; .ci/run does)",
                allow_module_level=True)

from dedup.corpus.scanner import CorpusScanner  # noqa: E402
from dedup.corpus.spark import scan_dataframe  # noqa: E402
from dedup.io.readers import Document  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from corpusgen import generate  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Python workers run the tests' interpreter, activated venv or not (PySpark reads this variable).
    previous = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("dedup-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if previous is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = previous


def _spark_clusters(result) -> tuple[set[frozenset[str]], set[str], dict]:
    rows = result.assignments.collect()
    members = defaultdict(set)
    for r in rows:
        members[r.cluster_id].add(r.id)
    clusters = {frozenset(m) for m in members.values() if len(m) > 1}
    representatives = {r.id for r in rows if r.is_representative and len(members[r.cluster_id]) > 1}
    scores = {(r.cluster_id, r.id): (r.jaccard, r.containment, r.cosine) for r in result.matches.collect()}
    assert len(rows) == len({r.id for r in rows})  # one row per document
    return clusters, representatives, scores


def test_spark_engine_matches_the_local_engine(spark):
    corpus, planted = generate(2000, dup_rate=0.10, seed=5)
    local = CorpusScanner(detector=None).scan(Document(d["id"], d["text"]) for d in corpus)
    df = spark.createDataFrame([(d["id"], d["text"]) for d in corpus], "id string, text string")
    result = scan_dataframe(df)
    clusters, representatives, scores = _spark_clusters(result)
    assert clusters == {frozenset(c.members) for c in local.clusters}
    assert len(clusters) > 100  # the planted copies with Jaccard or containment >= 0.8
    assert representatives == {c.representative for c in local.clusters}
    assert scores == {(c.representative, m.b): (m.jaccard, m.containment, m.cosine)
                      for c in local.clusters for m in c.matches}
    assert result.stats["documents"] == 2000 and result.stats["capped_buckets"] == 0


def test_huge_buckets_are_capped_and_counted_as_locally(spark):
    same = "The same syndicated wire story, word for word, in every paper that bought it this week. " * 8
    docs = [(f"copy{i}", same) for i in range(6)] + [("other", "A different story about the harbour. " * 8)]
    local_scanner = CorpusScanner(detector=None)
    local_scanner.lsh.max_bucket = 4
    local = local_scanner.scan(Document(i, t) for i, t in docs)
    scanner = CorpusScanner(detector=None)
    scanner.lsh.max_bucket = 4
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner)
    clusters, _, _ = _spark_clusters(result)
    assert clusters == {frozenset(c.members) for c in local.clusters} == set()  # every band bucket held 6 > 4
    assert result.stats["capped_buckets"] == local.stats["capped_buckets"] > 0


def test_cli_engine_spark_writes_parquet(spark, tmp_path):
    import json

    from click.testing import CliRunner

    from dedup.cli.main import main

    from .planted import planted_corpus

    records, expected = planted_corpus(seed=3, originals=30)
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--text-field", "body",
                                  "--spark-output", str(out), "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"] == len(records) and summary["clusters"] == len(expected)
    rows = spark.read.parquet(str(out / "assignments")).collect()
    members = defaultdict(set)
    for r in rows:
        members[r.cluster_id].add(r.id)
    assert {frozenset(m) for m in members.values() if len(m) > 1} == {frozenset(c) for c in expected}
    assert spark.read.parquet(str(out / "matches")).count() == sum(len(c) - 1 for c in expected)
    missing = runner.invoke(main, ["scan", "--engine", "spark", str(source)])
    assert missing.exit_code == 2 and "--spark-output" in missing.output
    bad = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--spark-output", str(out),
                               "--text-field", "nope"])
    assert bad.exit_code == 1 and "no column 'nope'" in bad.output


def test_parquet_input_gives_the_same_clusters(spark, tmp_path):
    from dedup.corpus.spark import read_paths

    from .planted import planted_corpus

    records, expected = planted_corpus(seed=4, originals=20)
    path = str(tmp_path / "news.parquet")
    spark.createDataFrame([(r["id"], r["body"]) for r in records], "url string, body string").write.parquet(path)
    frame = read_paths(spark, [path], text_field="body", id_field="url")
    clusters, _, _ = _spark_clusters(scan_dataframe(frame))
    assert clusters == {frozenset(c) for c in expected}


def test_keep_rules_choose_the_same_representative_as_locally(spark, tmp_path):
    """``keep`` on Spark is the local rule (``dedup.cluster.keep.rank`` in the reduceByKey): the issue's four copies,
    in an order where the first, the longest and the earliest are three different copies."""
    from dedup.corpus.spark import run

    from .test_keep import DATES, _documents, _jsonl

    docs = _documents()
    docs = [docs[1], docs[0], *docs[2:]]  # the half, the editor's note (longest), the original (earliest), edited
    df = spark.createDataFrame([(d.id, d.text) for d in docs], "id string, text string")
    for rule, kept in (("first", "4-half.txt"), ("longest", "3-editors-note.txt")):
        scanner = CorpusScanner(detector=None, keep=rule)
        local = scanner.scan(Document(d.id, d.text) for d in docs)
        _, representatives, _ = _spark_clusters(scan_dataframe(df, scanner))
        assert representatives == {c.representative for c in local.clusters} == {kept}, rule
    # earliest through the command line's path: the date field read from JSON Lines by read_paths.
    summary = run([str(_jsonl(tmp_path, DATES))], str(tmp_path / "out"),
                  CorpusScanner(detector=None, keep="earliest", date_field="published"), text_field="body")
    assert summary["keep"] == "earliest"
    rows = spark.read.parquet(str(tmp_path / "out" / "assignments")).collect()
    assert {r.cluster_id for r in rows} == {"1-original.txt"}
    assert [r.id for r in rows if r.is_representative] == ["1-original.txt"]
