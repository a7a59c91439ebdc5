"""Which copy of a near-duplicate cluster is kept (``--keep longest|first|earliest``).

The corpus is the issue's: an article, a lightly edited copy, a copy with an editor's note added in
front (the longest), and the article's first half. Dates are set explicitly (``os.utime``, record
fields), never read from the clock, so nothing depends on when or how fast the tests run.
"""

import json
import os

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.cluster.keep import preferred, rank, representative, timestamp
from dedup.corpus.checkpoint import Checkpoint
from dedup.corpus.scanner import CorpusScanner
from dedup.io.readers import Document, read_documents
from dedup.report.formats import verdict_to_dict

from .conftest import ARTICLE
from .test_cli import validate

NOTE = ("Editor's note: This article was first published by our partners and is republished here with "
        "permission. It has been lightly edited for length and clarity, and its headline was updated after "
        "publication to reflect later reporting from Washington and Kyiv on the negotiations.")
DAY = 86_400
T0 = 1_700_000_000  # a fixed moment: the original's mtime; each copy a day later


def _copies() -> dict[str, str]:
    """The four copies, named so that the original is first in input (sorted path) order."""
    text = ARTICLE.read_text(encoding="utf-8").strip()
    paragraphs = text.split("\n\n")
    edited = text.replace("surprising", "startling").replace("suggests", "proposes")
    assert edited != text
    return {
        "1-original.txt": text,
        "2-edited.txt": edited,
        "3-editors-note.txt": "\n\n".join([paragraphs[0], NOTE, *paragraphs[1:]]),
        "4-half.txt": "\n\n".join(paragraphs[: len(paragraphs) // 2]),
    }


@pytest.fixture()
def folder(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    for i, (name, text) in enumerate(_copies().items()):
        (root / name).write_text(text + "\n", encoding="utf-8")
        os.utime(root / name, (T0 + i * DAY, T0 + i * DAY))
    return root


@pytest.fixture()
def runner():
    return CliRunner()


def _clean(runner, folder, out, *options) -> set[str]:
    result = runner.invoke(main, ["clean", str(folder), "-o", str(out), "--keep-restated", "--no-within", "-q",
                                  *options])
    assert result.exit_code == 0, result.stderr
    return {p.name for p in out.rglob("*.txt")}


@pytest.mark.parametrize("rule, kept", [("first", "1-original.txt"), ("earliest", "1-original.txt"),
                                        ("longest", "3-editors-note.txt")])
def test_clean_keeps_the_copy_the_rule_chooses(runner, folder, tmp_path, rule, kept):
    assert _clean(runner, folder, tmp_path / "out", "--keep", rule) == {kept}


def test_earliest_follows_the_files_dates_not_their_order(runner, folder, tmp_path):
    os.utime(folder / "2-edited.txt", (T0 - DAY, T0 - DAY))  # now the edited copy is the oldest file
    assert _clean(runner, folder, tmp_path / "out", "--keep", "earliest") == {"2-edited.txt"}


def test_default_is_longest(runner, folder, tmp_path):
    assert _clean(runner, folder, tmp_path / "out") == {"3-editors-note.txt"}


def test_scan_reports_the_rule(runner, folder):
    result = runner.invoke(main, ["scan", str(folder), "--keep", "first", "--no-within", "-q", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    validate(payload)  # the package's schema
    (cluster,) = payload["clusters"]
    assert len(cluster["members"]) == 4 and cluster["representative"].endswith("1-original.txt")
    assert cluster["kept_by"] == "first" and payload["params"]["keep"] == "first"
    table = runner.invoke(main, ["scan", str(folder), "--keep", "earliest", "--no-within", "-q"]).stdout
    assert f"representative {folder / '1-original.txt'} (earliest date)" in table


def test_invalid_keep_is_a_usage_error(runner, folder):
    result = runner.invoke(main, ["scan", str(folder), "--keep", "newest"])
    assert result.exit_code == 2 and "--keep" in result.stderr
    with pytest.raises(ValueError, match="keep must be one of"):
        CorpusScanner(keep="newest")


def _jsonl(tmp_path, dates: dict[str, str | None], field: str = "published"):
    """The copies as JSON Lines, the longest first and the original third in input order."""
    copies = _copies()
    path = tmp_path / "copies.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for name in ("3-editors-note.txt", "4-half.txt", "1-original.txt", "2-edited.txt"):
            record = {"id": name, "body": copies[name], **({field: dates[name]} if dates.get(name) else {})}
            out.write(json.dumps(record) + "\n")
    return path


DATES = {"3-editors-note.txt": "2024-05-03T10:00:00+02:00", "4-half.txt": "2024-05-04",
         "1-original.txt": "2024-05-01T09:00:00Z", "2-edited.txt": None}


@pytest.mark.parametrize("rule, kept", [("earliest", "1-original.txt"), ("first", "3-editors-note.txt"),
                                        ("longest", "3-editors-note.txt")])
def test_jsonl_date_field(runner, tmp_path, rule, kept):
    path = _jsonl(tmp_path, DATES)
    out = tmp_path / "clean.jsonl"
    result = runner.invoke(main, ["clean", str(path), "-o", str(out), "--text-field", "body", "--keep", rule,
                                  "--date-field", "published", "--keep-restated", "--no-within", "-q"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [kept]
    assert records[0].get("published") == DATES[kept]  # every other field of the kept record stays
    # One undated record (2-edited) is said once; the others decide.
    assert result.stderr.count("1 of 4 documents have no date") == (1 if rule == "earliest" else 0)


def test_earliest_without_the_date_field_falls_back_to_input_order(runner, tmp_path):
    path = _jsonl(tmp_path, DATES)
    result = runner.invoke(main, ["scan", str(path), "--text-field", "body", "--keep", "earliest",
                                  "--date-field", "no_such_field", "--no-within", "-q", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    (cluster,) = json.loads(result.stdout)["clusters"]
    assert cluster["representative"] == "3-editors-note.txt" and cluster["kept_by"] == "earliest"
    notes = [line for line in result.stderr.splitlines() if "note:" in line]
    assert len(notes) == 1 and "none of the 4 documents has a date" in notes[0] and "no_such_field" in notes[0]


def _documents(dates: dict[str, str | None] | None = None):
    copies = _copies()
    order = ("3-editors-note.txt", "4-half.txt", "1-original.txt", "2-edited.txt")
    return [Document(name, copies[name], date=(dates or {}).get(name)) for name in order]


@pytest.mark.parametrize("rule, kept", [("earliest", "1-original.txt"), ("first", "3-editors-note.txt"),
                                        ("longest", "3-editors-note.txt")])
def test_library_scanner_keep(rule, kept):
    report = CorpusScanner(detector=None, keep=rule).scan(_documents(DATES))
    (cluster,) = report.clusters
    assert cluster.representative == kept and cluster.kept_by == rule
    assert all(m.a == kept for m in cluster.matches) and len(cluster.matches) == 3


class _Crash(Exception):
    pass


def test_checkpoint_keeps_the_dates(tmp_path):
    """Dates read before a crash come back from the checkpoint: the original (second in input, the
    earliest) is read before the crash; were its date lost, the edited copy (dated later) would win."""
    copies = _copies()
    path = tmp_path / "copies.jsonl"
    order = [("3-editors-note.txt", "2024-05-03"), ("1-original.txt", "2024-05-01"), ("2-edited.txt", "2024-05-02"),
             ("4-half.txt", None)]
    path.write_text("".join(json.dumps({"id": name, "text": copies[name], "published": date}) + "\n"
                            for name, date in order), encoding="utf-8")
    key = {"test": "keep"}

    def crashing():
        items = read_documents([str(path)])
        yield next(items)
        yield next(items)
        raise _Crash

    def scanner():
        return CorpusScanner(detector=None, keep="earliest", date_field="published", batch_size=1)

    with pytest.raises(_Crash):
        scanner().scan(crashing(), checkpoint=Checkpoint(str(tmp_path / "ck"), key, every=0))
    resumed = scanner().scan(read_documents([str(path)]), checkpoint=Checkpoint(str(tmp_path / "ck"), key, every=0))
    assert resumed.stats["documents"] == 4 and resumed.stats["undated_documents"] == 1  # the half
    assert [c.representative for c in resumed.clusters] == ["1-original.txt"]


def test_rule_keys():
    assert representative([0, 1, 2], [5, 9, 9], "longest") == 1  # ties: first in input
    assert representative([0, 1, 2], [5, 9, 9], "first") == 0
    nan = float("nan")
    assert representative([0, 1, 2], [5, 9, 9], "earliest", [nan, 20.0, 10.0]) == 2
    assert representative([0, 1, 2], [5, 9, 9], "earliest", [nan, nan, nan]) == 0  # undated: input order
    assert timestamp("2024-05-01T00:00:00Z") == timestamp("2024-05-01") == timestamp("2024-05-01T02:00:00+02:00")
    assert timestamp("yesterday") is None and timestamp(None) is None
    assert rank("earliest", 0, 5, None) > rank("earliest", 0, 9, 1e12)  # undated after every dated copy
    assert not preferred("first", 100, None, [(1, None)])
    assert preferred("longest", 100, None, [(99, None)]) and not preferred("longest", 99, None, [(99, None)])


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_index_preferred(tmp_path, request, store):
    copies = _copies()
    location = str(tmp_path / "news.db") if store == "sqlite" else f"{request.getfixturevalue('redis_url')}?prefix=keep"
    with Index(location, within=False) as index:
        index.add("original", copies["1-original.txt"], date="2024-05-02")
    with Index(location, within=False, keep="longest") as index:
        longer = index.check("note", copies["3-editors-note.txt"])
        assert [m.b for m in longer.duplicates] == ["original"] and longer.preferred
        assert not index.check("half", copies["4-half.txt"]).preferred
        assert verdict_to_dict(longer)["preferred"] is True and verdict_to_dict(longer)["kept_by"] == "longest"
    with Index(location, within=False, keep="first") as index:
        assert not index.check("note", copies["3-editors-note.txt"]).preferred
    with Index(location, within=False, keep="earliest") as index:
        edited = copies["2-edited.txt"]
        assert index.check("edited", edited, date="2024-05-01T12:00:00Z").preferred
        assert not index.check("edited", edited, date="2024-05-03").preferred
        assert not index.check("edited", edited).preferred  # undated: now, later than the stored date
        # A date given with add=True is stored with the document and decides later checks.
        assert index.check("early", copies["4-half.txt"] + "\n\nA closing line.", add=True, date="2024-01-01").added
        note = copies["3-editors-note.txt"]
        verdict = index.check("note", note, date="2024-03-01")  # earlier than "original", not than "early"
        assert {m.b for m in verdict.duplicates} == {"original", "early"} and not verdict.preferred
        assert index.check("note", note, date="2023-12-31").preferred
        with pytest.raises(ValueError, match="date"):
            index.check("x", edited, date="not a date")
