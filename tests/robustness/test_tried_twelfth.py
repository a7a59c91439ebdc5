"""Found by trying it, twelfth round. Each test of a find failed before its fix; the last guards the other way."""

import pytest

import dedup
from dedup.io.clean import clean

# 1. `dedup clean` removed a paragraph whose one changed word states the opposite fact (a newsroom editor's 16
#    articles and about 70 one-word changes): "reduced" and "increased" stood in two word groups, so neither turned
#    the other; the verbs of markets ("plunged", "jumped", "dropped"), of courts and bills ("granted", "vetoed") and a
#    patient's condition ("stable", "critical") were in none.

FILLER = ["The announcement came after weeks of speculation among officials and in financial markets.",
          "Analysts said they had expected a decision of this kind, though the timing surprised some of them.",
          "Separately, the regional government said it would publish its annual budget review in the autumn.",
          "Officials will update the figures on Saturday morning, the statement added."]
SHARES = "Shares in the company {} sharply on the stock exchange after the announcement on Tuesday."


@pytest.mark.parametrize("first, later", [
    ("The study found that the drug reduced the risk of heart attacks in older patients.",
     "The study found that the drug increased the risk of heart attacks in older patients."),
    (SHARES.format("rose"), SHARES.format("plunged")),
    (SHARES.format("fell"), SHARES.format("jumped")),
    (SHARES.format("gained"), SHARES.format("dropped")),
    ("The judge granted the request for bail after hearing arguments from both sides.",
     "The judge denied the request for bail after hearing arguments from both sides."),
    ("The governor signed the bill into law on Thursday afternoon at the capitol building.",
     "The governor vetoed the bill on Thursday afternoon at the capitol building."),
    ("The man was sentenced to life in prison for the murder of his business partner.",
     "The man was sentenced to death for the murder of his business partner."),
    ("The hospital said the injured worker was in a stable condition on Monday evening.",
     "The hospital said the injured worker was in a critical condition on Monday evening."),
    ("The storm is expected to strengthen as it moves toward the coast over the weekend.",
     "The storm is expected to weaken as it moves toward the coast over the weekend."),
    ("The company was fined for breaking safety rules at its plant near the river.",
     "The company was cleared of breaking safety rules at its plant near the river."),
    ("Emergency crews reached the scene of the collapse within an hour of the first call.",
     "Emergency crews reached the scene of the collapse within a minute of the first call."),
    ("The plan was approved unanimously by the board at its meeting on Tuesday night.",
     "The plan was approved narrowly by the board at its meeting on Tuesday night."),
])
@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_clean_keeps_a_paragraph_whose_one_word_turns_the_fact(first, later, confirm):
    text = "\n\n".join(["Headline of the day", first, FILLER[0], FILLER[1], later, FILLER[2], FILLER[3]]) + "\n"
    report = dedup.find_redundancy(text, confirm=confirm)
    assert any({m.a, m.b} == {1, 4} for m in report.matches)  # restated but for the word: the pair is a match
    result = clean(report, source=text)
    assert 4 not in result.removed_paragraphs and later in result.text


def test_clean_still_removes_a_restatement_in_words_of_one_side():
    first = SHARES.format("fell")
    text = "\n\n".join(["Headline of the day", first, FILLER[0], FILLER[1], SHARES.format("dropped"), FILLER[2],
                        FILLER[3]]) + "\n"
    assert list(clean(dedup.find_redundancy(text), source=text).removed_paragraphs) == [4]  # one side: no turn


# 2. A one-sentence lede stating two claims ("vetoed the school bill, and signed a gun law"), restated by one
#    paragraph on each, joined the two paragraphs in one group: groups are joined through sentences, and the lede
#    is one sentence. Each partner now joins the claim of the sentence whose words it shares.

TWO_CLAIMS = [
    "Governor Vetoes School Funding Bill and Signs Gun Safety Law",
    "Governor Alan Pierce on Friday vetoed a bill that would have raised school funding by $300 million, and signed a "
    "law requiring background checks for all gun sales.",
    "Pierce said the school funding bill would have forced the state to raise taxes.",
    "\"I support our teachers, but this bill spends money we do not have,\" Pierce said in his veto message.",
    "The gun safety law requires background checks for all gun sales, including private sales at gun shows.",
    "Democrats in the legislature said they would try to override the veto of the school funding bill next month.",
    "An override needs a two-thirds majority in both chambers, which Democrats do not have.",
    "The background check law takes effect on January 1.",
    "Gun rights groups said they would challenge the law in court.",
    "Teachers' unions said the veto would mean larger classes and fewer counsellors in schools across the state.",
    "The governor vetoed the school funding bill, which would have added $300 million for schools.",
    "Pierce signed the gun safety law at a ceremony attended by families of shooting victims.",
    "The governor is up for re-election next year.",
]


@pytest.mark.parametrize("confirm", ["learned", "tfidf"])
def test_a_one_sentence_lede_of_two_claims_is_in_two_groups(confirm):
    report = dedup.find_redundancy("\n\n".join(TWO_CLAIMS) + "\n", confirm=confirm)
    assert {(m.a, m.b) for m in report.matches} >= {(1, 4), (1, 10)}
    assert sorted(g.paragraphs for g in report.groups) == [(0, 1, 4), (0, 1, 10)]
    # The lede cut in two sentences: the same two claims, never one group either.
    lede = TWO_CLAIMS[1].replace(", and signed a law", ". He also signed a law")
    report = dedup.find_redundancy("\n\n".join([TWO_CLAIMS[0], lede] + TWO_CLAIMS[2:]) + "\n", confirm=confirm)
    assert {(m.a, m.b) for m in report.matches} >= {(1, 4), (1, 10)}
    assert not any({4, 10} <= set(g.paragraphs) for g in report.groups)
