"""Nothing lost, second round: paths that deleted or emptied users' files, inputs read twice, records
that stopped a batch, output a spreadsheet or terminal would run, and skip bookkeeping that grew without
bound. Each test failed before its fix."""

import gzip
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.cli.main
from dedup.cli.main import main
from dedup.corpus.checkpoint import Checkpoint, CheckpointError
from dedup.io.readers import read_documents, read_jsonl
from dedup.report.formats import csv_cell, printable

ARTICLE = Path(__file__).resolve().parents[2] / "data" / "vance_article.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")
OTHER = ("Cats sleep for most of the day and hunt at dusk.\n\nDogs were bred for herding, guarding and "
         "company, and their habits differ from breed to breed.\n\nA garden needs water, light and patience.\n")


def _run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _dedup(*args, cwd, stdin=None, timeout=600):
    """``python -m dedup`` in a subprocess (for pipes and FIFOs); ``timeout`` is a hang guard only."""
    return subprocess.run([sys.executable, "-m", "dedup", *map(str, args)], cwd=cwd, stdin=stdin,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT.replace("Putin", "Vladimir Putin"), encoding="utf-8")
    return tmp_path / "a.txt", tmp_path / "b.txt"


# 1. --checkpoint never deletes what dedup did not write

def test_checkpoint_refuses_a_folder_of_the_users_files(pair, tmp_path):
    workspace = tmp_path / "ws"
    (workspace / "a").mkdir(parents=True)
    (workspace / "b").mkdir()
    (workspace / "a" / "thesis.txt").write_text("draft")
    (workspace / "notes.txt").write_text("mine")
    before = _digest(workspace)
    result = _run("scan", *pair, "--checkpoint", workspace, "-q")
    assert result.exit_code == 1 and "not empty and not a dedup checkpoint" in result.output
    assert _digest(workspace) == before and (workspace / "b").is_dir()


def test_checkpoint_on_the_input_folder_deletes_no_input(pair, tmp_path):
    corpus = tmp_path / "corp"
    corpus.mkdir()
    for p in pair:
        (corpus / p.name).write_text(p.read_text())
    before = _digest(corpus)
    result = _run("scan", corpus, "--checkpoint", corpus, "-q")
    assert result.exit_code == 1 and "not a dedup checkpoint" in result.output
    assert _digest(corpus) == before


def test_checkpoint_removes_only_its_own_files(pair, tmp_path):
    made = tmp_path / "new"  # made by dedup: gone once the report is out
    assert _run("scan", *pair, "--checkpoint", made, "-q", "-o", tmp_path / "r.txt").exit_code == 0
    assert not made.exists()
    given = tmp_path / "given"  # the user's empty folder: emptied of dedup's files, kept
    given.mkdir()
    assert _run("scan", *pair, "--checkpoint", given, "-q", "-o", tmp_path / "r.txt").exit_code == 0
    assert given.is_dir() and not any(given.iterdir())


def test_a_file_put_in_a_checkpoint_slot_survives(pair, tmp_path):
    folder = tmp_path / "ck"
    checkpoint = Checkpoint(str(folder), {"k": 1})
    (folder / "a").mkdir()
    (folder / "a" / "mine.txt").write_text("keep me")
    checkpoint.remove()
    assert (folder / "a" / "mine.txt").read_text() == "keep me"


@pytest.mark.parametrize("content", ["[]", "null", '{"format": 3}', "7"])
def test_a_malformed_checkpoint_is_one_clear_line(pair, tmp_path, content):
    folder = tmp_path / "ck"
    Checkpoint(str(folder), {"k": 1})  # a real checkpoint folder, then its meta.json spoiled
    (folder / "a").mkdir()
    (folder / "a" / "meta.json").write_text(content)
    import numpy as np
    np.savez(folder / "a" / "arrays.npz", x=np.zeros(1))
    (folder / "CURRENT").write_text("a")
    result = _run("scan", *pair, "--checkpoint", folder, "-q")
    assert result.exit_code == 1 and "unreadable checkpoint" in result.output or "another" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_a_checkpoint_pointer_cannot_name_another_folder(tmp_path):
    folder = tmp_path / "ck"
    checkpoint = Checkpoint(str(folder), {"k": 1})
    (folder / "CURRENT").write_text("../../etc")
    with pytest.raises(CheckpointError, match="CURRENT names"):
        checkpoint.load(object())


