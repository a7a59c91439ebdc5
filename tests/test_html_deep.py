"""HTML nested deeper than libxml2 parses (255 levels) still yields its text: a page cannot hide from dedup
by wrapping its article in thousands of <div>s; pages trafilatura reads are read as before."""

import json

import pytest

pytest.importorskip("trafilatura")

from click.testing import CliRunner  # noqa: E402

import dedup.io.html_input as html_module  # noqa: E402
from dedup.cli.main import main  # noqa: E402
from dedup.io.html_input import html_to_text, plain_paragraphs  # noqa: E402
from dedup.io.readers import read_document  # noqa: E402

from .test_html import PARAGRAPHS, TITLE, page  # noqa: E402


def deep_page(depth: int, paragraphs=PARAGRAPHS) -> str:
    """A page whose paragraphs sit inside ``depth`` nested <div>s, with navigation, a script and a footer
    that are not its text."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{TITLE} | The Coast Herald</title>"
            "<script>window.dataLayer = [];</script><style>p { color:#333 }</style></head><body>"
            "<nav><a href='/'>Home</a> <a href='/sports'>Sports</a></nav>"
            + "<div class='wrap'>" * depth + body + "</div>" * depth
            + "<footer>All rights reserved</footer></body></html>")


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_deeply_nested_page_yields_its_text(tmp_path, depth):
    html = deep_page(depth)
    assert html_to_text(html) == "\n\n".join([TITLE, *PARAGRAPHS])
    path = tmp_path / "deep.html"
    path.write_text(html, encoding="utf-8")
    assert read_document(str(path)).text == "\n\n".join([TITLE, *PARAGRAPHS])


def test_a_deep_page_is_scanned_and_its_restatement_found(tmp_path):
    """Through the CLI: the page is no "no main text found" error, and a paragraph it repeats is a match."""
    path = tmp_path / "deep.html"
    path.write_text(deep_page(3000, PARAGRAPHS + [PARAGRAPHS[1]]), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-q"])
    assert result.exit_code == 0, result.stderr
    [document] = json.loads(result.stdout)["documents"]
    assert document["paragraphs"] == len(PARAGRAPHS) + 2  # the title, the paragraphs and the repeat
    assert [2, 5] in [[m["a"], m["b"]] for m in document["matches"]]


def test_pages_trafilatura_reads_never_take_the_fallback(monkeypatch):
    expected = html_to_text(page())

    def refuse(html):
        raise AssertionError("plain extraction used on a normal page")

    monkeypatch.setattr(html_module, "plain_paragraphs", refuse)
    assert html_to_text(page()) == expected and expected.startswith(TITLE)
    assert html_to_text(deep_page(200)) == "\n\n".join([TITLE, *PARAGRAPHS])  # within libxml2's depth


def test_pages_without_text_still_have_none():
    """The fallback drops what trafilatura drops: scripts, styles, navigation, asides, footers."""
    assert html_to_text("<html><head><script>var a = 1;</script></head><body><nav><a href='/'>Home</a></nav>"
                        "</body></html>") == ""
    assert html_to_text("<div><script>track()</script></div>") == ""
    assert html_to_text("<div>" * 400 + "<aside>Most read</aside><footer>All rights reserved</footer>"
                        + "</div>" * 400) == ""


def test_plain_extraction_splits_blocks_and_keeps_the_body_of_a_sloppy_page():
    html = ("<html><head><title>Ignored<script>x()</script><body>" + "<div>" * 600
            + "<h2>Closure</h2>One line<br>and another &amp; more<ul><li>First</li><li>Second</li></ul>"
            "<table><tr><td>North</td><td>40</td></tr></table><nav>Home</nav>Tail text" + "</div>" * 600)
    assert plain_paragraphs(html) == ["Closure", "One line", "and another & more", "First", "Second",
                                      "North | 40", "Tail text"]


def test_an_extractor_that_gives_up_falls_back(monkeypatch):
    """trafilatura walks its tree recursively; were it to hit Python's recursion limit, the text is still read."""
    import trafilatura

    def give_up(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", give_up)
    blocks = html_to_text(page()).split("\n\n")  # plain: a cookie banner is read too, scripts and menus are not
    assert TITLE in blocks and all(p in blocks for p in PARAGRAPHS)
    assert not any(word in text for text in blocks for word in ("window.dataLayer", "color:#", "Sports"))
