"""Restatements that share an amount, not words: the amount route of the article detector (candidates by
amount, the agreement model, the amounts as evidence) and its model file."""

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from dedup import Detector, find_redundancy
from dedup.article.amounts import MAX_CLAIM_WORDS, claim_sized
from dedup.article.candidates import AMOUNT_BUCKET_CAP, amount_pairs
from dedup.cli.main import main
from dedup.confirm.agreement import (
    FEATURES,
    AgreementModel,
    Claims,
    agreement,
    contradicts,
    default_agreement,
    save_models,
)
from dedup.corpus.report_spool import report_from_record, report_to_record
from dedup.text.segment import segment

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "dedup" / "schema" / "scan-report.schema.json").read_text())

# Written for this test (not part of data/dev): paragraph 7 restates the lede's deal in other words and rounded,
# spelled-out amounts; paragraphs 5 and 10 state the same $14 million for two different things.
STADIUM = """Harbor City Approves $512 Million Stadium Deal

The Harbor City council voted 7-2 on Wednesday to approve a $512 million agreement with the Mariners to build a \
42,000-seat waterfront stadium, ending two years of negotiations.

The team will pay for construction overruns, and the city will own the land under the stadium.

Opponents argued that the money would be better spent on schools and on repairing the city's ageing water pipes.

Councilwoman Rita Osei, who voted against the plan, said taxpayers were taking on too much risk.

The city also set aside $14 million for a new bus line to the waterfront, a project first proposed in 2019.

Construction is expected to begin next spring and take about three years.

Seven of the nine council members backed the deal, which commits a little over five hundred million dollars to \
the Mariners' new ballpark of some forty thousand seats.

Mayor Paul Brandt called the agreement "the biggest investment in the waterfront in a generation".

The Mariners have played at Dunmore Park since 1962.

A separate $14 million grant from the state will pay to clean up the old shipyard next to the site.

Residents will vote on a related transit tax in November.
"""


def pairs(report) -> dict:
    return {(m.a, m.b): m for m in report.matches}


@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_a_reworded_restatement_is_found_by_its_amount(confirm):
    report = find_redundancy(STADIUM, confirm=confirm)
    match = pairs(report)[(1, 7)]
    assert "amounts" in match.confirmed_by
    assert [(x.a, x.b) for x in match.amounts] == [("$512 million", "five hundred million dollars"),
                                                   ("42,000", "forty thousand")]
    # The evidence links the sentences that state the amount, so the group is the deal's claim.
    assert [(s.a_index, s.b_index) for s in match.sentences] == [(0, 0)]
    assert any({1, 7} <= set(g.paragraphs) for g in report.groups)


@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_the_same_amount_for_another_thing_is_not_a_restatement(confirm):
    report = find_redundancy(STADIUM, confirm=confirm)
    assert (5, 10) not in pairs(report)
    assert not any({5, 10} <= set(g.paragraphs) for g in report.groups)


def test_without_the_agreement_model_the_amount_route_is_off():
    report = Detector(agreement=None).detect(STADIUM)
    assert (1, 7) not in pairs(report)
    assert all("amounts" not in m.confirmed_by and not m.amounts for m in report.matches)


def test_candidates_come_from_agreeing_amounts_only():
    claims = [Claims.of(t) for t in ("It cost $512 million.", "About five hundred million dollars went to it.",
                                     "It cost $700 million.", "Some 512 people came.", "Nothing here.")]
    codes = amount_pairs(claims, len(claims))
    assert np.divmod(codes, len(claims))[0].tolist() == [0] and np.divmod(codes, len(claims))[1].tolist() == [1]
    found = agreement(claims[0], claims[2])  # two amounts of money that disagree
    assert (found.amounts_agreeing, found.amounts_conflicting) == (0, 2)


def test_a_table_of_figures_proposes_no_amount_pairs():
    claims = [Claims.of(f"Row {i}: $5 million.") for i in range(AMOUNT_BUCKET_CAP + 1)]
    assert len(amount_pairs(claims, len(claims))) == 0
    assert len(amount_pairs(claims[:3], 3)) == 3


