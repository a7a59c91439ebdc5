"""The corpus scan on Spark (local[2]) against the local engine: the same clusters, representatives and scores,
the same reused passages, the same restatements inside documents."""

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install 'dedup[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (apt-get install default-jre-headless; .ci/run does)",
                allow_module_level=True)

from dedup.corpus import spark_clusters  # noqa: E402
from dedup.corpus.scanner import CorpusScanner  # noqa: E402
from dedup.corpus.spark import scan_dataframe  # noqa: E402
from dedup.io.readers import Document  # noqa: E402
from dedup.report.formats import report_to_dict  # noqa: E402
from dedup.reuse.search import KEY_SETTINGS, ReuseSearch  # noqa: E402

from .test_reuse import reuse_corpus as _reuse_corpus  # noqa: E402

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


def _spark_reuse(result, order: list[str]) -> list[tuple]:
    """The reuse rows as the local records' fields, sorted as the local engine sorts them (input positions of
    a and b, then a's span)."""
    position = {doc_id: i for i, doc_id in enumerate(order)}
    rows = [(r.a, r.b, (r.a_start, r.a_end), (r.b_start, r.b_end), r.score, r.jaccard, r.cosine, r.kind,
             tuple((s.a, s.b, s.cosine) for s in r.sentences)) for r in result.reuse.collect()]
    return sorted(rows, key=lambda r: (position[r[0]], position[r[1]], r[2]))


def _local_reuse(report) -> list[tuple]:
    return [(r.a, r.b, r.a_span, r.b_span, r.score, r.jaccard, r.cosine, r.kind,
             tuple((s.a, s.b, s.cosine) for s in r.sentences)) for r in report.reuse]


def _same_clusters(result, local) -> None:
    clusters, representatives, scores = _spark_clusters(result)
    assert clusters == {frozenset(c.members) for c in local.clusters}
    assert representatives == {c.representative for c in local.clusters}
    assert scores == {(c.representative, m.b): (m.jaccard, m.containment, m.cosine)
                      for c in local.clusters for m in c.matches}
    assert result.stats["clusters"] == len(local.clusters)


def test_spark_engine_matches_the_local_engine(spark):
    corpus, planted = generate(2000, dup_rate=0.10, seed=5)
    local = CorpusScanner(detector=None).scan(Document(d["id"], d["text"]) for d in corpus)
    df = spark.createDataFrame([(d["id"], d["text"]) for d in corpus], "id string, text string")
    result = scan_dataframe(df)
    _same_clusters(result, local)
    assert len(local.clusters) > 100  # the planted copies with Jaccard or containment >= 0.8
    assert result.stats["documents"] == 2000 and result.stats["capped_buckets"] == 0
    assert result.stats["components_on"] == "driver" and result.restatements is None
    # Reuse: none planted here, but what the local engine finds (chance pairs, copies below the thresholds).
    assert _spark_reuse(result, [d["id"] for d in corpus]) == _local_reuse(local)
    assert result.stats["reuse_candidates"] == local.stats["reuse_candidates"]


# Each setting of the sentence keys once: the MinHash keys ("uncommon") make chance candidates here, which the
# screen must drop on both engines alike; the default keys' candidates all pass it.
@pytest.mark.parametrize("components, keys", [("driver", "pairs"), ("distributed", "uncommon")])
def test_reused_passages_match_the_local_engine(spark, monkeypatch, components, keys):
    docs = _reuse_corpus()
    scanner = CorpusScanner(detector=None, reuse=ReuseSearch(**KEY_SETTINGS[keys]))
    local = scanner.scan(Document(i, t) for i, t in docs)
    if components == "distributed":  # as past the bound on candidate pairs collected to the driver
        monkeypatch.setattr(spark_clusters, "DRIVER_PAIRS", -1)
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner)
    assert result.stats["components_on"] == components
    _same_clusters(result, local)
    found = _spark_reuse(result, [i for i, _ in docs])
    assert found == _local_reuse(local)
    assert result.stats["reuse_candidates"] == local.stats["reuse_candidates"]
    assert result.stats["reuse_screened_out"] == local.stats["reuse_screened_out"]
    assert local.stats["reuse_screened_out"] > 0 or keys == "pairs"
    pairs = {(r[0], r[1]) for r in found}
    assert ("source", "copy") in pairs and ("source", "reworded") in pairs
    assert sum(1 for a, b in pairs if a.startswith("d0") and b.startswith("d0")) >= 10  # pasted passages
    assert any(set(c.members) == {"source", "source-copy"} for c in local.clusters)
    assert not {("source", "source-copy"), ("source-copy", "source")} & pairs  # inside a cluster: not reuse
    kinds = {r[7] for r in found}
    assert "verbatim" in kinds and kinds - {"verbatim"}  # copies, and the reworded passage


