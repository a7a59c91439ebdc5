"""The index refuses what it must, fails in one line, and never shows a password.

Real SQLite files throughout; Redis tests use the session's ``redis-server`` (``redis_url`` in
``tests/conftest.py``), or a private one started the same way where the test stops it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import socket
import sqlite3
import subprocess
import threading

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.index.sqlite_schema import APPLICATION_ID
from dedup.index.store import (
    MAX_PARAGRAPHS,
    IndexFileError,
    IndexLocationError,
    IndexReadOnlyError,
    IndexStoreError,
    IndexUnavailableError,
    IndexWriteError,
    mask_location,
)
from dedup.io.readers import Document

PASSWORD = "S3cretPW!"
STORY = ("The harbour authority approved a new breakwater for the northern quay after the winter storms.\n\n"
         "Fishermen said the old wall had cracked in three places and flooded the market twice this year.\n\n"
         "Construction starts in spring and should take two seasons, the authority's engineer told reporters.")


def _docs(n: int, prefix: str = "d") -> list[Document]:
    return [Document(f"{prefix}{i}", f"Short note {i} about {prefix} topics: apples, pears and plums number {i}.\n\n"
                                     f"A second paragraph {i} on {prefix} harvest records and orchard weather.")
            for i in range(n)]


def _state(folder) -> dict:
    """Every file of a folder: name -> sha256 (the index and any -wal / -shm beside it)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("dedup: error: ")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in _docs(12)), encoding="utf-8")
    return path


# --- 10. no password is ever printed --------------------------------------------------------------------------


def test_mask_location_hides_every_password_form():
    assert mask_location(f"redis://:{PASSWORD}@h:6379/0?prefix=x") == "redis://:***@h:6379/0?prefix=x"
    assert mask_location(f"rediss://user:{PASSWORD}@h/0") == "rediss://user:***@h/0"
    assert mask_location(f"redis://h/0?password={PASSWORD}&prefix=x") == "redis://h/0?password=***&prefix=x"
    assert mask_location("redis://user@h/0") == "redis://user@h/0"
    assert mask_location("news.db") == "news.db"


