"""Corpus scan, clean and index on planted corpora generated in the test."""

import gzip
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from dedup import CorpusScanner, Detector, Index
from dedup.cli.main import main
from dedup.corpus.pass_one import paragraphs_of
from dedup.corpus.pass_two import measure
from dedup.index.core import IndexFileError
from dedup.io.readers import Document
from dedup.sketch.oph import OnePermutationHasher
from dedup.sketch.shingle import ShingleSets
from dedup.text.tokens import TokenTable, tokenize

from .planted import FOOTER, REUSED, planted_corpus
from .test_cli import validate


@pytest.fixture(scope="module")
def corpus():
    return planted_corpus()


def _docs(records):
    return [Document(r["id"], r["body"]) for r in records]


def _write_jsonl(path, records):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r) + "\n")


def test_scan_finds_exactly_the_planted_clusters(corpus):
    records, expected = corpus
    report = CorpusScanner(detector=None).scan(_docs(records))
    assert sorted(map(sorted, (set(c.members) for c in report.clusters))) == sorted(map(sorted, expected))
    reps = {c.representative for c in report.clusters}
    assert "doc006" in reps and "doc006-truncated" not in reps  # the complete copy represents
    for cluster in report.clusters:
        assert {m.b for m in cluster.matches} == set(cluster.members) - {cluster.representative}
        assert all(m.a == cluster.representative for m in cluster.matches)


def test_truncated_copy_is_a_duplicate_by_containment(corpus):
    records, _ = corpus
    report = CorpusScanner(detector=None).scan(_docs(records))
    match = next(m for c in report.clusters for m in c.matches if m.b == "doc006-truncated")
    assert match.containment >= 0.95
    assert match.jaccard < 0.8  # Jaccard alone would miss it


def test_boilerplate_is_one_passage_with_its_document_frequency(corpus):
    records, _ = corpus
    report = CorpusScanner(detector=None, boilerplate_docs=5).scan(_docs(records))
    footer = [p for p in report.passages if p.text == FOOTER]
    assert len(footer) == 1
    expected = {r["id"] for r in records if FOOTER in r["body"]}
    assert footer[0].documents == len(expected) and footer[0].boilerplate
    assert {o.doc for o in footer[0].occurrences} == expected


def test_a_paragraph_reused_by_unrelated_documents_is_a_passage(corpus):
    records, _ = corpus
    report = CorpusScanner(detector=None).scan(_docs(records))
    reused = [p for p in report.passages if p.text.startswith(REUSED[:60])]
    assert len(reused) == 1 and not reused[0].boilerplate
    assert {(o.doc, o.paragraph) for o in reused[0].occurrences} == {("doc001", 2), ("doc002", 5)}


def test_a_one_or_two_word_line_two_documents_share_is_no_passage_unless_boilerplate(corpus):
    """Real web pages share headings ("Contents", "Figure A"): 1,115 of the 2,856 passages of PAN 2013's 4,043
    documents were such lines found in two documents. They are reported only as page furniture."""
    records, _ = corpus
    records = [dict(r) for r in records]
    for r in records[:2]:
        r["body"] = "Contents\n\n" + r["body"] + "\n\nFigure A"
    for r in records[2:8]:
        r["body"] = r["body"] + "\n\nContact Us"
    report = CorpusScanner(detector=None, boilerplate_docs=5).scan(_docs(records))
    texts = {p.text: p for p in report.passages}
    assert "Contents" not in texts and "Figure A" not in texts
    assert texts["Contact Us"].boilerplate and texts["Contact Us"].documents == 6
    assert any(p.text.startswith(REUSED[:60]) for p in report.passages)  # a real passage stays


def test_light_rewording_of_a_paragraph_across_documents_is_found():
    records, _ = planted_corpus(seed=3, originals=12)
    reworded = REUSED.replace("confirmed on Tuesday", "said on Tuesday").replace("diverting", "sending")
    records.append({"id": "other", "body": "An unrelated opening paragraph about the weather today.\n\n" + reworded})
    report = CorpusScanner(detector=None).scan(_docs(records))
    passage = next(p for p in report.passages if any(o.doc == "other" for o in p.occurrences))
    assert {o.doc for o in passage.occurrences} == {"doc001", "doc002", "other"}