def test_page_furniture_is_left_out_as_locally(spark):
    # 40 pages with a templated footer (``test_furniture``): the footer's forms counted across the batches, its
    # keys dropped, and the footers of the two pages sharing a passage not reported as a passage of their own.
    from .test_furniture import _site

    docs = _site(40, "templated", top=True)
    local = CorpusScanner(detector=None).scan(Document(i, t) for i, t in docs)
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), CorpusScanner(detector=None))
    found = _spark_reuse(result, [i for i, _ in docs])
    assert found == _local_reuse(local) and [(r[0], r[1]) for r in found] == [("p004", "p011")]
    for name in ("reuse_candidates", "reuse_furniture_forms", "reuse_furniture_passages"):
        assert result.stats[name] == local.stats[name]
    assert local.stats["reuse_furniture_passages"] == 1
    # Rows that are no documents (null or wordless text) before them: left out before the documents are numbered
    # (numbered first, the reuse pairs' numbers reached past the count and decoded to other documents).
    bad = [(f"bad{i}", None if i % 2 else "!!") for i in range(30)]  # p011 numbered 41 of 40 documents
    result = scan_dataframe(spark.createDataFrame(bad + docs, "id string, text string"), CorpusScanner(detector=None))
    assert result.stats["skipped"] == 30 and _spark_reuse(result, [i for i, _ in docs]) == found


def test_the_partner_cap_keeps_the_same_pairs_as_the_local_engine(spark):
    # Every document shares a footer, a third of them a second one too: each has dozens of partners sharing
    # enough keys, and keeps its 3 strongest (a tie at the cap kept whole up to 6, a larger one cut at 3 by the
    # lower pair), on Spark as on one machine. (Copied-run
    # keys, which pair documents whatever the cap, are sampled away here: the hash-sampled keys, not winnowed.)
    from dedup.reuse.search import ReuseSearch

    from .test_reuse import _filler, _join

    footers = ["Sign up for our morning briefing to get the top stories of the day delivered to your inbox.",
               "Readers may write to the letters desk about any article, quoting its headline and its date."]
    docs = [(f"t{i:02d}", _join(_filler(700 + i) + footers[:1 + (i % 3 == 0)])) for i in range(45)]

    def scanner(max_partners):
        return CorpusScanner(detector=None, reuse=ReuseSearch(max_bucket=100, max_partners=max_partners, copy_window=0,
                                                              copy_sample=1 << 40, common_share=1.0))

    local = scanner(3).scan(Document(i, t) for i, t in docs)
    uncapped = scanner(0).scan(Document(i, t) for i, t in docs)
    assert 45 * 3 // 2 <= local.stats["reuse_candidates"] <= 45 * 3 < uncapped.stats["reuse_candidates"]
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner=scanner(3))
    assert result.stats["reuse_candidates"] == local.stats["reuse_candidates"]
    assert _spark_reuse(result, [i for i, _ in docs]) == _local_reuse(local)


def test_reused_passages_do_not_depend_on_the_input_order_as_locally(spark):
    # The bundled article and a page copying two of its paragraphs (``test_reuse_order``): each pair is aligned
    # with the longer text first, whichever was read first, on the executors as on one machine.
    from .test_reuse_order import ARTICLE, COPY

    docs = [("article", ARTICLE), ("copy", COPY)]
    found = []
    for order in (docs, docs[::-1]):
        local = CorpusScanner(detector=None).scan(Document(i, t) for i, t in order)
        result = scan_dataframe(spark.createDataFrame(order, "id string, text string"))
        rows = _spark_reuse(result, [i for i, _ in order])
        # Two records, the article's two paragraphs the page copies; the article's later restatement of the Hegseth
        # sentence copied in the first is no third record (``passage_record.without_restated_twice``).
        assert rows == _local_reuse(local) and len(rows) == 2
        found.append({(frozenset({(r[0], r[2]), (r[1], r[3])}), r[4], r[7]) for r in rows})
    assert found[0] == found[1]


def test_restatements_match_the_local_engine(spark):
    from dedup.article.detector import Detector

    root = Path(__file__).resolve().parent.parent / "data"
    paths = [root / "vance_article.txt", *sorted((root / "dev").glob("*.txt"))[:4]]
    docs = [(p.name, p.read_text(encoding="utf-8")) for p in paths]
    docs.append(("plain", "A single paragraph that restates nothing at all."))
    scanner = CorpusScanner(detector=Detector(), reuse=False)
    local = scanner.scan(Document(i, t) for i, t in docs)
    expected = {r.id: {**report_to_dict(r.report), "id": r.id} for r in local.documents if r.report is not None}
    assert "vance_article.txt" in expected and len(expected) >= 3
    with pytest.raises(ValueError, match="report_to_dict"):
        scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner)
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner,
                            report_to_dict=report_to_dict)
    assert result.reuse is None
    found = {}
    for row in result.restatements.collect():
        found[row.id] = {"id": row.id, "paragraphs": row.paragraphs, "groups": json.loads(row.groups),
                         "matches": json.loads(row.matches),
                         **({"candidates_dropped": row.candidates_dropped} if row.candidates_dropped else {})}
    assert found == expected


def test_huge_buckets_pair_with_their_first_member_as_locally(spark):
    same = "The same syndicated wire story, word for word, in every paper that bought it this week. " * 8
    docs = [(f"copy{i}", same) for i in range(6)] + [("other", "A different story about the harbour. " * 8)]
    local_scanner = CorpusScanner(detector=None)
    local_scanner.lsh.max_bucket = 4
    local = local_scanner.scan(Document(i, t) for i, t in docs)
    scanner = CorpusScanner(detector=None)
    scanner.lsh.max_bucket = 4
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"), scanner)
    clusters, _, _ = _spark_clusters(result)
    # Every band's bucket held 6 > 4: each copy paired with the first, so the six are still one cluster.
    assert clusters == {frozenset(c.members) for c in local.clusters} == {frozenset(f"copy{i}" for i in range(6))}
    assert result.stats["capped_buckets"] == local.stats["capped_buckets"] > 0