# 2. and 6. an output is never one of the inputs, and is replaced only once complete

@pytest.mark.parametrize("command", ["clean", "scan"])
def test_output_that_is_an_input_is_refused(pair, tmp_path, command):
    a, b = pair
    link = tmp_path / "link.txt"
    link.symlink_to(a)
    for output, inputs in ((a, [a]), (link, [a]), (a, [a, b])):
        before = a.read_bytes()
        result = _run(command, *inputs, "-o", output, "-q")
        assert result.exit_code == 2 and "is one of the inputs" in result.output
        assert a.read_bytes() == before


def test_clean_jsonl_onto_itself_is_refused(tmp_path):
    source = tmp_path / "c.jsonl"
    source.write_text("".join(json.dumps({"id": str(i), "text": TEXT + f" extra {i}"}) + "\n" for i in range(4)))
    before = source.read_bytes()
    result = _run("clean", source, "-o", source, "-q")
    assert result.exit_code == 2 and "is one of the inputs" in result.output and source.read_bytes() == before


def test_clean_into_a_folder_holding_the_inputs_is_refused(pair, tmp_path):
    before = _digest(tmp_path)
    result = _run("clean", *pair, "-o", tmp_path, "-q")
    assert result.exit_code == 2 and "one of the inputs" in result.output and _digest(tmp_path) == before
    corpus = tmp_path / "corp"
    corpus.mkdir()
    (corpus / "x.txt").write_text(TEXT)
    (corpus / "y.txt").write_text(OTHER)
    result = _run("clean", corpus, "-o", corpus / "cleaned", "-q")
    assert result.exit_code == 2 and "inside the input folder" in result.output and not (corpus / "cleaned").exists()


def test_a_failed_write_leaves_the_old_report(pair, tmp_path, monkeypatch):
    report = tmp_path / "report.json"
    report.write_text('{"the": "previous report"}')

    def half_then_fail(report_, out, *args):
        out.write('{\n  "documents": [')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dedup.cli.main, "write_json", half_then_fail)
    result = _run("scan", *pair, "-f", "json", "-o", report, "-q")
    assert result.exit_code == 1  # one line naming the output, not a traceback (test_outputs.py)
    assert result.output == f"dedup: error: {report}: cannot write (No space left on device)\n"
    assert report.read_text() == '{"the": "previous report"}'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []  # no temporary left


def test_a_replaced_report_keeps_its_permissions(pair, tmp_path):
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o640)
    assert _run("scan", *pair, "-f", "json", "-o", report, "-q").exit_code == 0
    assert json.loads(report.read_text())["documents"] and report.stat().st_mode & 0o777 == 0o640


# 3. and 4. stdin, pipes and FIFOs are read once and saved for the second read

def test_clean_from_stdin_writes_the_text(tmp_path):
    result = _dedup("clean", "-", "-q", cwd=tmp_path, stdin=open(ARTICLE, "rb"))
    assert result.returncode == 0 and len(result.stdout) > 1000
    assert result.stdout.splitlines()[0] == TEXT.splitlines()[0]


def test_clean_and_scan_from_process_substitution(tmp_path):
    (tmp_path / "b.txt").write_text(TEXT.replace("Putin", "Vladimir Putin"))
    script = (f"{sys.executable} -m dedup clean <(cat {ARTICLE}) -q > cleaned.txt && "
              f"{sys.executable} -m dedup scan <(cat {ARTICLE}) <(cat b.txt) -f json -q > scan.json")
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "cleaned.txt").read_text()) > 1000
    payload = json.loads((tmp_path / "scan.json").read_text())
    assert len(payload["clusters"]) == 1 and all(d["id"].startswith("/dev/fd/") for d in payload["documents"])


