"""The index under misuse: a file another process has locked, an ``Index`` used after ``close``, and text
that no store can write (a lone surrogate). Each fails in one clear line naming the cause, never with an
internal traceback, and never says a good index is something it is not.

The locks are held by a second ``sqlite3`` connection in this process (as another process's would be), and
the index waits ``lock_timeout=0.05`` s for them: no sleeps, no dependence on the machine's speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import uuid

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.index.store import IndexClosedError, IndexStoreError, IndexUnavailableError, IndexWriteError
from dedup.io.readers import Document, read_documents
from dedup.util.validate import lone_surrogate

STORY = ("The harbour authority approved a new breakwater for the northern quay after the winter storms.\n\n"
         "Fishermen said the old wall had cracked in three places and flooded the market twice this year.\n\n"
         "Construction starts in spring and should take two seasons, the authority's engineer told reporters.")
OTHER = ("The city council voted to extend the tram line to the airport by the end of next year.\n\n"
         "Commuters have asked for the extension since the old bus link was cut in the spring budget.")
WAIT = 0.05  # seconds the index waits for a lock in these tests


@pytest.fixture
def index_file(tmp_path):
    path = tmp_path / "lock.db"
    with Index(str(path), within=False) as index:
        index.add("story", STORY)
    return path


@contextlib.contextmanager
def _locked(path, exclusive: bool = True):
    """Hold ``path``'s lock from another connection: ``exclusive`` as the trial's holder did (``locking_mode=
    EXCLUSIVE``, ``BEGIN EXCLUSIVE``: readers wait too), else a writer's (``BEGIN IMMEDIATE``: readers go on)."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        if exclusive:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
        else:
            holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.close()  # ends its transaction and its lock


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a locked index is locked, not "not a dedup index" ---------------------------------------------------------


def test_opening_a_locked_index_says_it_is_locked(index_file):
    before = _digest(index_file)
    with _locked(index_file):
        with pytest.raises(IndexUnavailableError) as raised:
            Index(str(index_file), within=False, lock_timeout=WAIT)
    message = str(raised.value)
    assert message.startswith(f"{index_file}: locked by another process (waited ")
    assert message.endswith("s); try again when it is done"), message
    assert "not a dedup index" not in message and "damaged" not in message
    assert _digest(index_file) == before
    with Index(str(index_file), within=False, lock_timeout=WAIT) as index:  # the lock gone, the index is fine
        assert len(index) == 1 and index.check("again", STORY).is_duplicate


def test_writing_past_another_writers_lock_says_so(index_file):
    with Index(str(index_file), within=False, lock_timeout=WAIT) as index:
        with _locked(index_file, exclusive=False):  # another writer: reads go on, a write gives up, writes nothing
            assert index.check("new", OTHER).duplicates == []
            with pytest.raises(IndexWriteError, match="locked by another process .*nothing was written") as raised:
                index.add("new", OTHER)
            assert raised.value.added == 0
        assert len(index) == 1 and index.add("new", OTHER)


@pytest.mark.parametrize("command", [["query", "{text}", "--add"], ["add", "{text}"], ["stats"], ["check"],
                                     ["remove", "x"], ["expire", "--older-than", "1d"], ["compact"]])