def test_cli_engine_spark_writes_parquet(spark, tmp_path):
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
    # Reuse and restatements are on by default, as locally: both written, counted in the summary.
    assert summary["written"] == [str(out / name) for name in ("assignments", "matches", "reuse", "restatements")]
    assert spark.read.parquet(str(out / "reuse")).count() == summary["reuse_passages"]
    assert spark.read.parquet(str(out / "restatements")).count() == summary["restatement_documents"]
    local = runner.invoke(main, ["scan", str(source), "--text-field", "body", "-f", "json"])
    report = json.loads(local.stdout)
    assert summary["reuse_passages"] == len(report["reuse"])
    assert summary["restatement_documents"] == sum(1 for d in report["documents"]
                                                   if d["matches"] or d.get("candidates_dropped"))
    missing = runner.invoke(main, ["scan", "--engine", "spark", str(source)])
    assert missing.exit_code == 2 and "--spark-output" in missing.output
    bad = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--spark-output", str(out),
                               "--text-field", "nope"])
    assert bad.exit_code == 1 and "no 'nope' field" in bad.output and "--text-field" in bad.output
    # A later run without reuse and restatements into the same folder leaves none of the first run's behind.
    again = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--text-field", "body", "--no-reuse",
                                 "--no-within", "--spark-output", str(out), "--spark-master", "local[2]"])
    assert again.exit_code == 0 and sorted(p.name for p in out.iterdir()) == ["assignments", "matches"]
    # ... but a folder of that name it did not write stays: a user's files, a link (it was deleted, or stopped the run)
    mine = tmp_path / "mine"
    (mine / "reuse" / "src").mkdir(parents=True)
    (mine / "reuse" / "src" / "main.py").write_text("print(1)\n")
    (tmp_path / "keepme").mkdir()
    os.symlink("../keepme", mine / "restatements")
    kept = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--text-field", "body", "--no-reuse",
                                "--no-within", "--spark-output", str(mine), "--spark-master", "local[2]"])
    assert kept.exit_code == 0, kept.output
    assert (mine / "reuse" / "src" / "main.py").read_text() == "print(1)\n" and (mine / "restatements").is_symlink()


def test_parquet_input_gives_the_same_clusters(spark, tmp_path):
    from dedup.corpus.spark_input import read_inputs

    from .planted import planted_corpus

    records, expected = planted_corpus(seed=4, originals=20)
    path = str(tmp_path / "news.parquet")
    spark.createDataFrame([(r["id"], r["body"]) for r in records], "url string, body string").write.parquet(path)
    frame, skips = read_inputs(spark, [path], text_field="body", id_field="url")
    assert skips == {"skipped": 0, "skipped_inputs": [], "records_named_by_id": True}
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
    # earliest through the command line's path: the date field read from JSON Lines by read_inputs.
    summary = run([str(_jsonl(tmp_path, DATES))], str(tmp_path / "out"),
                  CorpusScanner(detector=None, keep="earliest", date_field="published"), text_field="body")
    assert summary["keep"] == "earliest"
    rows = spark.read.parquet(str(tmp_path / "out" / "assignments")).collect()
    assert {r.cluster_id for r in rows} == {"1-original.txt"}
    assert [r.id for r in rows if r.is_representative] == ["1-original.txt"]


def test_a_failed_restatement_search_is_a_row_with_its_error(spark):
    from tests.robustness.test_search_faults import FAULT, FAULTY, RESTATING, FaultyDetector

    docs = [("good", RESTATING), ("bad", FAULTY)]
    result = scan_dataframe(spark.createDataFrame(docs, "id string, text string"),
                            CorpusScanner(detector=FaultyDetector(), reuse=False), report_to_dict=report_to_dict)
    rows = {row.id: row for row in result.restatements.collect()}
    assert rows["bad"].error == f"OverflowError: {FAULT}" and json.loads(rows["bad"].matches) == []
    assert rows["good"].error is None and json.loads(rows["good"].groups)


FAULT_HOOK = '''
import os
if os.environ.get("DEDUP_TEST_FAULT"):  # this test's own switch: the alignment raises on the pairs of one document
    import dedup.reuse.align as align

    aligned = align.align_units

    def faulty(units_a, units_b, a_id, b_id, *rest):
        if os.environ["DEDUP_TEST_FAULT"] in (a_id, b_id):
            raise IndexError("a planted fault")
        return aligned(units_a, units_b, a_id, b_id, *rest)

    align.align_units = faulty
'''


