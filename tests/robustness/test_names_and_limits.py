"""File names that are not text, ids that are not ids, numbers past every limit, and empty index files.

Each case was a traceback or a lost batch (issue "fix-inputs"); each runs the real command line on real
files (``CliRunner`` on ``dedup.cli.main.main``; ``python -m dedup`` in a subprocess where the bytes a
real process writes matter). Asserted: one ``dedup: error:`` line or a usage error naming the culprit,
never a traceback, the rest of the batch done, and no file changed that should not be.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dedup import CorpusScanner
from dedup.cli.main import main
from dedup.io.readers import Document, read_documents
from dedup.util import workers
from dedup.util.workers import usable_cores, worker_count

from ..conftest import ARTICLE, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
BAD_NAME = b"bad\xffname.txt"  # not UTF-8: Python holds the 0xff as the lone surrogate \udcff (PEP 383)
SHOWN = "bad\\xffname.txt"  # how dedup names it: the byte as an escape


@pytest.fixture()
def runner():
    return CliRunner()


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output + result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# --- file names that are not UTF-8 ---------------------------------------------------------------------------


@pytest.fixture()
def badly_named(tmp_path) -> pathlib.Path:
    """A folder holding the article under a name that is not UTF-8, and a good small file."""
    folder = tmp_path / "nf"
    folder.mkdir()
    try:
        shutil.copy(ARTICLE, folder / os.fsdecode(BAD_NAME))
    except (OSError, UnicodeError):  # a file system that takes only UTF-8 names (APFS, some network mounts)
        pytest.skip("this file system refuses a file name that is not UTF-8")
    (folder / "ok.txt").write_text("T\n\nSome text here.\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "html"])
def test_a_file_name_that_is_not_utf8_is_named_with_escapes_in_every_format(runner, badly_named, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(main, ["scan", str(badly_named), "-f", fmt, "-o", str(out), "-q"])
    _no_traceback(result)
    assert result.exit_code == 0, result.stderr
    text = out.read_bytes().decode("utf-8")  # valid UTF-8 throughout
    shown = str(badly_named / SHOWN)
    assert shown in text or json.dumps(shown)[1:-1] in text or shown.replace("\\", "&#x5c;") in text
    if fmt == "json":
        ids = [d["id"] for d in json.loads(text)["documents"]]
        assert ids == [shown, str(badly_named / "ok.txt")]
        [article] = [d for d in json.loads(text)["documents"] if d["id"] == shown]
        assert article["groups"], "the file was read by its real name: its restatements are found"


def test_a_file_name_that_is_not_utf8_goes_to_stdout_as_valid_utf8(badly_named):
    done = subprocess.run([sys.executable, "-m", "dedup", "scan", str(badly_named), "-f", "json", "-q"],
                          capture_output=True, env=ENV, check=False)
    assert done.returncode == 0, done.stderr
    ids = [d["id"] for d in json.loads(done.stdout.decode("utf-8"))["documents"]]
    assert ids == [str(badly_named / SHOWN), str(badly_named / "ok.txt")]


def test_a_skipped_file_whose_name_is_not_utf8_is_listed_with_escapes(runner, badly_named):
    (badly_named / os.fsdecode(b"empty\xfe.txt")).write_bytes(b"")
    result = runner.invoke(main, ["scan", str(badly_named), "-f", "json", "-q"])
    _no_traceback(result)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["skipped"] == [{"id": str(badly_named / "empty\\xfe.txt"), "error": "empty (no text to scan)"}]
    assert len(payload["documents"]) == 2
    assert f"dedup: error: {badly_named / 'empty'}\\xfe.txt: empty" in result.stderr


def test_a_json_lines_file_whose_name_is_not_utf8_names_its_records_with_escapes(runner, badly_named):
    path = badly_named.parent / os.fsdecode(b"j\xfe.jsonl")
    path.write_text('{"text": "The storm closed the schools across the region on Monday."}\n', encoding="utf-8")
    result = runner.invoke(main, ["scan", str(path), "-f", "json", "-q"])
    _no_traceback(result)
    assert [d["id"] for d in json.loads(result.stdout)["documents"]] == [str(badly_named.parent / "j\\xfe.jsonl:1")]


def test_index_add_and_query_name_a_file_that_is_not_utf8_with_escapes(runner, badly_named, tmp_path):
    db = tmp_path / "i.db"
    added = runner.invoke(main, ["index", "add", str(db), str(badly_named), "-q"])
    _no_traceback(added)
    assert added.exit_code == 0, added.stderr
    queried = runner.invoke(main, ["index", "query", str(db), str(badly_named), str(ARTICLE), "-f", "json",
                                   "--no-within"])
    _no_traceback(queried)
    assert queried.exit_code == 0, queried.stderr
    verdicts = {q["id"]: q for q in json.loads(queried.stdout)["queries"]}
    shown = str(badly_named / SHOWN)
    assert set(verdicts) == {shown, str(badly_named / "ok.txt"), str(ARTICLE)}
    assert [d["doc"] for d in verdicts[str(ARTICLE)]["duplicates"]] == [shown]  # indexed under the escaped name


# --- ids to remove -------------------------------------------------------------------------------------------


@pytest.fixture()
def two_documents(runner, tmp_path) -> pathlib.Path:
    """An index of two documents, ``a.txt`` and ``b.txt``."""
    for name, words in (("a.txt", "The storm closed every school in the region"),
                        ("b.txt", "Markets rallied after the central bank held its rate")):
        (tmp_path / name).write_text(f"{words}.\n\n{words} again, officials said.\n", encoding="utf-8")
    db = tmp_path / "i.db"
    result = runner.invoke(main, ["index", "add", str(db), str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-q"])
    assert result.exit_code == 0, result.stderr
    return db


def _held(runner, db: pathlib.Path) -> int:
    result = runner.invoke(main, ["index", "stats", str(db)])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["documents"]


def _usage_error(result, option: str) -> str:
    _no_traceback(result)
    assert result.exit_code == 2, (result.exit_code, result.output)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert line.startswith(f"Error: Invalid value for {option}"), line
    return line


def test_remove_from_a_file_that_is_not_utf8_names_the_line_and_removes_nothing(runner, two_documents):
    ids = two_documents.parent / "ids.txt"
    ids.write_bytes(str(two_documents.parent / "a.txt").encode() + b"\n\xff\n")
    result = runner.invoke(main, ["index", "remove", str(two_documents), "--from", str(ids)])
    line = _usage_error(result, "--from")
    assert f"{ids}:2: not valid UTF-8 (byte 0xff at offset 0)" in line and "nothing was removed" in line
    assert _held(runner, two_documents) == 2


@pytest.mark.parametrize("blank", ["", "  ", "\t"])
def test_remove_an_empty_id_is_a_usage_error_and_removes_nothing(runner, two_documents, blank):
    result = runner.invoke(main, ["index", "remove", str(two_documents), str(two_documents.parent / "a.txt"), blank])
    line = _usage_error(result, "IDS")
    assert "id 2 is empty or only whitespace" in line
    assert _held(runner, two_documents) == 2


def test_remove_from_a_file_with_a_bom_and_crlf_removes_the_ids(runner, two_documents):
    ids = two_documents.parent / "ids.txt"
    ids.write_bytes(b"\xef\xbb\xbf" + str(two_documents.parent / "a.txt").encode() + b"\r\n\r\n")
    result = runner.invoke(main, ["index", "remove", str(two_documents), "--from", str(ids), "-q"])
    _no_traceback(result)
    assert result.exit_code == 0 and "not indexed" not in result.stderr, result.stderr
    assert _held(runner, two_documents) == 1


def test_remove_takes_a_file_name_that_is_not_utf8_as_index_add_named_it(runner, badly_named, tmp_path):
    db = tmp_path / "i.db"
    assert runner.invoke(main, ["index", "add", str(db), str(badly_named), "-q"]).exit_code == 0
    raw = str(badly_named / os.fsdecode(BAD_NAME))  # as a shell passes the name: the byte 0xff itself
    result = runner.invoke(main, ["index", "remove", str(db), raw, "-q"])
    _no_traceback(result)
    assert result.exit_code == 0 and "not indexed" not in result.stderr, result.stderr
    assert _held(runner, db) == 1


# --- numbers past every limit --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["scan"], ["index", "add", "{db}"], ["index", "query", "{db}"], ["align", "{a}"]])
@pytest.mark.parametrize("value", ["1e30", "1e20", "inf", "-inf", "nan", "2TiB", "0"])
def test_max_bytes_past_its_range_is_a_usage_error_naming_the_range(runner, tmp_path, command, value):
    db = tmp_path / "i.db"
    args = [part.format(db=db, a=ARTICLE) for part in command]
    result = runner.invoke(main, [*args, str(ARTICLE), "--max-bytes", value])
    line = _usage_error(result, "'--max-bytes'")
    assert f"'{value}' is out of range: give a size from 1 byte to 1TiB" in line
    assert result.stdout == "" and not db.exists()


@pytest.mark.parametrize("fmt", ["text", "jsonl", "jsonl.gz", "stdin"])
def test_the_largest_max_bytes_reads_a_small_input_without_setting_the_limit_aside(runner, tmp_path, fmt):
    """``read(n)`` sets n bytes aside before it reads: a 1 TiB limit on a small file was a MemoryError."""
    text = "Snow closed the schools on Monday.\n\nOfficials said the snow closed the schools on Monday.\n"
    if fmt == "stdin":
        path, stdin = "-", text
    else:
        path, stdin = tmp_path / f"doc.{fmt.replace('text', 'txt')}", None
        data = text.encode() if fmt == "text" else (json.dumps({"text": text}) + "\n").encode()
        if fmt.endswith(".gz"):
            data = gzip.compress(data)
        path.write_bytes(data)
    result = runner.invoke(main, ["scan", str(path), "-f", "json", "-q", "--max-bytes", "1TiB"], input=stdin)
    _no_traceback(result)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["documents"]) == 1


@pytest.mark.parametrize("age", ["9999999999d", "1000000000d", "9" * 400 + "w"])
def test_an_age_past_timedeltas_range_is_a_usage_error(runner, two_documents, age):
    result = runner.invoke(main, ["index", "expire", str(two_documents), "--older-than", age])
    line = _usage_error(result, "--older-than")
    assert "age must be at most 999,999,999 days" in line
    assert _held(runner, two_documents) == 2


def test_the_longest_age_expires_nothing(runner, two_documents):
    result = runner.invoke(main, ["index", "expire", str(two_documents), "--older-than", "999999999d", "-q"])
    _no_traceback(result)
    assert result.exit_code == 0 and _held(runner, two_documents) == 2


@pytest.mark.parametrize("command", [["remove", "{db}", "x"], ["expire", "{db}", "--before", "1"]])
def test_a_batch_size_past_its_range_is_a_usage_error(runner, two_documents, command):
    args = [part.format(db=two_documents) for part in command]
    result = runner.invoke(main, ["index", *args, "--batch-size", "99999999999999999999"])
    line = _usage_error(result, "'--batch-size'")
    assert "1<=x<=1000000" in line
    assert _held(runner, two_documents) == 2


# --- --jobs past the work and the machine --------------------------------------------------------------------


@pytest.mark.parametrize("jobs, tasks, cores, workers", [
    (64, 1, 2, 0),  # one small file: this process alone
    (64, 4, 2, 1),  # a 2-core machine: one worker, whatever -j says
    (100_000, 10**6, 8, 7),
    (3, 10, 8, 2),  # -j below both: as asked
    (1, 10, 8, 0),
    (8, 3, 8, 2),  # three batches: two go to workers, one is done here
])
def test_worker_count_is_capped_by_the_work_and_the_cores(jobs, tasks, cores, workers):
    assert worker_count(jobs, tasks, cores) == workers


def test_worker_count_defaults_to_the_cores_this_process_may_use():
    assert worker_count(10**6, 10**6) == usable_cores() - 1
    if hasattr(os, "sched_getaffinity"):
        assert usable_cores() == len(os.sched_getaffinity(0))


@pytest.fixture()
def started(monkeypatch) -> list[int]:
    """The size of each worker pool a scan starts, on a machine said to have 8 cores (so that what is
    asserted does not depend on this one's)."""
    monkeypatch.setattr(workers, "usable_cores", lambda: 8)
    sizes: list[int] = []
    start = workers.Workers._start

    def noting(self, tasks: int) -> None:
        had = self.pool
        start(self, tasks)
        if self.pool is not None and had is None:
            sizes.append(self.size)

    monkeypatch.setattr(workers.Workers, "_start", noting)
    return sizes


def test_many_jobs_on_one_small_file_start_no_worker(runner, tmp_path, started):
    small = tmp_path / "a.txt"
    small.write_text("Snow closed the schools.\n\nThe schools were closed by snow, officials said.\n")
    result = runner.invoke(main, ["scan", str(small), "-j", "64", "-f", "json", "-q"])
    _no_traceback(result)
    assert result.exit_code == 0 and len(json.loads(result.stdout)["documents"]) == 1
    assert started == []


def test_many_jobs_start_one_worker_per_batch_past_the_first_at_most(started):
    texts = [f"Document {i} says the council met on day {i}.\n\nIt voted {i} times on the budget." for i in range(30)]
    docs = [Document(id=f"d{i}", text=text) for i, text in enumerate(texts)]
    report = CorpusScanner(detector=None, batch_size=8, jobs=100_000).scan(docs)  # 4 batches of 8
    assert len(report.documents) == 30
    assert started == [3]


def test_jobs_past_the_cores_are_capped_with_a_note(runner, tmp_path, monkeypatch):
    monkeypatch.setattr("dedup.cli.scan_setup.usable_cores", lambda: 2)
    small = tmp_path / "a.txt"
    small.write_text("Snow closed the schools.\n\nThe schools were closed by snow, officials said.\n")
    said = runner.invoke(main, ["scan", str(small), "-j", "64", "-f", "json", "-o", str(tmp_path / "r.json")])
    assert said.exit_code == 0
    assert said.stderr.count("dedup: note: --jobs 64 capped at 2, the cores this process may use") == 1
    quiet = runner.invoke(main, ["scan", str(small), "-j", "64", "-f", "json", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


# --- an empty file where an index should be ------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["check", "{db}"], ["stats", "{db}"], ["query", "{db}", "{doc}"], ["query", "{db}", "{doc}", "--add"],
    ["remove", "{db}", "x"], ["expire", "{db}", "--older-than", "1d"], ["compact", "{db}"],
])
@pytest.mark.parametrize("location", ["{path}", "sqlite:///{path}"])
def test_an_empty_file_is_not_an_index_and_is_left_as_it_is(runner, tmp_path, command, location):
    """``touch z.db`` then ``index check z.db`` said "ok, 0 documents" and wrote a 69,632-byte index into it."""
    empty = tmp_path / "z.db"
    empty.touch()
    db = location.format(path=empty)
    args = [part.format(db=db, doc=ARTICLE) for part in command]
    result = runner.invoke(main, ["index", *args])
    _no_traceback(result)
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"dedup: error: {db}: an empty file, not a dedup index; the file was left unchanged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["z.db"] and empty.stat().st_size == 0


def test_index_add_creates_the_index_in_an_empty_file(runner, tmp_path):
    empty = tmp_path / "z.db"
    empty.touch()
    added = runner.invoke(main, ["index", "add", str(empty), str(ARTICLE), "-q"])
    assert added.exit_code == 0, added.stderr
    checked = runner.invoke(main, ["index", "check", str(empty)])
    assert checked.exit_code == 0 and checked.stdout == f"{empty}: ok, 1 document\n"


# --- what reuse offsets index --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_align_offsets_index_the_decoded_text_without_its_byte_order_mark(runner, tmp_path, encoding):
    """docs/output.md: spans index the text as decoded, the BOM dropped (it said the BOM stayed)."""
    article = ARTICLE.read_text(encoding="utf-8")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(article.encode(encoding))  # both codecs write a BOM first
    b.write_text("A new first paragraph, about the weather today.\n\n" + article[:1500], encoding="utf-8")
    result = runner.invoke(main, ["align", str(a), str(b), "-f", "json"])
    _no_traceback(result)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    text_a, text_b = a.read_text(encoding=encoding), b.read_text(encoding="utf-8")
    assert not text_a.startswith("\ufeff") and payload["a_length"] == len(text_a) == len(article)
    # The copied passage (the title on: b cuts it off mid-sentence, so it is "edited") starts at the same
    # words in both texts; one character off and it would not.
    (a0, _), (b0, _) = payload["reuse"][0]["a_span"], payload["reuse"][0]["b_span"]
    assert (a0, b0) == (0, text_b.index(article[:40]))
    assert text_a[a0:a0 + 200] == text_b[b0:b0 + 200] == article[:200]


def test_a_checkpoint_keeps_a_file_name_that_is_not_utf8_and_resumes_from_it(badly_named, tmp_path):
    """The checkpoint's meta.json holds the real paths (pass two reads the files again by them): written with
    the name's lone surrogates as escapes, read back as they were (it was a UnicodeEncodeError mid-scan)."""
    from dedup.corpus.checkpoint import Checkpoint

    key = {"paths": [str(badly_named)]}
    folder = tmp_path / "checkpoint"
    first = CorpusScanner(batch_size=1, detector=None).scan(read_documents([str(badly_named)]),
                                                           checkpoint=Checkpoint(str(folder), key, every=0.0))
    meta = next(folder.glob("*/meta.json")).read_bytes().decode("utf-8")
    assert str(badly_named / os.fsdecode(BAD_NAME)) in json.loads(meta)["paths"]
    resumed = CorpusScanner(batch_size=1, detector=None).scan(read_documents([str(badly_named)]),
                                                             checkpoint=Checkpoint(str(folder), key, every=0.0))
    assert [d.id for d in resumed.documents] == [d.id for d in first.documents] == [
        str(badly_named / SHOWN), str(badly_named / "ok.txt")]
    assert resumed.stats["reread_failed"] == 0