@pytest.fixture(scope="module")
def redis_user(redis_url):
    """A Redis user with a password on the session's server (its default user stays password-less)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.acl_setuser("dedup-user", enabled=True, passwords=[f"+{PASSWORD}"], keys=["*"], channels=["*"],
                       commands=["+@all"], reset=True)
    client.close()
    return redis_url.replace("redis://", f"redis://dedup-user:{PASSWORD}@")


def test_cli_never_prints_the_redis_password(redis_user, source):
    location = f"{redis_user}?prefix=secret"
    outputs = []
    for args in (["add", location, source], ["check", location], ["stats", location],
                 ["query", location, source, "-f", "jsonl"]):
        result = _run("index", *args)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert json.loads(outputs[2])["path"].startswith("redis://dedup-user:***@")
    assert "dedup-user:***@" in outputs[1]
    assert not any(PASSWORD in out for out in outputs)


@pytest.mark.parametrize("template", [
    "redis://nobody-here:{pw}@{host}/0",  # no such user: Redis refuses the AUTH
    "redis://dedup-user:wrong{pw}@{host}/0",
    "redis://:{pw}@{host_no_port}:notaport/0",
    "redis://:{pw}@{host}/notadb",
    "redis://:{pw}@127.0.0.1:1/0",
])
def test_errors_never_print_the_redis_password(redis_user, template):
    host = redis_user.split("@", 1)[1].split("/")[0]
    location = template.format(pw=PASSWORD, host=host, host_no_port=host.split(":")[0])
    for args in (["stats", location], ["add", location, __file__], ["check", location]):
        line = _one_line_error(_run("index", *args))
        assert PASSWORD not in line
    with pytest.raises(IndexStoreError) as raised:
        Index(location)
    assert PASSWORD not in str(raised.value)


def test_the_password_may_come_from_the_environment(redis_user, monkeypatch):
    without = redis_user.replace(f":{PASSWORD}@", "@") + "?prefix=env"
    monkeypatch.setenv("DEDUP_REDIS_PASSWORD", "not-it")
    with pytest.raises(IndexUnavailableError, match="Redis refused the connection: it needs a password") as raised:
        Index(without)  # the variable is used: a wrong one is refused
    assert "not-it" not in str(raised.value)
    monkeypatch.setenv("DEDUP_REDIS_PASSWORD", PASSWORD)
    with Index(without) as index:
        assert index.add_many(_docs(3)) == 3
    with Index(redis_user + "?prefix=env") as index:  # a password in the URL wins over the variable
        assert len(index) == 3


# --- 11. another program's SQLite database is never written ---------------------------------------------------


def _other_app(path, meta_columns: str = "key TEXT PRIMARY KEY, value TEXT NOT NULL") -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute(f"CREATE TABLE meta ({meta_columns})")
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
        db.execute("INSERT INTO orders (item) VALUES ('tea')")
    db.close()


@pytest.mark.parametrize("meta", ["key TEXT PRIMARY KEY, value TEXT NOT NULL", "a, b, c"])
def test_a_database_with_a_meta_table_is_refused_byte_identical(tmp_path, source, meta):
    folder = tmp_path / "app"
    folder.mkdir()
    path = folder / "app.db"
    _other_app(path, meta)
    before = _state(folder)
    _one_line_error(_run("index", "add", path, source), "not a dedup index", "left unchanged")
    for command in ("check", "stats"):
        _one_line_error(_run("index", command, path), "not a dedup index")
    with pytest.raises(IndexFileError, match="not a dedup index"):
        Index(str(path))
    assert _state(folder) == before  # the same bytes, no -wal or -shm, no journal mode switched


def test_our_tables_under_another_application_id_are_refused(tmp_path):
    path = tmp_path / "x.db"
    with Index(str(path)) as index:
        index.add_many(_docs(2))
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1234")
    db.close()
    before = _state(tmp_path)
    with pytest.raises(IndexFileError, match="another application, application_id 0x4d2"):
        Index(str(path))
    assert _state(tmp_path) == before


def test_a_new_index_carries_the_application_id(tmp_path):
    path = tmp_path / "x.db"
    Index(str(path)).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


def _make_legacy(path) -> None:
    """Turn an index into what dedup before the application id wrote: id 0, version 2, one dense DF blob."""
    import numpy as np

    db = sqlite3.connect(path)
    with db:
        rows = db.execute("SELECT bucket, count FROM df").fetchall()
        dense = np.zeros(max(b for b, _ in rows) + 1, dtype="<i4")
        for bucket, count in rows:
            dense[bucket] = count
        db.execute("UPDATE idf SET df = ?", (dense.tobytes(),))
        db.execute("DROP TABLE df")
        for name in ("doc_bands_by_doc", "paragraph_bands_by_paragraph", "docs_by_added", "docs_by_date"):
            db.execute(f"DROP INDEX {name}")  # version 4's and 5's
        db.execute("ALTER TABLE docs DROP COLUMN dated")  # version 5's
        db.execute("DROP TABLE young_keys")  # version 8's
        db.execute("DROP TABLE reuse_forms")  # version 7's
        db.execute("DROP TABLE reuse_keys")  # version 6's
        db.execute("DROP TABLE texts")
        db.execute("DELETE FROM meta WHERE key = 'generation'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        db.execute("PRAGMA application_id = 0")
    db.close()


def _verdicts(index: Index, docs: list[Document]) -> list:
    return [[(m.b, m.jaccard, m.containment, m.cosine) for m in v.duplicates]
            + [(p.paragraph, p.doc, p.number, p.cosine) for p in v.passages]
            for v in (index.check(d.id + "-q", d.text) for d in docs)]


def test_an_index_of_the_previous_version_is_read_unchanged_and_adopted_on_first_write(tmp_path):
    docs, more = _docs(8), _docs(4, prefix="e")
    legacy, fresh = tmp_path / "old" / "x.db", tmp_path / "new" / "x.db"
    legacy.parent.mkdir()
    fresh.parent.mkdir()
    for path in (legacy, fresh):
        with Index(str(path), within=False) as index:
            index.add_many(docs)
    _make_legacy(legacy)
    before = _state(legacy.parent)
    with Index(str(legacy), within=False) as old, Index(str(fresh), within=False) as new:
        assert _verdicts(old, docs + more) == _verdicts(new, docs + more)  # the same IDF from the dense blob
        assert old.verify() == [] and old.stats()["schema_version"] == 2
    assert _state(legacy.parent) == before  # reading wrote nothing
    for path in (legacy, fresh):
        with Index(str(path), within=False) as index:
            assert index.add_many(more) == 4
    db = sqlite3.connect(legacy)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "8"
    assert db.execute("SELECT length(df) FROM idf").fetchone()[0] == 0
    db.close()
    with Index(str(legacy), within=False) as old, Index(str(fresh), within=False) as new:
        assert _verdicts(old, docs + more) == _verdicts(new, docs + more)
        assert old.verify() == [] and old.idf.n_docs == 12


# --- 12. every parameter is checked before the store is touched ------------------------------------------------

BAD = [("k", 0), ("paragraph_k", -1), ("num_perm", 0), ("num_perm", 1.5), ("seed", -1), ("lsh_threshold", 0),
       ("paragraph_lsh_threshold", 2), ("n_features", 3), ("stop_words", "yes"), ("stem", None),
       ("jaccard_threshold", 5), ("jaccard_threshold", math.nan), ("cosine_threshold", -1),
       ("passage_cosine_threshold", -3),
       ("min_passage_words", 0), ("batch_size", 0), ("within", "no"), ("read_only", 1), ("detector", "default")]


@pytest.mark.parametrize("name, value", BAD)
def test_a_refused_parameter_leaves_no_file_and_changes_none(tmp_path, name, value):
    new = tmp_path / "new"
    new.mkdir()
    with pytest.raises(ValueError, match=name):
        Index(str(new / "x.db"), **{name: value})
    assert list(new.iterdir()) == []
    old = tmp_path / "old"
    old.mkdir()
    with Index(str(old / "x.db")) as index:
        index.add_many(_docs(2))
    before = _state(old)
    with pytest.raises(ValueError, match=name):
        Index(str(old / "x.db"), **{name: value})
    assert _state(old) == before
    with Index(str(old / "x.db")) as index:
        assert len(index) == 2


def test_an_invalid_stored_parameter_is_named_on_open(tmp_path):
    path = tmp_path / "x.db"
    Index(str(path)).close()
    db = sqlite3.connect(path)
    with db:
        params = json.loads(db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps({**params, "num_perm": 0}),))
    db.close()
    with pytest.raises(IndexFileError, match="invalid parameter.*num_perm"):
        Index(str(path))


# --- 13. a document of more paragraphs than the stores can refer to ---------------------------------------------


def _long_document(doc_id: str, paragraphs: int) -> Document:
    return Document(doc_id, "\n\n".join(f"w{i}" for i in range(paragraphs - 1)) + "\n\n" + STORY.split("\n\n")[0])


def test_both_stores_refuse_a_document_past_the_paragraph_limit_alike(tmp_path, redis_url):
    docs = [_long_document("fits", MAX_PARAGRAPHS), _long_document("too-long", MAX_PARAGRAPHS + 1), *_docs(2)]
    probe = "An opening line of the probe.\n\n" + STORY.split("\n\n")[0]
    found = {}
    for location in (str(tmp_path / "x.db"), f"{redis_url}?prefix=long"):
        skipped = []
        with Index(location, within=False, batch_size=8) as index:
            assert index.add_many(docs, on_skip=lambda doc, why: skipped.append((doc, why))) == 3
            assert [doc for doc, _ in skipped] == ["too-long"] and "65,537 paragraphs" in skipped[0][1]
            assert "too-long" not in index and index.verify() == []
            with pytest.raises(ValueError, match="65,537 paragraphs"):
                index.add("too-long", docs[1].text)
            found[location] = [(p.paragraph, p.doc, p.number, p.cosine) for p in index.check("q", probe).passages]
    sqlite_found, redis_found = found.values()
    assert sqlite_found == redis_found == [(1, "fits", MAX_PARAGRAPHS - 1, 1.0)]


# --- 18. operational failures: one line, a clear exception, a consistent index ---------------------------------


@pytest.mark.parametrize("location, needle", [
    ("redis://127.0.0.1:notaport/0", "not a valid Redis URL"),
    ("redis://127.0.0.1:6379/notadb", "not a valid Redis URL"),
    ("sqlite://x.db", "a SQLite URL is sqlite:///"),
    ("http://example.com/x.db", "unknown index URL scheme"),
])
def test_a_malformed_location_is_one_line(location, needle, source):
    if location.startswith("redis://"):
        pytest.importorskip("redis", reason="the redis extra is not installed (pip install 'dedup[redis]')")
    for args in (["add", location, source], ["query", location, source], ["stats", location],
                 ["check", location]):
        _one_line_error(_run("index", *args), needle)
    with pytest.raises(IndexLocationError, match=needle):
        Index(location)


def test_a_missing_folder_is_one_line_and_creates_nothing(tmp_path, source):
    path = tmp_path / "no" / "such" / "x.db"
    _one_line_error(_run("index", "add", path, source), "folder", "does not exist")
    with pytest.raises(IndexLocationError, match="does not exist"):
        Index(str(path))
    assert not (tmp_path / "no").exists()


def _full_after(extra_pages: int):
    """A SQLiteStore ``_setup`` that caps the file at its size plus ``extra_pages``: "database or disk is full"."""
    from dedup.index.sqlite_store import SQLiteStore

    setup = SQLiteStore._setup

    def capped(self):
        setup(self)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + extra_pages}")
    return capped


def test_a_full_disk_says_what_was_committed_and_leaves_a_consistent_index(tmp_path, monkeypatch):
    path = tmp_path / "x.db"
    Index(str(path)).close()
    monkeypatch.setattr("dedup.index.sqlite_store.SQLiteStore._setup", _full_after(12))
    with Index(str(path), within=False, batch_size=4) as index:
        with pytest.raises(IndexWriteError, match="database or disk is full") as raised:
            index.add_many(_docs(400))
        added = raised.value.added
        assert 0 < added < 400 and added % 4 == 0
        assert f"{added} documents were added before the failure" in str(raised.value)
    monkeypatch.undo()
    with Index(str(path), within=False) as index:
        assert len(index) == added and index.verify() == [] and index.idf.n_docs == added


def test_a_full_disk_in_the_cli_is_one_line(tmp_path, source, monkeypatch):
    path = tmp_path / "x.db"
    Index(str(path)).close()
    monkeypatch.setattr("dedup.index.sqlite_store.SQLiteStore._setup", _full_after(0))
    _one_line_error(_run("index", "add", path, source, "-q"), "database or disk is full",
                    "0 documents were added before the failure")
    monkeypatch.undo()
    assert _run("index", "check", path).exit_code == 0


@contextlib.contextmanager
def _private_redis(folder, port: int | None = None):
    """A redis-server of this test's own (it is stopped midway), persisting every write to its append-only file.

    Started as ``tests/conftest.py`` starts the session's, and waited for by its "Ready" log line."""
    pytest.importorskip("redis")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    if port is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "yes", "--appendfsync", "always", "--dir", str(folder)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail(f"redis-server did not start (exit status {process.wait()})")
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait()
        process.stdout.close()