def test_a_pair_the_alignment_fails_on_is_named_and_the_rest_written(tmp_path):
    """``dedup scan --engine spark`` in its own process, a fault planted in every Python process it starts (the
    driver and Spark's workers read ``sitecustomize`` from ``PYTHONPATH``): the failed pairs are listed in the
    summary and named on stderr, the other passages written, and the exit status is 1, as locally."""
    from .test_reuse import _corpus

    docs, _ = _corpus()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in docs.items()), encoding="utf-8")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAULT_HOOK, encoding="utf-8")
    paths = [str(hook)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "DEDUP_TEST_FAULT": "reworded",
           "PYSPARK_PYTHON": sys.executable}
    summary_path = tmp_path / "summary.json"
    done = subprocess.run([sys.executable, "-m", "dedup", "scan", str(corpus), "--engine", "spark", "--no-within",
                           "--spark-output", str(tmp_path / "out"), "-o", str(summary_path)],
                          env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    failed = summary["reuse_alignment_failed"]
    assert {"source", "reworded"} in [{f["a"], f["b"]} for f in failed]
    assert all("reworded" in (f["a"], f["b"]) and f["error"] == "IndexError: a planted fault" for f in failed)
    assert "dedup: error: source and reworded: reuse alignment failed (IndexError: a planted fault)" in done.stderr
    assert summary["reuse_passages"] >= 1  # source and copy: aligned and written
    assert "[Stage " not in done.stderr  # Spark's progress bars only on a terminal (stderr is a pipe here)


def test_bad_records_are_skipped_and_named_as_locally(spark, tmp_path):
    """A record the local readers skip (malformed, no text, null or wordless text, a repeated id) is skipped on
    Spark too, and named: Spark's JSON reader took each as a document, which changed the IDF and so the other
    documents' results, and said nothing."""
    from click.testing import CliRunner

    from dedup.cli.main import main

    from .planted import planted_corpus

    records, expected = planted_corpus(seed=5, originals=20)
    bad = ["{broken", json.dumps({"id": "n", "body": None}), json.dumps({"id": "e", "body": ""}),
           json.dumps({"id": "p", "body": "!!! ???"}), json.dumps([1, 2]), json.dumps({"id": "x", "text": "no body"}),
           json.dumps({"id": records[0]["id"], "body": "A later record reusing the first id, about the weather."})]
    lines = [json.dumps(r) for r in records]
    for k, line in enumerate(bad):  # spread among the good records
        lines.insert(3 * k + 2, line)
    lines.insert(5, json.dumps({"body": records[1]["body"] + " An extra sentence, and no id."}))
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["scan", "--engine", "spark", str(source), "--text-field", "body", "--no-within",
                                  "--spark-output", str(tmp_path / "out"), "--spark-master", "local[2]"])
    local = runner.invoke(main, ["scan", str(source), "--text-field", "body", "--no-within", "-f", "json"])
    report = json.loads(local.stdout)
    assert result.exit_code == local.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["skipped"] == len(report["skipped"]) == len(bad)
    assert [item["id"] for item in summary["skipped_inputs"]] == [item["id"] for item in report["skipped"]]
    assert f"skipped {len(bad)} of {len(records) + 1 + len(bad)} inputs" in result.stderr
    rows = spark.read.parquet(str(tmp_path / "out" / "assignments")).collect()
    assert sorted(r.id for r in rows) == sorted(d["id"] for d in report["documents"])  # the unnamed: path:line
    spark_clusters = defaultdict(set)
    for r in rows:
        spark_clusters[r.cluster_id].add(r.id)
    assert {frozenset(c) for c in spark_clusters.values() if len(c) > 1} == \
        {frozenset(c["members"]) for c in report["clusters"]}
    reuse = spark.read.parquet(str(tmp_path / "out" / "reuse")).collect()
    assert sorted((r.a, r.b, r.a_start, r.b_start) for r in reuse) == \
        sorted((r["a"], r["b"], r["a_span"][0], r["b_span"][0]) for r in report["reuse"])


def test_inputs_are_read_as_the_local_readers_read_them(spark, tmp_path):
    """Found by trying it: Spark ended a record at a lone CR (JSON whitespace), ignored --max-bytes, passed an empty
    file over in silence, and raised a Java traceback for a missing file, stdin, a name Hadoop hides or splits, a
    .gz that is not gzip, or a folder of JSON Lines (taken as Parquet). Each is now read, or named, as locally."""
    from dedup.corpus.spark_input import read_inputs
    from dedup.io.readers import InputError, read_documents

    from .planted import planted_corpus

    records, _ = planted_corpus(seed=3, originals=12)
    lines = [json.dumps({"id": r["id"], "body": r["body"]}) for r in records]
    (tmp_path / "cr.jsonl").write_text("\n".join(line.replace('", "body"', '",\r "body"') for line in lines) + "\n",
                                       newline="")
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n  \n")
    (tmp_path / "_hidden.jsonl").write_text(lines[0] + "\n")
    (tmp_path / "a,b.jsonl").write_text(lines[0] + "\n")
    (tmp_path / "star[1].jsonl").write_text(json.dumps({"id": "star", "body": records[1]["body"]}) + "\n")
    (tmp_path / "plain.jsonl.gz").write_text(lines[0] + "\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.jsonl").write_text(lines[0] + "\n")
    names = ["cr.jsonl", "empty.jsonl", "blank.jsonl", "missing.jsonl", "-", "_hidden.jsonl", "a,b.jsonl",
             "star[1].jsonl", "plain.jsonl.gz", "folder"]
    paths = [str(tmp_path / n) if n != "-" else n for n in names]
    frame, skips = read_inputs(spark, paths, text_field="body")
    assert sorted(r.id for r in frame.collect()) == sorted([r["id"] for r in records] + ["star"])
    named = {item["id"].rsplit("/", 1)[-1]: item["error"] for item in skips["skipped_inputs"]}
    assert set(named) == {"empty.jsonl", "blank.jsonl", "missing.jsonl", "-", "_hidden.jsonl", "a,b.jsonl",
                          "plain.jsonl.gz", "folder"}
    assert named["empty.jsonl"] == named["blank.jsonl"] == "empty (no records)"
    local = [d for d in read_documents([str(tmp_path / n) for n in ("cr.jsonl", "star[1].jsonl")], text_field="body")
             if not isinstance(d, InputError)]
    assert len(local) == len(records) + 1
    # --max-bytes: a record past the limit is skipped on Spark as locally.
    limit = min(len(line) for line in (tmp_path / "cr.jsonl").read_bytes().split(b"\n") if line) + 1
    frame, skips = read_inputs(spark, [str(tmp_path / "cr.jsonl")], text_field="body", max_bytes=limit)
    local = list(read_documents([str(tmp_path / "cr.jsonl")], max_bytes=limit, text_field="body"))
    assert frame.count() == sum(not isinstance(d, InputError) for d in local) >= 1
    assert skips["skipped"] == sum(isinstance(d, InputError) for d in local) >= 1
    # A last record without a line end, exactly at the limit: kept on both engines (Spark counted a "\n").
    last = json.dumps({"id": "last", "body": records[2]["body"]})
    (tmp_path / "end.jsonl").write_text(lines[3] + "\n" + last)
    limit = len(last.encode())
    frame, skips = read_inputs(spark, [str(tmp_path / "end.jsonl")], text_field="body", max_bytes=limit)
    local = list(read_documents([str(tmp_path / "end.jsonl")], max_bytes=limit, text_field="body"))
    assert sorted(r.id for r in frame.collect()) == sorted(d.id for d in local if not isinstance(d, InputError))
    assert "last" in {r.id for r in frame.collect()}


