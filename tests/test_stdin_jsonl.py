"""JSON Lines on standard input or a pipe: read as records, not as one text (``dedup.io.streams``)."""

import gzip
import io
import json
import os
import queue
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from dedup.cli.main import main
from dedup.io.readers import Document, InputError, read_documents
from dedup.io.streams import kind_of, sniff

from .conftest import ARTICLE

STORY = ("Storm closes schools across the county.\n\nA storm closed every school across the county on Monday, "
         "officials said, as roads flooded and power lines came down.\n\nThe schools will reopen on Wednesday "
         "if the water recedes, the district's superintendent said.")
LINES = [json.dumps({"id": "first", "text": STORY}), "{not json",
         json.dumps({"id": "copy", "text": STORY.replace("Monday", "Monday morning")}),
         json.dumps({"id": "other", "text": "A bakery on Main Street won the regional bread prize this year."})]
PAYLOAD = "".join(line + "\n" for line in LINES).encode()


@pytest.mark.parametrize("head, kind", [
    (b'{"id": 1}\n', "jsonl"), (b'\n  {  "text"', "jsonl"), (b'\xef\xbb\xbf{"a": 1}', "jsonl"), (b"{}\n", "jsonl"),
    (b"{\\rtf1\\ansi hello}", "text"), (b"A storm closed schools.", "text"), (b"[1, 2]", "text"),
    (b"{ not json", "text"), (b"", "text"),
    (gzip.compress(PAYLOAD), "jsonl.gz"), (gzip.compress(STORY.encode()), "text"), (b"\x1f\x8bnot gzip", "text"),
])
def test_kind_of_a_stream_from_its_first_bytes(head, kind):
    assert kind_of(head) == kind


@pytest.mark.parametrize("head", [b"", b"\x1f", b"\xef\xbb", b"  \n", b"{", b" {  \n"])
def test_too_few_bytes_to_tell_wait_for_more(head):
    assert kind_of(head, at_end=False) is None


