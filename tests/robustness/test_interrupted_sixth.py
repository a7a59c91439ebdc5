"""Found by interrupting it and writing where links point, sixth round: a link in clean's output folder written
through onto another file, a checkpoint stopped while it was removed, a full temporary folder, and a resume with
the inputs spelled otherwise. Each test failed before its fix."""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from click.testing import CliRunner

import dedup.corpus.checkpoint
import dedup.corpus.reuse_pass
from dedup.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpusgen import generate  # noqa: E402


def _run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def _corpus(path: Path, docs: int, seed: int = 0) -> None:
    path.write_text("".join(json.dumps(d) + "\n" for d in generate(docs, 200, dup_rate=0.3, seed=seed)[0]))


def _findings(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("stats",)}


# 1. A link already in clean's output folder is replaced by the copy, never written through onto its target

def test_clean_replaces_a_link_in_its_output_folder(tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    (inputs / "a.txt").write_text((ROOT / "data" / "vance_article.txt").read_text())
    (inputs / "b.txt").write_text("Second file with several words of its own.\n")
    (inputs / "notes.dat").write_text("precious notes, not an input\n")
    (tmp_path / "elsewhere.txt").write_text("a file outside the output folder\n")
    os.symlink("../in/notes.dat", out / "b.txt")
    os.symlink("../elsewhere.txt", out / "a.txt")
    result = _run("clean", inputs, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert (inputs / "notes.dat").read_text() == "precious notes, not an input\n"
    assert (tmp_path / "elsewhere.txt").read_text() == "a file outside the output folder\n"
    assert not (out / "b.txt").is_symlink() and (out / "b.txt").read_text() == "Second file with several words of its own.\n"
    assert not (out / "a.txt").is_symlink() and (out / "a.txt").stat().st_size > 0
    # One JSON Lines input into a folder (-o DIR/): its copy's name in the folder is dedup's, not the user's file
    records = tmp_path / "s.jsonl"
    records.write_text(json.dumps({"id": "a", "text": "Alpha beta gamma delta epsilon zeta eta theta."}) + "\n")
    out4 = tmp_path / "out4"
    out4.mkdir()
    os.symlink("../in/notes.dat", out4 / "s.jsonl")
    result = _run("clean", records, "-o", f"{out4}/", "-q")
    assert result.exit_code == 0, result.output
    assert (inputs / "notes.dat").read_text() == "precious notes, not an input\n"
    assert not (out4 / "s.jsonl").is_symlink() and (out4 / "s.jsonl").read_text() == records.read_text()


# 2. A scan stopped while it removed its checkpoint: the next run starts afresh (CURRENT named a slot gone)

def test_a_checkpoint_stopped_while_removed_does_not_block_the_next_run(tmp_path, monkeypatch):
    corpus, folder = tmp_path / "c.jsonl", tmp_path / "ck"
    _corpus(corpus, 1200)  # three batches of the scan's 512 documents: checkpoints saved between them
    expected = json.loads(_run("scan", corpus, "-f", "json", "-q").stdout)
    remove_slot, remove = dedup.corpus.checkpoint._remove_slot, dedup.corpus.checkpoint.Checkpoint.remove
    removing = []

    def stopped_after_the_slots(slot):
        if not removing:  # a save replacing its slot
            return remove_slot(slot)
        for name in ("a", "b"):
            remove_slot(slot.parent / name)
        raise KeyboardInterrupt  # a SIGTERM or SIGKILL at this moment of the removal

    monkeypatch.setattr(dedup.corpus.checkpoint, "_remove_slot", stopped_after_the_slots)
    monkeypatch.setattr(dedup.corpus.checkpoint.Checkpoint, "remove", lambda self: [removing.append(1), remove(self)])
    first = _run("scan", corpus, "-f", "json", "-o", tmp_path / "first.json", "--checkpoint", folder,
                 "--checkpoint-every", "0.000001")
    assert first.exit_code != 0 and json.loads((tmp_path / "first.json").read_text())  # its report was written
    monkeypatch.undo()
    again = _run("scan", corpus, "-f", "json", "-o", tmp_path / "again.json", "--checkpoint", folder, "-q")
    assert again.exit_code == 0, again.output
    assert _findings(json.loads((tmp_path / "again.json").read_text())) == _findings(expected)
    assert not folder.exists()


# 3. A temporary folder too full for the corpus IDF: the tasks carry it, and the report is the same

def test_a_full_temporary_folder_costs_the_idf_file_not_the_scan(tmp_path, monkeypatch):
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 300, seed=3)
    expected = json.loads(_run("scan", corpus, "-f", "json", "-q").stdout)
    assert expected["reuse"]  # the step runs

    def full(path, array, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dedup.corpus.reuse_pass.np, "save", full)
    try:
        for jobs in ("1", "2"):
            result = _run("scan", corpus, "-f", "json", "-q", "-j", jobs)
            assert result.exit_code == 0, result.output
            assert _findings(json.loads(result.stdout)) == _findings(expected)
    finally:
        monkeypatch.setattr(dedup.corpus.reuse_pass.np, "save", np.save)


# 4. A resume with the inputs spelled otherwise (absolute, from another folder): refused, not two id spellings

def test_a_resume_with_the_inputs_spelled_otherwise_is_refused(tmp_path, monkeypatch):
    corpus, folder = tmp_path / "c.jsonl", tmp_path / "ck"
    _corpus(corpus, 1200)
    monkeypatch.chdir(tmp_path)
    save = dedup.corpus.checkpoint.Checkpoint.save
    saved = []

    def stopped_after_a_save(self, state, consumed):
        done = save(self, state, consumed)
        saved.append(done)
        raise KeyboardInterrupt  # stopped once the first batch is saved
        return done

    monkeypatch.setattr(dedup.corpus.checkpoint.Checkpoint, "save", stopped_after_a_save)
    first = _run("scan", "c.jsonl", "-f", "json", "-o", "r.json", "--checkpoint", "ck", "--checkpoint-every",
                 "0.000001")
    assert first.exit_code != 0 and saved == [True] and folder.exists()
    monkeypatch.setattr(dedup.corpus.checkpoint.Checkpoint, "save", save)  # still in tmp_path
    resumed = _run("scan", str(corpus), "-f", "json", "-o", "r.json", "--checkpoint", "ck", "-q")
    assert resumed.exit_code != 0 and "checkpoint" in resumed.stderr, resumed.output
    assert not (tmp_path / "r.json").exists()


# 5. Scratch folders a killed process left (a copy of stdin each): removed by the next command, never a live one's

def test_scratch_folders_of_killed_processes_are_removed_by_the_next(tmp_path):
    import signal
    import subprocess

    from dedup.util import scratch

    if scratch._host() is None:  # no /proc: names carry no process, and nothing is removed (said in the module)
        assert scratch.prefix("inputs") == "dedup-inputs-" and scratch.sweep(str(tmp_path)) == 0
        return
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-c", "import sys, tempfile\nfrom dedup.util import scratch\n"
                              "print(tempfile.mkdtemp(prefix=scratch.prefix('inputs')), flush=True)\nsys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    left = Path(child.stdout.readline().strip())  # made: the child now waits on its stdin
    (left / "stdin.jsonl").write_text("a copy of a crawler's records\n")
    child.send_signal(signal.SIGKILL)
    child.wait()
    live = Path(tmp_path / f"{scratch.prefix('inputs')}mine")  # this process's: it runs
    live.mkdir()
    elsewhere = tmp_path / f"dedup-inputs-{'0' * 16}-{child.pid}-x"  # another boot or container's
    elsewhere.mkdir()
    assert left.exists() and scratch.sweep(str(tmp_path)) == 1
    assert not left.exists() and live.exists() and elsewhere.exists()
    # The commands sweep as they make their first scratch folder: a killed `dedup clean -` left its copy of stdin
    killed = subprocess.Popen([sys.executable, "-m", "dedup", "clean", "-", "-o", str(tmp_path / "out.jsonl")],
                              stdin=subprocess.PIPE, env=env)
    killed.stdin.write(b'{"id": "a", "text": "Alpha beta gamma delta epsilon zeta eta theta."}\n')
    killed.stdin.flush()
    bound = time.monotonic() + 600  # only turns a spool that never appears into a failure, not a hang
    while not any(p.name.startswith("dedup-inputs-") and f"-{killed.pid}-" in p.name for p in tmp_path.iterdir()):
        assert killed.poll() is None and time.monotonic() < bound  # waits for the spool to appear, an event
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    spools = [p for p in tmp_path.iterdir() if f"-{killed.pid}-" in p.name]
    assert spools
    again = subprocess.run([sys.executable, "-m", "dedup", "clean", "-", "-o", str(tmp_path / "out.jsonl"), "-q"],
                           input=b'{"id": "b", "text": "Kappa lambda omicron sigma upsilon omega rho tau."}\n',
                           env=env)
    assert again.returncode == 0
    assert not any(p.exists() for p in spools)