def test_two_fifos_are_scanned_not_waited_on(tmp_path):
    fifos = [tmp_path / "f1", tmp_path / "f2"]
    texts = [TEXT, TEXT.replace("Putin", "Vladimir Putin")]
    for fifo in fifos:
        os.mkfifo(fifo)

    def feed(fifo, text):
        with open(fifo, "w") as out:
            out.write(text)

    feeders = [threading.Thread(target=feed, args=pair, daemon=True) for pair in zip(fifos, texts)]
    for thread in feeders:
        thread.start()
    result = _dedup("scan", "f1", "f2", "-f", "json", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [d["id"] for d in payload["documents"]] == ["f1", "f2"] and len(payload["clusters"]) == 1


def test_stdin_document_keeps_its_html_diff(tmp_path):
    (tmp_path / "b.txt").write_text(TEXT.replace("Putin", "Vladimir Putin"))
    result = _dedup("scan", "-", "b.txt", "-f", "html", "-o", "r.html", "-q", cwd=tmp_path,
                    stdin=open(ARTICLE, "rb"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "r.html").read_text()
    assert "<ins" in page or "<del" in page, "the copy's word diff against the stdin document"


# 5. same names from different folders keep their layout

def test_same_file_names_from_two_folders_stay_apart(tmp_path):
    for folder, text in (("ca", TEXT), ("cb", OTHER)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(text)
    result = _run("clean", tmp_path / "ca", tmp_path / "cb", "-o", tmp_path / "out", "--keep-restated")
    assert result.exit_code == 0 and "kept 2 of 2" in result.output
    assert (tmp_path / "out" / "ca" / "x.txt").read_text().startswith(TEXT.split("\n")[0])
    assert (tmp_path / "out" / "cb" / "x.txt").read_text().startswith("Cats sleep")
    files = _run("clean", tmp_path / "ca" / "x.txt", tmp_path / "cb" / "x.txt", "-o", tmp_path / "out2",
                 "--keep-restated")
    assert files.exit_code == 0 and sorted(_digest(tmp_path / "out2")) == ["ca/x.txt", "cb/x.txt"]


def test_several_inputs_into_a_file_name_is_refused(pair, tmp_path):
    result = _run("clean", *pair, "-o", tmp_path / "single.txt", "-q")
    assert result.exit_code == 2 and "give -o FOLDER" in result.output and not (tmp_path / "single.txt").exists()


def test_a_duplicate_id_across_files_is_cleaned_once_and_written_back_as_it_came(tmp_path):
    """The scan keeps the first of a repeated id; the later record is not lost from the output (seventh round: it
    was dropped), but written as it came in, in its place, as a repeat inside one file is."""
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps({"id": "x", "text": TEXT}) + "\n" + json.dumps({"id": "y", "text": OTHER}) + "\n")
    later = json.dumps({"id": "x", "text": "A different text with the same id, about rivers."}) + "\n"
    two.write_text(later)
    result = _run("clean", one, two, "-o", tmp_path / "out.jsonl", "--keep-restated")
    assert result.exit_code == 1 and "duplicate id" in result.output and "written as it came in" in result.output
    lines = (tmp_path / "out.jsonl").read_text().splitlines(keepends=True)
    written = [json.loads(line) for line in lines]
    assert [r["id"] for r in written] == ["x", "y", "x"] and written[0]["text"] == TEXT and lines[2] == later


# 7. 8. 9. one bad record is skipped, the good ones kept

def _hostile_jsonl(path: Path) -> None:
    lines = [json.dumps({"id": "good-1", "text": TEXT}),
             '{"id": "deep", "text": "t", "x": ' + "[" * 1000 + "]" * 1000 + "}",
             '{"id": "lone", "text": "Words \\ud800 more words here"}',
             '{"id": "\\udfff", "text": "An id that is not Unicode text at all."}',
             json.dumps({"id": "good-2", "text": OTHER})]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("command", ["scan", "clean", "index"])
def test_deep_and_surrogate_records_are_skipped(tmp_path, command):
    source = tmp_path / "h.jsonl"
    _hostile_jsonl(source)
    if command == "scan":
        result = _run("scan", source, "-f", "json", "-o", tmp_path / "r.json", "-q")
        ids = [d["id"] for d in json.loads((tmp_path / "r.json").read_text())["documents"]]
        skipped = json.loads((tmp_path / "r.json").read_text())["skipped"]
        assert [s["id"] for s in skipped] == [f"{source}:2", f"{source}:3", f"{source}:4"]
    elif command == "clean":
        # Skipped, not lost: each record it could not read is written as it came in, in its place.
        result = _run("clean", source, "-o", tmp_path / "c.jsonl", "-q")
        written, given = (tmp_path / "c.jsonl").read_bytes().splitlines(), source.read_bytes().splitlines()
        assert len(written) == 5 and written[1:4] == given[1:4]
        ids = [json.loads(written[k])["id"] for k in (0, 4)]
    else:
        result = _run("index", "add", tmp_path / "i.db", source, "-q")
        from dedup import Index
        with Index(str(tmp_path / "i.db")) as index:
            ids = [doc for doc in ("good-1", "good-2", "deep", "lone") if doc in index]
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ids == ["good-1", "good-2"]
    assert "h.jsonl:2: JSON nested too deeply" in result.output
    assert "h.jsonl:3: lone surrogate" in result.output and "h.jsonl:4: lone surrogate" in result.output


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "base64", "rot13", "no-such-charset"])
def test_an_unusable_declared_charset_skips_one_page(tmp_path, charset):
    page = (f'<html><head><meta charset="{charset}"></head><body><p>Caf\xe9 words in Latin-1 here.</p>'
            "</body></html>").encode("latin-1")
    (tmp_path / "bad.html").write_bytes(page)
    (tmp_path / "good.txt").write_text(TEXT)
    result = _run("scan", tmp_path / "bad.html", tmp_path / "good.txt", "-f", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 1 and f"charset '{charset}' cannot decode it" in result.output
    assert [d["id"] for d in json.loads((tmp_path / "r.json").read_text())["documents"]] == [str(tmp_path / "good.txt")]


# 14. output a spreadsheet or a terminal would act on

def test_csv_cells_cannot_start_a_formula():
    assert csv_cell('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert [csv_cell(v) for v in ("+1", "-2", "@SUM(A1)", "plain", 0.5, -3)] == ["'+1", "'-2", "'@SUM(A1)", "plain", 0.5, -3]


def test_csv_output_neutralises_formula_ids(tmp_path):
    source = tmp_path / "f.jsonl"
    source.write_text(json.dumps({"id": '=HYPERLINK("http://evil","x")', "text": TEXT}) + "\n")
    result = _run("scan", source, "-f", "csv", "-q")
    rows = result.output.splitlines()[1:]
    assert rows and all(row.startswith('"\'=HYPERLINK') for row in rows)


def test_table_output_prints_control_characters_as_escapes(tmp_path):
    source = tmp_path / "t.jsonl"
    evil = "doc\x1b[31mRED\x1b[0m\nfake line\u202e"
    source.write_text(json.dumps({"id": evil, "text": TEXT}) + "\n" + json.dumps({"id": "b", "text": TEXT}) + "\n")
    result = _run("scan", source)
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "doc\\x1b[31mRED\\x1b[0m\\nfake line\\u202e" in result.output
    assert printable("tab\there") == "tab\\there"


# 15. skipped records are counted in bounded memory; blank lines are read fast

def test_many_bad_records_are_counted_not_kept(tmp_path):
    source = tmp_path / "bad.jsonl.gz"
    with gzip.open(source, "wb") as out:
        out.write(b"x\n" * 200_000 + json.dumps({"id": "ok", "text": TEXT}).encode() + b"\n")
    script = (
        "import json, resource, sys\n"
        "from click.testing import CliRunner\n"
        "from dedup.cli.main import main\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"r = CliRunner().invoke(main, ['scan', {str(source)!r}, '-f', 'json', '-q'])\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "payload = json.loads(r.stdout)\n"
        "print(json.dumps({'grown_kb': after - before, 'listed': len(payload['skipped']),"
        " 'docs': [d['id'] for d in payload['documents']], 'stderr': r.stderr.count(chr(10)), 'rc': r.exit_code,"
        " 'summary': r.stderr.splitlines()[-1]}))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=900)
    facts = json.loads(result.stdout)
    assert facts["rc"] == 1 and facts["docs"] == ["ok"]
    assert facts["listed"] == 1000 and facts["stderr"] == 1002  # 1,000 named, one "counted" line, the summary
    assert "skipped 200000 of 200001 inputs" in facts["summary"]
    assert facts["grown_kb"] < 200_000, "3.5 KB a skipped record was 700 MB here"


def test_blank_lines_are_skipped_in_bulk_with_the_right_line_numbers(tmp_path):
    source = tmp_path / "blank.jsonl"
    source.write_bytes(b"\n" * 3_000_000 + b" \r\n\t\n" + b'{"text": "a first record"}\n' + b"\n\n" + b"{bad\n")
    items = list(read_jsonl(str(source)))
    assert items[0].id == f"{source}:3000003" and items[0].offset == 3_000_005
    assert str(items[1]).startswith(f"{source}:3000006: malformed JSON")
    assert len(list(read_documents([str(source)]))) == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_an_output_that_is_a_pipe_is_written_in_place_not_replaced(tmp_path, fmt):
    # Written through a temporary file renamed over it, `-o /dev/null` run as root once put a regular file in
    # place of the device; a named pipe stands for any such output here (a test never touches /dev/null).
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    # Held open for writing as well, so the reader never waits for a writer (nor would, were the pipe replaced):
    # its end of file comes when this is closed after the run.
    guard = os.open(pipe, os.O_RDWR)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    try:
        result = _run("scan", str(ARTICLE), "-q", "-f", fmt, "-o", str(pipe))
    finally:
        os.close(guard)
        reader.join()
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(pipe).st_mode) and sorted(os.listdir(tmp_path)) == ["report.pipe"]
    lines = received[0].decode("utf-8").splitlines()
    documents = [json.loads(line) for line in lines] if fmt == "jsonl" else json.loads(received[0])["documents"]
    assert [d["id"] for d in documents if "id" in d][:1] == [str(ARTICLE)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_scan_leaves_nothing_in_the_temporary_folder(tmp_path, jobs):
    """A scan's own temporary files (the corpus IDF the workers map, the candidate keys' shares, the reuse
    seeds waiting for the screen) go with it, with one process or several."""
    from tests.test_spark import _reuse_corpus

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from corpusgen import generate

    # Past one batch of 512 (the reuse corpus, then generated documents), so that -j 2 starts its worker.
    filler, _ = generate(1100, words=60, seed=4)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in _reuse_corpus())
                      + "".join(json.dumps({**d, "id": f"filler-{d['id']}"}) + "\n" for d in filler), encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    out = tmp_path / "report.json"
    # The MinHash keys (--reuse-keys uncommon): the screen drops some of their chance candidates, which shows it read
    # the seed file (the default keys' candidates here all pass it; the file and the folder are the same for both).
    done = subprocess.run([sys.executable, "-m", "dedup", "scan", str(corpus), "--no-within", "-j", jobs, "-q", "-f",
                           "json", "-o", str(out), "--reuse-keys", "uncommon"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(temporary)})
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["reuse"] and report["stats"]["reuse_screened_out"] > 0  # the seed file was made and read
    assert sorted(os.listdir(temporary)) == []
