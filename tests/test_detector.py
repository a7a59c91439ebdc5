import numpy as np
import pytest

from dedup import Detector, align_texts, find_redundancy
from dedup.article.evidence import held_in_a_sentence

ARTICLE = """Storm closes schools across the northern region

Heavy snow fell overnight. A fierce storm has closed schools across the whole northern region on Monday, officials said, and buses will not run until the roads are cleared. Parents were told to keep children at home.

The city council approved a new budget for public libraries, adding two branches in the east.

Local farmers expect a late harvest after a cold and wet spring, the growers' association said.

The mayor said the snowstorm had shut schools throughout the northern region and that bus services were suspended until the roads were cleared.
"""


def test_short_title_contained_in_a_long_paragraph_is_found():
    report = find_redundancy(ARTICLE)
    match = next(m for m in report.matches if (m.a, m.b) == (0, 1))
    assert match.containment > 0.6 > match.jaccard
    assert match.sentences[0].a.startswith("Storm closes schools")
    assert "closed schools" in match.sentences[0].b


def test_reworded_restatement_is_grouped_and_unrelated_paragraphs_are_not():
    # Paragraph 4 restates 1 in other words ("shut", "snowstorm", "bus
    # services were suspended"); neither default reaches it (a known miss,
    # see README): the TF-IDF rules do at their lenient thresholds (0.45 /
    # 0.3, the defaults before they flagged 6 of 12 held-out non-redundant
    # articles), and nothing groups the unrelated 2 and 3.
    lenient = Detector(confirm="tfidf", paragraph_cosine_threshold=0.45, sentence_cosine_threshold=0.3)
    for detector, restated in ((Detector(), {0, 1}), (Detector(confirm="tfidf"), {0, 1}), (lenient, {0, 1, 4})):
        grouped = {p for g in detector.detect(ARTICLE).groups for p in g.paragraphs}
        assert grouped == restated


def test_detector_is_reusable_and_reports_its_parameters():
    detector = Detector(num_perm=64, sentence_cosine_threshold=0.35)
    first = detector.detect(ARTICLE, doc_id="a")
    second = detector.detect(ARTICLE, doc_id="b")
    assert [(m.a, m.b) for m in first.matches] == [(m.a, m.b) for m in second.matches]
    assert second.id == "b"
    params = detector.params()
    assert params["num_perm"] == 64 and params["sentence_threshold"] == 0.35
    assert params["bands"] * params["rows"] <= 64


def test_results_are_deterministic_across_detectors():
    a = find_redundancy(ARTICLE)
    b = find_redundancy(ARTICLE)
    assert a.matches == b.matches and a.groups == b.groups


@pytest.mark.parametrize("kwargs", [dict(paragraph_cosine_threshold=0), dict(sentence_cosine_threshold=2), dict(k=0),
                                    dict(num_perm=0), dict(lsh_threshold=0), dict(min_sentence_words=0),
                                    dict(min_shared_words=-1)])
def test_invalid_parameters_are_refused_in_init(kwargs):
    with pytest.raises(ValueError):
        Detector(**kwargs)


@pytest.mark.parametrize("kwargs, named", [
    (dict(reranker="x"), "reranker must be a fitted Reranker or None"),
    (dict(confirm="tfidf", reranker="x"), "reranker must be"),
    (dict(agreement="x"), 'agreement must be an AgreementModel, None or "default"'),
    (dict(background="abc", background_docs=10), "background must be a mapping"),
    (dict(background=[1, 2], background_docs=10), "background must be a mapping"),
    (dict(background={"a": 5}, background_docs="x"), "background_docs must be an integer >= 1"),
    (dict(background={"a": 5}, background_docs=float("nan")), "background_docs must be an integer >= 1"),
    (dict(background={"a": 5}, background_docs=0), "background_docs must be an integer >= 1"),
    (dict(background={"a": 5}, background_docs=3), r"document frequencies in \[0, background_docs=3\], got 'a': 5"),
    (dict(background={"a": float("nan")}, background_docs=3), "got 'a': nan"),
    (dict(background={"a": "x"}, background_docs=3), "got 'a': 'x'"),
    (dict(background={1: 1}, background_docs=3), "got 1: 1"),
    (dict(background_docs=-1), "background_docs must be an integer >= 0"),
    (dict(background_docs="x"), "background_docs must be an integer >= 0"),
    (dict(background_docs=float("nan")), "background_docs must be an integer >= 0"),
    (dict(stop_words="no"), "stop_words must be True or False"),
    (dict(stem=None), "stem must be True or False"),
    (dict(k=10**30), r"k must be an integer in \[1, 1000\]"),
])
def test_unusable_parameters_are_named_in_init_not_failing_in_detect(kwargs, named):
    with pytest.raises(ValueError, match=named):
        Detector(**kwargs)


def test_background_frequencies_as_documented_are_taken():
    numpy_counts = {"school": np.int64(900), "storm": 0.5}
    assert Detector(background=numpy_counts, background_docs=np.int64(1000)).detect(ARTICLE).paragraphs


def test_text_without_restatements():
    report = find_redundancy("Cats sleep a lot.\n\nThe stock market rose on Friday.\n\nRain is expected.")
    assert report.matches == [] and report.groups == [] and len(report.paragraphs) == 3


@pytest.mark.parametrize("text", ["", "   \n\n  ", "!!! ... ???", "a\n\nb"])
def test_degenerate_texts_give_empty_reports(text):
    report = find_redundancy(text)
    assert report.matches == [] and report.groups == []


