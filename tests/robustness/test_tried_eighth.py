"""Found by trying it, eighth round. Each test failed before its fix."""

import json
import random
import unicodedata

import pytest
from click.testing import CliRunner

from dedup import find_redundancy
from dedup.cli.main import main
from dedup.io.clean import clean
from dedup.io.readers import read_documents
from dedup.text import segment

HEADLINE = "Harbour wall repairs approved after long debate"
FILLER = ["The weather stayed mild through the week, with light rain expected on Sunday.",
          "Local schools reopened after the holiday break, and teachers reported strong attendance."]


def _run(*args, stdin=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, catch_exceptions=False)


def _cleaned(first: str, later: str):
    """``dedup clean`` of a headline, ``first``, two unrelated paragraphs and ``later``."""
    text = "\n\n".join([HEADLINE, first, FILLER[0], FILLER[1], later]) + "\n"
    return clean(find_redundancy(text), source=text)


# 1-4. `dedup clean` removed a paragraph stating a fact its partner did not: a name after "Mr.", a first name
# of the stop list opening the sentence, "US" for "UK", a Dutch number word

SAID = " said the council approved funding for repairs to the harbour wall after a long debate."
WON = " won the vote on the harbour wall repair plan, officials said on Tuesday after a long debate."


@pytest.mark.parametrize("first, later", [
    ("Mr. Smith" + SAID, "Mr. Jones" + SAID),
    ("Ms. Smith" + SAID, "Ms. Jones" + SAID),
    ("Dr. Smith" + SAID, "Dr. Jones" + SAID),
    ("Gen. Smith" + SAID, "Gen. Jones" + SAID),
    ("The rector of St. Mary's" + SAID, "The rector of St. Peter's" + SAID),
    ("A lawyer for J.P. Morgan" + SAID, "A lawyer for J.P. Stanley" + SAID),
    ("Tom Becker" + WON, "Bill Becker" + WON),
    ("Bill Becker" + WON, "Tom Becker" + WON),
    ("Will Smith" + WON, "May Smith" + WON),
    ("The contract went to a firm from the UK after a long tender, officials said on Tuesday.",
     "The contract went to a firm from the US after a long tender, officials said on Tuesday."),
    ("The contract went to a firm from the U.K. after a long tender, officials said on Tuesday.",
     "The contract went to a firm from the U.S. after a long tender, officials said on Tuesday."),
    ("De gemeenteraad had drie nieuwe veerboten voor de haven goedgekeurd, zeiden ambtenaren dinsdag na een lang "
     "debat in het stadhuis.",
     "De gemeenteraad had zeven nieuwe veerboten voor de haven goedgekeurd, zeiden ambtenaren dinsdag na een lang "
     "debat in het stadhuis."),
    ("Het was de gemeenteraad die drie nieuwe veerboten voor de haven goedkeurde, zeiden ambtenaren dinsdag na een "
     "lang debat.",
     "Het was de gemeenteraad die zeven nieuwe veerboten voor de haven goedkeurde, zeiden ambtenaren dinsdag na een "
     "lang debat."),
])
def test_a_paragraph_stating_another_fact_is_kept(first, later):
    result = _cleaned(first, later)
    assert result.removed_paragraphs == ()
    assert later in result.text


@pytest.mark.parametrize("said", ["Mr. Smith" + SAID, "Bill Becker" + WON,
                                  "The contract went to a firm from the US after a long tender, officials said."])
def test_the_same_fact_said_again_still_goes(said):
    assert _cleaned(said, said).removed_paragraphs == (4,)


# 6. The headline repeated with a full stop was a match of kind "headline", which clean "never removes a
# paragraph for", and clean removed it: it is a repeated title, kind "restatement"

def test_the_headline_repeated_with_a_full_stop_is_a_restatement(tmp_path):
    path = tmp_path / "title.txt"
    title = "Harbour Council Approves Emergency Repairs To Storm-Damaged Pier"
    path.write_text("\n\n".join([title, FILLER[0], title + ".", FILLER[1]]) + "\n")
    report = json.loads(_run("scan", path, "-f", "json").output)
    (match,) = report["documents"][0]["matches"]
    assert (match["a"], match["b"], match["kind"]) == (0, 2, "restatement")
    result = _run("clean", path, "-o", tmp_path / "out.txt")
    assert "removed paragraphs 2" in result.output


