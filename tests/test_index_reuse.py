"""The index's reuse search: ``Index.check`` returns the passages a new page shares with indexed documents it
does not near-duplicate, located to the character in both, on either store (a SQLite file, a real Redis)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from dedup import Index
from dedup.cli.main import main
from dedup.io.readers import Document
from tests.test_reuse import PASSAGE, REWORDED, _filler, _join

PASSAGE_TEXT, REWORDED_TEXT = " ".join(PASSAGE), " ".join(REWORDED)


def _indexed() -> dict[str, str]:
    docs = {f"filler{i}": _join(_filler(300 + i)) for i in range(15)}
    docs["source"] = _join(_filler(400)[:2] + [PASSAGE_TEXT] + _filler(400)[2:])
    return docs


@pytest.fixture(params=["sqlite", "redis"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "reuse.db")
    return f"{request.getfixturevalue('redis_url')}?prefix=reuse-{request.node.name}"


def _index(location: str, **kwargs) -> tuple[Index, dict[str, str]]:
    docs = _indexed()
    index = Index(location, within=False, **kwargs)
    index.add_many(Document(k, v) for k, v in docs.items())
    return index, docs


@pytest.mark.parametrize("newline, prefix", [("\n", ""), ("\r\n", "\ufeff"), ("\n", "Überschrift — “zitat” ")])
def test_a_page_copying_a_passage_gets_it_to_the_character_in_both(location, newline, prefix):
    index, docs = _index(location)
    page = prefix + _join(_filler(500)[:1] + [PASSAGE_TEXT] + _filler(500)[1:], newline)
    with index:
        verdict = index.check("page", page)
    assert verdict.duplicates == []
    assert [(r.a, r.b, r.kind) for r in verdict.reuse] == [("page", "source", "verbatim")]
    found = verdict.reuse[0]
    assert page[found.a_span[0]:found.a_span[1]] == PASSAGE_TEXT
    assert docs["source"][found.b_span[0]:found.b_span[1]] == PASSAGE_TEXT
    assert len(found.sentences) == 4


def test_a_reworded_passage_is_found(location):
    index, docs = _index(location)
    page = _join(_filler(501)[:2] + [REWORDED_TEXT] + _filler(501)[2:])
    with index:
        verdict = index.check("page", page)
    # Reworded, most content words kept: "edited" or "restated" by the share of content words shared.
    assert [r.b for r in verdict.reuse] == ["source"] and verdict.reuse[0].kind in ("edited", "restated")
    start, end = verdict.reuse[0].b_span
    assert docs["source"][start:end] == PASSAGE_TEXT


def test_near_duplicates_own_entry_and_unrelated_pages_are_not_reuse(location):
    index, docs = _index(location)
    with index:
        copy = index.check("copy", docs["source"] + "\n\nOne more line at the end of the republished copy.")
        assert [m.b for m in copy.duplicates] == ["source"] and copy.reuse == []
        assert index.check("source", docs["source"]).reuse == []  # its own entry
        assert index.check("fresh", _join(_filler(502))).reuse == []


def test_reuse_can_be_turned_off_and_a_removed_document_is_gone(location):
    index, docs = _index(location, reuse=False)
    page = _join(_filler(503)[:1] + [PASSAGE_TEXT])
    with index:
        assert index.check("page", page).reuse == []
    with Index(location, within=False) as index:
        assert [r.b for r in index.check("page", page).reuse] == ["source"]  # stored either way
        assert index.stats()["documents_with_text"] == 16
        index.remove(["source"])
        assert index.check("page", page).reuse == [] and index.verify() == []
        assert index.stats()["documents_with_text"] == 15


def test_documents_of_a_version_5_file_take_no_part_until_added_again(tmp_path):
    path = tmp_path / "v5.db"
    index, docs = _index(str(path))
    index.close()
    db = sqlite3.connect(path)
    with db:  # what dedup wrote at schema 5: no texts, no reuse keys
        db.execute("DROP TABLE young_keys")
        db.execute("DROP TABLE reuse_forms")
        db.execute("DROP TABLE reuse_keys")
        db.execute("DROP TABLE texts")
        db.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    db.close()
    page = _join(_filler(504)[:1] + [PASSAGE_TEXT])
    with Index(str(path), within=False) as old:
        assert old.stats()["schema_version"] == 5 and old.stats()["documents_with_text"] == 0
        assert old.check("page", page).reuse == [] and old.verify() == []
        old.add("second-source", _join(_filler(505)[:3] + [PASSAGE_TEXT]))
        assert old.stats()["schema_version"] == 8 and old.stats()["documents_with_text"] == 1
        assert [r.b for r in old.check("page", page).reuse] == ["second-source"]
        assert old.verify() == []


def test_index_query_prints_and_writes_the_reuse(tmp_path):
    index, docs = _index(str(tmp_path / "cli.db"))
    index.close()
    page = tmp_path / "page.txt"
    page.write_text(_join(_filler(506)[:1] + [PASSAGE_TEXT]), encoding="utf-8")
    table = CliRunner().invoke(main, ["index", "query", str(tmp_path / "cli.db"), str(page)])
    assert table.exit_code == 0, table.output
    assert "shares 1 aligned passage" in table.output and "reuse 1 (verbatim)" in table.output
    result = CliRunner().invoke(main, ["index", "query", str(tmp_path / "cli.db"), str(page), "-f", "json"])
    record = json.loads(result.output)["queries"][0]["reuse"][0]
    start, end = record["b_span"]
    assert record["b"] == "source" and docs["source"][start:end] == PASSAGE_TEXT
    assert record["kind"] == "verbatim" and len(record["sentences"]) == 4
    quiet = CliRunner().invoke(main, ["index", "query", str(tmp_path / "cli.db"), str(page), "-f", "json",
                                      "--no-reuse", "--no-within"])
    record = json.loads(quiet.output)["queries"][0]
    assert record["reuse"] == [] and record["restated"] is None


def test_an_index_keeps_the_reuse_keys_it_was_created_with(tmp_path):
    # "pairs" unless asked ("uncommon" for a file written before the setting was stored); "all" stored with the
    # file and used at every later add and check, whatever the Index is opened with; another value is refused.
    path = tmp_path / "all.db"
    with Index(str(path), within=False, reuse_keys="all") as index:
        assert (index.reuse_search.common_share, index.reuse_search.min_shared) == (1.0, 4)
        index.add_many(Document(k, v) for k, v in _indexed().items())
        page = _join(_filler(507)[:1] + [REWORDED_TEXT])
        assert [r.b for r in index.check("page", page).reuse] == ["source"]
    with Index(str(path), within=False) as again:
        assert again.params["reuse_keys"] == "all" and again.reuse_search.common_share == 1.0
    with pytest.raises(ValueError, match="reuse_keys"):
        Index(str(tmp_path / "bad.db"), reuse_keys="some")
    older = tmp_path / "older.db"
    Index(str(older), within=False).close()
    db = sqlite3.connect(older)
    with db:
        params = json.loads(db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
        assert params.pop("reuse_keys") == "pairs"
        db.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps(params),))
    db.close()
    with Index(str(older), within=False) as index:
        assert (index.reuse_search.common_share, index.reuse_search.min_shared) == (0.005, 3)
        assert index.reuse_search.key_words == 0  # MinHash bands, as such a file's keys were made


def test_an_index_finds_an_edited_copy_of_a_sentence_run_with_the_pair_keys(tmp_path):
    """The default keys of a new index: a page holding an indexed passage with every fifth word dropped and its
    sentences reversed (no copied run left) meets its source by its sentences' keys."""
    docs = _indexed()
    sentences = [s for s in docs["source"].split("\n\n")[2].split(". ") if s]
    edited = ". ".join(" ".join(w for i, w in enumerate(s.split()) if i % 5 != 4) for s in reversed(sentences))
    page = _join(_filler(508)[:2] + [edited.rstrip(".") + "."] + _filler(508)[2:])
    with Index(str(tmp_path / "pairs.db"), within=False) as index:
        assert index.params["reuse_keys"] == "pairs" and index.reuse_search.key_words == 3
        index.add_many(Document(k, v) for k, v in docs.items())
        assert "source" in {r.b for r in index.check("page", page).reuse}
        assert index.check("fresh", _join(_filler(509))).reuse == []