def test_a_failed_job_and_a_file_in_the_way_are_said_in_one_line(spark, tmp_path):
    import gzip

    from click.testing import CliRunner

    from dedup.cli.main import main

    from .planted import planted_corpus

    records, _ = planted_corpus(seed=4, originals=12)
    packed = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])  # a truncated download
    (tmp_path / "taken").write_text("a file where the output folder goes\n")
    runner = CliRunner()
    for output, code, said in ((tmp_path / "out", 1, "the Spark job failed: java.io.EOFException"),
                               (tmp_path / "taken", 2, "a file is in the way; give a folder"),
                               (tmp_path / "taken" / "sub", 2, "a file is in the way; give a folder")):
        result = runner.invoke(main, ["scan", "--engine", "spark", str(tmp_path / "cut.jsonl.gz"), "--text-field",
                                      "body", "--no-within", "--spark-output", str(output), "--spark-master",
                                      "local[2]"])
        assert result.exit_code == code and said in result.stderr and "Traceback" not in result.stderr


def test_names_dates_and_options_found_by_trying_it_fifth_round(spark, tmp_path):
    """Found by trying it, fifth round: a Parquet folder named with "[" read another folder, an --spark-output with
    "[" lost the summary, a colon in a name failed the job, numeric dates chose other representatives than locally,
    a .bz2, a gzip not named .gz and a UTF-16 file were read otherwise than locally, and --checkpoint, -f and a
    bad --spark-master were taken and never read."""
    from click.testing import CliRunner

    from dedup.cli.main import main
    from dedup.corpus.spark import run
    from dedup.corpus.spark_input import hadoop_path, read_inputs
    from dedup.io.readers import read_documents

    from .planted import planted_corpus

    records, _ = planted_corpus(seed=5, originals=12)
    for folder, doc_id in (("data[1]", "in-bracket-folder"), ("data1", "in-data1-folder")):
        spark.createDataFrame([(doc_id, records[0]["body"])], "id string, text string") \
            .write.parquet(str(tmp_path / folder))
    frame, _ = read_inputs(spark, [str(tmp_path / "data[1]")])
    assert [r.id for r in frame.collect()] == ["in-bracket-folder"]
    line = json.dumps({"id": "x", "text": records[1]["body"]}) + "\n"
    (tmp_path / "b:2.jsonl").write_text(line)
    import bz2
    import gzip

    (tmp_path / "c.jsonl.bz2").write_bytes(bz2.compress(line.encode()))
    (tmp_path / "d.jsonl").write_bytes(gzip.compress(line.encode()))
    (tmp_path / "e.jsonl").write_bytes(line.encode("utf-16"))
    (tmp_path / "ok.jsonl").write_text(line)
    frame, skips = read_inputs(spark, [str(tmp_path / n) for n in ("b:2.jsonl", "c.jsonl.bz2", "d.jsonl", "e.jsonl",
                                                                   "ok.jsonl")])
    assert frame.count() == 1
    said = {item["id"].rsplit("/", 1)[-1]: item["error"] for item in skips["skipped_inputs"]}
    assert skips["skipped"] == 4 and "colon" in said["b:2.jsonl"] and "compressed as .bz2" in said["c.jsonl.bz2"]
    assert said["d.jsonl"].startswith("gzip-compressed") and said["e.jsonl"].startswith("UTF-16")
    # keep earliest: a number is epoch seconds, as locally (2001 is earlier than 2024 and than "20240105")
    dated = tmp_path / "dated.jsonl"
    body = records[2]["body"]
    dated.write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "iso-2024", "text": body, "date": "2024-01-01"},
        {"id": "epoch-2001", "text": body + " Extra.", "date": 1_000_000_000},
        {"id": "basic-2024", "text": body + " More.", "date": "20240105"})))
    local = CorpusScanner(detector=None, reuse=False, keep="earliest").scan(read_documents([str(dated)]))
    out = tmp_path / "out[1]"
    summary = run([str(dated)], str(out), CorpusScanner(detector=None, keep="earliest"))
    rows = spark.read.parquet(hadoop_path(str(out / "assignments"))).collect()
    assert [r.id for r in rows if r.is_representative] == [c.representative for c in local.clusters] == ["epoch-2001"]
    numbers = tmp_path / "numbers.parquet"  # a Parquet column of numbers is epoch seconds too (it was no date)
    spark.createDataFrame([("n", body, 1_000_000_000), ("m", body, None)], "id string, text string, date long") \
        .write.parquet(str(numbers))
    frame, _ = read_inputs(spark, [str(numbers)], date_field="date")
    assert sorted((r.id, r.date) for r in frame.collect()) == [("m", None), ("n", 1_000_000_000.0)]
    sizes = tmp_path / "sizes.parquet"  # --max-bytes holds for a Parquet row as for a JSON Lines record
    spark.createDataFrame([("long", body), ("short", records[3]["body"][:200])], "id string, text string") \
        .write.parquet(str(sizes))
    frame, skips = read_inputs(spark, [str(sizes)], max_bytes=1000)
    assert [r.id for r in frame.collect()] == ["short"] and skips["skipped"] == 1
    assert skips["skipped_inputs"][0]["error"] == "record larger than the 1,000-byte limit"
    assert summary["reuse_passages"] == 0  # read back from out[1]/reuse: the "[" no pattern
    runner = CliRunner()
    for extra, said in ((["--checkpoint", str(tmp_path / "ck")], "--checkpoint is the local engine's"),
                        (["-f", "csv"], "-f csv: --engine spark writes"),
                        (["--spark-master", "bogus"], "--spark-master 'bogus'"),
                        (["--spark-master", "local[0]"], "--spark-master 'local[0]'")):
        result = runner.invoke(main, ["scan", "--engine", "spark", str(dated), "--spark-output",
                                      str(tmp_path / "o2"), *extra])
        assert result.exit_code == 2 and said in result.output, extra
    assert not (tmp_path / "ck").exists()


