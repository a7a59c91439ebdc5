"""``dedup clean`` takes paragraphs out and leaves everything else as it came: the kept paragraphs byte for
byte (line ends, curly quotes, ligatures, spacing), and no paragraph that says something its partner does not
(another name, a number, a negation)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import main
from dedup.io.clean import REMOVAL_PROBABILITY, clean
from dedup.records import Match, Report, SentencePair
from dedup.text.segment import normalize, paragraph_spans, segment

ROOT = Path(__file__).resolve().parents[1]
REPEAT = "The city council approved the plan to build a new bridge across the river by 2030."
# Curly quotes, an em dash, a ligature, a tab, two spaces and CRLF line ends: what normalize rewrites.
ODD = ("The mayor\u2019s \u201cbig\u201d plan \u2014 approved\r\n\r\n" + REPEAT + "\r\n\r\n"
       "Unrelated: the caf\u00e9\u2019s  owner\tsaid \ufb01sh were biting.\r\n\r\n" + REPEAT + "\r\n")


def _clean(tmp_path, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode("utf-8"))
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes().decode("utf-8"), result.stderr


def test_kept_paragraphs_are_written_byte_for_byte(tmp_path):
    cleaned, said = _clean(tmp_path, ODD)
    assert "removed paragraphs 3 " in said
    # The text less the repeat and the line break before it: every other character as given.
    assert cleaned == ODD[: ODD.rindex("\r\n\r\n" + REPEAT)] + "\r\n"


def test_a_text_of_one_paragraph_per_line_keeps_its_lines(tmp_path):
    text = "Bridge vote\n" + REPEAT + "\nTurnout was high.\n" + REPEAT + "\nThe end of the story.\n"
    cleaned, said = _clean(tmp_path, text)
    assert "removed paragraphs 3 " in said
    assert cleaned == "Bridge vote\n" + REPEAT + "\nTurnout was high.\nThe end of the story.\n"


def test_removing_the_last_paragraph_leaves_no_blank_lines_behind(tmp_path):
    text = "Bridge vote\n\n" + REPEAT + "\n\nTurnout was high.\n\n\n" + REPEAT + "\n"
    cleaned, _ = _clean(tmp_path, text)
    assert cleaned == "Bridge vote\n\n" + REPEAT + "\n\nTurnout was high.\n"


def test_nothing_removed_is_the_input_unchanged(tmp_path):
    text = "Council Approves $40 Million Library Budget\r\n\r\nThe city council approved a \u201c$40 million\u201d " \
           "library budget on Monday.\r\n\r\nBranch libraries will stay open on Sundays, the mayor said.\r\n"
    cleaned, said = _clean(tmp_path, text)
    assert "removed no paragraph (" in said
    assert cleaned == text


def test_jsonl_text_keeps_its_characters(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "d1", "text": ODD, "n": 1}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["n"] == 1
    assert record["text"] == ODD[: ODD.rindex("\r\n\r\n" + REPEAT)] + "\r\n"


@pytest.mark.parametrize("first, second", [
    ("Senator Maria Lopez won the state election on Sunday with a clear majority of the votes, according to "
     "official results released by the commission.",
     "Senator John Becker won the state election on Sunday with a clear majority of the votes, according to "
     "official results released by the commission."),
    ("The city council voted on Tuesday to approve the construction of a new bridge across the Elm River.",
     "The city council voted on Tuesday not to approve the construction of a new bridge across the Elm River."),
    ("The city council voted on Tuesday to approve the construction of a new bridge across the Elm River.",
     "The city council voted on Tuesday to approve the construction of 3 new bridges across the Elm River."),
    # A number stated twice where the first states it once (a web page's rates: PAN 2013 source pages).
    ("Harbor View Inn, nightly rates from 69.99 to 79.99 dollars for a double room with a view of the bay.",
     "Harbor View Inn, nightly rates from 79.99 to 79.99 dollars for a double room with a view of the bay."),
])
def test_a_paragraph_saying_what_its_partner_does_not_is_kept(tmp_path, first, second):
    text = f"Results\n\n{first}\n\nObservers said turnout was the highest in two decades.\n\n{second}\n"
    cleaned, said = _clean(tmp_path, text)
    assert "removed no paragraph (" in said
    assert second in cleaned


def test_the_same_paragraph_twice_still_goes(tmp_path):
    first = "The city council voted on Tuesday not to approve the construction of a new bridge across the Elm River."
    text = f"Results\n\n{first}\n\nObservers said turnout was the highest in two decades.\n\n{first}\n"
    cleaned, said = _clean(tmp_path, text)
    assert "removed paragraphs 3 " in said
    assert cleaned.count(first) == 1


@pytest.mark.parametrize("text", [
    ODD, "one\ntwo\n\nthree", "\ufeffTitle\u200b\n\u200b\n  body  text \n", "a\n\n\n \n\nb\nc\n\nd\n", "",
    "Line one.\nLine two.\nLine three.", (ROOT / "data" / "vance_article.txt").read_text(encoding="utf-8"),
])
def test_paragraph_spans_locate_segments_paragraphs(text):
    spans = paragraph_spans(text)
    paragraphs = segment(text)
    assert spans is not None and len(spans) == len(paragraphs)
    for (start, end), paragraph in zip(spans, paragraphs):
        assert normalize(text[start:end]) == paragraph.text


def _restated(probability: float, confirmed_by: tuple[str, ...]) -> Report:
    first = "The council approved the new budget for the city library on Monday."
    second = "On Monday the council passed the city library's new budget."
    paragraphs = segment(f"Budget\n\n{first}\n\n{second}\n")
    match = Match(1, 2, 0.3, 0.4, 0.5, probability, (SentencePair(first, second, 0.5, 0, 0),), reranker=probability,
                  confirmed_by=confirmed_by)
    return Report(id="d", paragraphs=paragraphs, matches=[match])


@pytest.mark.parametrize("probability, confirmed_by, removed", [
    (0.95, ("reranker",), (2,)),
    (0.85, ("reranker",), ()),  # reported (over the detector's 0.82), not removed: under REMOVAL_PROBABILITY
    (0.85, ("reranker", "shared_run"), (2,)),  # a copied run confirms it too
])
def test_a_paragraph_the_reranker_alone_restates_goes_only_from_the_removal_probability(probability, confirmed_by,
                                                                                         removed):
    report = _restated(probability, confirmed_by)
    assert REMOVAL_PROBABILITY == 0.9
    assert clean(report).removed_paragraphs == removed
    assert clean(report, removal_probability=0.8).removed_paragraphs == (2,)
    with pytest.raises(ValueError, match="removal_probability"):
        clean(report, removal_probability=1.5)


def test_the_cli_takes_a_removal_probability(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text((ROOT / "data" / "vance_article.txt").read_text(encoding="utf-8"), encoding="utf-8")
    strict = CliRunner().invoke(main, ["clean", str(path), "--removal-probability", "1"])
    assert strict.exit_code == 0 and "removed paragraphs 11 " in strict.stderr  # copied runs and titles only
    assert "removed paragraphs 5, 8, 11 " in CliRunner().invoke(main, ["clean", str(path)]).stderr
    bad = CliRunner().invoke(main, ["clean", str(path), "--removal-probability", "2"])
    assert bad.exit_code == 2 and "--removal-probability" in bad.output