def test_paragraphs_measured_alone_equal_the_same_paragraphs_of_a_whole_document(corpus):
    records, _ = corpus
    texts = [r["body"] for r in records[:12]]
    wanted = [[0, 2], [], [1, 99], [0], [3, 4], [2], [0, 1], [], [5], [1], [0, 2, 3], [4]]
    signer = CorpusScanner(detector=None).signer
    every = measure(signer, texts, wanted, list(range(len(texts))))
    some = measure(signer, texts, wanted, [1, 4, 7, 10])
    assert some.documents == [1, 4, 7, 10] and every.paragraphs == some.paragraphs
    existing = [(i, p) for i, ps in enumerate(wanted) for p in ps if p < len(paragraphs_of(texts[i]))]
    assert some.paragraphs == existing and len(existing) >= 12 and (2, 99) not in existing
    assert some.snippets == every.snippets and all(some.snippets)
    assert (some.paragraph_counts != every.paragraph_counts).nnz == 0
    assert (some.counts != every.counts[[1, 4, 7, 10]]).nnz == 0
    for row, doc in enumerate(some.documents):
        assert np.array_equal(some.sets.get(row), every.sets.get(doc))


@pytest.fixture()
def many_cores(monkeypatch) -> None:
    """A machine said to have 8 cores: ``--jobs`` is capped at the cores this process may use, and these
    tests are about what the workers do, on any machine (a 1-core one too)."""
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)


def test_two_jobs_give_the_same_report(corpus, many_cores):
    records, _ = corpus
    one = CorpusScanner(detector=None, batch_size=16).scan(_docs(records))
    two = CorpusScanner(detector=None, batch_size=16, jobs=2).scan(_docs(records))
    assert one.clusters == two.clusters and one.passages == two.passages


class _PidRecordingDetector(Detector):
    """A detector that notes which process ran each search (as a line in ``log``).

    A worker's search waits until the main process has begun one of its own, so the worker is still on
    its batch when the main process reaches the last one (a worker that finished first would rightly be
    given that one too). It waits for that event, not a fixed time: on a loaded machine any delay can be
    too short. The timeout only guards against a hang, and the test's assertion then says what went wrong.
    """

    def __init__(self, log) -> None:
        super().__init__(confirm="tfidf")
        self.log = str(log)
        self.main = os.getpid()

    def detect(self, text, doc_id="-"):
        with open(self.log, "a") as out:
            out.write(f"{os.getpid()}\n")
        started = f"{self.log}.main-started"
        if os.getpid() == self.main:
            open(started, "w").close()
        else:
            deadline = time.monotonic() + 120
            while not os.path.exists(started) and time.monotonic() < deadline:
                time.sleep(0.005)
        return super().detect(text, doc_id=doc_id)


def test_restatement_search_of_a_small_corpus_is_spread_over_both_processes(tmp_path, many_cores):
    # The 64 articles of data/dev: every one has a headline its lede restates, so each is searched (two
    # batches of 32; one batch of 512 went to the worker alone).
    articles = sorted((Path(__file__).resolve().parent.parent / "data" / "dev").glob("*.txt"))
    log = tmp_path / "pids"
    report = CorpusScanner(detector=_PidRecordingDetector(log), jobs=2).scan(
        Document(p.stem, p.read_text(encoding="utf-8")) for p in articles)
    pids = log.read_text().split()
    assert len(report.documents) == len(articles) == report.stats["restatement_documents_searched"] == len(pids)
    assert len(set(pids)) == 2 and os.getpid() in {int(p) for p in pids}


