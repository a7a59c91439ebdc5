"""Golden outputs: `dedup scan -f json` of the bundled article, the sample corpus and a generated corpus
are the same as when the files in tests/golden/ were written (timings and the version aside).

They pin behaviour across refactors ("one pipeline": a restructuring must not change a report). A change
that is meant to change a report rewrites the file (``DEDUP_REGOLD=1 pytest tests/test_golden.py``) and
says in its commit which fields changed and why.
"""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import main
from tests.planted import planted_corpus

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
_VOLATILE_STATS = ("seconds",)  # any stats key containing these varies from run to run


def _stable(payload: dict) -> dict:
    payload = dict(payload)
    payload.pop("version", None)
    payload["stats"] = {k: v for k, v in payload.get("stats", {}).items()
                        if not any(word in k for word in _VOLATILE_STATS)}
    return payload


def _planted(tmp_path: Path) -> Path:
    records, _ = planted_corpus()
    path = tmp_path / "planted.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


CASES = {
    "article": lambda tmp: (["data/vance_article.txt"], []),
    "sample": lambda tmp: (["data/sample_corpus.jsonl"], ["--text-field", "body"]),
    "planted": lambda tmp: ([str(_planted(tmp))], ["--text-field", "body", "--id-field", "id"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scan_report_is_unchanged(tmp_path, name, monkeypatch):
    monkeypatch.chdir(ROOT)  # paths (and so ids) as a user in the repository gives them
    paths, options = CASES[name](tmp_path)
    result = CliRunner().invoke(main, ["scan", *paths, *options, "-f", "json", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload = _stable(json.loads(result.stdout))
    if name == "planted":  # the generated file's folder differs per run
        text = json.dumps(payload).replace(str(tmp_path), "<tmp>")
        payload = json.loads(text)
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("DEDUP_REGOLD") == "1":
        golden.write_text(json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert payload == expected