def test_verbatim_repeat_is_always_found():
    text = "Intro line here.\n\nThe central bank raised interest rates by half a point to fight inflation.\n\nOther news.\n\nThe central bank raised interest rates by half a point to fight inflation."
    report = find_redundancy(text)
    match = next(m for m in report.matches if (m.a, m.b) == (1, 3))
    assert match.jaccard == 1.0 and match.cosine == pytest.approx(1.0)
    assert report.groups[0].paragraphs == (1, 3)


# One random sentence and a random paragraph ten times its length sharing two words (benchmarks/corpusgen.py):
# the reranker scores the whole paragraphs 0.97, far outside its short-vs-long training pairs (a headline,
# nearly all its words found), so that row does not decide the pair.
RANDOM_SHORT = "The spufinpe bromu and the skustcrouvur my bromu glospolskonsker about teaflind toutpesloundspios the."
RANDOM_LONG = (
    "Fourma zapro feartgimdobrung frones slispes to zapro spufinpe with. Some in the fleze tetcimving wedehin "
    "surtgle the weastslafrort spufinpe the promqui teafricrea clainnongtort to bisbizast of of triom as. From most "
    "and spufinpe a to haigrios flaimbla is plai she flechu. Theng musmou and wonpas that neacloumeas queanwiol "
    "spufinpe. Not zolpraim zousdrinfeastnior but can gitsim were gluslirtquen spufinpe to a and aple the. Frones "
    "spufinpe the frones pradrouspearing thaindsteandflar the flaswong be frones and spufinpe to. Grang jistar "
    "zivouflo rulnandbun and teaflind biostamaistgriost for skompartkeast the of. The resspest spufinpe drirtgron "
    "skanclirquind or tracou the bromu not is than these. His the grangshoum of cea zigeandmut then skourtspout "
    "lartwea pleatwe flundba from rasmeasther in. They that the the tetcimving an prachoul up voultigre and "
    "criolseat of. And surtgle the bromu spufinpe spufinpe minkesttol to also spufinpe of in requeat that bromu for "
    "droscu lartslir surtdaiplen.")


def test_a_short_paragraph_against_a_long_one_is_not_decided_by_the_whole_paragraph_row():
    detector = Detector()
    report = detector.detect(RANDOM_SHORT + "\n\n" + RANDOM_LONG)
    # The whole paragraphs' row scores 0.84-0.98 (at the threshold or past it); the score reported is the one that
    # decided (the best sentence pair's), as output.md says: it showed the whole row's, and a reader saw a pair
    # scored past the threshold and not confirmed.
    assert report.candidate_scores and max(report.candidate_scores) < detector.probability_threshold
    assert report.matches == [] and report.groups == []


# A one-sentence paragraph whose three content words a paragraph ten times its length holds, each in another
# sentence (benchmarks/corpusgen.py, seed 5): the whole paragraphs score 0.93, as a headline against its lede
# would, but no sentence holds more than one of the three words.
SCATTERED_SHORT = "That tetcimving mehacioflion to jiodrusgro this in not."
SCATTERED_LONG = (
    "Spufinpe slartshir gleart the mehacioflion glaimmimcha peast and the and fourma he rousin sand flundba "
    "lissostwo. And and tim trond a bromu most dongblemou thepost this tetcimving quil at. Cairdung painquounclan "
    "be of spufinpe an out zapro zaindcrir fioglaitrurskea a for in jiodrusgro new that spufinpe. Mehacioflion is "
    "by plostdres bromu the quil voungwis. Vairglis grincheangjo and were could spufinpe frones jiodrusgro from "
    "stachou. Tound jiosti of on tetcimving by keskio and plizan of spufinpe rasmeasther a as.")


def test_a_short_paragraph_whose_words_are_scattered_over_a_long_one_is_no_headline():
    detector = Detector()
    report = detector.detect(SCATTERED_SHORT + "\n\n" + SCATTERED_LONG)
    assert report.candidate_scores[0] < detector.probability_threshold  # what decided, not the whole row's 0.93
    assert report.matches == []
    # The same words standing together in one sentence of the long paragraph: a headline and its sentence.
    together = SCATTERED_LONG.replace("Mehacioflion is by plostdres", "Tetcimving mehacioflion jiodrusgro by plostdres")
    assert [(m.a, m.b) for m in detector.detect(SCATTERED_SHORT + "\n\n" + together).matches] == [(0, 1)]


def test_held_in_a_sentence_counts_the_words_of_the_shorter_side_one_sentence_holds():
    short = [frozenset({"bank", "rate", "rise", "inflat"})]
    lede = [frozenset({"central", "bank", "rate", "rise", "half", "point"}), frozenset({"inflat", "fight"})]
    assert held_in_a_sentence(short, lede) == held_in_a_sentence(lede, short) == 3
    assert held_in_a_sentence(short, [frozenset({"bank", "rate"}), frozenset({"rise", "inflat"})]) == 2
    assert held_in_a_sentence(short, []) == 0


def test_the_token_memo_holds_one_documents_tokens():
    detector = Detector()
    detector.detect(ARTICLE)
    assert detector._tokens._seen == {}


@pytest.mark.parametrize("call", [
    lambda: find_redundancy(None), lambda: find_redundancy(b"Title\n\nBody text."), lambda: find_redundancy(42),
    lambda: Detector().detect(b"Title\n\nBody text."), lambda: align_texts(None, "Some text."),
    lambda: align_texts("Some text.", ["a", "list"]),
])
def test_a_text_that_is_not_a_string_is_named_in_a_type_error(call):
    with pytest.raises(TypeError, match=r"^(text|a|b) must be a string, got (NoneType|bytes|int|list)"):
        call()


def test_an_empty_text_is_an_empty_report():
    assert find_redundancy("").paragraphs == [] and align_texts("", "Some text.") == []
