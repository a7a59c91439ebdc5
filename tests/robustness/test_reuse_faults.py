"""A fault of dedup's on one pair of documents does not end a scan's reuse search.

The reuse alignment runs on every candidate pair of a corpus; a bug that one pair triggers ended ``dedup scan``
with a traceback and no report, whatever the other pairs. These tests plant such a fault (the alignment raises
on the pairs of one document) and pin what the scan does with it: the pair is listed in
``stats.reuse_alignment_failed`` with its error, every other result is kept, with one or two processes, and the
command line names the pair in one ``dedup: error:`` line and exits 1 with its report written.
"""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.reuse.align as align_module
from dedup import CorpusScanner
from dedup.cli.main import main
from dedup.io.readers import Document
from dedup.reuse.align import AlignSettings, align_many

from ..test_cli import validate
from ..test_reuse import PASSAGE, _corpus, _filler, _join

FAULT = "index 7 is out of bounds for axis 0 with size 7"


def _faulty(step, marked: str, position: int):
    """``step`` raising ``IndexError(FAULT)`` where its argument at ``position`` holds ``marked``."""
    def faulty(*args):
        if marked in str(args[position]):
            raise IndexError(FAULT)
        return step(*args)
    return faulty


def _plant_fault(monkeypatch, processes: Path | None = None) -> None:
    """The alignment raises on every pair of the document "reworded" (either side); each process aligning a
    pair appends its id to ``processes``. A second process is forked after the patch, so it has it too."""
    original = align_module.align_units

    def faulty(units_a, units_b, a_id, b_id, *rest):
        if processes is not None:
            with open(processes, "a", encoding="utf-8") as held:
                held.write(f"{os.getpid()}\n")
        if "reworded" in (Path(a_id).name, Path(b_id).name):  # the id, or the file's name (``dedup align``)
            raise IndexError(FAULT)
        return original(units_a, units_b, a_id, b_id, *rest)
    monkeypatch.setattr(align_module, "align_units", faulty)


@pytest.fixture()
def fault_on_reworded(monkeypatch) -> None:
    _plant_fault(monkeypatch)


@pytest.fixture()
def many_cores(monkeypatch) -> None:
    monkeypatch.setattr("dedup.util.workers.usable_cores", lambda: 8)


def _pairs() -> list[tuple[str, str, str, str]]:
    docs, _ = _corpus()
    return [(a, docs[a], b, docs[b]) for a, b in (("source", "copy"), ("source", "reworded"), ("copy", "reworded"))]


def test_align_many_tells_of_a_failed_pair_and_aligns_the_others(fault_on_reworded):
    pairs, faults = _pairs(), []
    found = align_many(pairs, AlignSettings(), on_fault=lambda a, b, error: faults.append((a, b, error)))
    assert faults == [("source", "reworded", f"IndexError: {FAULT}"), ("copy", "reworded", f"IndexError: {FAULT}")]
    assert [(r.a, r.b) for r in found] == [("source", "copy")]
    assert found == align_many(pairs[:1], AlignSettings())  # the same record as the pair aligned alone
    with pytest.raises(IndexError, match="out of bounds"):  # without on_fault, raised as ever
        align_many(pairs, AlignSettings())


def test_a_text_that_cannot_be_cut_into_units_costs_its_own_pairs_only(monkeypatch):
    pairs = _pairs()
    whole = align_many(pairs, AlignSettings())
    marked = pairs[1][3] + "\n\nMarker FAULTY."
    pairs[1], pairs[2] = (*pairs[1][:3], marked), (*pairs[2][:3], marked)
    monkeypatch.setattr(align_module, "units_of_many", _faulty(align_module.units_of_many, "FAULTY", 0))
    faults = []
    found = align_many(pairs, AlignSettings(), on_fault=lambda a, b, error: faults.append((a, b)))
    assert faults == [("source", "reworded"), ("copy", "reworded")]
    assert found == [r for r in whole if "reworded" not in (r.a, r.b)] and found


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_pair_is_listed_and_the_rest_of_the_scan_kept(jobs, many_cores, monkeypatch, tmp_path):
    docs, _ = _corpus()
    documents = [Document(k, v) for k, v in docs.items()]
    monkeypatch.setattr("dedup.corpus.reuse_pass.PAIRS_PER_TASK", 1)  # a task a pair: the second process takes some
    whole = CorpusScanner(detector=None, jobs=jobs).scan(documents)
    assert whole.stats["reuse_alignment_failed"] == []
    assert {("source", "reworded"), ("source", "copy")} <= {(r.a, r.b) for r in whole.reuse}
    processes = tmp_path / "processes"
    _plant_fault(monkeypatch, processes)
    report = CorpusScanner(detector=None, jobs=jobs).scan(documents)
    # With jobs=2 a second process aligned pairs (the first task always goes to it), whichever took the rest.
    assert (set(processes.read_text().split()) != {str(os.getpid())}) == (jobs == 2)
    failed = report.stats["reuse_alignment_failed"]  # every candidate pair of "reworded", and only those
    assert {"source", "reworded"} in [{e["a"], e["b"]} for e in failed]
    assert all("reworded" in (e["a"], e["b"]) and e["error"] == f"IndexError: {FAULT}" for e in failed)
    assert report.reuse == [r for r in whole.reuse if "reworded" not in (r.a, r.b)]
    assert report.clusters == whole.clusters and report.stats["documents"] == len(docs)


def test_the_command_line_names_the_failed_pair_and_writes_the_report(tmp_path, fault_on_reworded):
    docs, _ = _corpus()
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in docs.items()), encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(path), "--no-within", "-f", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("dedup: error:")]
    assert f"dedup: error: source and reworded: reuse alignment failed (IndexError: {FAULT}); the scan's other " \
           "results are kept" in errors
    assert "Traceback" not in result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    validate(payload)
    failed = [(e["a"], e["b"]) for e in payload["stats"]["reuse_alignment_failed"]]
    assert ("source", "reworded") in failed and len(errors) == len(failed)
    copied = [r for r in payload["reuse"] if {r["a"], r["b"]} == {"source", "copy"}]
    assert copied and docs["source"][slice(*copied[0]["a_span"])] == " ".join(PASSAGE)


def test_unfaulty_inputs_report_no_failed_pair(tmp_path):
    text = _join(_filler(1))
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"id": "x", "text": text}) + "\n" + json.dumps({"id": "y", "text": text[::-1]}) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stats"]["reuse_alignment_failed"] == []



def test_dedup_align_names_a_failed_alignment_in_one_line(tmp_path, fault_on_reworded):
    docs, _ = _corpus()
    for name in ("source", "reworded", "copy"):
        (tmp_path / name).write_text(docs[name], encoding="utf-8")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["align", str(tmp_path / "reworded"), str(tmp_path / "source"), "-f", "json",
                                       "-o", str(out)])
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [f"dedup: error: {tmp_path / 'reworded'} and {tmp_path / 'source'}: reuse "
                                          f"alignment failed (IndexError: {FAULT})"]
    assert not out.exists()
    found = CliRunner().invoke(main, ["align", str(tmp_path / "copy"), str(tmp_path / "source")])
    assert found.exit_code == 0 and "1 reused passage" in found.stdout