def test_redis_stopped_mid_add_says_what_was_committed(tmp_path, source, monkeypatch):
    redis = pytest.importorskip("redis", reason="the redis extra is not installed (pip install 'dedup[redis]')")

    with _private_redis(tmp_path) as (process, port):
        location = f"redis://127.0.0.1:{port}/0?prefix=stop"

        def stop_after(documents, count):
            for i, doc in enumerate(documents):
                if i == count:
                    redis.Redis(port=port).shutdown(nosave=True)
                    process.wait()
                yield doc

        with Index(location, within=False, batch_size=3) as index:
            with pytest.raises(IndexUnavailableError, match="lost the connection") as raised:
                index.add_many(stop_after(_docs(20), 7))
        assert raised.value.added == 6 and "6 documents were added before the failure" in str(raised.value)
    with _private_redis(tmp_path, port) as (process, _):  # the same data, from its append-only file
        with Index(location, within=False) as index:
            assert len(index) == 6 and index.verify() == [] and index.idf.n_docs == 6
        import dedup.cli.index_commands as cli_index

        reader = cli_index.read_documents
        monkeypatch.setattr(cli_index, "read_documents", lambda *a, **k: stop_after(reader(*a, **k), 0))
        _one_line_error(_run("index", "add", location, source, "-q"), "lost the connection",
                        "0 documents were added before the failure")