class Trickle(io.RawIOBase):
    """A pipe that hands out its bytes a few at a time, as a slow writer does."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step = data, step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(self.step, len(buffer), len(self.data))
        buffer[:n], self.data = self.data[:n], self.data[n:]
        return n


@pytest.mark.parametrize("data", [PAYLOAD, gzip.compress(PAYLOAD), ARTICLE.read_bytes(), b"   \n{"])
@pytest.mark.parametrize("step", [1, 3, 1 << 20])
def test_sniffing_loses_no_byte(data, step):
    kind, stream = sniff(io.BufferedReader(Trickle(data, step), 4))
    assert stream.read() == data
    assert kind == kind_of(data)


def test_stdin_records_are_documents_and_a_bad_line_is_named():
    items = list(read_documents(["-"], stdin=io.BytesIO(PAYLOAD)))
    assert [i.id for i in items if isinstance(i, Document)] == ["first", "copy", "other"]
    assert [str(i) for i in items if isinstance(i, InputError)] == [
        "<stdin>:2: malformed JSON (Expecting property name enclosed in double quotes at column 2)"]


def test_plain_text_on_stdin_stays_one_document():
    items = list(read_documents(["-"], stdin=io.BytesIO(ARTICLE.read_bytes())))
    assert len(items) == 1 and items[0].id == "-" and items[0].text == ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("compress", [False, True])
def test_scan_of_piped_jsonl_finds_the_copy_and_names_the_bad_line(compress):
    data = gzip.compress(PAYLOAD) if compress else PAYLOAD
    result = CliRunner().invoke(main, ["scan", "-", "-f", "json", "-q"], input=data)
    assert result.exit_code == 1  # a record was skipped
    report = json.loads(result.stdout)
    assert [d["id"] for d in report["documents"]] == ["first", "copy", "other"]
    assert [sorted(c["members"]) for c in report["clusters"]] == [["copy", "first"]]
    assert "<stdin>:2: malformed JSON" in result.stderr


def test_clean_of_piped_jsonl_writes_records(tmp_path):
    out = tmp_path / "kept.jsonl"
    result = CliRunner().invoke(main, ["clean", "-", "-o", str(out), "-q"], input=PAYLOAD)
    assert result.exit_code == 1, result.output
    written = out.read_text().splitlines()
    kept = [json.loads(line) for line in written if line != LINES[1]]
    assert sorted(r["id"] for r in kept) == ["copy", "other"]  # the longer of the two copies, and the other
    assert LINES[1] in written  # the malformed line, written as it came in: clean loses nothing it skipped


def test_a_fifo_of_jsonl_is_read_as_records(tmp_path):
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as out:
            out.write(PAYLOAD)

    threading.Thread(target=feed, daemon=True).start()
    result = CliRunner().invoke(main, ["scan", str(fifo), "-f", "json", "-q"])
    report = json.loads(result.stdout)
    assert [d["id"] for d in report["documents"]] == ["first", "copy", "other"]
    assert f"{fifo}:2: malformed JSON" in result.stderr


def test_index_query_answers_each_piped_record_as_it_arrives(tmp_path):
    db = tmp_path / "pages.db"
    added = CliRunner().invoke(main, ["index", "add", str(db), "-", "-q"], input=PAYLOAD)
    assert added.exit_code == 1 and "<stdin>:2" in added.stderr
    query = subprocess.Popen([sys.executable, "-m", "dedup", "index", "query", str(db), "-", "-f", "jsonl"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    answers: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [answers.put(line) for line in query.stdout], daemon=True).start()
    try:
        query.stdin.write(LINES[2].encode() + b"\n")
        query.stdin.flush()
        # The second record is written only once the first is answered: a reader that waited for the end
        # of input would never answer (the bound only turns that hang into a failure).
        first = json.loads(answers.get(timeout=600))
        # So is the second, past the bytes read to tell JSON Lines (a reader filling its buffer waited for 64 KB).
        query.stdin.write(json.dumps({"id": "fresh", "text": "Nothing like this was indexed."}).encode() + b"\n")
        query.stdin.flush()
        second = json.loads(answers.get(timeout=600))
        query.stdin.write(json.dumps({"id": "last", "text": "A bakery won a prize for its bread."}).encode() + b"\n")
        query.stdin.close()
        assert query.wait(timeout=600) == 0
    finally:
        query.kill()
    assert first["id"] == "copy" and first["duplicate"] and first["duplicates"][0]["doc"] == "first"
    assert second["id"] == "fresh"
    assert json.loads(answers.get(timeout=600))["id"] == "last"


def test_index_query_writes_its_verdicts_to_output_as_scan_does(tmp_path):
    db, report = tmp_path / "pages.db", tmp_path / "verdicts.json"
    CliRunner().invoke(main, ["index", "add", str(db), "-", "-q"], input=PAYLOAD)
    report.write_text("an earlier report")
    done = CliRunner().invoke(main, ["index", "query", str(db), "-", "-f", "json", "-o", str(report)],
                              input=LINES[2] + "\n")
    assert done.exit_code == 0 and done.stdout == ""
    verdict = json.loads(report.read_text())["queries"][0]
    assert verdict["id"] == "copy" and verdict["duplicates"][0]["doc"] == "first"
    refused = CliRunner().invoke(main, ["index", "query", str(db), "-", "-o", str(tmp_path)], input=LINES[2] + "\n")
    assert refused.exit_code == 2 and "names a folder" in refused.stderr
    # A run that stops before the end leaves the file it would have replaced as it was.
    missing = CliRunner().invoke(main, ["index", "query", str(tmp_path / "none.db"), "-", "-o", str(report)],
                                 input=LINES[2] + "\n")
    assert missing.exit_code != 0 and json.loads(report.read_text())["queries"][0]["id"] == "copy"
