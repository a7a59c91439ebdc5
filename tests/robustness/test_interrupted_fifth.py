"""Found by interrupting it and feeding it what a pipe can give, fifth round: an input changed between the passes,
a record past --max-bytes that clean dropped, stdin copied whole and closed, SIGTERM leaving temporary files,
NaN accepted as a probability, many overlapping snippets' memory, and a sentence cut from before "This". Each
test failed before its fix."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.corpus.state
from dedup import find_redundancy
from dedup.cli.main import main
from dedup.io.clean import clean

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpusgen import generate  # noqa: E402


def _run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def _dedup(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "dedup", *map(str, args)], **kwargs)


def _corpus(path: Path, docs: int, seed: int = 0) -> None:
    path.write_text("".join(json.dumps(d) + "\n" for d in generate(docs, 200, dup_rate=0.3, seed=seed)[0]))


# 1. An input cut short between pass one and pass two: named, exit 1 (it was exit 0 with most findings gone)

def test_an_input_changed_during_the_scan_is_said(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    _corpus(path, 300)
    whole = path.read_bytes()
    finish = dedup.corpus.state.CorpusState.finish

    def finish_then_cut(self):  # pass one is over: the file loses its second half before pass two reads it
        finish(self)
        path.write_bytes(whole[:len(whole) // 2])

    monkeypatch.setattr(dedup.corpus.state.CorpusState, "finish", finish_then_cut)
    result = _run("scan", path, "-f", "json", "-q", "--no-within")
    assert result.exit_code == 1
    assert "could not be read again for near-duplicate confirmation (an input changed or was removed during the " \
           "scan)" in result.stderr
    assert json.loads(result.stdout)["stats"]["reread_failed"] > 0


# 2. clean writes a record past --max-bytes back as it came in (from a file, a gzip file and stdin)

def test_clean_keeps_records_past_max_bytes(tmp_path):
    import gzip

    path = tmp_path / "five.jsonl"
    _corpus(path, 5, seed=3)
    sizes = [len(line) for line in path.read_bytes().splitlines()]
    limit = sorted(sizes)[2] - 1  # some records over it, some not (a record's line end is not counted)
    gz = tmp_path / "five.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    for source, stdin in ((path, None), (gz, None), ("-", path.read_bytes())):
        out = tmp_path / "out.jsonl"
        done = _dedup("clean", source, "--max-bytes", limit, "-o", out, input=stdin, capture_output=True,
                      timeout=600)
        assert done.returncode == 1 and b"record larger than" in done.stderr
        assert out.read_bytes() == path.read_bytes(), source  # every record in its place, none dropped


# 3. stdin: a line past the limit is not copied whole to disk (a scan refuses it); closed stdin and stdout

def test_stdin_copy_keeps_no_record_past_the_limit(tmp_path):
    from dedup.io.input_spool import InputSpool

    line = b'{"id": "big", "text": "' + b"word " * 50_000 + b'"}\n'
    data = b'{"id": "a", "text": "hello world"}\n' + line + b'{"id": "b", "text": "x y z"}\n'
    import io

    with InputSpool(max_bytes=1000, stdin=io.BytesIO(data)) as spool:
        [copy] = spool.paths(["-"])
        assert os.path.getsize(copy) < 1100  # the long line cut two bytes past the limit (a CR, and one more)
        lines = Path(copy).read_bytes().splitlines()
        assert len(lines) == 3 and lines[1] == line[:1002]
    with InputSpool(max_bytes=1000, stdin=io.BytesIO(data), whole_records=True) as spool:
        assert Path(spool.paths(["-"])[0]).read_bytes() == data  # clean's copy: whole, to write it back
    done = _dedup("scan", "-", "-f", "json", "--max-bytes", 1000, input=data, capture_output=True, timeout=600)
    report = json.loads(done.stdout)
    assert [d["id"] for d in report["documents"]] == ["a", "b"]
    assert report["skipped"] == [{"id": "<stdin>:2", "error": "record larger than the 1,000-byte limit"}]


def test_closed_stdin_or_stdout_is_one_line(tmp_path):
    (tmp_path / "t.txt").write_text("One paragraph about the harbour.\n\nAnother about the weather in spring.\n")
    for args, kwargs in ((("scan", "-", "-q"), {"stdin": subprocess.DEVNULL}),
                         (("scan", tmp_path / "t.txt", "-q"), {})):
        closing = "0<&-" if args[1] == "-" else "1>&-"
        command = " ".join(f"'{a}'" for a in [sys.executable, "-m", "dedup", *map(str, args)]) + f" {closing}"
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=600)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert ("standard input is closed" if args[1] == "-" else "standard output is closed") in done.stderr


# 4. SIGTERM and SIGHUP end a scan as Ctrl-C does: no temporary file left beside -o or in TMPDIR

def _background_job() -> None:
    """The signals of a shell's background job (`&`): Ctrl-C ignored, SIGTERM and SIGHUP as they come. Set, not
    inherited: under `nohup` (a CI runner started with it) SIGHUP came ignored, and the scan rightly kept on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_termination_leaves_no_temporary_files(tmp_path, signum):
    path = tmp_path / "c.jsonl"
    _corpus(path, 4000)
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    out.write_text("old report\n")
    env = {**os.environ, "TMPDIR": str(temp)}
    # The corpus comes through a pipe held open until the signal is sent: the scan cannot have finished by then,
    # however busy the machine (read from a file, a scan that ended before the signal arrived failed the test).
    lines = path.read_text().splitlines(keepends=True)
    process = subprocess.Popen([sys.executable, "-m", "dedup", "scan", "-", "-o", str(out), "-q"], env=env,
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_background_job)
    try:
        process.stdin.write("".join(lines[:-1]))
        process.stdin.flush()
        while not any(temp.iterdir()):  # the scan's temporary files exist: it is under way
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.01)  # polled: the event is the folder filling, however long that takes
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 1 and "Aborted!" in stderr
    assert list(temp.iterdir()) == [] and [p.name for p in out.parent.iterdir()] == ["report.json"]
    assert out.read_text() == "old report\n"