def test_the_same_files_give_the_same_documents_eighth_round(spark, tmp_path):
    """Found by trying it, eighth round: Spark read a .txt or .json file as JSON Lines (the local engine reads it
    as one text), took a line of U+3000 for a blank one (locally: malformed, skipped and named), and rounded a
    numeric date to the microsecond, so two copies dated a tenth of one apart tied and another represented the
    cluster."""
    from dedup.corpus.spark import run
    from dedup.corpus.spark_input import read_inputs
    from dedup.io.readers import InputError, read_documents

    from .planted import planted_corpus

    records, _ = planted_corpus(seed=5, originals=12)
    lines = [json.dumps({"id": r["id"], "text": r["body"]}) for r in records]
    (tmp_path / "a.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "b.json").write_text("\n".join(lines) + "\n")
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text("\n".join(lines[:2] + ["\u3000", "\x1c", "\u2028", "\u00a0"] + lines[2:]) + "\n")
    frame, skips = read_inputs(spark, [str(tmp_path / n) for n in ("a.txt", "b.json", "spaced.jsonl")])
    local = list(read_documents([str(spaced)]))
    assert sorted(r.id for r in frame.collect()) == sorted(d.id for d in local if not isinstance(d, InputError))
    named = {item["id"].rsplit("/", 1)[-1]: item["error"] for item in skips["skipped_inputs"]}
    assert named["a.txt"].startswith("not named as JSON Lines") and named["b.json"].startswith("not named as JSON")
    assert sorted(k for k in named if k.startswith("spaced")) == sorted(
        e.source.rsplit("/", 1)[-1] for e in local if isinstance(e, InputError)) and len(local) == len(lines) + 4
    # A .gz holding UTF-16, or gzip twice: one skip named as locally (Spark named each line as binary or malformed)
    import gzip

    packed = "\n".join(lines).encode()
    (tmp_path / "u16.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode("utf-16")))
    (tmp_path / "twice.jsonl.gz").write_bytes(gzip.compress(gzip.compress(packed)))
    odd = [str(tmp_path / n) for n in ("u16.jsonl.gz", "twice.jsonl.gz")]
    _, skips = read_inputs(spark, odd + [str(spaced)])
    local = [str(e) for e in read_documents(odd) if isinstance(e, InputError)]
    assert [f"{item['id']}: {item['error']}" for item in skips["skipped_inputs"]][:2] == local and len(local) == 2
    body = records[0]["body"]
    dated = tmp_path / "dated.jsonl"
    dated.write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "first", "text": body, "date": 1700000000.0000005},
        {"id": "second", "text": body, "date": 1700000000.0000002})))
    scanner = CorpusScanner(detector=None, reuse=False, keep="earliest")
    local = scanner.scan(read_documents([str(dated)]))
    summary = run([str(dated)], str(tmp_path / "out"), scanner)
    rows = spark.read.parquet(str(tmp_path / "out" / "assignments")).collect()
    assert [r.id for r in rows if r.is_representative] == [c.representative for c in local.clusters] == ["second"]
    assert summary["undated_documents"] == 0 and summary["records_named_by_id"]
    # The local scan's notes, said by a Spark scan too: no record named by --id-field; undated with keep earliest
    from click.testing import CliRunner

    from dedup.cli.main import main

    unnamed = tmp_path / "unnamed.jsonl"
    unnamed.write_text("".join(json.dumps({"url": r["id"], "text": r["body"]}) + "\n" for r in records[:4]))
    said = {}
    for engine in ("local", "spark"):
        extra = ["--spark-output", str(tmp_path / "o3")] if engine == "spark" else []
        result = CliRunner().invoke(main, ["scan", "--engine", engine, str(unnamed), "--keep", "earliest",
                                           "--no-within", "-f", "json", *extra])
        said[engine] = [line for line in result.stderr.splitlines() if line.startswith("dedup: note")]
    assert said["spark"] == said["local"] and len(said["local"]) == 2


