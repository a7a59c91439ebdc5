"""Resumable scans: killed (SIGKILL) or interrupted (SIGINT) mid-way, resumed to the same report."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup import Detector
from dedup.corpus.checkpoint import Checkpoint, CheckpointError
from dedup.corpus.scanner import CorpusScanner
from dedup.io.readers import Document, read_documents
from dedup.report.formats import result_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from corpusgen import generate  # noqa: E402

DEDUP = [sys.executable, "-m", "dedup"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    docs, _ = generate(20000, dup_rate=0.1, seed=9)
    lines = [json.dumps(d) for d in docs]
    lines.insert(500, "{not json")  # a bad record before the checkpoint stays reported after resuming
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scan(corpus, out, *extra, wait=True):
    command = [*DEDUP, "scan", str(corpus), "--no-within", "-f", "json", "-q", "-o", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True) if wait else \
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_heard)


def _ctrl_c_heard() -> None:
    """Ctrl-C as a terminal's foreground command hears it: a scan keeps a Ctrl-C it was started ignoring ignored
    (a test run started as a shell's background job passes that on)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _without_timings(path):
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    report["stats"] = {k: v for k, v in report["stats"].items() if not k.startswith("seconds")}
    return report


def _wait_for_checkpoint(folder: Path, beyond: int, timeout: float = 600.0) -> None:
    """Until a checkpoint past ``beyond`` inputs is saved (a loaded machine may be slow to get there: the
    timeout only guards against a hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _consumed(folder) > beyond:
                return
        except (OSError, ValueError):
            pass  # not written yet, or being replaced
        time.sleep(0.05)
    pytest.fail(f"no checkpoint past {beyond} inputs within {timeout} s")


def _consumed(folder: Path) -> int:
    slot = folder / (folder / "CURRENT").read_text().strip()
    return json.loads((slot / "meta.json").read_text())["consumed"]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_scan_resumes_to_the_same_report(corpus, tmp_path, how):
    full = _scan(corpus, tmp_path / "full.json")
    assert full.returncode == 1 and full.stderr.count("dedup: error:") == 1  # the one bad line
    folder = tmp_path / "checkpoint"
    process = _scan(corpus, tmp_path / "resumed.json", "--checkpoint", str(folder), "--checkpoint-every", "0.2",
                    wait=False)
    _wait_for_checkpoint(folder, beyond=1000)
    process.send_signal(how)
    _, err = process.communicate(timeout=600)  # a hang guard: SIGINT saves a checkpoint first
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert "checkpoint saved in" in err and "run the same command to resume" in err and "Traceback" not in err
    else:
        assert process.returncode == -signal.SIGKILL
    assert 500 < _consumed(folder) < 20000, "interrupted mid-way, after the bad line"
    resumed = _scan(corpus, tmp_path / "resumed.json", "--checkpoint", str(folder))
    assert resumed.returncode == 1 and "news.jsonl:501: malformed JSON" in resumed.stderr
    assert _without_timings(tmp_path / "resumed.json") == _without_timings(tmp_path / "full.json")
    assert not (folder / "CURRENT").exists()  # done: the next run starts afresh


def test_a_checkpoint_of_another_scan_is_refused(corpus, tmp_path):
    folder = tmp_path / "checkpoint"
    process = _scan(corpus, tmp_path / "a.json", "--checkpoint", str(folder), "--checkpoint-every", "0.2", wait=False)
    _wait_for_checkpoint(folder, beyond=0)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=600)
    other = _scan(corpus, tmp_path / "b.json", "--checkpoint", str(folder), "--jaccard-threshold", "0.9")
    assert other.returncode == 1 and "checkpoint of another scan" in other.stderr and "Traceback" not in other.stderr
    assert "unreadable" not in other.stderr  # refused in its own words, not as a broken checkpoint
    slot = folder / (folder / "CURRENT").read_text().strip()
    meta = json.loads((slot / "meta.json").read_text())
    meta["format"] = 1  # a checkpoint written before occurrences carried token counts
    (slot / "meta.json").write_text(json.dumps(meta))
    old = _scan(corpus, tmp_path / "a.json", "--checkpoint", str(folder))
    assert old.returncode == 1 and "another dedup version" in old.stderr and "Traceback" not in old.stderr


def test_restatement_reports_survive_a_crash_between_batches(tmp_path):
    docs, key = _crashed_checkpoint(tmp_path, detector=Detector())
    expected = CorpusScanner(batch_size=2, detector=Detector()).scan(iter(docs))
    assert 0 < _consumed(tmp_path) <= 5
    resumed = CorpusScanner(batch_size=2, detector=Detector()).scan(iter(docs), checkpoint=Checkpoint(str(tmp_path), key, every=0.0))
    assert [result_to_dict(r) for r in resumed.documents] == [result_to_dict(r) for r in expected.documents]
    assert resumed.clusters == expected.clusters and resumed.passages == expected.passages
    assert any(r.report for r in resumed.documents)  # restatements came back from the saved reports


def test_ctrl_c_in_pass_two_saves_pass_one_and_resumes_to_the_same_report(tmp_path, monkeypatch):
    """Ctrl-C once every input is signed (in the confirm pass) stops the scan as during pass one: pass one is
    saved whole, and the same scan resumes from there to the report of an uninterrupted one."""
    import dedup.corpus.scanner as scanner_module

    source = Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl"
    docs = [d for d in read_documents([str(source)], text_field="body") if isinstance(d, Document)]
    expected = CorpusScanner(batch_size=2, detector=Detector()).scan(iter(docs))
    confirm = scanner_module.confirm_corpus

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    key = {"source": str(source)}
    monkeypatch.setattr(scanner_module, "confirm_corpus", interrupted)
    with pytest.raises(scanner_module.ScanInterrupted):
        CorpusScanner(batch_size=2, detector=Detector()).scan(
            iter(docs), checkpoint=Checkpoint(str(tmp_path), key, every=3600.0))
    assert _consumed(tmp_path) == len(docs)  # saved at the end of pass one, though no save was due
    monkeypatch.setattr(scanner_module, "confirm_corpus", confirm)
    resumed = CorpusScanner(batch_size=2, detector=Detector()).scan(
        iter(docs), checkpoint=Checkpoint(str(tmp_path), key, every=3600.0))
    assert [result_to_dict(r) for r in resumed.documents] == [result_to_dict(r) for r in expected.documents]
    assert resumed.clusters == expected.clusters and resumed.passages == expected.passages
    with pytest.raises(KeyboardInterrupt):  # without a checkpoint, Ctrl-C is Ctrl-C
        monkeypatch.setattr(scanner_module, "confirm_corpus", interrupted)
        CorpusScanner(batch_size=2, detector=Detector()).scan(iter(docs))


def _cut(path: Path) -> None:  # the trial's: the file cut to its first 100 lines
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:100]), encoding="utf-8")


def _grown(path: Path) -> None:  # an append-only log that went on growing
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"id": "appended", "text": "A record written after the crash."}) + "\n")


def _rewritten(path: Path) -> None:
    """A document already signed changed in place: same size, same inode, the modification time put back."""
    before = path.stat()
    with open(path, "r+b") as out:
        head = bytearray(out.read(200))
        at = head.index(b'"text": "') + 9
        head[at] = ord("X") if head[at] != ord("X") else ord("Y")
        out.seek(0)
        out.write(head)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


@pytest.mark.parametrize("change", [_cut, _grown, _rewritten], ids=["cut", "grown", "rewritten"])
def test_a_checkpoint_of_an_input_changed_since_is_refused(corpus, tmp_path, change):
    source = tmp_path / "news.jsonl"
    shutil.copyfile(corpus, source)  # the module's corpus stays as it is for the other tests
    folder = tmp_path / "checkpoint"
    process = _scan(source, tmp_path / "a.json", "--checkpoint", str(folder), "--checkpoint-every", "0.2", wait=False)
    _wait_for_checkpoint(folder, beyond=0)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=600)
    saved = _snapshot(folder)
    change(source)
    resumed = _scan(source, tmp_path / "b.json", "--checkpoint", str(folder))
    assert resumed.returncode == 1 and "Traceback" not in resumed.stderr
    assert resumed.stderr.startswith(f"dedup: error: {folder}: {source} changed since the checkpoint was made (")
    assert resumed.stderr.count("\n") == 1 and "unreadable" not in resumed.stderr
    assert f"delete {folder}" in resumed.stderr
    assert not (tmp_path / "b.json").exists()  # no report of the mixed inputs
    assert _snapshot(folder) == saved  # the checkpoint is left as it was


def _folder_scan(texts: Path, checkpoint: Path, crash_after: int | None = None):
    docs = [d for d in read_documents([str(texts)]) if isinstance(d, Document)]

    def items():
        for i, doc in enumerate(docs):
            if i == crash_after:
                raise RuntimeError("the machine went down")
            yield doc

    saved = Checkpoint(str(checkpoint), {"source": str(texts)}, every=0.0, inputs=[str(texts)])
    return CorpusScanner(batch_size=2).scan(items(), checkpoint=saved)


@pytest.mark.parametrize("change", ["added", "removed", "edited"])
def test_a_checkpoint_of_a_folder_changed_since_is_refused(tmp_path, change):
    texts = tmp_path / "texts"
    texts.mkdir()
    for n in range(8):
        (texts / f"{n}.txt").write_text(f"Document number {n} tells of ships and harbours, story {n * 7}.\n")
    with pytest.raises(RuntimeError):
        _folder_scan(texts, tmp_path / "ck", crash_after=5)
    assert 0 < _consumed(tmp_path / "ck") <= 5
    if change == "added":
        (texts / "sub").mkdir()
        (texts / "sub" / "9.txt").write_text("A later document about trains.\n")
    elif change == "removed":
        (texts / "7.txt").unlink()
    else:
        (texts / "2.txt").write_text("Document number 2 tells of ships and harbours, story 99.\n")
    with pytest.raises(CheckpointError, match=r"(9|7|2)\.txt.* changed since the checkpoint"):
        _folder_scan(texts, tmp_path / "ck")


def test_a_resumed_scan_of_documents_made_in_memory_aligns_those_read_before(tmp_path):
    # A Document without a path cannot be read again: its text is kept; resuming skips the documents the
    # checkpoint read, and kept theirs too (it raised a KeyError when pass two aligned one of them).
    from tests.test_reuse import _corpus, _filler, _join

    texts, expected_pairs = _corpus()
    texts.update({f"tail{i}": _join(_filler(300 + i)) for i in range(8)})  # read after, while the crash nears
    docs = [Document(k, v) for k, v in texts.items()]
    whole = CorpusScanner(batch_size=2, detector=None).scan(iter(docs))
    assert set(expected_pairs) <= {(r.a, r.b) for r in whole.reuse}

    def crashing():
        for i, doc in enumerate(docs):
            if i == len(docs) - 1:
                raise RuntimeError("the machine went down")
            yield doc

    key = {"corpus": "in memory"}
    with pytest.raises(RuntimeError):
        CorpusScanner(batch_size=2, detector=None).scan(crashing(), checkpoint=Checkpoint(str(tmp_path), key,
                                                                                         every=0.0))
    assert _consumed(tmp_path) > list(texts).index("copy")  # "source" and "copy" read before the checkpoint
    resumed = CorpusScanner(batch_size=2, detector=None).scan(iter(docs), checkpoint=Checkpoint(str(tmp_path), key,
                                                                                                 every=0.0))
    assert resumed.reuse == whole.reuse and resumed.clusters == whole.clusters


# Found by trying it (fourth round): a folder two scans share, damaged files, a full disk, another -j.

def _crashed_checkpoint(folder: Path, after: int = 5, detector="default") -> tuple[list, dict]:
    """The sample corpus's documents, and the key of a checkpoint left in ``folder`` by a scan that crashed."""
    source = Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl"
    docs = [d for d in read_documents([str(source)], text_field="body") if isinstance(d, Document)]

    def crashing():
        for i, doc in enumerate(docs):
            if i == after:
                raise RuntimeError("the machine went down")
            yield doc

    key = {"source": str(source)}
    with pytest.raises(RuntimeError):
        CorpusScanner(batch_size=2, detector=detector).scan(crashing(), checkpoint=Checkpoint(str(folder), key,
                                                                                            every=0.0))
    return docs, key


def test_a_folder_in_use_by_another_scan_is_refused(tmp_path):
    first = Checkpoint(str(tmp_path / "ck"), {"k": 1})
    with pytest.raises(CheckpointError, match="in use by another scan"):
        Checkpoint(str(tmp_path / "ck"), {"k": 1})
    first.release()
    Checkpoint(str(tmp_path / "ck"), {"k": 1}).release()


def _slot(folder: Path) -> Path:
    return folder / (folder / "CURRENT").read_text().strip()


@pytest.mark.parametrize("damage", ["arrays cut", "arrays empty", "a document short", "an id twice",
                                    "consumed not a number", "fewer signatures"])
def test_a_damaged_checkpoint_is_refused_in_one_line(tmp_path, damage):
    docs, key = _crashed_checkpoint(tmp_path)
    slot = _slot(tmp_path)
    arrays, meta = slot / "arrays.npz", json.loads((slot / "meta.json").read_text())
    if damage == "arrays cut":
        arrays.write_bytes(arrays.read_bytes()[: arrays.stat().st_size // 2])
    elif damage == "arrays empty":
        arrays.write_bytes(b"")
    elif damage == "fewer signatures":
        import numpy as np

        with np.load(arrays) as data:
            held = {k: data[k] for k in data.files}
        held["signatures"] = held["signatures"][:-1]
        np.savez(arrays, **held)
    else:
        if damage == "a document short":
            meta["documents"] -= 1
        elif damage == "an id twice":
            meta["ids"][1] = meta["ids"][0]
        else:
            meta["consumed"] = "x"
        (slot / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="unreadable checkpoint"):
        CorpusScanner(batch_size=2).scan(iter(docs), checkpoint=Checkpoint(str(tmp_path), key, every=0.0))


def test_a_checkpoint_that_cannot_be_written_lets_the_scan_finish(tmp_path, monkeypatch):
    """A full disk while saving: the scan goes on without checkpoints, its report whole; the last one saved is
    left as it was (it was a traceback that stopped the scan)."""
    import errno

    from dedup.corpus import checkpoint as checkpoint_module

    docs, key = _crashed_checkpoint(tmp_path)
    saved_before = (_slot(tmp_path) / "meta.json").read_bytes()
    expected = CorpusScanner(batch_size=2).scan(iter(docs))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_module.np, "savez", full)
    kept = Checkpoint(str(tmp_path), key, every=0.0)
    report = CorpusScanner(batch_size=2).scan(iter(docs), checkpoint=kept)
    assert kept.failure == "No space left on device" and not kept.due()
    assert report.clusters == expected.clusters and len(report.documents) == len(expected.documents)
    assert (_slot(tmp_path) / "meta.json").read_bytes() == saved_before


def test_a_checkpoint_resumes_with_another_number_of_processes(tmp_path):
    from dedup.cli.scan_setup import scan_checkpoint

    source = str(Path(__file__).resolve().parents[2] / "data" / "sample_corpus.jsonl")
    one = scan_checkpoint(str(tmp_path / "a"), 30.0, [source], {"jobs": 1, "within": True})
    two = scan_checkpoint(str(tmp_path / "b"), 30.0, [source], {"jobs": 2, "within": True})
    assert one.key == two.key
    one.release()
    two.release()


@pytest.mark.parametrize("held", [False, True])
def test_a_scan_lets_its_checkpoint_folder_go_unless_the_caller_holds_it(tmp_path, held):
    """The library's scan releases the folder's lock when it ends (a later scan in the same process may resume);
    the command line holds it until it removes the checkpoint, after the report is written."""
    docs = [Document(f"d{i}", f"Document {i} says something of its own about item {i}.") for i in range(6)]
    checkpoint = Checkpoint(str(tmp_path / "ck"), {"k": 1}, every=0.0)
    checkpoint.held = held
    CorpusScanner(batch_size=2).scan(iter(docs), checkpoint=checkpoint)
    if held:
        with pytest.raises(CheckpointError, match="in use by another scan"):
            Checkpoint(str(tmp_path / "ck"), {"k": 1})
        checkpoint.remove()
    Checkpoint(str(tmp_path / "ck"), {"k": 1}).release()
