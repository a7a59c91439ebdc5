"""A fault of dedup's own on one document does not end a scan (issue "Found by trying it", second round).

Two texts a scraper can meet ended ``dedup scan`` with a traceback and no report, whatever the other documents:
a page cut off after a duration ("The race lasted two hours and") and a numeral too long for a float in two
paragraphs. Both are fixed (``tests/test_quantities.py`` holds the readings); these tests pin what the scan does
with the next such fault: the document's restatement search is reported as failed, with the error, and every
other result of the scan is kept, locally with one or two processes and on the command line (exit 1, one
``dedup: error:`` line naming the document).
"""

import functools
import json

import pytest
from click.testing import CliRunner

from dedup import find_redundancy
from dedup.article.detector import Detector
from dedup.cli.main import main
from dedup.corpus.scanner import CorpusScanner
from dedup.io.readers import Document

from ..test_cli import validate

FAULT = "cannot convert float infinity to integer"
RESTATING = ("The harbour authority approved a new ferry terminal on Monday.\n\n"
             "On Monday the harbour authority approved the new ferry terminal.\n\n"
             "Work on the quay starts in the spring.")
FAULTY = ("Marker FAULTY: the council approved the library budget on Tuesday.\n\n"
          "On Tuesday the council approved the library budget.")


def _with_fault(detect):
    """``detect`` with a fault on the texts marked FAULTY."""
    @functools.wraps(detect)  # its name stays "detect": a bound method pickles by name
    def faulty(self, text, *args, **kwargs):
        if "FAULTY" in text:
            raise OverflowError(FAULT)
        return detect(self, text, *args, **kwargs)
    return faulty


class FaultyDetector(Detector):
    """A detector with a fault on one text (importable, so it pickles into a second process)."""

    detect = _with_fault(Detector.detect)


def _documents():
    return [Document("good", RESTATING), Document("bad", FAULTY), Document("copy", RESTATING)]


@pytest.fixture()
def many_cores(monkeypatch) -> None:
    """A machine said to have 8 cores, so that ``jobs=2`` runs a second process on any machine."""
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_search_is_listed_and_the_rest_of_the_scan_kept(jobs, many_cores):
    report = CorpusScanner(detector=FaultyDetector(), jobs=jobs).scan(_documents())
    assert report.stats["restatement_search_failed"] == [{"id": "bad", "error": f"OverflowError: {FAULT}"}]
    reports = {r.id: r.report for r in report.documents}
    assert reports["bad"] is None and reports["good"] is not None and reports["good"].groups
    assert [sorted(c.members) for c in report.clusters] == [["copy", "good"]]  # near-duplicates found as ever
    assert report.stats["documents"] == 3


def test_the_command_line_says_which_document_failed_and_writes_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(Detector, "detect", _with_fault(Detector.detect))  # the command line builds its own
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in _documents()), encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("dedup: error:")]
    assert errors == [f"dedup: error: bad: restatement search failed (OverflowError: {FAULT}); its other results "
                      "are kept"]
    assert "Traceback" not in result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    validate(payload)
    assert payload["stats"]["restatement_search_failed"] == [{"id": "bad", "error": f"OverflowError: {FAULT}"}]
    assert {d["id"] for d in payload["documents"]} == {"good", "bad", "copy"}


@pytest.mark.parametrize("text", [
    "The marathon was long.\n\nThe race lasted two hours and",
    "9" * 400 + " dollars were spent.\n\nAnother paragraph with " + "9" * 400 + " dollars spent.",
    "It took 1 minute 12 seconds and " * 2000,
])
def test_the_texts_that_ended_a_scan_are_searched(text, tmp_path):
    find_redundancy(text)  # raised IndexError, OverflowError and RecursionError
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"id": "odd", "text": text}) + "\n" + json.dumps({"id": "plain", "text": RESTATING})
                    + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stats"]["restatement_search_failed"] == []


def test_clean_says_which_document_it_could_not_clean_and_writes_the_rest(tmp_path, monkeypatch):
    """``dedup clean`` of a document the restatement search fails on writes it as it came in, names it, exits 1."""
    monkeypatch.setattr(Detector, "detect", _with_fault(Detector.detect))
    path = tmp_path / "news.jsonl"
    docs = [Document("good", RESTATING), Document("bad", FAULTY + "\n\n" + FAULTY.split("\n\n")[1])]
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "clean.jsonl"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("dedup: error:")] == [
        f"dedup: error: bad: restatement search failed (OverflowError: {FAULT}); its restated paragraphs are not "
        "removed"]
    cleaned = {r["id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert cleaned["bad"] == docs[1].text  # as it came in
    assert cleaned["good"].count("harbour authority approved") == 1  # its restatement removed