def test_more_processes_give_the_same_json_report_from_a_file(corpus, tmp_path, many_cores):
    """Re-read from the file, restatements on, batches of 8: batches, re-reads and LSH shares all cross
    between the main process and two workers, and the JSON report is the same as with one process."""
    import io

    from dedup.io.readers import read_documents
    from dedup.report.formats import write_json

    records, _ = corpus
    restating = {"id": "restating", "body": "\n\n".join([
        "The city council voted on Tuesday to close the northern pier for repairs starting next month.",
        "Fishing boats will moor at the southern quay while the work goes on, the harbour master said.",
        "On Tuesday the city council voted to close the northern pier next month so it can be repaired."])}
    path = tmp_path / "corpus.jsonl"
    _write_jsonl(path, records + [restating])
    reports = []
    for jobs in (1, 3):
        scanner = CorpusScanner(batch_size=8, jobs=jobs)
        out = io.StringIO()
        write_json(scanner.scan(read_documents([str(path)], text_field="body")), out, {}, [])
        report = json.loads(out.getvalue())
        report["stats"] = {k: v for k, v in report["stats"].items() if not k.startswith("seconds")}
        reports.append(report)
    # The reader's text_field is all the scan is told: it re-reads each file the way it was read.
    assert reports[0]["stats"]["reread_failed"] == 0 and reports[0]["clusters"] and reports[0]["passages"]
    assert any(d.get("matches") for d in reports[0]["documents"])  # restatements: searched by default
    assert reports[0] == reports[1]


def test_scan_cli_jsonl_gz_and_folder_agree_and_follow_the_schema(corpus, tmp_path):
    records, expected = corpus
    _write_jsonl(tmp_path / "news.jsonl.gz", records)
    folder = tmp_path / "corpus" / "sub"
    folder.mkdir(parents=True)
    for r in records:
        (folder / f"{r['id']}.txt").write_text(r["body"])
    runner = CliRunner()
    out = runner.invoke(main, ["scan", str(tmp_path / "news.jsonl.gz"), "--text-field", "body", "-f", "json", "-q"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    validate(payload)  # the package's schema (dedup/schema/scan-report.schema.json)
    assert sorted(sorted(c["members"]) for c in payload["clusters"]) == sorted(map(sorted, expected))
    assert len(payload["documents"]) == len(records)
    by_folder = runner.invoke(main, ["scan", str(tmp_path / "corpus"), "-f", "json", "-q", "--no-within"])
    assert by_folder.exit_code == 0
    names = sorted(sorted(m.rsplit("/", 1)[1][:-4] for m in c["members"]) for c in json.loads(by_folder.stdout)["clusters"])
    assert names == sorted(map(sorted, expected))


def test_scan_cli_jsonl_lines_have_kinds(corpus, tmp_path):
    records, expected = corpus
    _write_jsonl(tmp_path / "news.jsonl", records)
    out = CliRunner().invoke(main, ["scan", str(tmp_path / "news.jsonl"), "--text-field", "body", "-f", "jsonl"])
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds.count("document") == len(records) and kinds.count("cluster") == len(expected)
    assert next(d for d in lines if d.get("id") == "doc006-truncated")["duplicate_of"] == "doc006"


def test_scan_cli_jobs_zero_uses_every_usable_core_and_reports_the_same(corpus, tmp_path, monkeypatch):
    records, expected = corpus
    _write_jsonl(tmp_path / "news.jsonl", records)
    started = []
    real_init = CorpusScanner.__init__

    def noting_init(self, *args, **kwargs):
        started.append(kwargs.get("jobs"))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(CorpusScanner, "__init__", noting_init)
    outputs = [CliRunner().invoke(main, ["scan", str(tmp_path / "news.jsonl"), "--text-field", "body", "--no-within",
                                         "-f", "json", "-q", "--jobs", jobs]) for jobs in ("1", "0")]
    assert [o.exit_code for o in outputs] == [0, 0]
    assert started == [1, len(os.sched_getaffinity(0))]
    one, every = (json.loads(o.stdout) for o in outputs)
    assert one["clusters"] == every["clusters"] and len(one["clusters"]) == len(expected)
    assert one["passages"] == every["passages"]
    bad = CliRunner().invoke(main, ["scan", str(tmp_path / "news.jsonl"), "--jobs", "-1"])
    assert bad.exit_code == 2 and "--jobs" in bad.output


def test_scan_skips_bad_lines_and_duplicate_ids_and_keeps_the_rest(corpus, tmp_path):
    records, expected = corpus
    path = tmp_path / "news.jsonl"
    _write_jsonl(path, records)
    with open(path, "a") as out:
        out.write("{not json\n")
    _write_jsonl(tmp_path / "more.jsonl", records[:1])  # same id again, in another file
    out = CliRunner().invoke(main, ["scan", str(path), str(tmp_path / "more.jsonl"), "--text-field", "body",
                                    "-f", "json", "-q", "--no-within"])
    assert out.exit_code == 1
    payload = json.loads(out.stdout)
    assert len(payload["skipped"]) == 2 and len(payload["documents"]) == len(records)
    assert "malformed JSON" in out.stderr and "duplicate id" in out.stderr
    assert len(payload["clusters"]) == len(expected)


def test_clean_keeps_one_document_per_cluster_and_loses_nothing_else(corpus, tmp_path):
    records, expected = corpus
    _write_jsonl(tmp_path / "news.jsonl.gz", records)
    out_path = tmp_path / "news.dedup.jsonl.gz"
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "news.jsonl.gz"), "-o", str(out_path),
                                       "--text-field", "body", "--boilerplate"])
    assert result.exit_code == 0, result.output
    with gzip.open(out_path, "rt") as f:
        kept = [json.loads(line) for line in f]
    clustered = set().union(*expected)
    assert len(kept) == len(records) - sum(len(c) - 1 for c in expected)
    kept_ids = {r["id"] for r in kept}
    assert {r["id"] for r in records} - clustered <= kept_ids  # every unclustered document survives
    assert all(len(c & kept_ids) == 1 for c in expected)  # exactly one per cluster
    assert all(r["source"] == "planted" for r in kept)  # other fields kept
    assert not any(FOOTER in r["body"] for r in kept)  # --boilerplate stripped it
    assert f"kept {len(kept)} of {len(records)} documents" in result.stderr


