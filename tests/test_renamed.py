"""One name per quantity: the renamed parameters, options and call orders work under their new names, and the
old ones keep working for one release with a warning (never silently, never with another meaning)."""

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.confirm.reranker import Reranker

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_corpus.jsonl"
TEXT = ("The council approved the budget on Monday.\n\n"
        "On Monday the council approved the budget after a long debate.\n\n"
        "Separately, the library will open later on Sundays.")


@pytest.mark.parametrize("make, old, new, value", [
    (dedup.Detector, "threshold", "paragraph_cosine_threshold", 0.6),
    (dedup.Detector, "sentence_threshold", "sentence_cosine_threshold", 0.4),
    (dedup.Detector, "reranker_threshold", "probability_threshold", 0.9),
    (dedup.CorpusScanner, "threshold", "jaccard_threshold", 0.6),
    (dedup.CorpusScanner, "passage_threshold", "passage_cosine_threshold", 0.5),
    (Reranker, "threshold", "probability_threshold", 0.4),
    (Reranker, "detector_threshold", "detector_probability_threshold", 0.8),
])
def test_an_old_parameter_name_warns_and_sets_the_new_one(make, old, new, value):
    with pytest.warns(DeprecationWarning, match=f"'{old}' is now called '{new}'"):
        made = make(**{old: value})
    assert _setting(made, new) == value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name, silently
        assert _setting(make(**{new: value}), new) == value
    with pytest.raises(ValueError, match="one setting"), pytest.warns(DeprecationWarning):
        make(**{old: value, new: 0.55})
    with pytest.raises(TypeError, match="unexpected keyword argument 'thresold'"):
        make(thresold=value)


@pytest.mark.parametrize("make, old, new, value", [
    (dedup.CorpusScanner, "threshold", "jaccard_threshold", 0.6),
    (dedup.CorpusScanner, "passage_threshold", "passage_cosine_threshold", 0.5),
    (Reranker, "threshold", "probability_threshold", 0.4),
    (Reranker, "detector_threshold", "detector_probability_threshold", 0.8),
])
def test_the_new_name_given_at_its_default_beside_the_old_one_is_still_two_values(make, old, new, value):
    import inspect
    default = inspect.signature(make).parameters[new].default
    with pytest.raises(ValueError, match=f"{old}={value} and {new}={default} are one setting"):
        make(**{old: value, new: default})  # the old value won, silently
    with pytest.warns(DeprecationWarning) as warned:  # one value under both names is one setting
        assert _setting(make(**{old: default, new: default}), new) == default
    assert [w.filename for w in warned] == [__file__]  # said of the caller's line


def test_an_index_given_a_threshold_under_both_names_is_refused_and_not_created(tmp_path):
    with pytest.raises(ValueError, match="one setting"):
        dedup.Index(tmp_path / "i.db", threshold=0.5, jaccard_threshold=0.8)
    assert not (tmp_path / "i.db").exists()


def _setting(made, name):
    """A setting where it is kept: on the object, or on the Detector's TF-IDF confirmer."""
    return getattr(made, name) if hasattr(made, name) else getattr(made.confirmer, name)


def test_the_old_names_decide_as_the_new_ones_do():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = dedup.Detector(threshold=0.2, sentence_threshold=0.2, confirm="tfidf").detect(TEXT)
    new = dedup.Detector(paragraph_cosine_threshold=0.2, sentence_cosine_threshold=0.2, confirm="tfidf").detect(TEXT)
    strict = dedup.Detector(paragraph_cosine_threshold=0.99, sentence_cosine_threshold=0.99, min_shared_words=0,
                            confirm="tfidf").detect(TEXT)
    assert [(m.a, m.b, m.score) for m in old.matches] == [(m.a, m.b, m.score) for m in new.matches] != []
    # The setting is the one that decides: no cosine rule confirms at 0.99 (the title rule still holds for the
    # one-sentence first paragraph, whose every content word the second holds).
    assert [m.confirmed_by for m in strict.matches] == [("headline",)]
    assert {"paragraph_cosine", "sentence_cosine"} <= set(new.matches[0].confirmed_by)


def test_detect_takes_doc_id_by_keyword_and_still_reads_the_old_order():
    detector = dedup.Detector(confirm="tfidf")
    assert detector.detect(TEXT, doc_id="a").id == "a"
    with pytest.warns(DeprecationWarning, match="pass doc_id='b' by keyword"):
        assert detector.detect(TEXT, "b").id == "b"
    with pytest.warns(DeprecationWarning):
        assert dedup.find_redundancy(TEXT, "c", "text", confirm="tfidf").id == "c"
    assert dedup.find_redundancy(TEXT, doc_id="d", confirm="tfidf").id == "d"


def test_within_is_one_switch_on_the_scanner_as_on_the_index(tmp_path):
    assert dedup.CorpusScanner(within=False).detector is None
    assert dedup.CorpusScanner().detector is not None
    with pytest.raises(ValueError, match="within"):
        dedup.CorpusScanner(within="no")
    with dedup.Index(str(tmp_path / "i.db"), within=False) as index:
        assert index.detector is None


def test_the_index_takes_the_new_names_and_warns_on_the_old(tmp_path):
    with pytest.warns(DeprecationWarning, match="'threshold' is now called 'jaccard_threshold'"):
        index = dedup.Index(str(tmp_path / "i.db"), threshold=0.6, within=False)
    with index:
        assert index.jaccard_threshold == 0.6
        index.add("a", TEXT)
        new = index.check("b", TEXT, jaccard_threshold=0.9, passage_cosine_threshold=0.9)
        with pytest.warns(DeprecationWarning, match="'passage_threshold' is now called 'passage_cosine_threshold'"):
            old = index.check("b", TEXT, threshold=0.9, passage_threshold=0.9)
        assert [d.doc for d in new.duplicates] == [d.doc for d in old.duplicates] == ["a"]
        with pytest.raises(TypeError, match="unknown query parameter 'passage_threshold'"):
            index.query(TEXT, passage_threshold=0.5)


def _scan(*options):
    return CliRunner().invoke(main, ["scan", str(SAMPLE), "--text-field", "body", "-q", "-f", "json",
                                     "--no-reuse", *options])


def test_old_cli_options_warn_and_set_the_new_ones():
    new = _scan("--jaccard-threshold", "0.9", "--paragraph-cosine-threshold", "0.5", "--probability-threshold", "0.9")
    old = _scan("--duplicate-threshold", "0.9", "--threshold", "0.5", "--reranker-threshold", "0.9")
    assert new.exit_code == old.exit_code == 0, old.output
    assert "--duplicate-threshold is now --jaccard-threshold" in old.stderr
    assert "--threshold is now --paragraph-cosine-threshold" in old.stderr
    assert "is now" not in new.stderr
    params = json.loads(new.stdout)["params"]
    assert params["threshold"] == 0.9 and params["within"]["threshold"] == 0.5
    assert params["within"]["reranker_threshold"] == 0.9
    assert json.loads(old.stdout)["params"] == params
    both = _scan("--threshold", "0.5", "--paragraph-cosine-threshold", "0.6")
    assert both.exit_code == 2 and "one setting" in both.stderr
    assert "--threshold" not in CliRunner().invoke(main, ["scan", "--help"]).output.replace(
        "-threshold", "")  # the old names are hidden from --help
