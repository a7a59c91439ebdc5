"""Found by trying it, twelfth round. Each test of a find failed before its fix; the last guards the other way."""

import pytest

import dedup
from dedup.io.clean import clean

from .test_tried_ninth import FILLER

# 1. `dedup clean` removed a paragraph whose one changed word states the opposite fact (a newsroom editor's 16
#    articles and about 70 one-word changes): "reduced" and "increased" stood in two word groups, so neither turned
#    the other; the verbs of markets ("plunged", "jumped"), of courts and bills ("granted", "vetoed") were in none.
#    ("dropped", "life" / "death" and "stable" / "critical" stay out: in their other senses they kept restatements.)


def _article(first: str, later: str) -> str:
    """``first`` and ``later`` in a short article, apart (the ninth round's filler, which states neither)."""
    return "\n\n".join(["Headline of the day", first, FILLER[0], FILLER[1], later, FILLER[2], FILLER[3]]) + "\n"


SHARES = "Shares in the company {} sharply on the stock exchange after the announcement on Tuesday."


@pytest.mark.parametrize("first, later", [
    ("The study found that the drug reduced the risk of heart attacks in older patients.",
     "The study found that the drug increased the risk of heart attacks in older patients."),
    (SHARES.format("rose"), SHARES.format("plunged")),
    (SHARES.format("fell"), SHARES.format("jumped")),
    ("The judge granted the request for bail after hearing arguments from both sides.",
     "The judge denied the request for bail after hearing arguments from both sides."),
    ("The governor signed the bill into law on Thursday afternoon at the capitol building.",
     "The governor vetoed the bill on Thursday afternoon at the capitol building."),
    (SHARES.format("gained"), SHARES.format("tumbled")),
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
    text = _article(first, later)
    report = dedup.find_redundancy(text, confirm=confirm)
    assert any({m.a, m.b} == {1, 4} for m in report.matches)  # restated but for the word: the pair is a match
    result = clean(report, source=text)
    assert 4 not in result.removed_paragraphs and later in result.text


@pytest.mark.parametrize("first, later", [
    # Two words of one side (with a second edit: a sentence changed in one place only is kept, ``one_change``).
    (SHARES.format("fell"), SHARES.format("declined").replace("on Tuesday", "on Tuesday morning")),
    # Words of the groups in another sense (a reviewer's finds: "dropped", "rally", "rebounds", "life" and "critical"
    # were left out of the groups for them).
    ("Senator Ann Lane dropped out of the race for the party's presidential nomination on Sunday, two days after "
     "finishing fifth in the New Hampshire primary.",
     "Senator Ann Lane gave up her bid for the party's presidential nomination on Sunday, two days after finishing "
     "fifth in the New Hampshire primary."),
    ("Thousands of teachers held a rally at the statehouse in Carson on Monday to protest against pay cuts "
     "proposed in the governor's budget.",
     "Thousands of teachers marched on the statehouse in Carson on Monday to protest against lower pay in the "
     "governor's budget."),
    ("Jordan Smith scored 22 points and had 10 rebounds as Harbour City beat Riverton 88-79 on Saturday to reach "
     "the league final.",
     "Jordan Smith scored 22 points and pulled down 10 rebounds as Harbour City beat Riverton 88-79 on Saturday."),
    ("Police are investigating the death of a 54-year-old miner in a tunnel collapse at the Kellner coal pit near "
     "Ashford on Tuesday.",
     "A 54-year-old miner lost his life in a tunnel collapse at the Kellner coal pit near Ashford on Tuesday, "
     "police said."),
])
def test_clean_still_removes_a_restatement_in_words_of_one_side_or_another_sense(first, later):
    text = _article(first, later)
    assert list(clean(dedup.find_redundancy(text), source=text).removed_paragraphs) == [4]


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


# A reviewer of the change: one claim restated twice in other words, each restatement sharing other words with the
# lede, was split in two groups; partners whose words lie all over the lede state one claim.

TRANSFER = [
    "Rovers Sign Striker Owen Smith for Record Fee",
    "Riverton Rovers have signed striker Owen Smith from Dundee Athletic for a club-record fee of \u00a338 million, the "
    "club announced on Tuesday.",
    "Smith, 24, scored 21 league goals last season and was the second-highest scorer in the division.",
    "Manager Karen Doyle said she had tracked the player for two seasons.",
    "Dundee Athletic have sold Owen Smith to Riverton for a sum of around forty million pounds, the Scottish side said.",
    "Rovers finished seventh last season, nine points short of the European places.",
    "The Rovers confirmed on Tuesday that the striker had signed for a \u00a338m club-record fee, the most expensive deal "
    "in their history.",
    "Smith is expected to make his debut against Harbour City on Saturday.",
]
VETO = [
    "Governor Hale Vetoes School Construction Bill",
    "Governor Maria Hale on Friday vetoed a $300 million school construction bill that lawmakers passed last month, "
    "saying the state could not afford it.",
    "The measure would have paid for new roofs, heating systems and classrooms at 140 schools across the state.",
    "In a two-page letter, Hale rejected the school construction bill that lawmakers passed last month.",
    "Teachers' unions, which campaigned for the bill for two years, called the decision a betrayal of students.",
    "Governor Maria Hale on Friday vetoed a spending plan worth $300m, arguing the state could not afford the largest "
    "building programme in its history.",
    "Senate leader Tom Briggs said he would try to override the veto.",
]


@pytest.mark.parametrize("paragraphs, group", [(TRANSFER, (0, 1, 4, 6)), (VETO, (0, 1, 3, 5))])
def test_one_claim_restated_in_other_words_stays_one_group(paragraphs, group):
    report = dedup.find_redundancy("\n\n".join(paragraphs) + "\n")
    assert [g.paragraphs for g in report.groups] == [group]


# 3. `CorpusScanner.scan` took a document with an empty id (made by hand: the readers never make one) and reported
#    it by an empty name; two such documents were one, the second said a duplicate. `Index.add` refuses one.

def test_a_scan_skips_a_document_with_an_empty_id_and_says_so():
    from dedup.corpus.scanner import CorpusScanner
    from dedup.io.readers import Document

    errors = []
    text = "The council approved the harbour budget on Tuesday after a long debate about ferries."
    report = CorpusScanner().scan([Document("", text), Document(" ", text), Document("kept", text)],
                                  on_error=errors.append)
    assert [d.id for d in report.documents] == ["kept"] and report.stats["skipped"] == 2
    assert [str(e) for e in errors] == ["items[0]: empty id '': name the document",
                                       "items[1]: empty id ' ': name the document"]