def test_rows_without_text_are_skipped_as_locally(spark):
    """Found by trying it, fifth round: ``scan_dataframe`` scanned null, empty and wordless texts as documents
    (and counted them in the corpus IDF), where the local scan skips them."""
    from .planted import planted_corpus

    records, _ = planted_corpus(seed=6, originals=12)
    rows = [(r["id"], r["body"]) for r in records[:4]] + [("null", None), ("empty", ""), ("punct", "!!! ...")]
    errors = []
    local = CorpusScanner(detector=None).scan([Document(i, t) for i, t in rows], on_error=errors.append)
    result = scan_dataframe(spark.createDataFrame(rows, "id string, text string"))
    assert result.stats["documents"] == len(local.documents) == 4 and result.stats["skipped"] == len(errors) == 3
    assert sorted(r.id for r in result.assignments.collect()) == sorted(i for i, _ in rows[:4])


def test_a_file_given_twice_under_two_names_is_read_once_as_locally(spark, tmp_path, monkeypatch):
    """Found by trying it, tenth round: the same JSON Lines file given as "x.jsonl" and "./x.jsonl" was read twice
    (its records, named by path and line, were their own near-duplicates); now the second is skipped and named, as
    the local readers skip it."""
    from dedup.corpus.spark_input import read_inputs
    from dedup.io.readers import InputError, read_documents

    from .planted import planted_corpus

    monkeypatch.chdir(tmp_path)
    records = planted_corpus(seed=5, originals=12)[0][:6]
    Path("x.jsonl").write_text("".join(json.dumps({"text": r["body"]}) + "\n" for r in records))
    frame, skips = read_inputs(spark, ["x.jsonl", "./x.jsonl"])
    local = list(read_documents(["x.jsonl", "./x.jsonl"]))
    assert sorted(r.id for r in frame.collect()) == sorted(d.id for d in local if not isinstance(d, InputError)) \
        and frame.count() == len(records)
    assert [f"{item['id']}: {item['error']}" for item in skips["skipped_inputs"]] == \
        [str(e) for e in local if isinstance(e, InputError)] == ["./x.jsonl: the same file as x.jsonl, read once"]
    # A name Spark refuses (.json) reads nothing: another name of the same file is still read (a reviewer's find).
    Path("x.json").symlink_to("x.jsonl")
    frame, skips = read_inputs(spark, ["x.json", "./x.jsonl"])
    assert frame.count() == len(records) and [item["error"] for item in skips["skipped_inputs"]][0].startswith(
        "not named as JSON")