# Scaling: the sentence splitter read the whole line back to its last space at every period; Chinese or Japanese
# with "." or "．" has none, so splitting a long paragraph was quadratic

def _split_line_reference(line: str, offset: int, spans: list) -> None:
    """``segment._split_line`` as it was: the word before each period read back to the last space."""
    start = 0
    for match in segment._BOUNDARY.finditer(line):
        at, end = match.span()
        if line[at] == "." and (end - at < 2 or line[at + 1] != "."):
            token = line[line.rfind(" ", 0, at) + 1:at]
            if not token.isprintable() or len(token) < 2 or token[1] == "." or not token[0].isalnum() \
                    or token.lower() in segment._UNDECIDED:
                if not segment._ends_sentence(line, match):
                    continue
        segment._add_trimmed(line, start, end, offset, spans)
        start = end
    segment._add_trimmed(line, start, len(line), offset, spans)


@pytest.mark.parametrize("seed", range(4))
def test_long_lines_without_spaces_split_as_before(seed):
    rng = random.Random(seed)
    pieces = ["日本語の文章です", ".", ". ", " ", "\t", "Dr.", "U.S.", "e.g.", "No.", "3.5", "J. R.", "今天", "\u200b",
              "abc", "Xyz", "!", "?", '"', "。"]
    for _ in range(40):
        weights = [rng.random() for _ in pieces]
        weights[3] *= rng.choice([0, 0.01, 1])  # spaces: none, rare or common
        line = "".join(rng.choices(pieces, weights, k=rng.randint(50, 3000)))
        found, expected = [], []
        segment._split_line(line, 7, found)
        _split_line_reference(line, 7, expected)
        assert found == expected


class _CountedLine(str):
    """A line that counts the characters read through its slices and its ``rfind``."""

    read = 0

    def __getitem__(self, key):
        part = str.__getitem__(self, key)
        _CountedLine.read += len(part)
        return part

    def rfind(self, sub, start=0, end=None):
        _CountedLine.read += (len(self) if end is None else end) - start
        return str.rfind(self, sub, start, end)


def test_a_long_paragraph_of_japanese_with_full_stops_is_split_in_linear_work():
    line = _CountedLine(unicodedata.normalize("NFKC", "日本語の文章です．" * 4000))
    _CountedLine.read = 0
    spans = []
    segment._split_line(line, 0, spans)
    assert len(spans) == 4000
    assert _CountedLine.read < 4 * len(line)  # read back to the line's start at every period: 2,000 times it


# Scaling: the plain HTML reading (pages nested past libxml2's depth) looked for each end tag through every
# open skipped element, and read a never-closed comment again at every "<!"

class _CountedStack(list):
    """The parser's stack of open skipped elements, counting the entries its searches and slices read."""

    read = 0

    def __contains__(self, item):
        _CountedStack.read += len(self)
        return list.__contains__(self, item)

    def __getitem__(self, key):
        part = list.__getitem__(self, key)
        _CountedStack.read += len(part) if isinstance(key, slice) else 1
        return part


def test_end_tags_under_thousands_of_open_skipped_elements_are_read_in_linear_work():
    from dedup.io.html_input import _PlainText

    parser = _PlainText()
    parser._skipping = _CountedStack()
    _CountedStack.read = 0
    parser.feed("<p>" + SAID + "</p>" + "<svg>" * 5000 + "</p>" * 5000 + "</svg>" * 5000 + "<p>" + WON + "</p>")
    parser.close()
    assert parser.paragraphs == [SAID.strip(), WON.strip()]
    assert _CountedStack.read < 50_000  # each end tag a pass over the open ones: 25 million


@pytest.mark.parametrize("seed", range(3))
def test_plain_html_reading_keeps_its_paragraphs(seed):
    from dedup.io.html_input import plain_paragraphs

    rng = random.Random(seed)
    tags = ["p", "div", "svg", "nav", "aside", "script", "b", "li", "td", "body", "head"]
    for _ in range(30):
        parts = []
        for _ in range(rng.randint(5, 200)):
            tag = rng.choice(tags)
            parts.append(rng.choice([f"<{tag}>", f"</{tag}>", rng.choice(FILLER)[:rng.randint(5, 40)], "<br/>"]))
        page = "".join(parts)
        assert plain_paragraphs(page) == _plain_reference(page)