def test_clean_folder_into_a_folder(corpus, tmp_path):
    records, expected = corpus
    src = tmp_path / "in"
    src.mkdir()
    for r in records:
        (src / f"{r['id']}.txt").write_text(r["body"])
    result = CliRunner().invoke(main, ["clean", str(src), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    written = {p.stem for p in (tmp_path / "out").iterdir()}
    assert len(written) == len(records) - sum(len(c) - 1 for c in expected)
    assert CliRunner().invoke(main, ["clean", str(src), "-q"]).exit_code == 2  # several files need -o FOLDER


def test_index_round_trip(corpus, tmp_path):
    records, expected = corpus
    db = str(tmp_path / "news.db")
    copies = {r["id"] for r in records if "-" in r["id"]}
    originals = [Document(r["id"], r["body"]) for r in records if r["id"] not in copies]
    with Index(db) as index:
        assert index.add_many(originals) == len(originals)
        assert index.add_many(originals[:5]) == 0  # idempotent by id
    with Index(db) as index:  # reopened from disk
        assert len(index) == len(originals)
        verdict = index.check("doc006-truncated", next(r["body"] for r in records if r["id"] == "doc006-truncated"))
        assert [m.b for m in verdict.duplicates] == ["doc006"] and verdict.duplicates[0].containment >= 0.95
        fresh = index.check("fresh", "An entirely new article.\n\n" + REUSED, add=True)
        assert not fresh.duplicates and fresh.added
        assert {(p.doc, p.number) for p in fresh.passages} == {("doc001", 2), ("doc002", 5)}
        assert "fresh" in index
    with pytest.raises(IndexFileError, match="num_perm=128, not 64"):
        Index(db, num_perm=64)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexFileError, match="not a dedup index"):
        Index(str(tmp_path / "junk.db"))


def test_index_cli_add_query_stats(corpus, tmp_path):
    records, _ = corpus
    _write_jsonl(tmp_path / "news.jsonl", records)
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    added = runner.invoke(main, ["index", "add", db, str(tmp_path / "news.jsonl"), "--text-field", "body"])
    assert added.exit_code == 0 and f"added {len(records)} of {len(records)}" in added.stderr
    again = runner.invoke(main, ["index", "add", db, str(tmp_path / "news.jsonl"), "--text-field", "body"])
    assert f"added 0 of {len(records)}" in again.stderr
    query = tmp_path / "q.txt"
    query.write_text(next(r["body"] for r in records if r["id"] == "doc005"))
    out = runner.invoke(main, ["index", "query", db, str(query), "-f", "json"])
    dups = {d["doc"] for d in json.loads(out.stdout)["queries"][0]["duplicates"]}
    assert dups == {"doc005", "doc005-edited"}
    stats = json.loads(runner.invoke(main, ["index", "stats", db]).stdout)
    assert stats["documents"] == len(records) and stats["params"]["num_perm"] == 128
    missing = runner.invoke(main, ["index", "query", str(tmp_path / "none.db"), str(query)])
    assert missing.exit_code == 1 and "no such index" in missing.stderr


def test_oph_jaccard_estimates_are_unbiased_on_1000_pairs():
    rng = np.random.default_rng(5)
    hasher = OnePermutationHasher(num_perm=128, seed=3)
    errors = []
    for _ in range(1000):
        n = int(rng.integers(30, 400))
        base = np.unique(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32))
        keep = int(rng.integers(0, len(base) + 1))
        other = np.unique(np.concatenate((base[:keep], rng.integers(0, 2**32, len(base) - keep,
                                                                    dtype=np.uint64).astype(np.uint32))))
        exact = len(np.intersect1d(base, other)) / len(np.union1d(base, other))
        sigs = hasher.sign(ShingleSets(np.concatenate((base, other)), np.array([0, len(base), len(base) + len(other)])))
        errors.append(float(np.mean(sigs[0] == sigs[1])) - exact)
    errors = np.array(errors)
    assert np.abs(errors).mean() < 0.03
    assert abs(errors.mean()) < 0.01


