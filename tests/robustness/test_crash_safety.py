"""The index survives a writer, remover or expirer killed at any moment: SIGKILL at several points, then check."""

import json
import random
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.io.readers import Document

from ..planted import planted_corpus

# The writer says when each add has returned (committed), so the test kills it by counting commits, not by
# the clock: on a loaded machine ``import dedup`` alone can take longer than any fixed delay.
WRITER = """
import json, sys
from dedup import Index
records = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
hold = int(sys.argv[3])
with Index(sys.argv[1], within=False, batch_size=1) as index:
    todo = [r for r in records if r["id"] not in index]  # a rerun starts with what the killed runs had not added
    for n, r in enumerate(todo):
        if n == hold:  # the test kills it long before; a stalled test still cannot see every document added
            sys.stdin.read()
        index.add(r["id"], r["body"])
        print(r["id"], flush=True)  # printed only once the add has returned (committed)
"""
# Adds the writer may make past the one the test waits for before the kill lands (it is usually mid-way
# through the next); a cap, so that how mid-way the kills land does not depend on how fast the test is.
MARGIN = 20


@pytest.fixture(scope="module")
def records():
    found = []
    for seed in range(6):  # about 270 documents: long enough to be killed mid-way
        batch, _ = planted_corpus(seed=seed, originals=40)
        found += [dict(r, id=f"s{seed}-{r['id']}") for r in batch]
    return found


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _killed_writer(db, source, commits: int) -> list[str]:
    """Run the writer, SIGKILL it once it has said ``commits`` adds returned; the ids whose add had returned."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(source), str(commits + MARGIN)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = [process.stdout.readline() for _ in range(commits)]  # blocks until the writer's own signal
    assert all(seen), f"the writer ended before {commits} adds: exit {process.wait(timeout=60)}"
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=60)  # the ids it printed between our last read and the kill
    return "".join(seen).split() + out.split()


def test_sigkill_at_random_points_leaves_a_consistent_index(records, tmp_path):
    source = _write(tmp_path / "news.jsonl", records)
    db = tmp_path / "news.db"
    rng = random.Random(7)
    returned: set[str] = set()
    for _ in range(4):  # at most 4 * (25 + MARGIN) = 180 of the 270 documents: the kills land mid-way
        commits = rng.randint(1, 25)
        ids = _killed_writer(db, source, commits)
        assert len(ids) >= commits and not returned & set(ids), "each run adds only what the last did not"
        returned |= set(ids)
        with Index(str(db), within=False) as index:  # opens without error
            assert index.verify() == []
            missing = [doc_id for doc_id in returned if doc_id not in index]
            assert not missing, f"added and returned, then lost: {missing[:5]}"
    assert 0 < len(returned) < len(records), "the kills should land mid-way"
    # The same add again completes the rest, without doubling anything.
    result = CliRunner().invoke(main, ["index", "add", str(db), str(source), "--text-field", "body", "-q"])
    assert result.exit_code == 0, result.output
    with Index(str(db), within=False) as index:
        assert len(index) == len(records) and index.verify() == []
        assert index.idf.n_docs == len(records)
    check = CliRunner().invoke(main, ["index", "check", str(db)])
    assert check.exit_code == 0 and f"ok, {len(records)} documents" in check.output


def test_index_check_reports_a_broken_invariant(records, tmp_path):
    import sqlite3

    db = tmp_path / "news.db"
    with Index(str(db), within=False) as index:
        index.add_many(Document(r["id"], r["body"]) for r in records[:20])
    with sqlite3.connect(db) as raw:
        raw.execute("DELETE FROM docs WHERE rowid = 3")
    result = CliRunner().invoke(main, ["index", "check", str(db)])
    assert result.exit_code == 1
    assert "band rows pointing at no document" in result.output
    assert "IDF counts 20 documents, the index holds 19" in result.output


def test_another_programs_sqlite_database_is_not_written_into(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    result = CliRunner().invoke(main, ["index", "add", str(other), __file__])
    assert result.exit_code == 1 and "not a dedup index" in result.output
    assert other.read_bytes() == before


BASE = 1_790_000_000.0  # documents are dated BASE + i hours: an expiry removes exactly the oldest ones


# Removes or expires a batch of 2 per transaction, printing a line once each batch has committed (as
# ``dedup index remove|expire`` does); after ``hold`` batches it waits, so a kill always lands mid-way
# however fast the machine (the test kills it long before).
REMOVER = """
import sys
from dedup import Index
mode, db, arg, hold = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
batches = 0

