"""Bad input handed to the library by hand: a corpus scan skips and names a bad document (the readers'
rule for what is no text), and refuses an item that is not a document by its position."""

import pytest

from dedup import CorpusScanner
from dedup.io.readers import Document, InputError

from ..conftest import ARTICLE

BASE = ARTICLE.read_text(encoding="utf-8")


def _scan(items, jobs: int = 1):
    errors: list[InputError] = []
    report = CorpusScanner(within=False, reuse=False, jobs=jobs).scan(items, on_error=errors.append)
    return report, [str(e) for e in errors]


@pytest.mark.parametrize("text, reason", [
    (None, "text is null, not a string"),
    (b"xx", "text is bytes, not a string (decode it first)"),
    ("", "text is empty"),
    (" \n\t\u3000", "text is empty"),
    ("... !!! ---", "text has no words (only punctuation, symbols or spaces)"),
    (BASE + "\ud800", "text holds a lone surrogate '\\ud800'"),
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_with_no_text_to_scan_is_named_and_skipped_and_the_good_ones_are_scanned(text, reason, jobs):
    report, errors = _scan([Document("bad", text), Document("good", BASE), Document("copy", BASE)], jobs)
    assert len(errors) == 1 and errors[0].startswith(f"bad: {reason}")
    assert [d.id for d in report.documents] == ["good", "copy"] and report.stats["skipped"] == 1
    assert [tuple(c.members) for c in report.clusters] == [("good", "copy")]


def test_without_on_error_a_bad_document_is_skipped_and_counted_as_an_input_error_is():
    report = CorpusScanner(within=False, reuse=False).scan(
        [Document("bad", None), InputError("x.txt", "empty"), Document("good", BASE)])
    assert [d.id for d in report.documents] == ["good"] and report.stats["skipped"] == 2


def test_a_skipped_bad_document_does_not_take_its_id_from_a_good_one():
    report, errors = _scan([Document("a", None), Document("a", BASE), Document("a", BASE)])
    assert errors == ["a: text is null, not a string", "a: duplicate id (first seen as document 1)"]
    assert [d.id for d in report.documents] == ["a"]


def test_a_document_id_with_a_lone_surrogate_is_skipped_so_the_reports_can_be_written():
    report, errors = _scan([Document("a\ud800", BASE), Document("b", BASE)])
    assert errors == ["a\\ud800: id holds a lone surrogate '\\ud800': not valid Unicode text"]
    assert [d.id for d in report.documents] == ["b"]


@pytest.mark.parametrize("items, message", [
    (["abc", "def"], r"items\[0\] is a str, not a Document or InputError"),
    ([Document("a", BASE), ("b", BASE)], r"items\[1\] is a tuple, not a Document or InputError"),
    ([Document("a", BASE), Document(None, BASE)], r"items\[1\]\.id must be a string, got NoneType"),
])
def test_an_item_that_is_not_a_document_is_a_type_error_naming_its_position(items, message):
    with pytest.raises(TypeError, match=message):
        CorpusScanner(within=False, reuse=False).scan(items)


@pytest.mark.parametrize("name", ["k", "paragraph_k"])
def test_a_shingle_length_past_any_sentence_is_refused_in_init(name):
    with pytest.raises(ValueError, match=rf"^{name} must be an integer in \[1, 1000\], got {10**30}"):
        CorpusScanner(**{name: 10**30})
