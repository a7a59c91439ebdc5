"""Found by trying it, fifteenth round: the index as a scraper uses it. Each test failed before its fix."""

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dedup import Index
from dedup.index.store import IndexFileError

DEV = Path(__file__).resolve().parents[2] / "data" / "dev"

_FULL_AT_COMMIT = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from dedup import Index
    from dedup.index.store import IndexWriteError
    path, dev = sys.argv[1], Path(sys.argv[2])
    texts = [p.read_text(encoding="utf-8") for p in sorted(dev.glob("*.txt"))]
    index = Index(path, within=False, reuse=False)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (160 * 1024, hard))  # the disk is full past 160 KiB a file
    for i, text in enumerate(texts):
        try:
            index.check(f"d{i}", text, add=True)
        except IndexWriteError as err:
            print("refused", i, err)
            break
    else:
        sys.exit("the disk never filled")
    print("verify", index.verify())
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again: the crawl goes on
    index.check(f"d{i}", texts[i], add=True)
    index.check(f"d{i + 1}", texts[i + 1], add=True)
    index.close()
    with Index(path) as index:
        print("reopened", len(index), index.idf.n_docs, index.verify())
""")


def test_a_disk_full_at_the_commit_of_check_and_add_leaves_the_index_consistent(tmp_path):
    """``check(add=True)`` writes in the transaction it holds over the check; when its COMMIT failed (the disk
    full), the store kept the document counts of the rolled-back add, raised SQLite's own error, and the next add
    wrote those counts to the file (``verify()`` then found them wrong)."""
    done = subprocess.run([sys.executable, "-c", _FULL_AT_COMMIT, str(tmp_path / "x.db"), str(DEV)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    refused = next(line for line in lines if line.startswith("refused"))
    assert "nothing was written" in refused
    assert "verify []" in lines
    added = int(refused.split()[1]) + 2
    assert f"reopened {added} {added} []" in lines


SHORT = "Drought relief package approved by regional {}."  # six content words: banded only under 8


def test_min_passage_words_is_stored_with_the_index_and_another_value_refused(make_location):
    """Paragraphs are banded by ``min_passage_words`` when added: reopened with another value, an index took it
    without a word and missed the short passages of the documents added before."""
    article = (DEV / "agriculture_drought_aid.txt").read_text(encoding="utf-8")
    other = (DEV / "city_budget_riverton.txt").read_text(encoding="utf-8")
    location = make_location()
    with Index(location, within=False, reuse=False) as index:
        index.add("A", other + "\n\n" + SHORT.format("council") + "\n")
        assert index.min_passage_words == 8 and index.stats()["params"]["min_passage_words"] == 8
    with pytest.raises(IndexFileError, match="created with min_passage_words=8, not 3"):
        Index(location, within=False, reuse=False, min_passage_words=3)
    location = make_location()
    with Index(location, within=False, reuse=False, min_passage_words=3) as index:
        index.add("A", other + "\n\n" + SHORT.format("council") + "\n")
    with Index(location, within=False, reuse=False) as index:  # the stored value, not the default
        assert index.min_passage_words == 3
        passages = index.check("B", article + "\n\n" + SHORT.format("board") + "\n").passages
        assert [(m.doc, m.number) for m in passages] == [("A", len(other.split("\n\n")))]


def test_an_index_named_through_a_link_refuses_its_write_ahead_log_as_output(tmp_path):
    """SQLite keeps its -wal beside the file a link names: ``index query link.db -o real.db-wal`` was taken (exit
    0) and the report was renamed over the live write-ahead log (committed documents lost when the writer died)."""
    from click.testing import CliRunner

    from dedup.cli.main import main

    page = tmp_path / "p.txt"
    page.write_text("A short page about the harbour and the new ferry timetable.\n", encoding="utf-8")
    real, link = tmp_path / "real.db", tmp_path / "link.db"
    assert CliRunner().invoke(main, ["index", "add", str(real), str(page), "-q"]).exit_code == 0
    link.symlink_to(real)
    for suffix in ("-wal", "-shm", "-journal", ""):
        done = CliRunner().invoke(main, ["index", "query", str(link), str(page), "-o", f"{real}{suffix}"])
        assert done.exit_code == 2 and "is the index" in done.output, (suffix, done.output)
    assert CliRunner().invoke(main, ["index", "check", str(link)]).exit_code == 0


def test_an_index_name_with_a_line_feed_cannot_make_up_a_line(tmp_path, monkeypatch):
    """The success lines printed the index's name raw: a name holding "\\n" made a second, made-up "ok" line."""
    from click.testing import CliRunner

    from dedup.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.txt").write_text("A short page about the harbour.\n", encoding="utf-8")
    name = "evil.db: ok, 99999 documents\nx.db"
    assert CliRunner().invoke(main, ["index", "add", name, "p.txt"]).exit_code == 0
    checked = CliRunner().invoke(main, ["index", "check", name])
    assert checked.exit_code == 0 and checked.output == "evil.db: ok, 99999 documents\\nx.db: ok, 1 document\n"


def test_a_removal_from_a_redis_at_maxmemory_gets_through_in_smaller_batches(tmp_path):
    """Over ``maxmemory`` Redis refuses every command of a transaction; a removal of 512 documents queues thousands
    of them, so ``expire`` failed at every run, and its message said that running it again would finish it."""
    import redis

    from .test_index_safety import _docs, _private_redis

    with _private_redis(tmp_path) as (_, port):
        client = redis.Redis(port=port)
        client.config_set("maxmemory-policy", "noeviction")
        location = f"redis://127.0.0.1:{port}/0?prefix=oom"
        with Index(location, within=False, reuse=False) as index:
            index.add_many(_docs(600))
        client.config_set("maxmemory", int(client.info("memory")["used_memory"]) + 1024 * 1024)
        try:
            with Index(location, within=False, reuse=False) as index:
                assert index.expire(before=datetime.now(timezone.utc) + timedelta(days=1)) == 600
                assert len(index) == 0 and index.verify() == []
        finally:
            client.config_set("maxmemory", 0)


def test_redis_wanting_a_password_says_so_and_stats_needs_no_info_permission(tmp_path):
    """A Redis that needs a password, given none, was "cannot reach Redis"; ``stats`` for a read-only ACL user
    without INFO failed as "Redis refused the write", though stats writes nothing."""
    import redis

    from dedup.index.store import IndexUnavailableError

    from .test_index_safety import _docs, _private_redis

    with _private_redis(tmp_path) as (_, port):
        location = f"redis://127.0.0.1:{port}/0?prefix=acl"
        with Index(location, within=False, reuse=False) as index:
            index.add_many(_docs(3))
        client = redis.Redis(port=port)
        client.acl_setuser("reader", enabled=True, passwords=["+secret"], keys=["*"],
                           commands=["+@read", "+@connection", "+@transaction", "-info"])
        with Index(f"redis://reader:secret@127.0.0.1:{port}/0?prefix=acl", within=False, reuse=False,
                   read_only=True) as index:
            stats = index.stats()
            assert stats["documents"] == 3 and stats["redis_used_memory"] is None
        client.config_set("requirepass", "hunter2")
        with pytest.raises(IndexUnavailableError, match="needs a password"):
            Index(location, within=False, reuse=False)


def test_a_host_named_like_authentication_is_not_said_to_want_a_password():
    from dedup.index.store import IndexUnavailableError

    pytest.importorskip("redis")
    with pytest.raises(IndexUnavailableError, match="cannot reach Redis"):
        Index("redis://redis-authentication.invalid:6379/0")