def test_the_json_report_carries_the_amounts_and_validates(tmp_path):
    path = tmp_path / "stadium.txt"
    path.write_text(STADIUM, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    match = next(m for m in data["documents"][0]["matches"] if (m["a"], m["b"]) == (1, 7))
    assert match["amounts"][0] == {"a": "$512 million", "b": "five hundred million dollars"}
    table = CliRunner().invoke(main, ["scan", str(path), "-q"]).stdout
    assert "confirmed by the same amounts" in table and "$512 million ~ five hundred million dollars" in table


def test_amounts_survive_the_report_spool():
    report = find_redundancy(STADIUM)
    assert report_from_record(json.loads(json.dumps(report_to_record(report)))) == report


def test_the_model_file_round_trips_and_is_checked(tmp_path):
    models = [default_agreement(mode) for mode in FEATURES]
    save_models(models, tmp_path / "agreement.json")
    data = json.loads((tmp_path / "agreement.json").read_text())
    again = [AgreementModel.from_dict(m) for m in data["models"]]
    rows = [[0.5] * len(FEATURES[m.mode]) for m in models]
    for a, b, row in zip(models, again, rows):
        assert np.allclose(a.predict_proba([row]), b.predict_proba([row]), atol=1e-5)
    wrong = dict(data["models"][0], features=["something_else"])
    with pytest.raises(ValueError, match="this dedup reads"):
        AgreementModel.from_dict(wrong)
    with pytest.raises(ValueError, match="threshold"):
        AgreementModel("tfidf", [0.0] * len(FEATURES["tfidf"]), 0.0, 1.5)
    with pytest.raises(ValueError, match="for confirm='tfidf'"):
        Detector(confirm="learned", agreement=default_agreement("tfidf"))


def test_paragraphs_whose_amounts_all_differ_state_two_facts():
    a = Claims.of("The Senate voted to cut the top income tax rate to 4.5 percent.")
    b = Claims.of("The state last cut its income tax in 2013, lowering the top rate from 5.75 percent to 5.25 percent.")
    c = Claims.of("The new top rate of 4.5 percent takes effect in January.")
    assert contradicts(a, b) and not contradicts(a, c)
    assert not contradicts(a, Claims.of("Lawmakers argued about the tax for hours."))  # no amount: nothing to say
    # A floor is no other amount: "well over a million" phones are the 1.3 million recalled.
    recall = Claims.of("Kestrel is recalling about 1.3 million phones over a battery fault.")
    assert not contradicts(recall, Claims.of("Well over a million phones are being called back."))
    assert contradicts(recall, Claims.of("Some 2.5 million phones are being called back."))


def test_a_confirmed_pair_that_contradicts_on_amounts_is_not_reported(monkeypatch):
    text = ("City Council Approves Budget\n\n"
            "The city council approved a $298 million budget on Tuesday after a long debate over police staffing.\n\n"
            "Libraries will stay open on Sundays.\n\n"
            "Last year the city council approved a $305 million budget on Tuesday after a long debate over police "
            "staffing.\n\nThe mayor will sign it.\n")
    assert (1, 3) not in pairs(find_redundancy(text))
    # The rule is what keeps them apart: the reranker and a shared run of words confirm the pair without it.
    import dedup.article.detector as detector_module

    monkeypatch.setattr(detector_module, "contradicts", lambda a, b: False)
    assert set(pairs(find_redundancy(text))[(1, 3)].confirmed_by) == {"reranker", "shared_run"}


def test_a_shared_run_alone_does_not_overrule_conflicting_amounts(monkeypatch):
    """A pair only its shared run confirms (the reranker asked for near certainty here) is held to the same rule:
    on web pages, template lines with other figures ("2.07 miles from Santa Rosa Memorial Hospital" / "21.75
    miles from ...") were reported as restatements by their run alone."""
    text = ("City Council Approves Budget\n\n"
            "The city council approved a $298 million budget on Tuesday after a long debate over police staffing.\n\n"
            "Libraries will stay open on Sundays.\n\n"
            "Last year the city council approved a $305 million budget on Tuesday after a long debate over police "
            "staffing.\n\nThe mayor will sign it.\n")
    detector = Detector(probability_threshold=0.9999)
    assert (1, 3) not in pairs(detector.detect(text))
    import dedup.article.detector as detector_module

    monkeypatch.setattr(detector_module, "contradicts", lambda a, b: False)
    assert pairs(detector.detect(text))[(1, 3)].confirmed_by == ("shared_run",)


def test_clean_removes_nothing_that_only_its_amounts_restate(tmp_path):
    report = find_redundancy(STADIUM)
    assert pairs(report)[(1, 7)].confirmed_by == ("amounts",)
    path = tmp_path / "stadium.txt"
    path.write_text(STADIUM, encoding="utf-8")
    out = tmp_path / "clean.txt"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Seven of the nine council members backed the deal" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_timestamps_and_ordinals_state_no_shared_amount(confirm):
    """Read on real web pages: forum timestamps ("at 4:18 pm") and regiments ("17th Regiment") are no amounts
    two posts agree on, and posting times that differ conflict."""
    text = ("Forum\n\n# 15 December 2008 at 4:18 pm\n\n# 15 December 2008 at 10:45 pm\n\n"
            "17th Regiment, Company A, mustered in at Brattleboro.\n\n"
            "17th Regiment, Companies A through G, started for Alexandria, arriving the 22nd.\n\n"
            "posted at EST 12:08 PM\n\nposted at EST 12:59 PM\n")
    assert find_redundancy(text, confirm=confirm).matches == []


def test_a_long_paragraph_is_not_put_to_the_agreement_model():
    """The agreement model was fitted on news paragraphs of at most 53 words; past ``MAX_CLAIM_WORDS`` a paragraph
    (a web page's block of figures) shares an amount with another by chance, and the amount route is off."""
    assert pairs(find_redundancy(STADIUM))[(1, 7)].confirmed_by == ("amounts",)
    filler = " It also covered parking, lighting, concessions, security, cleaning and the pitch itself." * 6
    long = STADIUM.replace("forty thousand seats.", "forty thousand seats." + filler)
    paragraph = segment(long)[7]
    assert len(paragraph.text.split()) > MAX_CLAIM_WORDS and not claim_sized(paragraph)
    assert (1, 7) not in pairs(find_redundancy(long))


def test_an_amount_stated_twice_is_one_piece_of_evidence():
    """Found by trying it: "340 ~ three hundred and forty" was listed twice when one paragraph stated 340 twice."""
    from dedup.article.amounts import agreed_amounts
    from dedup.confirm.agreement import Claims
    from dedup.text.segment import segment

    a, b = segment("The regulator ordered checks of 340 jets; all 340 must be inspected by Friday.\n\n"
                   "Some three hundred and forty aircraft will have their engines looked at.\n")
    amounts, _ = agreed_amounts(a, b, Claims.of(a.text), Claims.of(b.text))
    assert [(x.a, x.b) for x in amounts] == [("340", "three hundred and forty")]