def _plain_reference(html: str) -> list[str]:
    """``plain_paragraphs`` with the end tags found as they were: through the whole stack (its map of open
    elements kept but never read)."""
    from dedup.io import html_input

    class Reference(html_input._PlainText):
        def handle_endtag(self, tag):
            if tag == "pre" and self._pre:
                self._flush(preformatted=True)
                self._pre -= 1
            elif tag in self._skipping:
                del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag):]
            elif tag in html_input._BREAKS and not self._skipping:
                self._flush()

    parser = Reference()
    parser.feed(html)
    parser.close()
    return parser.paragraphs


def test_a_comment_never_closed_ends_the_plain_reading():
    from dedup.io.html_input import plain_paragraphs

    page = "<p>" + SAID + "</p><!-- a note --><p>" + WON + "</p><!--" + "<p>hidden</p><!--" * 3
    assert plain_paragraphs(page) == [SAID.strip(), WON.strip()]
    assert plain_paragraphs("<p>a b c</p><!-- x --!><p>d e f</p>")[-1] == "d e f"  # closed, as HTML5 reads it


# 9. clean removed a paragraph whose one changed word turned the fact around: "rose" for "fell", "innocent" for
# "guilty", "p.m." for "a.m.", "Arsenal beat Chelsea" for "Chelsea beat Arsenal", "didnt", "👎" for "👍"

@pytest.mark.parametrize("first, later", [
    ("A jury in Riverton found the former city treasurer guilty on Friday of diverting school funds over six years.",
     "A jury in Riverton found the former city treasurer innocent on Friday of diverting school funds over six years."),
    ("Shares in Riverton Foods fell sharply on Thursday after the company warned that its profit would miss forecasts.",
     "Shares in Riverton Foods rose sharply on Thursday after the company warned that its profit would miss forecasts."),
    ("The Riverton city council voted on Tuesday to approve the plan for a new stadium beside the river.",
     "The Riverton city council voted on Tuesday to reject the plan for a new stadium beside the river."),
    ("Forecasters said the storm would reach the Riverton coast at 11 p.m. on Sunday, bringing heavy rain.",
     "Forecasters said the storm would reach the Riverton coast at 11 a.m. on Sunday, bringing heavy rain."),
    ("Train drivers at the Riverton depot will walk out tomorrow over pay, the union said in a statement.",
     "Train drivers at the Riverton depot will walk out today over pay, the union said in a statement."),
    ("Customs officers at Riverton port seized 300 kg of cocaine hidden in a shipment of bananas.",
     "Customs officers at Riverton port seized 300 lb of cocaine hidden in a shipment of bananas."),
    ("The firm agreed to pay $45 mln to settle a lawsuit brought by former employees of the plant.",
     "The firm agreed to pay $45 bln to settle a lawsuit brought by former employees of the plant."),
    ("Chelsea beat Arsenal 3-1 at the Emirates Stadium on Saturday, with two goals in the final ten minutes.",
     "Arsenal beat Chelsea 3-1 at the Emirates Stadium on Saturday, with two goals in the final ten minutes."),
    ("Consumer prices rose 3.2 percent in March from a year earlier, while wages grew 4.1 percent, officials said.",
     "Consumer prices rose 4.1 percent in March from a year earlier, while wages grew 3.2 percent, officials said."),
    ("The mayor said the council did agree to the plan for the harbour wall after a long debate on Tuesday.",
     "The mayor said the council didnt agree to the plan for the harbour wall after a long debate on Tuesday."),
    ("The minister replied to the petition about the harbour wall with a single \U0001f44d on Tuesday night.",
     "The minister replied to the petition about the harbour wall with a single \U0001f44e on Tuesday night."),
    ("Riverton General Hospital marked its sixtieth anniversary with an open day for families on Saturday.",
     "Riverton General Hospital marked its seventieth anniversary with an open day for families on Saturday."),
])
def test_a_paragraph_whose_one_word_turns_the_fact_is_kept(first, later):
    result = _cleaned(first, later)
    assert result.removed_paragraphs == () and later in result.text