def test_the_cli_says_a_locked_index_is_locked_after_lock_timeout(index_file, tmp_path, command):
    text = tmp_path / "small.txt"
    text.write_text(OTHER, encoding="utf-8")
    before = _digest(index_file)
    args = [word.format(text=text) for word in command]
    with _locked(index_file):
        result = CliRunner().invoke(main, ["index", args[0], str(index_file), *args[1:], "--lock-timeout", "0.1"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.startswith(f"dedup: error: {index_file}: locked by another process (waited 0.1 s)"), \
        result.output
    assert "not a dedup index" not in result.output and "Traceback" not in result.output
    assert _digest(index_file) == before


def test_lock_timeout_is_checked_and_shown_in_help(index_file):
    result = CliRunner().invoke(main, ["index", "stats", str(index_file), "--lock-timeout", "-1"])
    assert result.exit_code == 2 and "--lock-timeout" in result.output
    assert "--lock-timeout SECONDS" in CliRunner().invoke(main, ["index", "add", "--help"]).output


@pytest.mark.parametrize("value", [-1, float("nan"), "60", None])
def test_a_bad_lock_timeout_is_named(tmp_path, value):
    with pytest.raises(ValueError, match="lock_timeout"):
        Index(str(tmp_path / "t.db"), lock_timeout=value)
    assert not (tmp_path / "t.db").exists()


# --- a closed index says it is closed, on either store ---------------------------------------------------------


@pytest.fixture(params=["sqlite", "redis"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "closed.db")
    return f"{request.getfixturevalue('redis_url')}?prefix=misuse-{uuid.uuid4().hex[:8]}"


USES = {
    "check": lambda ix: ix.check("c", STORY), "add": lambda ix: ix.add("c", OTHER),
    "add_many": lambda ix: ix.add_many([Document("c", OTHER)]), "query": lambda ix: ix.query(STORY),
    "stats": lambda ix: ix.stats(), "verify": lambda ix: ix.verify(), "remove": lambda ix: ix.remove(["story"]),
    "expire": lambda ix: ix.expire(older_than="1d"), "compact": lambda ix: ix.compact(), "len": len,
    "contains": lambda ix: "story" in ix, "with": lambda ix: ix.__enter__(),
}


def test_an_index_used_after_close_says_it_is_closed(location):
    index = Index(location, within=False)
    index.add("story", STORY)
    index.close()
    index.close()  # closing again is fine
    for name, use in USES.items():
        with pytest.raises(IndexClosedError) as raised:
            use(index)
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, IndexStoreError), name
        assert str(raised.value) == f"index {index.path} is closed", name
    assert index.read_only is False
    with Index(location, within=False) as again:  # nothing was changed by the refused calls
        assert len(again) == 1 and "story" in again and "c" not in again


# --- a lone surrogate is named, and skipped in a batch ---------------------------------------------------------


def test_a_lone_surrogate_is_named_by_add_check_and_query(tmp_path):
    with Index(str(tmp_path / "s.db"), within=False) as index:
        for call, name, at in [(lambda: index.add("a\ud800b", STORY), "doc_id", 1),
                               (lambda: index.add("a", STORY + "\udfff"), "text", len(STORY)),
                               (lambda: index.check("x", STORY[:40] + "\ud800", add=True), "text", 40),
                               (lambda: index.check("x\udc80", STORY), "doc_id", 1),
                               (lambda: index.query("\ud800" + STORY), "text", 0),
                               (lambda: "a\ud800" in index, "doc_id", 1),
                               (lambda: index.remove(["a\ud800"]), "doc id", 1)]:
            with pytest.raises(ValueError) as raised:
                call()
            assert str(raised.value).startswith(f"{name} holds a lone surrogate ("), raised.value
            assert str(raised.value).endswith(f") at index {at}, not encodable as UTF-8")
        assert len(index) == 0


def test_add_many_skips_a_document_with_a_lone_surrogate_and_adds_the_rest(location):
    skipped = []
    with Index(location, within=False) as index:
        added = index.add_many([Document("a", STORY), Document("d", STORY[:100] + "\ud800"),
                                Document("e\udfff", OTHER), Document("f", OTHER)],
                               on_skip=lambda doc_id, why: skipped.append((doc_id, why)))
        assert added == 2 and len(index) == 2 and "a" in index and "f" in index
    assert skipped == [
        ("d", "its text holds a lone surrogate ('\\ud800') at index 100, not encodable as UTF-8"),
        ("e\udfff", "its id holds a lone surrogate ('\\udfff') at index 1, not encodable as UTF-8")]


def test_one_rule_for_lone_surrogates():
    assert lone_surrogate("plain text, accents é and emoji 🙂") is None
    assert lone_surrogate("ab\ud83d") == 2 and lone_surrogate("\udfff") == 0
    assert lone_surrogate("\ud83d\ude42") == 0  # a pair left unjoined is two lone surrogates to UTF-8 too


def test_add_many_takes_the_readers_stream_and_skips_what_they_could_not_read(location, tmp_path):
    # read_documents gives an InputError for a file it could not read; add_many stopped at it (TypeError), and
    # the files after it were never added.
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02 binary \xff\xfe")
    (tmp_path / "c.txt").write_text(OTHER, encoding="utf-8")
    skipped = []
    with Index(location, within=False) as index:
        added = index.add_many(read_documents([str(tmp_path / n) for n in ("a.txt", "b.txt", "c.txt")]),
                               on_skip=lambda doc_id, why: skipped.append((doc_id, why)))
        assert added == 2 and len(index) == 2
    assert [doc_id for doc_id, _ in skipped] == [str(tmp_path / "b.txt")] and skipped[0][1]