def test_oph_identical_sets_agree_and_empty_sets_stay_empty():
    hasher = OnePermutationHasher(num_perm=64)
    one = np.array([7], dtype=np.uint32)
    sigs = hasher.sign(ShingleSets(np.concatenate((one, one)), np.array([0, 1, 2, 2])))
    assert (sigs[0] == sigs[1]).all() and (sigs[0] != np.iinfo(np.uint32).max).all()  # one shingle fills every bin
    assert (sigs[2] == np.iinfo(np.uint32).max).all()


@pytest.mark.parametrize("text", [
    "Hello world. The U.S. said 3.5 things!",
    "Don't stop -- it's 9:30 a.m. (really) ... ok?! Yes_no",
    "Ends without a period",
    "Tabs\tand\nnewlines\r\nand  spaces . lone period",
    # every stop word (the numpy path looks them up in a hash table) and every stemming rule's edge
    " ".join(sorted(ENGLISH_STOP_WORDS)) + " studies closing closed closes boss glasses ties lies dies sees "
    "seeing agreed freed uses cases bases houses horses ringing ring sing things bring brings x1es 42es",
    # words across the 8-byte chunk edges and past the chunked length (1,024 bytes), stems ending on an edge
    " ".join("k" * n + suffix for n in [*range(1, 30), 1015, 1016, 1017, 1024, 1025, 1100]
             for suffix in ("", "ies", "s", "ing", "ed", "e", "es.", "?!")),
    "...lead a.b.c. 3.5m u.s.-led .5 end?! ?!? x.y",
])
def test_ascii_fast_path_and_unicode_path_give_the_same_tokens(text):
    table = TokenTable()
    fast = tokenize([text], table)
    slow = tokenize([text + " \u00e9"], table)  # a non-ASCII word sends it down the regex path
    n = len(fast.hashes)
    assert fast.hashes.tolist() == slow.hashes[:n].tolist()
    assert fast.sentence.tolist() == slow.sentence[:n].tolist()


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_draws_only_on_a_terminal_and_not_when_quiet():
    from dedup.util.progress import Progress

    shown, piped, quiet = _Terminal(True), _Terminal(False), _Terminal(True)
    for stream, enabled in ((shown, True), (piped, True), (quiet, False)):
        progress = Progress("scanning", total_bytes=1000, stream=stream, enabled=enabled, interval=0)
        progress.update(10, 500)
        progress.close()
    assert "scanning: 10 documents" in shown.text and "docs/s" in shown.text and "ETA" in shown.text
    assert piped.text == "" and quiet.text == ""


