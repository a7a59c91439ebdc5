"""Found by trying it, tenth round. Each test failed before its fix."""

import codecs
import json
import sys
from pathlib import Path

from click.testing import CliRunner

import dedup.corpus.state
from dedup.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpusgen import generate  # noqa: E402


def _run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def _rewrite_after_pass_one(monkeypatch, rewrite) -> None:
    """Run ``rewrite()`` once pass one is over, before pass two reads any input again."""
    finish = dedup.corpus.state.CorpusState.finish
    done = []

    def finish_then_rewrite(self):
        finish(self)
        if not done:
            done.append(True)
            rewrite()

    monkeypatch.setattr(dedup.corpus.state.CorpusState, "finish", finish_then_rewrite)


def _rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


# 1. A record rewritten in place between the passes (same offsets, other words): pass two read the new text as if it
#    were the one pass one signed, and reported evidence (scores, passages) of text the clusters were not made of.

def test_a_record_rewritten_in_place_is_not_read_as_the_one_signed(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    docs = generate(200, 200, dup_rate=0.3, seed=4)[0]
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    before = path.read_bytes()
    # Every text's letters turned (rot13): each record keeps its length and place, so its offset reads it back.
    rewritten = "".join(json.dumps({**d, "text": _rot13(d["text"])}) + "\n" for d in docs).encode()
    assert len(rewritten) == len(before)
    _rewrite_after_pass_one(monkeypatch, lambda: path.write_bytes(rewritten))
    result = _run("scan", path, "-f", "json", "-q", "--no-within", "--no-reuse")
    assert result.exit_code == 1
    assert "could not be read again for near-duplicate confirmation (an input changed or was removed during the " \
           "scan)" in result.stderr
    stats = json.loads(result.stdout)["stats"]
    assert stats["reread_failed"] == stats["documents_reread"] > 0


def test_a_text_file_replaced_between_the_passes_is_said(tmp_path, monkeypatch):
    folder = tmp_path / "pages"
    folder.mkdir()
    story = ("The council approved the new budget on Monday after a long debate about schools and roads. "
             "Members said the plan would add two hundred teachers over three years.\n\n"
             "Critics argued the spending was too high for a city of its size and called for cuts elsewhere.\n")
    (folder / "a.txt").write_text(story)
    (folder / "b.txt").write_text(story.replace("Monday", "Tuesday"))
    (folder / "c.txt").write_text("An unrelated note about the weather, which was mild and dry all week long.\n")
    replaced = _rot13(story)  # the same length, other words
    _rewrite_after_pass_one(monkeypatch, lambda: (folder / "a.txt").write_text(replaced))
    result = _run("scan", folder, "-f", "json", "-q")
    assert result.exit_code == 1
    assert "could not be read again" in result.stderr
    report = json.loads(result.stdout)
    assert report["stats"]["reread_failed"] >= 1
    # Nothing of the replacing text is reported as a.txt's.
    assert "Gur pbhapvy" not in result.stdout


def test_a_resumed_scan_checks_the_texts_it_reads_again(tmp_path, monkeypatch):
    import dedup.corpus.scanner

    path = tmp_path / "c.jsonl"
    docs = generate(200, 200, dup_rate=0.3, seed=4)[0]
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    rewritten = "".join(json.dumps({**d, "text": _rot13(d["text"])}) + "\n" for d in docs).encode()
    checkpoint = tmp_path / "ckpt"
    confirm = dedup.corpus.scanner.confirm_corpus

    def interrupted(*args, **kwargs):  # pass one is saved whole; pass two is stopped as Ctrl-C would stop it
        raise KeyboardInterrupt

    monkeypatch.setattr(dedup.corpus.scanner, "confirm_corpus", interrupted)
    first = _run("scan", path, "-f", "json", "-q", "--no-within", "--no-reuse", "--checkpoint", checkpoint)
    assert first.exit_code != 0 and (checkpoint / "CURRENT").exists()
    monkeypatch.setattr(dedup.corpus.scanner, "confirm_corpus", confirm)
    # Resumed: pass one comes from the checkpoint, and the file is rewritten in place before pass two reads it.
    _rewrite_after_pass_one(monkeypatch, lambda: path.write_bytes(rewritten))
    result = _run("scan", path, "-f", "json", "-q", "--no-within", "--no-reuse", "--checkpoint", checkpoint)
    assert result.exit_code == 1, result.stderr
    stats = json.loads(result.stdout)["stats"]
    assert stats["reread_failed"] == stats["documents_reread"] > 0
