"""A fault of dedup's on one text does not cost an index check its other results, nor `dedup index query` its
other inputs.

``Index.check`` runs the restatement search and the reuse search on each checked text; a bug one text triggers
in either ended the check (and with it `dedup index query`, whose output file was then not written at all).
These tests plant such faults: the search that raised is named in ``Verdict.failed`` with its error and the
check's other results stand; a fault anywhere else in a check costs that input alone; a failure of the
index's store still stops the command, as every later input would meet it.
"""

import json

import pytest
from click.testing import CliRunner

import dedup.index.reuse as index_reuse
from dedup import Index
from dedup.article.detector import Detector
from dedup.cli.main import main
from dedup.index.core import IndexUnavailableError
from dedup.io.readers import Document

from ..test_reuse import PASSAGE, _filler, _join
from .test_search_faults import FAULT, _with_fault

PAGE = _join(_filler(500)[:1] + [" ".join(PASSAGE)] + _filler(500)[1:])  # shares a passage with "source"
RESTATING = ("The harbour authority approved a new ferry terminal on Monday.\n\n"
             "On Monday the harbour authority approved the new ferry terminal.\n\n"
             "Work on the quay starts in the spring.")


def _indexed(location: str) -> Index:
    docs = {f"filler{i}": _join(_filler(300 + i)) for i in range(15)}
    docs["source"] = _join(_filler(400)[:2] + [" ".join(PASSAGE)] + _filler(400)[2:])
    index = Index(location)
    index.add_many(Document(k, v) for k, v in docs.items())
    return index


def _raising(error: Exception):
    def raise_(*args, **kwargs):
        raise error
    return raise_


def test_a_failed_restatement_search_is_named_and_the_other_results_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(Detector, "detect", _with_fault(Detector.detect))
    with _indexed(str(tmp_path / "i.db")) as index:
        good = index.check("good", PAGE + "\n\n" + RESTATING)
        bad = index.check("bad", PAGE + "\n\nMarker FAULTY.\n\n" + RESTATING, add=True)
        assert good.failed == {} and good.restated.groups
        assert bad.failed == {"restatement_search": f"OverflowError: {FAULT}"} and bad.restated is None
        assert [r.b for r in bad.reuse] == ["source"] and bad.added and "bad" in index


def test_a_failed_reuse_search_is_named_and_the_other_results_kept(tmp_path, monkeypatch):
    with _indexed(str(tmp_path / "i.db")) as index:
        index.add("copy", PAGE)
        monkeypatch.setattr(index_reuse, "align_many", _raising(IndexError(FAULT)))
        verdict = index.check("page", PAGE + "\n\n" + RESTATING)
    assert verdict.failed == {"reuse_search": f"IndexError: {FAULT}"} and verdict.reuse == []
    assert [m.b for m in verdict.duplicates] == ["copy"] and verdict.restated.groups


def test_a_failure_of_the_store_is_still_raised(tmp_path, monkeypatch):
    with _indexed(str(tmp_path / "i.db")) as index:
        monkeypatch.setattr(type(index.store), "documents_with_reuse_keys",
                            _raising(IndexUnavailableError("the index is gone")))
        with pytest.raises(IndexUnavailableError, match="gone"):
            index.check("page", PAGE)


def _query(tmp_path, *args):
    db = str(tmp_path / "i.db")
    _indexed(db).close()
    inputs = tmp_path / "pages.jsonl"
    inputs.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (
        ("first", PAGE), ("bad", "Marker FAULTY.\n\n" + RESTATING), ("last", RESTATING))), encoding="utf-8")
    out = tmp_path / "verdicts.json"
    result = CliRunner().invoke(main, ["index", "query", db, str(inputs), "-f", "json", "-o", str(out), *args])
    errors = [line for line in result.stderr.splitlines() if line.startswith("dedup: error:")]
    written = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return result, errors, written


@pytest.mark.parametrize("add", [False, True])
def test_index_query_answers_the_other_inputs_around_a_fault(tmp_path, monkeypatch, add):
    original = Index._ask

    def faulty(self, doc_id, text, *args):
        if "FAULTY" in text:
            raise RuntimeError("a fault of dedup's")
        return original(self, doc_id, text, *args)
    monkeypatch.setattr(Index, "_ask", faulty)
    result, errors, written = _query(tmp_path, *(["--add"] if add else []))
    assert result.exit_code == 1, result.output
    assert errors == ["dedup: error: bad: check failed (RuntimeError: a fault of dedup's)"
                      + ("; not added" if add else "") + "; the other inputs are answered"]
    assert "Traceback" not in result.output
    assert [v["id"] for v in written["queries"]] == ["first", "last"]
    assert [r["b"] for r in written["queries"][0]["reuse"]] == ["source"]
    with Index(str(tmp_path / "i.db")) as index:
        assert ("first" in index, "bad" in index, "last" in index) == (add, False, add)


def test_index_query_names_a_failed_search_and_keeps_the_verdict(tmp_path, monkeypatch):
    monkeypatch.setattr(Detector, "detect", _with_fault(Detector.detect))
    result, errors, written = _query(tmp_path)
    assert result.exit_code == 1, result.output
    assert errors == [f"dedup: error: bad: restatement search failed (OverflowError: {FAULT}); its other results "
                      "are kept"]
    verdicts = {v["id"]: v for v in written["queries"]}
    assert verdicts["bad"]["failed"] == {"restatement_search": f"OverflowError: {FAULT}"}
    assert verdicts["bad"]["restated"] is None and verdicts["last"]["restated"]["groups"]
    assert verdicts["first"]["failed"] == {} and verdicts["last"]["failed"] == {}


def test_index_query_stops_on_a_failure_of_the_store(tmp_path, monkeypatch):
    from dedup.index.sqlite_store import SQLiteStore

    monkeypatch.setattr(SQLiteStore, "documents_with_reuse_keys", _raising(IndexUnavailableError("the index is gone")))
    result, errors, written = _query(tmp_path)
    assert result.exit_code == 1 and written is None  # nothing half-answered replaces the output file
    assert errors == ["dedup: error: the index is gone"]