def test_word_hashes_of_short_words_never_collide_and_long_words_are_hashed_whole():
    from itertools import product

    from dedup.text.tokens import word_hash

    short = ["".join(p) for n in (1, 2, 3) for p in product("abcdefghijklmnopqrstuvwxyz0123456789", repeat=n)]
    assert len({word_hash(w) for w in short}) == len(short)
    for n in (30, 1030):  # chunked, and hashed whole past 1,024 bytes
        long = "x" * n
        assert word_hash(long) != word_hash(long[:-1] + "y") and word_hash(long) != word_hash(long[:-8])


@pytest.mark.parametrize("text", [
    "Title \u2014 \u201cquoted\u201d\n\nIt\u2019s a\u00a0test \u2026 ok.\n \nLast\u200b line.",
    "Caf\u00e9 \u2018one\u2019\r\n\r\nTwo\ttabs  \u2014  here\n\n\n",
    "\u201cA\u201d\nB\n\u2014\nC",
    "Caf\u00e9 cr\u00e8me\u3000\u3000br\u00fbl\u00e9e\n\u3000\nZ\u00fcrich \u2028 \u00fcber\n\n\u00e9t\u00e9",  # NFKC leaves it
    "\ufb01rst \u00e9\n\n\uff21",  # NFKC changes it
])
def test_paragraphs_of_segments_as_the_normalized_text(text):
    from dedup.corpus.pass_one import paragraphs_of
    from dedup.text.segment import normalize, split_paragraphs

    fast, slow = paragraphs_of(text), split_paragraphs(normalize(text))
    assert ["\n".join(" ".join(line.split()) for line in p.split("\n")) for p in fast] == slow  # spaces unfolded


def test_passage_components_follow_chains_and_keep_only_paired_or_shared_nodes():
    from dedup.corpus.pass_two import _components

    edges = np.array([[0, 1], [1, 4], [6, 7]], dtype=np.int64)
    shared = np.array([9, 4], dtype=np.int64)  # 9: found verbatim in two documents, no reworded copy
    parts = sorted(sorted(c.tolist()) for c in _components(10, edges, shared))
    assert parts == [[0, 1, 4], [6, 7], [9]]  # nodes 2, 3, 5 and 8 are in no pair: not passages
    assert _components(10, np.zeros((0, 2), np.int64), np.zeros(0, np.int64)) == []
    assert _components(0, np.zeros((0, 2), np.int64), np.zeros(0, np.int64)) == []


def test_the_index_reports_no_one_word_line_as_a_reused_passage(tmp_path, corpus):
    records, _ = corpus
    shared = REUSED
    with Index(str(tmp_path / "i.db"), within=False, reuse=False) as index:
        index.add("old", "Contents\n\n" + records[3]["body"] + "\n\n" + shared)
        verdict = index.check("new", "Contents\n\n" + records[9]["body"] + "\n\n" + shared)
    found = {(m.paragraph, m.doc) for m in verdict.passages}
    new_paragraphs = paragraphs_of("Contents\n\n" + records[9]["body"] + "\n\n" + shared)
    assert (len(new_paragraphs) - 1, "old") in found  # the reused paragraph
    assert (0, "old") not in found  # "Contents" is no passage