def test_found_by_trying_it_fifteenth_round(spark, tmp_path, monkeypatch):
    """A result folder holding a user's file or the run's own input was deleted by Spark's overwrite; a run cut
    off between two folders left the earlier run's last folders beside its own; a Parquet folder was numbered in
    Spark's order (largest file first), so ``--keep first`` kept another copy; ``--input-format html`` was taken
    and never read."""
    from click.testing import CliRunner
    from pyspark.sql import DataFrameWriter

    from dedup.cli.main import main
    from dedup.corpus.spark import run

    dev = Path(__file__).resolve().parent.parent / "data" / "dev"
    story, other = (dev / "business_merger.txt").read_text(), (dev / "chess_olympiad.txt").read_text()
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (
        ("a", story), ("b", story + "\n\nRead more on our site."), ("c", other))), encoding="utf-8")
    runner = CliRunner()

    def scan(*args):
        return runner.invoke(main, ["scan", "--engine", "spark", "--spark-master", "local[2]", "--no-within",
                                    *map(str, args)])

    out = tmp_path / "out"
    (out / "reuse" / "src").mkdir(parents=True)
    (out / "reuse" / "src" / "main.py").write_text("print(1)\n")
    refused = scan(source, "--spark-output", out)
    assert refused.exit_code == 1 and "reuse/ holds 'src'" in refused.output
    assert (out / "reuse" / "src" / "main.py").exists()
    inside = tmp_path / "io" / "reuse" / "in.jsonl"
    inside.parent.mkdir(parents=True)
    shutil.copy(source, inside)
    refused = scan(inside, "--spark-output", tmp_path / "io")
    assert refused.exit_code == 1 and "lies in reuse/" in refused.output and inside.exists()
    # An earlier run's four folders; this run cut off after its first: none of the earlier run's is left.
    done = tmp_path / "done"
    assert runner.invoke(main, ["scan", "--engine", "spark", "--spark-master", "local[2]", str(source),
                                "--spark-output", str(done)]).exit_code == 0
    assert sorted(p.name for p in done.iterdir()) == ["assignments", "matches", "restatements", "reuse"]
    written = DataFrameWriter.parquet

    def cut_off(self, path, *args, **kwargs):
        if not path.endswith("/assignments"):
            raise KeyboardInterrupt
        return written(self, path, *args, **kwargs)
    monkeypatch.setattr(DataFrameWriter, "parquet", cut_off)
    with pytest.raises(KeyboardInterrupt):
        run([str(source)], str(done), CorpusScanner(), master="local[2]", report_to_dict=report_to_dict)
    monkeypatch.undo()
    assert sorted(p.name for p in done.iterdir()) == ["assignments"]
    # A Parquet folder: the first part file's rows come first, whatever the files' sizes.
    folder = tmp_path / "table"
    folder.mkdir()
    parts = [[("dup", "First record with this id: the harbour bridge repairs close two lanes until May."),
              ("a", story)],
             [("dup", "Second record with this id: the city library opens late on Thursdays from next week."),
              ("b", story), ("c", other + "\n\n" + other)]]
    for k, rows in enumerate(parts):
        spark.createDataFrame(rows, "id string, text string").coalesce(1).write.parquet(str(tmp_path / f"t{k}"))
        (part,) = (tmp_path / f"t{k}").glob("*.parquet")
        shutil.move(part, folder / f"part-{k:05d}.parquet")
    assert (folder / "part-00000.parquet").stat().st_size < (folder / "part-00001.parquet").stat().st_size
    first = scan(folder, "--keep", "first", "--no-reuse", "--spark-output", tmp_path / "pout")
    assert first.exit_code == 1
    summary = json.loads(first.stdout)
    assert summary["skipped_inputs"] == [{"id": f"{folder}:row 3", "error": "duplicate id 'dup' (first at row 1)"}]
    rows = spark.read.parquet(str(tmp_path / "pout" / "assignments")).collect()
    assert {r.id for r in rows if r.is_representative and r.cluster_id == next(
        x.cluster_id for x in rows if x.id == "b")} == {"a"}
    html = scan(source, "--input-format", "html", "--spark-output", tmp_path / "hout")
    assert html.exit_code == 2 and "--input-format html is the local engine's" in html.output
    # A Parquet column whose name holds a dot is that column, not a field of another.
    spark.createDataFrame([("x", story), ("y", other)], "`doc.id` string, `body.text` string") \
        .write.parquet(str(tmp_path / "dotted"))
    dotted = scan(tmp_path / "dotted", "--text-field", "body.text", "--id-field", "doc.id", "--no-reuse",
                  "--spark-output", tmp_path / "dout")
    assert dotted.exit_code == 0, dotted.output
    assert sorted(r.id for r in spark.read.parquet(str(tmp_path / "dout" / "assignments")).collect()) == ["x", "y"]


def test_an_input_in_an_earlier_runs_folder_this_run_removes_is_refused(tmp_path):
    """An input inside a result folder this run does not write but removes as an earlier run's (``reuse/`` with
    ``--no-reuse``) was deleted with it, the run then exiting 0 (the reviewer of the round's fix)."""
    from dedup.corpus.spark import earlier_results

    folder = tmp_path / "out" / "reuse"
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    (folder / "part-00000.jsonl").write_text('{"id": "a", "text": "A short page."}\n')
    writes = {"assignments", "matches"}
    with pytest.raises(ValueError, match="lies in reuse/, which the scan removes"):
        earlier_results(str(tmp_path / "out"), [str(folder / "part-00000.jsonl")], writes)
    assert earlier_results(str(tmp_path / "out"), [], writes) == [str(folder)]
    (folder / "notes.txt").write_text("mine")  # a user's folder of that name: left as it is, its input too
    assert earlier_results(str(tmp_path / "out"), [str(folder / "part-00000.jsonl")], writes) == []


def test_found_by_trying_it_sixteenth_round(spark, tmp_path):
    """A Parquet input of no rows was passed over (exit 0, nothing named); a record cut off inside a string got
    another reason than locally (the line read without its line end)."""
    from dedup.corpus.spark_input import read_inputs
    from dedup.io.readers import InputError, read_jsonl

    empty = str(tmp_path / "empty.parquet")
    spark.createDataFrame([], "id string, text string").write.parquet(empty)
    lines = tmp_path / "odd.jsonl"
    lines.write_text('{"id": "a", "text": "A page about the harbour pier and its repairs."}\n'
                     '{"id": "broken", "text": "abc\n{"id": "c", "text": "Another page on the river."}\n',
                     encoding="utf-8")
    cut = tmp_path / "cut.jsonl.gz"  # its last line cut off, no line end: its size is not known on Spark
    cut.write_bytes(gzip.compress(b'{"id": "d", "text": "A page on the bridge."}\n{"id": "x", "text": "abc'))
    _, skips = read_inputs(spark, [empty, str(lines), str(cut)])
    local = [item for path in (lines, cut) for item in read_jsonl(str(path)) if isinstance(item, InputError)]
    assert {"id": empty, "error": "empty (no records)"} in skips["skipped_inputs"]
    assert {"id": f"{lines}:2", "error": local[0].reason} in skips["skipped_inputs"]
    assert {"id": f"{cut}:2", "error": local[1].reason} in skips["skipped_inputs"]