def report(count, total):
    global batches
    print(f"removed {count} (total {total})", flush=True)
    batches += 1
    if batches == hold:
        sys.stdin.read()

with Index(db, within=False, batch_size=2) as index:
    if mode == "remove":
        index.remove(open(arg, encoding="utf-8").read().split(), on_batch=report)
    else:
        index.expire(before=float(arg), on_batch=report)
"""


def _killed_remover(mode: str, db, arg: str, batches: int) -> int:
    """Run the remover, SIGKILL it once it has said ``batches`` batches committed; the documents it reported
    removed (the total on its last line)."""
    process = subprocess.Popen([sys.executable, "-c", REMOVER, mode, str(db), arg, str(batches + MARGIN)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = [process.stdout.readline() for _ in range(batches)]  # blocks until the remover's own report
    assert all(seen), f"the remover ended before {batches} batches: exit {process.wait(timeout=60)}"
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    lines = [line for line in "".join(seen).splitlines() + out.splitlines() if "(total " in line]
    return int(lines[-1].rsplit("(total ", 1)[1].rstrip(")"))


@pytest.mark.parametrize("store", ["sqlite", "redis"])
@pytest.mark.parametrize("command", ["remove", "expire"])
def test_sigkill_during_remove_or_expire_leaves_a_consistent_index_and_a_rerun_finishes(records, tmp_path, command,
                                                                                        store, request):
    db = (tmp_path / "news.db" if store == "sqlite"
          else f"{request.getfixturevalue('redis_url')}?prefix=killed-{command}")
    with Index(str(db), within=False) as index:
        index.add_many(Document(r["id"], r["body"], date=BASE + 3600 * i) for i, r in enumerate(records))
    doomed = [r["id"] for r in records[: len(records) * 2 // 3]]  # the oldest two thirds
    if command == "remove":
        listing = tmp_path / "ids.txt"
        listing.write_text("\n".join(doomed) + "\n", encoding="utf-8")
        arg, args = str(listing), ["remove", str(db), "--from", str(listing), "--batch-size", "2"]
    else:
        arg = str(BASE + 3600 * len(doomed))
        args = ["expire", str(db), "--before", arg, "--batch-size", "2"]
    rng = random.Random(11)
    removed_before = 0
    for _ in range(3):  # at most 3 * (15 + MARGIN) batches of 2 of the 180 doomed: the kills land mid-way
        reported = _killed_remover(command, db, arg, rng.randint(1, 15))  # a total of this run alone
        with Index(str(db), within=False) as index:  # opens, and checks
            assert index.verify() == []
            gone = [doc_id for doc_id in doomed if doc_id not in index]
            # Removal goes in order, a batch at a time: what is gone is a prefix, at least what was reported.
            assert gone == doomed[: len(gone)] and len(gone) >= reported + removed_before
            assert all(r["id"] in index for r in records[len(doomed):])
        removed_before = len(gone)
    assert 0 < len(gone) < len(doomed), "the kills should land mid-way"
    rerun = CliRunner().invoke(main, ["index", *args, "-q"])  # the command line finishes the job
    assert rerun.exit_code == 0, rerun.output
    with Index(str(db), within=False) as index:
        assert index.verify() == [] and len(index) == len(records) - len(doomed) == index.idf.n_docs
        assert not any(doc_id in index for doc_id in doomed)
    assert CliRunner().invoke(main, ["index", "check", str(db)]).exit_code == 0