def test_a_probability_of_nan_is_a_usage_error(tmp_path):
    (tmp_path / "t.txt").write_text("One paragraph about the harbour.\n\nAnother about the weather in spring.\n")
    result = _run("clean", tmp_path / "t.txt", "--removal-probability", "nan")
    assert result.exit_code == 2 and "'nan' is not a finite number" in result.output


# 5. Many short overlapping documents: candidate pairs scored a chunk at a time, the same clusters

def test_candidates_are_scored_in_chunks_with_the_same_result(monkeypatch):
    import numpy as np

    from dedup import CorpusScanner
    from dedup.corpus import candidates
    from dedup.io.readers import Document

    rng = np.random.default_rng(1)
    words = (ROOT / "data" / "vance_article.txt").read_text().split()
    docs = []
    for i in range(400):
        k = int(rng.integers(6, 30))
        s = int(rng.integers(0, len(words) - k))
        docs.append(Document(f"e{i}", " ".join(words[s:s + k])))
    whole = CorpusScanner(within=False, reuse=False).scan(docs)
    monkeypatch.setattr(candidates, "_SCORED_PAIRS", 7)
    chunked = CorpusScanner(within=False, reuse=False).scan(docs)
    assert len(whole.clusters) > 5
    assert [c.members for c in chunked.clusters] == [c.members for c in whole.clusters]


# 6. clean --sentences keeps a sentence the next one points back at

def test_a_sentence_the_next_points_back_at_is_not_cut():
    text = (ROOT / "data" / "vance_article.txt").read_text()
    report = find_redundancy(text)
    second = report.paragraphs[2].sentences[1].text
    assert second.startswith("This stands in contrast")
    cut = clean(report, sentences=True, source=text).removed_sentences
    assert (2, 0) not in cut and (1, 0) in cut
