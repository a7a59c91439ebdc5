"""Found by trying it, fifth round: what the table says when restatements were not searched, the library's
arguments checked where they are given (a callback, a batch, a signature made by hand, a date no calendar
has), and `clean` given what a verdict holds. Each test failed before its fix."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.cluster.keep import timestamp
from dedup.io.clean import clean
from dedup.io.readers import Document

ARTICLE = ("Council Approves Budget of 12 Million\n\n"
           "The city council approved a budget of 12 million dollars on Tuesday after a long debate.\n\n"
           "Residents asked about the library hours and the park repairs at the meeting.\n\n"
           "The council approved a budget of 12 million dollars on Tuesday after a long debate.\n")


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# 1. The table of one document scanned with --no-within: "not searched", not "none found"

def test_no_within_table_says_restatements_were_not_searched(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    searched = _run("scan", path)
    assert searched.exit_code == 0 and "restatement group" in searched.stdout  # the article restates itself
    skipped = _run("scan", path, "--no-within")
    assert skipped.exit_code == 0
    assert skipped.stdout.splitlines()[0] == f"{path}: 4 paragraphs, restatements not searched (--no-within)"
    assert "no restated paragraphs found" not in skipped.stdout
    report = json.loads(_run("scan", path, "--no-within", "-f", "json").stdout)
    assert report["params"]["within"] is None  # the JSON said so already


# 2. clean() given what a Verdict's restated may be (None) or a wrong value: named, not an AttributeError

def test_clean_names_a_report_that_is_not_one(tmp_path):
    with dedup.Index(tmp_path / "i.db", within=False) as index:
        verdict = index.check("u", ARTICLE, add=True)
    assert verdict.restated is None
    for wrong in (None, ARTICLE):
        with pytest.raises(TypeError, match="report must be a Report"):
            clean(wrong)
    report = dedup.find_redundancy(ARTICLE)
    with pytest.raises(ValueError, match="removal_probability"):
        clean(report, removal_probability=None)
    with pytest.raises(ValueError, match="sentences"):
        clean(report, sentences="yes")
    assert clean(report, source=ARTICLE).removed_paragraphs == (3,)


# 3. Arguments checked where they are given, each named

def test_scanner_and_index_name_their_batch_and_callback_up_front(tmp_path):
    for params, name in (({"batch_chars": 0}, "batch_chars"), ({"batch_chars": -1}, "batch_chars"),
                         ({"n_features": 0}, "n_features"), ({"seed": -1}, "seed")):
        with pytest.raises(ValueError, match=name):
            dedup.CorpusScanner(**params)
    scanner = dedup.CorpusScanner(within=False, reuse=False)
    with pytest.raises(TypeError, match="items must be an iterable"):
        scanner.scan(None)
    with pytest.raises(TypeError, match="items must be an iterable"):
        scanner.scan(ARTICLE)  # one text, not documents
    with pytest.raises(TypeError, match="on_error must be a function"):
        scanner.scan([Document("a", ARTICLE)], on_error=5)  # before: only once a record failed
    with dedup.Index(tmp_path / "i.db") as index:
        with pytest.raises(TypeError, match="documents must be an iterable"):
            index.add_many(None)
        with pytest.raises(TypeError, match="on_skip must be a function"):
            index.add_many([Document("a", ARTICLE)], on_skip=5)
        assert index.add_many([Document("a", ARTICLE)]) == 1


def test_a_signature_is_an_integer_array():
    signature = dedup.MinHasher().signature([1, 2, 3])
    assert signature.jaccard(signature) == 1.0
    for wrong in (None, "x", [1, 2], np.array([0.5, 1.5]), np.zeros((2, 2), dtype=np.uint32),
                  np.array([], dtype=np.uint32)):
        with pytest.raises(TypeError, match="hashvalues"):
            dedup.Signature(wrong)
    with pytest.raises(TypeError, match="seed"):
        dedup.Signature(signature.hashvalues, seed="1")


def test_align_texts_names_settings_of_another_type():
    with pytest.raises(TypeError, match="settings must be an AlignSettings"):
        dedup.align_texts("one two three four", "one two three four", settings="x")


def test_a_date_no_calendar_has_is_refused(tmp_path):
    assert timestamp(1e100) is None and timestamp(-1e18) is None and timestamp(10**100) is None
    assert timestamp(0) == 0.0 and timestamp(253402300799) == 253402300799.0  # 9999-12-31 23:59:59
    with dedup.Index(tmp_path / "i.db") as index:
        for date in (1e100, -1e18):
            with pytest.raises(ValueError, match="date"):
                index.add("a", ARTICLE, date=date)
        index.add("a", ARTICLE, date=1_700_000_000)
        assert index.stats()["documents"] == 1


# 4. Wording a reader can follow

def test_corpus_table_names_repeated_paragraphs_apart_from_reused_passages(tmp_path):
    path = tmp_path / "c.jsonl"
    footer = "Sign up for our morning briefing to get the day's top stories in your inbox every day."
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Story {i} {'word ' * i}about town number {i}.\n\n"
                                                                 f"{footer}\n"}) + "\n" for i in range(6)))
    table = _run("scan", path, "--no-within").stdout
    assert table.splitlines()[0].endswith(", 1 paragraph repeated across documents (1 boilerplate)")
    assert "reused passage" not in table.splitlines()[0]


def test_clean_says_it_removed_no_paragraph(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("One paragraph about the harbour.\n\nAnother about the weather in spring.\n")
    result = _run("clean", path, "-o", tmp_path / "out.txt")
    assert f"{path}: removed no paragraph (0 of 2)" in result.stderr


# 5. Outputs: a carriage return in a CSV cell, a document's amounts in the table, CR-only breaks in the HTML
#    diff, ids spelled as numbers

P = ("The mayor announced that the harbor council approved a new budget for the railway bridge near the old "
     "museum.")


def test_csv_quotes_a_cell_with_a_carriage_return(tmp_path):
    import csv
    import io

    path = tmp_path / "cr.jsonl"
    path.write_text(json.dumps({"id": "report\r=1+1", "text": f"Title\n\n{P}\n\nGardens and winter weather in the "
                                                                f"valley.\n\n{P}"}) + "\n")
    result = _run("scan", path, "-f", "csv", "-q")
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0][0] == "id" and len(rows) == 2  # one match, one row: the id's CR no longer ends it
    assert rows[1][0] == "report\r=1+1"
    assert result.stdout.endswith("\n") and "\r\n" not in result.stdout  # rows still end in "\n"


def test_table_shows_amounts_escaped(tmp_path):
    path = tmp_path / "esc.txt"
    path.write_text("Budget news\n\nThe state will spend $55\x1bMillion on the airport expansion, officials said on "
                    "Monday.\n\nGardens and winter weather were discussed.\n\nOfficials said $55\x1bMillion will go to "
                    "the airport expansion.\n")
    out = _run("scan", path).stdout
    assert "\x1b" not in out and "$55\\x1bMillion" in out


def test_html_diff_reads_cr_only_paragraph_breaks(tmp_path):
    import random

    rng = random.Random(4)
    vocabulary = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(300)]
    text = "Title of story\n\n" + "\n\n".join(" ".join(rng.choice(vocabulary) for _ in range(40)) + "."
                                            for _ in range(6)) + "\n"
    (tmp_path / "lf.txt").write_text(text, newline="")
    (tmp_path / "cr.txt").write_text((text + "\nExtra closing paragraph here.\n").replace("\n", "\r"), newline="")
    (tmp_path / "lf2.txt").write_text(text + "\nExtra closing paragraph here.\n", newline="")
    pages = {}
    for name, second in (("mixed", "cr.txt"), ("plain", "lf2.txt")):
        out = tmp_path / f"{name}.html"
        assert _run("scan", tmp_path / "lf.txt", tmp_path / second, "-f", "html", "-o", out, "-q").exit_code == 0
        pages[name] = out.read_text()
    assert 'class="pb"' in pages["plain"]
    assert pages["mixed"].count('class="pb"') == pages["plain"].count('class="pb"')
    assert "paragraph break added" not in pages["mixed"] and "paragraph break added" not in pages["plain"]


def test_ids_spelled_as_numbers_stay_as_spelled(tmp_path):
    path = tmp_path / "num.jsonl"
    texts = ["First story about the harbor council budget vote today.",
             "Second story about winter gardens and the village museum.",
             "Third story about the new tram line and its late opening."]
    path.write_text("".join(f'{{"id": {spelled}, "text": {json.dumps(t)}}}\n'
                            for spelled, t in zip(("1e400", "2e400", "1e2"), texts)))
    result = _run("scan", path, "-f", "json", "-q")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["skipped"] == []  # 1e400 and 2e400 were one id ("inf"): one dropped
    assert [d["id"] for d in report["documents"]] == ["1e400", "2e400", "1e2"]


# 6. A reused passage's span from its opening quote, bracket or currency sign; a <pre>'s blank lines

@pytest.mark.parametrize("copied", [
    '"We cannot keep raising property taxes while services decline across every district of the city," said '
    'councillor Maria Lopez during the long evening session on Monday night in the old town hall.',
    "$5 million was set aside for road repairs, the council said, after residents complained for years about "
    "potholes on every major street of the northern districts and the ring road.",
    "(Updated) The regional health authority confirmed on Tuesday that two more hospitals would close their "
    "emergency departments overnight from next month because of a shortage of doctors.",
    "\u00abThe regional health authority confirmed on Tuesday that two more hospitals would close their emergency "
    "departments overnight from next month because of a shortage of doctors\u00bb"])
def test_a_copy_spans_its_opening_and_closing_marks(copied):
    a = f"Unrelated opening paragraph about gardening and tomatoes in the spring.\n\n{copied}\n\nAnother line."
    b = f"The mayor promised a revised spending plan before the end of the month.\n\n{copied}\n\nThe library."
    [found] = dedup.align_texts(a, b)
    assert found.kind == "verbatim"
    assert a[found.a_span[0]:found.a_span[1]] == copied and b[found.b_span[0]:found.b_span[1]] == copied


def test_a_pre_blocks_blank_lines_are_paragraph_breaks():
    pytest.importorskip("trafilatura")
    import html
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "data" / "vance_article.txt").read_text()
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story</title></head><body><pre>"
            + html.escape(text) + "</pre></body></html>")
    as_page, as_text = dedup.find_redundancy(page, fmt="html"), dedup.find_redundancy(text)
    assert len(as_page.paragraphs) >= len(as_text.paragraphs)  # was 2: the title and one block of everything
    assert len(as_page.groups) == len(as_text.groups)


# 7. Options that were taken and never read, an align output that failed as "no passages", a doubled word

def test_a_probability_threshold_with_tfidf_is_refused(tmp_path):
    with pytest.raises(ValueError, match="probability_threshold is the learned reranker's"):
        dedup.Detector(confirm="tfidf", probability_threshold=0.5)
    assert dedup.Detector(confirm="tfidf").probability_threshold is None
    (tmp_path / "t.txt").write_text(ARTICLE)
    result = _run("scan", tmp_path / "t.txt", "--confirm", "tfidf", "--probability-threshold", "0.5")
    assert result.exit_code == 2 and "--probability-threshold is the learned reranker's" in result.output


def test_align_output_that_cannot_be_written_is_not_no_passages(tmp_path):
    (tmp_path / "a.txt").write_text(P + "\n")
    result = CliRunner().invoke(main, ["align", str(tmp_path / "a.txt"), str(tmp_path / "a.txt"), "-o", "/dev/full"])
    assert result.exit_code == 2 and "/dev/full: cannot write" in result.stderr  # 1 means "no passages"


def test_expire_names_its_option_once(tmp_path):
    with dedup.Index(str(tmp_path / "e.db")) as index:
        index.add("a", ARTICLE)
    result = _run("index", "expire", tmp_path / "e.db", "--before", "x")
    assert result.exit_code == 2
    assert "Invalid value for --before: 'x' is not an ISO 8601 date" in result.output


# 8. A blank line in JSON Lines turned off clean's "as it came in" for every record after it

def test_clean_after_a_blank_line_keeps_records_as_they_came_in(tmp_path):
    path = tmp_path / "b.jsonl"
    first = '{"id":"a","text":"Alpha beta gamma delta epsilon."}'
    second = '{"id":"b","text":"Zeta eta theta iota kappa.", "x": 1.50}'
    path.write_text(f"{first}\n\n{second}\n{{broken\n")
    result = _run("clean", path, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "b.jsonl:4: malformed JSON" in result.stderr
    # The blank line is no record; the others as written: 1.50 not re-encoded as 1.5, the broken one in its place.
    assert (tmp_path / "out.jsonl").read_text() == f"{first}\n{second}\n{{broken\n"
