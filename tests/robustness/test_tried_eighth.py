"""Found by trying it, eighth round. Each test failed before its fix."""

import json

import pytest
from click.testing import CliRunner

from dedup import find_redundancy
from dedup.cli.main import main
from dedup.io.clean import clean

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
