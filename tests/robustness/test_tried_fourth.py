"""Found by trying it, fourth round: outputs named through a descriptor, `dedup clean` leaving out what it skipped,
paths too long for the file system, and the index's batch, lock and location edges. Each test failed before its
fix."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.index import sqlite_schema
from dedup.index.store import IndexFileError, IndexLocationError
from dedup.io.readers import Document

TEXT = ("Title of the page\n\nThe mayor opened the new bridge over the river today after years of delay.\n\n"
        "The mayor opened the new bridge over the river today after years of delay.\n")
A = "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima.\n\nMike november oscar papa quebec."
B = "Zulu yankee xray one two three four five six seven eight nine ten eleven.\n\nTwelve thirteen fourteen fifteen."


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _dedup(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "dedup", *map(str, args)], **kwargs)


# 1. -o naming this process's own descriptor: written there, not renamed over what it points at

def test_output_to_dev_stdout_appends_to_a_redirected_file(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    log = tmp_path / "log.txt"
    log.write_text("old log line\n")
    with open(log, "ab") as out:  # the shell's >>
        done = _dedup("scan", tmp_path / "t.txt", "-q", "-f", "json", "-o", "/dev/stdout", stdout=out)
    assert done.returncode == 0
    held = log.read_text()
    assert held.startswith("old log line\n") and json.loads(held[len("old log line\n"):])["documents"]


def test_output_to_dev_stdout_reaches_a_pipe(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    done = _dedup("scan", tmp_path / "t.txt", "-q", "-f", "json", "-o", "/dev/stdout", capture_output=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"][0]["paragraphs"] == 3


def test_output_to_a_passed_descriptor(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    read, write = os.pipe()
    done = _dedup("align", tmp_path / "t.txt", tmp_path / "t.txt", "-o", f"/dev/fd/{write}", pass_fds=(write,),
                  capture_output=True)
    os.close(write)
    with os.fdopen(read) as pipe:
        assert done.returncode == 0 and "reused passage" in pipe.read()


def test_an_output_name_near_the_length_limit_is_written(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    name = tmp_path / ("z" * 250)
    assert _run("scan", tmp_path / "t.txt", "-q", "-o", name).exit_code == 0
    assert "3 paragraphs, 1 restatement group" in name.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


# 2. paths longer than the file system takes: one line, no traceback

@pytest.mark.parametrize("command", [["scan", "{long}"], ["scan", "{text}", "-o", "{long}"], ["align", "{text}", "{long}"],
                                     ["clean", "{long}", "-o", "{out}"], ["clean", "{text}", "-o", "{long}/"]])
def test_a_path_too_long_is_named_in_one_line(tmp_path, command):
    (tmp_path / "t.txt").write_text(TEXT)
    values = {"long": "x" * 300, "text": tmp_path / "t.txt", "out": tmp_path / "out.txt"}
    result = _run(*[part.format(**values) for part in command])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert "File name too long" in result.output and "x" * 300 in result.output


# 3. dedup clean never leaves out a record it could not judge

def test_clean_writes_the_records_it_skipped_as_they_came_in(tmp_path):
    records = [{"id": "t1", "text": "The harbour council approved a budget of forty million for road repairs."},
               {"id": "t2", "text": "\U0001F600\U0001F389"}, {"id": "t3", "text": ""}, {"id": "t4", "meta": "no text"},
               {"id": "t1", "text": "Another record with the same id, about gardens and parks."},
               {"id": "t6", "text": "Residents in the old town said the repairs were long overdue."}]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
                       + b'{"broken json\n' + b'{"id": "t8", "text": "bad \xff byte"}\n')
    result = _run("clean", source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert (tmp_path / "out.jsonl").read_bytes() == source.read_bytes()  # nothing to remove: all as it came in
    assert "6 skipped inputs: written as they came in" in result.output


def test_clean_copies_the_files_it_could_not_read_into_the_folder(tmp_path):
    given = tmp_path / "in"
    given.mkdir()
    (given / "a.txt").write_text(TEXT)
    (given / "copy.txt").write_text(TEXT)
    unread = {"empty.txt": b"", "latin.txt": b"\xe9t\xe9 caf\xe9\n", "emoji.txt": "\U0001F600\n".encode()}
    for name, data in unread.items():
        (given / name).write_bytes(data)
    result = _run("clean", given, "-o", f"{tmp_path / 'out'}{os.sep}")
    assert result.exit_code == 1
    written = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert {name: written.get(name) for name in unread} == unread
    assert "a.txt" in written and "copy.txt" not in written  # the near-duplicate is still dropped


def test_clean_that_reads_nothing_leaves_the_output_as_it_was(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n")
    (tmp_path / "out.jsonl").write_text("an earlier run's output\n")
    result = _run("clean", source, "--text-field", "body", "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "out.jsonl not written" in result.output
    assert (tmp_path / "out.jsonl").read_text() == "an earlier run's output\n"


# 4. the index: a batch keeps the first of a repeated id, as add and separate batches do

@pytest.mark.parametrize("batch_size", [1, 512])
def test_add_many_keeps_the_first_of_a_repeated_id(make_location, batch_size):
    with dedup.Index(make_location(), within=False, reuse=False, batch_size=batch_size) as index:
        assert index.add_many([Document("page", A), Document("page", B)]) == 1
        assert index.check("probe", A).is_duplicate and not index.check("probe", B).is_duplicate


def test_add_many_names_an_item_that_is_not_a_document(tmp_path):
    with dedup.Index(str(tmp_path / "i.db"), within=False) as index:
        with pytest.raises(TypeError, match="item 1 is a tuple, not a Document"):
            index.add_many([Document("first", A), ("id", "text")])
        assert "first" in index  # the good one before it was added, not lost with the batch


@pytest.mark.parametrize("date", [10**400, -10**400], ids=["huge", "huge-negative"])
def test_a_date_past_a_float_is_refused_by_name(tmp_path, date):
    skipped = []
    with dedup.Index(str(tmp_path / "i.db"), within=False) as index:
        for call in (lambda: index.add("x", A, date=date), lambda: index.check("x", A, date=date),
                     lambda: index.expire(before=date)):
            with pytest.raises(ValueError, match="is not an ISO 8601 date"):
                call()
        added = index.add_many([Document("ok", A), Document("huge", B, date=date), Document("bad", B, date="soon")],
                               on_skip=lambda doc_id, why: skipped.append(doc_id))
        assert added == 1 and skipped == ["huge", "bad"] and "ok" in index and "bad" not in index


# 5. the write lock: one deadline for all tries

class _Clock:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class _Locked:
    """A connection whose BEGIN always meets a lock, each try costing ``wait`` seconds of the clock."""

    def __init__(self, clock, wait):
        self.clock, self.wait, self.tries = clock, wait, 0

    def execute(self, sql):
        self.tries += 1
        self.clock.now += self.wait
        raise sqlite3.OperationalError("database is locked")


@pytest.mark.parametrize("timeout, wait, tries", [(60, 60, 1), (0, 0, 1), (5, 0, 8)])
def test_the_write_lock_gives_up_at_its_timeout(monkeypatch, timeout, wait, tries):
    clock = _Clock()
    monkeypatch.setattr(sqlite_schema, "time", clock)
    db = _Locked(clock, wait)
    with pytest.raises(sqlite3.OperationalError):
        with sqlite_schema.Transaction(db, timeout):
            pass
    # The busy handler's wait counts against the deadline: 60 s, not five waits of 60 s.
    assert db.tries == tries and clock.now <= max(timeout, wait)


def test_a_real_lock_past_the_timeout_is_a_write_error(tmp_path):
    path = str(tmp_path / "lock.db")
    with dedup.Index(path, within=False) as index:
        index.add("a", A)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with dedup.Index(path, within=False, lock_timeout=0) as index:
            with pytest.raises(dedup.index.core.IndexWriteError, match="locked by another process"):
                index.add("b", B)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# 6. locations no file can be

@pytest.mark.parametrize("location", [":memory:", "sqlite:///:memory:", "file:x?mode=memory", "a\0b.db"])
def test_locations_that_cannot_hold_an_index_are_refused(location):
    with pytest.raises(IndexLocationError):
        dedup.Index(location)


def test_another_programs_keys_under_a_redis_prefix_are_named(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.hset("alien1:meta", mapping={"schema_version": "abc"})
    client.hset("alien2:meta", mapping={"params": "not json", "schema_version": "7"})
    for prefix in ("alien1", "alien2"):
        with pytest.raises(IndexFileError, match=f"not a dedup index \\(its {prefix}:meta hash"):
            dedup.Index(f"{redis_url}?prefix={prefix}")
    with dedup.Index(f"{redis_url}?prefix=alien3", within=False) as index:
        index.add("a", A)
        client.set("alien3:df", b"hello")
        client.incr("alien3:version")  # as another writer would: the counts are read again
        with pytest.raises(IndexFileError, match="a damaged index"):
            index.check("b", B)


# 7. smaller: align of JSON Lines, a loop of links as -o, JSON values named as JSON names them

def test_align_refuses_json_lines_in_one_line(tmp_path):
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "a", "text": TEXT}) + "\n")
    (tmp_path / "t.txt").write_text(TEXT)
    result = _run("align", tmp_path / "c.jsonl", tmp_path / "t.txt")
    assert result.exit_code == 2 and "JSON Lines hold many documents; align compares two" in result.output


def test_a_loop_of_links_as_output_is_refused_and_kept(tmp_path):
    (tmp_path / "t.txt").write_text(TEXT)
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    result = _run("scan", tmp_path / "t.txt", "-q", "-o", tmp_path / "l1")
    assert result.exit_code == 2 and "Too many levels of symbolic links" in result.output
    assert (tmp_path / "l1").is_symlink()


def test_a_record_that_is_no_object_is_named_in_jsons_words(tmp_path):
    (tmp_path / "v.jsonl").write_text('null\n"text"\n3\n')
    result = _run("scan", tmp_path / "v.jsonl", "-q")
    assert [line.rsplit(": ", 1)[-1] for line in result.output.splitlines()[:3]] == [
        "a JSON null, not an object", "a JSON string, not an object", "a JSON number, not an object"]


# 8. HTML: an article under a headline and 300 <div>s, a short page's navigation, <template>

BODY = "".join(f"<p>Paragraph {i} of the harbour story has words of its own, {i} times over.</p>" for i in range(6))


def test_an_article_nested_past_libxmls_depth_under_a_headline_is_read():
    from dedup.io.html_input import html_to_text

    page = f"<html><body><article><h1>Copy</h1>{'<div>' * 300}{BODY}{'</div>' * 300}</article></body></html>"
    text = html_to_text(page)
    assert "Paragraph 0 of the harbour story" in text and "Paragraph 5 of the harbour story" in text


def test_a_short_pages_navigation_is_dropped_and_its_paragraphs_kept_apart():
    from dedup.io.html_input import html_to_text

    nav = "<nav><ul>" + "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(10)) + "</ul></nav>"
    text = html_to_text(f"<html><head><title>Harbour pier closes</title></head><body>{nav}<div><p>The harbour pier "
                        "will close on Monday for repairs.</p><p>Ferries move to the eastern terminal until April."
                        "</p></div></body></html>")
    assert text.split("\n\n") == ["Harbour pier closes", "The harbour pier will close on Monday for repairs.",
                                  "Ferries move to the eastern terminal until April."]


def test_template_markup_is_not_main_text():
    from dedup.io.html_input import html_to_text

    text = html_to_text(f"<html><body><article>{BODY}<template><p>TEMPLATE words never shown</p></template>"
                        "</article></body></html>")
    assert "Paragraph 3 of the harbour story" in text and "TEMPLATE" not in text


def test_a_gzipped_file_named_jsonl_is_one_line_not_one_per_garbled_line(tmp_path):
    import gzip

    records = "".join(json.dumps({"id": f"r{i}", "text": f"Record {i} says something of its own."}) + "\n"
                      for i in range(60))
    (tmp_path / "packed.jsonl").write_bytes(gzip.compress(records.encode()))
    result = _run("scan", tmp_path / "packed.jsonl", "-q")
    assert result.exit_code == 1
    assert result.output.count("dedup: error:") == 1 and "gzip-compressed, but not named .gz" in result.output


# 9. a misspelt --id-field is said, as a misspelt --text-field is

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl"


@pytest.mark.parametrize("command", [["scan", "{corpus}"], ["index", "add", "{db}", "{corpus}"]])
def test_a_misspelt_id_field_is_said_once(tmp_path, command):
    values = {"corpus": SAMPLE, "db": tmp_path / "i.db"}
    wrong = _run(*[part.format(**values) for part in command], "--text-field", "body", "--id-field", "url")
    assert wrong.exit_code == 0
    assert wrong.output.count("no record has an 'url' field: each is named path:line") == 1
    (tmp_path / "i.db").unlink(missing_ok=True)
    right = _run(*[part.format(**values) for part in command], "--text-field", "body")
    assert right.exit_code == 0 and "no record has" not in right.output
