"""Found by trying it, ninth round. Each test failed before its fix."""

import json

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from tests.conftest import ROOT

ARTICLE = ROOT / "data" / "vance_article.txt"
PAGE = ("The council voted on Tuesday to close the old bridge for repairs after engineers found cracks.\n\n"
        "Traffic will be diverted through the town centre for six weeks while the work is carried out.")


def _run(*args, stdin=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


# 1. A re-checked original: ``top`` called a later copy a duplicate while the verdict said the text had none

def test_top_calls_duplicate_only_what_the_verdict_calls_one(tmp_path):
    with dedup.Index(str(tmp_path / "t.db"), within=False) as index:
        index.add("https://a.example/original", PAGE)
        index.add("https://b.example/copy", PAGE)
        again = index.check("https://a.example/original", PAGE, top=5)
        assert not again.is_duplicate and again.duplicates == []
        assert [(m.doc, m.duplicate) for m in again.top] == [("https://b.example/copy", False)]
        copy = index.check("https://b.example/copy", PAGE, top=5)
        assert [(m.doc, m.duplicate) for m in copy.top] == [("https://a.example/original", True)]
        assert [m.duplicate for m in index.query(PAGE, top=5)] == [True, True]  # no id: every copy is one


# 2. The index's own num_perm passed to check was refused "to change" and the user told to rebuild with it

def test_a_rebuild_parameter_equal_to_the_index_own_is_accepted(tmp_path):
    with dedup.Index(str(tmp_path / "t.db"), within=False, num_perm=128) as index:
        index.add("a", PAGE)
        assert index.check("b", PAGE, num_perm=128).is_duplicate
        with pytest.raises(ValueError, match=r"num_perm cannot change per query \(this index has num_perm=128\)"):
            index.check("b", PAGE, num_perm=64)


# 3. `index add`: a record of one input taking the id of another input's record made that record "already indexed":
# never added, never named, exit 0 (within one file it was named as a duplicate id)

def test_index_add_names_an_id_repeated_across_inputs(tmp_path):
    feed, crawl = tmp_path / "feed.jsonl", tmp_path / "crawl.jsonl"
    feed.write_text(json.dumps({"text": PAGE}) + "\n", encoding="utf-8")
    crawl.write_text(json.dumps({"id": f"{feed}:1", "text": "Knead the dough for ten minutes and let it rise "
                                 "overnight, then bake it in a hot oven."}) + "\n", encoding="utf-8")
    db = tmp_path / "j.db"
    result = _run("index", "add", db, crawl, feed)
    assert result.exit_code == 1
    assert f"{feed}:1: duplicate id '{feed}:1' (first at {crawl}:1)" in result.stderr
    assert "0 already indexed, 1 skipped" in result.stderr


# 4. The HTML report: a click on a paragraph highlighted the paragraphs of other documents (groups are numbered
# per document: "g1" is in every one)

def test_a_click_in_the_html_report_highlights_its_own_document_only(tmp_path):
    from tests.test_report_html import _browser

    text = ARTICLE.read_text(encoding="utf-8")
    corpus = tmp_path / "two.jsonl"
    corpus.write_text(json.dumps({"id": "first", "text": text}) + "\n"
                      + json.dumps({"id": "second", "text": text.replace("Vance", "Pence")}) + "\n", encoding="utf-8")
    report = tmp_path / "r.html"
    assert _run("scan", corpus, "-f", "html", "-o", report).exit_code == 0
    browser = _browser()
    try:
        browser.get(report.as_uri())
        browser.find_element("css selector", ".para[data-groups]").click()
        focused = browser.execute_script("return Array.from(document.querySelectorAll('.para.focus')).map("
                                         "function(p){ return p.id; })")
        assert len(focused) >= 2 and all(i.startswith("first-p") for i in focused), focused
    finally:
        browser.quit()