# HTML, eighth round: a page labelled iso-8859-1 (windows-1252 bytes) read with C1 controls for its quotes; a
# BOM file's bad byte named three bytes early; a page string starting with U+FEFF read as plain text

def test_a_page_labelled_latin_1_is_read_as_browsers_read_it(tmp_path):
    page = tmp_path / "latin.html"
    body = "<p>The council approved the budget on Tuesday \u2014 after a \u201clong\u201d debate among members.</p>"
    page.write_bytes(("<html><head><meta charset=\"iso-8859-1\"></head><body><article><h1>Budget vote</h1>"
                      + body + "<p>" + SAID.strip() + "</p></article></body></html>").encode("cp1252"))
    (document,) = read_documents([str(page)])
    assert "\u2014 after a \u201clong\u201d debate" in document.text and "\x97" not in document.text


def test_a_bad_byte_after_a_bom_is_named_where_it_is(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfcaf\xe9 au lait\n")
    result = _run("scan", path)
    assert "not valid UTF-8 (byte 0xe9 at offset 6)" in result.stderr


def test_a_page_string_starting_with_a_bom_is_read_as_a_page():
    page = ("\ufeff<!doctype html><html><body><article><h1>Budget vote</h1><p>" + SAID.strip() + "</p><p>"
            + WON.strip() + "</p></article></body></html>")
    report = find_redundancy(page)
    assert [p.text for p in report.paragraphs][-2:] == [SAID.strip(), WON.strip()]


# HTML text lost or doubled, eighth round

PAGE_A = "The city council approved the library budget on Tuesday after a long debate among members."
PAGE_B = "Residents who spoke at the meeting asked for longer opening hours on weekends and holidays."
PAGE_C = "The final paragraph says the budget takes effect in July next year, officials said."


@pytest.mark.parametrize("page, expected", [
    # text right after a <p>, wrapped in nothing: dropped
    (f"<html><body><article><h1>Budget vote</h1><p>{PAGE_B}</p>{PAGE_A}<br><p>{PAGE_C}</p></article></body></html>",
     ["Budget vote", PAGE_B, PAGE_A, PAGE_C]),
    # lines of the body parted by <br>: the first was dropped
    (f"<html><body>{PAGE_A}<br>{PAGE_B}<br>{PAGE_C}</body></html>", [PAGE_A, PAGE_B, PAGE_C]),
    # a paragraph repeated in <div>s: the repeat was dropped unnoticed
    (f"<html><body><div>{PAGE_A}</div><div>{PAGE_B}</div><div>{PAGE_C}</div><div>{PAGE_A}</div></body></html>",
     [PAGE_A, PAGE_B, PAGE_C, PAGE_A]),
    # the headline the extractor kept after a kicker, a byline and a date: added again at the top
    (f"<html><body><article><p>Politics</p><p>By Jane Doe</p><p>March 3, 2024</p>"
     f"<h1>Council approves new library budget</h1><p>{PAGE_A}</p></article></body></html>",
     ["Politics", "By Jane Doe", "March 3, 2024", "Council approves new library budget", PAGE_A]),
    # a headline broken by <br>: glued into one word, and added beside its two halves
    (f"<html><body><article><h1>Council approves<br>new library budget</h1><p>{PAGE_A}</p><p>{PAGE_B}</p>"
     "</article></body></html>", ["Council approves new library budget", PAGE_A, PAGE_B]),
    # deep pages (the plain reading): no <body> tag (HTML5 leaves it out), a <pre> of paragraphs
    ("<!doctype html><html><head><title>Budget vote</title>" + "<div>" * 300 + f"<p>{PAGE_A}</p><p>{PAGE_B}</p>"
     + "</div>" * 300 + "</html>", ["Budget vote", PAGE_A, PAGE_B]),
    ("<html><body>" + "<div>" * 300 + f"<pre>{PAGE_A}\n\n{PAGE_B}\n\n{PAGE_A}</pre>" + "</div>" * 300
     + "</body></html>", [PAGE_A, PAGE_B, PAGE_A]),
])
def test_every_paragraph_of_a_page_is_read_once(page, expected):
    pytest.importorskip("trafilatura")
    from dedup.io.html_input import html_to_text

    assert html_to_text(page).split("\n\n") == expected