def test_a_read_only_file_refuses_adds_in_one_line_and_still_answers(tmp_path, source, monkeypatch):
    path = tmp_path / "x.db"
    with Index(str(path)) as index:
        index.add_many(_docs(3))
    before = _state(tmp_path)
    # As root, chmod does not stop writes: os.access saying no is the condition the store goes by.
    monkeypatch.setattr("dedup.index.sqlite_store.os.access", lambda *a: False)
    _one_line_error(_run("index", "add", path, source), "read-only")
    for args in (["check", path], ["stats", path], ["query", path, source, "-f", "jsonl"]):
        result = _run("index", *args)
        assert result.exit_code == 0, result.output
    assert json.loads(_run("index", "stats", path).output)["read_only"] is True
    _one_line_error(_run("index", "query", path, source, "--add"), "read-only")
    _assert_only_empty_side_files(tmp_path, before)


def _assert_only_empty_side_files(folder, before: dict) -> None:
    """The index is byte-identical; SQLite's mode=ro may leave an empty -wal (and its -shm index) beside it."""
    after = _state(folder)
    empty = hashlib.sha256(b"").hexdigest()
    assert {k: v for k, v in after.items() if not k.endswith(("-wal", "-shm"))} == before
    assert all(v == empty for k, v in after.items() if k.endswith("-wal"))


# --- 19. a read-only index is read -------------------------------------------------------------------------------