@pytest.mark.parametrize("max_bucket", [1, 2, 50])
def test_the_sqlite_store_reads_each_keys_documents_leaving_out_keys_past_the_cap(tmp_path, monkeypatch, max_bucket):
    import dedup.index.sqlite_reuse as sqlite_reuse

    monkeypatch.setattr(sqlite_reuse, "_KEYS_A_STATEMENT", 7)  # several statements for one text's keys
    path = tmp_path / "keys.db"
    docs = _indexed()
    for n in (1, 2):  # the passage's keys held by three documents
        docs[f"copy{n}"] = _join(_filler(500 + n)[:1] + [PASSAGE_TEXT])
    with Index(str(path), within=False) as index:
        index.add_many(Document(k, v) for k, v in docs.items())
        table = sqlite3.connect(path).execute("SELECT key, doc FROM reuse_keys ORDER BY key, doc").fetchall()
        holders: dict[int, list[int]] = {}
        for key, doc in table:
            holders.setdefault(key, []).append(doc)
        asked = list(holders)[::3] + [12345678901, list(holders)[0]]  # one key no document holds, one asked twice
        keys, found = index.store.documents_with_reuse_keys(asked, max_bucket)
    expected = [(k, d) for k in asked for d in holders.get(k, []) if len(holders[k]) <= max_bucket]
    assert list(zip(keys.tolist(), found.tolist())) == expected
    held = [len(holders[k]) for k in asked if k in holders]
    assert 1 in held and 3 in held  # keys under the cap and past it (but for 50) were asked


def test_an_indexed_page_checked_again_is_counted_once_as_a_scan_counts_it(tmp_path):
    """Checking a page whose id is indexed counted its words a second time: a word held by exactly as many
    documents as may still key ("harbour", 10 of 20) became common for that check alone, and the page's edited
    copy of a source sentence was missed where a scan of the same documents finds it (found on 2026-12-07:
    re-checking 150 indexed documents reported 81 of a scan's 83 passages)."""
    from dedup import CorpusScanner
    from tests.test_index_young_keys import EDITED, SOURCE

    docs = {"source": _join(_filler(600, 2) + [SOURCE] + _filler(601, 1)),
            "copy": _join(_filler(800, 2) + [EDITED] + _filler(801, 1))}
    docs.update({f"other{k}": _join(_filler(700 + k, 2) + (
        ["The harbour was mentioned by the board in its report today."] if k < 8 else [])) for k in range(18)})
    scanned = CorpusScanner(within=False).scan([Document(k, v) for k, v in docs.items()]).reuse
    assert [(r.a, r.b, r.kind) for r in scanned] == [("source", "copy", "edited")]
    with Index(str(tmp_path / "again.db"), within=False) as index:
        index.add_many(Document(k, v) for k, v in docs.items())
        found = index.check("copy", docs["copy"]).reuse
    assert [(r.b, r.kind, r.b_span) for r in found] == [("source", "edited", scanned[0].a_span)]
