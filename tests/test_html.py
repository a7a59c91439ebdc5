"""HTML in: main-text extraction, find_redundancy, the readers (both scan passes), the CLI and the index."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("trafilatura")

from click.testing import CliRunner  # noqa: E402

import dedup  # noqa: E402
from dedup import find_redundancy  # noqa: E402
from dedup.cli.main import main  # noqa: E402
from dedup.io.html_input import as_text, html_to_text, is_html  # noqa: E402
from dedup.io.readers import InputError, read_documents, reread  # noqa: E402

from .conftest import ROOT  # noqa: E402

TITLE = "Harbour authority closes the northern pier for repairs"
PARAGRAPHS = [
    "Officials from the harbour authority confirmed on Tuesday that the northern pier will close for repairs "
    "until the spring, diverting ferry traffic to the eastern terminal.",
    "The repairs were ordered after divers found cracks in several of the concrete pillars that carry the pier, "
    "according to an inspection report published by the authority last month.",
    "Ferry operators said the diversion would add about twenty minutes to the crossing, and that timetables "
    "would be changed from the first week of next month.",
    "Local businesses near the pier fear a drop in visitors over the winter, although the council has promised "
    "a small fund to help shops and cafes through the closure.",
]
BR_LINES = ("Harbour Authority press office, 12 Quay Street.", "Questions can be sent to the duty officer.")
ITEMS = ["Ferries leave from the eastern terminal.", "Parking at the northern pier is closed.",
         "Cyclists can use the coastal path."]
SUBHEAD = "What changes for passengers"
BOILERPLATE = ["Subscribe to our newsletter", "We use cookies", "All rights reserved", "Share on Facebook",
               "Most read", "window.dataLayer", "color:#", "Sports", "Weather"]


def page(paragraphs=PARAGRAPHS, nav=("Home", "News", "Sports", "Weather"), footer="All rights reserved",
         title=TITLE) -> str:
    links = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in nav)
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2])
    body += f"<h2>{SUBHEAD}</h2><ul>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ul>"
    body += "".join(f"<p>{p}</p>" for p in paragraphs[2:])
    body += f"<p>{BR_LINES[0]}<br>{BR_LINES[1]}</p>"
    return f"""<!DOCTYPE html><html><head><title>{title} | The Coast Herald</title>
