import csv
import io
import json
import os
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from dedup.cli.main import main

from .conftest import ARTICLE, ROOT

# The JSON Schema of ``dedup scan -f json``, as the package ships it (docs/output.md): the tests hold the
# real outputs to the published contract, not to a copy of it.
SCHEMA = json.loads((resources.files("dedup") / "schema" / "scan-report.schema.json").read_text(encoding="utf-8"))
SAMPLE_CORPUS = ROOT / "data" / "sample_corpus.jsonl"


def validate(payload, definition: str | None = None) -> None:
    """``payload`` against the scan report schema, or against one of its ``$defs`` (``"jsonl_line"``)."""
    schema = SCHEMA if definition is None else {
        "$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{definition}"}
    jsonschema.Draft202012Validator(schema).validate(payload)


def test_the_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    # Extend, never break: no object of the report forbids fields a later version adds.
    assert "additionalProperties" not in json.dumps(SCHEMA)


@pytest.fixture()
def runner():
    return CliRunner()


def test_scan_table_names_groups_and_scores(runner):
    result = runner.invoke(main, ["scan", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    assert "15 paragraphs" in result.output
    # The claim "military action if Putin refuses a deal" (data/vance_article.gold.json).
    assert "group 1: paragraphs 0, 1, 2, 4, 5, 8, 11 (representative 0)" in result.output
    assert "jaccard" in result.output and "cosine" in result.output


def test_scan_json_follows_the_schema(runner):
    result = runner.invoke(main, ["scan", str(ARTICLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    validate(payload)
    doc = payload["documents"][0]
    assert doc["id"] == str(ARTICLE) and doc["paragraphs"] == 15
    assert {"a": 0, "b": 1} == {k: doc["matches"][0][k] for k in ("a", "b")}
    assert payload["skipped"] == []


def test_scan_jsonl_one_document_per_line(runner, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Title line\n\nA paragraph about something.\n\nAnother one about other things.\n")
    result = runner.invoke(main, ["scan", str(ARTICLE), str(other), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    docs = [json.loads(line) for line in lines]
    for doc in docs:
        validate(doc, "jsonl_line")
        assert doc["kind"] == "document"
    assert docs[1]["id"] == str(other) and docs[1]["groups"] == []


def test_scan_of_the_sample_corpus_follows_the_schema(runner):
    """The bundled corpus: clusters (kept_by), passages (boilerplate too), duplicate_of, params.keep."""
    result = runner.invoke(main, ["scan", str(SAMPLE_CORPUS), "--text-field", "body", "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    validate(payload)
    assert payload["clusters"] and payload["passages"] and any(p["boilerplate"] for p in payload["passages"])
    assert any(d["duplicate_of"] for d in payload["documents"])
    assert payload["params"]["keep"] == "longest" and payload["skipped"] == []
    lines = runner.invoke(main, ["scan", str(SAMPLE_CORPUS), "--text-field", "body", "-f", "jsonl", "-q"]).stdout
    kinds = set()
    for line in lines.splitlines():
        record = json.loads(line)
        validate(record, "jsonl_line")
        kinds.add(record["kind"])
    assert kinds == {"document", "cluster", "passage", "reuse"}


def test_schema_rejects_a_report_missing_a_stable_field(runner):
    payload = json.loads(runner.invoke(main, ["scan", str(ARTICLE), "-f", "json", "-q"]).stdout)
    del payload["documents"][0]["matches"][0]["spans"]
    with pytest.raises(jsonschema.ValidationError):
        validate(payload)


def test_scan_csv_one_match_per_row(runner):
    result = runner.invoke(main, ["scan", str(ARTICLE), "-f", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    json_doc = json.loads(runner.invoke(main, ["scan", str(ARTICLE), "-f", "json"]).output)["documents"][0]
    assert len(rows) == len(json_doc["matches"])
    assert rows[0]["a"] == "0" and rows[0]["b"] == "1"


def test_scan_reads_stdin(runner):
    result = runner.invoke(main, ["scan", "-", "-f", "json"], input=ARTICLE.read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.output)["documents"][0]["id"] == "-"


def test_scan_walks_folders(runner, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text(ARTICLE.read_text())
    (tmp_path / "b.txt").write_text("One paragraph.\n\nAnother paragraph.\n")
    (tmp_path / "skip.bin").write_bytes(b"\x00\x01")
    result = runner.invoke(main, ["scan", str(tmp_path), "-f", "jsonl"])
    ids = [json.loads(line)["id"] for line in result.output.splitlines()]
    assert result.exit_code == 0
    assert ids == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.md")]


def _bad_inputs(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 au lait".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n\t\n")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    return {
        str(tmp_path / "missing.txt"): "no such file",
        str(binary): "binary file",
        str(latin): "not valid UTF-8",
        str(empty): "empty",
        str(blank): "empty",
        str(nothing): "no .txt or .md files",
    }


def test_each_bad_input_gets_a_one_line_error_and_nonzero_exit(runner, tmp_path):
    for path, reason in _bad_inputs(tmp_path).items():
        result = runner.invoke(main, ["scan", path])
        assert result.exit_code == 1, (path, result.output)
        errors = [line for line in result.stderr.splitlines() if line.startswith("dedup: error:")]
        assert len(errors) == 1 and path in errors[0] and reason in errors[0], result.stderr
        assert "Traceback" not in result.output


def test_batch_keeps_good_files_and_reports_bad_ones(runner, tmp_path):
    bad = _bad_inputs(tmp_path)
    result = runner.invoke(main, ["scan", *bad, str(ARTICLE), "-f", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    validate(payload)
    assert [d["id"] for d in payload["documents"]] == [str(ARTICLE)]
    assert {s["id"] for s in payload["skipped"]} == set(bad)
    assert payload["stats"]["skipped"] == len(bad)
    assert f"skipped {len(bad)} of {len(bad) + 1} inputs" in result.stderr


def test_wrong_option_is_a_usage_error(runner):
    for args in (["--paragraph-cosine-threshold", "0"], ["--paragraph-cosine-threshold", "1.5"], ["--format", "xml"], ["--num-perm", "0"]):
        result = runner.invoke(main, ["scan", str(ARTICLE), *args])
        assert result.exit_code == 2, args
        assert "Invalid value" in result.stderr


def test_utf16_and_crlf_inputs_are_read(runner, tmp_path):
    text = ARTICLE.read_text().replace("\n", "\r\n")
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    result = runner.invoke(main, ["scan", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["documents"][0]["paragraphs"] == 15


def test_clean_drops_restating_paragraphs_and_keeps_first_occurrence(runner):
    result = runner.invoke(main, ["clean", str(ARTICLE)])
    assert result.exit_code == 0
    cleaned = result.stdout.split("\n\n")
    original = ARTICLE.read_text().split("\n\n")
    assert len(cleaned) < len(original)
    assert cleaned[0].strip() == original[0].strip()  # the title, first occurrence, stays
    # The lede (paragraph 1, under a repeat of the title) stays: the headline alone restating it is news's shape.
    assert any(p.startswith("US Defense Secretary Suggests") and "JD Vance suggests military action" in p
               for p in cleaned[1:])
    assert any("Kaja Kallas" in p for p in cleaned)
    assert "removed paragraphs 5, 8, 11" in result.stderr
    # Sentence by sentence, the repeated title line goes and the lede sentence stays.
    finer = runner.invoke(main, ["clean", str(ARTICLE), "--sentences", "-q"]).stdout.split("\n\n")
    assert finer[1].strip().startswith("US Defense Secretary JD Vance suggests military action")


def test_clean_sentences_cuts_restated_sentences_only(runner):
    plain = runner.invoke(main, ["clean", str(ARTICLE), "-q"]).stdout
    finer = runner.invoke(main, ["clean", str(ARTICLE), "--sentences", "-q"]).stdout
    assert len(finer) < len(plain)
    assert "Kaja Kallas" in finer


def test_clean_missing_file(runner, tmp_path):
    result = runner.invoke(main, ["clean", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"dedup: error: {tmp_path / 'nope.txt'}: no such file or directory"


def test_real_subprocess_scan_and_pipe():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "dedup", "scan", "-", "--format", "json"],
                         input=ARTICLE.read_bytes(), capture_output=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["documents"][0]["paragraphs"] == 15
    bad = subprocess.run([sys.executable, "-m", "dedup", "scan", "/nonexistent/file.txt"],
                         capture_output=True, env=env, timeout=600, text=True)
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == "dedup: error: /nonexistent/file.txt: no such file or directory"