def test_read_only_open_answers_and_writes_nothing(tmp_path):
    path = tmp_path / "x.db"
    docs = _docs(5)
    with Index(str(path), within=False) as index:
        index.add_many(docs)
        expected = _verdicts(index, docs)
    before = _state(tmp_path)
    with Index(str(path), within=False, read_only=True) as index:
        assert index.read_only and len(index) == 5 and "d1" in index and index.verify() == []
        assert _verdicts(index, docs) == expected
        with pytest.raises(IndexReadOnlyError, match="read-only"):
            index.add("new", STORY)
        with pytest.raises(IndexReadOnlyError, match="read-only"):
            index.check("new", STORY, add=True)
    _assert_only_empty_side_files(tmp_path, before)
    with pytest.raises(IndexLocationError, match="no such index"):
        Index(str(tmp_path / "missing.db"), read_only=True)
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod; the read-only path is tested above")
def test_an_index_in_a_read_only_folder_is_read(tmp_path, source):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "x.db"
    with Index(str(path)) as index:
        index.add_many(_docs(3))
    before = _state(folder)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        for args in (["check", path], ["stats", path], ["query", path, source]):
            assert _run("index", *args).exit_code == 0
        _one_line_error(_run("index", "add", path, source), "read-only")
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert _state(folder) == before


# --- 20. arguments, and threads ----------------------------------------------------------------------------------


def test_check_and_add_name_a_bad_argument_before_touching_the_store(tmp_path):
    path = tmp_path / "x.db"
    with Index(str(path)) as index:
        index.add_many(_docs(1))
    with Index(str(path)) as index:
        for call, error, name in [
            (lambda: index.check(None, STORY), TypeError, "doc_id"),
            (lambda: index.check("x", None), TypeError, "text"),
            (lambda: index.check("x", b"bytes"), TypeError, "text"),
            (lambda: index.check("x", ""), ValueError, "text"),
            (lambda: index.check("x", " \n\t ", add=True), ValueError, "text"),
            (lambda: index.check("", STORY), ValueError, "doc_id"),
            (lambda: index.add("x", ""), ValueError, "text"),
            (lambda: index.add(None, STORY), TypeError, "doc_id"),
        ]:
            with pytest.raises(error, match=name):
                call()
        assert len(index) == 1 and "x" not in index  # none of them added anything
        skipped = []
        assert index.add_many([Document("blank", "  \n "), *_docs(1, "z")], on_skip=lambda d, w: skipped.append(d)) == 1
        assert skipped == ["blank"] and "blank" not in index and len(index) == 2


def test_add_many_skips_a_document_that_is_not_text_and_adds_those_around_it(tmp_path):
    """A batch never loses good records because of a bad one: the documents before the bad one (still in the
    pending batch) and after it are added, and the bad one is named with why."""
    good = _docs(6, "g")
    bad = [Document(None, STORY), Document("n", 42), Document("b", b"bytes"), Document("", STORY)]
    skipped = []
    with Index(str(tmp_path / "x.db"), within=False, batch_size=4) as index:
        added = index.add_many([*good[:3], *bad, *good[3:]], on_skip=lambda d, w: skipped.append((d, w)))
        assert added == 6 and len(index) == 6 and all(d.id in index for d in good)
    assert [d for d, _ in skipped] == ["None", "n", "b", ""]
    assert "its id must be a string, got NoneType" in skipped[0][1]
    assert "its text must be a string, got int 42" in skipped[1][1]
    assert "got bytes" in skipped[2][1] and "its id is empty" in skipped[3][1]


def test_four_threads_share_one_index(tmp_path):
    path = tmp_path / "x.db"
    errors, start = [], threading.Barrier(4)
    with Index(str(path), within=False, batch_size=3) as index:
        def work(t: int) -> None:
            try:
                start.wait()
                mine = _docs(10, prefix=f"t{t}-")
                index.add_many(mine[:5])
                for doc in mine[5:]:
                    index.check(doc.id, doc.text, add=True)
                for doc in mine:
                    assert doc.id in index
                    assert index.check(doc.id + "-copy", doc.text).duplicates[0].b == doc.id
            except BaseException as err:  # noqa: BLE001 (reported by the main thread)
                errors.append(err)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(index) == 40 and index.verify() == [] and index.idf.n_docs == 40


# --- size ---------------------------------------------------------------------------------------------------------


def test_a_small_index_is_small(tmp_path):
    with Index(str(tmp_path / "x.db"), within=False, batch_size=1) as index:
        index.add_many(_docs(10))
        assert index.idf.n_docs == 10
    total = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert total < 1 << 20, total  # 8.5 MB when the counts were one dense array rewritten by each batch