<style>.x{{color:#123456}}</style><script>window.dataLayer = window.dataLayer || [];</script></head>
<body><div class="cookie-banner"><p>We use cookies to improve your experience on our site.</p></div>
<header><nav><ul>{links}</ul></nav></header>
<main><article><h1>{title}</h1><div class="share"><a href="#">Share on Facebook</a></div>{body}</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Council debates the new budget for the library</a></li></ul></aside>
</main><footer><p>Subscribe to our newsletter for the latest news.</p><p>&copy; 2025 The Coast Herald. {footer}.</p>
</footer><script>console.log("loaded")</script></body></html>"""


def test_blocks_headings_list_items_and_br_lines_become_paragraphs_and_furniture_goes():
    text = html_to_text(page())
    blocks = text.split("\n\n")
    assert blocks[0] == TITLE
    for expected in [*PARAGRAPHS, SUBHEAD, *ITEMS, *BR_LINES]:
        assert expected in blocks
    for furniture in BOILERPLATE:
        assert furniture not in text


def test_fragments_tables_and_sniffing():
    assert html_to_text("<p>One short line.<br>And a second one.</p>") == "One short line.\n\nAnd a second one."
    table = ("<html><body><article><p>" + PARAGRAPHS[0] + "</p><table><tr><th>Route</th><th>Minutes</th></tr>"
             "<tr><td>North</td><td>40</td></tr></table></article></body></html>")
    assert html_to_text(table).split("\n\n")[-2:] == ["Route | Minutes", "North | 40"]
    assert is_html(page()) and is_html("<p>Hello</p>") and is_html("  <div class='x'>Hi</div>")
    assert not is_html("Plain text about <b> tags") and not is_html("1 < 2 and 3 > 2") and not is_html("")


def test_as_text_formats():
    html = page()
    assert as_text(html) == as_text(html, "html") == html_to_text(html)
    assert as_text(html, "text") is html
    assert as_text("plain words", "auto") == "plain words"
    with pytest.raises(ValueError, match="fmt must be one of auto, text, html"):
        as_text(html, "markdown")


def test_find_redundancy_finds_a_restated_paragraph_in_a_page():
    restated = ("The northern pier will close for repairs until the spring, harbour authority officials confirmed "
                "on Tuesday, and ferry traffic is being diverted to the eastern terminal.")
    report = find_redundancy(page(PARAGRAPHS + [restated]), doc_id="page")
    paragraphs = html_to_text(page(PARAGRAPHS + [restated])).split("\n\n")
    first, again = paragraphs.index(PARAGRAPHS[0]), paragraphs.index(restated)
    assert any({first, again} <= set(g.paragraphs) for g in report.groups)
    # The same text read as text is one paragraph of markup: nothing to group.
    assert find_redundancy(page(PARAGRAPHS + [restated]), fmt="text").groups == []


def write_pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "story.html").write_text(page(), encoding="utf-8")
    (folder / "copy.txt").write_text("\n\n".join([TITLE, *PARAGRAPHS]), encoding="utf-8")
    orchestra = ("An unrelated story about the city orchestra, which opened its season with a new symphony by a "
                 "local composer on Friday night.")
    (folder / "other.htm").write_text(page([orchestra], title="Orchestra opens its season"), encoding="utf-8")
    return folder


def test_scan_folder_with_html_and_txt(tmp_path):
    folder = write_pages(tmp_path)
    result = CliRunner().invoke(main, ["scan", str(folder), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {d["id"] for d in report["documents"]} == {str(folder / n) for n in ("story.html", "copy.txt", "other.htm")}
    assert [set(c["members"]) for c in report["clusters"]] == [{str(folder / "story.html"), str(folder / "copy.txt")}]


def test_jsonl_html_field_clusters_with_its_text_copy_through_both_passes(tmp_path):
    records = [{"id": "html-copy", "body": page()},
               {"id": "text-copy", "body": "\n\n".join([TITLE, *PARAGRAPHS])},
               {"id": "unrelated", "body": "A short note about the weather on the coast, which stays mild and dry."}]
    path = tmp_path / "crawl.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "--text-field", "body", "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [set(c["members"]) for c in report["clusters"]] == [{"html-copy", "text-copy"}]
    assert report["stats"]["reread_failed"] == 0
    # Read as text, the page is markup and script: no longer a copy of the article.
    result = CliRunner().invoke(main, ["scan", str(path), "--text-field", "body", "-f", "json", "-q",
                                       "--input-format", "text"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"] == []


@pytest.mark.parametrize("fmt", ["auto", "text", "html"])
def test_reread_gives_pass_two_the_text_pass_one_read(tmp_path, fmt):
    folder = write_pages(tmp_path)
    jsonl = tmp_path / "crawl.jsonl"
    jsonl.write_text(json.dumps({"id": "p", "text": page()}) + "\n", encoding="utf-8")
    inputs = [str(folder / "story.html"), str(jsonl)] + ([str(folder / "copy.txt")] if fmt != "html" else [])
    docs = [d for d in read_documents(inputs, fmt=fmt)]
    assert not [d for d in docs if isinstance(d, InputError)]
    for doc in docs:
        assert dict(reread([(doc.path, doc.offset)], "text", fmt)) == {(doc.path, doc.offset): doc.text}
    assert (docs[0].text == page()) == (fmt == "text")


def test_page_without_main_text_is_a_skipped_input(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><script>var a = 1;</script></head><body><nav><a href='/'>Home</a></nav>"
                     "</body></html>", encoding="utf-8")
    good = tmp_path / "good.html"
    good.write_text(page(), encoding="utf-8")
    [error, doc] = list(read_documents([str(empty), str(good)]))
    assert isinstance(error, InputError) and str(error) == f"{empty}: no main text found in HTML"
    assert doc.text.startswith(TITLE)
    result = CliRunner().invoke(main, ["scan", str(empty), str(good), "-q"])
    assert result.exit_code == 1
    assert f"dedup: error: {empty}: no main text found in HTML" in result.stderr
    jsonl = tmp_path / "crawl.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "text": "<div><script>track()</script></div>"}) + "\n", encoding="utf-8")
    [error] = list(read_documents([str(jsonl)]))
    assert str(error) == f"{jsonl}:1: no main text found in HTML"


def test_markdown_with_tags_stays_text_and_a_declared_charset_is_honoured(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text('<div align="center">Logo</div>\n\nSome notes about the project.', encoding="utf-8")
    latin = tmp_path / "latin.html"
    latin.write_bytes(page(title="Caf\u00e9 owners welcome the harbour fund").replace(
        "<head>", '<head><meta charset="iso-8859-1">').encode("latin-1"))
    [md_doc, latin_doc] = list(read_documents([str(md), str(latin)]))
    assert md_doc.text.startswith('<div align="center">')
    assert latin_doc.text.startswith("Caf\u00e9 owners welcome the harbour fund")


def test_index_reports_the_same_story_under_a_different_page_layout(tmp_path):
    with dedup.Index(str(tmp_path / "x.db")) as idx:
        first = idx.check("coast-herald/pier", page(), add=True)
        assert first.added and not first.is_duplicate
        other = page(nav=("Start", "Politics", "Culture", "Travel"), footer="Reproduction prohibited")
        other = other.replace("The Coast Herald", "Bay Weekly").replace('class="share"', 'class="social"')
        verdict = idx.check("bay-weekly/pier", other)
        assert verdict.is_duplicate
        assert [m.b for m in verdict.duplicates] == ["coast-herald/pier"]
        assert verdict.text == html_to_text(other)


def test_index_query_and_add_read_html_files(tmp_path):
    folder = write_pages(tmp_path)
    db = str(tmp_path / "i.db")
    runner = CliRunner()
    result = runner.invoke(main, ["index", "add", db, str(folder / "story.html"), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["index", "query", db, str(folder / "copy.txt"), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    assert [d["doc"] for d in json.loads(result.stdout)["duplicates"]] == [str(folder / "story.html")]


def test_missing_extra_is_one_line_and_a_failure(tmp_path):
    path = tmp_path / "story.html"
    path.write_text(page(), encoding="utf-8")
    # sys.modules[name] = None makes ``import name`` fail as if the package were not installed.
    code = "import sys; sys.modules['trafilatura'] = None; from dedup.cli.main import main; main()"
    result = subprocess.run([sys.executable, "-c", code, "scan", str(path), "-q"], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "pip install 'dedup[html]'" in result.stderr and result.stderr.startswith("dedup: error:")
