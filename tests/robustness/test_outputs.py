"""Outputs, third round: ``-o`` paths that wrote over inputs, wrote outside the output folder, made a file
where a folder was meant, or ended an hour's scan in a traceback. Every refusal is one ``dedup: error:``
line naming the path, before the scan (exit 2); a write that fails part-way is one line too (exit 1), the
previous file left as it was. Each test failed before its fix."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.cli.clean_command
import dedup.cli.main
from dedup.cli.main import main

GARDEN = "Garden\n\nPlant tomatoes in spring, once the last frost has passed and the soil is warm.\n"
CATS = "Cats\n\nCats sleep for most of the day and hunt at dusk, alone or in pairs.\n"


def _run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def _dedup(*args, cwd):
    """``python -m dedup`` in a subprocess, where the shell's own paths (``..``, a trailing slash) matter."""
    return subprocess.run([sys.executable, "-m", "dedup", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error_line(output: str, start: str) -> None:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dedup: error: {start}"), output
    assert "Traceback" not in output


@pytest.fixture
def no_scan(monkeypatch):
    """The refusal must come before the scan: a scan here fails the test."""
    for command in (dedup.cli.main, dedup.cli.clean_command):
        monkeypatch.setattr(command, "run_scan", lambda *a, **k: pytest.fail("the scan ran before the refusal"))


# 1. clean FOLDER -o PARENT wrote one input's text over another input

def test_clean_into_the_folder_above_the_input_folder_overwrites_no_input(tmp_path, no_scan):
    (tmp_path / "w" / "w").mkdir(parents=True)
    (tmp_path / "w" / "f.txt").write_text("Bridge vote\n\nThe council approved the bridge.\n\n"
                                          "The council approved the bridge.\n")
    (tmp_path / "w" / "w" / "f.txt").write_text(GARDEN)
    before = _digest(tmp_path)
    result = _dedup("clean", "w", "-o", ".", "-q", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    _one_error_line(result.stderr, "w/f.txt: is one of the inputs")
    assert _digest(tmp_path) == before
    result = _run("clean", tmp_path / "w", "-o", tmp_path, "-q")  # also with absolute paths
    assert result.exit_code == 2 and "is one of the inputs" in result.output and _digest(tmp_path) == before


def test_a_cleaned_copy_inside_an_input_folder_is_refused(tmp_path, no_scan):
    # Laid out under w, the copy of w/w/new.txt goes to w/w/w/new.txt: no input is written over, but it would
    # be an input of the next run of the same command.
    (tmp_path / "w" / "w").mkdir(parents=True)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.txt").write_text(CATS)
    (tmp_path / "w" / "w" / "new.txt").write_text(GARDEN)
    before = _digest(tmp_path)
    result = _dedup("clean", "w/w", "x/a.txt", "-o", "w", "-q", cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "w/w/w/new.txt: is inside the input folder w/w")
    assert _digest(tmp_path) == before


def test_clean_into_a_folder_above_the_inputs_still_works_where_nothing_collides(tmp_path):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / "sub" / "x.txt").write_text(GARDEN)
    (tmp_path / "corpus" / "y.txt").write_text(CATS)
    result = _dedup("clean", "corpus", "-o", ".", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sub" / "x.txt").read_text() == GARDEN and (tmp_path / "y.txt").read_text() == CATS


# 2. an input path with .. laid its copy out outside the -o folder

def test_an_input_named_through_dotdot_is_written_inside_the_output_folder(tmp_path):
    src, notes = tmp_path / "proj" / "src", tmp_path / "proj" / "notes"
    src.mkdir(parents=True)
    notes.mkdir()
    (notes / "y.txt").write_text(CATS)
    (src / "x.txt").write_text(GARDEN)
    result = _dedup("clean", "x.txt", "../notes/y.txt", "-o", "out", "-q", cwd=src)
    assert result.returncode == 0, result.stderr
    assert sorted(_digest(src / "out")) == ["notes/y.txt", "src/x.txt"]
    assert (src / "out" / "notes" / "y.txt").read_text() == CATS
    assert sorted(_digest(src)) == ["out/notes/y.txt", "out/src/x.txt", "x.txt"]  # no src/notes/y.txt


# 3. and 5. -o naming a folder: written into it, never a file in its place

@pytest.mark.parametrize("folder", ["newdir/", "made"])
def test_clean_one_file_into_a_folder_writes_it_there(tmp_path, folder):
    (tmp_path / "a.txt").write_text(GARDEN)
    if folder == "made":
        (tmp_path / "made").mkdir()
    result = _dedup("clean", "a.txt", "-o", folder, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / folder / "a.txt").read_text() == GARDEN and (tmp_path / folder).is_dir()


def test_clean_one_jsonl_into_a_folder_writes_it_there(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"id": "1", "text": "Garden\\n\\nPlant tomatoes in spring."}\n')
    result = _dedup("clean", "c.jsonl", "-o", "out/", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "c.jsonl").read_text() == (tmp_path / "c.jsonl").read_text()


@pytest.mark.parametrize("command", [["scan", "a.txt"], ["align", "a.txt", "a.txt"]])
def test_a_report_into_a_folder_is_refused(tmp_path, command, no_scan):
    (tmp_path / "a.txt").write_text(GARDEN)
    (tmp_path / "od").mkdir()
    for output in ("od", "newdir/"):
        result = _dedup(*command, "-o", output, cwd=tmp_path)
        assert result.returncode == 2
        _one_error_line(result.stderr, f"{output}: names a folder")
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "od"] and os.listdir(tmp_path / "od") == []


# 5. an output that cannot be written: one line, before the scan

@pytest.mark.parametrize("command", ["scan", "clean", "align"])
@pytest.mark.parametrize("output, start", [
    ("missing/r.txt", "missing/r.txt: the folder missing does not exist"),
    ("a.txt/r.txt", "a.txt/r.txt: a.txt is not a folder"),
    ("", "-o '': an empty path"),
])
def test_an_output_that_cannot_be_written_is_refused_before_the_scan(tmp_path, command, output, start, no_scan):
    (tmp_path / "a.txt").write_text(GARDEN)
    inputs = ["a.txt", "a.txt"] if command == "align" else ["a.txt"]
    result = _dedup(command, *inputs, "-o", output, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    _one_error_line(result.stderr, start)
    assert sorted(os.listdir(tmp_path)) == ["a.txt"]
    result = _run(command, *[tmp_path / i for i in inputs], "-o", tmp_path / output if output else "")
    assert result.exit_code == 2 and result.output.startswith("dedup: error: ")  # ...and the scan never ran


def test_clean_refuses_a_file_where_a_folder_of_the_layout_goes(tmp_path, no_scan):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / "sub" / "x.txt").write_text(GARDEN)
    (tmp_path / "corpus" / "y.txt").write_text(CATS)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").write_text("a file of the user's")
    (tmp_path / "out" / "y.txt").mkdir()
    before = _digest(tmp_path)
    result = _dedup("clean", "corpus", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "out/")
    assert _digest(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
@pytest.mark.parametrize("command", ["scan", "clean"])
def test_an_output_in_a_read_only_folder_is_refused_before_the_scan(tmp_path, command, no_scan):
    (tmp_path / "a.txt").write_text(GARDEN)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = _run(command, tmp_path / "a.txt", "-o", locked / "r.txt")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2 and "permission denied" in result.output and os.listdir(locked) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", ["scan", "clean"])
def test_a_write_that_fails_is_one_line_naming_the_output(tmp_path, command):
    (tmp_path / "a.txt").write_text(GARDEN)
    result = _dedup(command, "a.txt", "-o", "/dev/full", cwd=tmp_path)
    assert result.returncode == 1
    _one_error_line(result.stderr, "/dev/full: cannot write (No space left on device)")


# 4. align had none of scan's checks: -o A replaced input A with the report

def test_align_onto_one_of_its_inputs_is_refused(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(GARDEN)
    b.write_text(GARDEN)
    link = tmp_path / "link.txt"
    link.symlink_to(b)
    for output in (a, b, link):
        result = _run("align", a, b, "-o", output)
        assert result.exit_code == 2 and "is one of the inputs" in result.output
        _one_error_line(result.output, str(output))
    assert a.read_text() == GARDEN and b.read_text() == GARDEN


# An -o that is a link: written through it, as a shell's > does (the rename had put a file in the link's place)

def test_an_output_that_is_a_link_is_written_through(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(GARDEN)
    (tmp_path / "reports").mkdir()
    kept = tmp_path / "reports" / "latest.json"
    kept.write_text("{}")
    link = tmp_path / "report.json"
    link.symlink_to(kept)
    result = _run("scan", story, "-f", "json", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == kept.resolve()
    assert '"documents"' in kept.read_text()
